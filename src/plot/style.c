#include "plot/internal.h"

#include <math.h>

void lt_style_source(cairo_t *cr, lt_rgba c, double alpha)
{
    cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a * (alpha > 0 ? alpha : 1));
}

void lt_style_dash(cairo_t *cr, lt_dash dash, double w)
{
    /* matplotlib's patterns, which scale with the line width. */
    static const double dashed[] = {3.7, 1.6};
    static const double dotted[] = {1, 1.65};
    static const double dashdot[] = {6.4, 1.6, 1, 1.6};
    const double *p = NULL;
    int n = 0;
    switch (dash) {
    case LT_DASH_SOLID: break;
    case LT_DASH_DASHED: p = dashed, n = 2; break;
    case LT_DASH_DOTTED: p = dotted, n = 2; break;
    case LT_DASH_DASHDOT: p = dashdot, n = 4; break;
    }
    double scaled[4];
    for (int i = 0; i < n; i++)
        scaled[i] = p[i] * w;
    cairo_set_dash(cr, scaled, n, 0);
}

void lt_style_marker_path(cairo_t *cr, lt_marker m, double x, double y,
                          double size, bool *filled)
{
    double r = size / 2;
    *filled = true;
    switch (m) {
    case LT_MARKER_NONE:
    case LT_MARKER_CIRCLE:
        cairo_new_sub_path(cr);
        cairo_arc(cr, x, y, r, 0, 2 * M_PI);
        cairo_close_path(cr);
        break;
    case LT_MARKER_SQUARE:
        cairo_rectangle(cr, x - r, y - r, size, size);
        break;
    case LT_MARKER_DIAMOND:
        cairo_move_to(cr, x, y - r * 1.2);
        cairo_line_to(cr, x + r * 0.85, y);
        cairo_line_to(cr, x, y + r * 1.2);
        cairo_line_to(cr, x - r * 0.85, y);
        cairo_close_path(cr);
        break;
    case LT_MARKER_TRIANGLE:
        cairo_move_to(cr, x, y - r * 1.15);
        cairo_line_to(cr, x + r, y + r * 0.6);
        cairo_line_to(cr, x - r, y + r * 0.6);
        cairo_close_path(cr);
        break;
    case LT_MARKER_CROSS:
        *filled = false;
        cairo_move_to(cr, x - r, y - r);
        cairo_line_to(cr, x + r, y + r);
        cairo_move_to(cr, x - r, y + r);
        cairo_line_to(cr, x + r, y - r);
        break;
    case LT_MARKER_PLUS:
        *filled = false;
        cairo_move_to(cr, x - r, y);
        cairo_line_to(cr, x + r, y);
        cairo_move_to(cr, x, y - r);
        cairo_line_to(cr, x, y + r);
        break;
    }
}

void lt_style_marker(cairo_t *cr, const lt_style *st, lt_rgba fill, double x,
                     double y, double size_px, double px_per_pt)
{
    bool filled;
    lt_style_marker_path(cr, st->marker, x, y, size_px, &filled);
    if (filled) {
        lt_style_source(cr, fill, st->alpha);
        if (st->edge.a > 0) {
            cairo_fill_preserve(cr);
            lt_style_source(cr, st->edge, st->alpha);
            cairo_set_line_width(cr, px_per_pt);
            cairo_stroke(cr);
        } else {
            cairo_fill(cr);
        }
    } else {
        lt_style_source(cr, fill, st->alpha);
        cairo_set_line_width(cr, fmax(1, 1.25 * px_per_pt));
        cairo_stroke(cr);
    }
}

void lt_style_arrow(cairo_t *cr, double x0, double y0, double x1, double y1,
                    double line_px)
{
    double dx = x1 - x0, dy = y1 - y0, len = hypot(dx, dy);
    if (len <= 0)
        return;
    double ux = dx / len, uy = dy / len;
    double head = fmin(4 * line_px + 4, 0.5 * len), half = 0.45 * head;
    double bx = x1 - ux * head, by = y1 - uy * head;
    cairo_set_line_width(cr, line_px);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    cairo_move_to(cr, x0, y0);
    /* Stop the shaft inside the head so its square end does not show. */
    cairo_line_to(cr, bx + ux * head * 0.3, by + uy * head * 0.3);
    cairo_stroke(cr);
    cairo_move_to(cr, x1, y1);
    cairo_line_to(cr, bx - uy * half, by + ux * half);
    cairo_line_to(cr, bx + uy * half, by - ux * half);
    cairo_close_path(cr);
    cairo_fill(cr);
}
