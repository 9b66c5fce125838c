/* A VAE's training batch shared among the threads by rows, as nn/shares.h
 * does for the autoencoder: each of T threads takes its share of the
 * batch's rows through the whole network (forward, loss, KL, backward) on
 * its own copy of the activations and gradient, with one-thread products,
 * and the T gradients are added in share order. The batch's eps is drawn
 * first, on the calling thread, from the network's stream in the order one
 * thread draws it unshared, so every sample gets the eps it would get
 * alone: the thread count changes only the order of the gradient's sum.
 *
 * It applies when every layer but the vae_latent is a view or a kind that
 * declares by_rows (nn/layer.h: dense, conv, pooling, recurrent), so that
 * no other layer draws random numbers. */
#ifndef LATENT_NN_VAE_SHARES_H
#define LATENT_NN_VAE_SHARES_H

#include <stdbool.h>
#include <stddef.h>

#include "nn/loss.h"
#include "nn/net.h"
#include "nn/vae_latent.h"

typedef struct lt_vae_shares {
    lt_net *net;            /* borrowed: share 0 runs on it */
    size_t latent;          /* the vae_latent layer's index */
    size_t n_shares;        /* the thread count */
    lt_net *replicas;       /* n_shares - 1, for shares 1, 2, ...; owned */
    lt_vae_latent *states;  /* the replicas' latent states; owned */
    float *eps;             /* the batch's eps: batch * latent_dim; owned */
    double *recon, *kl;     /* [share]: its reconstruction and KL sums */
} lt_vae_shares;

/* Whether NET (latent layer LATENT) can be trained on shares. */
bool lt_vae_shares_fit(const lt_net *net, size_t latent);

/* Sets S up for THREADS threads. Returns 1 when batches are shared (S owns
 * buffers: lt_vae_shares_free), 0 when not worth it or NET does not fit (S
 * empty), -1 when out of memory. */
int lt_vae_shares_init(lt_vae_shares *s, lt_net *net, size_t latent, int threads);
void lt_vae_shares_free(lt_vae_shares *s);

/* One batch of ROWS samples X (also the targets): eps drawn, forward and
 * backward on the shares with the whole batch's scales (SCALE: the loss's
 * per-sample scale, KL_WEIGHT), the gradients summed into net->g. Sets
 * *RECON and *KL to the batch's sums; net->g is undefined when they are
 * not finite. */
void lt_vae_shares_batch(lt_vae_shares *s, const float *x, size_t rows, lt_loss loss,
                         double scale, double kl_weight, double *recon, double *kl);

#endif
