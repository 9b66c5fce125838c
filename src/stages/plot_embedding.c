/* plot.embedding: 2-D embeddings (kernel PCA, t-SNE, ...) as scatter plots,
 * coloured by class with a legend or by the per-row value (e.g. the swiss
 * roll's t) with a colour bar.
 *
 * Inputs: 1 to 4 embeddings, one panel each, side by side (titles from the
 * `titles` parameter, else the inputs' stage names). With
 * thumbnails: true it takes exactly two, [embedding, images]: the embedding
 * and the image dataset it was computed from (same splits, same rows), and
 * draws small grayscale images at well-separated points, framed in their
 * class colour, as the lecture's "visualize in a nicer way" cell does: the
 * embedding is scaled to [0, 1] by its overall minimum and maximum, and
 * going through the rows in order an image is drawn where its squared
 * distance to every image drawn so far (and to the corner (1, 1), where the
 * lecture's list starts) exceeds `spacing`. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stages/plot_common.h"

#define MAX_PANELS 4

enum { COLOR_AUTO, COLOR_LABEL, COLOR_VALUE, COLOR_NONE };
static const char *const color_choices[] = {"auto", "label", "value", "none", NULL};

struct plot_embedding_config {
    int split;
    int x, y;
    int color;
    char *title;
    char *titles;
    char *xlabel, *ylabel;
    char *value_label;
    bool equal;
    double alpha;
    bool thumbnails;
    double spacing;
    double thumbnail_size;
    PLOT_OUTPUT_FIELDS;
};

#define CFG struct plot_embedding_config
static const lt_param params[] = {
    LT_CHOICE(CFG, split, "train", plot_split_choices,
              "rows to draw: train, valid, test, or all splits together"),
    LT_INT(CFG, x, 0, 0, 1e9, 0, "embedding column on the horizontal axis"),
    LT_INT(CFG, y, 1, 0, 1e9, 0, "embedding column on the vertical axis"),
    LT_CHOICE(CFG, color, "auto", color_choices,
              "label: by class, with a legend; value: by the per-row value (such as "
              "the swiss roll's t), with a colour bar; auto: label when the data have "
              "labels, else value when they have values, else none"),
    LT_STRING(CFG, title, NULL, LT_NULLABLE,
              "figure title (default: the stage's name)"),
    LT_STRING(CFG, titles, NULL, LT_NULLABLE,
              "one title per panel, separated by '|', e.g. \"linear|rbf|sigmoid\" "
              "(default: each input's stage name)"),
    LT_STRING(CFG, xlabel, NULL, LT_NULLABLE,
              "x axis label (default: the column's name, such as KPC1)"),
    LT_STRING(CFG, ylabel, NULL, LT_NULLABLE,
              "y axis label (default: the column's name)"),
    LT_STRING(CFG, value_label, "value", 0, "label of the colour bar when colouring by value"),
    LT_BOOL(CFG, equal, false, "one data unit as long on both axes"),
    LT_REAL(CFG, alpha, 0.6, 0, 1, LT_MIN_OPEN, "opacity of the points"),
    LT_BOOL(CFG, thumbnails, false,
            "draw image thumbnails at well-separated points; needs the inputs "
            "[embedding, images]"),
    LT_REAL(CFG, spacing, 0.02, 0, 2, LT_MIN_OPEN,
            "thumbnails: the smallest squared distance between two of them, in "
            "embedding coordinates scaled to [0, 1] (the lecture's 0.02)"),
    LT_REAL(CFG, thumbnail_size, 14, 1, 500, 0, "thumbnails: width in points"),
    PLOT_OUTPUT_PARAMS(CFG),
};
#undef CFG

static int check(lt_ctx *ctx, const void *config)
{
    const struct plot_embedding_config *cfg = config;
    if (cfg->titles && cfg->thumbnails)
        return lt_fail_param(ctx, LT_EINPUT, "titles",
                       "titles names the panels of several embeddings, but thumbnails "
                       "draw one: use title");
    return LT_OK;
}

/* The title of panel I from "a|b|c" into buf; without titles, the name of
 * the stage the panel's input comes from. */
