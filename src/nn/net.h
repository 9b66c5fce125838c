/* A network: a chain of layers with every buffer allocated once.
 *
 * lt_net_build infers each layer's shape from the one before (stopping at
 * the first layer that cannot take its input), plans and allocates the
 * weights, their gradients and every activation, cache and scratch buffer
 * for batches of up to `batch` samples, and initialises the weights. After
 * that no pass allocates. A built network must not be moved (its layers
 * point into it). */
#ifndef LATENT_NN_NET_H
#define LATENT_NN_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "math/rng.h"
#include "nn/layer.h"

typedef struct lt_net {
    size_t n_layers;
    lt_layer *layers;       /* owned */
    lt_nn_shape in;         /* the input's per-sample shape */
    size_t in_size;
    size_t batch;           /* the most samples one pass takes */
    size_t n_weights;
    float *w, *g;           /* every layer's weights (layer by layer) and gradient */
    const float **act;      /* act[0]: the pass's input; act[i + 1]: layer i's output */
    float **out;            /* out[i]: layer i's own output buffer (NULL for a view) */
    float *grad[2];         /* dL/d(activation), alternating through the layers */
    lt_rng rng;             /* training-time randomness (dropout, noise) */
    void *block;            /* one allocation behind all activation buffers */
} lt_net;

/* Infers the shapes through SPECS[0..n) from IN: shapes[0] = IN and
 * shapes[i + 1] the output of layer i (shapes has n + 1 entries). On a
 * layer that cannot take its input, returns -1 with its index in *bad and
 * the reason recorded in D (one problem, its path relative to the layer;
 * D may be NULL); otherwise 0. */
int lt_net_infer(const lt_spec *specs, size_t n, const lt_nn_shape *in, lt_nn_shape *shapes,
                 size_t *bad, lt_diag *d);

enum { LT_NET_OK = 0, LT_NET_ESHAPE = -1, LT_NET_ENOMEM = -2 };

/* Builds NET from the layer specs (borrowed: they must outlive NET) for
 * samples of the known shape IN and batches of up to BATCH samples; draws
 * the initial weights from a stream seeded with SEED (the training-time
 * stream is seeded from it too). Returns LT_NET_OK; LT_NET_ESHAPE with the
 * layer in *bad and the reason recorded in D, as lt_net_infer; or
 * LT_NET_ENOMEM (nothing recorded). On failure NET is
 * left empty (lt_net_free is still safe). */
int lt_net_build(lt_net *net, const lt_spec *specs, size_t n, const lt_nn_shape *in,
                 size_t batch, uint32_t seed, size_t *bad, lt_diag *d);
void lt_net_free(lt_net *net);

/* Builds R, a replica of the built NET for batches of up to BATCH samples:
 * the same layers on NET's weights (borrowed: NET must outlive R), with
 * R's own activations, caches, scratch and gradient (R->g; R->w is NULL).
 * For running a share of NET's batch on another thread: only layers whose
 * kind keeps no state (l->state) may run in R, and R's layers draw from
 * R's own (unseeded) stream. Returns LT_NET_OK or LT_NET_ENOMEM (R is then
 * left empty). Freed with lt_net_replica_free, never lt_net_free. */
int lt_net_replica(lt_net *r, const lt_net *net, size_t batch);
void lt_net_replica_free(lt_net *r);

/* Runs layers [0, upto) on the n samples x (n <= batch, x borrowed until
 * the next pass) and returns layer upto - 1's output (or x when upto is 0),
 * borrowed from the network until the next pass. */
const float *lt_net_forward(lt_net *net, const float *x, size_t n, size_t upto, bool train);

/* Runs layers [from, to) on the n samples x, which have layer from's input
 * shape; returns layer to - 1's output (x when from == to), borrowed as
 * above. */
const float *lt_net_forward_range(lt_net *net, const float *x, size_t n, size_t from, size_t to,
                                  bool train);

/* Where the caller writes dL/dy of the last layer's output before
 * lt_net_backward (batch * last layer's out_size floats). */
float *lt_net_output_grad(lt_net *net);

/* Backpropagates through every layer after a full training forward pass of
 * n samples, setting net->g to dL/dw, and dx (n * in_size floats) to dL/dx
 * when dx is not NULL (training needs no input gradient; checks do). */
void lt_net_backward(lt_net *net, size_t n, float *dx);

#endif
