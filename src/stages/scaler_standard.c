/* scaler.standard: standardise each feature with the training mean and
 * population standard deviation, as scikit-learn's StandardScaler (1.2.1),
 * constant features included. */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "latent/stage.h"
#include "math/linalg.h"
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
static void column_variances(const lt_mat *x, const double *mean, double *var)
{
    size_t n = x->rows, p = x->cols;
    for (size_t j = 0; j < p; j++) {
        double sum = 0, squares = 0;
        for (size_t i = 0; i < n; i++) {
            double d = x->v[i * p + j] - mean[j];
            sum += d;
            squares += d * d;
        }
        var[j] = (squares - sum * sum / (double)n) / (double)n;
    }
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
    lt_col_means(x->v, x->rows, p, mean);
    column_variances(x, mean, var);
    for (size_t j = 0; j < p; j++)
        scale[j] = is_constant(var[j], mean[j], x->rows) ? 1.0 : sqrt(var[j]);
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
    .run = standard_run,
};
