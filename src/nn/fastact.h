/* Sigmoid and tanh over float arrays, written so that the compiler
 * vectorises them.
 *
 * The recurrent layers apply five of these per unit and time step, which
 * with libm's expf and tanhf costs about as much as their matrix products.
 * These kernels take e^x from a range reduction x = k ln2 + r and a degree-7
 * polynomial for e^r (Cephes's coefficients), and tanh near 0 from an odd
 * polynomial; both stay within 3 ulp of the exact values (the unit tests
 * measure it). Every branch is an integer select, which compilers turn
 * into vector code without -ffast-math. NaN stays NaN; infinities saturate
 * to 0, 1 (sigmoid) and -1, 1 (tanh). */
#ifndef LATENT_NN_FASTACT_H
#define LATENT_NN_FASTACT_H

#include <stddef.h>

#include "nn/activation.h"

/* v = 1 / (1 + e^-v) in place. */
void lt_fast_sigmoid(float *v, size_t n);
/* v = tanh(v) in place. */
void lt_fast_tanh(float *v, size_t n);

/* ACT applied in place to the n values of one row: sigmoid and tanh by the
 * kernels above, the others by lt_act_forward (softmax over the row). */
void lt_act_row(lt_act act, float *v, size_t n);
/* ACT applied to GATES consecutive gates of U values each (a recurrent
 * cell's gates that share an activation): in one call, except for softmax,
 * which normalises each gate alone. */
void lt_act_gates(lt_act act, float *v, size_t gates, size_t u);

#endif
