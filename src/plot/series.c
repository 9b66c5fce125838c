#include "plot/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot/text.h"

/* The series counts only once everything it needs is allocated. */
lt_series *lt_series_add(lt_axes *ax, lt_series_kind kind, size_t n, int blocks,
                         const lt_style *style, bool takes_cycle)
{
    if (lt_figure_failed(ax->fig))
        return NULL;
    if (ax->n_series == ax->cap_series) {
        size_t cap = ax->cap_series ? 2 * ax->cap_series : 8;
        lt_series *grown = realloc(ax->series, cap * sizeof *grown);
        if (!grown) {
            lt_figure_fail(ax->fig);
            return NULL;
        }
        ax->series = grown;
        ax->cap_series = cap;
    }
    lt_series *s = &ax->series[ax->n_series];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->n = n;
    size_t count = n * (size_t)blocks;
    if (n > ((size_t)-1) / sizeof(double) / 4 ||
        !(s->x = malloc((count ? count : 1) * sizeof(double))) ||
        (style && style->label && !(s->label = strdup(style->label)))) {
        free(s->x);
        lt_figure_fail(ax->fig);
        return NULL;
    }
    s->y = s->x + n;
    s->x1 = blocks > 2 ? s->x + 2 * n : NULL;
    s->y1 = blocks > 3 ? s->x + 3 * n : NULL;

    if (style)
        s->style = *style;
    s->style.label = s->label;
    if (s->style.color.a <= 0)
        s->style.color = takes_cycle ? lt_color_cycle(ax->next_color++) : LT_COLOR_BLACK;
    if (s->style.line_width <= 0)
        s->style.line_width = kind == LT_SERIES_ARROW      ? 2.0
                              : kind == LT_SERIES_SEGMENTS ? 1.0
                                                           : 1.5;
    if (s->style.marker_size <= 0)
        s->style.marker_size = LT_PT_MARKER;
    if (kind == LT_SERIES_SCATTER && s->style.marker == LT_MARKER_NONE)
        s->style.marker = LT_MARKER_CIRCLE;
    ax->n_series++;
    return s;
}

static void copy(double *dst, const double *src, size_t n)
{
    if (n)
        memcpy(dst, src, n * sizeof *dst);
}

void lt_axes_scatter(lt_axes *ax, const double *x, const double *y, size_t n,
                     const lt_style *style)
{
    lt_series *s = lt_series_add(ax, LT_SERIES_SCATTER, n, 2, style, true);
    if (!s)
        return;
    copy(s->x, x, n);
    copy(s->y, y, n);
}

void lt_axes_scatter_values(lt_axes *ax, const double *x, const double *y,
                            const double *value, size_t n, double vmin,
                            double vmax, const lt_style *style)
{
    lt_series *s = lt_series_add(ax, LT_SERIES_SCATTER, n, 2, style, true);
    if (!s)
        return;
    copy(s->x, x, n);
    copy(s->y, y, n);
    if (!(s->colors = malloc((n ? n : 1) * sizeof *s->colors))) {
        lt_figure_fail(ax->fig);
        return;
    }
    double span = vmax > vmin ? vmax - vmin : 1;
    for (size_t i = 0; i < n; i++)
        s->colors[i] = lt_colormap_viridis((value[i] - vmin) / span);
    s->style.color = lt_colormap_viridis(0.5);
}

void lt_axes_plot(lt_axes *ax, const double *x, const double *y, size_t n,
                  const lt_style *style)
{
    lt_series *s = lt_series_add(ax, LT_SERIES_LINE, n, 2, style, true);
    if (!s)
        return;
    copy(s->x, x, n);
    copy(s->y, y, n);
}

void lt_axes_bars(lt_axes *ax, const double *x, const double *height, size_t n,
                  double width, const lt_style *style)
{
    lt_series *s = lt_series_add(ax, LT_SERIES_BARS, n, 2, style, true);
    if (!s)
        return;
    copy(s->x, x, n);
    copy(s->y, height, n);
    s->width = width > 0 ? width : 0.8;
}

