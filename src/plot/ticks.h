/* Tick positions and tick labels for a numeric axis.
 *
 * Positions follow matplotlib's default locator (MaxNLocator with steps
 * 1, 2, 2.5, 5, 10): the smallest "nice" step that covers the range in at
 * most nbins intervals, backing off to a smaller step when fewer than two
 * ticks would land inside. So an axis here gets the ticks a matplotlib user
 * expects for the same limits. */
#ifndef LATENT_PLOT_TICKS_H
#define LATENT_PLOT_TICKS_H

#include <stdbool.h>
#include <stddef.h>

#define LT_TICKS_MAX 32

typedef struct lt_ticks {
    double v[LT_TICKS_MAX]; /* ascending */
    int n;
    double step;
} lt_ticks;

/* Locates ticks for [vmin, vmax] with at most NBINS intervals (clamped to
 * [1, 20]); with INTEGER, steps of 1 or more are whole numbers (for
 * counts), and a range holding two integers gets no fractional step. Like matplotlib's tick_values, the first and last tick may lie
 * up to one step outside the range: callers draw the ones inside. A range
 * of zero width, or one with a non-finite end, is widened first. Returns
 * the number of ticks (>= 2). */
int lt_ticks_locate(double vmin, double vmax, int nbins, bool integer,
                    lt_ticks *out);

/* The ticks of ALL that lie inside [lo, hi], up to rounding: what an
 * axis with those limits shows. */
void lt_ticks_visible(const lt_ticks *all, double lo, double hi, lt_ticks *out);

/* How many intervals an axis LENGTH_PT long fits with tick labels of
 * FONT_PT, matplotlib's rule: a label is at most 3 font sizes wide on a
 * horizontal axis, 2 high on a vertical one; clamped to [1, 9]. */
int lt_ticks_nbins(double length_pt, double font_pt, bool horizontal);

/* One number format shared by every label of an axis: DECIMALS after the
 * point, values divided by 10^EXPONENT (shown once, at the axis end). */
typedef struct lt_tick_format {
    int decimals;
    int exponent;
} lt_tick_format;

/* The format that shows each of VALUES[0..n) exactly enough to tell them
 * apart and no more: the fewest decimals that print every value to within
 * a millionth of STEP, and a power of ten when the largest magnitude is
 * below 1e-4 or at least 1e6 (matplotlib's limits). */
lt_tick_format lt_ticks_format(const double *values, int n, double step);

/* Writes V in format F to BUF (UTF-8, a true minus sign, never "-0"). */
void lt_tick_label(char *buf, size_t size, double v, lt_tick_format f);

/* Writes the multiplier label of F ("×10⁶", "×10⁻⁵") to BUF, or "" when
 * F has no exponent. */
void lt_tick_exponent_label(char *buf, size_t size, lt_tick_format f);

#endif
