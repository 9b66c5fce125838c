/* plot.projection: the lecture's reconstruction of 2-D points from one
 * principal component, x ~ mu + <x - mu, v> v, drawn as the points, their
 * projections on the component's line and the residual between them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "math/pca2.h"
#include "stages/plot_common.h"

/* More residual segments than this turn into a grey smear. */
#define MAX_SEGMENTS 300

struct plot_projection_config {
    int component;
    int split;
    char *title;
    PLOT_OUTPUT_FIELDS;
};

#define CFG struct plot_projection_config
static const lt_param params[] = {
    LT_INT(CFG, component, 0, 0, 1, 0,
           "principal component to project on: 0 (most variance) or 1"),
    LT_CHOICE(CFG, split, "train", plot_split_choices,
              "rows to draw: train, valid, test, or all splits together"),
    LT_STRING(CFG, title, NULL, LT_NULLABLE, "title (default: the stage's name)"),
    PLOT_OUTPUT_PARAMS(CFG),
};
#undef CFG

typedef struct projection {
    double *px, *py;           /* n projected points */
    double *sx0, *sy0, *sx1, *sy1; /* sampled residual segments */
    size_t n_segments;
    double lo, hi;             /* range of the scores */
    double mse;                /* mean squared distance x to projection: the
                                  lecture's reconstruction error J */
} projection;

static void projection_free(projection *p)
{
    free(p->px);
    free(p->py);
    free(p->sx0);
    free(p->sy0);
    free(p->sx1);
    free(p->sy1);
}

static int project(const plot_rows *r, const lt_pca2 *pca, int k, projection *p)
{
    size_t n = r->n, stride = (n + MAX_SEGMENTS - 1) / MAX_SEGMENTS;
    size_t m = (n + stride - 1) / stride;
    p->px = malloc(n * sizeof *p->px);
    p->py = malloc(n * sizeof *p->py);
    p->sx0 = malloc(m * sizeof *p->sx0);
    p->sy0 = malloc(m * sizeof *p->sy0);
    p->sx1 = malloc(m * sizeof *p->sx1);
    p->sy1 = malloc(m * sizeof *p->sy1);
    if (!p->px || !p->py || !p->sx0 || !p->sy0 || !p->sx1 || !p->sy1)
        return -1;
    const double *v = pca->component[k];
    p->lo = INFINITY;
    p->hi = -INFINITY;
    double sum_sq = 0;
    for (size_t i = 0; i < n; i++) {
        double s = lt_pca2_score(pca, k, r->x[i], r->y[i]);
        p->px[i] = pca->mean[0] + s * v[0];
        p->py[i] = pca->mean[1] + s * v[1];
        double dx = r->x[i] - p->px[i], dy = r->y[i] - p->py[i];
        sum_sq += dx * dx + dy * dy;
        p->lo = fmin(p->lo, s);
        p->hi = fmax(p->hi, s);
        if (i % stride == 0) {
            p->sx0[p->n_segments] = r->x[i];
            p->sy0[p->n_segments] = r->y[i];
            p->sx1[p->n_segments] = p->px[i];
            p->sy1[p->n_segments] = p->py[i];
            p->n_segments++;
        }
    }
    p->mse = sum_sq / (double)n;
    return 0;
}

