/* plot.samples: a grid of images a generative model drew, such as a vae
 * stage's `samples` (decoded from z ~ N(0, I)), as Geron's plot_multiple_images. */
#include <stdio.h>

#include "stages/plot_mosaic.h"

struct plot_samples_config {
    int columns;
    char *title;
    PLOT_OUTPUT_FIELDS;
};

#define CFG struct plot_samples_config
static const lt_param params[] = {
    LT_INT(CFG, columns, 10, 1, 64, 0, "images per row"),
    LT_STRING(CFG, title, NULL, LT_NULLABLE, "figure title (default: how many; \"\" for none)"),
    PLOT_OUTPUT_PARAMS(CFG),
};
#undef CFG

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs, int n_inputs,
               lt_value *outputs)
{
    (void)n_inputs;
    (void)outputs;
    const struct plot_samples_config *cfg = config;
    plot_output out_opts = PLOT_OUTPUT(cfg);
    size_t n;
    int rows, cols;
    int rc = mosaic_images(ctx, inputs[0].data, &n, &rows, &cols);
    if (rc != LT_OK)
        return rc;
    char title[256];
    snprintf(title, sizeof title, "%s", cfg->title ? cfg->title : "");
    if (!cfg->title)
        snprintf(title, sizeof title, "%zu images decoded from codings drawn from N(0, I)", n);
    int columns = (size_t)cfg->columns < n ? cfg->columns : (int)n;
    lt_axes *ax;
    lt_figure *fig = mosaic_figure(ctx, &out_opts, inputs[0].data, n, rows, cols, columns, 90, 0, 0, title, &ax);
    if (!fig)
        return LT_ERUNTIME;
    lt_report_int(ctx, "n_images", (long long)n);
    rc = plot_save(ctx, fig, &out_opts);
    lt_figure_free(&fig);
    return rc;
}

static const lt_metric plot_samples_metrics[] = {
    {"file", "the figure's file"},
    {"n_images", "images drawn"},
};

const lt_stage_def plot_samples_stage = {
    .abi = LT_ABI_VERSION,
    .name = "plot.samples",
    .summary = "a grid of generated images (a vae stage's samples)",
    .params = params,
    .n_params = LT_COUNT(params),
    .metrics = plot_samples_metrics,
    .n_metrics = LT_COUNT(plot_samples_metrics),
    .config_size = sizeof(struct plot_samples_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .accepts_f32 = true,
    .run = run,
};
