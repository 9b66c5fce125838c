/* dataset.swiss_roll: scikit-learn 1.2's make_swiss_roll, draw for draw
 * from RandomState(random_state):
 *
 *     t = 1.5 * pi * (1 + 2 * uniform(size=n))
 *     y = 21 * uniform(size=n)
 *     X = [t cos t, y, t sin t] + noise * standard_normal(size=(3, n)).T
 *
 * With hole: true the (t, y) pairs come from eight of nine cells of a grid
 * instead, leaving the middle one empty:
 *
 *     cell = choice(8, n);  (t, y) = corner[cell] + uniform(size=(2, n)) * [pi, 7]
 *
 * The normals are drawn even when noise is 0, as scikit-learn does, so the
 * stream stays aligned. The roll position t travels with every row as the
 * split's per-row value (for colouring: plot.scatter color: value,
 * plot.embedding). Every row lands in the train split; there are no labels. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "latent/stage.h"
#include "math/rng.h"

struct swiss_roll_config {
    int n_samples;
    double noise;
    bool hole;
    int64_t random_state;
};

static const lt_param params[] = {
    LT_INT(struct swiss_roll_config, n_samples, 1000, 1, 100000000, 0, "points to draw"),
    LT_REAL(struct swiss_roll_config, noise, 0.0, 0, 1e9, 0,
            "standard deviation of the gaussian noise added to each coordinate"),
    LT_BOOL(struct swiss_roll_config, hole, false,
            "leave a rectangular hole in the middle of the roll (scikit-learn's hole)"),
    LT_SEED(struct swiss_roll_config, random_state,
            "RandomState seed (null: the pipeline's seed)"),
};

static char **feature_names(void)
{
    static const char *const names[3] = {"x", "y", "z"};
    char **out = calloc(3, sizeof *out);
    for (int j = 0; out && j < 3; j++)
        if (!(out[j] = strdup(names[j]))) {
            while (j--)
                free(out[j]);
            free(out);
            return NULL;
        }
    return out;
}

/* Roll position t[i] and height y[i] of every point. Returns 0, or -1
 * when out of memory. */
static int draw_positions(lt_rng *r, bool hole, size_t n, double *t, double *y)
{
    if (!hole) {
        for (size_t i = 0; i < n; i++)
            t[i] = 1.5 * M_PI * (1 + 2 * lt_rng_uniform(r));
        for (size_t i = 0; i < n; i++)
            y[i] = 21 * lt_rng_uniform(r);
        return 0;
    }
    /* The 3 x 3 grid of (pi (1.5 + a), 7 b) without its middle cell (4). */
    double corner_t[8], corner_y[8];
    for (int c = 0, cell = 0; cell < 9; cell++) {
        if (cell == 4)
            continue;
        corner_t[c] = M_PI * (1.5 + cell / 3);
        corner_y[c] = (double)(cell % 3 * 7);
        c++;
    }
    unsigned char *cell = malloc(n ? n : 1);
    if (!cell)
        return -1;
    for (size_t i = 0; i < n; i++)
        cell[i] = (unsigned char)lt_rng_randint(r, 0, 8);
    for (size_t i = 0; i < n; i++)
        t[i] = corner_t[cell[i]] + lt_rng_uniform(r) * M_PI;
    for (size_t i = 0; i < n; i++)
        y[i] = corner_y[cell[i]] + lt_rng_uniform(r) * 7;
    free(cell);
    return 0;
}

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs,
               int n_inputs, lt_value *outputs)
{
    (void)inputs;
    (void)n_inputs;
    const struct swiss_roll_config *cfg = config;
    size_t n = (size_t)cfg->n_samples;
    uint32_t seed = cfg->random_state < 0 ? lt_ctx_seed(ctx) : (uint32_t)cfg->random_state;
    lt_data *d = lt_data_new();
    lt_mat *x = lt_mat_new(n, 3);
    double *t = malloc(n * sizeof *t), *y = malloc(n * sizeof *y);
    char **names = feature_names();
    lt_rng r;
    lt_rng_seed(&r, seed);
    if (!d || !x || !t || !y || !names || draw_positions(&r, cfg->hole, n, t, y) != 0) {
        free(t);
        free(y);
        if (names)
            for (int j = 0; j < 3; j++)
                free(names[j]);
        free(names);
        lt_mat_free(&x);
        lt_data_free(&d);
        return lt_fail(ctx, LT_ERUNTIME, "out of memory for %zu points", n);
    }
    for (size_t i = 0; i < n; i++) {
        x->v[3 * i] = t[i] * cos(t[i]);
        x->v[3 * i + 1] = y[i];
        x->v[3 * i + 2] = t[i] * sin(t[i]);
    }
    /* standard_normal(size=(3, n)): all noise of x, then of y, then of z. */
    for (size_t c = 0; c < 3; c++)
        for (size_t i = 0; i < n; i++)
            x->v[3 * i + c] += cfg->noise * lt_rng_gauss(&r);
    free(y);
    d->split[LT_TRAIN].x = x;
    d->split[LT_TRAIN].t = t;
    d->n_features = 3;
    d->feature_names = names;
    outputs[0].data = d;
    return LT_OK;
}

static const lt_output outputs_table[] = {
    {"data", LT_DATASET, "the points, with the roll position as per-row value"},
};

const lt_stage_def dataset_swiss_roll_stage = {
    .abi = LT_ABI_VERSION,
    .name = "dataset.swiss_roll",
    .summary = "scikit-learn's make_swiss_roll, with the roll position t as per-row value",
    .params = params,
    .n_params = LT_COUNT(params),
    .config_size = sizeof(struct swiss_roll_config),
    .min_inputs = 0,
    .max_inputs = 0,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .run = run,
};
