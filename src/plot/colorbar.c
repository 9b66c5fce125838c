#include "plot/internal.h"

#include <math.h>

#include "plot/text.h"

/* In points: the gap to the panel and the bar's width. */
#define CB_PAD 12.0
#define CB_WIDTH 12.0

static void locate(lt_axes *ax, double height_px)
{
    int nbins = height_px > 0 ? lt_ticks_nbins(height_px / ax->fig->scale, LT_PT_FONT, false) : 9;
    double lo = fmin(ax->cb_min, ax->cb_max), hi = fmax(ax->cb_min, ax->cb_max);
    if (!(hi > lo)) {
        lo -= 0.5;
        hi += 0.5;
    }
    lt_ticks all;
    lt_ticks_locate(lo, hi, nbins, false, &all);
    lt_ticks_visible(&all, lo, hi, &ax->cbticks);
    ax->cbfmt = lt_ticks_format(ax->cbticks.v, ax->cbticks.n, ax->cbticks.step);
}

double lt_colorbar_room(lt_axes *ax, cairo_t *cr)
{
    double s = ax->fig->scale;
    locate(ax, ax->box.h);
    lt_text_font(cr, LT_PT_FONT * s, false);
    double widest = 0;
    for (int i = 0; i < ax->cbticks.n; i++) {
        char buf[64];
        lt_tick_label(buf, sizeof buf, ax->cbticks.v[i], ax->cbfmt);
        widest = fmax(widest, lt_text_width(cr, buf));
    }
    double room = (CB_PAD + CB_WIDTH + LT_PT_TICK_LEN + LT_PT_TICK_PAD) * s + widest;
    if (ax->cb_label)
        room += LT_PT_LABEL_PAD * s + lt_text_height(cr);
    return room;
}

void lt_colorbar_layout(lt_axes *ax) { locate(ax, ax->box.h); }

void lt_colorbar_draw(const lt_axes *ax, cairo_t *cr)
{
    double s = ax->fig->scale;
    double lo = fmin(ax->cb_min, ax->cb_max), hi = fmax(ax->cb_min, ax->cb_max);
    if (!(hi > lo)) {
        lo -= 0.5;
        hi += 0.5;
    }
    double x = round(ax->box.x + ax->box.w + CB_PAD * s);
    double w = round(CB_WIDTH * s), y = ax->box.y, h = ax->box.h;

    /* The gradient's stops are the colour map's own knots, so the bar
     * shows exactly the colours the points got. */
    cairo_pattern_t *grad = cairo_pattern_create_linear(0, y + h, 0, y);
    for (int k = 0; k <= 32; k++) {
        lt_rgba c = lt_colormap_viridis(k / 32.0);
        cairo_pattern_add_color_stop_rgb(grad, k / 32.0, c.r, c.g, c.b);
    }
    cairo_rectangle(cr, x, y, w, h);
    cairo_set_source(cr, grad);
    cairo_fill(cr);
    cairo_pattern_destroy(grad);

    double lw = fmax(1, round(LT_PT_FRAME * s));
    double off = ((int)lw % 2) ? 0.5 : 0;
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, lw);
    cairo_rectangle(cr, x + off, y + off, w, h);
    cairo_stroke(cr);

    lt_text_font(cr, LT_PT_FONT * s, false);
    double widest = 0;
    char buf[64];
    for (int i = 0; i < ax->cbticks.n; i++) {
        double ty = floor(y + h - (ax->cbticks.v[i] - lo) / (hi - lo) * h) + off;
        cairo_move_to(cr, x + w + off, ty);
        cairo_line_to(cr, x + w + off + LT_PT_TICK_LEN * s, ty);
        cairo_stroke(cr);
        lt_tick_label(buf, sizeof buf, ax->cbticks.v[i], ax->cbfmt);
        widest = fmax(widest, lt_text_width(cr, buf));
        lt_text_draw(cr, buf, x + w + (LT_PT_TICK_LEN + LT_PT_TICK_PAD) * s, ty,
                     LT_LEFT, LT_MIDDLE, 0);
    }
    if (ax->cb_label) {
        double lx = x + w + (LT_PT_TICK_LEN + LT_PT_TICK_PAD + LT_PT_LABEL_PAD) * s + widest;
        /* Read upwards like the y label, its top towards the bar. */
        lt_text_draw(cr, ax->cb_label, lx, y + h / 2, LT_CENTER, LT_TOP, -M_PI / 2);
    }
}
