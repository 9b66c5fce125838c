/* Training and evaluating a variational autoencoder: a network whose layer
 * `latent` is a vae_latent (nn/vae_latent.h), trained to reproduce its
 * input with the loss
 *
 *   loss = reconstruction + kl_weight * kl
 *
 * in one of two scales (lt_vae_reduction):
 *   mean  Keras's and Geron's (Hands-on ML ch. 17): reconstruction is the
 *         per-value mean loss (binary cross-entropy or squared error) over
 *         the batch, kl the batch's mean KL divided by the values per
 *         sample (784 for Fashion-MNIST: `K.mean(latent_loss) / 784.`);
 *   sum   nats per image, as the Keras VAE example and PyTorch's (which
 *         sums over the batch too; per image here, so the numbers do not
 *         depend on the batch size): reconstruction is the sum over a
 *         sample's values, kl its KL, both averaged over the batch.
 * reconstruction_loss and kl_loss are reported in the loss's own scale, so
 * loss = reconstruction_loss + kl_weight * kl_loss.
 *
 * As lt_train: a fresh permutation from net->rng every epoch (when
 * shuffling), running means over the epoch's batches weighted by their
 * size, taken before each batch's update; validation after each epoch.
 * eps is drawn from net->rng in training and evaluation (the loss is the
 * ELBO's one-sample estimate, as Keras and PyTorch compute it). */
#ifndef LATENT_NN_VAE_TRAIN_H
#define LATENT_NN_VAE_TRAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "nn/loss.h"
#include "nn/net.h"
#include "nn/optim.h"
#include "nn/progress.h"
#include "nn/vae_shares.h"

typedef enum lt_vae_reduction { LT_VAE_MEAN, LT_VAE_SUM } lt_vae_reduction;

/* "mean", "sum", NULL-terminated. */
extern const char *const lt_vae_reduction_names[];

typedef struct lt_vae_config {
    int epochs;
    bool shuffle;
    lt_loss loss;
    lt_vae_reduction reduction;
    double kl_weight;
    size_t latent;  /* index of the vae_latent layer in the network */
    /* Synchronous data parallelism over SIZE processes (an MPI run's ranks),
     * each holding every row, as lt_train_config's: process RANK takes its
     * share of each batch, every process draws the whole batch's eps (so
     * that each sample gets the one a single process would give it), and
     * SUM (lt_dist_sum) adds the gradients and loss sums. NULL: alone. */
    int (*sum)(double *v, size_t n);
    int rank, size;
} lt_vae_config;

/* A loss and its two parts, in the loss's scale. */
typedef struct lt_vae_losses {
    double loss, reconstruction, kl;
} lt_vae_losses;

/* What happened, epoch by epoch ([epoch], `epochs` filled). Owned:
 * lt_vae_history_free. */
typedef struct lt_vae_history {
    int epochs;
    bool has_valid;
    lt_vae_losses *train, *valid;
    int bad_epoch;      /* where the loss became NaN or infinite */
    size_t bad_batch;   /* 1-based, or 0 */
    double bad_loss;
} lt_vae_history;

/* The final evaluation of a split. */
typedef struct lt_vae_eval {
    lt_vae_losses losses;
    double elbo_nats;        /* mean over the samples of the ELBO, nats per sample */
    double rounded_accuracy; /* BCE only: share of values with round(t) == round(p) */
} lt_vae_eval;

enum { LT_VAE_OK = 0, LT_VAE_NONFINITE = 1, LT_VAE_ENOMEM = 2 };

/* One training step on the n samples x (n <= net->batch): forward (eps as
 * the latent layer's eps_mode says), loss, backward and the optimiser's
 * step. *out gets the batch's losses, computed before the update. Returns
 * LT_VAE_OK, or LT_VAE_NONFINITE (weights untouched) when the loss is NaN
 * or infinite. */
int lt_vae_step(lt_net *net, lt_optim *opt, const lt_vae_config *cfg, const float *x, size_t n,
                lt_vae_losses *out);

/* lt_vae_step with the batch shared among the threads of VS
 * (nn/vae_shares.h): each sample gets the eps it gets from lt_vae_step,
 * and only the order of the gradient's sum differs. VS NULL (the network
 * not shared): lt_vae_step itself. */
int lt_vae_shares_step(lt_net *net, lt_optim *opt, const lt_vae_config *cfg, const float *x,
                       size_t n, lt_vae_shares *vs, lt_vae_losses *out);

/* Trains NET with OPT on the n rows of x, validating on the vn rows of vx
 * (vn may be 0) after each epoch. Fills *h (also on failure). Returns
 * LT_VAE_OK, LT_VAE_NONFINITE (h->bad_* tell where) or LT_VAE_ENOMEM. */
int lt_vae_train(lt_net *net, lt_optim *opt, const lt_vae_config *cfg, const float *x, size_t n,
                 const float *vx, size_t vn, lt_progress *progress, lt_vae_history *h);

/* Evaluates the n rows of x batch by batch (eps drawn as in training). */
void lt_vae_evaluate(lt_net *net, const lt_vae_config *cfg, const float *x, size_t n,
                     lt_vae_eval *out);

void lt_vae_history_free(lt_vae_history *h);

#endif
