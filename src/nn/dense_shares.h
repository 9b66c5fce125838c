/* A shared batch (nn/shares.h) of a network of dense layers, by columns:
 * each thread takes a part of every layer's units, for the whole batch.
 *
 * A dense layer's units are in one or two parts (nn/dense.h), and each of
 * its passes is one pool job whose block p is part p:
 * - forward, a layer at a time: part p's columns of the layer's output,
 *   for all the batch's rows; the last layer's parts also take the loss's
 *   terms and gradient on their columns;
 * - backward, a layer at a time from the top: part p's columns of dL/dy
 *   become dL/dz, the part's sum of dz W^T goes below (the first part's
 *   into the layer below's dL/dy, the second's into a buffer that the
 *   layer below's parts add in), and the part's columns of the kernel and
 *   the bias take their step.
 *
 * Why by columns and not by rows: a thread then reads and writes only its
 * parts' weights, which stay in its core's caches from batch to batch,
 * and only activations and input gradients (some tens of kilobytes a
 * batch) pass between the cores. Shared by rows, both threads read all of
 * W every batch and each wrote half of it; on a processor whose cores
 * hand each other a written line in some 50 ns (Intel's mesh), moving the
 * weights cost as much as the products, and two threads were slower than
 * one.
 *
 * With plain SGD, each part's weights are also kept packed while an epoch
 * runs (lt_dense_pack), each part on pages of its own: in Keras's layout a
 * kernel row holds both parts' columns, so lines (and the pairs of lines
 * the processor fetches together) at the parts' border would be written
 * by both threads. lt_dense_shares_sync puts them back into l->w.
 *
 * Every value is the one-thread pass's: each product's element is the same
 * sum whichever thread computes it, and the input gradient is the two
 * parts' sums added on any thread count (nn/dense.h). The parts write
 * the loss's terms, which are then summed as on one thread, and so are
 * the metrics.
 *
 * The layers ahead of the dense ones (noise, dropout) draw from the
 * network's stream, so they run on one thread; when the trainer announces
 * the next batch (lt_dense_shares_ahead), they run for it beside the first
 * dense layer's weight steps, which they neither read nor write: the
 * stream is drawn in the same order, batch after batch. */
#ifndef LATENT_NN_DENSE_SHARES_H
#define LATENT_NN_DENSE_SHARES_H

#include <stdbool.h>
#include <stddef.h>

#include "nn/loss.h"
#include "nn/metric.h"
#include "nn/net.h"

typedef struct lt_dense_shares {
    size_t first, last; /* the first and the last dense layer */
    size_t n_metrics;
    float *block;       /* owned: the dense layers' dL/dy, batch rows each */
    float **dy;         /* owned, [layer]: where dL/d(its output) lies for the whole
                         * batch (a view's is the layer's below; NULL below first) */
    const float **x;    /* owned, [layer]: a dense layer's input for the whole batch,
                         * for those above first (first's is the batch's) */
    float *second[2];   /* owned: second parts' sums of dz W^T, for every other dense
                         * layer, batch * the widest dense input each */
    float **packed;     /* owned, [2 * layer + part]: a part's packed weights, for
                         * plain SGD (NULL otherwise, and for views) */
    bool in_packed;     /* the packed copies hold the weights, not l->w */
    float *terms;       /* owned: the batch's loss terms, batch * the output's size */
    bool finite[2];     /* whether each part's terms are all finite */
    double loss_sum;    /* the batch's loss, summed beside the backward pass */
    double *metric;     /* owned, [n_metrics]: the batch's metric sums, likewise */
    /* Running the leading layers a batch ahead (split > 0 only): */
    float *early[2];   /* owned: their output for two batches, the coming one's and
                        * the next's, batch * layer split's in_size each */
    int cur;           /* early[cur] is the coming batch's, */
    size_t ready;      /* for its `ready` rows (0: not run yet) */
    const float *next; /* borrowed: the batch announced after the coming one */
    size_t next_rows;
} lt_dense_shares;

/* Whether layers [SPLIT, n) of NET are all dense layers that go by parts
 * (nn/dense.h) or views, with a dense one among them. */
bool lt_dense_shares_fit(const lt_net *net, size_t split);

/* Sets up D for NET's batches from layer SPLIT on, with N_METRICS
 * metrics; returns 0, or -1 when out of memory (D then needs
 * lt_dense_shares_free all the same). */
int lt_dense_shares_init(lt_dense_shares *d, const lt_net *net, size_t split, size_t n_metrics);
void lt_dense_shares_free(lt_dense_shares *d);

/* Announces the batch after the coming one: its ROWS samples X (borrowed
 * until that batch's lt_shares_batch), whose leading layers then run during
 * the coming batch's backward pass. The call after the coming one must be
 * for X. */
void lt_dense_shares_ahead(lt_dense_shares *d, const float *x, size_t rows);

/* Puts the weights back into the network's own, where they are read
 * between batches (evaluation, an optimizer's step, a saved copy): at an
 * epoch's end. */
void lt_dense_shares_sync(lt_dense_shares *d, lt_net *net);

/* One batch of ROWS samples X (also the targets), from layer SPLIT's input
 * on, over the threads: the loss scaled by 1 / its output values, with
 * its gradient, the METRICS' sums added to SUMS, and the weight gradients
 * into net->g, or when SGD_RATE > 0 the step w -= SGD_RATE g on net->w
 * instead. Returns the loss sum; one that is not finite is returned
 * before any weight changes. */
double lt_dense_shares_batch(lt_dense_shares *d, lt_net *net, const float *x, size_t rows,
                             size_t split, lt_loss loss, const lt_spec *metrics, double *sums,
                             float sgd_rate);

#endif
