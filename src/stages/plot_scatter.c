/* plot.scatter: two columns of a split against each other, coloured by
 * class or by a per-row value, optionally with the principal axes of the points. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "math/pca2.h"
#include "stages/plot_common.h"

enum { COLOR_LABEL, COLOR_NONE, COLOR_VALUE };
static const char *const color_choices[] = {"label", "none", "value", NULL};

struct plot_scatter_config {
    int split;
    int x, y;
    int color;
    bool axes;
    bool equal;
    char *title, *xlabel, *ylabel;
    double alpha;
    PLOT_OUTPUT_FIELDS;
};

#define CFG struct plot_scatter_config
static const lt_param params[] = {
    LT_CHOICE(CFG, split, "train", plot_split_choices,
              "rows to draw: train, valid, test, or all splits together"),
    LT_INT(CFG, x, 0, 0, 1e9, 0, "column on the horizontal axis"),
    LT_INT(CFG, y, 1, 0, 1e9, 0, "column on the vertical axis"),
    LT_CHOICE(CFG, color, "label", color_choices,
              "colour by class label (one colour when the data have none), by "
              "the per-row value, or not at all"),
    LT_BOOL(CFG, axes, false,
            "draw the points' principal axes through their mean, 2 standard "
            "deviations each way (off by default: on a projection that is "
            "already PCA's, they only redraw the plot's own axes)"),
    LT_BOOL(CFG, equal, true, "one data unit as long on both axes"),
    LT_STRING(CFG, title, NULL, LT_NULLABLE, "title (default: the stage's name)"),
    LT_STRING(CFG, xlabel, NULL, LT_NULLABLE,
              "x axis label (default: the column's feature name, or x<column>)"),
    LT_STRING(CFG, ylabel, NULL, LT_NULLABLE,
              "y axis label (default: the column's feature name, or x<column>)"),
    LT_REAL(CFG, alpha, 0.5, 0, 1, LT_MIN_OPEN, "opacity of the points"),
    PLOT_OUTPUT_PARAMS(CFG),
};
#undef CFG

/* Each principal axis as a line through the mean, 2 sigma each way, with
 * its head on the side scikit-learn's sign convention points to. */
static void draw_axes(lt_axes *ax, const lt_pca2 *p)
{
    for (int k = 0; k < 2; k++) {
        double half = 2 * sqrt(p->variance[k]);
        const double *v = p->component[k];
        double x0 = p->mean[0] - half * v[0], y0 = p->mean[1] - half * v[1];
        double x1 = p->mean[0] + half * v[0], y1 = p->mean[1] + half * v[1];
        lt_style st = {.color = LT_COLOR_BLACK, .alpha = 0.85,
                       .label = k == 0 ? "principal axes (\u00b12\u03c3)" : NULL};
        lt_axes_arrow(ax, x0, y0, x1, y1, &st);
        char name[8];
        snprintf(name, sizeof name, "PC%d", k + 1);
        lt_axes_text(ax, x1 + 0.06 * half * v[0], y1 + 0.06 * half * v[1], name, 10,
                     v[0] >= 0 ? LT_LEFT : LT_RIGHT, v[1] >= 0 ? LT_BOTTOM : LT_TOP,
                     &(lt_style){.color = LT_COLOR_BLACK});
    }
}

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs,
               int n_inputs, lt_value *outputs)
{
    (void)n_inputs;
    (void)outputs;
    const struct plot_scatter_config *cfg = config;
    const lt_data *d = inputs[0].data;
    plot_rows r;
    int rc = plot_rows_gather(ctx, d, cfg->split, cfg->x, cfg->y, &r);
    if (rc != LT_OK)
        return rc;
    if (cfg->color == COLOR_VALUE && !r.t) {
        plot_rows_free(&r);
        return lt_fail(ctx, LT_EINPUT,
                       "color is 'value' but the input has no per-row values: use "
                       "'label' or 'none'");
    }

    plot_output out_opts = PLOT_OUTPUT(cfg);

    int fig_status = LT_OK;

    lt_figure *fig = plot_figure_new(ctx, &out_opts, 800, 600, 1, 1, false, &fig_status);
    double *bx = malloc(r.n * sizeof *bx), *by = malloc(r.n * sizeof *by);
    if (!fig) {
        rc = fig_status;
        goto done;
    }
    if (!bx || !by) {
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    lt_axes *ax = lt_figure_axes(fig, 0);
    char xname[128], yname[128];
    lt_axes_set_title(ax, cfg->title ? cfg->title : lt_ctx_stage(ctx));
    lt_axes_set_xlabel(ax, cfg->xlabel ? cfg->xlabel
                                       : plot_column_name(d, cfg->x, xname, sizeof xname));
    lt_axes_set_ylabel(ax, cfg->ylabel ? cfg->ylabel
                                       : plot_column_name(d, cfg->y, yname, sizeof yname));
    lt_axes_set_grid(ax, true);
    lt_axes_set_equal(ax, cfg->equal);
    lt_axes_set_legend(ax, LT_LEGEND_BEST);

    lt_style points = {.alpha = cfg->alpha, .marker_size = plot_marker_size(r.n)};
    char what[64];
    snprintf(what, sizeof what, "%s (%zu points)", plot_split_choices[cfg->split], r.n);
    if (cfg->color == COLOR_LABEL && r.label) {
        plot_draw_by_label(ax, d, &r, points, bx, by, true);
    } else if (cfg->color == COLOR_VALUE) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < r.n; i++)
            if (isfinite(r.t[i])) {
                lo = fmin(lo, r.t[i]);
                hi = fmax(hi, r.t[i]);
            }
        if (!(lo <= hi))
            lo = 0, hi = 1;
        lt_axes_scatter_values(ax, r.x, r.y, r.t, r.n, lo, hi, &points);
        lt_axes_set_colorbar(ax, lo, hi, "value");
    } else {
        points.label = what;
        lt_axes_scatter(ax, r.x, r.y, r.n, &points);
    }

    if (cfg->axes) {
        lt_pca2 p;
        if (lt_pca2_fit(r.x, r.y, r.n, &p) == 0) {
            draw_axes(ax, &p);
            lt_report_vec(ctx, "mean", p.mean, 2);
            lt_report_mat(ctx, "components", &p.component[0][0], 2, 2);
            lt_report_vec(ctx, "explained_variance", p.variance, 2);
        } else {
            lt_warn(ctx, "no principal axes: they need at least 2 points with finite "
                         "coordinates");
        }
    }
    rc = plot_save(ctx, fig, &out_opts);
done:
    free(bx);
    free(by);
    lt_figure_free(&fig);
    plot_rows_free(&r);
    return rc;
}

static const lt_metric plot_scatter_metrics[] = {
    {"file", "the figure's file"},
    {"mean", "the points' mean (with axes)"},
    {"components", "the principal axes drawn, one per row (with axes)"},
    {"explained_variance", "variance along each drawn axis (with axes)"},
};

const lt_stage_def plot_scatter_stage = {
    .abi = LT_ABI_VERSION,
    .name = "plot.scatter",
    .summary = "scatter plot of two columns, coloured by class or value, optionally "
               "with principal axes",
    .params = params,
    .n_params = LT_COUNT(params),
    .config_size = sizeof(struct plot_scatter_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .run = run,
    .metrics = plot_scatter_metrics,
    .n_metrics = LT_COUNT(plot_scatter_metrics),
};
