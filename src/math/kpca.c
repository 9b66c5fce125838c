#include "math/kpca.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "math/linalg.h"

static int from_la(int la)
{
    switch (la) {
    case LT_LA_OK: return LT_KPCA_OK;
    case LT_LA_ENOMEM: return LT_KPCA_ENOMEM;
    case LT_LA_ETOOBIG: return LT_KPCA_ETOOBIG;
    case LT_EIG_EARPACK: return LT_KPCA_EARPACK;
    default: return LT_KPCA_ENOCONV;
    }
}

/* scikit-learn's _check_psd_eigenvalues on the k values kept, then
 * svd_flip on the eigenvectors. */
static int settle_spectrum(lt_kpca *m)
{
    double *val = m->eigenvalues;
    double top = val[0], low = val[0];
    for (size_t j = 0; j < m->k; j++) {
        top = fmax(top, val[j]);
        low = fmin(low, val[j]);
    }
    m->min_eigenvalue = low;
    m->max_eigenvalue = top;
    if (top < 0 || (low < -1e-5 * top && low < -1e-10))
        return LT_KPCA_ENEGATIVE;
    for (size_t j = 0; j < m->k; j++)
        if (val[j] < 0 || (val[j] > 0 && val[j] < 1e-12 * top))
            val[j] = 0;
    for (size_t j = 0; j < m->k; j++) {
        size_t at = 0;
        double big = -1;
        for (size_t i = 0; i < m->n; i++)
            if (fabs(m->eigenvectors[i * m->k + j]) > big) {
                big = fabs(m->eigenvectors[i * m->k + j]);
                at = i;
            }
        if (m->eigenvectors[at * m->k + j] < 0)
            for (size_t i = 0; i < m->n; i++)
                m->eigenvectors[i * m->k + j] = -m->eigenvectors[i * m->k + j];
    }
    return LT_KPCA_OK;
}

int lt_kpca_fit(lt_kpca *m, const double *x, size_t n, size_t p, size_t k,
                const lt_kernel *kernel, lt_eig_method method, uint32_t seed,
                int threads)
{
    memset(m, 0, sizeof *m);
    if (!lt_linalg_fits(n, n) || !lt_linalg_fits(n * n, 1) || !lt_linalg_fits(n, p))
        return LT_KPCA_ETOOBIG;
    if (k == 0 || k > n)
        return LT_KPCA_EARPACK;
    m->kernel = *kernel;
    m->method = method;
    m->n = n;
    m->p = p;
    m->k = k;
    m->x_fit = x;
    /* n x n on huge pages (lt_big_alloc), of which the packed triangle
     * (LT_SYM_PACKED) writes only the first half: only those pages are ever
     * faulted in and cleared, and every pass of the eigen-solver streams
     * through them. The dense and arpack solvers spread the triangle over
     * the whole buffer in place. */
    double *kmat = lt_big_alloc(n * n * sizeof *kmat);
    m->eigenvalues = malloc(k * sizeof *m->eigenvalues);
    m->eigenvectors = malloc(n * k * sizeof *m->eigenvectors);
    m->kernel_means = malloc(n * sizeof *m->kernel_means);
    int status = LT_KPCA_ENOMEM;
    if (!kmat || !m->eigenvalues || !m->eigenvectors || !m->kernel_means)
        goto fail;
    /* One triangle, packed: every eigen-solver reads only that one. */
    if ((status = from_la(lt_kernel_packed(kernel, x, n, p, threads, kmat, m->kernel_means))))
        goto fail;

    /* The kernel is exactly symmetric (one triangle mirrored), so its row
     * means are KernelCenterer's column means. The solver centres it. */
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        m->kernel_means[i] /= (double)n;
        s += m->kernel_means[i];
    }
    m->kernel_mean = s / (double)n;
    lt_sym_matrix sym = {kmat, n, m->kernel_means, m->kernel_mean, LT_SYM_PACKED};
    status = from_la(lt_top_eigh(&sym, k, method, seed, m->eigenvalues, m->eigenvectors,
                                 &m->products));
    free(kmat);
    kmat = NULL;
    if (status == LT_KPCA_OK)
        status = settle_spectrum(m);
    if (status == LT_KPCA_OK)
        return LT_KPCA_OK;
fail:
    free(kmat);
    double low = m->min_eigenvalue, top = m->max_eigenvalue;
    lt_kpca_free(m);
    m->min_eigenvalue = low;
    m->max_eigenvalue = top;
    return status;
}

void lt_kpca_train_projection(const lt_kpca *m, double *out)
{
    for (size_t i = 0; i < m->n; i++)
        for (size_t j = 0; j < m->k; j++)
            out[i * m->k + j] = m->eigenvectors[i * m->k + j] * sqrt(m->eigenvalues[j]);
}

/* out (rows x k) += the centring of the kernel rows, applied after the
 * product with `scaled` (n x k) rather than to the kernel itself:
 * (K - 1 m' - r 1' + mu 1 1') S = K S - 1 (m'S) - r (1'S) + mu 1 (1'S), with
 * m the training kernel's column means, r the rows' own means. */
