/* split: train/test split with scikit-learn's train_test_split semantics.
 *
 * With the same random_state the rows land where train_test_split puts them,
 * in the same order: the lecture's `train_test_split(X, y, random_state=0)`
 * is `{use: split, with: {random_state: 0}}`. See math/shuffle_split.h for
 * the draws. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "latent/stage.h"
#include "math/shuffle_split.h"

struct split_config {
    double test_size;
    int64_t random_state;
    bool shuffle;
    bool stratify;
};

static const lt_param split_params[] = {
    LT_REAL(struct split_config, test_size, 0.25, 0, 1e15, LT_MIN_OPEN,
            "test share: a fraction in (0, 1) of the rows (rounded up), or a "
            "whole number of rows >= 1"),
    LT_SEED(struct split_config, random_state,
            "train_test_split's random_state; unset: the pipeline's seed"),
    LT_BOOL(struct split_config, shuffle, true,
            "shuffle before splitting; false: the first rows train, the rest test"),
    LT_BOOL(struct split_config, stratify, false,
            "keep each label's share in both splits (train_test_split(stratify=y))"),
};

static int split_check(lt_ctx *ctx, const void *config)
{
    const struct split_config *cfg = config;
    if (cfg->test_size >= 1 && cfg->test_size != floor(cfg->test_size))
        return lt_fail(ctx, LT_EINPUT,
                       "test_size is %g; expected a fraction in (0, 1) or a whole "
                       "number of rows",
                       cfg->test_size);
    if (cfg->stratify && !cfg->shuffle)
        return lt_fail(ctx, LT_EINPUT,
                       "stratify needs shuffle: true (scikit-learn has no "
                       "stratified split without shuffling)");
    return LT_OK;
}

/* Copies rows idx[0..n) of src (features, labels, per-row values) into dst.
 * Returns 0, or -1 when out of memory (dst then holds what was allocated,
 * for its owner to free). */
static int take_rows(const lt_split *src, const size_t *idx, size_t n,
                     lt_split *dst)
{
    size_t cols = src->x->cols;
    if (!(dst->x = lt_mat_new(n, cols)))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (cols)
            memcpy(dst->x->v + i * cols, src->x->v + idx[i] * cols,
                   cols * sizeof(double));
    if (src->y) {
        if (!(dst->y = malloc((n ? n : 1) * sizeof *dst->y)))
            return -1;
        for (size_t i = 0; i < n; i++)
            dst->y[i] = src->y[idx[i]];
    }
    if (src->t) {
        if (!(dst->t = malloc((n ? n : 1) * sizeof *dst->t)))
            return -1;
        for (size_t i = 0; i < n; i++)
            dst->t[i] = src->t[idx[i]];
    }
    return 0;
}

/* Fills train and test with the chosen row indices. Returns LT_OK or the
 * code of lt_fail. */
static int choose_rows(lt_ctx *ctx, const struct split_config *cfg,
                       const lt_split *in, size_t n, size_t n_test,
                       size_t *train, size_t *test)
{
    size_t n_train = n - n_test;
    uint32_t seed = cfg->random_state < 0 ? lt_ctx_seed(ctx)
                                          : (uint32_t)cfg->random_state;
    if (!cfg->shuffle) {
        for (size_t i = 0; i < n; i++) {
            if (i < n_train)
                train[i] = i;
            else
                test[i - n_train] = i;
        }
        return LT_OK;
    }
    if (!cfg->stratify) {
        if (lt_shuffle_split(seed, n, n_test, train, test) != 0)
            return lt_fail(ctx, LT_ERUNTIME, "out of memory");
        return LT_OK;
    }
    if (!in->y)
        return lt_fail(ctx, LT_EINPUT,
                       "stratify: true needs labels but the input has none");
    lt_strat_info info;
    switch (lt_stratified_split(seed, in->y, n, n_test, train, test, &info)) {
    case LT_STRAT_OK:
        return LT_OK;
    case LT_STRAT_SINGLETON:
        return lt_fail(ctx, LT_EINPUT,
                       "stratify: label %d has only 1 row; every label needs at "
                       "least 2 to appear in both splits",
                       info.label);
    case LT_STRAT_FEW_TRAIN:
        return lt_fail(ctx, LT_EINPUT,
                       "stratify: the train split gets %zu rows but there are %zu "
                       "labels; expected at least one row per label (lower test_size)",
                       n_train, info.n_classes);
    case LT_STRAT_FEW_TEST:
        return lt_fail(ctx, LT_EINPUT,
                       "stratify: the test split gets %zu rows but there are %zu "
                       "labels; expected at least one row per label (raise test_size)",
                       n_test, info.n_classes);
    case LT_STRAT_SHARES:
        return lt_fail(ctx, LT_ERUNTIME,
                       "stratify: rounding made the label shares miss the split "
                       "sizes (%zu rows is too many)",
                       n);
    default:
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    }
}

