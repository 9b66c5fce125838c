/* The values the vae stage passes on: the codings' means of every split,
 * reconstructions decoded from those means, images decoded from z ~ N(0, I)
 * (samples), from a grid of z at the normal quantiles (latent_grid, as
 * Keras's VAE example and Geron draw a 2-D latent space), or along the
 * straight line between two rows' codings (interpolation). Image sets are
 * one train split with the input's image shape; the grid's rows run from
 * the top left, z1 growing to the right and z2 upwards. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stages/vae.h"

double vae_normal_quantile(double p)
{
    /* Newton's method on Phi(x) - p from a logistic start; Phi by erfc
     * keeps full precision in the tails. Converges in a few steps. */
    double x = log(p / (1 - p)) * 0.6266570686577501;
    for (int k = 0; k < 50; k++) {
        double f = 0.5 * erfc(-x / M_SQRT2) - p, d = exp(-0.5 * x * x) / 2.5066282746310002;
        double step = f / d;
        x -= step;
        if (fabs(step) < 1e-15 * (1 + fabs(x)))
            break;
    }
    return x;
}

/* z = mean for the n rows x into z (n x latent_dim). */
static void encode(vae_model *m, const float *x, size_t n, float *z)
{
    lt_vae_latent *st = lt_vae_latent_of(&m->net.layers[m->latent]);
    st->eps_mode = LT_VAE_EPS_ZERO;
    size_t in = m->net.in_size, d = (size_t)m->latent_config.latent_dim;
    for (size_t start = 0; start < n; start += m->net.batch) {
        size_t rows = n - start < m->net.batch ? n - start : m->net.batch;
        const float *y = lt_net_forward(&m->net, x + start * in, rows, m->latent + 1, false);
        memcpy(z + start * d, y, rows * d * sizeof *z);
    }
    st->eps_mode = LT_VAE_EPS_DRAW;
}

/* The decoder's output for the n codings z into out (n x in_size). */
static void decode(vae_model *m, const float *z, size_t n, float *out)
{
    size_t in = m->net.in_size, d = (size_t)m->latent_config.latent_dim;
    for (size_t start = 0; start < n; start += m->net.batch) {
        size_t rows = n - start < m->net.batch ? n - start : m->net.batch;
        const float *y = lt_net_forward_range(&m->net, z + start * d, rows, m->latent + 1,
                                              m->net.n_layers, false);
        memcpy(out + start * in, y, rows * in * sizeof *out);
    }
}

static int name_codings(lt_data *o, size_t d)
{
    for (size_t j = 0; o->feature_names && j < o->n_features; j++)
        free(o->feature_names[j]);
    free(o->feature_names);
    o->n_features = d;
    o->image_rows = o->image_cols = 0;
    if (!(o->feature_names = calloc(d, sizeof *o->feature_names)))
        return -1;
    for (size_t j = 0; j < d; j++) {
        char buf[32];
        snprintf(buf, sizeof buf, "z%zu", j + 1);
        if (!(o->feature_names[j] = strdup(buf)))
            return -1;
    }
    return 0;
}

/* Codings (means) or reconstructions of every split. */
static int per_split(const struct vae_config *cfg, vae_model *m, bool codings, const lt_data *d,
                     const float *const *xs, lt_data *o)
{
    size_t dz = (size_t)cfg->latent_dim, width = codings ? dz : m->net.in_size;
    for (int s = 0; s < LT_N_SPLITS; s++) {
        const lt_mat *x = d->split[s].x;
        if (!x)
            continue;
        if (!(o->split[s].x = lt_mat_new_f32(x->rows, width)))
            return -1;
        float *z = codings ? o->split[s].x->f : malloc((x->rows ? x->rows : 1) * dz * sizeof *z);
        if (!z)
            return -1;
        encode(m, xs[s], x->rows, z);
        if (!codings) {
            decode(m, z, x->rows, o->split[s].x->f);
            free(z);
        }
    }
    if (lt_data_copy_rowinfo(o, d) != 0)
        return -1;
    return codings ? name_codings(o, dz) : 0;
}

/* The codings of the image sets into z (rows x latent_dim); per-row values
 * (the grid's z1, the interpolation's position) into t. */
