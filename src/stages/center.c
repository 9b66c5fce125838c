/* center: subtract the training mean of each feature from every split. */
#include <stdlib.h>

#include "core/dist.h"
#include "latent/stage.h"
#include "stages/affine.h"

static int center_run(lt_ctx *ctx, const void *config, const lt_data *const *inputs,
                      int n_inputs, lt_data **out)
{
    (void)config;
    (void)n_inputs;
    int status = LT_OK;
    const lt_mat *x = lt_affine_train(ctx, inputs[0], &status);
    if (!x)
        return status;
    double *mean = malloc(x->cols * sizeof *mean + 1);
    if (!mean)
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    if (lt_dist_col_means(inputs[0], x, mean) != 0) {
        free(mean);
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    }
    lt_report_vec(ctx, "mean", mean, x->cols);
    struct lt_affine a = {.sub = mean};
    status = lt_affine_apply(ctx, inputs[0], &a, out);
    free(mean);
    return status;
}

const lt_stage_def center_stage = {
    .abi = LT_ABI_VERSION,
    .name = "center",
    .summary = "subtract the training mean of each feature from every split",
    .config_size = 0,
    .min_inputs = 1,
    .max_inputs = 1,
    .produces = true,
    .distributed = true,
    .run = center_run,
};
