/* split: train/test (and valid) split with scikit-learn's train_test_split
 * semantics.
 *
 * With the same random_state the rows land where train_test_split puts them,
 * in the same order: the lecture's `train_test_split(X, y, random_state=0)`
 * is `{use: split, with: {random_state: 0}}`. A valid split is taken as
 * scikit-learn users take one, with a second call on what the first left:
 *     X_rest, X_test = train_test_split(X, test_size=test_size, random_state=r)
 *     X_train, X_valid = train_test_split(X_rest, test_size=n_valid, random_state=r)
 * where n_valid = ceil(valid_size * len(X)) for a fraction (valid_size is a
 * share of the whole data, like test_size) or valid_size itself for a count.
 * With stratify both calls pass the labels of the rows they split. See
 * math/shuffle_split.h for the draws. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "latent/stage.h"
#include "math/shuffle_split.h"

struct split_config {
    double test_size;
    double valid_size;
    int64_t random_state;
    bool shuffle;
    bool stratify;
};

static const lt_param split_params[] = {
    LT_REAL(struct split_config, test_size, 0.25, 0, 1e15, LT_MIN_OPEN,
            "test share: a fraction in (0, 1) of the rows (rounded up), or a "
            "whole number of rows >= 1"),
    LT_REAL(struct split_config, valid_size, 0, 0, 1e15, 0,
            "valid share: 0 for none, a fraction in (0, 1) of the WHOLE data (n_valid = "
            "ceil(valid_size * rows)) or a whole number of rows. As two scikit-learn calls: "
            "X_rest, X_test = train_test_split(X, test_size=test_size, random_state=random_state); "
            "X_train, X_valid = train_test_split(X_rest, test_size=n_valid, "
            "random_state=random_state) (stratify=y_rest when stratify)"),
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
        return lt_fail_param(ctx, LT_EINPUT, "test_size",
                             "test_size is %g; expected a fraction in (0, 1) or a whole "
                             "number of rows",
                             cfg->test_size);
    if (cfg->valid_size >= 1 && cfg->valid_size != floor(cfg->valid_size))
        return lt_fail_param(ctx, LT_EINPUT, "valid_size",
                             "valid_size is %g; expected 0, a fraction in (0, 1) or a whole "
                             "number of rows",
                             cfg->valid_size);
    if (cfg->test_size < 1 && cfg->valid_size > 0 && cfg->valid_size < 1 &&
        cfg->test_size + cfg->valid_size >= 1)
        return lt_fail_param(ctx, LT_EINPUT, "valid_size",
                             "test_size %g + valid_size %g leave no train rows; expected "
                             "shares that sum to less than 1",
                             cfg->test_size, cfg->valid_size);
    if (cfg->stratify && !cfg->shuffle)
        return lt_fail(ctx, LT_EINPUT,
                       "stratify needs shuffle: true (scikit-learn has no "
                       "stratified split without shuffling)");
    return LT_OK;
}

/* Copies rows idx[0..n) of src (features, labels, per-row values, row ids)
 * into dst; dst always gets row ids, since its rows are no longer the
 * source's rows in order.
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
    if (!(dst->id = malloc((n ? n : 1) * sizeof *dst->id)))
        return -1;
    for (size_t i = 0; i < n; i++)
        dst->id[i] = lt_split_row_id(src, idx[i]);
    return 0;
}

/* Fills train and test with the chosen row indices. Returns LT_OK or the
 * code of lt_fail. */
static int choose_rows(lt_ctx *ctx, const struct split_config *cfg,
                       const int *labels, size_t n, size_t n_test,
                       size_t *train, size_t *test, const char *part)
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
    if (!labels)
        return lt_fail(ctx, LT_EINPUT,
                       "stratify: true needs labels but the input has none");
    lt_strat_info info;
    switch (lt_stratified_split(seed, labels, n, n_test, train, test, &info)) {
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
                       "labels; expected at least one row per label (lower %s_size)",
                       n_train, info.n_classes, part);
    case LT_STRAT_FEW_TEST:
        return lt_fail(ctx, LT_EINPUT,
                       "stratify: the %s split gets %zu rows but there are %zu "
                       "labels; expected at least one row per label (raise %s_size)",
                       part, n_test, info.n_classes, part);
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
        lt_fail_param(ctx, LT_EINPUT, "test_size",
                "test_size is %zu rows but the data have only %zu; expected "
                "fewer rows, or a fraction in (0, 1)",
                n_test, n);
        return 0;
    }
    if (n_test >= n) {
        lt_fail_param(ctx, LT_EINPUT, "test_size",
                "test_size %g of %zu rows leaves no train rows (ceil(%g * %zu) "
                "= %zu); expected a smaller fraction",
                test_size, n, test_size, n, n_test);
        return 0;
    }
    return n_test;
}

