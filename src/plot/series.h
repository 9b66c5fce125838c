/* What a panel draws: scatter points, lines, bars, reference lines,
 * segments, arrows and text, each with a style and an optional legend
 * label. Every add function copies its arrays (the caller keeps its own)
 * and draws in the order added, over the grid and under the frame. Points
 * with a non-finite coordinate are skipped. */
#ifndef LATENT_PLOT_SERIES_H
#define LATENT_PLOT_SERIES_H

#include <stddef.h>

#include "plot/color.h"
#include "plot/figure.h"
#include "plot/text.h"

typedef enum lt_marker {
    LT_MARKER_NONE,
    LT_MARKER_CIRCLE,
    LT_MARKER_SQUARE,
    LT_MARKER_DIAMOND,
    LT_MARKER_TRIANGLE,
    LT_MARKER_CROSS, /* x */
    LT_MARKER_PLUS,
} lt_marker;

typedef enum lt_dash {
    LT_DASH_SOLID,
    LT_DASH_DASHED,
    LT_DASH_DOTTED,
    LT_DASH_DASHDOT,
} lt_dash;

/* Zero fields take defaults, so `(lt_style){.label = "data"}` is a
 * complete style. */
typedef struct lt_style {
    lt_rgba color;      /* alpha 0: the panel's next tab10 colour */
    double alpha;       /* opacity in (0, 1]; 0 means opaque */
    double line_width;  /* points; 0: 1.5 (lines), 2 (arrows), 1 (segments) */
    lt_dash dash;
    lt_marker marker;   /* scatter: 0 means circles; lines: vertex markers */
    double marker_size; /* points across; 0 means 6 */
    lt_rgba edge;       /* marker and bar outline; alpha 0: none */
    const char *label;  /* legend text (copied); NULL: not in the legend */
} lt_style;

/* Markers at (x[i], y[i]). */
void lt_axes_scatter(lt_axes *ax, const double *x, const double *y, size_t n,
                     const lt_style *style);
/* Markers coloured by viridis at (value[i] - vmin) / (vmax - vmin); the
 * style's colour only stands for the series in a legend. */
void lt_axes_scatter_values(lt_axes *ax, const double *x, const double *y,
                            const double *value, size_t n, double vmin,
                            double vmax, const lt_style *style);
/* A polyline through (x[i], y[i]); a non-finite point breaks it. */
void lt_axes_plot(lt_axes *ax, const double *x, const double *y, size_t n,
                  const lt_style *style);
/* Bars from 0 to height[i], centred at x[i], WIDTH data units wide. */
void lt_axes_bars(lt_axes *ax, const double *x, const double *height, size_t n,
                  double width, const lt_style *style);
/* A line across the whole panel at y = Y (resp. x = X). It takes no part
 * in choosing the other axis's limits. */
void lt_axes_hline(lt_axes *ax, double y, const lt_style *style);
void lt_axes_vline(lt_axes *ax, double x, const lt_style *style);
/* N separate segments (x0[i], y0[i]) -> (x1[i], y1[i]). */
void lt_axes_segments(lt_axes *ax, const double *x0, const double *y0,
                      const double *x1, const double *y1, size_t n,
                      const lt_style *style);
/* An arrow from (x0, y0) with its head at (x1, y1). */
void lt_axes_arrow(lt_axes *ax, double x0, double y0, double x1, double y1,
                   const lt_style *style);
/* TEXT at data point (x, y), aligned as text.h says, in the style's colour
 * (black when unset) at SIZE_PT points (0: 10). Not part of autoscaling. */
void lt_axes_text(lt_axes *ax, double x, double y, const char *text,
                  double size_pt, lt_halign h, lt_valign v, const lt_style *style);

/* A grey image of ROWS x COLS values V (row-major, row 0 at the top; copied)
 * covering the data rectangle from its lower left corner (x0, y0) to its
 * upper right (x1, y1), in matplotlib's "binary" colours as the lecture's
 * imshow(image, cmap="binary") draws: VMIN and below white, VMAX and above
 * black, NaN left clear. Pixels stay sharp squares at any size. A panel of
 * images only has no margins around them (as imshow); pair it with
 * lt_axes_set_equal for square pixels. */
void lt_axes_image(lt_axes *ax, const double *v, int rows, int cols, double x0,
                   double y0, double x1, double y1, double vmin, double vmax);

/* A thumbnail of the ROWS x COLS grey image V (row-major; copied), WIDTH_PT
 * points wide whatever the axis limits, centred at data point (x, y) on a
 * white card framed in the style's colour (line_width points; 0: 2), as
 * matplotlib's AnnotationBbox(OffsetImage(image, cmap="binary")) draws it:
 * the image's own minimum white, its maximum black. Not part of
 * autoscaling or the legend. */
void lt_axes_thumbnail(lt_axes *ax, double x, double y, const double *v, int rows,
                       int cols, double width_pt, const lt_style *style);

#endif
