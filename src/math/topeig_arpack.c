/* lt_top_eigh's arpack method: ARPACK's implicitly restarted Lanczos
 * (dsaupd/dseupd) driven as scipy's eigsh drives it. */
#include <arpack/arpack.h>
#include <cblas.h>
#include <stdlib.h>

#include "math/linalg.h"
#include "math/rng.h"
#include "math/topeig.h"
#include "math/topeig_impl.h"

int lt_top_eigh_arpack(const lt_sym_matrix *m, size_t k, uint32_t seed, double *values,
                       double *vectors, int *products)
{
    const double *a = m->a;
    size_t n = m->n;
    a_int N = (a_int)n, nev = (a_int)k;
    a_int ncv = 2 * nev + 1 > 20 ? 2 * nev + 1 : 20;
    if (ncv > N)
        ncv = N;
    a_int lworkl = ncv * (ncv + 8);
    double *resid = malloc(n * sizeof *resid);
    double *v = malloc(n * (size_t)ncv * sizeof *v);
    double *workd = malloc(3 * n * sizeof *workd);
    double *workl = malloc((size_t)lworkl * sizeof *workl);
    double *d = malloc(k * sizeof *d);
    double *z = malloc(n * k * sizeof *z);
    a_int *select = malloc((size_t)ncv * sizeof *select);
    int status = LT_LA_ENOMEM;
    if (!resid || !v || !workd || !workl || !d || !z || !select)
        goto done;

    /* scikit-learn's start: RandomState(seed).uniform(-1, 1, n). */
    lt_rng r;
    lt_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++)
        resid[i] = -1.0 + 2.0 * lt_rng_uniform(&r);

    a_int iparam[11] = {0}, ipntr[14] = {0};
    iparam[0] = 1;                          /* exact shifts */
    iparam[2] = N > 0 ? 10 * N : 1;         /* restarts, scipy's default */
    iparam[6] = 1;                          /* A x = lambda x */
    a_int ido = 0, info = 1;                /* info 1: resid holds the start */
    int count = 0;
    for (;;) {
        dsaupd_c(&ido, "I", N, "LA", nev, 0.0, resid, ncv, v, N, iparam, ipntr, workd,
                 workl, lworkl, &info);
        if (ido != -1 && ido != 1)
            break;
        const double *x = workd + ipntr[0] - 1;
        double *y = workd + ipntr[1] - 1;
        cblas_dsymv(CblasRowMajor, CblasLower, (int)n, 1.0, a, (int)n, x, 1, 0.0, y, 1);
        lt_sym_centre_products(m, x, n, y, n, 1);
        count++;
    }
    if (products)
        *products = count;
    if (info == 1) {
        status = LT_LA_ENOCONV;
        goto done;
    }
    if (info != 0) {
        status = LT_EIG_EARPACK;
        goto done;
    }
    a_int ierr = 0;
    dseupd_c(1, "A", select, d, z, N, 0.0, "I", N, "LA", nev, 0.0, resid, ncv, v, N,
             iparam, ipntr, workd, workl, lworkl, &ierr);
    if (ierr != 0 || iparam[4] < nev) {
        status = ierr != 0 ? LT_EIG_EARPACK : LT_LA_ENOCONV;
        goto done;
    }
    lt_store_descending(d, z, n, k, values, vectors);
    status = LT_LA_OK;
done:
    free(resid);
    free(v);
    free(workd);
    free(workl);
    free(d);
    free(z);
    free(select);
    return status;
}
