/* dataset.randn: a matrix of standard normals, as the lecture's
 *     np.random.seed(100); X = np.random.randn(rows, cols)
 * draws it. Every row lands in the train split. */
#include "latent/stage.h"
#include "math/rng.h"

struct randn_config {
    int rows;
    int cols;
    int64_t seed;
};

static const lt_param randn_params[] = {
    LT_INT(struct randn_config, rows, 10, 1, 100000000, 0, "rows to draw"),
    LT_INT(struct randn_config, cols, 5, 1, 100000, 0, "columns to draw"),
    LT_SEED(struct randn_config, seed,
            "np.random.seed value; unset: the pipeline's seed"),
};

static int randn_run(lt_ctx *ctx, const void *config,
                     const lt_value *inputs, int n_inputs, lt_value *outputs)
{
    (void)inputs;
    (void)n_inputs;
    const struct randn_config *cfg = config;
    uint32_t seed = cfg->seed < 0 ? lt_ctx_seed(ctx) : (uint32_t)cfg->seed;
    lt_data *d = lt_data_new();
    lt_mat *x = lt_mat_new((size_t)cfg->rows, (size_t)cfg->cols);
    if (!d || !x) {
        lt_mat_free(&x);
        lt_data_free(&d);
        return lt_fail(ctx, LT_ERUNTIME, "out of memory for a %d x %d matrix",
                       cfg->rows, cfg->cols);
    }
    lt_rng r;
    lt_rng_seed(&r, seed);
    lt_rng_randn(&r, x->v, x->rows * x->cols);
    d->split[LT_TRAIN].x = x;
    d->n_features = x->cols;
    outputs[0].data = d;
    return LT_OK;
}

static const lt_output outputs_table[] = {
    {"data", LT_DATASET, "the matrix, all rows train"},
};

const lt_stage_def dataset_randn_stage = {
    .abi = LT_ABI_VERSION,
    .name = "dataset.randn",
    .summary = "standard normal matrix, as np.random.seed(seed); np.random.randn(rows, cols)",
    .params = randn_params,
    .n_params = LT_COUNT(randn_params),
    .config_size = sizeof(struct randn_config),
    .min_inputs = 0,
    .max_inputs = 0,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .run = randn_run,
};
