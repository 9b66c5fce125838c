/* scaler.minmax: map each feature's training range onto feature_range, as
 * scikit-learn's MinMaxScaler (1.2.1), constant features included. */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "latent/stage.h"
#include "stages/affine.h"

struct minmax_config {
    lt_vec feature_range;
};

static const lt_param minmax_params[] = {
    LT_VECTOR(struct minmax_config, feature_range, LT_NULLABLE,
              "[min, max] the training range of each feature is mapped to; "
              "default [0, 1]"),
};

/* The configured range, or [0, 1] when none was given. */
static void output_range(const struct minmax_config *cfg, double *lo, double *hi)
{
    *lo = cfg->feature_range.n == 2 ? cfg->feature_range.v[0] : 0.0;
    *hi = cfg->feature_range.n == 2 ? cfg->feature_range.v[1] : 1.0;
}

static int minmax_check(lt_ctx *ctx, const void *config)
{
    const struct minmax_config *cfg = config;
    const lt_vec *r = &cfg->feature_range;
    if (r->n == 0)
        return LT_OK;
    if (r->n != 2)
        return lt_fail_param(ctx, LT_EINPUT, "feature_range",
                       "feature_range has %zu numbers; expected two, [min, max]", r->n);
    if (!(r->v[0] < r->v[1]))
        return lt_fail_param(ctx, LT_EINPUT, "feature_range",
                       "feature_range is [%g, %g]; expected min < max", r->v[0], r->v[1]);
    return LT_OK;
}

static int minmax_run(lt_ctx *ctx, const void *config, const lt_value *inputs,
                      int n_inputs, lt_value *outputs)
{
    (void)n_inputs;
    int status = minmax_check(ctx, config);
    if (status != LT_OK)
        return status;
    const lt_mat *x = lt_affine_train(ctx, inputs[0].data, &status);
    if (!x)
        return status;
    size_t n = x->rows, p = x->cols;
    double *lo = malloc(p * sizeof *lo + 1), *hi = malloc(p * sizeof *hi + 1);
    double *scale = malloc(p * sizeof *scale + 1), *shift = malloc(p * sizeof *shift + 1);
    double *range_of = malloc(p * sizeof *range_of + 1);
    if (!lo || !hi || !scale || !shift || !range_of) {
        status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    const lt_model *saved = lt_ctx_model_in(ctx);
    if (saved) {
        const double *s_lo = lt_model_vec(ctx, saved, "data_min_", p);
        const double *s_hi = s_lo ? lt_model_vec(ctx, saved, "data_max_", p) : NULL;
        const double *s_scale = s_hi ? lt_model_vec(ctx, saved, "scale_", p) : NULL;
        const double *s_min = s_scale ? lt_model_vec(ctx, saved, "min_", p) : NULL;
        if (!s_min) {
            status = LT_EINPUT;
            goto done;
        }
        memcpy(lo, s_lo, p * sizeof *lo);
        memcpy(hi, s_hi, p * sizeof *hi);
        memcpy(scale, s_scale, p * sizeof *scale);
        memcpy(shift, s_min, p * sizeof *shift);
        goto apply;
    }
    for (size_t j = 0; j < p; j++)
        lo[j] = hi[j] = x->v[j];
    for (size_t i = 1; i < n; i++)
        for (size_t j = 0; j < p; j++) {
            double v = x->v[i * p + j];
            lo[j] = v < lo[j] ? v : lo[j];
            hi[j] = v > hi[j] ? v : hi[j];
        }
    double out_lo, out_hi;
    output_range(config, &out_lo, &out_hi);
    for (size_t j = 0; j < p; j++) {
        /* A (near-)constant feature keeps a range of 1, as in scikit-learn:
         * on train it maps to the range's minimum. */
        double range = hi[j] - lo[j];
        if (range < 10 * DBL_EPSILON)
            range = 1.0;
        scale[j] = (out_hi - out_lo) / range;
        shift[j] = out_lo - lo[j] * scale[j];
    }
    lt_model *m = lt_ctx_model_out(ctx);
    lt_model_put_vec(m, "min_", shift, p);
    lt_model_put_vec(m, "scale_", scale, p);
    lt_model_put_vec(m, "data_min_", lo, p);
    lt_model_put_vec(m, "data_max_", hi, p);
    for (size_t j = 0; j < p; j++) /* scikit-learn's data_range_: the raw range */
        range_of[j] = hi[j] - lo[j];
    lt_model_put_vec(m, "data_range_", range_of, p);
    lt_model_put_int(m, "n_samples_seen_", (long long)n);
apply:;
    lt_report_vec(ctx, "data_min", lo, p);
    lt_report_vec(ctx, "data_max", hi, p);
    lt_report_vec(ctx, "scale", scale, p);
    lt_report_vec(ctx, "min", shift, p);
    struct lt_affine a = {.mul = scale, .add = shift};
    status = lt_affine_apply(ctx, inputs[0].data, &a, &outputs[0].data);
done:
    free(lo);
    free(hi);
    free(scale);
    free(shift);
    free(range_of);
    return status;
}

static const lt_output outputs_table[] = {
    {"data", LT_DATASET, "every split mapped with the training range"},
};

static const lt_metric scaler_minmax_metrics[] = {
    {"data_min", "the train split's column minima"},
    {"data_max", "the train split's column maxima"},
    {"scale", "scikit-learn's scale_"},
    {"min", "scikit-learn's min_"},
};

const lt_stage_def scaler_minmax_stage = {
    .abi = LT_ABI_VERSION,
    .name = "scaler.minmax",
    .summary = "map each feature's training range onto feature_range, as "
               "scikit-learn's MinMaxScaler",
    .params = minmax_params,
    .n_params = LT_COUNT(minmax_params),
    .config_size = sizeof(struct minmax_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .fits = true,
    .check = minmax_check,
    .run = minmax_run,
    .metrics = scaler_minmax_metrics,
    .n_metrics = LT_COUNT(scaler_minmax_metrics),
};
