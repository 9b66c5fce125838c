#include "plot/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot/text.h"

void lt_axes_init(lt_axes *ax, lt_figure *fig)
{
    memset(ax, 0, sizeof *ax);
    ax->fig = fig;
    ax->xlim[0] = ax->xlim[1] = ax->ylim[0] = ax->ylim[1] = NAN;
}

void lt_axes_release(lt_axes *ax)
{
    for (size_t i = 0; i < ax->n_series; i++)
        lt_series_release(&ax->series[i]);
    free(ax->series);
    free(ax->title);
    free(ax->xlabel);
    free(ax->ylabel);
    free(ax->cb_label);
}

static void replace(lt_axes *ax, char **field, const char *s)
{
    free(*field);
    *field = lt_figure_strdup(ax->fig, s);
}

void lt_axes_set_title(lt_axes *ax, const char *s) { replace(ax, &ax->title, s); }
void lt_axes_set_xlabel(lt_axes *ax, const char *s) { replace(ax, &ax->xlabel, s); }
void lt_axes_set_ylabel(lt_axes *ax, const char *s) { replace(ax, &ax->ylabel, s); }
void lt_axes_set_grid(lt_axes *ax, bool on) { ax->grid = on; }
void lt_axes_set_equal(lt_axes *ax, bool on) { ax->equal = on; }
void lt_axes_set_integer_ticks(lt_axes *ax, bool x, bool y)
{
    ax->xinteger = x;
    ax->yinteger = y;
}

void lt_axes_set_axis_off(lt_axes *ax, bool off) { ax->axis_off = off; }

void lt_axes_set_legend(lt_axes *ax, lt_legend_loc loc) { ax->legend = loc; }

void lt_axes_set_xlim(lt_axes *ax, double lo, double hi)
{
    ax->xlim[0] = lo;
    ax->xlim[1] = hi;
}

void lt_axes_set_ylim(lt_axes *ax, double lo, double hi)
{
    ax->ylim[0] = lo;
    ax->ylim[1] = hi;
}

void lt_axes_set_colorbar(lt_axes *ax, double vmin, double vmax, const char *label)
{
    ax->colorbar = true;
    ax->cb_min = vmin;
    ax->cb_max = vmax;
    replace(ax, &ax->cb_label, label);
}

double lt_axes_pt(const lt_axes *ax, double pt) { return pt * ax->fig->scale; }

double lt_axes_px(const lt_axes *ax, double x)
{
    return ax->box.x + (x - ax->x0) / (ax->x1 - ax->x0) * ax->box.w;
}

double lt_axes_py(const lt_axes *ax, double y)
{
    return ax->box.y + ax->box.h - (y - ax->y0) / (ax->y1 - ax->y0) * ax->box.h;
}

/* Widens a zero-width range around its value, as an axis does for a
 * single point. */
static void widen(double *lo, double *hi)
{
    if (*hi > *lo)
        return;
    double d = *lo == 0 ? 0.05 : 0.05 * fabs(*lo);
    *lo -= d;
    *hi += d;
}

/* Data extent plus 5% margins; a bar chart's zero stays on the frame, and
 * pictures (a panel of images only) have none. */
static void auto_limits(const lt_axes *ax, double lim[4])
{
    double ext[4] = {INFINITY, -INFINITY, INFINITY, -INFINITY};
    bool zero_floor = false, images_only = ax->n_series > 0;
    for (size_t i = 0; i < ax->n_series; i++) {
        lt_series_extent(&ax->series[i], ext, &zero_floor);
        images_only = images_only && ax->series[i].kind == LT_SERIES_IMAGE;
    }
    for (int a = 0; a < 2; a++) {
        double lo = ext[2 * a], hi = ext[2 * a + 1];
        if (!(lo <= hi)) {
            lo = 0;
            hi = 1;
        }
        widen(&lo, &hi);
        double m = images_only ? 0 : 0.05 * (hi - lo);
        bool floor_at_zero = a == 1 && zero_floor && lo == 0;
        lim[2 * a] = floor_at_zero ? 0 : lo - m;
        lim[2 * a + 1] = hi + m;
    }
    const double *fixed[2] = {ax->xlim, ax->ylim};
    for (int a = 0; a < 2; a++)
        for (int e = 0; e < 2; e++)
            if (isfinite(fixed[a][e]))
                lim[2 * a + e] = fixed[a][e];
    for (int a = 0; a < 2; a++) {
        if (lim[2 * a] > lim[2 * a + 1]) {
            double t = lim[2 * a];
            lim[2 * a] = lim[2 * a + 1];
            lim[2 * a + 1] = t;
        }
        widen(&lim[2 * a], &lim[2 * a + 1]);
    }
}

