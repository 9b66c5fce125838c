/* The latent layer of a variational autoencoder: two dense heads on the
 * encoder's output give the mean and log-variance of q(z|x), and the
 * reparameterisation draws z = mean + exp(log_var / 2) * eps, eps ~ N(0, I)
 * (Kingma and Welling's sampling layer, Keras's `Sampling`).
 *
 * The layer also owns the KL term KL(q(z|x) || N(0, I)) =
 * -0.5 * sum_j (1 + log_var_j - exp(log_var_j) - mean_j^2) of each sample:
 * forward adds the batch's KL sum to lt_vae_latent.kl_sum, and backward adds
 * kl_coef / n times its gradient (d/dmean = mean, d/dlog_var =
 * 0.5 (exp(log_var) - 1)) to the gradient coming from z. The trainer sets
 * kl_coef to kl_weight times the reduction's per-sample scale, so the loss
 * is reconstruction + kl_coef * mean over the batch of KL.
 *
 * It is not a kind users list: the vae stage builds it from `latent_dim`
 * between the encoder and the decoder. */
#ifndef LATENT_NN_VAE_LATENT_H
#define LATENT_NN_VAE_LATENT_H

#include <stdbool.h>

#include "nn/layer.h"

struct lt_vae_latent_config {
    int latent_dim;
};

/* Where eps comes from in a forward pass. */
typedef enum lt_vae_eps {
    LT_VAE_EPS_DRAW,  /* standard normals from l->rng (numpy's legacy gauss) */
    LT_VAE_EPS_ZERO,  /* z = mean: the codings, deterministic decoding */
    LT_VAE_EPS_FIXED, /* the caller's values (gradient and reference checks) */
} lt_vae_eps;

/* The layer's state (l->state), owned by the layer. */
typedef struct lt_vae_latent {
    lt_vae_eps eps_mode;
    const float *fixed_eps; /* LT_VAE_EPS_FIXED: n * latent_dim values, borrowed */
    double kl_coef;         /* the KL term's weight in the loss */
    double kl_sum;          /* sum of KL over the samples of forward passes since reset */
} lt_vae_latent;

extern const lt_layer_kind lt_layer_vae_latent;

static inline lt_vae_latent *lt_vae_latent_of(lt_layer *l)
{
    return (lt_vae_latent *)l->state;
}

/* The mean, log-variance and eps of sample I of the last forward pass. */
const float *lt_vae_latent_mean(const lt_layer *l, size_t i);
const float *lt_vae_latent_log_var(const lt_layer *l, size_t i);

/* KL(N(mean, exp(log_var)) || N(0, I)) of one sample of D dimensions, in
 * double. */
double lt_vae_kl(const float *mean, const float *log_var, size_t d);

#endif
