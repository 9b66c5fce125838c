/* nn/smallmm: the recurrent step's product kernels. Each against the
 * product summed in double, and every vector kernel the processor has
 * against the plain-C one, bit for bit, over shapes that reach every tile
 * and tail: rows below, at and past a tile, columns that end on a whole
 * vector, a half and a partial one, strided operands, A as it is and
 * transposed, alpha 1 and not, beta 0 and 1. */
#include <float.h>

#include "nn/smallmm.h"
#include "testutil.h"

const char *lt_test_root = ".";

#define COUNT(a) (sizeof(a) / sizeof *(a))

static float value(size_t i, unsigned salt)
{
    return (float)(((i + salt) * 2654435761u) % 2003u) / 1001.0f - 1.0f;
}

/* Fills a [rows, ld] matrix; the padding past COLS holds NaN, which no
 * kernel may read into a result. */
static float *matrix(size_t rows, size_t cols, size_t ld, unsigned salt)
{
    float *m = malloc(rows * ld * sizeof *m + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < ld; j++)
            m[i * ld + j] = j < cols ? value(i * cols + j, salt) : NAN;
    return m;
}

static const char *names[] = {"plain", "avx2", "avx512"};

static void test_kernels(void)
{
    const size_t ms[] = {1, 3, 4, 7, 8, 12, 15, 16, 32};
    const size_t ns[] = {1, 5, 8, 15, 16, 17, 30, 32, 33, 100, 120, 400};
    const size_t ks[] = {1, 30, 100, 400};
    double worst = 0;
    size_t differing[3] = {0}, ran[3] = {0};
    for (size_t mi = 0; mi < COUNT(ms); mi++)
        for (size_t ni = 0; ni < COUNT(ns); ni++)
            for (size_t ki = 0; ki < COUNT(ks); ki++)
                for (int case_ = 0; case_ < 4; case_++) {
                    /* beta 0 or 1; A as it is or transposed (A^T B) */
                    int beta = case_ & 1, t = case_ >> 1;
                    float alpha = t ? -0.75f : 1.0f;
                    size_t m = ms[mi], n = ns[ni], k = ks[ki];
                    size_t lda = (t ? m : k) + 3, ldb = n + 5, ldc = n + 2;
                    size_t ar = t ? 1 : lda, ac = t ? lda : 1;
                    float *a = t ? matrix(k, m, lda, 1) : matrix(m, k, lda, 1);
                    float *b = matrix(k, n, ldb, 2);
                    float *c0 = matrix(m, n, ldc, 3), *c = malloc(m * ldc * sizeof *c);
                    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
                    /* With beta 0, C's old values (NaN here) are never read. */
                    if (!beta)
                        for (size_t i = 0; i < m * ldc; i++)
                            c0[i] = NAN;
                    float *plain = NULL;
                    for (lt_mm_kernel w = LT_MM_PLAIN; w <= LT_MM_AVX512; w++) {
                        memcpy(c, c0, m * ldc * sizeof *c);
                        if (!lt_small_gemm_on(w, m, n, k, a, ar, ac, b, ldb, alpha, (float)beta, c,
                                              ldc))
                            continue;
                        ran[w]++;
                        if (w == LT_MM_PLAIN) {
                            plain = malloc(m * ldc * sizeof *plain);
                            CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
                            memcpy(plain, c, m * ldc * sizeof *c);
                        }
                        for (size_t i = 0; i < m; i++)
                            for (size_t j = 0; j < n; j++) {
                                float got = c[i * ldc + j];
                                if (memcmp(&got, &plain[i * ldc + j], sizeof got) != 0)
                                    differing[w]++;
                                double sum = 0, scale = 0;
                                for (size_t p = 0; p < k; p++) {
                                    double x = (double)a[i * ar + p * ac] * (double)b[p * ldb + j];
                                    sum += x;
                                    scale += fabs(x);
                                }
                                double want = alpha * sum + (beta ? (double)c0[i * ldc + j] : 0.0);
                                scale = fabs(alpha) * scale + fabs(want);
                                /* A chain of k fused products, then alpha and beta: k + 2
                                 * roundings. */
                                double err = fabs(got - want) /
                                             ((double)(k + 2) * FLT_EPSILON * (scale + 1e-30));
                                worst = isnan(err) ? INFINITY : fmax(worst, err);
                            }
                        /* The padding past n stays as it was. */
                        for (size_t i = 0; i < m; i++)
                            for (size_t j = n; j < ldc; j++)
                                CU_ASSERT(memcmp(&c[i * ldc + j], &c0[i * ldc + j], sizeof *c) ==
                                          0);
                    }
                    free(plain);
                    free(a);
                    free(b);
                    free(c0);
                    free(c);
                }
    NEAR("error against the double sum, in units of k float epsilons", worst, 1.0);
    for (lt_mm_kernel w = LT_MM_PLAIN; w <= LT_MM_AVX512; w++) {
        char label[96];
        snprintf(label, sizeof label, "%s kernel (%zu products): elements unequal to plain C's",
                 names[w], ran[w]);
        NEAR(label, (double)differing[w], 0);
    }
    CU_ASSERT(ran[LT_MM_PLAIN] > 0);
}