/* n_valid for the N_REST rows the test split leaves of N, or 0 with an
 * error recorded when valid_size leaves no train rows. */
static size_t valid_rows(lt_ctx *ctx, double valid_size, size_t n, size_t n_rest)
{
    size_t n_valid = lt_split_n_test(valid_size, n);
    if (n_valid >= n_rest) {
        lt_fail_param(ctx, LT_EINPUT, "valid_size",
                "valid_size %g gives %zu valid rows but the test split leaves only %zu; "
                "expected fewer, so that train keeps at least one",
                valid_size, n_valid, n_rest);
        return 0;
    }
    return n_valid;
}

/* Splits the N_REST rows REST (indices into the input) into train and
 * valid, as train_test_split(X[rest], test_size=n_valid) does, mapping the
 * picks back to input rows. */
static int split_rest(lt_ctx *ctx, const struct split_config *cfg, const int *labels,
                      const size_t *rest, size_t n_rest, size_t n_valid, size_t *train,
                      size_t *valid)
{
    int *sub = labels ? malloc(n_rest * sizeof *sub) : NULL;
    if (labels && !sub)
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    for (size_t i = 0; sub && i < n_rest; i++)
        sub[i] = labels[rest[i]];
    int rc = choose_rows(ctx, cfg, sub, n_rest, n_valid, train, valid, "valid");
    free(sub);
    for (size_t i = 0; rc == LT_OK && i < n_rest - n_valid; i++)
        train[i] = rest[train[i]];
    for (size_t i = 0; rc == LT_OK && i < n_valid; i++)
        valid[i] = rest[valid[i]];
    return rc;
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
    size_t n_rest = n - n_test, n_valid = 0;
    if (cfg->valid_size > 0 && (n_valid = valid_rows(ctx, cfg->valid_size, n, n_rest)) == 0)
        return LT_EINPUT;
    size_t n_train = n_rest - n_valid;

    size_t *rest = malloc(n_rest * sizeof *rest);
    size_t *test = malloc(n_test * sizeof *test);
    size_t *train = n_valid ? malloc(n_train * sizeof *train) : rest;
    size_t *valid = n_valid ? malloc(n_valid * sizeof *valid) : NULL;
    lt_data *d = NULL;
    if (!rest || !test || !train || (n_valid && !valid)) {
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    rc = choose_rows(ctx, cfg, all->y, n, n_test, rest, test, "test");
    if (rc == LT_OK && n_valid)
        rc = split_rest(ctx, cfg, all->y, rest, n_rest, n_valid, train, valid);
    if (rc != LT_OK)
        goto done;
    d = lt_data_new();
    if (!d || lt_data_copy_meta(d, in) != 0 ||
        take_rows(all, train, n_train, &d->split[LT_TRAIN]) != 0 ||
        (n_valid && take_rows(all, valid, n_valid, &d->split[LT_VALID]) != 0) ||
        take_rows(all, test, n_test, &d->split[LT_TEST]) != 0) {
        lt_data_free(&d);
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    lt_report_int(ctx, "n_train", (long long)n_train);
    if (n_valid)
        lt_report_int(ctx, "n_valid", (long long)n_valid);
    lt_report_int(ctx, "n_test", (long long)n_test);
    outputs[0].data = d;
    rc = LT_OK;
done:
    if (train != rest)
        free(train);
    free(rest);
    free(test);
    free(valid);
    return rc;
}

static const lt_output outputs_table[] = {
    {"data", LT_DATASET, "the train and test splits"},
};

static const lt_metric split_metrics[] = {
    {"n_train", "rows in the train split"},
    {"n_valid", "rows in the valid split (with valid_size)"},
    {"n_test", "rows in the test split"},
};

const lt_stage_def split_stage = {
    .abi = LT_ABI_VERSION,
    .name = "split",
    .summary = "train/test (and valid) split, row for row as scikit-learn's train_test_split",
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
    .metrics = split_metrics,
    .n_metrics = LT_COUNT(split_metrics),
};
