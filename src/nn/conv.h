/* What conv2d and conv2d_transpose share: Keras's parameters for both
 * (filters, kernel_size, strides, padding, activation, use_bias,
 * kernel_initializer) in one config struct and one set of table rows. The
 * layers differ in what strides and padding do to the output's size, so
 * those rows take their help from the layer. */
#ifndef LATENT_NN_CONV_H
#define LATENT_NN_CONV_H

#include <stdbool.h>

#include "latent/stage.h"
#include "nn/activation.h"
#include "nn/init.h"
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
    {.name = "filters", .help = "output channels",                                       \
     .offset = LT_FIELD(lt_conv_config, filters, int), .type = LT_P_INT,                 \
     .flags = LT_REQUIRED, .min = 1, .max = 1 << 16},                                    \
    {.name = "kernel_size", .help = "height and width of the square kernel",             \
     .offset = LT_FIELD(lt_conv_config, kernel_size, int), .type = LT_P_INT,             \
     .flags = LT_REQUIRED, .min = 1, .max = 1 << 10},                                    \
    LT_INT(lt_conv_config, strides, 1, 1, 1 << 10, STRIDES_HELP),                        \
    LT_CHOICE(lt_conv_config, padding, "valid", lt_padding_names, PADDING_HELP),         \
    LT_CHOICE(lt_conv_config, activation, "linear", lt_act_names, ACTIVATION_HELP),      \
    LT_BOOL(lt_conv_config, use_bias, true, "add a bias per filter (initialised to zero)"), \
    LT_CHOICE(lt_conv_config, kernel_initializer, "glorot_uniform", lt_init_names,       \
              "how the kernel's weights are drawn")

#endif