void lt_axes_hline(lt_axes *ax, double y, const lt_style *style)
{
    lt_series *s = lt_series_add(ax, LT_SERIES_HLINE, 1, 2, style, true);
    if (s)
        s->x[0] = NAN, s->y[0] = y;
}

void lt_axes_vline(lt_axes *ax, double x, const lt_style *style)
{
    lt_series *s = lt_series_add(ax, LT_SERIES_VLINE, 1, 2, style, true);
    if (s)
        s->x[0] = x, s->y[0] = NAN;
}

void lt_axes_segments(lt_axes *ax, const double *x0, const double *y0,
                      const double *x1, const double *y1, size_t n,
                      const lt_style *style)
{
    lt_series *s = lt_series_add(ax, LT_SERIES_SEGMENTS, n, 4, style, true);
    if (!s)
        return;
    copy(s->x, x0, n);
    copy(s->y, y0, n);
    copy(s->x1, x1, n);
    copy(s->y1, y1, n);
}

void lt_axes_arrow(lt_axes *ax, double x0, double y0, double x1, double y1,
                   const lt_style *style)
{
    lt_series *s = lt_series_add(ax, LT_SERIES_ARROW, 1, 4, style, false);
    if (s)
        s->x[0] = x0, s->y[0] = y0, s->x1[0] = x1, s->y1[0] = y1;
}

void lt_axes_text(lt_axes *ax, double x, double y, const char *text,
                  double size_pt, lt_halign h, lt_valign v, const lt_style *style)
{
    lt_series *s = lt_series_add(ax, LT_SERIES_TEXT, 1, 2, style, false);
    if (!s)
        return;
    s->x[0] = x;
    s->y[0] = y;
    s->text_pt = size_pt > 0 ? size_pt : LT_PT_FONT;
    s->halign = h;
    s->valign = v;
    if (!(s->text = strdup(text ? text : "")))
        lt_figure_fail(ax->fig);
}

void lt_series_release(lt_series *s)
{
    free(s->x);
    free(s->label);
    free(s->colors);
    free(s->text);
}

static void extend(double ext[4], double x, double y)
{
    if (isfinite(x)) {
        ext[0] = fmin(ext[0], x);
        ext[1] = fmax(ext[1], x);
    }
    if (isfinite(y)) {
        ext[2] = fmin(ext[2], y);
        ext[3] = fmax(ext[3], y);
    }
}

void lt_series_extent(const lt_series *s, double ext[4], bool *zero_floor)
{
    switch (s->kind) {
    case LT_SERIES_SCATTER:
    case LT_SERIES_LINE:
        for (size_t i = 0; i < s->n; i++)
            if (isfinite(s->x[i]) && isfinite(s->y[i]))
                extend(ext, s->x[i], s->y[i]);
        break;
    case LT_SERIES_BARS: {
        bool all_up = true;
        for (size_t i = 0; i < s->n; i++) {
            if (!isfinite(s->x[i]) || !isfinite(s->y[i]))
                continue;
            extend(ext, s->x[i] - s->width / 2, 0);
            extend(ext, s->x[i] + s->width / 2, s->y[i]);
            all_up = all_up && s->y[i] >= 0;
        }
        if (all_up && s->n)
            *zero_floor = true;
        break;
    }
    case LT_SERIES_HLINE:
    case LT_SERIES_VLINE:
        extend(ext, s->x[0], s->y[0]);
        break;
    case LT_SERIES_SEGMENTS:
    case LT_SERIES_ARROW:
        for (size_t i = 0; i < s->n; i++)
            if (isfinite(s->x[i]) && isfinite(s->y[i]) && isfinite(s->x1[i]) &&
                isfinite(s->y1[i])) {
                extend(ext, s->x[i], s->y[i]);
                extend(ext, s->x1[i], s->y1[i]);
            }
        break;
    case LT_SERIES_TEXT:
    case LT_SERIES_THUMBNAIL:
        break;
    case LT_SERIES_IMAGE:
        lt_image_extent(s, ext);
        break;
    }
}

