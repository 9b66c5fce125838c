/* Colours for figures: the categorical cycle and the continuous colour map.
 *
 * Categorical data (classes, series) take matplotlib's "tab10" colours in
 * order, so a figure reads like the lecture's; continuous values take
 * viridis, which is perceptually uniform and legible in grey. */
#ifndef LATENT_PLOT_COLOR_H
#define LATENT_PLOT_COLOR_H

/* Components in [0, 1], not premultiplied. */
typedef struct lt_rgba {
    double r, g, b, a;
} lt_rgba;

/* An opaque colour from 0xRRGGBB. */
lt_rgba lt_rgb_hex(unsigned hex);
/* C with its alpha multiplied by ALPHA. */
lt_rgba lt_rgba_fade(lt_rgba c, double alpha);
/* Colour I of the tab10 cycle; wraps around after 10. */
lt_rgba lt_color_cycle(int i);
/* Viridis at T in [0, 1] (clamped; NaN gives grey). */
lt_rgba lt_colormap_viridis(double t);

#define LT_COLOR_BLACK ((lt_rgba){0, 0, 0, 1})
#define LT_COLOR_WHITE ((lt_rgba){1, 1, 1, 1})
#define LT_COLOR_NONE ((lt_rgba){0, 0, 0, 0})

#endif
