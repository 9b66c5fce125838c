/* The runner's guard against missing values reaching a stage that cannot
 * take them: NaN flows from `dataset.csv` with `missing: keep` to an impute
 * stage, and nowhere else. */
#ifndef LATENT_CORE_NAN_GUARD_H
#define LATENT_CORE_NAN_GUARD_H

#include "latent/stage.h"

/* Fails the stage of CTX (LT_EINPUT) when value IN, the output of stage
 * FROM, holds a NaN in any split, naming the split, row, column and
 * feature of the first. A held matrix is scanned; a stream only when it
 * says it may hold NaN (lt_stream.may_hold_nan), a batch at a time.
 * Returns LT_OK, or the code recorded. */
int lt_nan_guard(lt_ctx *ctx, const lt_data *in, const char *from);

#endif
