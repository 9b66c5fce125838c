#include "stages/predictions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* D's feature names replaced by its class names ("0", "1", ... without). */
static int name_classes(lt_data *d)
{
    for (size_t j = 0; d->feature_names && j < d->n_features; j++)
        free(d->feature_names[j]);
    free(d->feature_names);
    size_t c = (size_t)d->n_classes;
    d->n_features = c;
    if (!(d->feature_names = calloc(c ? c : 1, sizeof *d->feature_names)))
        return -1;
    for (size_t j = 0; j < c; j++) {
        char buf[32];
        snprintf(buf, sizeof buf, "%zu", j);
        const char *name = d->class_names && d->class_names[j] ? d->class_names[j] : buf;
        if (!(d->feature_names[j] = strdup(name)))
            return -1;
    }
    return 0;
}

int predictions_make(lt_ctx *ctx, const lt_data *d, const void *model, int k, const int *from_model,
                     predict_proba_fn proba, lt_data **out)
{
    size_t c = (size_t)d->n_classes, kk = (size_t)k;
    lt_data *o = lt_data_new();
    if (!o || lt_data_copy_meta(o, d) != 0 || name_classes(o) != 0)
        goto oom;
    o->image_rows = o->image_cols = 0;
    for (int s = 0; s < LT_N_SPLITS; s++) {
        const lt_mat *x = d->split[s].x;
        if (!x)
            continue;
        double *p = malloc((x->rows > 0 ? x->rows * kk : 1) * sizeof *p);
        lt_mat *m = lt_mat_new(x->rows, c);
        if (!p || !m || proba(model, x, p) != 0) {
            free(p);
            lt_mat_free(&m);
            goto oom;
        }
        for (size_t i = 0; i < x->rows; i++)
            for (size_t j = 0; j < kk; j++)
                m->v[i * c + (size_t)from_model[j]] = p[i * kk + j];
        free(p);
        o->split[s].x = m;
    }
    if (lt_data_copy_rowinfo(o, d) != 0)
        goto oom;
    *out = o;
    return LT_OK;
oom:
    lt_data_free(&o);
    return lt_fail(ctx, LT_ERUNTIME, "out of memory for the predictions");
}
