/* flatten: a sample's values as one axis, Keras's Flatten. */
#include "nn/layer.h"

static int infer(const void *config, const lt_nn_shape *in, lt_nn_shape *out, lt_diag *d)
{
    (void)config;
    (void)d;
    size_t size = lt_nn_shape_size(in);
    *out = lt_nn_shape_1d(size && size <= 0x7fffffff ? (int)size : LT_NN_UNKNOWN);
    return 0;
}

const lt_layer_kind lt_layer_flatten = {
    .spec = {.name = "flatten", .summary = "the sample's values as one axis: [28, 28] -> [784]"},
    .view = true,
    .infer = infer,
};
