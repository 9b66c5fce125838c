/* plot.interpolation: images decoded along the straight line between the
 * codings of two inputs (a vae stage's `interpolation`), each labelled with
 * its position alpha from 0 (the first input's coding) to 1 (the second's),
 * as Geron's semantic interpolation figure. */
#include <stdio.h>

#include "stages/plot_mosaic.h"

struct plot_interpolation_config {
    char *title;
    PLOT_OUTPUT_FIELDS;
};

static const lt_param params[] = {
    LT_STRING(struct plot_interpolation_config, title, NULL, LT_NULLABLE,
              "figure title (default: what is shown; \"\" for none)"),
    PLOT_OUTPUT_PARAMS(struct plot_interpolation_config),
};

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs, int n_inputs,
               lt_value *outputs)
{
    (void)n_inputs;
    (void)outputs;
    const struct plot_interpolation_config *cfg = config;
    plot_output out_opts = PLOT_OUTPUT(cfg);
    const lt_data *d = inputs[0].data;
    size_t n;
    int rows, cols;
    int rc = mosaic_images(ctx, d, &n, &rows, &cols);
    if (rc != LT_OK)
        return rc;
    const double *t = d->split[LT_TRAIN].t;
    if (!t)
        return lt_fail(ctx, LT_EINPUT, "the input is not an interpolation: feed this stage "
                       "from a vae stage's interpolation");
    char title[256];
    snprintf(title, sizeof title, "%s",
             cfg->title ? cfg->title : "Decoded along the line between two images' codings");
    int columns = n < 16 ? (int)n : 16;
    lt_axes *ax;
    lt_figure *fig = mosaic_figure(ctx, &out_opts, d, n, rows, cols, columns, 90, 0, 0.35, title, &ax);
    if (!fig)
        return LT_ERUNTIME;
    double ratio = (double)(rows + 2) / (double)(cols + 2);
    size_t grid_rows = (n + (size_t)columns - 1) / (size_t)columns;
    for (size_t k = 0; k < n; k++) {
        char label[32];
        snprintf(label, sizeof label, "%.2f", t[k]);
        double y = (double)(grid_rows - k / (size_t)columns - 1) * ratio;
        lt_axes_text(ax, (double)(k % (size_t)columns) + 0.5, y - 0.02, label, 9, LT_CENTER,
                     LT_TOP, NULL);
    }
    lt_report_int(ctx, "n_images", (long long)n);
    rc = plot_save(ctx, fig, &out_opts);
    lt_figure_free(&fig);
    return rc;
}

static const lt_metric plot_interpolation_metrics[] = {
    {"file", "the figure's file"},
    {"n_images", "images drawn"},
};

const lt_stage_def plot_interpolation_stage = {
    .abi = LT_ABI_VERSION,
    .name = "plot.interpolation",
    .summary = "images decoded along the line between two inputs' codings (a vae stage's "
               "interpolation)",
    .params = params,
    .n_params = LT_COUNT(params),
    .metrics = plot_interpolation_metrics,
    .n_metrics = LT_COUNT(plot_interpolation_metrics),
    .config_size = sizeof(struct plot_interpolation_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .accepts_f32 = true,
    .run = run,
};