/* Widens the range with more room per unit so both axes draw one data
 * unit with the same number of pixels. */
static void equalize(lt_axes *ax)
{
    double dx = ax->x1 - ax->x0, dy = ax->y1 - ax->y0;
    double ppx = ax->box.w / dx, ppy = ax->box.h / dy;
    if (ppx > ppy) {
        double half = ax->box.w / ppy / 2, mid = (ax->x0 + ax->x1) / 2;
        ax->x0 = mid - half;
        ax->x1 = mid + half;
    } else {
        double half = ax->box.h / ppx / 2, mid = (ax->y0 + ax->y1) / 2;
        ax->y0 = mid - half;
        ax->y1 = mid + half;
    }
}

static double widest_label(cairo_t *cr, const lt_ticks *t, lt_tick_format f)
{
    double w = 0;
    for (int i = 0; i < t->n; i++) {
        char buf[64];
        lt_tick_label(buf, sizeof buf, t->v[i], f);
        w = fmax(w, lt_text_width(cr, buf));
    }
    return w;
}

static void locate(double lo, double hi, int nbins, bool integer, lt_ticks *out,
                   lt_tick_format *fmt)
{
    lt_ticks all;
    lt_ticks_locate(lo, hi, nbins, integer, &all);
    lt_ticks_visible(&all, lo, hi, out);
    *fmt = lt_ticks_format(out->v, out->n, out->step);
}

static void fit(lt_axes *ax, cairo_t *cr, lt_rect cell);

void lt_axes_layout(lt_axes *ax, cairo_t *cr, lt_rect cell)
{
    ax->legend_outside = false;
    fit(ax, cr, cell);
    /* A legend with no free spot inside moves out, unless a colour bar
     * already holds that side. */
    if (!ax->colorbar && lt_legend_crowded(ax, cr)) {
        ax->legend_outside = true;
        fit(ax, cr, cell);
    }
}

/* Without axes the data area is the cell less padding and the title. An
 * equal-aspect panel shrinks its box to the data, centred with its title,
 * as matplotlib's imshow does, so the title stays close to the picture. */
static void fit_bare(lt_axes *ax, cairo_t *cr, lt_rect cell, const double lim[4])
{
    double s = ax->fig->scale, pad = LT_PT_PAD * s / 2, top = pad;
    if (ax->title) {
        lt_text_font(cr, LT_PT_TITLE * s, false);
        top += lt_text_height(cr) + LT_PT_TITLE_PAD * s;
    }
    double w = fmax(cell.w - 2 * pad, 10), h = fmax(cell.h - top - pad, 10);
    double x = cell.x + pad, y = cell.y + top;
    if (ax->equal) {
        double dx = lim[1] - lim[0], dy = lim[3] - lim[2];
        double ppu = fmin(w / dx, h / dy);
        x += (w - dx * ppu) / 2;
        y += (h - dy * ppu) / 2;
        w = dx * ppu;
        h = dy * ppu;
    }
    ax->box = (lt_rect){round(x), round(y), round(w), round(h)};
    ax->x0 = lim[0];
    ax->x1 = lim[1];
    ax->y0 = lim[2];
    ax->y1 = lim[3];
    ax->xticks.n = ax->yticks.n = 0;
}

