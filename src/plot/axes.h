/* One panel of a figure: its labels, limits, grid, aspect and legend.
 *
 * Limits default to the data's extent plus 5% on each side (none below a
 * bar chart's zero line), like matplotlib's autoscaling. Ticks follow
 * ticks.h and are labelled with one shared format per axis. Strings are
 * copied. */
#ifndef LATENT_PLOT_AXES_H
#define LATENT_PLOT_AXES_H

#include <stdbool.h>

#include "plot/figure.h"

void lt_axes_set_title(lt_axes *ax, const char *title);
void lt_axes_set_xlabel(lt_axes *ax, const char *label);
void lt_axes_set_ylabel(lt_axes *ax, const char *label);
/* Light lines at the major ticks, under the data. */
void lt_axes_set_grid(lt_axes *ax, bool on);
/* One data unit is as long on x as on y: the shorter range is widened
 * about its centre to fill the panel (matplotlib's axis("equal")). */
void lt_axes_set_equal(lt_axes *ax, bool on);
/* No frame, ticks, tick labels nor axis labels, and no room kept for them:
 * the data area fills the panel below its title (matplotlib's axis("off")). */
void lt_axes_set_axis_off(lt_axes *ax, bool off);
/* Ticks on whole numbers only (for counts such as component numbers). */
void lt_axes_set_integer_ticks(lt_axes *ax, bool x, bool y);
/* Fixed limits; NAN for an end leaves that end automatic. */
void lt_axes_set_xlim(lt_axes *ax, double lo, double hi);
void lt_axes_set_ylim(lt_axes *ax, double lo, double hi);

typedef enum lt_legend_loc {
    LT_LEGEND_NONE,
    LT_LEGEND_BEST, /* the corner or edge centre that covers the least data */
    LT_LEGEND_UPPER_RIGHT,
    LT_LEGEND_UPPER_LEFT,
    LT_LEGEND_LOWER_LEFT,
    LT_LEGEND_LOWER_RIGHT,
    LT_LEGEND_CENTER_RIGHT,
    LT_LEGEND_CENTER_LEFT,
    LT_LEGEND_LOWER_CENTER,
    LT_LEGEND_UPPER_CENTER,
    LT_LEGEND_CENTER,
} lt_legend_loc;

/* Shows a legend of every series added with a label, in the order added. */
void lt_axes_set_legend(lt_axes *ax, lt_legend_loc loc);

/* A viridis colour bar beside the panel for values in [vmin, vmax], with
 * an optional LABEL; pair it with lt_axes_scatter_values. */
void lt_axes_set_colorbar(lt_axes *ax, double vmin, double vmax, const char *label);

#endif
