/* The autoencoder stage's data: the per-sample shape it sees in its input,
 * float32 views of the splits, and the value it passes on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/eval.h"
#include "stages/autoencoder.h"

lt_nn_shape ae_input_shape(const lt_data *d)
{
    if (d->image_rows > 0 && d->image_cols > 0 &&
        (size_t)d->image_rows * (size_t)d->image_cols == d->n_features)
        return lt_nn_shape_2d(d->image_rows, d->image_cols);
    return lt_nn_shape_1d((int)d->n_features);
}

const float *ae_f32(const lt_mat *m, float **owned)
{
    *owned = NULL;
    if (m->f)
        return m->f;
    size_t n = m->rows * m->cols;
    float *f = malloc((n ? n : 1) * sizeof *f);
    if (!f)
        return NULL;
    for (size_t i = 0; i < n; i++)
        f[i] = (float)m->v[i];
    *owned = f;
    return f;
}

int ae_make_output(lt_ctx *ctx, const struct autoencoder_config *cfg, ae_model *m,
                   const lt_data *d, const float *const *xs, lt_data **out)
{
    size_t upto = cfg->output == AE_OUTPUT_CODINGS ? m->n_encoder : m->net.n_layers;
    size_t width = m->net.layers[upto - 1].out_size;
    lt_data *o = lt_data_new();
    if (!o || lt_data_copy_meta(o, d) != 0)
        goto oom;
    for (int s = 0; s < LT_N_SPLITS; s++) {
        const lt_mat *x = d->split[s].x;
        if (!x)
            continue;
        if (!(o->split[s].x = lt_mat_new_f32(x->rows, width)))
            goto oom;
        if (x->rows)
            lt_nn_predict(&m->net, xs[s], x->rows, upto, o->split[s].x->f);
    }
    if (lt_data_copy_rowinfo(o, d) != 0)
        goto oom;
    if (cfg->output == AE_OUTPUT_CODINGS) {
        for (size_t j = 0; o->feature_names && j < o->n_features; j++)
            free(o->feature_names[j]);
        free(o->feature_names);
        o->n_features = width;
        o->image_rows = o->image_cols = 0;
        if (!(o->feature_names = calloc(width, sizeof *o->feature_names)))
            goto oom;
        for (size_t j = 0; j < width; j++) {
            char buf[32];
            snprintf(buf, sizeof buf, "z%zu", j + 1);
            if (!(o->feature_names[j] = strdup(buf)))
                goto oom;
        }
    }
    *out = o;
    return LT_OK;
oom:
    lt_data_free(&o);
    return lt_fail(ctx, LT_ERUNTIME, "out of memory for the stage's output");
}
