/* math/symprod.h's blocked symmetric products against a plain loop over
 * the full matrix, kernel.h's packed triangle against the unpacked one, and
 * the Krylov solver on packed kernels against LAPACK's dsyevr (the dense
 * method) for 1, 2, 5 and 12 pairs and on a spectrum with a tight gap. */
#include <CUnit/Basic.h>
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "math/kernel.h"
#include "math/linalg.h"
#include "math/rng.h"
#include "math/symprod.h"
#include "math/topeig.h"
#include "testutil.h"

const char *lt_test_root = ".";

/* Points on a noisy swiss roll, as kernel PCA sees them. */
static double *roll(size_t n, uint32_t seed)
{
    double *x = malloc(n * 3 * sizeof *x);
    lt_rng r;
    lt_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        double t = 1.5 * M_PI * (1 + 2 * lt_rng_uniform(&r));
        x[3 * i] = t * cos(t) + 0.2 * lt_rng_gauss(&r);
        x[3 * i + 1] = 21 * lt_rng_uniform(&r);
        x[3 * i + 2] = t * sin(t) + 0.2 * lt_rng_gauss(&r);
    }
    return x;
}

/* Y = A X by every route, A full and its triangle packed, for block
 * widths around the pass width and sizes that leave partial tiles. */
static void test_products(void)
{
    const size_t sizes[] = {1, 7, 9, 100, 203};
    const size_t widths[] = {1, 5, 8, 13};
    lt_rng r;
    lt_rng_seed(&r, 3);
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        size_t n = sizes[si], w = 13;
        double *a = malloc(n * n * sizeof *a), *packed = malloc(n * n * sizeof *a);
        double *x = malloc(n * w * sizeof *x), *want = malloc(n * w * sizeof *x);
        double *y = malloc(n * w * sizeof *x), *y1 = malloc(n * w * sizeof *x);
        CU_ASSERT_FATAL(a && packed && x && want && y && y1);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j <= i; j++)
                a[i * n + j] = a[j * n + i] = lt_rng_gauss(&r);
        for (size_t i = 0; i < n; i++)
            memcpy(packed + i * (i + 1) / 2, a + i * n, (i + 1) * sizeof *a);
        lt_rng_randn(&r, x, n * w);
        for (size_t c = 0; c < w; c++)
            for (size_t i = 0; i < n; i++) {
                double s = 0;
                for (size_t j = 0; j < n; j++)
                    s += a[i * n + j] * x[c * n + j];
                want[c * n + i] = s;
            }
        lt_symprod *one = lt_symprod_new(n, 1), *three = lt_symprod_new(n, 3);
        CU_ASSERT_FATAL(one && three);
        /* Every tile kernel the processor runs, the best (the default) last. */
        for (int kernel = LT_SYMPROD_PLAIN; kernel >= LT_SYMPROD_AVX512; kernel--) {
            if (!lt_symprod_use(one, (lt_symprod_tile)kernel) ||
                !lt_symprod_use(three, (lt_symprod_tile)kernel))
                continue;
            for (size_t wi = 0; wi < sizeof widths / sizeof *widths; wi++) {
                size_t cols = widths[wi];
                double worst = 0;
                for (int form = 0; form < 2; form++) {
                    lt_symprod_apply(three, form ? packed : a, form, x, n, cols, y, n);
                    lt_symprod_apply(one, form ? packed : a, form, x, n, cols, y1, n);
                    /* Fixed lanes: the thread count does not change a bit. */
                    CU_ASSERT(memcmp(y, y1, n * cols * sizeof *y) == 0);
                    for (size_t i = 0; i < n * cols; i++)
                        worst = fmax(worst, fabs(y[i] - want[i]));
                }
                char label[80];
                snprintf(label, sizeof label, "kernel %d: n %zu, %zu columns, full and packed",
                         kernel, n, cols);
                NEAR(label, worst, 1e-12 * (double)n);
            }
        }
        lt_symprod_free(one);
        lt_symprod_free(three);
        free(a);
        free(packed);
        free(x);
        free(want);
        free(y);
        free(y1);
    }
}

