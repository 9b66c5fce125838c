#include "nn/vae_shares.h"

#include <stdlib.h>

#include "nn/parallel.h"
#include "nn/shares.h"

bool lt_vae_shares_fit(const lt_net *net, size_t latent)
{
    if (latent >= net->n_layers || net->layers[latent].kind != &lt_layer_vae_latent)
        return false;
    for (size_t i = 0; i < net->n_layers; i++)
        if (i != latent && !lt_shares_layer_fits(&net->layers[i]))
            return false;
    return true;
}

int lt_vae_shares_init(lt_vae_shares *s, lt_net *net, size_t latent, int threads)
{
    *s = (lt_vae_shares){0};
    if (threads < 2 || net->batch < (size_t)threads * LT_SHARES_MIN_ROWS ||
        !lt_vae_shares_fit(net, latent))
        return 0;
    size_t t = (size_t)threads, share_batch = (net->batch + t - 1) / t;
    s->net = net;
    s->latent = latent;
    s->n_shares = t;
    s->replicas = lt_shares_replicas(net, t, share_batch);
    s->states = calloc(t - 1, sizeof *s->states);
    s->eps = malloc(net->batch * net->layers[latent].out_size * sizeof *s->eps);
    s->recon = calloc(t, sizeof *s->recon);
    s->kl = calloc(t, sizeof *s->kl);
    if (!s->replicas || !s->states || !s->eps || !s->recon || !s->kl) {
        lt_vae_shares_free(s);
        return -1;
    }
    /* A replica's layers borrow the original's state, but the latent's
     * passes write to theirs: each replica's latent gets its own. */
    for (size_t i = 0; i + 1 < t; i++)
        s->replicas[i].layers[latent].state = &s->states[i];
    return 1;
}

void lt_vae_shares_free(lt_vae_shares *s)
{
    lt_shares_replicas_free(s->replicas, s->n_shares);
    free(s->states);
    free(s->eps);
    free(s->recon);
    free(s->kl);
    *s = (lt_vae_shares){0};
}

struct batch_job {
    lt_vae_shares *s;
    const float *x;
    size_t rows, shares;
    lt_loss loss;
    double scale, kl_weight;
};

static lt_net *share_net(lt_vae_shares *s, size_t share)
{
    return share ? &s->replicas[share - 1] : s->net;
}

/* Share B's rows [lo, hi): forward with their eps, loss and KL sums,
 * backward into its own gradient, all with the whole batch's scales. */
static void share_block(void *arg, size_t b)
{
    struct batch_job *j = arg;
    lt_vae_shares *s = j->s;
    lt_net *net = share_net(s, b);
    size_t lo = j->rows * b / j->shares, hi = j->rows * (b + 1) / j->shares, mine = hi - lo;
    lt_vae_latent *st = lt_vae_latent_of(&net->layers[s->latent]);
    size_t d = net->layers[s->latent].out_size, in = net->in_size;
    size_t out = net->layers[net->n_layers - 1].out_size;
    lt_vae_eps mode = st->eps_mode;
    st->eps_mode = LT_VAE_EPS_FIXED;
    st->fixed_eps = s->eps + lo * d;
    st->kl_sum = 0;
    /* backward divides kl_coef by this share's rows; the batch's gradient
     * is the mean over all its rows. */
    st->kl_coef = j->kl_weight * j->scale * (double)mine / (double)j->rows;
    const float *x = j->x + lo * in;
    const float *y = lt_net_forward(net, x, mine, net->n_layers, true);
    s->recon[b] = lt_loss_sum(j->loss, y, x, mine * out, (float)(j->scale / (double)j->rows),
                              lt_net_output_grad(net));
    s->kl[b] = st->kl_sum;
    lt_net_backward(net, mine, NULL);
    st->eps_mode = mode;
    st->fixed_eps = NULL;
}

void lt_vae_shares_batch(lt_vae_shares *s, const float *x, size_t rows, lt_loss loss,
                         double scale, double kl_weight, double *recon, double *kl)
{
    lt_net *net = s->net;
    size_t d = net->layers[s->latent].out_size;
    /* The order the latent layer draws them in unshared: sample by sample. */
    for (size_t i = 0; i < rows * d; i++)
        s->eps[i] = (float)lt_rng_gauss(&net->rng);
    struct batch_job j = {.s = s, .x = x, .rows = rows,
                          .shares = rows < s->n_shares ? rows : s->n_shares, .loss = loss,
                          .scale = scale, .kl_weight = kl_weight};
    lt_nn_parallel_for(share_block, &j, j.shares);
    *recon = *kl = 0;
    for (size_t b = 0; b < j.shares; b++) {
        *recon += s->recon[b];
        *kl += s->kl[b];
    }
    lt_shares_add_gradients(net, s->replicas, j.shares, 0);
}
