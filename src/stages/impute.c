/* impute: fill missing values (NaN, from dataset.csv with missing: keep)
 * with a per-column statistic of the training rows, as scikit-learn's
 * SimpleImputer (1.2.1, missing_values=np.nan), and apply it to every split.
 * The one stage, with split, that takes NaN in its input.
 *
 * Under mpirun, with the rows in blocks over the ranks, the mean comes
 * from the ranks' column sums and counts added in rank order (equal to one
 * process's to rounding); the median and the most frequent value need
 * every present value of a column at once, so the training rows are
 * gathered to rank 0, which fits as one process does (the very same
 * numbers) and sends the statistics to every rank. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dist.h"
#include "latent/stage.h"
#include "stages/affine.h"

enum strategy { MEAN, MEDIAN, MOST_FREQUENT, CONSTANT };

struct impute_config {
    int strategy;
    double fill_value;
};

static const char *const strategies[] = {"mean", "median", "most_frequent", "constant", NULL};

static const lt_param impute_params[] = {
    LT_CHOICE(struct impute_config, strategy, "mean", strategies,
              "what fills a column's missing values: the mean, median or most frequent "
              "(the smallest of ties) of its training values, or fill_value"),
    LT_REAL(struct impute_config, fill_value, 0, -1e308, 1e308, 0,
            "the value strategy: constant fills in"),
};

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The statistic of the N present values V (sorted here when needed). */
static double statistic(enum strategy st, double *v, size_t n)
{
    if (st == MEAN) {
        /* numpy's masked mean on a column: the sum in row order, over n. */
        double sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += v[i];
        return sum / (double)n;
    }
    qsort(v, n, sizeof *v, by_value);
    if (st == MEDIAN)
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    double best = v[0];
    size_t best_run = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && v[j] == v[i])
            j++;
        if (j - i > best_run) /* strictly more: ties keep the smaller value */
            best = v[i], best_run = j - i;
        i = j;
    }
    return best;
}

/* A column without a present value: SimpleImputer drops it with a
 * warning; a column silently gone would shift every later one. */
static int fail_empty(lt_ctx *ctx, const struct impute_config *cfg, const lt_data *in, size_t j)
{
    char name[160] = "";
    if (in->feature_names)
        snprintf(name, sizeof name, " ('%.120s')", in->feature_names[j]);
    return lt_fail(ctx, LT_EINPUT,
                   "column %zu%s has no value in the training split to compute its "
                   "%s from; drop it (the dataset's ignore) or use strategy: constant",
                   j + 1, name, strategies[cfg->strategy]);
}

/* Fits the per-column fill values on train X into FILL. */
static int fit(lt_ctx *ctx, const struct impute_config *cfg, const lt_data *in, const lt_mat *x,
               double *fill)
{
    size_t n = x->rows, p = x->cols;
    double *col = malloc((n ? n : 1) * sizeof *col);
    if (!col)
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    for (size_t j = 0; j < p; j++) {
        if (cfg->strategy == CONSTANT) {
            fill[j] = cfg->fill_value;
            continue;
        }
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (!isnan(x->v[i * p + j]))
                col[k++] = x->v[i * p + j];
        if (k == 0) {
            free(col);
            return fail_empty(ctx, cfg, in, j);
        }
        fill[j] = statistic((enum strategy)cfg->strategy, col, k);
    }
    free(col);
    return LT_OK;
}

/* fit for train X held in row blocks over the MPI ranks (see the top);
 * every rank takes part and ends with the same FILL and status. */
static int fit_blocks(lt_ctx *ctx, const struct impute_config *cfg, const lt_data *in,
                      const lt_mat *x, double *fill)
{
    size_t n = x->rows, p = x->cols;
    if (cfg->strategy == CONSTANT)
        return fit(ctx, cfg, in, x, fill);
    if (cfg->strategy == MEAN) {
        /* [sums of the present values | their counts] of every column */
        double *parts = calloc(2 * p + 1, sizeof *parts);
        for (size_t i = 0; parts && i < n; i++)
            for (size_t j = 0; j < p; j++)
                if (!isnan(x->v[i * p + j])) {
                    parts[j] += x->v[i * p + j];
                    parts[p + j] += 1;
                }
        int rc = lt_dist_sum(parts, 2 * p); /* NULL: fails on every rank */
        for (size_t j = 0; rc == 0 && j < p; j++) {
            if (parts[p + j] == 0) {
                free(parts);
                return fail_empty(ctx, cfg, in, j);
            }
            fill[j] = parts[j] / parts[p + j];
        }
        free(parts);
        return rc == 0 ? LT_OK : lt_fail(ctx, LT_ERUNTIME, "out of memory");
    }
    double *all = NULL;
    size_t total = 0;
    if (lt_dist_gather(x->v, n, p, &all, &total) != 0)
        return lt_fail(ctx, LT_ERUNTIME, "out of memory gathering the training rows to rank 0");
    int status = LT_OK;
    if (lt_dist_rank() == 0) {
        lt_mat whole = {.rows = total, .cols = p, .v = all};
        status = fit(ctx, cfg, in, &whole, fill);
    }
    free(all);
    /* Rank 0's failure (a column without values) stops every rank. */
    status = lt_dist_check(ctx, in, status);
    if (status == LT_OK)
        lt_dist_bcast(fill, p * sizeof *fill);
    return status;
}

