#include "stages/plot_common.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const plot_split_choices[] = {"train", "valid", "test", "all", NULL};

void plot_rows_free(plot_rows *r)
{
    free(r->x);
    free(r->y);
    free(r->label);
    free(r->t);
    memset(r, 0, sizeof *r);
}

static void present_splits(const lt_data *d, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int s = 0; s < LT_N_SPLITS; s++)
        if (d->split[s].x && len < size)
            len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
                                    lt_split_name(s));
    if (!len)
        snprintf(buf, size, "none");
}

int plot_rows_gather(lt_ctx *ctx, const lt_data *d, int split, int cx, int cy,
                     plot_rows *out)
{
    memset(out, 0, sizeof *out);
    int first = split == PLOT_SPLIT_ALL ? 0 : split;
    int last = split == PLOT_SPLIT_ALL ? LT_N_SPLITS - 1 : split;
    char have[64];
    present_splits(d, have, sizeof have);
    if (split != PLOT_SPLIT_ALL && !d->split[split].x)
        return lt_fail(ctx, LT_EINPUT, "split '%s' is absent from the input (it has %s)",
                       lt_split_name(split), have);

    size_t n = 0, cols = 0;
    bool labels = true, values = true;
    for (int s = first; s <= last; s++) {
        const lt_split *sp = &d->split[s];
        if (!sp->x)
            continue;
        n += sp->x->rows;
        cols = sp->x->cols;
        labels = labels && sp->y;
        values = values && sp->t;
    }
    if (n == 0)
        return lt_fail(ctx, LT_EINPUT, "there are no rows to plot in split '%s' (splits: %s)",
                       plot_split_choices[split], have);
    const char *axis_name[2] = {"x", "y"};
    int col[2] = {cx, cy};
    for (int a = 0; a < 2; a++)
        if (col[a] < 0 || (size_t)col[a] >= cols)
            return lt_fail(ctx, LT_EINPUT,
                           "%s is column %d but the input has %zu column%s (0 to %zu)",
                           axis_name[a], col[a], cols, cols == 1 ? "" : "s",
                           cols ? cols - 1 : 0);

    out->x = malloc(n * sizeof *out->x);
    out->y = malloc(n * sizeof *out->y);
    out->label = labels ? malloc(n * sizeof *out->label) : NULL;
    out->t = values ? malloc(n * sizeof *out->t) : NULL;
    if (!out->x || !out->y || (labels && !out->label) || (values && !out->t)) {
        plot_rows_free(out);
        return lt_fail(ctx, LT_ERUNTIME, "out of memory gathering %zu rows", n);
    }
    for (int s = first; s <= last; s++) {
        const lt_split *sp = &d->split[s];
        if (!sp->x)
            continue;
        for (size_t i = 0; i < sp->x->rows; i++) {
            out->x[out->n] = sp->x->v[i * cols + (size_t)cx];
            out->y[out->n] = sp->x->v[i * cols + (size_t)cy];
            if (labels)
                out->label[out->n] = sp->y[i];
            if (values)
                out->t[out->n] = sp->t[i];
            out->n++;
        }
    }
    return LT_OK;
}

const char *plot_column_name(const lt_data *d, int col, char *buf, size_t size)
{
    if (d->feature_names && col >= 0 && (size_t)col < d->n_features &&
        d->feature_names[col] && d->feature_names[col][0])
        snprintf(buf, size, "%s", d->feature_names[col]);
    else
        snprintf(buf, size, "x%d", col);
    return buf;
}

double plot_marker_size(size_t n)
{
    if (n <= 500)
        return 6;
    return fmax(2, 6 * sqrt(500.0 / (double)n));
}

const char *const plot_format_choices[] = {"png", "svg", "pdf", NULL};

