/* repeat_vector: a vector [F] repeated n times as a sequence [n, F],
 * Keras's RepeatVector (how a recurrent decoder unrolls the codings). The
 * gradient of the input is the sum of the copies' gradients. */
#include <stdio.h>
#include <string.h>

#include "nn/layer.h"

struct repeat_vector_config {
    int n;
};

static const lt_param params[] = {
    LT_INT(struct repeat_vector_config, n, 0, 1, 1 << 20, LT_REQUIRED,
           "how many times (time steps) the vector is repeated"),
};

static int infer(const void *config, const lt_nn_shape *in, lt_nn_shape *out, lt_diag *d)
{
    const struct repeat_vector_config *c = config;
    if (in->rank != LT_NN_UNKNOWN && in->rank != 1) {
        char a[64];
        return lt_layer_refuse(d, NULL, "input %s is not a vector [features]",
                               lt_nn_shape_text(in, a, sizeof a));
    }
    *out = lt_nn_shape_2d(c->n, in->rank == 1 ? in->dim[0] : LT_NN_UNKNOWN);
    return 0;
}

static void forward(lt_layer *l, const float *x, float *y, size_t n, bool train)
{
    (void)train;
    const struct repeat_vector_config *c = l->config;
    size_t f = l->in_size, copies = (size_t)c->n;
    for (size_t s = 0; s < n; s++)
        for (size_t k = 0; k < copies; k++)
            memcpy(y + (s * copies + k) * f, x + s * f, f * sizeof *y);
}

static void backward(lt_layer *l, const float *x, const float *y, float *dy, float *dx,
                     size_t n)
{
    (void)x;
    (void)y;
    const struct repeat_vector_config *c = l->config;
    size_t f = l->in_size, copies = (size_t)c->n;
    if (!dx)
        return;
    for (size_t s = 0; s < n; s++) {
        float *d = dx + s * f;
        const float *from = dy + s * copies * f;
        memcpy(d, from, f * sizeof *d);
        for (size_t k = 1; k < copies; k++)
            for (size_t j = 0; j < f; j++)
                d[j] += from[k * f + j];
    }
}

const lt_layer_kind lt_layer_repeat_vector = {
    .spec = {.name = "repeat_vector",
             .summary = "a vector repeated as a sequence: [30] -> [n, 30] (Keras's RepeatVector)",
             .params = params,
             .n_params = LT_COUNT(params),
             .config_size = sizeof(struct repeat_vector_config)},
    .infer = infer,
    .forward = forward,
    .backward = backward,
    .by_rows = lt_layer_always_by_rows,
};
