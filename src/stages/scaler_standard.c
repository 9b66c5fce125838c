/* scaler.standard: standardise each feature with the training mean and
 * population standard deviation, as scikit-learn's StandardScaler (1.2.1),
 * constant features included. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/dist.h"
#include "latent/stage.h"
#include "stages/affine.h"

struct standard_config {
    bool with_mean;
    bool with_std;
};

static const lt_param standard_params[] = {
    LT_BOOL(struct standard_config, with_mean, true, "subtract the training mean"),
    LT_BOOL(struct standard_config, with_std, true,
            "divide by the training standard deviation (ddof=0; 1 for a "
            "constant feature)"),
};

/* Population variance by the corrected two-pass formula (Chan, Golub and
 * LeVeque): the sum of squared deviations minus the square of their sum
 * over n, which removes most of the rounding left in the mean. */
static int column_variances(const lt_data *in, const lt_mat *x, const double *mean, size_t n,
                            double *var)
{
    size_t rows = x->rows, p = x->cols;
    /* The two sums of each column, over this process's rows, then over
     * every rank's when the rows are spread over several. */
    double *sums = malloc(2 * p * sizeof *sums + 1);
    if (!sums)
        return in->row_blocks ? lt_dist_max(1) : -1; /* meets lt_dist_sum's opening check */
    for (size_t j = 0; j < p; j++) {
        double sum = 0, squares = 0;
        for (size_t i = 0; i < rows; i++) {
            double d = x->v[i * p + j] - mean[j];
            sum += d;
            squares += d * d;
        }
        sums[j] = sum;
        sums[p + j] = squares;
    }
    int rc = lt_dist_rows_sum(in, sums, 2 * p);
    for (size_t j = 0; rc == 0 && j < p; j++)
        var[j] = (sums[p + j] - sums[j] * sums[j] / (double)n) / (double)n;
    free(sums);
    return rc;
}

/* scikit-learn's test for a feature indistinguishable from a constant: a
 * variance within the error bound of the two-pass algorithm. Its scale is 1. */
static bool is_constant(double var, double mean, size_t n)
{
    double eps = DBL_EPSILON, dn = (double)n;
    return var <= dn * eps * var + (dn * mean * eps) * (dn * mean * eps);
}

static int standard_run(lt_ctx *ctx, const void *config, const lt_value *inputs,
                        int n_inputs, lt_value *outputs)
{
    (void)n_inputs;
    const struct standard_config *cfg = config;
    int status = LT_OK;
    const lt_mat *x = lt_affine_train(ctx, inputs[0].data, &status);
    if (!x)
        return status;
    size_t p = x->cols;
    double *mean = malloc(p * sizeof *mean + 1);
    double *var = malloc(p * sizeof *var + 1);
    double *scale = malloc(p * sizeof *scale + 1);
    if (!mean || !var || !scale) {
        status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    const lt_model *saved = lt_ctx_model_in(ctx);
    if (saved) {
        const double *sm = lt_model_vec(ctx, saved, "mean_", p);
        const double *sv = sm ? lt_model_vec(ctx, saved, "var_", p) : NULL;
        const double *ss = sv ? lt_model_vec(ctx, saved, "scale_", p) : NULL;
        if (!ss) {
            status = LT_EINPUT;
            goto done;
        }
        memcpy(mean, sm, p * sizeof *mean);
        memcpy(var, sv, p * sizeof *var);
        memcpy(scale, ss, p * sizeof *scale);
    } else {
        size_t n = lt_dist_rows(inputs[0].data, x);
        if (lt_dist_col_means(inputs[0].data, x, mean) != 0 ||
            column_variances(inputs[0].data, x, mean, n, var) != 0) {
            status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
            goto done;
        }
        for (size_t j = 0; j < p; j++)
            scale[j] = is_constant(var[j], mean[j], n) ? 1.0 : sqrt(var[j]);
        lt_model *m = lt_ctx_model_out(ctx);
        lt_model_put_vec(m, "mean_", mean, p);
        lt_model_put_vec(m, "var_", var, p);
        lt_model_put_vec(m, "scale_", scale, p);
        lt_model_put_int(m, "n_samples_seen_", (long long)n);
    }
    lt_report_vec(ctx, "mean", mean, p);
    if (cfg->with_std) {
        lt_report_vec(ctx, "var", var, p);
        lt_report_vec(ctx, "scale", scale, p);
    }
    struct lt_affine a = {.sub = cfg->with_mean ? mean : NULL,
                       .div = cfg->with_std ? scale : NULL};
    status = lt_affine_apply(ctx, inputs[0].data, &a, &outputs[0].data);
done:
    free(mean);
    free(var);
    free(scale);
    return status;
}

static const lt_output outputs_table[] = {
    {"data", LT_DATASET, "every split standardised with the training statistics"},
};

static const lt_metric scaler_standard_metrics[] = {
    {"mean", "the train split's column means"},
    {"var", "the train split's column variances (with_std)"},
    {"scale", "the divisors used: standard deviations, 1 for constant columns (with_std)"},
};

const lt_stage_def scaler_standard_stage = {
    .abi = LT_ABI_VERSION,
    .name = "scaler.standard",
    .summary = "standardise each feature with the training mean and standard "
               "deviation, as scikit-learn's StandardScaler",
    .params = standard_params,
    .n_params = LT_COUNT(standard_params),
    .config_size = sizeof(struct standard_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .fits = true,
    .distributed = true,
    .run = standard_run,
    .metrics = scaler_standard_metrics,
    .n_metrics = LT_COUNT(scaler_standard_metrics),
};
