/* Text on a cairo context: one typeface (DejaVu Sans, the face matplotlib
 * ships), anchored by the box a reader sees: from the top of the capitals
 * to the bottom of the descenders. Sizes are in device pixels. */
#ifndef LATENT_PLOT_TEXT_H
#define LATENT_PLOT_TEXT_H

#include <cairo.h>
#include <stdbool.h>

typedef enum lt_halign { LT_LEFT, LT_CENTER, LT_RIGHT } lt_halign;
/* LT_MIDDLE centres the capitals, which is what lines up a number with a
 * tick mark; LT_BOTTOM puts the descenders on the anchor. */
typedef enum lt_valign { LT_TOP, LT_MIDDLE, LT_BASELINE, LT_BOTTOM } lt_valign;

/* Sets anti-aliased, unhinted rendering (so layout does not depend on
 * the pixel grid) and selects the face at SIZE_PX, bold or regular. */
void lt_text_font(cairo_t *cr, double size_px, bool bold);

/* Advance width of S in the current font. */
double lt_text_width(cairo_t *cr, const char *s);
/* Height of the text box (capitals plus descenders) in the current font. */
double lt_text_height(cairo_t *cr);

/* Draws S in the current font and source, anchored at (X, Y) and turned by
 * ANGLE radians (counter-clockwise on screen for negative values, so
 * -pi/2 reads bottom to top) about the anchor. */
void lt_text_draw(cairo_t *cr, const char *s, double x, double y, lt_halign h,
                  lt_valign v, double angle);

/* As lt_text_draw, over a white outline HALO_PX wide that keeps the text
 * legible on top of data. */
void lt_text_draw_halo(cairo_t *cr, const char *s, double x, double y,
                       lt_halign h, lt_valign v, double angle, double halo_px);

#endif