static void draw(lt_axes *ax, const plot_rows *r, const lt_pca2 *pca, int k,
                 const projection *p)
{
    const double *v = pca->component[k];
    char line_label[96], proj_label[96];
    snprintf(line_label, sizeof line_label, "PC%d line (%.1f%% of the variance)", k + 1,
             100 * pca->ratio[k]);
    /* Subscript digits, as the lecture writes v_0. */
    const char *sub = k ? "\u2081" : "\u2080";
    snprintf(proj_label, sizeof proj_label,
             "\u03bc + \u27e8x \u2212 \u03bc, v%s\u27e9 v%s", sub, sub);
    double size = plot_marker_size(r->n);

    lt_axes_segments(ax, p->sx0, p->sy0, p->sx1, p->sy1, p->n_segments,
                     &(lt_style){.color = lt_rgb_hex(0x7f7f7f), .alpha = 0.6,
                                 .line_width = 0.8, .label = "residual"});
    lt_axes_scatter(ax, r->x, r->y, r->n,
                    &(lt_style){.color = lt_color_cycle(0), .alpha = 0.5,
                                .marker_size = size, .label = "data"});
    /* The line spans the projections with a little to spare at each end. */
    double pad = 0.08 * (p->hi - p->lo);
    double lx[2] = {pca->mean[0] + (p->lo - pad) * v[0], pca->mean[0] + (p->hi + pad) * v[0]};
    double ly[2] = {pca->mean[1] + (p->lo - pad) * v[1], pca->mean[1] + (p->hi + pad) * v[1]};
    lt_axes_plot(ax, lx, ly, 2,
                 &(lt_style){.color = LT_COLOR_BLACK, .line_width = 1.2,
                             .label = line_label});
    lt_axes_scatter(ax, p->px, p->py, r->n,
                    &(lt_style){.color = lt_color_cycle(1), .alpha = 0.7,
                                .marker_size = size * 0.75, .label = proj_label});
    lt_axes_scatter(ax, &pca->mean[0], &pca->mean[1], 1,
                    &(lt_style){.color = LT_COLOR_BLACK, .marker = LT_MARKER_PLUS,
                                .marker_size = 12, .label = "mean \u03bc"});
}

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs,
               int n_inputs, lt_value *outputs)
{
    (void)n_inputs;
    (void)outputs;
    const struct plot_projection_config *cfg = config;
    const lt_data *d = inputs[0].data;
    if (d->n_features != 2)
        return lt_fail(ctx, LT_EINPUT,
                       "the input has %zu columns but this plot needs 2-D points: "
                       "reduce it first, e.g. with a pca of n_components: 2",
                       d->n_features);
    if (cfg->component < 0 || cfg->component > 1)
        return lt_fail(ctx, LT_EINPUT, "component is %d but 2-D points have "
                                       "components 0 and 1", cfg->component);
    plot_rows r;
    int rc = plot_rows_gather(ctx, d, cfg->split, 0, 1, &r);
    if (rc != LT_OK)
        return rc;
    lt_pca2 pca;
    if (lt_pca2_fit(r.x, r.y, r.n, &pca) != 0) {
        plot_rows_free(&r);
        return lt_fail(ctx, LT_EINPUT,
                       "the projection needs at least 2 points with finite "
                       "coordinates, got %zu rows", r.n);
    }

    projection p = {0};
    plot_output out_opts = PLOT_OUTPUT(cfg);
    int fig_status = LT_OK;
    lt_figure *fig = plot_figure_new(ctx, &out_opts, 800, 600, 1, 1, false, &fig_status);
    if (!fig) {
        rc = fig_status;
        goto done;
    }
    if (project(&r, &pca, cfg->component, &p) != 0) {
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    lt_axes *ax = lt_figure_axes(fig, 0);
    char xname[128], yname[128];
    lt_axes_set_title(ax, cfg->title ? cfg->title : lt_ctx_stage(ctx));
    lt_axes_set_xlabel(ax, plot_column_name(d, 0, xname, sizeof xname));
    lt_axes_set_ylabel(ax, plot_column_name(d, 1, yname, sizeof yname));
    lt_axes_set_grid(ax, true);
    lt_axes_set_equal(ax, true);
    lt_axes_set_legend(ax, LT_LEGEND_BEST);
    draw(ax, &r, &pca, cfg->component, &p);

    lt_report_vec(ctx, "mean", pca.mean, 2);
    lt_report_vec(ctx, "component", pca.component[cfg->component], 2);
    lt_report_num(ctx, "explained_variance_ratio", pca.ratio[cfg->component]);
    lt_report_num(ctx, "reconstruction_error", p.mse);
    rc = plot_save(ctx, fig, &out_opts);
done:
    projection_free(&p);
    lt_figure_free(&fig);
    plot_rows_free(&r);
    return rc;
}

static const lt_metric plot_projection_metrics[] = {
    {"file", "the figure's file"},
    {"mean", "the data's mean"},
    {"component", "the drawn principal axis (unit vector)"},
    {"explained_variance_ratio", "variance share of the drawn axis"},
    {"reconstruction_error", "mean squared distance of the points to their projections"},
};

const lt_stage_def plot_projection_stage = {
    .abi = LT_ABI_VERSION,
    .name = "plot.projection",
    .summary = "2-D points, their projections on one principal component and "
               "the residuals",
    .params = params,
    .n_params = LT_COUNT(params),
    .config_size = sizeof(struct plot_projection_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .run = run,
    .metrics = plot_projection_metrics,
    .n_metrics = LT_COUNT(plot_projection_metrics),
};
