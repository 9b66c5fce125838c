/* plot.latent_grid: a 2-D latent space as the decoder sees it, the images
 * a vae stage's `latent_grid` output decoded over a grid of codings at the
 * normal quantiles, z1 growing to the right and z2 upwards, each axis
 * labelled with its z values (the Keras VAE example's plot_latent_space,
 * with Geron's quantile spacing, so that each tile stands for an equal
 * share of the prior). */
#include <math.h>
#include <stdio.h>

#include "stages/plot_mosaic.h"
#include "stages/vae.h"

struct plot_latent_grid_config {
    char *title;
    PLOT_OUTPUT_FIELDS;
};

static const lt_param params[] = {
    LT_STRING(struct plot_latent_grid_config, title, NULL, LT_NULLABLE,
              "figure title (default: what is shown; \"\" for none)"),
    PLOT_OUTPUT_PARAMS(struct plot_latent_grid_config),
};

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs, int n_inputs,
               lt_value *outputs)
{
    (void)n_inputs;
    (void)outputs;
    const struct plot_latent_grid_config *cfg = config;
    plot_output out_opts = PLOT_OUTPUT(cfg);
    const lt_data *d = inputs[0].data;
    size_t n;
    int rows, cols;
    int rc = mosaic_images(ctx, d, &n, &rows, &cols);
    if (rc != LT_OK)
        return rc;
    size_t g = (size_t)lround(sqrt((double)n));
    if (g * g != n || !d->split[LT_TRAIN].t)
        return lt_fail(ctx, LT_EINPUT, "the input is not a latent grid: feed this stage from "
                       "a vae stage's latent_grid");
    char title[256];
    snprintf(title, sizeof title, "%s",
             cfg->title ? cfg->title
                        : "The decoder over the 2-D latent space (z at the normal quantiles)");
    lt_axes *ax;
    lt_figure *fig = mosaic_figure(ctx, &out_opts, d, n, rows, cols, (int)g, g > 12 ? 56 : 72, 1.3, 0.7,
                                   title, &ax);
    if (!fig)
        return LT_ERUNTIME;
    double ratio = (double)(rows + 2) / (double)(cols + 2);
    size_t every = g > 16 ? 2 : 1;
    for (size_t k = 0; k < g; k += every) {
        char z[32];
        double q = vae_normal_quantile(((double)k + 0.5) / (double)g);
        snprintf(z, sizeof z, "%.2f", q);
        lt_axes_text(ax, (double)k + 0.5, -0.1, z, 8, LT_CENTER, LT_TOP, NULL);
        lt_axes_text(ax, -0.1, ((double)k + 0.5) * ratio, z, 8, LT_RIGHT, LT_MIDDLE, NULL);
    }
    lt_axes_text(ax, (double)g / 2, -0.45, "z[0]", 10, LT_CENTER, LT_TOP, NULL);
    lt_axes_text(ax, -1.25, (double)g * ratio / 2, "z[1]", 10, LT_LEFT, LT_MIDDLE, NULL);
    lt_report_int(ctx, "grid_size", (long long)g);
    rc = plot_save(ctx, fig, &out_opts);
    lt_figure_free(&fig);
    return rc;
}

static const lt_metric plot_latent_grid_metrics[] = {
    {"file", "the figure's file"},
    {"grid_size", "tiles along each axis"},
};

const lt_stage_def plot_latent_grid_stage = {
    .abi = LT_ABI_VERSION,
    .name = "plot.latent_grid",
    .summary = "a 2-D latent space: the decoder's images over a grid of codings at the normal "
               "quantiles (a vae stage's latent_grid)",
    .params = params,
    .n_params = LT_COUNT(params),
    .metrics = plot_latent_grid_metrics,
    .n_metrics = LT_COUNT(plot_latent_grid_metrics),
    .config_size = sizeof(struct plot_latent_grid_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .accepts_f32 = true,
    .run = run,
};
