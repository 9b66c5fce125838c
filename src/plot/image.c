#include "plot/internal.h"

#include <math.h>
#include <stdint.h>

/* Card padding around the image, as a fraction of its width (matplotlib's
 * AnnotationBbox pads by 0.4 of the font size around a 28 px image). */
#define PAD 0.12

void lt_image_draw(const lt_series *s, const lt_axes *ax, cairo_t *cr)
{
    int rows = s->image_rows, cols = s->image_cols;
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, cols, rows);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(img);
        return;
    }
    cairo_surface_flush(img);
    unsigned char *data = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    for (int r = 0; r < rows; r++) {
        uint32_t *row = (uint32_t *)(void *)(data + (size_t)r * (size_t)stride);
        for (int c = 0; c < cols; c++) {
            uint32_t v = 255u - s->gray[(size_t)r * (size_t)cols + (size_t)c];
            row[c] = v << 16 | v << 8 | v;
        }
    }
    cairo_surface_mark_dirty(img);

    double scale = ax->fig->scale;
    double w = s->image_pt * scale, h = w * rows / cols, pad = PAD * w;
    double cx = lt_axes_px(ax, s->x[0]), cy = lt_axes_py(ax, s->y[0]);
    double x0 = round(cx - w / 2), y0 = round(cy - h / 2);

    cairo_save(cr);
    cairo_rectangle(cr, x0 - pad, y0 - pad, w + 2 * pad, h + 2 * pad);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill_preserve(cr);
    lt_style_source(cr, s->style.color, s->style.alpha);
    cairo_set_line_width(cr, s->style.line_width * scale);
    cairo_stroke(cr);

    cairo_translate(cr, x0, y0);
    cairo_scale(cr, w / cols, h / rows);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
    cairo_rectangle(cr, 0, 0, cols, rows);
    cairo_fill(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);
}
