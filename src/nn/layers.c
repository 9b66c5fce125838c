/* The list of layer kinds users can name. */
#include "nn/layer.h"

const lt_spec_def *const lt_layer_kinds[] = {
    &lt_layer_dense.spec,
    &lt_layer_flatten.spec,
    &lt_layer_reshape.spec,
    &lt_layer_gaussian_noise.spec,
    &lt_layer_dropout.spec,
    NULL,
};
