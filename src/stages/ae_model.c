/* The autoencoder's saved model: one array per layer and parameter, named
 * by the layer's place and kind, "encoder.1.dense.kernel" ([inputs, units])
 * and "encoder.1.dense.bias"; a layer of another kind with weights keeps
 * them in its own order as "decoder.0.conv2d.weights". The float32 weights
 * are stored as float64, which holds each of them exactly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stages/autoencoder.h"

/* "encoder.1.dense" for layer I. */
static void layer_key(const ae_model *m, size_t i, char *buf, size_t size)
{
    bool enc = i < m->n_encoder;
    snprintf(buf, size, "%s.%zu.%s", enc ? "encoder" : "decoder", enc ? i : i - m->n_encoder,
             m->net.layers[i].kind->spec.name);
}

/* The kernel's share of a dense layer's weights: inputs x units. */
static size_t dense_kernel(const lt_layer *l)
{
    return (size_t)l->in.dim[l->in.rank - 1] * (size_t)l->out.dim[l->out.rank - 1];
}

static bool is_dense(const lt_layer *l) { return !strcmp(l->kind->spec.name, "dense"); }

void ae_save_model(lt_ctx *ctx, const ae_model *m)
{
    lt_model *o = lt_ctx_model_out(ctx);
    size_t most = 0;
    for (size_t i = 0; i < m->net.n_layers; i++)
        most = m->net.layers[i].n_weights > most ? m->net.layers[i].n_weights : most;
    double *buf = malloc(most * sizeof *buf + 1);
    if (!buf) {
        lt_model_put_vec(o, "encoder", NULL, 1); /* marks the model incomplete */
        return;
    }
    for (size_t i = 0; i < m->net.n_layers; i++) {
        const lt_layer *l = &m->net.layers[i];
        if (l->n_weights == 0)
            continue;
        for (size_t k = 0; k < l->n_weights; k++)
            buf[k] = l->w[k];
        char key[96], name[128];
        layer_key(m, i, key, sizeof key);
        if (is_dense(l)) {
            size_t kernel = dense_kernel(l), units = (size_t)l->out.dim[l->out.rank - 1];
            snprintf(name, sizeof name, "%s.kernel", key);
            lt_model_put_mat(o, name, buf, kernel / units, units);
            if (l->n_weights > kernel) {
                snprintf(name, sizeof name, "%s.bias", key);
                lt_model_put_vec(o, name, buf + kernel, l->n_weights - kernel);
            }
        } else {
            snprintf(name, sizeof name, "%s.weights", key);
            lt_model_put_vec(o, name, buf, l->n_weights);
        }
    }
    free(buf);
}

/* Copies N saved numbers NAME into W as float32. */
static int take(lt_ctx *ctx, const lt_model *saved, const char *name, size_t rows, size_t cols,
                float *w)
{
    const double *v = lt_model_get(ctx, saved, name, &rows, &cols);
    if (!v)
        return LT_EINPUT;
    for (size_t k = 0; k < rows * (cols ? cols : 1); k++)
        w[k] = (float)v[k];
    return LT_OK;
}

int ae_load_model(lt_ctx *ctx, const lt_model *saved, ae_model *m)
{
    for (size_t i = 0; i < m->net.n_layers; i++) {
        lt_layer *l = &m->net.layers[i];
        if (l->n_weights == 0)
            continue;
        char key[96], name[128];
        layer_key(m, i, key, sizeof key);
        int rc;
        if (is_dense(l)) {
            size_t kernel = dense_kernel(l), units = (size_t)l->out.dim[l->out.rank - 1];
            snprintf(name, sizeof name, "%s.kernel", key);
            rc = take(ctx, saved, name, kernel / units, units, l->w);
            snprintf(name, sizeof name, "%s.bias", key);
            if (rc == LT_OK && l->n_weights > kernel)
                rc = take(ctx, saved, name, l->n_weights - kernel, 0, l->w + kernel);
        } else {
            snprintf(name, sizeof name, "%s.weights", key);
            rc = take(ctx, saved, name, l->n_weights, 0, l->w);
        }
        if (rc != LT_OK)
            return rc;
    }
    return LT_OK;
}
