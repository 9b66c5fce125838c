/* dataset.gaussian: draws from a multivariate normal distribution, as the
 * lecture's np.random.seed(seed); np.random.multivariate_normal(mean, cov, n)
 * does. Every row lands in the train split. */
#include <math.h>
#include <stdio.h>

#include "latent/stage.h"
#include "math/rng.h"

struct gaussian_config {
    lt_vec mean;
    lt_matrix cov;
    int n;
    int64_t seed;
};

static const lt_param gaussian_params[] = {
    LT_VECTOR(struct gaussian_config, mean, LT_REQUIRED,
              "mean of each column, e.g. [-1, 2]"),
    LT_MATRIX(struct gaussian_config, cov, LT_REQUIRED,
              "covariance matrix: symmetric positive semi-definite, e.g. [[4, 2], [2, 2]]"),
    LT_INT(struct gaussian_config, n, 10000, 1, 100000000, 0, "rows to draw"),
    LT_SEED(struct gaussian_config, seed,
            "np.random.seed value; unset: the pipeline's seed"),
};

/* numpy.allclose's test with rtol = atol = 1e-8 (the tolerance numpy uses for
 * the positive-semidefinite check), so exact decimal input always passes. */
static bool close_enough(double a, double b)
{
    return fabs(a - b) <= 1e-8 + 1e-8 * fabs(b);
}

static int gaussian_check(lt_ctx *ctx, const void *config)
{
    const struct gaussian_config *cfg = config;
    size_t d = cfg->mean.n;
    if (d == 0)
        return lt_fail_param(ctx, LT_EINPUT, "mean", "mean is empty; expected one value per column");
    if (cfg->cov.rows != cfg->cov.cols)
        return lt_fail_param(ctx, LT_EINPUT, "cov", "cov is %zu x %zu; expected a square matrix",
                       cfg->cov.rows, cfg->cov.cols);
    if (cfg->cov.rows != d)
        return lt_fail_param(ctx, LT_EINPUT, "cov",
                       "cov is %zu x %zu but mean has %zu values; expected a %zu x %zu cov",
                       cfg->cov.rows, cfg->cov.cols, d, d, d);
    const double *c = cfg->cov.v;
    for (size_t i = 0; i < d; i++) {
        for (size_t j = 0; j < d; j++) {
            if (!isfinite(c[i * d + j]))
                return lt_fail_param(ctx, LT_EINPUT, "cov", "cov[%zu][%zu] is not a finite number", i, j);
            if (j < i && !close_enough(c[i * d + j], c[j * d + i]))
                return lt_fail_param(ctx, LT_EINPUT, "cov",
                               "cov is not symmetric: cov[%zu][%zu] = %g but cov[%zu][%zu] = %g",
                               i, j, c[i * d + j], j, i, c[j * d + i]);
        }
        if (!isfinite(cfg->mean.v[i]))
            return lt_fail_param(ctx, LT_EINPUT, "mean", "mean[%zu] is not a finite number", i);
    }
    return LT_OK;
}

static int gaussian_run(lt_ctx *ctx, const void *config,
                        const lt_value *inputs, int n_inputs, lt_value *outputs)
{
    (void)inputs;
    (void)n_inputs;
    const struct gaussian_config *cfg = config;
    int rc = gaussian_check(ctx, config);
    if (rc != LT_OK)
        return rc;
    size_t d = cfg->mean.n;
    uint32_t seed = cfg->seed < 0 ? lt_ctx_seed(ctx) : (uint32_t)cfg->seed;
    lt_data *data = lt_data_new();
    lt_mat *x = lt_mat_new((size_t)cfg->n, d);
    if (!data || !x) {
        lt_mat_free(&x);
        lt_data_free(&data);
        return lt_fail(ctx, LT_ERUNTIME, "out of memory for %d rows of %zu columns",
                       cfg->n, d);
    }
    lt_rng r;
    lt_rng_seed(&r, seed);
    double excess = 0;
    int status = lt_rng_multivariate_normal(&r, cfg->mean.v, cfg->cov.v, d,
                                            (size_t)cfg->n, x->v, &excess);
    if (status != LT_MVN_OK) {
        lt_mat_free(&x);
        lt_data_free(&data);
        if (status == LT_MVN_NOT_PSD)
            return lt_fail(ctx, LT_EINPUT,
                           "cov is not positive semi-definite: rebuilt from its SVD "
                           "it is off by %.3g (numpy allows 1e-8); expected a "
                           "covariance matrix, with no negative eigenvalue",
                           excess);
        if (status == LT_MVN_SVD_FAIL)
            return lt_fail(ctx, LT_ERUNTIME, "the SVD of cov did not converge");
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    }
    data->split[LT_TRAIN].x = x;
    data->n_features = d;
    outputs[0].data = data;
    return LT_OK;
}

static const lt_output outputs_table[] = {
    {"data", LT_DATASET, "the sample, all rows train"},
};

const lt_stage_def dataset_gaussian_stage = {
    .abi = LT_ABI_VERSION,
    .name = "dataset.gaussian",
    .summary = "multivariate normal sample, as np.random.multivariate_normal(mean, cov, n)",
    .params = gaussian_params,
    .n_params = LT_COUNT(gaussian_params),
    .config_size = sizeof(struct gaussian_config),
    .min_inputs = 0,
    .max_inputs = 0,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .check = gaussian_check,
    .run = gaussian_run,
};