/* lt_small_gemm_nt (C = alpha A B^T + beta C) likewise, with k past,
 * at and short of whole 16-lane vectors. */
static void test_nt_kernels(void)
{
    const size_t ms[] = {1, 3, 4, 5, 10, 16, 32};
    const size_t ns[] = {1, 2, 3, 4, 7, 30, 100};
    const size_t ks[] = {1, 8, 15, 16, 17, 30, 100, 784};
    double worst = 0;
    size_t differing[3] = {0}, ran[3] = {0};
    for (size_t mi = 0; mi < COUNT(ms); mi++)
        for (size_t ni = 0; ni < COUNT(ns); ni++)
            for (size_t ki = 0; ki < COUNT(ks); ki++)
                for (int beta = 0; beta < 2; beta++) {
                    float alpha = beta ? -0.75f : 1.0f;
                    size_t m = ms[mi], n = ns[ni], k = ks[ki], lda = k + 3, ldb = k + 1,
                           ldc = n + 2;
                    float *a = matrix(m, k, lda, 1), *b = matrix(n, k, ldb, 2);
                    float *c0 = matrix(m, n, ldc, 3), *c = malloc(m * ldc * sizeof *c);
                    float *plain = malloc(m * ldc * sizeof *plain);
                    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
                    CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
                    if (!beta)
                        for (size_t i = 0; i < m * ldc; i++)
                            c0[i] = NAN;
                    for (lt_mm_kernel w = LT_MM_PLAIN; w <= LT_MM_AVX512; w++) {
                        memcpy(c, c0, m * ldc * sizeof *c);
                        if (!lt_small_gemm_nt_on(w, m, n, k, a, lda, b, ldb, alpha, (float)beta, c,
                                                 ldc))
                            continue;
                        ran[w]++;
                        if (w == LT_MM_PLAIN)
                            memcpy(plain, c, m * ldc * sizeof *c);
                        for (size_t i = 0; i < m; i++)
                            for (size_t j = 0; j < n; j++) {
                                float got = c[i * ldc + j];
                                if (memcmp(&got, &plain[i * ldc + j], sizeof got) != 0)
                                    differing[w]++;
                                double sum = 0, scale = 0;
                                for (size_t p = 0; p < k; p++) {
                                    double x = (double)a[i * lda + p] * (double)b[j * ldb + p];
                                    sum += x;
                                    scale += fabs(x);
                                }
                                double want = alpha * sum + (beta ? (double)c0[i * ldc + j] : 0.0);
                                scale = fabs(alpha) * scale + fabs(want);
                                double err = fabs(got - want) /
                                             ((double)(k + 2) * FLT_EPSILON * (scale + 1e-30));
                                worst = isnan(err) ? INFINITY : fmax(worst, err);
                            }
                        for (size_t i = 0; i < m; i++)
                            for (size_t j = n; j < ldc; j++)
                                CU_ASSERT(memcmp(&c[i * ldc + j], &c0[i * ldc + j], sizeof *c) ==
                                          0);
                    }
                    free(plain);
                    free(a);
                    free(b);
                    free(c0);
                    free(c);
                }
    NEAR("A B^T: error against the double sum, in units of k float epsilons", worst, 1.0);
    for (lt_mm_kernel w = LT_MM_PLAIN; w <= LT_MM_AVX512; w++) {
        char label[96];
        snprintf(label, sizeof label,
                 "A B^T, %s kernel (%zu products): elements unequal to plain C's", names[w],
                 ran[w]);
        NEAR(label, (double)differing[w], 0);
    }
    CU_ASSERT(ran[LT_MM_PLAIN] > 0);
}

static void test_transpose(void)
{
    const size_t shapes[][2] = {{1, 1}, {3, 70}, {100, 400}, {33, 31}};
    for (size_t s = 0; s < COUNT(shapes); s++) {
        size_t r = shapes[s][0], c = shapes[s][1];
        float *src = matrix(r, c, c, 4), *dst = malloc(r * c * sizeof *dst);
        CU_ASSERT_PTR_NOT_NULL_FATAL(dst);
        lt_transpose(src, r, c, dst);
        size_t wrong = 0;
        for (size_t i = 0; i < r; i++)
            for (size_t j = 0; j < c; j++)
                wrong += dst[j * r + i] != src[i * c + j];
        CU_ASSERT_EQUAL(wrong, 0);
        free(src);
        free(dst);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("smallmm", NULL, NULL);
    CU_add_test(s, "kernels vs double and vs plain C", test_kernels);
    CU_add_test(s, "A B^T kernels vs double and vs plain C", test_nt_kernels);
    CU_add_test(s, "transpose", test_transpose);
    return lt_test_run();
}
