#include "plot/internal.h"

#include <math.h>
#include <stdint.h>

#include "plot/text.h"

/* Spacing in font sizes, matplotlib's defaults. */
#define BORDER_PAD 0.4
#define LABEL_SPACING 0.5
#define HANDLE_LENGTH 2.0
#define HANDLE_TEXT_PAD 0.8
#define AXES_PAD 0.5

typedef struct legend_size {
    double w, h, row_h, font_px;
    size_t rows;
} legend_size;

static legend_size measure(const lt_axes *ax, cairo_t *cr)
{
    legend_size z = {0};
    z.font_px = LT_PT_FONT * ax->fig->scale;
    lt_text_font(cr, z.font_px, false);
    z.row_h = lt_text_height(cr);
    double text_w = 0;
    for (size_t i = 0; i < ax->n_series; i++)
        if (ax->series[i].label) {
            text_w = fmax(text_w, lt_text_width(cr, ax->series[i].label));
            z.rows++;
        }
    double f = z.font_px;
    z.w = 2 * BORDER_PAD * f + HANDLE_LENGTH * f + HANDLE_TEXT_PAD * f + text_w;
    z.h = 2 * BORDER_PAD * f + z.rows * z.row_h +
          (z.rows > 1 ? (double)(z.rows - 1) * LABEL_SPACING * f : 0);
    return z;
}

static lt_rect place(const lt_axes *ax, lt_legend_loc loc, legend_size z)
{
    double pad = AXES_PAD * z.font_px;
    lt_rect b = ax->box;
    if (ax->legend_outside)
        return (lt_rect){round(b.x + b.w + pad), b.y, round(z.w), round(z.h)};
    double left = b.x + pad, right = b.x + b.w - pad - z.w;
    double top = b.y + pad, bottom = b.y + b.h - pad - z.h;
    double mid_x = b.x + (b.w - z.w) / 2, mid_y = b.y + (b.h - z.h) / 2;
    double x = right, y = top;
    switch (loc) {
    case LT_LEGEND_NONE:
    case LT_LEGEND_BEST:
    case LT_LEGEND_UPPER_RIGHT: x = right, y = top; break;
    case LT_LEGEND_UPPER_LEFT: x = left, y = top; break;
    case LT_LEGEND_LOWER_LEFT: x = left, y = bottom; break;
    case LT_LEGEND_LOWER_RIGHT: x = right, y = bottom; break;
    case LT_LEGEND_CENTER_RIGHT: x = right, y = mid_y; break;
    case LT_LEGEND_CENTER_LEFT: x = left, y = mid_y; break;
    case LT_LEGEND_LOWER_CENTER: x = mid_x, y = bottom; break;
    case LT_LEGEND_UPPER_CENTER: x = mid_x, y = top; break;
    case LT_LEGEND_CENTER: x = mid_x, y = mid_y; break;
    }
    return (lt_rect){round(x), round(y), round(z.w), round(z.h)};
}

static size_t hits_in(const lt_axes *ax, lt_rect r)
{
    size_t hits = 0;
    for (size_t i = 0; i < ax->n_series; i++)
        hits += lt_series_hits(&ax->series[i], ax, r);
    return hits;
}

/* matplotlib's "best": the first of its preferred spots that covers the
 * fewest marks; *fewest receives their count. */
static lt_legend_loc best(const lt_axes *ax, legend_size z, size_t *fewest_out)
{
    static const lt_legend_loc order[] = {
        LT_LEGEND_UPPER_RIGHT, LT_LEGEND_UPPER_LEFT,  LT_LEGEND_LOWER_LEFT,
        LT_LEGEND_LOWER_RIGHT, LT_LEGEND_CENTER_RIGHT, LT_LEGEND_CENTER_LEFT,
        LT_LEGEND_LOWER_CENTER, LT_LEGEND_UPPER_CENTER, LT_LEGEND_CENTER,
    };
    lt_legend_loc chosen = order[0];
    size_t fewest = SIZE_MAX;
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        size_t hits = hits_in(ax, place(ax, order[k], z));
        if (hits < fewest) {
            fewest = hits;
            chosen = order[k];
        }
    }
    *fewest_out = fewest;
    return chosen;
}

double lt_legend_room(const lt_axes *ax, cairo_t *cr)
{
    legend_size z = measure(ax, cr);
    return z.rows ? z.w + AXES_PAD * z.font_px : 0;
}

bool lt_legend_crowded(const lt_axes *ax, cairo_t *cr)
{
    legend_size z = measure(ax, cr);
    if (z.rows == 0 || ax->legend != LT_LEGEND_BEST)
        return false;
    size_t fewest;
    best(ax, z, &fewest);
    size_t all = hits_in(ax, ax->box);
    return fewest > 3 && (double)fewest > 0.005 * (double)all;
}

static void rounded_rect(cairo_t *cr, lt_rect r, double radius)
{
    double x0 = r.x, y0 = r.y, x1 = r.x + r.w, y1 = r.y + r.h;
    cairo_new_sub_path(cr);
    cairo_arc(cr, x1 - radius, y0 + radius, radius, -M_PI / 2, 0);
    cairo_arc(cr, x1 - radius, y1 - radius, radius, 0, M_PI / 2);
    cairo_arc(cr, x0 + radius, y1 - radius, radius, M_PI / 2, M_PI);
    cairo_arc(cr, x0 + radius, y0 + radius, radius, M_PI, 3 * M_PI / 2);
    cairo_close_path(cr);
}

void lt_legend_draw(const lt_axes *ax, cairo_t *cr)
{
    legend_size z = measure(ax, cr);
    if (z.rows == 0)
        return;
    size_t fewest;
    lt_legend_loc loc = ax->legend == LT_LEGEND_BEST ? best(ax, z, &fewest) : ax->legend;
    lt_rect r = place(ax, loc, z);
    double f = z.font_px, s = ax->fig->scale;

    cairo_save(cr);
    double edge = fmax(1, round(s * LT_PT_FRAME));
    lt_rect frame = {r.x + 0.5, r.y + 0.5, r.w, r.h};
    rounded_rect(cr, frame, 0.2 * f);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.8);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
    cairo_set_line_width(cr, edge);
    cairo_stroke(cr);

    double y = r.y + BORDER_PAD * f;
    for (size_t i = 0; i < ax->n_series; i++) {
        const lt_series *sr = &ax->series[i];
        if (!sr->label)
            continue;
        double handle_h = 0.7 * f;
        lt_rect handle = {r.x + BORDER_PAD * f, y + (z.row_h - handle_h) / 2,
                          HANDLE_LENGTH * f, handle_h};
        lt_series_draw_handle(sr, ax, cr, handle);
        lt_text_font(cr, f, false);
        cairo_set_source_rgb(cr, 0, 0, 0);
        lt_text_draw(cr, sr->label, handle.x + handle.w + HANDLE_TEXT_PAD * f, y,
                     LT_LEFT, LT_TOP, 0);
        y += z.row_h + LABEL_SPACING * f;
    }
    cairo_restore(cr);
}
