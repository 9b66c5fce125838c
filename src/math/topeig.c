#include "math/topeig.h"

#include <cblas.h>
#include <lapacke.h>
#include <stdlib.h>
#include <string.h>

#include "math/linalg.h"
#include "math/topeig_impl.h"

void lt_store_descending(const double *w, const double *z, size_t n, size_t k,
                             double *values, double *vectors)
{
    for (size_t j = 0; j < k; j++) {
        size_t from = k - 1 - j;
        values[j] = w[from];
        for (size_t i = 0; i < n; i++)
            vectors[i * k + j] = z[from * n + i];
    }
}

static int dense(double *a, size_t n, size_t k, double *values, double *vectors)
{
    double *w = malloc(n * sizeof *w), *z = malloc(n * k * sizeof *z);
    lapack_int *support = malloc(2 * k * sizeof *support);
    int status = LT_LA_ENOMEM;
    if (w && z && support) {
        /* A is symmetric: its row-major storage is its column-major one. */
        lapack_int found = 0;
        lapack_int info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'I', 'L', (lapack_int)n,
                                         a, (lapack_int)n, 0.0, 0.0,
                                         (lapack_int)(n - k + 1), (lapack_int)n, 0.0,
                                         &found, w, z, (lapack_int)n, support);
        if (info == LAPACK_WORK_MEMORY_ERROR || info == LAPACK_TRANSPOSE_MEMORY_ERROR)
            status = LT_LA_ENOMEM;
        else if (info != 0 || (size_t)found != k)
            status = LT_LA_ENOCONV;
        else
            status = LT_LA_OK;
    }
    if (status == LT_LA_OK)
        lt_store_descending(w, z, n, k, values, vectors);
    free(w);
    free(z);
    free(support);
    return status;
}

int lt_top_eigh(double *a, size_t n, size_t k, lt_eig_method method, uint32_t seed,
                double *values, double *vectors, int *iterations)
{
    if (iterations)
        *iterations = 0;
    if (!lt_linalg_fits(n, n) || !lt_linalg_fits(n * k, 1))
        return LT_LA_ETOOBIG;
    if (k == 0 || k > n || (method == LT_EIG_ARPACK && k >= n))
        return LT_EIG_EARPACK;
    switch (method) {
    case LT_EIG_ARPACK: return lt_top_eigh_arpack(a, n, k, seed, values, vectors, iterations);
    case LT_EIG_KRYLOV: return lt_top_eigh_krylov(a, n, k, seed, values, vectors, iterations);
    case LT_EIG_DENSE: break;
    }
    return dense(a, n, k, values, vectors);
}

const char *lt_eig_method_name(lt_eig_method method)
{
    switch (method) {
    case LT_EIG_ARPACK: return "arpack";
    case LT_EIG_KRYLOV: return "randomized";
    case LT_EIG_DENSE: break;
    }
    return "dense";
}
