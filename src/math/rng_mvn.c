/* np.random.multivariate_normal, legacy RandomState flavour. See rng.h.
 *
 * numpy factors cov with an SVD rather than Cholesky (to keep old outputs),
 * so a draw depends on the signs LAPACK gives the singular vectors. We call
 * the same routine (dgesdd with all vectors) from the same LAPACK numpy links
 * on Debian (OpenBLAS), which reproduces numpy's factor and hence its draws
 * to rounding. */
#include "math/rng.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* numpy's default tolerance for the positive-semidefinite test. */
#define PSD_TOL 1e-8

/* numpy's test: Vt' diag(s) Vt is allclose to cov (atol + rtol |cov|). For a
 * symmetric cov it fails when an eigenvalue is negative, since the SVD then
 * pairs that singular value with opposite left and right vectors. Stores the
 * largest entry deviation in *max_dev. */
static bool psd_ok(const double *cov, const double *s, const double *vt,
                   size_t d, double *max_dev)
{
    bool ok = true;
    *max_dev = 0;
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) {
            double sum = 0.0;
            for (size_t k = 0; k < d; k++)
                sum += vt[k * d + i] * s[k] * vt[k * d + j];
            double c = cov[i * d + j];
            double dev = fabs(sum - c);
            if (!(dev <= PSD_TOL + PSD_TOL * fabs(c)))
                ok = false;
            if (!(dev <= *max_dev))
                *max_dev = dev;
        }
    return ok;
}

int lt_rng_multivariate_normal(lt_rng *r, const double *mean, const double *cov,
                               size_t d, size_t n, double *out,
                               double *psd_error)
{
    if (d == 0)
        return LT_MVN_OK;
    /* One block: the SVD overwrites a, then u, s and vt. */
    double *a = malloc((3 * d * d + d) * sizeof *a);
    if (!a)
        return LT_MVN_NOMEM;
    double *u = a + d * d, *vt = u + d * d, *s = vt + d * d;
    memcpy(a, cov, d * d * sizeof *a);
    lapack_int m = (lapack_int)d;
    if (LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'A', m, m, a, m, s, u, m, vt, m) != 0) {
        free(a);
        return LT_MVN_SVD_FAIL;
    }
    double dev;
    if (!psd_ok(cov, s, vt, d, &dev)) {
        if (psd_error)
            *psd_error = dev;
        free(a);
        return LT_MVN_NOT_PSD;
    }
    /* The factor A = sqrt(s)[:, None] * Vt, reusing a. */
    for (size_t k = 0; k < d; k++)
        for (size_t j = 0; j < d; j++)
            a[k * d + j] = sqrt(s[k]) * vt[k * d + j];

    double *z = malloc(n * d * sizeof *z);
    if (n && !z) {
        free(a);
        return LT_MVN_NOMEM;
    }
    lt_rng_randn(r, z, n * d);
    if (n)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)n,
                    (blasint)d, (blasint)d, 1.0, z, (blasint)d, a, (blasint)d,
                    0.0, out, (blasint)d);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            out[i * d + j] += mean[j];
    free(z);
    free(a);
    return LT_MVN_OK;
}