static const char *panel_title(const lt_ctx *ctx, const char *titles, int i, char *buf, size_t size)
{
    const char *from = lt_ctx_input_name(ctx, i);
    snprintf(buf, size, "%s", titles || !from ? "" : from);
    for (int k = 0; titles && k < i; k++) {
        titles = strchr(titles, '|');
        if (titles)
            titles++;
    }
    if (titles) {
        size_t len = strcspn(titles, "|");
        snprintf(buf, size, "%.*s", (int)len, titles);
    }
    return buf;
}

static int count_titles(const char *titles)
{
    int n = 1;
    for (; *titles; titles++)
        n += *titles == '|';
    return n;
}

static void value_range(const plot_rows *r, double *lo, double *hi)
{
    for (size_t i = 0; i < r->n; i++)
        if (isfinite(r->t[i])) {
            *lo = fmin(*lo, r->t[i]);
            *hi = fmax(*hi, r->t[i]);
        }
}

/* Row ROW (counted over the splits the plot draws, in split order) of the
 * image dataset, as doubles into out. */
static void image_row(const lt_data *images, int split, size_t row, double *out)
{
    int first = split == PLOT_SPLIT_ALL ? 0 : split;
    for (int s = first; s < LT_N_SPLITS; s++) {
        const lt_mat *m = images->split[s].x;
        if (!m)
            continue;
        if (row < m->rows) {
            for (size_t j = 0; j < m->cols; j++)
                out[j] = m->v ? m->v[row * m->cols + j] : (double)m->f[row * m->cols + j];
            return;
        }
        row -= m->rows;
    }
}

/* The rows of IMAGES the plot would draw: NULL when they match the
 * embedding's, else why not. */
static const char *images_mismatch(const lt_data *images, const lt_data *emb, int split,
                                   char *buf, size_t size)
{
    if (images->image_rows <= 0 || images->image_cols <= 0)
        return "the second input holds no images (its rows have no image shape)";
    int first = split == PLOT_SPLIT_ALL ? 0 : split;
    int last = split == PLOT_SPLIT_ALL ? LT_N_SPLITS - 1 : split;
    for (int s = first; s <= last; s++) {
        size_t a = lt_data_rows(emb, s), b = lt_data_rows(images, s);
        if (a != b) {
            snprintf(buf, size,
                     "the %s split has %zu rows in the embedding but %zu in the images: "
                     "give the image dataset the embedding was computed from",
                     lt_split_name(s), a, b);
            return buf;
        }
    }
    return NULL;
}

/* Limits with room for the cards around the outermost points: matplotlib's
 * 5% margin plus half a card, the card's share of the panel estimated from
 * the figure's width (the panel takes about 85% of it). */
static void make_room(lt_axes *ax, const plot_rows *r, double card_px, double width_px)
{
    double ext[4] = {INFINITY, -INFINITY, INFINITY, -INFINITY};
    for (size_t i = 0; i < r->n; i++)
        if (isfinite(r->x[i]) && isfinite(r->y[i])) {
            ext[0] = fmin(ext[0], r->x[i]);
            ext[1] = fmax(ext[1], r->x[i]);
            ext[2] = fmin(ext[2], r->y[i]);
            ext[3] = fmax(ext[3], r->y[i]);
        }
    if (!(ext[0] < ext[1]) || !(ext[2] < ext[3]))
        return;
    double margin = 0.05 + 0.5 * card_px / (0.85 * width_px);
    double dx = margin * (ext[1] - ext[0]), dy = margin * (ext[3] - ext[2]);
    lt_axes_set_xlim(ax, ext[0] - dx, ext[1] + dx);
    lt_axes_set_ylim(ax, ext[2] - dy, ext[3] + dy);
}

