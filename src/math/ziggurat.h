/* Fast standard normal float32 values from an lt_rng: Marsaglia and Tsang's
 * ziggurat (2000) with 128 strips.
 *
 * lt_rng_gauss reproduces numpy's legacy polar method draw for draw, at the
 * price of two doubles, a logarithm and a square root per pair. Training
 * noise needs no numpy parity, but it needs tens of millions of values per
 * epoch: the ziggurat returns most of them from one 32-bit draw, a table
 * look-up and a multiplication.
 *
 * Each draw splits its 32 bits into the strip (7 bits), the sign (1 bit)
 * and the position along the strip (24 bits, a float's precision), so the
 * strip and the value are independent (the original's shared bits make
 * them correlated). The sequence depends only on the lt_rng's state. */
#ifndef LATENT_MATH_ZIGGURAT_H
#define LATENT_MATH_ZIGGURAT_H

#include <stddef.h>
#include <stdint.h>

#include "math/rng.h"

#define LT_ZIGGURAT_STRIPS 128

/* The strip tables (about 1.5 kB): a plain value, filled once by
 * lt_ziggurat_init and then only read. */
typedef struct lt_ziggurat {
    uint32_t k[LT_ZIGGURAT_STRIPS]; /* positions below k[i] lie under the curve */
    float w[LT_ZIGGURAT_STRIPS];    /* strip i's width over 2^24 */
    float f[LT_ZIGGURAT_STRIPS];    /* the density exp(-x^2/2) at strip i's edge */
} lt_ziggurat;

void lt_ziggurat_init(lt_ziggurat *z);

/* out[0..n) = independent standard normal values drawn from R. */
void lt_ziggurat_fill(const lt_ziggurat *z, lt_rng *r, float *out, size_t n);

#endif
