#include "nn/vae_train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/metric.h"
#include "nn/parallel.h"
#include "nn/vae_latent.h"

const char *const lt_vae_reduction_names[] = {"mean", "sum", NULL};

/* Values per sample of the network's output. */
static size_t out_size(const lt_net *net)
{
    return net->layers[net->n_layers - 1].out_size;
}

/* The loss's scale per sample: 1 / values per sample (mean) or 1 (sum). */
static double sample_scale(const lt_net *net, const lt_vae_config *cfg)
{
    return cfg->reduction == LT_VAE_MEAN ? 1.0 / (double)out_size(net) : 1.0;
}

/* Forward pass of n samples; returns the output and sets *recon_sum (the
 * reconstruction terms summed over every value) and *kl_sum (KL summed
 * over the samples). With GRAD, writes dL/dy of the loss's reconstruction
 * part into the network's output gradient. */
static const float *forward_losses(lt_net *net, const lt_vae_config *cfg, const float *x, size_t n,
                                   bool grad, double *recon_sum, double *kl_sum)
{
    lt_vae_latent *st = lt_vae_latent_of(&net->layers[cfg->latent]);
    st->kl_sum = 0;
    st->kl_coef = cfg->kl_weight * sample_scale(net, cfg);
    const float *y = lt_net_forward(net, x, n, net->n_layers, grad);
    size_t count = n * out_size(net);
    float scale = (float)(sample_scale(net, cfg) / (double)n);
    *recon_sum = lt_loss_sum(cfg->loss, y, x, count, scale, grad ? lt_net_output_grad(net) : NULL);
    *kl_sum = st->kl_sum;
    return y;
}

/* The losses of n samples from their sums. */
static lt_vae_losses losses_of(const lt_net *net, const lt_vae_config *cfg, double recon_sum,
                               double kl_sum, double n)
{
    double s = sample_scale(net, cfg);
    lt_vae_losses l = {.reconstruction = recon_sum * s / n, .kl = kl_sum * s / n};
    l.loss = l.reconstruction + cfg->kl_weight * l.kl;
    return l;
}

int lt_vae_step(lt_net *net, lt_optim *opt, const lt_vae_config *cfg, const float *x, size_t n,
                lt_vae_losses *out)
{
    double recon, kl;
    forward_losses(net, cfg, x, n, true, &recon, &kl);
    *out = losses_of(net, cfg, recon, kl, (double)n);
    if (!isfinite(out->loss))
        return LT_VAE_NONFINITE;
    lt_net_backward(net, n, NULL);
    lt_optim_step(opt, net->w, net->g);
    return LT_VAE_OK;
}

void lt_vae_evaluate(lt_net *net, const lt_vae_config *cfg, const float *x, size_t n,
                     lt_vae_eval *out)
{
    size_t in = net->in_size, values = out_size(net);
    double recon = 0, kl = 0, accurate = 0;
    for (size_t start = 0; start < n; start += net->batch) {
        size_t rows = n - start < net->batch ? n - start : net->batch;
        double r, k;
        const float *y = forward_losses(net, cfg, x + start * in, rows, false, &r, &k);
        recon += r;
        kl += k;
        if (cfg->loss == LT_LOSS_BINARY_CROSSENTROPY)
            accurate += lt_metric_rounded_accuracy.sum(y, x + start * in, rows * values);
    }
    double rows = n ? (double)n : 1;
    *out = (lt_vae_eval){.losses = losses_of(net, cfg, recon, kl, rows)};
    /* log p(x|z): a Bernoulli decoder's is minus the summed cross-entropy;
     * a unit-variance Gaussian's is -0.5 (squared error + log(2 pi)) per value. */
    double log_lik = cfg->loss == LT_LOSS_BINARY_CROSSENTROPY
                         ? -recon / rows
                         : -0.5 * (recon / rows + (double)values * log(2 * M_PI));
    out->elbo_nats = log_lik - kl / rows;
    out->rounded_accuracy =
        cfg->loss == LT_LOSS_BINARY_CROSSENTROPY ? accurate / (rows * (double)values) : 0;
}

void lt_vae_history_free(lt_vae_history *h)
{
    free(h->train);
    free(h->valid);
    *h = (lt_vae_history){0};
}

