/* vae_latent: mean and log-variance heads, the reparameterisation and the
 * KL term of a variational autoencoder (see nn/vae_latent.h).
 *
 * Weights: the mean head's kernel [inputs, d] and bias [d], then the
 * log-variance head's kernel and bias, each kernel glorot_uniform with
 * fans (inputs, d) as two separate Keras Dense(d) layers draw them, the
 * biases zero. The input is taken flat (a Flatten before the heads).
 * Cache per sample: mean, log_var and eps (3 d floats). Scratch per
 * sample: dL/dmean and dL/dlog_var (2 d floats). */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/init.h"
#include "nn/kernels.h"
#include "nn/vae_latent.h"

#define CFG struct lt_vae_latent_config
static const lt_param params[] = {
    LT_INT(CFG, latent_dim, 2, 1, 1 << 20, 0, "size of the codings z"),
};
#undef CFG

static size_t dim(const lt_layer *l)
{
    return (size_t)((const struct lt_vae_latent_config *)l->config)->latent_dim;
}

static int infer(const void *config, const lt_nn_shape *in, lt_nn_shape *out, lt_diag *d)
{
    const struct lt_vae_latent_config *c = config;
    (void)in;
    (void)d;
    *out = (lt_nn_shape){.rank = 1, .dim = {c->latent_dim}};
    return 0;
}

static int plan(lt_layer *l)
{
    size_t d = dim(l);
    l->n_weights = 2 * (l->in_size * d + d);
    l->cache_size = 3 * d;
    l->scratch_size = 2 * d;
    l->state = calloc(1, sizeof(lt_vae_latent));
    return l->state ? 0 : -1;
}

static void release(lt_layer *l)
{
    free(l->state);
    l->state = NULL;
}

/* Head H (0: mean, 1: log_var): its kernel, followed by its bias. */
static float *head(const lt_layer *l, float *base, int h)
{
    return base + (size_t)h * (l->in_size * dim(l) + dim(l));
}

static void init(lt_layer *l, lt_rng *rng)
{
    size_t d = dim(l), in = l->in_size;
    for (int h = 0; h < 2; h++) {
        float *k = head(l, l->w, h);
        lt_init_fill(LT_INIT_GLOROT_UNIFORM, k, in * d, in, d, rng);
        memset(k + in * d, 0, d * sizeof *k);
    }
}

const float *lt_vae_latent_mean(const lt_layer *l, size_t i)
{
    return l->cache + i * 3 * dim(l);
}

const float *lt_vae_latent_log_var(const lt_layer *l, size_t i)
{
    return l->cache + i * 3 * dim(l) + dim(l);
}

double lt_vae_kl(const float *mean, const float *log_var, size_t d)
{
    double s = 0;
    for (size_t j = 0; j < d; j++)
        s += 1.0 + (double)log_var[j] - exp((double)log_var[j]) -
             (double)mean[j] * (double)mean[j];
    return -0.5 * s;
}

static void forward(lt_layer *l, const float *x, float *y, size_t n, bool train)
{
    (void)train; /* a VAE samples in evaluation too: its loss is the ELBO's estimate */
    lt_vae_latent *st = l->state;
    size_t d = dim(l), in = l->in_size, row = 3 * d;
    /* Both heads' outputs land in the cache rows [mean | log_var | eps]. */
    for (int h = 0; h < 2; h++) {
        const float *k = head(l, l->w, h);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)d, (int)in, 1.0f, x,
                    (int)in, k, (int)d, 0.0f, l->cache + (size_t)h * d, (int)row);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++)
                l->cache[i * row + (size_t)h * d + j] += k[in * d + j];
    }
    for (size_t i = 0; i < n; i++) {
        float *mean = l->cache + i * row, *log_var = mean + d, *eps = mean + 2 * d;
        for (size_t j = 0; j < d; j++) {
            switch (st->eps_mode) {
            case LT_VAE_EPS_DRAW: eps[j] = (float)lt_rng_gauss(l->rng); break;
            case LT_VAE_EPS_ZERO: eps[j] = 0; break;
            case LT_VAE_EPS_FIXED: eps[j] = st->fixed_eps[i * d + j]; break;
            }
            y[i * d + j] = mean[j] + expf(log_var[j] * 0.5f) * eps[j];
        }
        st->kl_sum += lt_vae_kl(mean, log_var, d);
    }
}

static void backward(lt_layer *l, const float *x, const float *y, float *dy, float *dx,
                     size_t n)
{
    (void)y;
    const lt_vae_latent *st = l->state;
    size_t d = dim(l), in = l->in_size, row = 3 * d;
    const float c = (float)(st->kl_coef / (double)n);
    float *dh = l->scratch; /* per sample: [dL/dmean | dL/dlog_var] */
    for (size_t i = 0; i < n; i++) {
        const float *mean = l->cache + i * row, *log_var = mean + d, *eps = mean + 2 * d;
        for (size_t j = 0; j < d; j++) {
            float s = expf(log_var[j] * 0.5f);
            dh[i * 2 * d + j] = dy[i * d + j] + c * mean[j];
            dh[i * 2 * d + d + j] =
                dy[i * d + j] * 0.5f * s * eps[j] + c * 0.5f * (s * s - 1.0f);
        }
    }
    for (int h = 0; h < 2; h++) {
        const float *dz = dh + (size_t)h * d, *k = head(l, l->w, h);
        float *g = head(l, l->g, h);
        if (dx)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)in, (int)d, 1.0f,
                        dz, (int)(2 * d), k, (int)d, h ? 1.0f : 0.0f, dx, (int)in);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)in, (int)d, (int)n, 1.0f, x,
                    (int)in, dz, (int)(2 * d), 0.0f, g, (int)d);
        for (size_t j = 0; j < d; j++) {
            float s = 0;
            for (size_t i = 0; i < n; i++)
                s += dz[i * 2 * d + j];
            g[in * d + j] = s;
        }
    }
}

const lt_layer_kind lt_layer_vae_latent = {
    .spec = {.name = "vae_latent",
             .summary = "mean and log-variance heads and the sampling z = mean + "
                        "exp(log_var / 2) eps of a variational autoencoder",
             .params = params,
             .n_params = LT_COUNT(params),
             .config_size = sizeof(struct lt_vae_latent_config)},
    .infer = infer,
    .plan = plan,
    .init = init,
    .forward = forward,
    .backward = backward,
    .release = release,
};
