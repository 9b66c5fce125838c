/* Small matrix products: a recurrent step's few rows of states against a
 * weight matrix that stays in cache for the whole sequence.
 *
 * At these shapes (16 or 32 rows, 30 to 400 columns) OpenBLAS spends much
 * of each sgemm copying its operands into packed panels, once per call and
 * 28 calls per sequence; perf showed its copy routines at a fifth of its
 * kernel's time. Here the operands are read where they lie: a few rows of
 * A, broadcast one value at a time, against whole vectors of B's rows,
 * into a register tile of C. The kernel is chosen at load time for the
 * processor (AVX-512, AVX2 with FMA, or plain C).
 *
 * Every element is the fused multiply-add chain over k in order, from
 * zero, then scaled by alpha and added to beta C, in every variant: the bits do
 * not depend on the processor's vector width, the tiling or the thread. */
#ifndef LATENT_NN_SMALLMM_H
#define LATENT_NN_SMALLMM_H

#include <stdbool.h>
#include <stddef.h>

/* C = alpha A B + beta C for row-major A [m, k], B [k, n] and C [m, n]
 * with leading dimensions lda, ldb and ldc. With beta 0, C is only
 * written. */
void lt_small_gemm(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b,
                   size_t ldb, float alpha, float beta, float *c, size_t ldc);

/* C = alpha A^T B + beta C for row-major A [k, m] (a dense layer's
 * weight gradient x^T dz), the rest as lt_small_gemm. */
void lt_small_gemm_tn(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b,
                      size_t ldb, float alpha, float beta, float *c, size_t ldc);

/* C = alpha A B^T + beta C for row-major A [m, k] and B [n, k] (a dense
 * layer's input gradient dz W^T). Each element is a dot product of two
 * rows read along k: summed in 16 lanes, term p into lane p mod 16 as a
 * fused chain in order from zero, then lane l + 8 added to lane l, l + 4,
 * l + 2 and l + 1 likewise, then alpha and beta as above. That order is
 * every kernel's too: again the same bits on any processor, tiling and
 * thread, unlike cblas_sgemm's, which change with m. */
void lt_small_gemm_nt(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b,
                      size_t ldb, float alpha, float beta, float *c, size_t ldc);

/* The kernels, narrowest first; the two above run the widest the
 * processor has. */
typedef enum { LT_MM_PLAIN, LT_MM_AVX2, LT_MM_AVX512 } lt_mm_kernel;

/* The product on kernel WHICH, for tests that compare them, with A's
 * element (i, p) at a[i * a_row + p * a_col]; false (and nothing done)
 * where the processor cannot run it. */
bool lt_small_gemm_on(lt_mm_kernel which, size_t m, size_t n, size_t k, const float *a,
                      size_t a_row, size_t a_col, const float *b, size_t ldb, float alpha,
                      float beta, float *c, size_t ldc);

/* lt_small_gemm_nt on kernel WHICH, as lt_small_gemm_on. */
bool lt_small_gemm_nt_on(lt_mm_kernel which, size_t m, size_t n, size_t k, const float *a,
                         size_t lda, const float *b, size_t ldb, float alpha, float beta, float *c,
                         size_t ldc);

/* DST [cols, rows] = SRC [rows, cols]^T, both dense row-major. */
void lt_transpose(const float *src, size_t rows, size_t cols, float *dst);

#endif