static int image_codings(lt_ctx *ctx, const struct vae_config *cfg, vae_model *m, int which,
                         const lt_data *d, const size_t *split_rows, const float *const *xs,
                         float *z, double *t, size_t rows)
{
    size_t dz = (size_t)cfg->latent_dim;
    if (which == VAE_OUTPUT_SAMPLES) {
        for (size_t i = 0; i < rows * dz; i++)
            z[i] = (float)lt_rng_gauss(&m->net.rng);
        return LT_OK;
    }
    if (which == VAE_OUTPUT_LATENT_GRID) {
        size_t g = (size_t)cfg->grid_size;
        for (size_t i = 0; i < g; i++)
            for (size_t j = 0; j < g; j++) {
                z[(i * g + j) * 2] = (float)vae_normal_quantile((j + 0.5) / (double)g);
                z[(i * g + j) * 2 + 1] = (float)vae_normal_quantile((g - i - 0.5) / (double)g);
                t[i * g + j] = z[(i * g + j) * 2];
            }
        return LT_OK;
    }
    int s = d->split[LT_VALID].x ? LT_VALID : LT_TRAIN;
    size_t a = cfg->interpolate.n ? (size_t)cfg->interpolate.v[0] : 0,
           b = cfg->interpolate.n ? (size_t)cfg->interpolate.v[1] : 1, n = split_rows[s];
    if (a >= n || b >= n)
        return lt_fail(ctx, LT_EINPUT, "interpolate: row %zu is past the %s split's %zu rows",
                       a >= n ? a : b, lt_split_name(s), n);
    float ends[2 * 64], *e = dz <= 64 ? ends : malloc(2 * dz * sizeof *e);
    if (!e)
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    encode(m, xs[s] + a * m->net.in_size, 1, e);
    encode(m, xs[s] + b * m->net.in_size, 1, e + dz);
    for (size_t k = 0; k < rows; k++) {
        double alpha = (double)k / (double)(rows - 1);
        t[k] = alpha;
        for (size_t j = 0; j < dz; j++)
            z[k * dz + j] = (float)((1 - alpha) * e[j] + alpha * e[dz + j]);
    }
    if (e != ends)
        free(e);
    return LT_OK;
}

static int image_set(lt_ctx *ctx, const struct vae_config *cfg, vae_model *m, int which,
                     const lt_data *d, const size_t *split_rows, const float *const *xs,
                     lt_data *o)
{
    size_t rows = which == VAE_OUTPUT_SAMPLES       ? (size_t)cfg->n_samples
                  : which == VAE_OUTPUT_LATENT_GRID ? (size_t)cfg->grid_size *
                                                                (size_t)cfg->grid_size
                                                          : (size_t)cfg->interpolation_steps;
    float *z = malloc(rows * (size_t)cfg->latent_dim * sizeof *z);
    o->split[LT_TRAIN].x = lt_mat_new_f32(rows, m->net.in_size);
    o->split[LT_TRAIN].t = calloc(rows, sizeof *o->split[LT_TRAIN].t);
    int rc = LT_OK;
    if (!z || !o->split[LT_TRAIN].x || !o->split[LT_TRAIN].t)
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory for the stage's output");
    if (rc == LT_OK)
        rc = image_codings(ctx, cfg, m, which, d, split_rows, xs, z, o->split[LT_TRAIN].t, rows);
    if (rc == LT_OK)
        decode(m, z, rows, o->split[LT_TRAIN].x->f);
    if (which == VAE_OUTPUT_SAMPLES) {
        free(o->split[LT_TRAIN].t);
        o->split[LT_TRAIN].t = NULL;
    }
    /* The images belong to no class. */
    for (int k = 0; o->class_names && k < o->n_classes; k++)
        free(o->class_names[k]);
    free(o->class_names);
    o->class_names = NULL;
    o->n_classes = 0;
    free(z);
    return rc;
}

int vae_make_output(lt_ctx *ctx, const struct vae_config *cfg, vae_model *m, int which,
                    const lt_data *d, const size_t *rows, const float *const *local,
                    const float *const *all, lt_data **out)
{
    lt_data *o = lt_data_new();
    if (!o || lt_data_copy_meta(o, d) != 0) {
        lt_data_free(&o);
        return lt_fail(ctx, LT_ERUNTIME, "out of memory for the stage's output");
    }
    int rc = LT_OK;
    if (which == VAE_OUTPUT_CODINGS || which == VAE_OUTPUT_RECONSTRUCTION) {
        if (per_split(cfg, m, which == VAE_OUTPUT_CODINGS, d, local, o) != 0)
            rc = lt_fail(ctx, LT_ERUNTIME, "out of memory for the stage's output");
    } else {
        rc = image_set(ctx, cfg, m, which, d, rows, all, o);
        /* The same images on every rank: a whole value, not a block. */
        o->row_blocks = false;
    }
    if (rc != LT_OK) {
        lt_data_free(&o);
        return rc;
    }
    *out = o;
    return LT_OK;
}
