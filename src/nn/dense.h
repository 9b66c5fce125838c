/* A dense layer's passes on one part of its units, for a batch shared
 * among threads by columns (nn/dense_shares.h).
 *
 * The units are in two parts from 32 on, [0, cut) and [cut, units), cut
 * near the middle. The input gradient dL/dx = dz W^T is, on any thread
 * count, the sum over the first part's units plus the sum over the
 * second's: a thread holding one part's columns of W computes its sum
 * without reading the other part's weights, and the two are then added.
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

/* Whether L's activation acts on each value alone (all but softmax), so
 * that its passes can go by parts. */
bool lt_dense_by_parts(const lt_layer *l);

/* How many parts L's units are in: 1 or 2. */
size_t lt_dense_n_parts(const lt_layer *l);

/* Part P's units [*J0, *J1). */
void lt_dense_part(const lt_layer *l, size_t p, size_t *j0, size_t *j1);

/* The floats of part P's weights packed: its columns of every kernel row,
 * then of the bias, each row the part's width. A thread that owns a part
 * keeps it packed while it trains (nn/dense_shares.h), so that no line it
 * writes holds another part's weights. */
size_t lt_dense_part_floats(const lt_layer *l, size_t p);

/* Copies part P's weights from l->w into PACKED, and back. */
void lt_dense_pack(const lt_layer *l, size_t p, float *packed);
void lt_dense_unpack(lt_layer *l, size_t p, const float *packed);

/* Part P's columns of Y = act(X W + b) for N samples, the part's weights
 * read from PACKED (lt_dense_pack's layout), or from l->w when NULL. */
void lt_dense_forward_part(const lt_layer *l, const float *packed, const float *x, float *y,
                           size_t n, size_t p);

/* Part P's columns of DY = dL/dy of N samples become dL/dz for z = x W +
 * b, given the forward pass's input X and output Y; then DX [rows,
 * inputs] (unless NULL) is set to the part's sum of dz W^T; then, when
 * SGD_RATE > 0, the part's weights (in PACKED, or l->w when NULL) take the
 * step w -= SGD_RATE x^T dz, or otherwise l->g's part is set to the
 * gradient x^T dz (PACKED is then NULL). Every weight's gradient is one
 * sum over the N samples in order, and the input gradient reads the
 * weights before they step. */
void lt_dense_backward_part(lt_layer *l, float *packed, const float *x, const float *y, float *dy,
                            float *dx, size_t n, size_t p, float sgd_rate);

#endif