/* Thumbnails at well-separated points; returns how many were drawn. */
static size_t draw_thumbnails(lt_axes *ax, const plot_rows *r, const lt_data *images,
                              int split, double spacing, double size_pt, double *pixels)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < r->n; i++)
        if (isfinite(r->x[i]) && isfinite(r->y[i])) {
            lo = fmin(lo, fmin(r->x[i], r->y[i]));
            hi = fmax(hi, fmax(r->x[i], r->y[i]));
        }
    double span = hi > lo ? hi - lo : 1;
    /* Scaled positions of the thumbnails so far, after the lecture's (1, 1). */
    double *kept = malloc(2 * (r->n + 1) * sizeof *kept);
    if (!kept)
        return 0;
    size_t n_kept = 1, drawn = 0;
    kept[0] = kept[1] = 1;
    for (size_t i = 0; i < r->n; i++) {
        if (!isfinite(r->x[i]) || !isfinite(r->y[i]))
            continue;
        double u = (r->x[i] - lo) / span, v = (r->y[i] - lo) / span;
        double nearest = INFINITY;
        for (size_t j = 0; j < n_kept; j++) {
            double du = u - kept[2 * j], dv = v - kept[2 * j + 1];
            nearest = fmin(nearest, du * du + dv * dv);
        }
        if (!(nearest > spacing))
            continue;
        kept[2 * n_kept] = u;
        kept[2 * n_kept + 1] = v;
        n_kept++;
        image_row(images, split, i, pixels);
        lt_style frame = {.color = r->label ? lt_color_cycle(r->label[i]) : LT_COLOR_BLACK};
        lt_axes_thumbnail(ax, r->x[i], r->y[i], pixels, images->image_rows,
                          images->image_cols, size_pt, &frame);
        drawn++;
    }
    free(kept);
    return drawn;
}

