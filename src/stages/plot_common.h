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

/* Renders FIG and writes it to the artifact plots/<stage>.png with the
 * run's PNG text, then reports it as metric "file". Returns LT_OK or an
 * lt_fail code. */
int plot_save(lt_ctx *ctx, lt_figure *fig);

#endif
