#include "stages/affine.h"

#include <stdlib.h>

#include "core/dist.h"

static void apply(const struct lt_affine *a, const lt_mat *x, lt_mat *y)
{
    size_t p = x->cols;
    for (size_t i = 0; i < x->rows; i++)
        for (size_t j = 0; j < p; j++) {
            double v = x->v[i * p + j];
            if (a->sub)
                v -= a->sub[j];
            if (a->div)
                v /= a->div[j];
            if (a->mul)
                v *= a->mul[j];
            if (a->add)
                v += a->add[j];
            y->v[i * p + j] = v;
        }
}

const lt_mat *lt_affine_train(lt_ctx *ctx, const lt_data *in, int *status)
{
    const lt_mat *x = in->split[LT_TRAIN].x;
    /* Rows over every rank: a rank's own block may be empty. */
    if (!x || lt_dist_rows(in, x) == 0) {
        *status = lt_fail(ctx, LT_EINPUT, "the input has no training rows to fit on");
        return NULL;
    }
    for (int s = 0; s < LT_N_SPLITS; s++)
        if (in->split[s].x && in->split[s].x->cols != x->cols) {
            *status = lt_fail(ctx, LT_EINPUT, "split '%s' has %zu features but train has %zu",
                              lt_split_name(s), in->split[s].x->cols, x->cols);
            return NULL;
        }
    return x;
}

int lt_affine_apply(lt_ctx *ctx, const lt_data *in, const struct lt_affine *a,
                    lt_data **out)
{
    lt_data *res = lt_data_new();
    if (!res || lt_data_copy_meta(res, in) != 0)
        goto oom;
    for (int s = 0; s < LT_N_SPLITS; s++) {
        const lt_mat *x = in->split[s].x;
        if (!x)
            continue;
        if (!(res->split[s].x = lt_mat_new(x->rows, x->cols)))
            goto oom;
        apply(a, x, res->split[s].x);
    }
    if (lt_data_copy_rowinfo(res, in) != 0)
        goto oom;
    *out = res;
    return LT_OK;
oom:
    lt_data_free(&res);
    return lt_fail(ctx, LT_ERUNTIME, "out of memory");
}