static void centre_projection(const lt_kpca *m, const double *scaled, const double *r,
                              size_t rows, double *out)
{
    size_t n = m->n, k = m->k;
    for (size_t j = 0; j < k; j++) {
        double dot = 0, sum = 0;
        for (size_t i = 0; i < n; i++) {
            dot += m->kernel_means[i] * scaled[i * k + j];
            sum += scaled[i * k + j];
        }
        for (size_t i = 0; i < rows; i++)
            out[i * k + j] += m->kernel_mean * sum - dot - r[i] * sum;
    }
}

int lt_kpca_transform(const lt_kpca *m, const double *x, size_t rows, int threads,
                      double *out)
{
    size_t n = m->n, k = m->k;
    if (rows == 0)
        return LT_KPCA_OK;
    size_t block = lt_block_rows(n);
    if (block > rows)
        block = rows;
    double *kb = malloc(block * n * sizeof *kb);
    double *means = malloc(block * sizeof *means);
    double *scaled = malloc(n * k * sizeof *scaled);
    if (!kb || !means || !scaled) {
        free(kb);
        free(means);
        free(scaled);
        return LT_KPCA_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++)
            scaled[i * k + j] = m->eigenvalues[j] > 0
                                    ? m->eigenvectors[i * k + j] / sqrt(m->eigenvalues[j])
                                    : 0;
    int status = LT_KPCA_OK;
    for (size_t r0 = 0; r0 < rows; r0 += block) {
        size_t b = r0 + block < rows ? block : rows - r0;
        status = from_la(lt_kernel_matrix(&m->kernel, x + r0 * m->p, b, m->x_fit, n,
                                          m->p, threads, kb, means));
        if (status != LT_KPCA_OK)
            break;
        for (size_t i = 0; i < b; i++)
            means[i] /= (double)n;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)k, (int)n,
                    1.0, kb, (int)n, scaled, (int)k, 0.0, out + r0 * k, (int)k);
        centre_projection(m, scaled, means, b, out + r0 * k);
    }
    free(kb);
    free(means);
    free(scaled);
    return status;
}

int lt_kpca_fit_inverse(lt_kpca *m, const double *z, double alpha, int threads)
{
    size_t n = m->n, k = m->k, p = m->p;
    free(m->z_fit);
    free(m->dual);
    m->dual = NULL;
    m->alpha = alpha;
    m->z_fit = malloc(n * k * sizeof *m->z_fit);
    double *kz = lt_big_alloc(n * n * sizeof *kz);
    double *dual = malloc((n * p > 0 ? n * p : 1) * sizeof *dual);
    int status = LT_KPCA_ENOMEM;
    if (!m->z_fit || !kz || !dual)
        goto done;
    memcpy(m->z_fit, z, n * k * sizeof *z);
    if ((status = from_la(lt_kernel_matrix(&m->kernel, z, n, NULL, 0, k, threads, kz, NULL))))
        goto done;
    for (size_t i = 0; i < n; i++)
        kz[i * n + i] += alpha;
    if (n * p > 0)
        memcpy(dual, m->x_fit, n * p * sizeof *dual);
    if (p > 0) {
        /* Cholesky, as scipy.linalg.solve(assume_a="pos"). kz is symmetric,
         * so its row-major storage is its column-major one; the right-hand
         * side goes through LAPACKE's row-major transposition. */
        lapack_int info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)n,
                                        (lapack_int)p, kz, (lapack_int)n, dual,
                                        (lapack_int)p);
        if (info == LAPACK_WORK_MEMORY_ERROR || info == LAPACK_TRANSPOSE_MEMORY_ERROR)
            status = LT_KPCA_ENOMEM;
        else if (info != 0)
            status = LT_KPCA_ESINGULAR;
    }
done:
    free(kz);
    if (status == LT_KPCA_OK) {
        m->dual = dual;
    } else {
        free(dual);
        free(m->z_fit);
        m->z_fit = NULL;
    }
    return status;
}

int lt_kpca_inverse(const lt_kpca *m, const double *z, size_t rows, int threads,
                    double *out)
{
    size_t n = m->n, k = m->k, p = m->p;
    if (!m->dual)
        return LT_KPCA_ENOINVERSE;
    if (rows == 0)
        return LT_KPCA_OK;
    size_t block = lt_block_rows(n);
    if (block > rows)
        block = rows;
    double *kb = malloc(block * n * sizeof *kb);
    if (!kb)
        return LT_KPCA_ENOMEM;
    int status = LT_KPCA_OK;
    for (size_t r0 = 0; r0 < rows; r0 += block) {
        size_t b = r0 + block < rows ? block : rows - r0;
        status = from_la(lt_kernel_matrix(&m->kernel, z + r0 * k, b, m->z_fit, n, k,
                                          threads, kb, NULL));
        if (status != LT_KPCA_OK)
            break;
        if (p > 0)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)p,
                        (int)n, 1.0, kb, (int)n, m->dual, (int)p, 0.0, out + r0 * p,
                        (int)p);
    }
    free(kb);
    return status;
}

void lt_kpca_free(lt_kpca *m)
{
    free(m->eigenvalues);
    free(m->eigenvectors);
    free(m->kernel_means);
    free(m->z_fit);
    free(m->dual);
    memset(m, 0, sizeof *m);
}
