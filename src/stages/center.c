/* center: subtract the training mean of each feature from every split. */
#include <stdlib.h>
#include <string.h>

#include "core/dist.h"
#include "latent/stage.h"
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
    const lt_model *saved = lt_ctx_model_in(ctx);
    const double *saved_mean = saved ? lt_model_vec(ctx, saved, "mean_", x->cols) : NULL;
    if (saved && !saved_mean) {
        free(mean);
        return LT_EINPUT;
    }
    if (saved) {
        memcpy(mean, saved_mean, x->cols * sizeof *mean);
    } else if (lt_dist_col_means(inputs[0].data, x, mean) != 0) {
        free(mean);
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    }
    lt_model_put_vec(saved ? NULL : lt_ctx_model_out(ctx), "mean_", mean, x->cols);
    lt_report_vec(ctx, "mean", mean, x->cols);
    struct lt_affine a = {.sub = mean};
    status = lt_affine_apply(ctx, inputs[0].data, &a, &outputs[0].data);
    free(mean);
    return status;
}

static const lt_output outputs_table[] = {
    {"data", LT_DATASET, "every split minus the training mean"},
};

static const lt_metric center_metrics[] = {
    {"mean", "the train split's column means that were subtracted"},
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
    .fits = true,
    .distributed = true,
    .run = center_run,
    .metrics = center_metrics,
    .n_metrics = LT_COUNT(center_metrics),
};
