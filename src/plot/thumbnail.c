/* Thumbnail series: a small image of fixed size in points on a framed
 * card, anchored at a data point, for embeddings of image data (the
 * lecture's AnnotationBbox(OffsetImage(...)) cell). The grey levels live in
 * x, as an image series' do; img_rect[0..1] is the anchor. */
#include "plot/internal.h"

#include <math.h>

/* The card's margin around the image, as a fraction of the image's width
 * (matplotlib pads a 28 px image by 0.4 of a 10 pt font). */
#define PAD 0.12

void lt_axes_thumbnail(lt_axes *ax, double x, double y, const double *v, int rows,
                       int cols, double width_pt, const lt_style *style)
{
    if (rows < 1 || cols < 1 || rows > 16384 || cols > 16384)
        return;
    size_t n = (size_t)rows * (size_t)cols;
    lt_series *s = lt_series_add(ax, LT_SERIES_THUMBNAIL, n, 1, style, false);
    if (!s)
        return;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        s->x[k] = v[k];
        if (isfinite(v[k])) {
            lo = fmin(lo, v[k]);
            hi = fmax(hi, v[k]);
        }
    }
    s->img_rows = rows;
    s->img_cols = cols;
    s->img_rect[0] = x;
    s->img_rect[1] = y;
    s->img_vmin = lo <= hi ? lo : 0;
    s->img_vmax = hi > lo ? hi : s->img_vmin + 1;
    s->thumb_pt = width_pt > 0 ? width_pt : 14;
    if (!style || style->line_width <= 0)
        s->style.line_width = 2.0;
}

/* The card's rectangle in pixels; false when the anchor is not finite. */
static bool card(const lt_series *s, const lt_axes *ax, lt_rect *box, double *pad)
{
    double x = lt_axes_px(ax, s->img_rect[0]), y = lt_axes_py(ax, s->img_rect[1]);
    if (!isfinite(x) || !isfinite(y))
        return false;
    double w = s->thumb_pt * ax->fig->scale, h = w * s->img_rows / s->img_cols;
    *pad = PAD * w;
    *box = (lt_rect){round(x - w / 2), round(y - h / 2), w, h};
    return true;
}

void lt_thumbnail_draw(const lt_series *s, const lt_axes *ax, cairo_t *cr)
{
    lt_rect b;
    double pad;
    if (!card(s, ax, &b, &pad))
        return;
    cairo_surface_t *img = lt_image_surface(s);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(img);
        return;
    }
    cairo_save(cr);
    cairo_rectangle(cr, b.x - pad, b.y - pad, b.w + 2 * pad, b.h + 2 * pad);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill_preserve(cr);
    lt_style_source(cr, s->style.color, s->style.alpha);
    cairo_set_line_width(cr, s->style.line_width * ax->fig->scale);
    cairo_stroke(cr);
    cairo_translate(cr, b.x, b.y);
    cairo_scale(cr, b.w / s->img_cols, b.h / s->img_rows);
    cairo_set_source_surface(cr, img, 0, 0);
    /* Shrunk or grown a little, a picture reads better smoothed. */
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
    cairo_rectangle(cr, 0, 0, s->img_cols, s->img_rows);
    cairo_fill(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);
}

size_t lt_thumbnail_hits(const lt_series *s, const lt_axes *ax, lt_rect r)
{
    lt_rect b;
    double pad;
    if (!card(s, ax, &b, &pad))
        return 0;
    bool overlap = b.x + b.w + pad >= r.x && b.x - pad <= r.x + r.w &&
                   b.y + b.h + pad >= r.y && b.y - pad <= r.y + r.h;
    return overlap ? 50 : 0;
}
