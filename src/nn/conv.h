/* What conv2d and conv2d_transpose share: Keras's parameters for both
 * (filters, kernel_size, strides, padding, activation, use_bias,
 * kernel_initializer) in one config struct and one set of table rows, and
 * the way a pass goes through the batch: blocks of samples shared among
 * the threads, each block adding its own share of the weights' gradient,
 * the shares summed in block order so that the numbers do not depend on
 * the thread count. The layers differ in what strides and padding do to
 * the output's size, so those rows take their help from the layer. */
#ifndef LATENT_NN_CONV_H
#define LATENT_NN_CONV_H

#include <stdbool.h>

#include "latent/stage.h"
#include "nn/activation.h"
#include "nn/init.h"
#include "nn/layer.h"
#include "nn/patches.h"

typedef struct lt_conv_config {
    int filters;
    int kernel_size;
    int strides;
    int padding; /* index into lt_padding_names */
    int activation;
    bool use_bias;
    int kernel_initializer;
} lt_conv_config;

#define LT_CONV_PARAMS(STRIDES_HELP, PADDING_HELP, ACTIVATION_HELP)                     \
    LT_INT(lt_conv_config, filters, 0, 1, 1 << 16, LT_REQUIRED, "output channels"),        \
    LT_INT(lt_conv_config, kernel_size, 0, 1, 1 << 10, LT_REQUIRED,                      \
           "height and width of the square kernel"),                                     \
    LT_INT(lt_conv_config, strides, 1, 1, 1 << 10, 0, STRIDES_HELP),                     \
    LT_CHOICE(lt_conv_config, padding, "valid", lt_padding_names, PADDING_HELP),         \
    LT_CHOICE(lt_conv_config, activation, "linear", lt_act_names, ACTIVATION_HELP),      \
    LT_BOOL(lt_conv_config, use_bias, true, "add a bias per filter (initialised to zero)"), \
    LT_CHOICE(lt_conv_config, kernel_initializer, "glorot_uniform", lt_init_names,       \
              "how the kernel's weights are drawn")

/* One pass's work, split into blocks of `chunk` samples. */
typedef struct lt_conv_pass {
    lt_layer *l;
    lt_patches p;
    size_t n, chunk;
    size_t channels, filters; /* the input's channels, the layer's filters */
    size_t len;               /* the patch matrix's width */
    size_t grid, pixels;      /* patch positions and image pixels per sample */
    const float *x, *y;
    float *out, *dy, *dx;
} lt_conv_pass;

/* A pass over n samples with patch geometry P and patch width LEN. */
lt_conv_pass lt_conv_pass_of(lt_layer *l, lt_patches p, size_t len, size_t n);
/* Block B's first sample; its sample count goes to *m. */
size_t lt_conv_block(const lt_conv_pass *a, size_t b, size_t *m);
/* Block B's share of the weights' gradient: l->n_weights floats of the
 * scratch, after every sample's patches. */
float *lt_conv_share(const lt_conv_pass *a, size_t b);
/* Runs BLOCK(a, b) for every block, on the network's threads. */
void lt_conv_run(lt_conv_pass *a, void (*block)(void *pass, size_t b));
/* The same, then l->g = the sum of the blocks' shares, in block order. */
void lt_conv_run_backward(lt_conv_pass *a, void (*block)(void *pass, size_t b));

#endif
