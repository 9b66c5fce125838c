/* plot.reconstructions: images of a split over their reconstructions, the
 * lecture's show_reconstructions(); with one input, a grid of the images. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "stages/plot_common.h"

#define MAX_PANEL_ROWS 16 /* lt_figure's limit */
#define IMAGE_PX 140      /* about how wide an image is drawn */
#define SCALE (1.25 * 100 / 72) /* pixels per point: matplotlib at 125 dpi */

enum { SPLIT_AUTO = LT_N_SPLITS };
static const char *const split_choices[] = {"train", "valid", "test", "auto", NULL};

struct plot_reconstructions_config {
    int n_images;
    int columns;
    int split;
    int start;
    bool autoscale;
    char *title;
    PLOT_OUTPUT_FIELDS;
};

#define CFG struct plot_reconstructions_config
static const lt_param params[] = {
    LT_INT(CFG, n_images, 5, 1, 128, 0, "how many images to show"),
    LT_INT(CFG, columns, 0, 0, 16, 0, "images per row (0: n_images, at most 10)"),
    LT_CHOICE(CFG, split, "auto", split_choices,
              "split to show: train, valid or test; auto takes valid, else test, "
              "else train"),
    LT_INT(CFG, start, 0, 0, 1e9, 0, "row of the split shown first"),
    LT_BOOL(CFG, autoscale, false,
            "stretch each image's grey levels from its own minimum to maximum "
            "(matplotlib's imshow default) instead of 0 white to 1 black"),
    LT_STRING(CFG, title, NULL, LT_NULLABLE,
              "figure title (default: which images; \"\" for none)"),
    PLOT_OUTPUT_PARAMS(CFG),
};
#undef CFG

/* The split to show, or -1 with an error recorded. */
static int pick_split(lt_ctx *ctx, const lt_data *d, int choice)
{
    static const int fallback[] = {LT_VALID, LT_TEST, LT_TRAIN};
    for (int i = 0; choice == SPLIT_AUTO && i < 3; i++)
        if (d->split[fallback[i]].x)
            return fallback[i];
    if (choice == SPLIT_AUTO)
        lt_fail(ctx, LT_EINPUT, "the input has no splits");
    else if (!d->split[choice].x)
        lt_fail(ctx, LT_EINPUT, "split '%s' is absent from the input", lt_split_name(choice));
    else
        return choice;
    return -1;
}

/* The image shape: the input's, or a square one for a square column count. */
static int image_shape(lt_ctx *ctx, const lt_data *d, size_t cols, int *rows_out,
                       int *cols_out)
{
    int side = (int)lround(sqrt((double)cols));
    if (d->image_rows > 0 && d->image_cols > 0) {
        *rows_out = d->image_rows;
        *cols_out = d->image_cols;
    } else if ((size_t)side * (size_t)side == cols && side > 0) {
        *rows_out = *cols_out = side;
    } else {
        return lt_fail(ctx, LT_EINPUT, "the input's rows are not images: it has no image "
                       "shape and %zu columns are not a square number", cols);
    }
    if ((size_t)*rows_out * (size_t)*cols_out != cols)
        return lt_fail(ctx, LT_EINPUT, "images of %d x %d pixels need %d columns, the "
                       "input has %zu", *rows_out, *cols_out, *rows_out * *cols_out, cols);
    return LT_OK;
}

/* Row I of M as doubles, whatever M's storage. */
static void get_row(const lt_mat *m, size_t i, double *out)
{
    for (size_t j = 0; j < m->cols; j++)
        out[j] = m->f ? (double)m->f[i * m->cols + j] : m->v[i * m->cols + j];
}

/* Draws PIXELS into AX as a picture, with TITLE above it. */
static void picture(lt_axes *ax, const double *px, int rows, int cols, bool autoscale,
                    const char *title)
{
    double lo = 0, hi = 1;
    if (autoscale) {
        lo = INFINITY, hi = -INFINITY;
        for (size_t k = 0; k < (size_t)rows * (size_t)cols; k++)
            if (isfinite(px[k]))
                lo = fmin(lo, px[k]), hi = fmax(hi, px[k]);
    }
    lt_axes_image(ax, px, rows, cols, 0, 0, cols, rows, lo, hi);
    lt_axes_set_title(ax, title);
}

static double mse(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t k = 0; k < n; k++)
        s += (a[k] - b[k]) * (a[k] - b[k]);
    return s / (double)n;
}

