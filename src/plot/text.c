#include "plot/text.h"

#include <math.h>

void lt_text_font(cairo_t *cr, double size_px, bool bold)
{
    cairo_font_options_t *opt = cairo_font_options_create();
    cairo_font_options_set_antialias(opt, CAIRO_ANTIALIAS_GRAY);
    cairo_font_options_set_hint_style(opt, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(opt, CAIRO_HINT_METRICS_OFF);
    cairo_set_font_options(cr, opt);
    cairo_font_options_destroy(opt);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size_px);
}

double lt_text_width(cairo_t *cr, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

/* The capitals' height, measured on "H" rather than taken from the font's
 * ascent, which leaves room for accents that labels rarely have. */
static double cap_height(cairo_t *cr)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, "H", &e);
    return -e.y_bearing;
}

static double descent(cairo_t *cr)
{
    cairo_font_extents_t f;
    cairo_font_extents(cr, &f);
    return f.descent;
}

double lt_text_height(cairo_t *cr) { return cap_height(cr) + descent(cr); }

/* Moves to where S starts so that its box sits at (x, y) as H and V say,
 * inside a cairo_save the caller restores. */
static void place(cairo_t *cr, const char *s, double x, double y, lt_halign h,
                  lt_valign v, double angle)
{
    double w = lt_text_width(cr, s);
    double dx = h == LT_LEFT ? 0 : h == LT_CENTER ? -w / 2 : -w;
    double dy = 0;
    switch (v) {
    case LT_TOP: dy = cap_height(cr); break;
    case LT_MIDDLE: dy = cap_height(cr) / 2; break;
    case LT_BASELINE: dy = 0; break;
    case LT_BOTTOM: dy = -descent(cr); break;
    }
    cairo_translate(cr, x, y);
    if (angle != 0)
        cairo_rotate(cr, angle);
    cairo_move_to(cr, dx, dy);
}

void lt_text_draw(cairo_t *cr, const char *s, double x, double y, lt_halign h,
                  lt_valign v, double angle)
{
    cairo_save(cr);
    place(cr, s, x, y, h, v, angle);
    cairo_show_text(cr, s);
    cairo_new_path(cr);
    cairo_restore(cr);
}

void lt_text_draw_halo(cairo_t *cr, const char *s, double x, double y,
                       lt_halign h, lt_valign v, double angle, double halo_px)
{
    cairo_pattern_t *ink = cairo_pattern_reference(cairo_get_source(cr));
    cairo_save(cr);
    place(cr, s, x, y, h, v, angle);
    cairo_text_path(cr, s);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
    cairo_set_line_width(cr, 2 * halo_px);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke_preserve(cr);
    cairo_set_source(cr, ink);
    cairo_fill(cr);
    cairo_restore(cr);
    cairo_pattern_destroy(ink);
}
