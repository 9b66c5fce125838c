#include "stages/embedding.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const embed_split_choices[] = {"train", "valid", "test", NULL};

const lt_mat *embed_rows(lt_ctx *ctx, const lt_data *in, int split, size_t min_rows)
{
    const lt_mat *x = in->split[split].x;
    if (!x) {
        lt_fail(ctx, LT_EINPUT, "the input has no %s split to embed", lt_split_name(split));
        return NULL;
    }
    if (x->rows < min_rows) {
        lt_fail(ctx, LT_EINPUT, "the %s split has %zu row%s; at least %zu are needed",
                lt_split_name(split), x->rows, x->rows == 1 ? "" : "s", min_rows);
        return NULL;
    }
    if (x->cols == 0) {
        lt_fail(ctx, LT_EINPUT, "the input has no features");
        return NULL;
    }
    for (size_t e = 0; e < x->rows * x->cols; e++)
        if (!isfinite(x->v[e])) {
            lt_fail(ctx, LT_EINPUT, "%s row %zu, feature %zu is %g; expected finite values",
                    lt_split_name(split), e / x->cols, e % x->cols, x->v[e]);
            return NULL;
        }
    return x;
}

void embed_warn_dropped(lt_ctx *ctx, const lt_data *in, int split, const char *what)
{
    char names[64] = "";
    size_t len = 0;
    for (int s = 0; s < LT_N_SPLITS; s++)
        if (s != split && in->split[s].x)
            len += (size_t)snprintf(names + len, sizeof names - len, "%s%s",
                                    len ? " and " : "", lt_split_name(s));
    if (len)
        lt_warn(ctx, "%s has no transform for new rows: only the %s split is embedded, "
                "the %s split%s left out (pick another with split:)", what,
                lt_split_name(split), names, strstr(names, " and ") ? "s are" : " is");
}

int embed_name_features(lt_data *d, const char *prefix, size_t k)
{
    if (d->feature_names)
        for (size_t j = 0; j < d->n_features; j++)
            free(d->feature_names[j]);
    free(d->feature_names);
    d->n_features = k;
    d->feature_names = calloc(k ? k : 1, sizeof *d->feature_names);
    if (!d->feature_names)
        return -1;
    for (size_t j = 0; j < k; j++) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s%zu", prefix, j + 1);
        if (!(d->feature_names[j] = strdup(buf)))
            return -1;
    }
    return 0;
}

lt_data *embed_new(const lt_data *in, const char *prefix, size_t k)
{
    lt_data *d = lt_data_new();
    if (!d)
        return NULL;
    /* Copy the class metadata only: the features are new. */
    lt_data meta = {.n_classes = in->n_classes, .class_names = in->class_names};
    if (lt_data_copy_meta(d, &meta) != 0)
        goto fail;
    if (embed_name_features(d, prefix, k) != 0)
        goto fail;
    return d;
fail:
    lt_data_free(&d);
    return NULL;
}

int embed_put(lt_ctx *ctx, lt_data *out, const lt_data *in, int s, lt_mat *m)
{
    out->split[s].x = m;
    const lt_split *src = &in->split[s];
    lt_split *dst = &out->split[s];
    size_t n = m->rows;
    if (src->y && !(dst->y = malloc((n ? n : 1) * sizeof *dst->y)))
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    if (src->t && !(dst->t = malloc((n ? n : 1) * sizeof *dst->t)))
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    if (src->y)
        memcpy(dst->y, src->y, n * sizeof *dst->y);
    if (src->t)
        memcpy(dst->t, src->t, n * sizeof *dst->t);
    if (src->id && !(dst->id = malloc((n ? n : 1) * sizeof *dst->id)))
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    if (src->id)
        memcpy(dst->id, src->id, n * sizeof *dst->id);
    return LT_OK;
}
