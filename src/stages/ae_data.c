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

/* Renames D's features z1, z2, ... (codings have no input features) and
 * drops the image shape. Returns 0 or -1. */
static int name_codings(lt_data *d, size_t width)
{
    for (size_t j = 0; d->feature_names && j < d->n_features; j++)
        free(d->feature_names[j]);
    free(d->feature_names);
    d->n_features = width;
    d->image_rows = d->image_cols = 0;
    if (!(d->feature_names = calloc(width ? width : 1, sizeof *d->feature_names)))
        return -1;
    for (size_t j = 0; j < width; j++) {
        char buf[32];
        snprintf(buf, sizeof buf, "z%zu", j + 1);
        if (!(d->feature_names[j] = strdup(buf)))
            return -1;
    }
    return 0;
}

/* The mean squared difference of each of the N rows of REC and X (float32,
 * WIDTH values each), into T. */
static void row_errors(const float *rec, const float *x, size_t n, size_t width, double *t)
{
    for (size_t i = 0; i < n; i++) {
        double sum = 0;
        for (size_t j = 0; j < width; j++) {
            double e = (double)rec[i * width + j] - (double)x[i * width + j];
            sum += e * e;
        }
        t[i] = width ? sum / (double)width : 0;
    }
}

int ae_make_output(lt_ctx *ctx, ae_model *m, bool codings, const lt_data *d, const float *const *xs,
                   lt_data **out)
{
    size_t upto = codings ? m->n_encoder : m->net.n_layers;
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
    if (lt_data_copy_rowinfo(o, d) != 0 || (codings && name_codings(o, width) != 0))
        goto oom;
    /* A reconstruction's per-row value is its row's error, which is what
     * anomaly detection ranks by; the mean of each split goes in the
     * metrics. */
    for (int s = 0; !codings && s < LT_N_SPLITS; s++) {
        lt_split *sp = &o->split[s];
        if (!sp->x)
            continue;
        free(sp->t);
        if (!(sp->t = malloc((sp->x->rows ? sp->x->rows : 1) * sizeof *sp->t)))
            goto oom;
        row_errors(sp->x->f, xs[s], sp->x->rows, width, sp->t);
        double sum = 0;
        for (size_t i = 0; i < sp->x->rows; i++)
            sum += sp->t[i];
        char key[64];
        snprintf(key, sizeof key, "%s_reconstruction_error", lt_split_name(s));
        lt_report_num(ctx, key, sp->x->rows ? sum / (double)sp->x->rows : 0);
    }
    *out = o;
    return LT_OK;
oom:
    lt_data_free(&o);
    return lt_fail(ctx, LT_ERUNTIME, "out of memory for the stage's output");
}
