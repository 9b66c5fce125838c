/* The list of layer kinds users can name. */
#include "nn/layer.h"

#include <stdarg.h>
#include <stdio.h>

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

int lt_layer_same_shape(const void *config, const lt_nn_shape *in, lt_nn_shape *out, lt_diag *d)
{
    (void)config;
    (void)d;
    *out = *in;
    return 0;
}

int lt_layer_refuse(lt_diag *d, const char *param, const char *fmt, ...)
{
    if (!d)
        return -1;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    lt_diag_report(d, LT_SEV_ERROR, (lt_diag_at){.code = lt_code_param_value, .path = param}, "%s", text);
    return -1;
}

bool lt_layer_always_by_rows(const lt_layer *l)
{
    (void)l;
    return true;
}