/* Pixel coordinates, kept within what cairo's fixed point can hold. */
static double px(const lt_axes *ax, double x)
{
    return fmax(-1e6, fmin(1e6, lt_axes_px(ax, x)));
}

static double py(const lt_axes *ax, double y)
{
    return fmax(-1e6, fmin(1e6, lt_axes_py(ax, y)));
}

static bool finite2(double a, double b) { return isfinite(a) && isfinite(b); }

static void stroke_setup(cairo_t *cr, const lt_style *st, double s)
{
    double w = st->line_width * s;
    lt_style_source(cr, st->color, st->alpha);
    cairo_set_line_width(cr, w);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    lt_style_dash(cr, st->dash, w);
}

static void draw_markers(const lt_series *s, const lt_axes *ax, cairo_t *cr)
{
    double scale = ax->fig->scale, size = s->style.marker_size * scale;
    double margin = size;
    for (size_t i = 0; i < s->n; i++) {
        if (!finite2(s->x[i], s->y[i]))
            continue;
        double x = lt_axes_px(ax, s->x[i]), y = lt_axes_py(ax, s->y[i]);
        if (x < ax->box.x - margin || x > ax->box.x + ax->box.w + margin ||
            y < ax->box.y - margin || y > ax->box.y + ax->box.h + margin)
            continue;
        lt_rgba fill = s->colors ? s->colors[i] : s->style.color;
        lt_style_marker(cr, &s->style, fill, x, y, size, scale);
    }
}

static void draw_line(const lt_series *s, const lt_axes *ax, cairo_t *cr)
{
    bool pen_down = false;
    for (size_t i = 0; i < s->n; i++) {
        if (!finite2(s->x[i], s->y[i])) {
            pen_down = false;
            continue;
        }
        if (pen_down)
            cairo_line_to(cr, px(ax, s->x[i]), py(ax, s->y[i]));
        else
            cairo_move_to(cr, px(ax, s->x[i]), py(ax, s->y[i]));
        pen_down = true;
    }
    stroke_setup(cr, &s->style, ax->fig->scale);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    if (s->style.marker != LT_MARKER_NONE)
        draw_markers(s, ax, cr);
}

static void draw_bars(const lt_series *s, const lt_axes *ax, cairo_t *cr)
{
    for (size_t i = 0; i < s->n; i++) {
        if (!finite2(s->x[i], s->y[i]))
            continue;
        double x0 = px(ax, s->x[i] - s->width / 2), x1 = px(ax, s->x[i] + s->width / 2);
        double y0 = py(ax, 0), y1 = py(ax, s->y[i]);
        cairo_rectangle(cr, x0, fmin(y0, y1), x1 - x0, fabs(y1 - y0));
    }
    lt_style_source(cr, s->style.color, s->style.alpha);
    if (s->style.edge.a > 0) {
        cairo_fill_preserve(cr);
        lt_style_source(cr, s->style.edge, s->style.alpha);
        cairo_set_line_width(cr, ax->fig->scale * s->style.line_width / 1.5);
        cairo_stroke(cr);
    } else {
        cairo_fill(cr);
    }
}

