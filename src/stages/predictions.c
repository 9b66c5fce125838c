#include "stages/predictions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dist.h"

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

/* The classes present in the train labels, in order: the model's classes
 * (sklearn fits on np.unique(y_train)). Fills to_model[class] with the
 * model's index of each class, or -1, and FROM_MODEL (when not NULL) with
 * the class of each model index; returns how many are present, or
 * minus the status after recording an error (-LT_EINPUT for a label out of
 * range, -LT_ERUNTIME when out of memory). */
int predictions_classes(lt_ctx *ctx, const lt_data *d, int *to_model, int *from_model)
{
    const lt_split *train = &d->split[LT_TRAIN];
    size_t c_all = (size_t)d->n_classes;
    /* Rows counted per class; over every rank's rows when they are spread. */
    double *count = calloc(c_all + 1, sizeof *count);
    int bad = -1;
    for (size_t i = 0; count && i < train->x->rows && bad < 0; i++) {
        int c = train->y[i];
        if (c < 0 || c >= d->n_classes)
            bad = (int)i;
        else
            count[c] += 1;
    }
    int sum = lt_dist_rows_sum(d, bad < 0 ? count : NULL, c_all);
    if (!count || bad >= 0 || sum != 0) {
        if (bad >= 0)
            lt_fail(ctx, LT_EINPUT, "train label %d of row %zu is not a class in [0, %d)",
                    train->y[bad], (size_t)bad, d->n_classes);
        else
            lt_fail(ctx, LT_ERUNTIME, "out of memory");
        free(count);
        return bad >= 0 ? -LT_EINPUT : -LT_ERUNTIME;
    }
    int n = 0;
    for (size_t c = 0; c < c_all; c++)
        if (count[c] > 0) {
            if (from_model)
                from_model[n] = (int)c;
            to_model[c] = n++;
        } else {
            to_model[c] = -1;
        }
    free(count);
    return n;
}
