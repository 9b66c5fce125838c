/* reshape: the sample's values in a new shape, Keras's Reshape. One
 * dimension may be -1: it takes whatever size makes the counts agree. */
#include <math.h>
#include <stdio.h>

#include "nn/layer.h"

struct reshape_config {
    lt_vec shape;
};

static const lt_param params[] = {
    LT_VECTOR(struct reshape_config, shape, LT_REQUIRED,
              "the new per-sample shape, e.g. [28, 28]; one entry may be -1"),
};

/* The target from the config, with a -1 entry left as LT_NN_UNKNOWN and
 * its index in *free_dim (-1 when none). */
static int target_shape(const struct reshape_config *c, lt_nn_shape *t, int *free_dim, lt_diag *d)
{
    if (c->shape.n < 1 || c->shape.n > LT_NN_MAX_RANK) {
        return lt_layer_refuse(d, "shape", "shape has %zu entries; expected 1 to %d", c->shape.n,
                               LT_NN_MAX_RANK);
    }
    *free_dim = -1;
    t->rank = (int)c->shape.n;
    for (size_t i = 0; i < c->shape.n; i++) {
        double v = c->shape.v[i];
        if (v == -1 && *free_dim < 0) {
            *free_dim = (int)i;
            t->dim[i] = LT_NN_UNKNOWN;
        } else if (v >= 1 && v <= 0x7fffffff && v == floor(v)) {
            t->dim[i] = (int)v;
        } else {
            return lt_layer_refuse(d, "shape",
                                   "shape[%zu] is %g; expected an integer >= 1 (or -1 once, for the rest)",
                                   i, v);
        }
    }
    return 0;
}

static int infer(const void *config, const lt_nn_shape *in, lt_nn_shape *out, lt_diag *d)
{
    int free_dim = -1;
    if (target_shape(config, out, &free_dim, d) != 0)
        return -1;
    size_t have = lt_nn_shape_size(in);
    if (!have)
        return 0; /* checked again once the input's shape is known */
    size_t fixed = 1;
    for (int i = 0; i < out->rank; i++)
        if (i != free_dim)
            fixed *= (size_t)out->dim[i];
    char a[64], b[64];
    if (free_dim >= 0 && have % fixed == 0 && have / fixed <= 0x7fffffff) {
        out->dim[free_dim] = (int)(have / fixed);
        return 0;
    }
    if (free_dim < 0 && fixed == have)
        return 0;
    return lt_layer_refuse(d, "shape", "cannot reshape input %s (%zu values) to %s (%s%zu values)",
                           lt_nn_shape_text(in, a, sizeof a), have, lt_nn_shape_text(out, b, sizeof b),
                           free_dim >= 0 ? "a multiple of " : "", fixed);
}

const lt_layer_kind lt_layer_reshape = {
    .spec = {.name = "reshape",
             .summary = "the sample's values in a new shape: [784] -> [28, 28]",
             .params = params,
             .n_params = LT_COUNT(params),
             .config_size = sizeof(struct reshape_config)},
    .view = true,
    .infer = infer,
};