/* Checks the second input against the first: same rows and columns. */
static int check_reconstructions(lt_ctx *ctx, const lt_mat *x, const lt_data *r, int s)
{
    const lt_mat *y = r->split[s].x;
    if (!y)
        return lt_fail(ctx, LT_EINPUT, "the reconstructions (second input) have no '%s' split",
                       lt_split_name(s));
    if (y->rows != x->rows)
        return lt_fail(ctx, LT_EINPUT, "the reconstructions have %zu rows in split '%s' "
                       "but the images have %zu", y->rows, lt_split_name(s), x->rows);
    if (y->cols != x->cols)
        return lt_fail(ctx, LT_EINPUT, "the reconstructions have %zu columns but the images "
                       "have %zu: feed the second input from a stage that reconstructs "
                       "(input: STAGE.reconstruction of a pca or an autoencoder)",
                       y->cols, x->cols);
    return LT_OK;
}

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs,
               int n_inputs, lt_value *outputs)
{
    (void)outputs;
    const struct plot_reconstructions_config *cfg = config;
    const lt_data *d = inputs[0].data, *r = n_inputs > 1 ? inputs[1].data : NULL;
    int s = pick_split(ctx, d, cfg->split), ir = 0, ic = 0;
    if (s < 0)
        return LT_EINPUT;
    const lt_mat *x = d->split[s].x;
    int rc = image_shape(ctx, d, x->cols, &ir, &ic);
    if (rc == LT_OK && r)
        rc = check_reconstructions(ctx, x, r, s);
    if (rc != LT_OK)
        return rc;
    int cols = cfg->columns ? cfg->columns : (cfg->n_images < 10 ? cfg->n_images : 10);
    int groups = (cfg->n_images + cols - 1) / cols, per_group = r ? 2 : 1;
    if (groups * per_group > MAX_PANEL_ROWS)
        return lt_fail(ctx, LT_EINPUT, "%d images in rows of %d need %d rows of panels, "
                       "at most %d fit: raise columns", cfg->n_images, cols,
                       groups * per_group, MAX_PANEL_ROWS);

    size_t n = (size_t)cfg->n_images, first = (size_t)cfg->start;
    if (first + n > x->rows)
        return lt_fail(ctx, LT_EINPUT, "start %d and n_images %d need %zu rows but split "
                       "'%s' has %zu", cfg->start, cfg->n_images, first + n,
                       lt_split_name(s), x->rows);
    /* Each image pixel becomes a whole number of screen pixels (a panel
     * pads its picture by 4 points each side), so none looks thicker. */
    int zoom = (IMAGE_PX + (ir > ic ? ir : ic) / 2) / (ir > ic ? ir : ic);
    zoom = zoom < 1 ? 1 : zoom;
    double cell_w = ic * zoom + 8 * SCALE, cell_h = ir * zoom + 30 * SCALE, top = 0;
    char title[256];
    if (cfg->title)
        snprintf(title, sizeof title, "%s", cfg->title);
    else
        snprintf(title, sizeof title, "%s images %zu to %zu%s", lt_split_name(s), first,
                 first + n - 1, r ? " over their reconstructions" : "");
    if (title[0])
        top = 30 * SCALE;
    plot_output out_opts = PLOT_OUTPUT(cfg);
    int fig_status = LT_OK;
    lt_figure *fig = plot_figure_new(ctx, &out_opts, (int)lround(cols * cell_w),
                                   (int)lround(top + groups * per_group * cell_h),
                                   groups * per_group, cols, true, &fig_status);
    double *px = malloc(2 * x->cols * sizeof *px), *errors = malloc(n * sizeof *errors);
    if (!fig) {
        rc = fig_status;
        goto done;
    }
    if (!px || !errors) {
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    lt_figure_set_scale(fig, SCALE);
    lt_figure_set_title(fig, title[0] ? title : NULL);
    for (int p = 0; p < groups * per_group * cols; p++)
        lt_axes_set_axis_off(lt_figure_axes(fig, p), true);
    for (size_t k = 0; k < n; k++) {
        size_t i = first + k;
        int panel = ((int)k / cols) * per_group * cols + (int)k % cols;
        lt_axes *ax = lt_figure_axes(fig, panel);
        lt_axes_set_equal(ax, true);
        get_row(x, i, px);
        const int *y = d->split[s].y;
        picture(ax, px, ir, ic, cfg->autoscale,
                y && d->class_names && y[i] < d->n_classes ? d->class_names[y[i]] : NULL);
        if (!r)
            continue;
        get_row(r->split[s].x, i, px + x->cols);
        errors[k] = mse(px, px + x->cols, x->cols);
        char label[64];
        snprintf(label, sizeof label, "mse %.2g", errors[k]);
        ax = lt_figure_axes(fig, panel + cols);
        lt_axes_set_equal(ax, true);
        picture(ax, px + x->cols, ir, ic, cfg->autoscale, label);
    }
    lt_report_str(ctx, "split", lt_split_name(s));
    lt_report_int(ctx, "start", (long long)first);
    lt_report_int(ctx, "n_images", (long long)n);
    if (r) {
        lt_report_vec(ctx, "image_mse", errors, n);
        double sum = 0;
        for (size_t k = 0; k < n; k++)
            sum += errors[k];
        lt_report_num(ctx, "mean_image_mse", sum / (double)n);
    }
    rc = plot_save(ctx, fig, &out_opts);
done:
    free(px);
    free(errors);
    lt_figure_free(&fig);
    return rc;
}

static const lt_metric plot_reconstructions_metrics[] = {
    {"file", "the figure's file"},
    {"split", "the split drawn"},
    {"start", "first row drawn (0-based)"},
    {"n_images", "images drawn"},
    {"image_mse", "each drawn reconstruction's mean squared error"},
    {"mean_image_mse", "mean of image_mse"},
};

const lt_stage_def plot_reconstructions_stage = {
    .abi = LT_ABI_VERSION,
    .name = "plot.reconstructions",
    .summary = "images over their reconstructions (inputs: the data, then e.g. "
               "ae.reconstruction or pca.reconstruction), or a grid of images",
    .params = params,
    .n_params = LT_COUNT(params),
    .config_size = sizeof(struct plot_reconstructions_config),
    .min_inputs = 1,
    .max_inputs = 2,
    .accepts_f32 = true,
    .run = run,
    .metrics = plot_reconstructions_metrics,
    .n_metrics = LT_COUNT(plot_reconstructions_metrics),
};