void lt_series_draw(const lt_series *s, const lt_axes *ax, cairo_t *cr)
{
    double scale = ax->fig->scale;
    switch (s->kind) {
    case LT_SERIES_SCATTER:
        draw_markers(s, ax, cr);
        break;
    case LT_SERIES_LINE:
        draw_line(s, ax, cr);
        break;
    case LT_SERIES_BARS:
        draw_bars(s, ax, cr);
        break;
    case LT_SERIES_HLINE:
    case LT_SERIES_VLINE:
        if (s->kind == LT_SERIES_HLINE && isfinite(s->y[0])) {
            cairo_move_to(cr, ax->box.x, py(ax, s->y[0]));
            cairo_line_to(cr, ax->box.x + ax->box.w, py(ax, s->y[0]));
        } else if (s->kind == LT_SERIES_VLINE && isfinite(s->x[0])) {
            cairo_move_to(cr, px(ax, s->x[0]), ax->box.y);
            cairo_line_to(cr, px(ax, s->x[0]), ax->box.y + ax->box.h);
        }
        stroke_setup(cr, &s->style, scale);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        break;
    case LT_SERIES_SEGMENTS:
        for (size_t i = 0; i < s->n; i++)
            if (finite2(s->x[i], s->y[i]) && finite2(s->x1[i], s->y1[i])) {
                cairo_move_to(cr, px(ax, s->x[i]), py(ax, s->y[i]));
                cairo_line_to(cr, px(ax, s->x1[i]), py(ax, s->y1[i]));
            }
        stroke_setup(cr, &s->style, scale);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        break;
    case LT_SERIES_ARROW:
        if (finite2(s->x[0], s->y[0]) && finite2(s->x1[0], s->y1[0])) {
            lt_style_source(cr, s->style.color, s->style.alpha);
            lt_style_arrow(cr, px(ax, s->x[0]), py(ax, s->y[0]), px(ax, s->x1[0]),
                           py(ax, s->y1[0]), s->style.line_width * scale);
        }
        break;
    case LT_SERIES_TEXT:
        if (finite2(s->x[0], s->y[0])) {
            lt_text_font(cr, s->text_pt * scale, false);
            lt_style_source(cr, s->style.color, s->style.alpha);
            lt_text_draw_halo(cr, s->text, px(ax, s->x[0]), py(ax, s->y[0]),
                              s->halign, s->valign, 0, 0.15 * s->text_pt * scale);
        }
        break;
    case LT_SERIES_THUMBNAIL:
        lt_thumbnail_draw(s, ax, cr);
        break;
    case LT_SERIES_IMAGE:
        lt_image_draw(s, ax, cr);
        break;
    }
}

void lt_series_draw_handle(const lt_series *s, const lt_axes *ax, cairo_t *cr,
                           lt_rect r)
{
    double scale = ax->fig->scale;
    double mid_y = r.y + r.h / 2, mid_x = r.x + r.w / 2;
    switch (s->kind) {
    case LT_SERIES_SCATTER: {
        lt_style st = s->style;
        st.alpha = st.alpha > 0 ? fmax(st.alpha, 0.8) : 1;
        /* Crowded plots shrink their markers; the legend keeps them
         * big enough to show the colour. */
        double size = fmin(fmax(st.marker_size, LT_PT_MARKER) * scale, r.h);
        lt_style_marker(cr, &st, st.color, mid_x, mid_y, size, scale);
        break;
    }
    case LT_SERIES_BARS:
        cairo_rectangle(cr, r.x, r.y, r.w, r.h);
        lt_style_source(cr, s->style.color, s->style.alpha);
        cairo_fill(cr);
        break;
    case LT_SERIES_LINE:
    case LT_SERIES_HLINE:
    case LT_SERIES_VLINE:
    case LT_SERIES_SEGMENTS: {
        lt_style st = s->style;
        if (s->kind == LT_SERIES_SEGMENTS)
            st.alpha = st.alpha > 0 ? fmax(st.alpha, 0.8) : 1;
        cairo_move_to(cr, r.x, mid_y);
        cairo_line_to(cr, r.x + r.w, mid_y);
        stroke_setup(cr, &st, scale);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        if (s->kind == LT_SERIES_LINE && st.marker != LT_MARKER_NONE)
            lt_style_marker(cr, &st, st.color, mid_x, mid_y,
                            fmin(st.marker_size * scale, r.h), scale);
        break;
    }
    case LT_SERIES_ARROW:
        lt_style_source(cr, s->style.color, s->style.alpha);
        lt_style_arrow(cr, r.x, mid_y, r.x + r.w, mid_y, s->style.line_width * scale);
        break;
    case LT_SERIES_TEXT:
    case LT_SERIES_IMAGE:
    case LT_SERIES_THUMBNAIL:
        break;
    }
}