/* The packed triangle holds lt_kernel_lower's entries and row sums: the
 * same bits with the inner products inline (3 features), the same to
 * rounding with them by BLAS (12: dgemm a block of rows at a time, where
 * lt_kernel_lower makes one dsyrk). */
static void test_packed_kernel(void)
{
    const size_t n = 300;
    for (size_t p = 3; p <= 12; p += 9) {
        double *x = malloc(n * p * sizeof *x);
        lt_rng r;
        lt_rng_seed(&r, 5);
        lt_rng_randn(&r, x, n * p);
        double *lower = malloc(n * n * sizeof *lower), *packed = malloc(n * n * sizeof *packed);
        double sums[300], psums[300];
        for (int kind = 0; kind <= LT_KERNEL_LAPLACIAN; kind++) {
            lt_kernel k = {kind, 0.05, 2, 1};
            CU_ASSERT_EQUAL(lt_kernel_lower(&k, x, n, p, 2, lower, sums), LT_LA_OK);
            CU_ASSERT_EQUAL(lt_kernel_packed(&k, x, n, p, 3, packed, psums), LT_LA_OK);
            double worst = 0, sum_worst = 0;
            for (size_t i = 0; i < n; i++) {
                sum_worst = fmax(sum_worst, fabs(sums[i] - psums[i]) / fmax(1, fabs(sums[i])));
                for (size_t j = 0; j <= i; j++)
                    worst = fmax(worst, fabs(lower[i * n + j] - packed[i * (i + 1) / 2 + j]) /
                                            fmax(1, fabs(lower[i * n + j])));
            }
            char label[80];
            snprintf(label, sizeof label, "%s, %zu features: entries, row sums",
                     lt_kernel_name(k.kind), p);
            NEAR(label, fmax(worst, sum_worst), p <= 8 ? 0 : 1e-13);
        }
        free(x);
        free(lower);
        free(packed);
    }
}

/* Largest difference of values and of vectors (up to sign) between two
 * n x k results. */
static void compare(const char *what, size_t n, size_t k, const double *v0, const double *e0,
                    const double *v1, const double *e1, double vtol, double etol)
{
    double dv = 0, de = 0;
    for (size_t j = 0; j < k; j++) {
        dv = fmax(dv, fabs(v0[j] - v1[j]));
        double dot = 0;
        for (size_t i = 0; i < n; i++)
            dot += e0[i * k + j] * e1[i * k + j];
        double sign = dot < 0 ? -1 : 1;
        for (size_t i = 0; i < n; i++)
            de = fmax(de, fabs(e0[i * k + j] - sign * e1[i * k + j]));
    }
    char label[96];
    snprintf(label, sizeof label, "%s: eigenvalues", what);
    NEAR(label, dv, vtol);
    snprintf(label, sizeof label, "%s: eigenvectors up to sign", what);
    NEAR(label, de, etol);
}

/* The centred rbf kernel of 400 roll points, packed for krylov, full for
 * dsyevr. */
static void test_kernel_against_dense(void)
{
    const size_t n = 400, ks[] = {1, 2, 5, 12};
    double *x = roll(n, 11);
    double *full = malloc(n * n * sizeof *full), *packed = malloc(n * n * sizeof *packed);
    double *means = malloc(n * sizeof *means), *m2 = malloc(n * sizeof *m2);
    double *e0 = malloc(n * 12 * sizeof *e0), *e1 = malloc(n * 12 * sizeof *e1);
    lt_kernel k = {LT_KERNEL_RBF, 0.04, 3, 1};
    for (size_t t = 0; t < sizeof ks / sizeof *ks; t++) {
        CU_ASSERT_EQUAL_FATAL(lt_kernel_matrix(&k, x, n, NULL, 0, 3, 2, full, means), LT_LA_OK);
        CU_ASSERT_EQUAL_FATAL(lt_kernel_packed(&k, x, n, 3, 2, packed, m2), LT_LA_OK);
        double mean = 0;
        for (size_t i = 0; i < n; i++) {
            means[i] /= (double)n;
            mean += means[i];
        }
        mean /= (double)n;
        double v0[12], v1[12];
        lt_sym_matrix d = {full, n, means, mean, LT_SYM_FULL};
        lt_sym_matrix p = {packed, n, means, mean, LT_SYM_PACKED};
        CU_ASSERT_EQUAL_FATAL(lt_top_eigh(&d, ks[t], LT_EIG_DENSE, 0, v0, e0, NULL), LT_LA_OK);
        int products = 0;
        CU_ASSERT_EQUAL_FATAL(lt_top_eigh(&p, ks[t], LT_EIG_KRYLOV, 1, v1, e1, &products),
                              LT_LA_OK);
        char what[64];
        snprintf(what, sizeof what, "rbf kernel, k %zu (%d products)", ks[t], products);
        compare(what, n, ks[t], v0, e0, v1, e1, 1e-12, 1e-8);
    }
    free(x);
    free(full);
    free(packed);
    free(means);
    free(m2);
    free(e0);
    free(e1);
}

