/* scaler.robust: an out-of-tree stage kind, built against the installed
 * <latent/stage.h> only. Scales each feature by the training median and
 * interquartile range, as scikit-learn's RobustScaler (1.2.1): center_ is
 * the median, scale_ the difference of the two percentiles of
 * quantile_range (numpy's linear interpolation), 1 where that is 0. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <latent/stage.h>

struct robust_config {
    bool with_centering;
    bool with_scaling;
    lt_vec quantile_range;
};

static const lt_param robust_params[] = {
    LT_BOOL(struct robust_config, with_centering, true, "subtract the training median"),
    LT_BOOL(struct robust_config, with_scaling, true, "divide by the training interquartile range"),
    LT_VECTOR(struct robust_config, quantile_range, 0,
              "[q_min, q_max], percentiles in [0, 100] whose difference is the scale (empty: [25, 75])"),
};

static int robust_check(lt_ctx *ctx, const void *config)
{
    const struct robust_config *cfg = config;
    const lt_vec *q = &cfg->quantile_range;
    if (q->n == 0)
        return LT_OK;
    if (q->n != 2 || !(q->v[0] >= 0 && q->v[0] < q->v[1] && q->v[1] <= 100))
        return lt_fail(ctx, LT_EINPUT, "quantile_range: expected [q_min, q_max] with 0 <= q_min < q_max <= 100");
    return LT_OK;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* numpy.percentile(sorted, q) with the default linear method. */
static double percentile(const double *sorted, size_t n, double q)
{
    double pos = q / 100.0 * (double)(n - 1);
    size_t lo = (size_t)floor(pos), hi = lo + 1 < n ? lo + 1 : lo;
    double frac = pos - (double)lo;
    /* numpy's lerp: exact at both ends. */
    double a = sorted[lo], b = sorted[hi], d = b - a;
    return frac >= 0.5 ? b - d * (1 - frac) : a + d * frac;
}

/* Fits on train: center[j] and scale[j] for each column. */
static int fit(const lt_mat *x, const struct robust_config *cfg, double *center, double *scale)
{
    double *col = malloc(x->rows * sizeof *col + 1);
    if (!col)
        return -1;
    double q0 = cfg->quantile_range.n ? cfg->quantile_range.v[0] : 25;
    double q1 = cfg->quantile_range.n ? cfg->quantile_range.v[1] : 75;
    for (size_t j = 0; j < x->cols; j++) {
        for (size_t i = 0; i < x->rows; i++)
            col[i] = x->v[i * x->cols + j];
        qsort(col, x->rows, sizeof *col, by_value);
        center[j] = percentile(col, x->rows, 50);
        double s = percentile(col, x->rows, q1) - percentile(col, x->rows, q0);
        /* scikit-learn's _handle_zeros_in_scale: a near-zero scale is 1. */
        scale[j] = s < 10 * DBL_EPSILON ? 1.0 : s;
    }
    free(col);
    return 0;
}

static int robust_run(lt_ctx *ctx, const void *config, const lt_value *inputs, int n_inputs,
                      lt_value *outputs)
{
    (void)n_inputs;
    const struct robust_config *cfg = config;
    const lt_data *in = inputs[0].data;
    const lt_mat *train = in->split[LT_TRAIN].x;
    if (!train || train->rows == 0)
        return lt_fail(ctx, LT_EINPUT, "needs a non-empty train split");
    size_t p = train->cols;
    double *center = malloc(p * sizeof *center + 1), *scale = malloc(p * sizeof *scale + 1);
    lt_data *d = lt_data_new();
    int status = LT_OK;
    if (!center || !scale || !d || fit(train, cfg, center, scale) != 0 || lt_data_copy_meta(d, in) != 0) {
        status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    for (int s = 0; s < LT_N_SPLITS; s++) {
        const lt_mat *x = in->split[s].x;
        if (!x)
            continue;
        lt_mat *y = lt_mat_new(x->rows, x->cols);
        if (!y) {
            status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < x->rows; i++)
            for (size_t j = 0; j < p; j++) {
                double v = x->v[i * p + j];
                if (cfg->with_centering)
                    v -= center[j];
                if (cfg->with_scaling)
                    v /= scale[j];
                y->v[i * p + j] = v;
            }
        d->split[s].x = y;
    }
    if (lt_data_copy_rowinfo(d, in) != 0) {
        status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    if (cfg->with_centering)
        lt_report_vec(ctx, "center", center, p);
    if (cfg->with_scaling)
        lt_report_vec(ctx, "scale", scale, p);
    outputs[0].data = d; /* handed over to latent */
    d = NULL;
done:
    lt_data_free(&d);
    free(center);
    free(scale);
    return status;
}

/* Every metric the stage reports, declared once: latent checks expect:
 * targets against this table and refuses a report that is not in it. */
static const lt_metric robust_metrics[] = {
    {"center", "the training medians subtracted (with_centering)"},
    {"scale", "the training quantile ranges divided by (with_scaling)"},
};

/* What it gives: one dataset, read as `input: STAGE` (or STAGE.data). */
static const lt_output robust_outputs[] = {
    {"data", LT_DATASET, "every split scaled with the training median and range"},
};

static const lt_stage_def robust_scaler_stage = {
    .abi = LT_ABI_VERSION,
    .name = "scaler.robust",
    .summary = "scale each feature by the training median and interquartile range, as scikit-learn's "
               "RobustScaler (an example plugin)",
    .params = robust_params,
    .n_params = LT_COUNT(robust_params),
    .config_size = sizeof(struct robust_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .outputs = robust_outputs,
    .n_outputs = LT_COUNT(robust_outputs),
    .check = robust_check,
    .metrics = robust_metrics,
    .n_metrics = LT_COUNT(robust_metrics),
    .run = robust_run,
};

LT_PLUGIN_STAGES(&robust_scaler_stage);