/* Chooses the box, limits and ticks for CELL. */
static void fit(lt_axes *ax, cairo_t *cr, lt_rect cell)
{
    double s = ax->fig->scale;
    double lim[4];
    auto_limits(ax, lim);
    if (ax->axis_off) {
        fit_bare(ax, cr, cell, lim);
        return;
    }

    lt_text_font(cr, LT_PT_FONT * s, false);
    double label_h = lt_text_height(cr);
    double tick_room = (LT_PT_TICK_LEN + LT_PT_TICK_PAD) * s;
    double pad = LT_PT_PAD * s;
    double ytick_w = lt_text_width(cr, "0.0"), xtick_h = label_h;
    double right_overhang = 0;

    double top = pad + label_h / 2;
    if (ax->title) {
        lt_text_font(cr, LT_PT_TITLE * s, false);
        top = pad + lt_text_height(cr) + LT_PT_TITLE_PAD * s;
    }

    /* Tick labels decide the margins and the margins the ticks: two
     * passes settle it, a third absorbs a label that changed width. */
    for (int pass = 0; pass < 3; pass++) {
        double left = pad + ytick_w + tick_room;
        if (ax->ylabel)
            left += label_h + LT_PT_LABEL_PAD * s;
        double bottom = pad + xtick_h + tick_room;
        if (ax->xlabel)
            bottom += label_h + LT_PT_LABEL_PAD * s;
        if (ax->xfmt.exponent && pass > 0)
            bottom += label_h;
        double top_here = top + (ax->yfmt.exponent && pass > 0 ? label_h : 0);
        double right = pad + right_overhang;
        if (ax->colorbar)
            right = pad + lt_colorbar_room(ax, cr);
        else if (ax->legend_outside)
            right = pad + lt_legend_room(ax, cr);

        ax->box.x = round(cell.x + left);
        ax->box.y = round(cell.y + top_here);
        ax->box.w = round(fmax(cell.w - left - right, 10));
        ax->box.h = round(fmax(cell.h - top_here - bottom, 10));
        ax->x0 = lim[0];
        ax->x1 = lim[1];
        ax->y0 = lim[2];
        ax->y1 = lim[3];
        if (ax->equal)
            equalize(ax);

        lt_text_font(cr, LT_PT_FONT * s, false);
        int xbins = lt_ticks_nbins(ax->box.w / s, LT_PT_FONT, true);
        int ybins = lt_ticks_nbins(ax->box.h / s, LT_PT_FONT, false);
        locate(ax->x0, ax->x1, xbins, ax->xinteger, &ax->xticks, &ax->xfmt);
        locate(ax->y0, ax->y1, ybins, ax->yinteger, &ax->yticks, &ax->yfmt);
        ytick_w = widest_label(cr, &ax->yticks, ax->yfmt);
        right_overhang = 0;
        if (ax->xticks.n > 0) {
            char buf[64];
            lt_tick_label(buf, sizeof buf, ax->xticks.v[ax->xticks.n - 1], ax->xfmt);
            double end = lt_axes_px(ax, ax->xticks.v[ax->xticks.n - 1]) +
                         lt_text_width(cr, buf) / 2;
            right_overhang = fmax(0, end - (ax->box.x + ax->box.w) - pad / 2);
        }
    }
    if (ax->colorbar)
        lt_colorbar_layout(ax);
}

/* Lines of odd pixel width sit on pixel centres so they stay crisp. */
static double crisp_width(double s)
{
    return fmax(1, round(LT_PT_FRAME * s));
}

static double snap(double v, double width)
{
    return ((int)width % 2) ? floor(v) + 0.5 : round(v);
}

static void draw_grid(const lt_axes *ax, cairo_t *cr)
{
    double w = crisp_width(ax->fig->scale);
    cairo_save(cr);
    cairo_set_line_width(cr, w);
    /* matplotlib's grid grey, lightened: the grid guides, data speak. */
    cairo_set_source_rgb(cr, 0.82, 0.82, 0.82);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    for (int i = 0; i < ax->xticks.n; i++) {
        double x = snap(lt_axes_px(ax, ax->xticks.v[i]), w);
        cairo_move_to(cr, x, ax->box.y);
        cairo_line_to(cr, x, ax->box.y + ax->box.h);
    }
    for (int i = 0; i < ax->yticks.n; i++) {
        double y = snap(lt_axes_py(ax, ax->yticks.v[i]), w);
        cairo_move_to(cr, ax->box.x, y);
        cairo_line_to(cr, ax->box.x + ax->box.w, y);
    }
    cairo_stroke(cr);
    cairo_restore(cr);
}

