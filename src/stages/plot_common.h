/* What the plot stages share: picking the rows to draw and writing the
 * figure where the run collects artifacts. */
#ifndef LATENT_STAGES_PLOT_COMMON_H
#define LATENT_STAGES_PLOT_COMMON_H

#include <stddef.h>

#include "latent/stage.h"
#include "plot/plot.h"

/* Choices of a plot stage's `split` parameter; the first three are the
 * lt_split_id values, the last draws every split present. */
extern const char *const plot_split_choices[];
enum { PLOT_SPLIT_ALL = LT_N_SPLITS };

/* Two columns of the chosen rows, copied out of the input (owned; free
 * with plot_rows_free). */
typedef struct plot_rows {
    size_t n;
    double *x, *y;
    int *label;   /* class of each row, or NULL when a split lacks labels */
    double *t;    /* per-row value, or NULL when a split lacks them */
} plot_rows;

/* Gathers columns CX and CY of split SPLIT (a plot_split_choices index)
 * of D. Returns LT_OK, or an lt_fail code naming the absent split, the
 * column out of range, or the empty selection. */
int plot_rows_gather(lt_ctx *ctx, const lt_data *d, int split, int cx, int cy,
                     plot_rows *out);
void plot_rows_free(plot_rows *r);

/* Scatters R's points one class at a time, each in its colour of the
 * cycle and named in the legend (when LEGEND) by D's class names, "class K"
 * for a class without one. BX and BY are scratch space for R->n points;
 * STYLE gives everything but the colour and the label. */
void plot_draw_by_label(lt_axes *ax, const lt_data *d, const plot_rows *r, lt_style style,
                        double *bx, double *by, bool legend);

/* "x3", or the input's name of column COL, into BUF. */
const char *plot_column_name(const lt_data *d, int col, char *buf, size_t size);

/* Marker diameter in points for N points: 6 for a few hundred, smaller as
 * they crowd, never below 2. */
double plot_marker_size(size_t n);

/* ---- the file every plot stage writes: format, size and dpi ------------- *
 * Declared once: a plot stage's config struct holds PLOT_OUTPUT_FIELDS and
 * its table PLOT_OUTPUT_PARAMS(struct ...). */
extern const char *const plot_format_choices[]; /* png, svg, pdf */
enum { PLOT_PNG, PLOT_SVG, PLOT_PDF };
/* The resolution figures are laid out at: 800 x 600 pixels are 6.4 x 4.8
 * inches, matplotlib's default figure. */
#define PLOT_BASE_DPI 125.0
#define PLOT_OUTPUT_FIELDS                                                      \
    int format;                                                                 \
    lt_vec size;                                                                \
    double dpi
#define PLOT_OUTPUT_PARAMS(ST)                                                  \
    LT_CHOICE(ST, format, "png", plot_format_choices,                           \
              "file format: png, or svg or pdf (vector, the same drawing)"),    \
    LT_VECTOR(ST, size, 0,                                                      \
              "[width, height] in inches (default: the stage's own, 6.4 x 4.8 for one panel); a figure laid "\
              "out by its content (plot.reconstructions) keeps its aspect, scaled to fit"),                  \
    LT_REAL(ST, dpi, PLOT_BASE_DPI, 10, 1200, 0,                                \
            "pixels per inch of the PNG (and of a vector file's pixel sizes); the default gives 800 x 600 "  \
            "pixels for 6.4 x 4.8 inches")

typedef struct plot_output {
    int format;
    const lt_vec *size;
    double dpi;
} plot_output;
/* The output settings of a config struct CFG that has PLOT_OUTPUT_FIELDS. */
#define PLOT_OUTPUT(cfg) ((plot_output){(cfg)->format, &(cfg)->size, (cfg)->dpi})

/* A figure laid out at WIDTH x HEIGHT pixels (the stage's default size) in
 * ROWS x COLS panels, or at the size O asks for, drawn at O's dpi. With
 * FIT, a size set in O scales the whole figure to fit inside it instead of
 * laying it out anew. Returns an owned figure, or NULL with *STATUS an
 * lt_fail code (a bad size, or out of memory). */
lt_figure *plot_figure_new(lt_ctx *ctx, const plot_output *o, int width, int height, int rows, int cols,
                           bool fit, int *status);

/* Renders FIG and writes it to the artifact plots/<stage>.<format> with the
 * run's provenance (PNG text chunks, PDF info dictionary, SVG metadata),
 * then reports it as metric "file". Returns LT_OK or an lt_fail code. */
int plot_save(lt_ctx *ctx, lt_figure *fig, const plot_output *o);

#endif
