/* Weight initialisers with Keras's definitions (VarianceScaling family).
 *
 *   glorot_uniform  U(-l, l), l = sqrt(6 / (fan_in + fan_out))  (the default)
 *   glorot_normal   truncated normal, sd = sqrt(2 / (fan_in + fan_out)) / c
 *   he_normal       truncated normal, sd = sqrt(2 / fan_in) / c
 *   lecun_normal    truncated normal, sd = sqrt(1 / fan_in) / c
 *   zeros           0
 * The truncated normals redraw any value beyond two standard deviations,
 * and c = 0.87962566103423978 is the standard deviation of a unit normal
 * truncated at +-2, so the drawn values have the variance the rule asks for
 * (Keras's VarianceScaling does the same). Draws come from numpy's legacy
 * stream (math/rng.h), so they are deterministic given the seed but not the
 * numbers TensorFlow would draw. */
#ifndef LATENT_NN_INIT_H
#define LATENT_NN_INIT_H

#include <stddef.h>

#include "math/rng.h"

typedef enum lt_init {
    LT_INIT_GLOROT_UNIFORM,
    LT_INIT_GLOROT_NORMAL,
    LT_INIT_HE_NORMAL,
    LT_INIT_LECUN_NORMAL,
    LT_INIT_ZEROS,
} lt_init;

/* The names users write, indexed by lt_init, NULL-terminated. */
extern const char *const lt_init_names[];

/* Fills w[0..n) for a weight tensor with the given fans (for a dense
 * kernel: inputs and units; for a convolution: kernel area times input
 * and output channels). */
void lt_init_fill(lt_init init, float *w, size_t n, size_t fan_in, size_t fan_out, lt_rng *rng);

#endif