static void draw_frame_and_ticks(const lt_axes *ax, cairo_t *cr)
{
    double s = ax->fig->scale, w = crisp_width(s);
    double len = LT_PT_TICK_LEN * s, gap = (LT_PT_TICK_LEN + LT_PT_TICK_PAD) * s;
    double left = snap(ax->box.x, w), right = snap(ax->box.x + ax->box.w, w);
    double top = snap(ax->box.y, w), bottom = snap(ax->box.y + ax->box.h, w);

    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, w);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_SQUARE);
    cairo_rectangle(cr, left, top, right - left, bottom - top);
    cairo_stroke(cr);

    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    lt_text_font(cr, LT_PT_FONT * s, false);
    char buf[64];
    for (int i = 0; i < ax->xticks.n; i++) {
        double x = snap(lt_axes_px(ax, ax->xticks.v[i]), w);
        cairo_move_to(cr, x, bottom);
        cairo_line_to(cr, x, bottom + len);
        cairo_stroke(cr);
        lt_tick_label(buf, sizeof buf, ax->xticks.v[i], ax->xfmt);
        lt_text_draw(cr, buf, x, ax->box.y + ax->box.h + gap, LT_CENTER, LT_TOP, 0);
    }
    for (int i = 0; i < ax->yticks.n; i++) {
        double y = snap(lt_axes_py(ax, ax->yticks.v[i]), w);
        cairo_move_to(cr, left, y);
        cairo_line_to(cr, left - len, y);
        cairo_stroke(cr);
        lt_tick_label(buf, sizeof buf, ax->yticks.v[i], ax->yfmt);
        lt_text_draw(cr, buf, ax->box.x - gap, y, LT_RIGHT, LT_MIDDLE, 0);
    }

    double label_h = lt_text_height(cr);
    if (ax->xfmt.exponent) {
        lt_tick_exponent_label(buf, sizeof buf, ax->xfmt);
        lt_text_draw(cr, buf, ax->box.x + ax->box.w,
                     ax->box.y + ax->box.h + gap + label_h * 1.2, LT_RIGHT, LT_TOP, 0);
    }
    if (ax->yfmt.exponent) {
        lt_tick_exponent_label(buf, sizeof buf, ax->yfmt);
        lt_text_draw(cr, buf, ax->box.x, ax->box.y - 0.4 * label_h, LT_LEFT, LT_BOTTOM, 0);
    }
}

static void draw_labels(const lt_axes *ax, cairo_t *cr)
{
    double s = ax->fig->scale;
    double gap = (LT_PT_TICK_LEN + LT_PT_TICK_PAD) * s;
    lt_text_font(cr, LT_PT_FONT * s, false);
    double label_h = lt_text_height(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    if (ax->xlabel && !ax->axis_off) {
        double y = ax->box.y + ax->box.h + gap + label_h + LT_PT_LABEL_PAD * s;
        if (ax->xfmt.exponent)
            y += label_h;
        lt_text_draw(cr, ax->xlabel, ax->box.x + ax->box.w / 2, y, LT_CENTER, LT_TOP, 0);
    }
    if (ax->ylabel && !ax->axis_off) {
        double ytick_w = widest_label(cr, &ax->yticks, ax->yfmt);
        double x = ax->box.x - gap - ytick_w - LT_PT_LABEL_PAD * s;
        /* Turned to read upwards, the label's bottom faces the axis. */
        lt_text_draw(cr, ax->ylabel, x, ax->box.y + ax->box.h / 2, LT_CENTER,
                     LT_BOTTOM, -M_PI / 2);
    }
    if (ax->title) {
        lt_text_font(cr, LT_PT_TITLE * s, false);
        lt_text_draw(cr, ax->title, ax->box.x + ax->box.w / 2,
                     ax->box.y - LT_PT_TITLE_PAD * s, LT_CENTER, LT_BOTTOM, 0);
    }
}

void lt_axes_draw(lt_axes *ax, cairo_t *cr)
{
    cairo_save(cr);
    cairo_rectangle(cr, ax->box.x, ax->box.y, ax->box.w, ax->box.h);
    cairo_clip(cr);
    if (ax->grid)
        draw_grid(ax, cr);
    for (size_t i = 0; i < ax->n_series; i++)
        lt_series_draw(&ax->series[i], ax, cr);
    cairo_restore(cr);

    if (!ax->axis_off)
        draw_frame_and_ticks(ax, cr);
    draw_labels(ax, cr);
    if (ax->legend != LT_LEGEND_NONE)
        lt_legend_draw(ax, cr);
    if (ax->colorbar)
        lt_colorbar_draw(ax, cr);
}