static int impute_run(lt_ctx *ctx, const void *config, const lt_value *inputs,
                      int n_inputs, lt_value *outputs)
{
    (void)n_inputs;
    const struct impute_config *cfg = config;
    const lt_data *in = inputs[0].data;
    int status = LT_OK;
    const lt_mat *x = lt_affine_train(ctx, in, &status);
    if (!x)
        return status;
    size_t p = x->cols;
    double *fill = malloc((p ? p : 1) * sizeof *fill);
    lt_data *res = fill ? lt_data_new() : NULL;
    if (!res || lt_data_copy_meta(res, in) != 0)
        status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
    /* In row blocks, a rank short of memory stops the others before they
     * wait for it in the fit's sums. */
    if ((status = lt_dist_check(ctx, in, status)) != LT_OK)
        goto done;
    /* A saved model (from:) brings its statistics_; otherwise they are
     * fitted on train and saved, as SimpleImputer's statistics_. */
    const lt_model *saved = lt_ctx_model_in(ctx);
    if (saved) {
        const double *sv = lt_model_vec(ctx, saved, "statistics_", p);
        if (!sv) {
            status = LT_EINPUT;
            goto done;
        }
        memcpy(fill, sv, p * sizeof *fill);
    } else if ((status = in->row_blocks ? fit_blocks(ctx, cfg, in, x, fill)
                                        : fit(ctx, cfg, in, x, fill)) != LT_OK) {
        goto done;
    } else {
        lt_model_put_vec(lt_ctx_model_out(ctx), "statistics_", fill, p);
    }
    /* Counts as doubles (exact far beyond any row count): the ranks' are
     * added up when the rows are in blocks. */
    double filled[LT_N_SPLITS] = {0};
    for (int s = 0; s < LT_N_SPLITS && status == LT_OK; s++) {
        const lt_mat *xs = in->split[s].x;
        if (!xs)
            continue;
        lt_mat *ys = res->split[s].x = lt_mat_copy(xs);
        if (!ys) {
            status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
            break;
        }
        for (size_t i = 0; i < ys->rows * p; i++)
            if (isnan(ys->v[i])) {
                ys->v[i] = fill[i % p];
                filled[s]++;
            }
    }
    if (status == LT_OK && lt_data_copy_rowinfo(res, in) != 0)
        status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
    if (lt_dist_rows_sum(in, status == LT_OK ? filled : NULL, LT_N_SPLITS) != 0 && status == LT_OK)
        status = lt_fail(ctx, LT_ERUNTIME, "stopped: another MPI rank failed");
    if (status != LT_OK)
        goto done;
    lt_report_vec(ctx, "statistics", fill, p);
    for (int s = 0; s < LT_N_SPLITS; s++)
        if (in->split[s].x) {
            char name[32];
            snprintf(name, sizeof name, "%s_filled", lt_split_name(s));
            lt_report_int(ctx, name, (long long)filled[s]);
        }
    outputs[0].data = res;
    res = NULL;
done:
    lt_data_free(&res);
    free(fill);
    return status;
}

static const lt_output outputs_table[] = {
    {"data", LT_DATASET, "every split with its missing values filled from the training statistics"},
};

static const lt_metric impute_metrics[] = {
    {"statistics", "the value each column's missing entries get (fitted on train)"},
    {"{split}_filled", "missing entries filled in the split"},
};

const lt_stage_def impute_stage = {
    .abi = LT_ABI_VERSION,
    .name = "impute",
    .summary = "fill missing values (NaN, from dataset.csv's missing: keep) with each "
               "column's training mean, median, most frequent value or a constant, as "
               "scikit-learn's SimpleImputer",
    .params = impute_params,
    .n_params = LT_COUNT(impute_params),
    .config_size = sizeof(struct impute_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .accepts_nan = true,
    .fits = true,
    .distributed = true,
    .metrics = impute_metrics,
    .n_metrics = LT_COUNT(impute_metrics),
    .run = impute_run,
};
