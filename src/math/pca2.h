/* Principal components of two-dimensional points, in closed form.
 *
 * The plots of the lecture's 2-D example need the mean, the two principal
 * directions and their variances of the very points they draw; a 2 x 2
 * symmetric eigenproblem has an exact solution, so no LAPACK call. */
#ifndef LATENT_MATH_PCA2_H
#define LATENT_MATH_PCA2_H

#include <stddef.h>

typedef struct lt_pca2 {
    double mean[2];
    double variance[2];     /* eigenvalues of the sample covariance (n - 1),
                               descending */
    double component[2][2]; /* component[k]: unit direction of variance[k] */
    double ratio[2];        /* variance[k] / (variance[0] + variance[1]) */
} lt_pca2;

/* Fits the points (x[i], y[i]), i < n. Component signs follow
 * scikit-learn's PCA: each is oriented so that the point with the largest
 * absolute score along it scores positive. Returns 0, or -1 when n < 2 or
 * a value is not finite. A set of identical points gets zero variances,
 * the coordinate axes as components and ratios of 0. */
int lt_pca2_fit(const double *x, const double *y, size_t n, lt_pca2 *out);

/* The score of (x, y) along component K: <(x, y) - mean, component[K]>. */
double lt_pca2_score(const lt_pca2 *p, int k, double x, double y);

#endif
