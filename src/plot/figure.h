/* A figure: a white image holding one or more panels (axes) in a grid.
 *
 * Build a figure by adding series to its axes, then render it once and
 * write it out. Sizes of text and lines are given in points, like
 * matplotlib's, and drawn at SCALE pixels per point, so a bigger image gets
 * proportionally bigger text rather than smaller-looking text.
 *
 * Errors: the builder calls (here and in axes.h, series.h) never fail
 * loudly. The first allocation failure is remembered by the figure, later
 * builder calls do nothing, and lt_figure_render reports it. Stage code can
 * thus build a whole figure and check once. */
#ifndef LATENT_PLOT_FIGURE_H
#define LATENT_PLOT_FIGURE_H

#include <cairo.h>

typedef struct lt_figure lt_figure;
typedef struct lt_axes lt_axes;

/* A WIDTH x HEIGHT pixel figure with ROWS x COLS panels. The default scale
 * gives an 800 x 600 figure the look of a matplotlib figure saved at 125
 * dpi (10 pt text about 17 px high). Returns an owned figure, or NULL when
 * out of memory or a size is out of range (1..16384 pixels, 1..16 panels
 * each way). Free with lt_figure_free. */
lt_figure *lt_figure_new(int width, int height, int rows, int cols);
/* Frees *fig and its image (NULL is fine) and sets *fig to NULL. */
void lt_figure_free(lt_figure **fig);

/* Pixels per point, > 0. */
void lt_figure_set_scale(lt_figure *fig, double px_per_pt);
double lt_figure_scale(const lt_figure *fig);
/* Image pixels per layout pixel: the PNG is drawn PX_PER_PX times the
 * size the figure was laid out at (a higher dpi), and a vector file is
 * sized to match. Returns 0, or -1 (nothing changed) when the image would
 * be empty or wider or higher than 16384 pixels. */
int lt_figure_set_resolution(lt_figure *fig, double px_per_px);
double lt_figure_resolution(const lt_figure *fig);
/* A title above all panels (copied; NULL removes it). */
void lt_figure_set_title(lt_figure *fig, const char *title);

/* Panel INDEX, counted row by row from the top left. Borrowed from fig;
 * NULL when INDEX is out of range. */
lt_axes *lt_figure_axes(lt_figure *fig, int index);

/* Lays out and draws every panel. Returns 0, or -1 when a builder call ran
 * out of memory or cairo failed (errno is ENOMEM). May be called again
 * after more series are added; each call draws from scratch. */
int lt_figure_render(lt_figure *fig);
/* The rendered ARGB32 image (borrowed), or NULL before a successful render. */
cairo_surface_t *lt_figure_surface(lt_figure *fig);
/* Renders when not yet done and writes the image to PATH as PNG with the
 * key/value TEXT pairs (NULL-terminated, may be NULL). Returns 0, or -1
 * with errno set. */
int lt_figure_write_png(lt_figure *fig, const char *path, const char *const *text);
/* Draws the figure as a vector file at PATH: PDF (the TEXT pairs in its
 * info dictionary) or SVG (the pairs in its <metadata>). An image pixel of
 * the figure (see lt_figure_set_resolution) is 72 / DPI points, so the PDF
 * rasterised at DPI has the PNG's size. Returns 0, or -1 with errno set. */
int lt_figure_write_pdf(lt_figure *fig, const char *path, double dpi, const char *const *text);
int lt_figure_write_svg(lt_figure *fig, const char *path, double dpi, const char *const *text);

#endif
