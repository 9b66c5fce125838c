#include "math/pca2.h"

#include <math.h>

double lt_pca2_score(const lt_pca2 *p, int k, double x, double y)
{
    return (x - p->mean[0]) * p->component[k][0] + (y - p->mean[1]) * p->component[k][1];
}

int lt_pca2_fit(const double *x, const double *y, size_t n, lt_pca2 *out)
{
    if (n < 2)
        return -1;
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return -1;
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    /* Centred sums: one pass over the deviations keeps the covariance
     * accurate when the mean is large compared with the spread. */
    double sxx = 0, syy = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = x[i] - mx, dy = y[i] - my;
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    double a = sxx / (double)(n - 1), c = syy / (double)(n - 1), b = sxy / (double)(n - 1);

    /* [[a, b], [b, c]] = R(theta) diag(l0, l1) R(theta)^T with
     * tan(2 theta) = 2b / (a - c); the angle form stays accurate for
     * nearly equal eigenvalues where (l - c, b) would cancel. */
    double half_gap = hypot((a - c) / 2, b), mid = (a + c) / 2;
    double theta = 0.5 * atan2(2 * b, a - c);
    out->mean[0] = mx;
    out->mean[1] = my;
    out->variance[0] = mid + half_gap;
    out->variance[1] = fmax(0, mid - half_gap);
    out->component[0][0] = cos(theta);
    out->component[0][1] = sin(theta);
    out->component[1][0] = -sin(theta);
    out->component[1][1] = cos(theta);
    double total = out->variance[0] + out->variance[1];
    for (int k = 0; k < 2; k++)
        out->ratio[k] = total > 0 ? out->variance[k] / total : 0;

    for (int k = 0; k < 2; k++) {
        double best = 0, best_abs = -1;
        for (size_t i = 0; i < n; i++) {
            double s = lt_pca2_score(out, k, x[i], y[i]);
            if (fabs(s) > best_abs) {
                best_abs = fabs(s);
                best = s;
            }
        }
        if (best < 0) {
            out->component[k][0] = -out->component[k][0];
            out->component[k][1] = -out->component[k][1];
        }
    }
    return 0;
}
