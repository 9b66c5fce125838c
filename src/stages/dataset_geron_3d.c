/* dataset.geron_3d: the lecture's noisy curved 3-D cloud (Géron's
 * generate_3d_data), drawn after np.random.seed(seed):
 *
 *     angles = rand(m) * 3 * pi / 2 - 0.5
 *     x0 = cos(angles) + sin(angles) / 2 + noise * randn(m) / 2
 *     x1 = sin(angles) * 0.7 + noise * randn(m) / 2
 *     x2 = x0 * w1 + x1 * w2 + noise * randn(m)
 *
 * Each expression below keeps numpy's order of operations so the numbers
 * agree to rounding. The data are not centred (the lecture centres them
 * next; a `center` stage does that). Every row lands in the train split. */
#include <math.h>
#include <stdlib.h>

#include "latent/stage.h"
#include "math/rng.h"

struct geron_config {
    int m;
    double w1, w2, noise;
    int64_t seed;
};

static const lt_param geron_params[] = {
    LT_INT(struct geron_config, m, 60, 1, 100000000, 0, "rows (points) to draw"),
    LT_REAL(struct geron_config, w1, 0.1, -1e9, 1e9, 0, "weight of x0 in x2"),
    LT_REAL(struct geron_config, w2, 0.3, -1e9, 1e9, 0, "weight of x1 in x2"),
    LT_REAL(struct geron_config, noise, 0.1, 0, 1e9, 0, "scale of the gaussian noise"),
    /* Not LT_SEED's default of -1 (the pipeline's seed): the lecture seeds
     * this draw with 4 whatever the rest of the notebook uses. */
    LT_SEED_WHEN(struct geron_config, seed, 4, NULL, "np.random.seed value (the lecture uses 4)"),
};

static int geron_run(lt_ctx *ctx, const void *config,
                     const lt_value *inputs, int n_inputs, lt_value *outputs)
{
    (void)inputs;
    (void)n_inputs;
    const struct geron_config *cfg = config;
    size_t m = (size_t)cfg->m;
    uint32_t seed = cfg->seed < 0 ? lt_ctx_seed(ctx) : (uint32_t)cfg->seed;
    lt_data *d = lt_data_new();
    lt_mat *x = lt_mat_new(m, 3);
    double *angle = malloc(m * sizeof *angle);
    if (!d || !x || !angle) {
        free(angle);
        lt_mat_free(&x);
        lt_data_free(&d);
        return lt_fail(ctx, LT_ERUNTIME, "out of memory for %zu points", m);
    }
    lt_rng r;
    lt_rng_seed(&r, seed);
    double noise = cfg->noise;
    /* numpy draws each whole vector before the next: all angles, then the
     * noise of x0, of x1 and of x2. */
    for (size_t i = 0; i < m; i++)
        angle[i] = lt_rng_uniform(&r) * 3 * M_PI / 2 - 0.5;
    for (size_t i = 0; i < m; i++)
        x->v[3 * i] = cos(angle[i]) + sin(angle[i]) / 2 + noise * lt_rng_gauss(&r) / 2;
    for (size_t i = 0; i < m; i++)
        x->v[3 * i + 1] = sin(angle[i]) * 0.7 + noise * lt_rng_gauss(&r) / 2;
    for (size_t i = 0; i < m; i++)
        x->v[3 * i + 2] = x->v[3 * i] * cfg->w1 + x->v[3 * i + 1] * cfg->w2 +
                          noise * lt_rng_gauss(&r);
    free(angle);
    d->split[LT_TRAIN].x = x;
    d->n_features = 3;
    outputs[0].data = d;
    return LT_OK;
}

static const lt_output outputs_table[] = {
    {"data", LT_DATASET, "the points, all rows train"},
};

const lt_stage_def dataset_geron_3d_stage = {
    .abi = LT_ABI_VERSION,
    .name = "dataset.geron_3d",
    .summary = "the lecture's noisy 3-D cloud (generate_3d_data) for the linear autoencoder",
    .params = geron_params,
    .n_params = LT_COUNT(geron_params),
    .config_size = sizeof(struct geron_config),
    .min_inputs = 0,
    .max_inputs = 0,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .run = geron_run,
};
