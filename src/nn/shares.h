/* One training batch shared among the threads by rows (data parallelism
 * inside the process).
 *
 * A dense layer alone, at batch 32, is too small a job to split well: its
 * blocks (nn/layer_dense.c) take tens of microseconds, and a batch of a
 * four-layer network then costs a dozen fork/joins among the threads.
 * Here each of T threads takes its share of the batch's rows through the
 * whole network instead, forward, loss and backward, on its own copy of
 * the activations and gradient (lt_net_replica) and with one-thread
 * products; the T gradients are then added up in share order, so the
 * result depends on the thread count but not on which thread ran which
 * share. Two fork/joins per batch instead of a dozen.
 *
 * The recurrent layers gain most: their per-step products are a single
 * thread's work at any batch size, so unshared the second core idles.
 *
 * It applies to networks whose layers are all views or kinds that declare
 * by_rows (dense, the convolutional and pooling layers, lstm, gru,
 * repeat_vector, time_distributed of such a kind), after every layer that
 * draws random numbers (noise, dropout on the input): those leading layers
 * run first on the whole batch on the calling thread, from the network's
 * own stream, just as without shares.
 *
 * A network of dense layers (and views) goes without replicas, by
 * columns (nn/dense_shares.h): each thread takes a part of every layer's
 * units for the whole batch, and its numbers do not depend on the thread
 * count. */
#ifndef LATENT_NN_SHARES_H
#define LATENT_NN_SHARES_H

#include <stdbool.h>
#include <stddef.h>

#include "nn/dense_shares.h"
#include "nn/loss.h"
#include "nn/net.h"

/* Fewer rows than this per share, and a share's products are too small for
 * the split to pay off: batches are then not shared. */
#define LT_SHARES_MIN_ROWS 8

typedef struct lt_shares {
    lt_net *net;          /* borrowed: share 0 runs on it */
    size_t split;         /* layers [0, split) run on the whole batch */
    size_t n_shares;      /* the thread count */
    lt_net *replicas;     /* n_shares - 1, for shares 1, 2, ...; owned; NULL when dense */
    lt_dense_shares dense; /* a dense network's columns (dense.block set) */
    double *loss;         /* [share]: its loss sum */
    double *metric;       /* [share * n_metrics + k]: its metric sums */
} lt_shares;

/* Sets up S for training NET on THREADS threads with N_METRICS metrics.
 * Returns 1 when the batch is shared (S owns buffers: lt_shares_free), 0
 * when it is not worth it or NET's layers do not fit (S is then empty and
 * training goes on unshared), or -1 when out of memory. */
int lt_shares_init(lt_shares *s, lt_net *net, int threads, size_t n_metrics);
void lt_shares_free(lt_shares *s);

/* One batch: the ROWS samples X (also the targets: net->in_size floats
 * each) forward and backward, each share's loss scaled by 1 / COUNT (the
 * batch's output values) with its gradient. Returns the batch's loss sum
 * and adds the batch's metric sums to SUMS; net->g is then the batch's
 * gradient, or, when SGD_RATE > 0, net->w has already taken the step
 * w -= SGD_RATE g. A batch whose loss is NaN or infinite takes no step
 * and leaves net->g undefined. */
double lt_shares_batch(lt_shares *s, const float *x, size_t rows, lt_loss loss,
                       const lt_spec *metrics, size_t n_metrics, double *sums, float sgd_rate);

/* Makes net->w hold the weights after the batches so far: due before
 * anything but lt_shares_batch reads or writes them (an epoch's end). */
void lt_shares_sync(lt_shares *s);

/* Announces the batch after the next lt_shares_batch's: its ROWS samples
 * X (borrowed until its own lt_shares_batch, which must be the call after
 * next). A dense network then runs its leading layers (noise, dropout)
 * for it during the coming batch (nn/dense_shares.h); other networks
 * ignore it. Never across an epoch's end: the shuffle draws between. */
void lt_shares_ahead(lt_shares *s, const float *x, size_t rows);

/* The parts every way of sharing a batch uses (the VAE's too,
 * nn/vae_shares.h). */

/* Whether layer L may run in a share: a dense layer, or a view. */
bool lt_shares_layer_fits(const lt_layer *l);

/* N_SHARES - 1 replicas of NET (lt_net_replica) at BATCH samples, for
 * shares 1, 2, ...; NULL when out of memory. Owned by the caller:
 * lt_shares_replicas_free. */
lt_net *lt_shares_replicas(const lt_net *net, size_t n_shares, size_t batch);
void lt_shares_replicas_free(lt_net *replicas, size_t n_shares);

/* Adds the gradients of REPLICAS (N_SHARES - 1 of them) into net->g in
 * share order, in blocks of weights over the threads; when SGD_RATE > 0,
 * net->w also takes the step w -= SGD_RATE g. */
void lt_shares_add_gradients(lt_net *net, lt_net *replicas, size_t n_shares, float sgd_rate);

#endif