/* n_test for N rows, or 0 with an error recorded when test_size leaves
 * either split empty. */
static size_t test_rows(lt_ctx *ctx, double test_size, size_t n)
{
    size_t n_test = lt_split_n_test(test_size, n);
    if (test_size >= 1 && n_test >= n) {
        lt_fail(ctx, LT_EINPUT,
                "test_size is %zu rows but the data have only %zu; expected "
                "fewer rows, or a fraction in (0, 1)",
                n_test, n);
        return 0;
    }
    if (n_test >= n) {
        lt_fail(ctx, LT_EINPUT,
                "test_size %g of %zu rows leaves no train rows (ceil(%g * %zu) "
                "= %zu); expected a smaller fraction",
                test_size, n, test_size, n, n_test);
        return 0;
    }
    return n_test;
}

static int split_run(lt_ctx *ctx, const void *config,
                     const lt_value *inputs, int n_inputs, lt_value *outputs)
{
    (void)n_inputs;
    const struct split_config *cfg = config;
    int rc = split_check(ctx, config);
    if (rc != LT_OK)
        return rc;
    const lt_data *in = inputs[0].data;
    const lt_split *all = &in->split[LT_TRAIN];
    if (!all->x)
        return lt_fail(ctx, LT_EINPUT, "the input has no train split to divide");
    for (int s = LT_VALID; s < LT_N_SPLITS; s++)
        if (in->split[s].x)
            return lt_fail(ctx, LT_EINPUT,
                           "the input already has a %s split; expected data with "
                           "only a train split",
                           lt_split_name(s));
    size_t n = all->x->rows;
    if (n < 2)
        return lt_fail(ctx, LT_EINPUT,
                       "the input has %zu row%s; expected at least 2 to split",
                       n, n == 1 ? "" : "s");
    size_t n_test = test_rows(ctx, cfg->test_size, n);
    if (n_test == 0)
        return LT_EINPUT;
    size_t n_train = n - n_test;

    size_t *train = malloc(n_train * sizeof *train);
    size_t *test = malloc(n_test * sizeof *test);
    lt_data *d = NULL;
    if (!train || !test) {
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    rc = choose_rows(ctx, cfg, all, n, n_test, train, test);
    if (rc != LT_OK)
        goto done;
    d = lt_data_new();
    if (!d || lt_data_copy_meta(d, in) != 0 ||
        take_rows(all, train, n_train, &d->split[LT_TRAIN]) != 0 ||
        take_rows(all, test, n_test, &d->split[LT_TEST]) != 0) {
        lt_data_free(&d);
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    lt_report_int(ctx, "n_train", (long long)n_train);
    lt_report_int(ctx, "n_test", (long long)n_test);
    outputs[0].data = d;
    rc = LT_OK;
done:
    free(train);
    free(test);
    return rc;
}

static const lt_output outputs_table[] = {
    {"data", LT_DATASET, "the train and test splits"},
};

const lt_stage_def split_stage = {
    .abi = LT_ABI_VERSION,
    .name = "split",
    .summary = "train/test split, row for row as scikit-learn's train_test_split",
    .params = split_params,
    .n_params = LT_COUNT(split_params),
    .config_size = sizeof(struct split_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .accepts_nan = true, /* it only moves rows: missing values go on to impute */
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .check = split_check,
    .run = split_run,
};
