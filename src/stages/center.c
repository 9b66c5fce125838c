/* center: subtract the training mean of each feature from every split. */
#include <stdlib.h>

#include "latent/stage.h"
#include "math/linalg.h"
#include "stages/affine.h"

static int center_run(lt_ctx *ctx, const void *config, const lt_value *inputs,
                      int n_inputs, lt_value *outputs)
{
    (void)config;
    (void)n_inputs;
    int status = LT_OK;
    const lt_mat *x = lt_affine_train(ctx, inputs[0].data, &status);
    if (!x)
        return status;
    double *mean = malloc(x->cols * sizeof *mean + 1);
    if (!mean)
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    lt_col_means(x->v, x->rows, x->cols, mean);
    lt_report_vec(ctx, "mean", mean, x->cols);
    struct lt_affine a = {.sub = mean};
    status = lt_affine_apply(ctx, inputs[0].data, &a, &outputs[0].data);
    free(mean);
    return status;
}

static const lt_output outputs_table[] = {
    {"data", LT_DATASET, "every split minus the training mean"},
};

const lt_stage_def center_stage = {
    .abi = LT_ABI_VERSION,
    .name = "center",
    .summary = "subtract the training mean of each feature from every split",
    .config_size = 0,
    .min_inputs = 1,
    .max_inputs = 1,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .run = center_run,
};