static bool inside(lt_rect r, double x, double y)
{
    return x >= r.x && x <= r.x + r.w && y >= r.y && y <= r.y + r.h;
}

/* Whether segment (x0, y0)-(x1, y1) meets R: clip the segment's parameter
 * interval against each of the four edges in turn. */
static bool crosses(lt_rect r, double x0, double y0, double x1, double y1)
{
    double t0 = 0, t1 = 1, dx = x1 - x0, dy = y1 - y0;
    double p[4] = {-dx, dx, -dy, dy};
    double q[4] = {x0 - r.x, r.x + r.w - x0, y0 - r.y, r.y + r.h - y0};
    for (int k = 0; k < 4; k++) {
        if (p[k] == 0) {
            if (q[k] < 0)
                return false;
            continue;
        }
        double t = q[k] / p[k];
        if (p[k] < 0)
            t0 = fmax(t0, t);
        else
            t1 = fmin(t1, t);
        if (t0 > t1)
            return false;
    }
    return true;
}

size_t lt_series_hits(const lt_series *s, const lt_axes *ax, lt_rect r)
{
    size_t hits = 0;
    switch (s->kind) {
    case LT_SERIES_SCATTER:
        for (size_t i = 0; i < s->n; i++)
            if (finite2(s->x[i], s->y[i]) &&
                inside(r, lt_axes_px(ax, s->x[i]), lt_axes_py(ax, s->y[i])))
                hits++;
        break;
    case LT_SERIES_LINE:
        for (size_t i = 0; i + 1 < s->n; i++)
            if (finite2(s->x[i], s->y[i]) && finite2(s->x[i + 1], s->y[i + 1]) &&
                crosses(r, px(ax, s->x[i]), py(ax, s->y[i]), px(ax, s->x[i + 1]),
                        py(ax, s->y[i + 1])))
                hits += 2;
        break;
    case LT_SERIES_BARS:
        for (size_t i = 0; i < s->n; i++) {
            if (!finite2(s->x[i], s->y[i]))
                continue;
            double x0 = px(ax, s->x[i] - s->width / 2), x1 = px(ax, s->x[i] + s->width / 2);
            double y0 = py(ax, 0), y1 = py(ax, s->y[i]);
            if (fmax(x0, x1) >= r.x && fmin(x0, x1) <= r.x + r.w &&
                fmax(y0, y1) >= r.y && fmin(y0, y1) <= r.y + r.h)
                hits += 2;
        }
        break;
    case LT_SERIES_HLINE:
        if (isfinite(s->y[0]) && crosses(r, ax->box.x, py(ax, s->y[0]),
                                         ax->box.x + ax->box.w, py(ax, s->y[0])))
            hits += 5;
        break;
    case LT_SERIES_VLINE:
        if (isfinite(s->x[0]) && crosses(r, px(ax, s->x[0]), ax->box.y,
                                         px(ax, s->x[0]), ax->box.y + ax->box.h))
            hits += 5;
        break;
    case LT_SERIES_SEGMENTS:
    case LT_SERIES_ARROW:
        for (size_t i = 0; i < s->n; i++)
            if (finite2(s->x[i], s->y[i]) && finite2(s->x1[i], s->y1[i]) &&
                crosses(r, px(ax, s->x[i]), py(ax, s->y[i]), px(ax, s->x1[i]),
                        py(ax, s->y1[i])))
                hits += s->kind == LT_SERIES_ARROW ? 20 : 1;
        break;
    case LT_SERIES_TEXT:
        if (finite2(s->x[0], s->y[0]) &&
            inside(r, lt_axes_px(ax, s->x[0]), lt_axes_py(ax, s->y[0])))
            hits += 20;
        break;
    case LT_SERIES_THUMBNAIL:
        hits += lt_thumbnail_hits(s, ax, r);
        break;
    case LT_SERIES_IMAGE:
        hits += lt_image_hits(s, ax, r);
        break;
    }
    return hits;
}
