#include "math/eigs.h"

#include <lapacke.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "math/linalg.h"
#include "math/rng.h"

/* Below this size the dense solver is as fast and simpler (scikit-learn's
 * KernelPCA threshold). */
enum { DENSE_MAX = 200, CHECK_EVERY = 5 };
static const double RESIDUAL_TOL = 1e-13;

int lt_eigs_top_dense(const double *a, size_t n, size_t k, double *values, double *vectors)
{
    if (!lt_linalg_fits(n, n))
        return LT_LA_ETOOBIG;
    double *copy = malloc(n * n * sizeof *copy);
    double *w = malloc(n * sizeof *w);
    double *z = malloc(n * k * sizeof *z);
    lapack_int *support = malloc(2 * k * sizeof *support);
    int status = LT_LA_OK;
    if (!copy || !w || !z || !support) {
        status = LT_LA_ENOMEM;
        goto done;
    }
    memcpy(copy, a, n * n * sizeof *copy);
    lapack_int found = 0, nn = (lapack_int)n;
    lapack_int info = LAPACKE_dsyevr(LAPACK_ROW_MAJOR, 'V', 'I', 'L', nn, copy, nn, 0, 0,
                                     nn - (lapack_int)k + 1, nn, 0.0, &found, w, z,
                                     (lapack_int)k, support);
    if (info != 0 || found != (lapack_int)k) {
        status = info == LAPACK_WORK_MEMORY_ERROR ? LT_LA_ENOMEM : LT_LA_ENOCONV;
        goto done;
    }
    /* dsyevr lists them ascending. */
    for (size_t i = 0; i < k; i++) {
        size_t src = k - 1 - i;
        values[i] = w[src];
        for (size_t r = 0; r < n; r++)
            vectors[i * n + r] = z[r * k + src];
    }
done:
    free(copy);
    free(w);
    free(z);
    free(support);
    return status;
}

/* ---- Lanczos ------------------------------------------------------------------ */

struct matvec_job {
    const double *a, *v;
    size_t n;
    double *out;
};

static void matvec_rows(void *arg, size_t begin, size_t end)
{
    const struct matvec_job *job = arg;
    size_t n = job->n;
    for (size_t i = begin; i < end; i++) {
        const double *row = job->a + i * n;
        double s[4] = {0};
        size_t j = 0;
        for (; j + 4 <= n; j += 4)
            for (int l = 0; l < 4; l++)
                s[l] += row[j + l] * job->v[j + l];
        for (; j < n; j++)
            s[0] += row[j] * job->v[j];
        job->out[i] = (s[0] + s[1]) + (s[2] + s[3]);
    }
}

static double dot(const double *x, const double *y, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i] * y[i];
    return s;
}

/* Ritz pairs of the tridiagonal T (alpha, beta) of size m: ascending values
 * into theta and eigenvectors column-wise into z (m x m). 0 on success. */
static int ritz(const double *alpha, const double *beta, size_t m, double *theta,
                double *offdiag, double *z)
{
    memcpy(theta, alpha, m * sizeof *theta);
    if (m > 1)
        memcpy(offdiag, beta, (m - 1) * sizeof *offdiag);
    return LAPACKE_dstev(LAPACK_ROW_MAJOR, 'V', (lapack_int)m, theta, offdiag, z,
                         (lapack_int)m) == 0 ? 0 : -1;
}

/* Whether the top k Ritz pairs of the m-step tridiagonal (alpha, beta) have
 * converged: 1 yes, 0 no, -1 when LAPACK failed. beta_last is the norm of
 * the next Lanczos vector, which bounds every residual. */
static int ritz_converged(const double *alpha, const double *beta, size_t m, size_t k,
                          double beta_last, double *theta, double *offdiag, double *z)
{
    if (ritz(alpha, beta, m, theta, offdiag, z) != 0)
        return -1;
    double scale = fmax(fabs(theta[0]), fabs(theta[m - 1]));
    for (size_t i = 0; i < k; i++)
        if (!(fabs(beta_last * z[(m - 1) * m + (m - 1 - i)]) <= RESIDUAL_TOL * scale))
            return 0;
    return 1;
}

/* The next Lanczos vector, before normalisation, into w: A v_j minus its
 * components along every basis vector so far (full reorthogonalisation,
 * twice: "twice is enough"). Sets alpha[j] and beta[j] = ||w||. */