/* Buffers of a data-parallel epoch (lt_vae_config.sum set). */
struct spread {
    float *eps;    /* the whole batch's eps: net->batch * latent_dim */
    double *parts; /* the gradient, the reconstruction sum and the KL sum */
};

/* One data-parallel step on the batch of ROWS samples whose rows are
 * BATCH: every process draws the batch's eps in a single process's order,
 * runs forward and backward on its share with the whole batch's scales,
 * and the gradients and sums are added over the processes before the
 * step. Returns as lt_vae_step, or LT_VAE_ENOMEM when the sum failed. */
static int spread_step(lt_net *net, lt_optim *opt, const lt_vae_config *cfg, const float *batch,
                       size_t rows, struct spread *sp, lt_vae_losses *out)
{
    lt_layer *latent = &net->layers[cfg->latent];
    lt_vae_latent *st = lt_vae_latent_of(latent);
    size_t d = latent->out_size, w = net->n_weights;
    for (size_t i = 0; i < rows * d; i++)
        sp->eps[i] = (float)lt_rng_gauss(&net->rng);
    size_t lo = rows * (size_t)cfg->rank / (size_t)cfg->size;
    size_t hi = rows * (size_t)(cfg->rank + 1) / (size_t)cfg->size, mine = hi - lo;
    memset(sp->parts, 0, (w + 2) * sizeof *sp->parts);
    if (mine) {
        double scale = sample_scale(net, cfg);
        st->eps_mode = LT_VAE_EPS_FIXED;
        st->fixed_eps = sp->eps + lo * d;
        st->kl_sum = 0;
        /* backward divides kl_coef by this share's rows; the whole batch's
         * gradient is the mean over all its rows. */
        st->kl_coef = cfg->kl_weight * scale * (double)mine / (double)rows;
        const float *x = batch + lo * net->in_size;
        const float *y = lt_net_forward(net, x, mine, net->n_layers, true);
        sp->parts[w] = lt_loss_sum(cfg->loss, y, x, mine * out_size(net),
                                   (float)(scale / (double)rows), lt_net_output_grad(net));
        sp->parts[w + 1] = st->kl_sum;
        lt_net_backward(net, mine, NULL);
        for (size_t i = 0; i < w; i++)
            sp->parts[i] = net->g[i];
        st->eps_mode = LT_VAE_EPS_DRAW;
        st->fixed_eps = NULL;
    }
    if (cfg->sum(sp->parts, w + 2) != 0)
        return LT_VAE_ENOMEM;
    *out = losses_of(net, cfg, sp->parts[w], sp->parts[w + 1], (double)rows);
    if (!isfinite(out->loss))
        return LT_VAE_NONFINITE;
    for (size_t i = 0; i < w; i++)
        net->g[i] = (float)sp->parts[i];
    lt_optim_step(opt, net->w, net->g);
    return LT_VAE_OK;
}

int lt_vae_shares_step(lt_net *net, lt_optim *opt, const lt_vae_config *cfg, const float *batch,
                       size_t rows, lt_vae_shares *vs, lt_vae_losses *out)
{
    if (!vs)
        return lt_vae_step(net, opt, cfg, batch, rows, out);
    double recon, kl;
    lt_vae_shares_batch(vs, batch, rows, cfg->loss, sample_scale(net, cfg), cfg->kl_weight,
                        &recon, &kl);
    *out = losses_of(net, cfg, recon, kl, (double)rows);
    if (!isfinite(out->loss))
        return LT_VAE_NONFINITE;
    lt_optim_step(opt, net->w, net->g);
    return LT_VAE_OK;
}

/* One epoch over x in ORDER (gathered into BATCH); h->train[e] gets the
 * running means. SP: the data-parallel buffers, NULL when alone; VS: the
 * threads' shares, NULL when not shared. */