struct panel {
    const lt_data *d;
    plot_rows rows;
};

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs,
               int n_inputs, lt_value *outputs)
{
    (void)outputs;
    const struct plot_embedding_config *cfg = config;
    int n_panels = cfg->thumbnails ? 1 : n_inputs;
    if (cfg->thumbnails && n_inputs != 2)
        return lt_fail(ctx, LT_EINPUT,
                       "thumbnails need two inputs, [embedding, images], got %d", n_inputs);
    if (cfg->titles && count_titles(cfg->titles) != n_panels)
        return lt_fail(ctx, LT_EINPUT, "titles has %d entries for %d panel%s",
                       count_titles(cfg->titles), n_panels, n_panels == 1 ? "" : "s");

    struct panel panels[MAX_PANELS] = {{0}};
    lt_data *owned[MAX_PANELS] = {0}; /* float64 copies of float32 embeddings */
    lt_figure *fig = NULL;
    double *bx = NULL, *by = NULL, *pixels = NULL;
    int rc = LT_OK;
    size_t most = 0;
    for (int p = 0; p < n_panels && rc == LT_OK; p++) {
        panels[p].d = inputs[p].data;
        if (lt_data_has_f32(inputs[p].data)) {
            char why[256];
            if (!(owned[p] = lt_data_to_f64(inputs[p].data, why, sizeof why))) {
                rc = lt_fail(ctx, LT_ERUNTIME, "%s", why);
                break;
            }
            panels[p].d = owned[p];
        }
        rc = plot_rows_gather(ctx, panels[p].d, cfg->split, cfg->x, cfg->y, &panels[p].rows);
        if (rc == LT_OK && panels[p].rows.n > most)
            most = panels[p].rows.n;
    }
    if (rc != LT_OK)
        goto done;

    /* One colouring for the whole figure, so the panels compare. */
    int color = cfg->color;
    bool labels = true, values = true;
    for (int p = 0; p < n_panels; p++) {
        labels = labels && panels[p].rows.label;
        values = values && panels[p].rows.t;
    }
    if (color == COLOR_AUTO)
        color = labels ? COLOR_LABEL : values ? COLOR_VALUE : COLOR_NONE;
    if ((color == COLOR_LABEL && !labels) || (color == COLOR_VALUE && !values)) {
        rc = lt_fail(ctx, LT_EINPUT,
                     "color is '%s' but %s input has no per-row %s: use auto or none",
                     color_choices[color], n_panels == 1 ? "the" : "an",
                     color == COLOR_LABEL ? "labels" : "values");
        goto done;
    }
    const lt_data *images = cfg->thumbnails ? inputs[1].data : NULL;
    char why[256];
    const char *mismatch =
        images ? images_mismatch(images, panels[0].d, cfg->split, why, sizeof why) : NULL;
    if (mismatch) {
        rc = lt_fail(ctx, LT_EINPUT, "%s", mismatch);
        goto done;
    }

    int width = cfg->thumbnails ? 1000 : n_panels == 1 ? 800 : 440 * n_panels + 80;
    int height = cfg->thumbnails ? 800 : n_panels == 1 ? 600 : 480;
    plot_output out_opts = PLOT_OUTPUT(cfg);
    int fig_status = LT_OK;
    fig = plot_figure_new(ctx, &out_opts, width, height, 1, n_panels, false, &fig_status);
    bx = malloc(most * sizeof *bx);
    by = malloc(most * sizeof *by);
    pixels = images ? malloc((size_t)images->image_rows * (size_t)images->image_cols *
                             sizeof *pixels)
                    : NULL;
    if (!fig) {
        rc = fig_status;
        goto done;
    }
    if (!bx || !by || (images && !pixels)) {
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    const char *title = cfg->title ? cfg->title : lt_ctx_stage(ctx);
    if (n_panels > 1)
        lt_figure_set_title(fig, title);
    double lo = INFINITY, hi = -INFINITY;
    for (int p = 0; color == COLOR_VALUE && p < n_panels; p++)
        value_range(&panels[p].rows, &lo, &hi);
    if (!(lo <= hi))
        lo = 0, hi = 1;

    size_t thumbs = 0;
    for (int p = 0; p < n_panels; p++) {
        const plot_rows *r = &panels[p].rows;
        const lt_data *d = panels[p].d;
        lt_axes *ax = lt_figure_axes(fig, p);
        bool last = p == n_panels - 1;
        char buf[256];
        lt_axes_set_title(ax, n_panels > 1 ? panel_title(ctx, cfg->titles, p, buf, sizeof buf)
                              : cfg->titles ? cfg->titles : title);
        lt_axes_set_xlabel(ax, cfg->xlabel ? cfg->xlabel
                                           : plot_column_name(d, cfg->x, buf, sizeof buf));
        lt_axes_set_ylabel(ax, cfg->ylabel ? cfg->ylabel
                                           : plot_column_name(d, cfg->y, buf, sizeof buf));
        lt_axes_set_grid(ax, !cfg->thumbnails);
        lt_axes_set_equal(ax, cfg->equal);
        lt_style points = {.alpha = cfg->alpha, .marker_size = plot_marker_size(r->n)};
        if (color == COLOR_LABEL) {
            /* One legend, on the last panel: the classes are the same. */
            plot_draw_by_label(ax, d, r, points, bx, by, last);
            if (last)
                lt_axes_set_legend(ax, LT_LEGEND_BEST);
        } else if (color == COLOR_VALUE) {
            lt_axes_scatter_values(ax, r->x, r->y, r->t, r->n, lo, hi, &points);
            if (last)
                lt_axes_set_colorbar(ax, lo, hi, cfg->value_label);
        } else {
            lt_axes_scatter(ax, r->x, r->y, r->n, &points);
        }
        if (images) {
            thumbs = draw_thumbnails(ax, r, images, cfg->split, cfg->spacing,
                                     cfg->thumbnail_size, pixels);
            make_room(ax, r, 1.3 * cfg->thumbnail_size * lt_figure_scale(fig), width);
        }
    }
    lt_report_int(ctx, "panels", n_panels);
    lt_report_str(ctx, "color", color_choices[color]);
    if (images)
        lt_report_int(ctx, "thumbnails", (long long)thumbs);
    rc = plot_save(ctx, fig, &out_opts);
done:
    for (int p = 0; p < MAX_PANELS; p++) {
        plot_rows_free(&panels[p].rows);
        lt_data_free(&owned[p]);
    }
    free(bx);
    free(by);
    free(pixels);
    lt_figure_free(&fig);
    return rc;
}

static const lt_metric plot_embedding_metrics[] = {
    {"file", "the figure's file"},
    {"panels", "panels drawn"},
    {"color", "what colours the points"},
    {"thumbnails", "image thumbnails drawn (with images)"},
};

const lt_stage_def plot_embedding_stage = {
    .abi = LT_ABI_VERSION,
    .name = "plot.embedding",
    .summary = "2-D embeddings side by side, coloured by class or value, optionally "
               "with image thumbnails",
    .params = params,
    .n_params = LT_COUNT(params),
    .config_size = sizeof(struct plot_embedding_config),
    .min_inputs = 1,
    .max_inputs = MAX_PANELS,
    .accepts_f32 = true,
    .check = check,
    .run = run,
    .metrics = plot_embedding_metrics,
    .n_metrics = LT_COUNT(plot_embedding_metrics),
};
