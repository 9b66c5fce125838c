/* What the plot modules share behind the public headers: the figure, axes
 * and series records, and the steps of layout and drawing. Not for stages. */
#ifndef LATENT_PLOT_INTERNAL_H
#define LATENT_PLOT_INTERNAL_H

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>

#include "plot/axes.h"
#include "plot/series.h"
#include "plot/ticks.h"

/* Sizes in points: matplotlib's defaults, which readers are used to. */
#define LT_PT_FONT 10.0        /* tick labels, axis labels, legend */
#define LT_PT_TITLE 12.0
#define LT_PT_TICK_LEN 3.5
#define LT_PT_TICK_PAD 3.5     /* tick mark to its label */
#define LT_PT_LABEL_PAD 4.0    /* tick labels to the axis label */
#define LT_PT_TITLE_PAD 6.0
#define LT_PT_FRAME 0.8        /* frame, tick and grid lines */
#define LT_PT_PAD 8.0          /* around each panel */
#define LT_PT_MARKER 6.0

typedef struct lt_rect {
    double x, y, w, h; /* pixels, y down */
} lt_rect;

typedef enum lt_series_kind {
    LT_SERIES_SCATTER,
    LT_SERIES_LINE,
    LT_SERIES_BARS,
    LT_SERIES_HLINE,
    LT_SERIES_VLINE,
    LT_SERIES_SEGMENTS,
    LT_SERIES_ARROW,
    LT_SERIES_TEXT,
    LT_SERIES_IMAGE,
    LT_SERIES_THUMBNAIL,
} lt_series_kind;

typedef struct lt_series {
    lt_series_kind kind;
    lt_style style;  /* colour resolved; style.label is `label` */
    char *label;     /* owned, or NULL */
    size_t n;
    double *x, *y;   /* n points (one block, owned via x) */
    double *x1, *y1; /* segment and arrow ends, inside the same block */
    lt_rgba *colors; /* per-point colours (owned), or NULL */
    double width;    /* bar width in data units */
    char *text;      /* owned, for LT_SERIES_TEXT */
    double text_pt;
    lt_halign halign;
    lt_valign valign;
    int img_rows, img_cols; /* an image's n = rows * cols grey levels in x */
    double img_rect[4];     /* x0, y0, x1, y1: where it lies in data units */
    double img_vmin, img_vmax;
    double thumb_pt;        /* a thumbnail's width in points; img_rect[0..1] its centre */
} lt_series;

struct lt_axes {
    lt_figure *fig;
    char *title, *xlabel, *ylabel; /* owned, or NULL */
    bool grid, equal, xinteger, yinteger;
    bool axis_off; /* no frame, ticks or axis labels: the title only */
    double xlim[2], ylim[2]; /* NAN: automatic */
    lt_legend_loc legend;
    bool legend_outside; /* "best" found no free spot: right of the panel */
    lt_series *series;
    size_t n_series, cap_series;
    int next_color;
    bool colorbar;
    double cb_min, cb_max;
    char *cb_label;

    /* Set by lt_axes_layout. */
    lt_rect box; /* the data area */
    double x0, x1, y0, y1;
    lt_ticks xticks, yticks, cbticks;
    lt_tick_format xfmt, yfmt, cbfmt;
};

struct lt_figure {
    int width, height, rows, cols;
    double scale; /* pixels per point */
    double resolution; /* image pixels per layout pixel (1: as laid out) */
    char *title;
    lt_axes *axes; /* rows * cols */
    cairo_surface_t *surface;
    bool out_of_memory;
};

/* figure.c: remember an allocation failure; copy a string or remember. */
void lt_figure_fail(lt_figure *fig);
bool lt_figure_failed(const lt_figure *fig);
char *lt_figure_strdup(lt_figure *fig, const char *s);