lt_figure *plot_figure_new(lt_ctx *ctx, const plot_output *o, int width, int height, int rows, int cols,
                           bool fit, int *status)
{
    const lt_vec *size = o->size;
    double res = o->dpi / PLOT_BASE_DPI;
    bool sized = size && size->n > 0;
    if (sized && (size->n != 2 || !(size->v[0] > 0) || !(size->v[1] > 0))) {
        *status = lt_fail(ctx, LT_EINPUT, "size: expected [width, height] in inches, both > 0");
        return NULL;
    }
    if (sized && fit) {
        /* Keep the content's layout and aspect; scale it into the box. */
        res = fmin(size->v[0] * o->dpi / width, size->v[1] * o->dpi / height);
    } else if (sized) {
        width = (int)lround(size->v[0] * PLOT_BASE_DPI);
        height = (int)lround(size->v[1] * PLOT_BASE_DPI);
    }
    double w_px = width * res, h_px = height * res;
    if (width < 1 || height < 1 || w_px > 16384.5 || h_px > 16384.5 || lround(w_px) < 16 || lround(h_px) < 16) {
        *status = lt_fail(ctx, LT_EINPUT, "size and dpi: the image would be %.0f x %.0f pixels; it must be 16 to 16384 each way",
                          w_px, h_px);
        return NULL;
    }
    lt_figure *fig = lt_figure_new(width, height, rows, cols);
    if (!fig) {
        *status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        return NULL;
    }
    /* A size in inches keeps text at its size in points, as matplotlib's
     * figsize does, rather than growing it with the figure. */
    if (sized && !fit)
        lt_figure_set_scale(fig, PLOT_BASE_DPI / 72.0);
    lt_figure_set_resolution(fig, res);
    return fig;
}

int plot_save(lt_ctx *ctx, lt_figure *fig, const plot_output *o)
{
    char name[512];
    snprintf(name, sizeof name, "plots/%s.%s", lt_ctx_stage(ctx), plot_format_choices[o->format]);
    const char *path = lt_ctx_artifact(ctx, name);
    if (!path)
        return LT_ERUNTIME;
    int rc;
    if (o->format == PLOT_PNG) {
        if (lt_figure_render(fig) != 0)
            return lt_fail(ctx, LT_ERUNTIME, "cannot draw %s: out of memory", name);
        rc = lt_figure_write_png(fig, path, lt_ctx_png_text(ctx));
    } else if (o->format == PLOT_SVG) {
        rc = lt_figure_write_svg(fig, path, o->dpi, lt_ctx_png_text(ctx));
    } else {
        rc = lt_figure_write_pdf(fig, path, o->dpi, lt_ctx_png_text(ctx));
    }
    if (rc != 0)
        return lt_fail(ctx, LT_ERUNTIME, "cannot write %s: %s", name, strerror(errno));
    lt_report_str(ctx, "file", name);
    return LT_OK;
}

void plot_draw_by_label(lt_axes *ax, const lt_data *d, const plot_rows *r, lt_style style,
                        double *bx, double *by, bool legend)
{
    /* A row's label may exceed the input's classes (labels from another
     * stage): such classes are drawn too, unnamed. */
    int n_classes = d->n_classes;
    for (size_t i = 0; i < r->n; i++)
        if (r->label[i] + 1 > n_classes)
            n_classes = r->label[i] + 1;
    for (int c = 0; c < n_classes; c++) {
        size_t m = 0;
        for (size_t i = 0; i < r->n; i++)
            if (r->label[i] == c) {
                bx[m] = r->x[i];
                by[m] = r->y[i];
                m++;
            }
        if (!m)
            continue;
        char name[64];
        if (d->class_names && c < d->n_classes && d->class_names[c])
            snprintf(name, sizeof name, "%s", d->class_names[c]);
        else
            snprintf(name, sizeof name, "class %d", c);
        style.color = lt_color_cycle(c);
        style.label = legend ? name : NULL;
        lt_axes_scatter(ax, bx, by, m, &style);
    }
}