/* Q diag(lambda) Q' whose top eigenvalues are 1e-4 apart: the block's
 * wider gap must still resolve each of them. */
static void test_tight_gap(void)
{
    const size_t n = 300, ks[] = {1, 2, 5, 12};
    double *q = malloc(n * n * sizeof *q), *a = malloc(n * n * sizeof *a);
    double *work = malloc(n * n * sizeof *work), *tau = malloc(n * sizeof *tau);
    double *lambda = malloc(n * sizeof *lambda);
    double *e0 = malloc(n * 12 * sizeof *e0), *e1 = malloc(n * 12 * sizeof *e1);
    lt_rng r;
    lt_rng_seed(&r, 9);
    lt_rng_randn(&r, q, n * n);
    LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (int)n, (int)n, q, (int)n, tau);
    LAPACKE_dorgqr(LAPACK_COL_MAJOR, (int)n, (int)n, (int)n, q, (int)n, tau);
    for (size_t j = 0; j < n; j++)
        lambda[j] = j < 20 ? 1 - 1e-4 * (double)j : 0.9 * exp(-(double)(j - 20) / 40);
    for (size_t j = 0; j < n; j++)
        for (size_t i = 0; i < n; i++)
            work[j * n + i] = q[j * n + i] * lambda[j];
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)n, (int)n, (int)n, 1.0, work, (int)n,
                q, (int)n, 0.0, a, (int)n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            a[i * n + j] = a[j * n + i] = 0.5 * (a[i * n + j] + a[j * n + i]);
    for (size_t t = 0; t < sizeof ks / sizeof *ks; t++) {
        double v0[12], v1[12];
        memcpy(work, a, n * n * sizeof *a);
        lt_sym_matrix d = {work, n, NULL, 0, LT_SYM_FULL};
        CU_ASSERT_EQUAL_FATAL(lt_top_eigh(&d, ks[t], LT_EIG_DENSE, 0, v0, e0, NULL), LT_LA_OK);
        for (size_t i = 0; i < n; i++)
            memcpy(work + i * (i + 1) / 2, a + i * n, (i + 1) * sizeof *a);
        lt_sym_matrix p = {work, n, NULL, 0, LT_SYM_PACKED};
        int products = 0;
        CU_ASSERT_EQUAL_FATAL(lt_top_eigh(&p, ks[t], LT_EIG_KRYLOV, 2, v1, e1, &products),
                              LT_LA_OK);
        char what[64];
        snprintf(what, sizeof what, "gaps of 1e-4, k %zu (%d products)", ks[t], products);
        /* Vectors of eigenvalues 1e-4 apart are known to about 1e-13 / 1e-4. */
        compare(what, n, ks[t], v0, e0, v1, e1, 1e-12, 1e-7);
    }
    free(q);
    free(a);
    free(work);
    free(tau);
    free(lambda);
    free(e0);
    free(e1);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("symprod", NULL, NULL);
    CU_add_test(s, "blocked symmetric products", test_products);
    CU_add_test(s, "the packed kernel triangle", test_packed_kernel);
    CU_add_test(s, "krylov on packed kernels against dsyevr", test_kernel_against_dense);
    CU_add_test(s, "krylov on a tight gap against dsyevr", test_tight_gap);
    return lt_test_run();
}
