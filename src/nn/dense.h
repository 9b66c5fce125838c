/* A dense layer's backward pass in its two halves, for a batch shared among
 * threads in two phases (nn/dense_shares.h): the input gradient by rows,
 * each thread its own rows, then the weight gradient by blocks of the
 * kernel's rows, each over the whole batch.
 *
 * N counts samples, as in lt_layer_kind's passes: a layer on a [t, f] input
 * takes n * t rows of f values. */
#ifndef LATENT_NN_DENSE_H
#define LATENT_NN_DENSE_H

#include <stdbool.h>
#include <stddef.h>

#include "nn/layer.h"

/* Whether L is a dense layer. */
bool lt_dense_is(const lt_layer *l);

/* Turns DY = dL/dy of N samples into dL/dz for z = x W + b, given the
 * forward pass's output Y, then sets DX = dL/dz W^T unless DX is NULL. */
void lt_dense_input_grad(const lt_layer *l, const float *y, float *dy, float *dx, size_t n);

/* The kernel's rows [I0, I1) from the input X and DZ = dL/dz of N samples:
 * when SGD_RATE > 0 the step w -= SGD_RATE x^T dz on l->w, otherwise the
 * gradient l->g = x^T dz. Every element is one sum over the N samples in
 * order, so the bits do not depend on how the rows are cut into blocks. */
void lt_dense_kernel_grad(lt_layer *l, const float *x, const float *dz, size_t n, size_t i0,
                          size_t i1, float sgd_rate);

/* The bias's part, as lt_dense_kernel_grad; nothing without a bias. */
void lt_dense_bias_grad(lt_layer *l, const float *dz, size_t n, float sgd_rate);

#endif
