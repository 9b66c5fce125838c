/* Image series: a grid of grey levels drawn as sharp squares, for pictures
 * of data (digits, clothes, reconstructions) as matplotlib's imshow draws
 * them with cmap="binary". */
#include "plot/internal.h"

#include <math.h>
#include <stdint.h>

void lt_axes_image(lt_axes *ax, const double *v, int rows, int cols, double x0,
                   double y0, double x1, double y1, double vmin, double vmax)
{
    if (rows < 1 || cols < 1 || rows > 16384 || cols > 16384)
        return;
    size_t n = (size_t)rows * (size_t)cols;
    lt_series *s = lt_series_add(ax, LT_SERIES_IMAGE, n, 1, NULL, false);
    if (!s)
        return;
    for (size_t k = 0; k < n; k++)
        s->x[k] = v[k];
    s->img_rows = rows;
    s->img_cols = cols;
    s->img_rect[0] = x0;
    s->img_rect[1] = y0;
    s->img_rect[2] = x1;
    s->img_rect[3] = y1;
    s->img_vmin = vmin;
    s->img_vmax = vmax > vmin ? vmax : vmin + 1;
}

void lt_image_extent(const lt_series *s, double ext[4])
{
    const double *r = s->img_rect;
    ext[0] = fmin(ext[0], fmin(r[0], r[2]));
    ext[1] = fmax(ext[1], fmax(r[0], r[2]));
    ext[2] = fmin(ext[2], fmin(r[1], r[3]));
    ext[3] = fmax(ext[3], fmax(r[1], r[3]));
}

cairo_surface_t *lt_image_surface(const lt_series *s)
{
    cairo_surface_t *img =
        cairo_image_surface_create(CAIRO_FORMAT_ARGB32, s->img_cols, s->img_rows);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS)
        return img;
    cairo_surface_flush(img);
    unsigned char *data = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    double span = s->img_vmax - s->img_vmin;
    for (int i = 0; i < s->img_rows; i++) {
        uint32_t *row = (uint32_t *)(void *)(data + (size_t)i * (size_t)stride);
        for (int j = 0; j < s->img_cols; j++) {
            double t = (s->x[(size_t)i * (size_t)s->img_cols + (size_t)j] - s->img_vmin) / span;
            if (isnan(t)) {
                row[j] = 0;
                continue;
            }
            uint32_t g = (uint32_t)lround(255 * (1 - fmin(1, fmax(0, t))));
            row[j] = 0xFF000000u | g << 16 | g << 8 | g;
        }
    }
    cairo_surface_mark_dirty(img);
    return img;
}

void lt_image_draw(const lt_series *s, const lt_axes *ax, cairo_t *cr)
{
    const double *r = s->img_rect;
    double left = lt_axes_px(ax, r[0]), right = lt_axes_px(ax, r[2]);
    double top = lt_axes_py(ax, r[3]), bottom = lt_axes_py(ax, r[1]);
    if (!(fabs(right - left) >= 0.5 && fabs(bottom - top) >= 0.5))
        return;
    cairo_surface_t *img = lt_image_surface(s);
    cairo_save(cr);
    cairo_translate(cr, left, top);
    cairo_scale(cr, (right - left) / s->img_cols, (bottom - top) / s->img_rows);
    cairo_set_source_surface(cr, img, 0, 0);
    /* Data pixels are data: no smoothing between them. */
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_rectangle(cr, 0, 0, s->img_cols, s->img_rows);
    cairo_fill(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);
}

size_t lt_image_hits(const lt_series *s, const lt_axes *ax, lt_rect r)
{
    const double *e = s->img_rect;
    double x0 = lt_axes_px(ax, e[0]), x1 = lt_axes_px(ax, e[2]);
    double y0 = lt_axes_py(ax, e[1]), y1 = lt_axes_py(ax, e[3]);
    bool overlap = fmax(x0, x1) >= r.x && fmin(x0, x1) <= r.x + r.w &&
                   fmax(y0, y1) >= r.y && fmin(y0, y1) <= r.y + r.h;
    return overlap ? 50 : 0;
}
