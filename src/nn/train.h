/* Fitting a network as an autoencoder (targets = inputs) with minibatch
 * gradient descent, Keras's fit(): shuffle every epoch, running means of
 * the loss and metrics over the epoch's batches (taken before each batch's
 * update, weighted by the batch's size), validation after each epoch, and
 * optional early stopping on the validation loss (the training loss when
 * there is no validation set).
 *
 * Everything the batch loop touches is allocated before it starts. */
#ifndef LATENT_NN_TRAIN_H
#define LATENT_NN_TRAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "nn/loss.h"
#include "nn/net.h"
#include "nn/optim.h"
#include "nn/progress.h"

typedef struct lt_train_config {
    int epochs;
    bool shuffle;           /* a fresh permutation from net->rng every epoch */
    int patience;           /* stop after this many epochs without a better
                               monitored loss; 0: never stop early */
    bool restore_best;      /* end with the weights of the best epoch */
    lt_loss loss;
    const lt_spec *metrics; /* n_metrics items of lt_metric_kind, borrowed */
    size_t n_metrics;
    /* Synchronous data parallelism over SIZE processes (an MPI run's ranks),
     * each holding every row: process RANK takes its share of each batch
     * and SUM (lt_dist_sum) adds the gradients, losses and metric sums over
     * the processes, so that every one takes the same step. NULL: alone. */
    int (*sum)(double *v, size_t n);
    int rank, size;
} lt_train_config;

/* What happened, epoch by epoch. Arrays have room for the configured
 * epochs; `epochs` of them are filled. Owned: lt_history_free. */
typedef struct lt_history {
    int epochs;           /* epochs run */
    int best_epoch;       /* 1-based epoch of the best monitored loss */
    int final_epoch;      /* the epoch whose weights the network ends with */
    bool stopped_early;
    bool has_valid;
    size_t n_metrics, capacity;
    double *loss, *val_loss;     /* [epoch] */
    double *metric, *val_metric; /* [k * capacity + epoch] for metric k */
    int bad_epoch;               /* where the loss became NaN or infinite */
    size_t bad_batch;            /* 1-based, or 0 */
    double bad_loss;             /* the loss there: NaN or infinite */
} lt_history;

enum { LT_TRAIN_OK = 0, LT_TRAIN_NONFINITE = 1, LT_TRAIN_ENOMEM = 2 };

/* Trains NET with OPT on the n rows of x (net->in_size floats each),
 * validating on the vn rows of vx after each epoch (vn may be 0). Fills
 * *h (also on failure, up to the failing epoch). Returns LT_TRAIN_OK;
 * LT_TRAIN_NONFINITE when a batch's loss is NaN or infinite (h->bad_epoch,
 * h->bad_batch tell where; training stops there); or LT_TRAIN_ENOMEM. */
int lt_train(lt_net *net, lt_optim *opt, const lt_train_config *cfg, const float *x, size_t n,
             const float *vx, size_t vn, lt_progress *progress, lt_history *h);

void lt_history_free(lt_history *h);

#endif
