#include "math/topeig.h"

#include <cblas.h>
#include <lapacke.h>
#include <stdbool.h>
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

void lt_sym_centre_products(const lt_sym_matrix *m, const double *x, size_t ldx,
                            double *y, size_t ldy, size_t cols)
{
    if (!m->means)
        return;
    size_t n = m->n;
    for (size_t j = 0; j < cols; j++) {
        const double *xj = x + j * ldx;
        double *yj = y + j * ldy;
        /* (A - 1 m' - m 1' + mu 1 1') x = A x - (m.x) - m (1.x) + mu (1.x) */
        double dot = 0, sum = 0;
        for (size_t i = 0; i < n; i++) {
            dot += m->means[i] * xj[i];
            sum += xj[i];
        }
        double shift = m->mean * sum - dot;
        for (size_t i = 0; i < n; i++)
            yj[i] += shift - m->means[i] * sum;
    }
}

/* A := A - 1 m' - m 1' + mu 1 1', in the order KernelCenterer subtracts. */
static void centre_in_place(const lt_sym_matrix *m)
{
    size_t n = m->n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < (m->storage == LT_SYM_LOWER ? i + 1 : n); j++) {
            double v = m->a[i * n + j] - m->means[j];
            v -= m->means[i];
            m->a[i * n + j] = v + m->mean;
        }
}

static int dense(double *a, size_t n, bool lower_only, size_t k, double *values,
                 double *vectors)
{
    double *w = malloc(n * sizeof *w), *z = malloc(n * k * sizeof *z);
    lapack_int *support = malloc(2 * k * sizeof *support);
    int status = LT_LA_ENOMEM;
    if (w && z && support) {
        /* A is symmetric: its row-major storage is its column-major one,
         * and its row-major lower triangle the column-major upper one. */
        lapack_int found = 0;
        lapack_int info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'I', lower_only ? 'U' : 'L',
                                         (lapack_int)n,
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

/* LT_SYM_PACKED's rows moved to their places in the n x n buffer, last
 * first: row i's new place starts at i n, past every earlier row's old
 * one, and every later row has already left. */
static void spread_packed(double *a, size_t n)
{
    for (size_t i = n; i-- > 1;)
        memmove(a + i * n, a + lt_packed_row(i), (i + 1) * sizeof *a);
}

int lt_top_eigh(const lt_sym_matrix *packed, size_t k, lt_eig_method method, uint32_t seed,
                double *values, double *vectors, int *products)
{
    lt_sym_matrix spread = *packed;
    const lt_sym_matrix *m = &spread;
    size_t n = m->n;
    if (products)
        *products = 0;
    if (!lt_linalg_fits(n, n) || !lt_linalg_fits(n * k, 1))
        return LT_LA_ETOOBIG;
    if (k == 0 || k > n || (method == LT_EIG_ARPACK && k >= n))
        return LT_EIG_EARPACK;
    if (m->storage == LT_SYM_PACKED && method != LT_EIG_KRYLOV) {
        spread_packed(spread.a, n);
        spread.storage = LT_SYM_LOWER;
    }
    switch (method) {
    case LT_EIG_ARPACK: return lt_top_eigh_arpack(m, k, seed, values, vectors, products);
    case LT_EIG_KRYLOV: return lt_top_eigh_krylov(m, k, seed, values, vectors, products);
    case LT_EIG_DENSE: break;
    }
    if (m->means)
        centre_in_place(m);
    return dense(m->a, n, m->storage == LT_SYM_LOWER, k, values, vectors);
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