/* axes.c */
void lt_axes_init(lt_axes *ax, lt_figure *fig);
void lt_axes_release(lt_axes *ax);
/* Chooses the data area inside CELL, the limits and the ticks. */
void lt_axes_layout(lt_axes *ax, cairo_t *cr, lt_rect cell);
void lt_axes_draw(lt_axes *ax, cairo_t *cr);
double lt_axes_px(const lt_axes *ax, double x);
double lt_axes_py(const lt_axes *ax, double y);
/* Points to pixels. */
double lt_axes_pt(const lt_axes *ax, double pt);

/* series.c */
/* Appends a series with room for BLOCKS arrays of N doubles; NULL (and the
 * figure marked failed) when out of memory. TAKES_CYCLE: an unset colour
 * takes the panel's next one (else black). */
lt_series *lt_series_add(lt_axes *ax, lt_series_kind kind, size_t n, int blocks,
                         const lt_style *style, bool takes_cycle);
/* Widens ext = {xmin, xmax, ymin, ymax} to cover the series. Sets
 * *zero_floor when the series is a bar chart standing on y = 0. */
void lt_series_extent(const lt_series *s, double ext[4], bool *zero_floor);
void lt_series_draw(const lt_series *s, const lt_axes *ax, cairo_t *cr);
/* The legend's sample of the series, fitted into R. */
void lt_series_draw_handle(const lt_series *s, const lt_axes *ax, cairo_t *cr,
                           lt_rect r);
/* How many of the series' marks fall in R (pixels): points and vertices
 * inside, segments crossing. Legend placement avoids the busiest spots. */
size_t lt_series_hits(const lt_series *s, const lt_axes *ax, lt_rect r);
void lt_series_release(lt_series *s);

/* image.c: an image series' extent, drawing and legend-avoidance weight. */
void lt_image_extent(const lt_series *s, double ext[4]);
void lt_image_draw(const lt_series *s, const lt_axes *ax, cairo_t *cr);
size_t lt_image_hits(const lt_series *s, const lt_axes *ax, lt_rect r);
/* Draws the whole figure onto CR in pixel units (figure.c); what
 * lt_figure_render and the vector writers share. */
void lt_figure_draw(lt_figure *fig, cairo_t *cr);

/* The grey levels as an image surface: VMIN white, VMAX black, NaN clear.
 * Owned by the caller (cairo_surface_destroy); check its status. */
cairo_surface_t *lt_image_surface(const lt_series *s);

/* thumbnail.c: a thumbnail series' drawing and legend-avoidance weight. */
void lt_thumbnail_draw(const lt_series *s, const lt_axes *ax, cairo_t *cr);
size_t lt_thumbnail_hits(const lt_series *s, const lt_axes *ax, lt_rect r);

/* style.c */
void lt_style_source(cairo_t *cr, lt_rgba c, double alpha);
void lt_style_dash(cairo_t *cr, lt_dash dash, double line_px);
/* Adds the outline of marker M of SIZE pixels centred at (x, y) to the
 * path; *filled tells whether it is filled (x and + are only stroked). */
void lt_style_marker_path(cairo_t *cr, lt_marker m, double x, double y,
                          double size, bool *filled);
/* Draws a marker with the style's colour, alpha and edge. */
void lt_style_marker(cairo_t *cr, const lt_style *st, lt_rgba fill, double x,
                     double y, double size_px, double px_per_pt);
/* Draws an arrow from (x0, y0) to (x1, y1) in pixels with a filled head. */
void lt_style_arrow(cairo_t *cr, double x0, double y0, double x1, double y1,
                    double line_px);

/* legend.c */
/* The width a legend outside the panel needs (0 when there is none). */
double lt_legend_room(const lt_axes *ax, cairo_t *cr);
/* Whether the best spot inside the panel would hide more than a few marks
 * (and more than half a percent of them): then the legend goes outside. */
bool lt_legend_crowded(const lt_axes *ax, cairo_t *cr);
void lt_legend_draw(const lt_axes *ax, cairo_t *cr);

/* colorbar.c: the width the bar needs beside the panel, and drawing it. */
double lt_colorbar_room(lt_axes *ax, cairo_t *cr);
void lt_colorbar_layout(lt_axes *ax);
void lt_colorbar_draw(const lt_axes *ax, cairo_t *cr);

#endif
