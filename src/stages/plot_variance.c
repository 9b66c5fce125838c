/* plot.variance: how much of the variance each principal component
 * explains, and how many components a cumulative threshold needs. It reads
 * a decomposition's spectrum output (input: pca.spectrum). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "stages/plot_common.h"

/* Past this many components, markers on the cumulative curve merge into
 * a thick line. */
#define MAX_MARKED 60

struct plot_variance_config {
    double threshold;
    char *title;
    PLOT_OUTPUT_FIELDS;
};

#define CFG struct plot_variance_config
static const lt_param params[] = {
    LT_REAL(CFG, threshold, 0, 0, 1, 0,
            "cumulative explained-variance ratio to mark; 0 takes the one that chose "
            "the decomposition's components (pca's fractional n_components), else 0.95"),
    LT_STRING(CFG, title, NULL, LT_NULLABLE, "title (default: the stage's name)"),
    PLOT_OUTPUT_PARAMS(CFG),
};
#undef CFG

/* scikit-learn's rule for a fractional n_components: one more than the
 * number of cumulative ratios at or below the threshold, at most all. */
static size_t components_for(const double *cumulative, size_t n, double threshold)
{
    size_t below = 0;
    while (below < n && cumulative[below] <= threshold)
        below++;
    return below + 1 < n ? below + 1 : n;
}

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs,
               int n_inputs, lt_value *outputs)
{
    (void)n_inputs;
    (void)outputs;
    const struct plot_variance_config *cfg = config;
    const lt_spectrum *spec = inputs[0].spectrum;
    size_t n = spec->n;
    if (n == 0)
        return lt_fail(ctx, LT_EINPUT, "the input spectrum is empty");
    double threshold = cfg->threshold > 0    ? cfg->threshold
                       : spec->threshold > 0 ? spec->threshold
                                             : 0.95;

    int rc = LT_OK;
    double *index = malloc(n * sizeof *index), *cumulative = malloc(n * sizeof *cumulative);
    plot_output out_opts = PLOT_OUTPUT(cfg);
    int fig_status = LT_OK;
    lt_figure *fig = plot_figure_new(ctx, &out_opts, 800, 600, 1, 1, false, &fig_status);
    if (!fig) {
        rc = fig_status;
        goto done;
    }
    if (!index || !cumulative || !fig) {
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        index[i] = (double)(i + 1);
        sum += spec->ratio[i];
        cumulative[i] = sum;
    }
    size_t k = components_for(cumulative, n, threshold);

    lt_axes *ax = lt_figure_axes(fig, 0);
    lt_axes_set_title(ax, cfg->title ? cfg->title : lt_ctx_stage(ctx));
    lt_axes_set_xlabel(ax, "principal component");
    lt_axes_set_ylabel(ax, "explained variance ratio");
    lt_axes_set_grid(ax, true);
    lt_axes_set_integer_ticks(ax, true, false);
    lt_axes_set_ylim(ax, 0, fmax(1.05, sum * 1.05));
    lt_axes_set_legend(ax, LT_LEGEND_BEST);

    char threshold_label[64], k_label[64];
    snprintf(threshold_label, sizeof threshold_label, "threshold %g%%", 100 * threshold);
    snprintf(k_label, sizeof k_label, "%zu component%s reach it (%.1f%%)", k,
             k == 1 ? "" : "s", 100 * cumulative[k - 1]);
    lt_axes_bars(ax, index, spec->ratio, n, 0.8,
                 &(lt_style){.color = lt_color_cycle(0), .alpha = 0.85,
                             .label = "per component"});
    lt_axes_plot(ax, index, cumulative, n,
                 &(lt_style){.color = lt_color_cycle(1), .line_width = 2,
                             .marker = n <= MAX_MARKED ? LT_MARKER_CIRCLE : LT_MARKER_NONE,
                             .marker_size = 5, .label = "cumulative"});
    lt_axes_hline(ax, threshold,
                  &(lt_style){.color = lt_rgb_hex(0x555555), .dash = LT_DASH_DASHED,
                              .line_width = 1.2, .label = threshold_label});
    lt_axes_vline(ax, (double)k,
                  &(lt_style){.color = lt_color_cycle(2), .dash = LT_DASH_DASHDOT,
                              .line_width = 1.2, .label = k_label});

    lt_report_num(ctx, "threshold", threshold);
    lt_report_int(ctx, "n_components", (long long)k);
    rc = plot_save(ctx, fig, &out_opts);
done:
    free(index);
    free(cumulative);
    lt_figure_free(&fig);
    return rc;
}

static const lt_metric plot_variance_metrics[] = {
    {"file", "the figure's file"},
    {"threshold", "the variance share drawn as a cut"},
    {"n_components", "components the cut keeps"},
};

const lt_stage_def plot_variance_stage = {
    .abi = LT_ABI_VERSION,
    .name = "plot.variance",
    .summary = "explained variance ratio per principal component, cumulative "
               "curve and threshold",
    .params = params,
    .n_params = LT_COUNT(params),
    .config_size = sizeof(struct plot_variance_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .reads = LT_READS(LT_SPECTRUM),
    .run = run,
    .metrics = plot_variance_metrics,
    .n_metrics = LT_COUNT(plot_variance_metrics),
};