static void lanczos_step(const double *a, size_t n, size_t j, const double *basis,
                         lt_pool *pool, double *w, double *alpha, double *beta)
{
    const double *v = basis + j * n;
    struct matvec_job job = {.a = a, .v = v, .n = n, .out = w};
    lt_pool_for(pool, n, 0, matvec_rows, &job);
    alpha[j] = dot(v, w, n);
    for (size_t r = 0; r < n; r++)
        w[r] -= alpha[j] * v[r] + (j ? beta[j - 1] * v[r - n] : 0.0);
    for (int pass = 0; pass < 2; pass++)
        for (size_t t = 0; t <= j; t++) {
            const double *u = basis + t * n;
            double c = dot(u, w, n);
            for (size_t r = 0; r < n; r++)
                w[r] -= c * u[r];
        }
    beta[j] = sqrt(dot(w, w, n));
}

/* Runs Lanczos; returns LT_LA_OK with the pairs filled, LT_LA_ENOCONV when
 * the basis limit or an invariant subspace smaller than k came first (the
 * caller falls back), or LT_LA_ENOMEM. */
static int lanczos(const double *a, size_t n, size_t k, lt_pool *pool, double *values,
                   double *vectors)
{
    size_t m_max = 2 * k + 100;
    if (m_max > n)
        m_max = n;
    double *basis = malloc((m_max + 1) * n * sizeof *basis);
    double *w = malloc(n * sizeof *w);
    double *alpha = malloc(m_max * sizeof *alpha);
    double *beta = malloc(m_max * sizeof *beta);
    double *theta = malloc(m_max * sizeof *theta);
    double *offdiag = malloc(m_max * sizeof *offdiag);
    double *z = malloc(m_max * m_max * sizeof *z);
    int status = LT_LA_ENOCONV;
    if (!basis || !w || !alpha || !beta || !theta || !offdiag || !z) {
        status = LT_LA_ENOMEM;
        goto done;
    }
    /* A fixed start: uniform on [-1, 1), as ARPACK's v0 in scikit-learn. */
    lt_rng rng;
    lt_rng_seed(&rng, 0);
    for (size_t r = 0; r < n; r++)
        basis[r] = 2.0 * lt_rng_uniform(&rng) - 1.0;
    double norm = sqrt(dot(basis, basis, n));
    for (size_t r = 0; r < n; r++)
        basis[r] /= norm;

    for (size_t j = 0; j < m_max; j++) {
        lanczos_step(a, n, j, basis, pool, w, alpha, beta);
        size_t m = j + 1;
        bool last = m == m_max || beta[j] == 0;
        if (m >= k && (last || m % CHECK_EVERY == 0)) {
            int done = ritz_converged(alpha, beta, m, k, beta[j], theta, offdiag, z);
            if (done < 0)
                break;
            if (done) {
                /* Ritz vectors: the basis combined by T's eigenvectors. */
                for (size_t i = 0; i < k; i++) {
                    size_t col = m - 1 - i;
                    values[i] = theta[col];
                    double *x = vectors + i * n;
                    memset(x, 0, n * sizeof *x);
                    for (size_t t = 0; t < m; t++)
                        for (size_t r = 0; r < n; r++)
                            x[r] += z[t * m + col] * basis[t * n + r];
                    double len = sqrt(dot(x, x, n));
                    for (size_t r = 0; r < n; r++)
                        x[r] /= len;
                }
                status = LT_LA_OK;
                break;
            }
        }
        if (last)
            break;
        for (size_t r = 0; r < n; r++)
            basis[(j + 1) * n + r] = w[r] / beta[j];
    }
done:
    free(basis);
    free(w);
    free(alpha);
    free(beta);
    free(theta);
    free(offdiag);
    free(z);
    return status;
}

int lt_eigs_top(const double *a, size_t n, size_t k, lt_pool *pool, double *values,
                double *vectors)
{
    if (n > INT_MAX)
        return LT_LA_ETOOBIG;
    if (n <= DENSE_MAX || 4 * k >= n)
        return lt_eigs_top_dense(a, n, k, values, vectors);
    int status = lanczos(a, n, k, pool, values, vectors);
    if (status == LT_LA_ENOCONV)
        status = lt_eigs_top_dense(a, n, k, values, vectors);
    return status;
}
