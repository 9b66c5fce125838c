/* A shared batch (nn/shares.h) of a network of dense layers, in two phases
 * and without replicas.
 *
 * Phase 1, each share its rows: forward through the dense layers, the
 * loss, and backward the chain of dL/dz and dz W^T only, every layer's
 * activations and dz kept as the share's rows of whole-batch buffers (the
 * network's outputs and dz here).
 * Phase 2, blocks of kernel rows of every layer: x^T dz over the whole
 * batch, and the bias's sums, taking plain SGD's step right there.
 *
 * Each weight's gradient is then one sum over the batch's rows in order:
 * no replica gradients to add up, products of the whole batch (32 rows,
 * not a share's 16) and the same bits as the unshared pass on one thread,
 * whatever the thread count.
 *
 * The layers ahead of the shares (noise, dropout) draw from the network's
 * stream, so they run on one thread; when the trainer announces the next
 * batch (lt_dense_shares_ahead), they run for it during phase 2, beside
 * the weight blocks, which they neither read nor write: the stream is
 * drawn in the same order, batch after batch, and the other thread does
 * not wait for the draws. */
#ifndef LATENT_NN_DENSE_SHARES_H
#define LATENT_NN_DENSE_SHARES_H

#include <stdbool.h>
#include <stddef.h>

#include "nn/net.h"

/* Phase 2's unit of work: the kernel rows [i0, i1) of a layer, and its
 * bias along with the first rows. */
typedef struct lt_dense_block {
    size_t layer, i0, i1;
} lt_dense_block;

typedef struct lt_dense_shares {
    size_t first;           /* the first dense layer */
    float *block;           /* owned: the dense layers' dz, batch rows each */
    float **dy;             /* owned, [layer]: where dL/d(its output) lies for the whole
                             * batch (a view's is the layer's below; NULL below first) */
    const float **x;        /* owned, [layer]: a dense layer's input for the whole batch,
                             * for those above first (first's is the batch's) */
    lt_dense_block *blocks; /* owned: phase 2's, fixed by the shapes */
    size_t n_blocks;
    /* Running the leading layers a batch ahead (split > 0 only): */
    float *early[2];   /* owned: their output for two batches, the coming one's and
                        * the next's, batch * layer split's in_size each */
    int cur;           /* early[cur] is the coming batch's, */
    size_t ready;      /* for its `ready` rows (0: not run yet) */
    const float *next; /* borrowed: the batch announced after the coming one */
    size_t next_rows;
} lt_dense_shares;

/* Whether layers [SPLIT, n) of NET are all dense or views, with a dense
 * one among them. */
bool lt_dense_shares_fit(const lt_net *net, size_t split);

/* Sets up D for NET's batches from layer SPLIT on; returns 0, or -1 when
 * out of memory (D then needs lt_dense_shares_free all the same). */
int lt_dense_shares_init(lt_dense_shares *d, const lt_net *net, size_t split);
void lt_dense_shares_free(lt_dense_shares *d);

/* Announces the batch after the coming one: its ROWS samples X (borrowed
 * until that batch's lt_shares_batch), whose leading layers then run during
 * the coming batch's phase 2. The call after the coming one must be for X. */
void lt_dense_shares_ahead(lt_dense_shares *d, const float *x, size_t rows);

/* Layer split's input for the coming batch X of ROWS samples: the leading
 * layers' output, run now or already ahead. */
const float *lt_dense_shares_leading(lt_dense_shares *d, lt_net *net, const float *x, size_t rows,
                                     size_t split);

/* Phase 1's forward for a share: rows [LO, LO + ROWS) of IN (layer split's
 * input for the whole batch) through layers [split, n), into the
 * network's output buffers. Returns the share's output rows. */
const float *lt_dense_shares_forward(lt_net *net, const float *in, size_t split, size_t lo,
                                     size_t rows);

/* Where the share from row LO writes dL/dy of the network's output. */
float *lt_dense_shares_output_grad(const lt_dense_shares *d, const lt_net *net, size_t lo);

/* Phase 1's backward for the share: its rows of every dense layer's dz
 * and of dz W^T below it, from the output gradient. */
void lt_dense_shares_backward(const lt_dense_shares *d, lt_net *net, size_t lo, size_t rows);

/* Phase 2 over the threads, once every share's phase 1 is done, for the
 * ROWS samples of the batch whose layer split input was IN: the weight
 * gradients into net->g, or when SGD_RATE > 0 the step w -= SGD_RATE g on
 * net->w instead; and the announced batch's leading layers [0, SPLIT). */
void lt_dense_shares_step(lt_dense_shares *d, lt_net *net, const float *in, size_t rows,
                          size_t split, float sgd_rate);

#endif