static int run_epoch(lt_net *net, lt_optim *opt, const lt_vae_config *cfg, const float *x,
                     size_t n, size_t *order, float *batch, struct spread *sp,
                     lt_vae_shares *vs, lt_progress *progress, lt_vae_history *h, int e)
{
    size_t in = net->in_size;
    if (cfg->shuffle)
        lt_rng_permutation(&net->rng, order, n);
    else
        for (size_t i = 0; i < n; i++)
            order[i] = i;
    lt_vae_losses sum = {0};
    size_t batch_no = 0;
    for (size_t start = 0; start < n; start += net->batch) {
        size_t rows = n - start < net->batch ? n - start : net->batch;
        batch_no++;
        for (size_t r = 0; r < rows; r++)
            memcpy(batch + r * in, x + order[start + r] * in, in * sizeof *x);
        lt_vae_losses b;
        int rc = sp ? spread_step(net, opt, cfg, batch, rows, sp, &b)
                    : lt_vae_shares_step(net, opt, cfg, batch, rows, vs, &b);
        if (rc == LT_VAE_ENOMEM)
            return rc;
        if (rc != LT_VAE_OK) {
            h->bad_epoch = e + 1;
            h->bad_batch = batch_no;
            h->bad_loss = b.loss;
            return LT_VAE_NONFINITE;
        }
        sum.loss += b.loss * (double)rows;
        sum.reconstruction += b.reconstruction * (double)rows;
        sum.kl += b.kl * (double)rows;
        if (progress->live) {
            double seen = (double)(start + rows), m[2] = {sum.reconstruction / seen, sum.kl / seen};
            lt_progress_batch(progress, batch_no, sum.loss / seen, m);
        }
    }
    h->train[e] = (lt_vae_losses){.loss = sum.loss / (double)n,
                                  .reconstruction = sum.reconstruction / (double)n,
                                  .kl = sum.kl / (double)n};
    return LT_VAE_OK;
}

int lt_vae_train(lt_net *net, lt_optim *opt, const lt_vae_config *cfg, const float *x, size_t n,
                 const float *vx, size_t vn, lt_progress *progress, lt_vae_history *h)
{
    size_t cap = cfg->epochs > 0 ? (size_t)cfg->epochs : 1;
    *h = (lt_vae_history){.has_valid = vn > 0};
    h->train = calloc(cap, sizeof *h->train);
    h->valid = calloc(cap, sizeof *h->valid);
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    float *batch = malloc(net->batch * net->in_size * sizeof *batch);
    struct spread sp = {0};
    if (cfg->sum) {
        sp.eps = malloc(net->batch * net->layers[cfg->latent].out_size * sizeof *sp.eps + 1);
        sp.parts = malloc((net->n_weights + 2) * sizeof *sp.parts);
    }
    bool spread_ok = !cfg->sum || (sp.eps && sp.parts);
    /* Threads share each batch by rows unless processes already do. */
    lt_vae_shares vs = {0};
    int shared = cfg->sum ? 0 : lt_vae_shares_init(&vs, net, cfg->latent, lt_nn_parallel_threads());
    int rc = h->train && h->valid && order && batch && spread_ok && shared >= 0 ? LT_VAE_OK
                                                                              : LT_VAE_ENOMEM;
    /* A process short of memory still meets the others' first sum, so
     * that they fail too instead of waiting for it. */
    if (cfg->sum && cfg->sum(rc == LT_VAE_OK ? &(double){0} : NULL, 1) != 0)
        rc = LT_VAE_ENOMEM;
    lt_vae_latent_of(&net->layers[cfg->latent])->eps_mode = LT_VAE_EPS_DRAW;
    for (int e = 0; rc == LT_VAE_OK && e < cfg->epochs; e++) {
        lt_progress_epoch(progress, e + 1);
        rc = run_epoch(net, opt, cfg, x, n, order, batch, cfg->sum ? &sp : NULL,
                       shared > 0 ? &vs : NULL, progress, h, e);
        if (rc != LT_VAE_OK)
            break;
        lt_vae_eval v = {0};
        if (vn) {
            lt_vae_evaluate(net, cfg, vx, vn, &v);
            h->valid[e] = v.losses;
        }
        h->epochs = e + 1;
        double m[2] = {h->train[e].reconstruction, h->train[e].kl};
        double vm[2] = {v.losses.reconstruction, v.losses.kl};
        lt_progress_end(progress, h->train[e].loss, m, v.losses.loss, vn ? vm : NULL);
    }
    free(order);
    free(batch);
    free(sp.eps);
    free(sp.parts);
    lt_vae_shares_free(&vs);
    return rc;
}
