#include "plot/ticks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Python's float divmod for y > 0: the quotient is floored, and the
 * remainder takes y's sign. The locator's edge cases (a limit that sits
 * on a tick up to rounding) depend on these exact semantics. */
static void py_divmod(double x, double y, double *div, double *mod)
{
    double m = fmod(x, y);
    double d = (x - m) / y;
    if (m != 0) {
        if (m < 0) {
            m += y;
            d -= 1.0;
        }
    } else {
        m = 0.0;
    }
    double f = floor(d);
    if (d - f > 0.5)
        f += 1.0;
    *div = d != 0 ? f : copysign(0.0, x / y);
    *mod = m;
}

/* Widens a degenerate range the way an axis does for a single value. */
static void nonsingular(double *vmin, double *vmax)
{
    if (!isfinite(*vmin) || !isfinite(*vmax)) {
        *vmin = -0.05;
        *vmax = 0.05;
        return;
    }
    if (*vmax < *vmin) {
        double t = *vmin;
        *vmin = *vmax;
        *vmax = t;
    }
    double maxabs = fmax(fabs(*vmin), fabs(*vmax));
    if (maxabs < 1e6 / 1e-13 * 2.2250738585072014e-308) {
        *vmin = -0.05;
        *vmax = 0.05;
    } else if (*vmax - *vmin <= maxabs * 1e-13) {
        if (*vmax == 0 && *vmin == 0) {
            *vmin = -0.05;
            *vmax = 0.05;
        } else {
            *vmin -= 0.05 * fabs(*vmin);
            *vmax += 0.05 * fabs(*vmax);
        }
    }
}

/* With a large offset, a remainder within rounding of a whole step counts
 * as one: the slack grows with offset / step. */
static bool close_to(double ms, double edge, double step, double offset)
{
    double tol = 1e-10;
    if (offset > 0) {
        tol = pow(10, log10(offset / step) - 12);
        tol = fmin(0.4999, fmax(1e-10, tol));
    }
    return fabs(ms - edge) < tol;
}

/* Largest k with k * step <= x, and smallest k with k * step >= x. */
static double edge_le(double x, double step, double offset)
{
    double d, m;
    py_divmod(x, step, &d, &m);
    return close_to(m / step, 1, step, offset) ? d + 1 : d;
}

static double edge_ge(double x, double step, double offset)
{
    double d, m;
    py_divmod(x, step, &d, &m);
    return close_to(m / step, 0, step, offset) ? d : d + 1;
}

int lt_ticks_locate(double vmin, double vmax, int nbins, bool integer,
                    lt_ticks *out)
{
    static const double staircase[] = {0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20};
    const int n_steps = (int)(sizeof staircase / sizeof staircase[0]);

    if (nbins < 1)
        nbins = 1;
    if (nbins > 20)
        nbins = 20;
    nonsingular(&vmin, &vmax);

    /* Work on a range shifted near zero when it sits far from it, so the
     * multiples of the step stay exact. */
    double span = vmax - vmin;
    double mean = (vmax + vmin) / 2;
    double offset = 0;
    if (fabs(mean) / span >= 100)
        offset = copysign(pow(10, floor(log10(fabs(mean)))), mean);
    double scale = pow(10, floor(log10(span / nbins)));
    double lo = vmin - offset, hi = vmax - offset;
    double raw_step = (hi - lo) / nbins;

    double steps[10];
    int n = 0;
    for (int i = 0; i < n_steps; i++) {
        double st = staircase[i] * scale;
        if (!integer || st < 1 || fabs(st - round(st)) < 0.001)
            steps[n++] = st;
    }
    int first = n - 1;
    for (int i = 0; i < n; i++)
        if (steps[i] >= raw_step) {
            first = i;
            break;
        }
    bool whole = integer && floor(hi) - ceil(lo) >= 1;

    /* The first step that covers the range is an upper bound; a smaller
     * one is taken only when it would leave fewer than two ticks inside. */
    for (int i = first; i >= 0; i--) {
        double step = whole ? fmax(1, steps[i]) : steps[i];
        double d, m;
        py_divmod(lo, step, &d, &m);
        double base = d * step;
        double k0 = edge_le(lo - base, step, fabs(offset));
        double k1 = edge_ge(hi - base, step, fabs(offset));
        int count = 0, inside = 0;
        for (double k = k0; k <= k1 && count < LT_TICKS_MAX; k += 1) {
            double t = k * step + base;
            if (t >= lo && t <= hi)
                inside++;
            out->v[count++] = t + offset;
        }
        out->n = count;
        out->step = step;
        if (inside >= 2)
            break;
    }
    return out->n;
}

void lt_ticks_visible(const lt_ticks *all, double lo, double hi, lt_ticks *out)
{
    double slack = (hi - lo) * 1e-9;
    out->n = 0;
    out->step = all->step;
    for (int i = 0; i < all->n; i++)
        if (all->v[i] >= lo - slack && all->v[i] <= hi + slack)
            out->v[out->n++] = all->v[i];
}

int lt_ticks_nbins(double length_pt, double font_pt, bool horizontal)
{
    double room = font_pt * (horizontal ? 3 : 2);
    int n = room > 0 ? (int)floor(length_pt / room) : 9;
    return n < 1 ? 1 : n > 9 ? 9 : n;
}

lt_tick_format lt_ticks_format(const double *values, int n, double step)
{
    lt_tick_format f = {0, 0};
    double maxabs = 0;
    for (int i = 0; i < n; i++)
        maxabs = fmax(maxabs, fabs(values[i]));
    if (maxabs > 0) {
        int oom = (int)floor(log10(maxabs));
        if (oom <= -5 || oom >= 6)
            f.exponent = oom;
    }
    double unit = pow(10, f.exponent);
    double tol = fabs(step) / unit * 1e-6;
    for (f.decimals = 0; f.decimals < 15; f.decimals++) {
        bool exact = true;
        for (int i = 0; i < n && exact; i++) {
            char buf[64];
            double v = values[i] / unit;
            snprintf(buf, sizeof buf, "%.*f", f.decimals, v);
            exact = fabs(strtod(buf, NULL) - v) <= tol;
        }
        if (exact)
            break;
    }
    return f;
}

void lt_tick_label(char *buf, size_t size, double v, lt_tick_format f)
{
    char num[64];
    snprintf(num, sizeof num, "%.*f", f.decimals, v / pow(10, f.exponent));
    const char *digits = num;
    bool negative = num[0] == '-';
    if (negative) {
        digits++;
        /* "-0.00" is zero: print it without a sign. */
        negative = strspn(digits, "0.") != strlen(digits);
    }
    snprintf(buf, size, "%s%s", negative ? "\u2212" : "", digits);
}

void lt_tick_exponent_label(char *buf, size_t size, lt_tick_format f)
{
    static const char *const superscript[10] = {
        "\u2070", "\u00b9", "\u00b2", "\u00b3", "\u2074",
        "\u2075", "\u2076", "\u2077", "\u2078", "\u2079",
    };
    if (size == 0)
        return;
    buf[0] = '\0';
    if (f.exponent == 0)
        return;
    char digits[16];
    snprintf(digits, sizeof digits, "%d", abs(f.exponent));
    size_t len = (size_t)snprintf(buf, size, "\u00d710%s", f.exponent < 0 ? "\u207b" : "");
    for (const char *d = digits; *d && len < size; d++)
        len += (size_t)snprintf(buf + len, size - len, "%s", superscript[*d - '0']);
}
