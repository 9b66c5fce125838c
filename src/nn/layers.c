/* The list of layer kinds users can name. */
#include "nn/layer.h"

const lt_spec_def *const lt_layer_kinds[] = {
    &lt_layer_dense.spec,
    &lt_layer_flatten.spec,
    &lt_layer_reshape.spec,
    &lt_layer_gaussian_noise.spec,
    &lt_layer_dropout.spec,
    &lt_layer_conv2d.spec,
    &lt_layer_maxpool2d.spec,
    &lt_layer_upsampling2d.spec,
    &lt_layer_conv2d_transpose.spec,
    &lt_layer_lstm.spec,
    &lt_layer_gru.spec,
    &lt_layer_repeat_vector.spec,
    &lt_layer_time_distributed.spec,
    NULL,
};

int lt_layer_same_shape(const void *config, const lt_nn_shape *in, lt_nn_shape *out,
                        char *err, size_t err_size)
{
    (void)config;
    (void)err;
    (void)err_size;
    *out = *in;
    return 0;
}
