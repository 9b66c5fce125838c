/* Per-column affine maps fitted on train and applied to every split: the
 * shared machinery of center, scaler.standard and scaler.minmax. */
#ifndef LATENT_STAGES_AFFINE_H
#define LATENT_STAGES_AFFINE_H

#include "latent/stage.h"

/* y = ((x - sub) / div) * mul + add per column; a NULL vector is skipped.
 * The order of operations is scikit-learn's, so results agree to the bit. */
struct lt_affine {
    const double *sub, *div, *mul, *add;
};

/* The train split to fit on, or NULL with the error recorded in ctx and
 * its code in *status (no training rows, or a split whose feature count
 * differs from train's). */
const lt_mat *lt_affine_train(lt_ctx *ctx, const lt_data *in, int *status);

/* *out = an owned copy of in (metadata, labels) with the map applied to
 * every split. Returns LT_OK or the lt_fail code. */
int lt_affine_apply(lt_ctx *ctx, const lt_data *in, const struct lt_affine *a,
                    lt_data **out);

#endif
