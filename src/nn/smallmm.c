#include "nn/smallmm.h"

#include <math.h>
#include <stdbool.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* Rows of C in a register tile, two vectors per row: AVX2's 16 registers
 * hold 12 accumulators (6 rows) with B's two vectors and A's broadcast
 * beside them, AVX-512's 32 hold 16 (8 rows; 12 rows measured no faster),
 * so each vector of B read serves that many rows. Leftover rows go in
 * tiles of half as many, then one by one. */
enum { ROWS_AVX2 = 6, ROWS_AVX512 = 8 };

/* A's element (i, p) lies at a[i * ar + p * ac]: ac is 1 for A as it is,
 * ar is 1 for A^T. A is only ever read one value at a time, broadcast, so
 * either way costs the same. */
typedef void gemm_fn(size_t, size_t, size_t, const float *, size_t, size_t, const float *, size_t,
                     float, float, float *, size_t);

/* The plain-C kernel: the reference every vector kernel equals bit for
 * bit, and the one used where neither AVX2 with FMA nor AVX-512 is. */
static void gemm_plain(size_t m, size_t n, size_t k, const float *a, size_t ar, size_t ac,
                       const float *b, size_t ldb, float alpha, float beta, float *c, size_t ldc)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            float acc = 0.0f;
            for (size_t p = 0; p < k; p++)
                acc = fmaf(a[i * ar + p * ac], b[p * ldb + j], acc);
            float *cij = c + i * ldc + j;
            *cij = beta == 0.0f ? alpha * acc : beta * *cij + alpha * acc;
        }
}

#if defined(__x86_64__)

/* Each vector kernel below computes a tile of R rows (R <= its ROWS) and V
 * vectors of columns of C (the last one MASKED to fewer lanes when asked);
 * always inlined with constant R, V and MASKED, so that the accumulators
 * live in registers. */

#define AVX2 __attribute__((target("avx2,fma")))
#define INLINE static inline __attribute__((always_inline))

AVX2 INLINE void tile_avx2(size_t R, size_t V, bool masked, __m256i mask, size_t k, const float *a,
                           size_t ar, size_t ac, const float *b, size_t ldb, float alpha,
                           float beta, float *c, size_t ldc)
{
    __m256 acc[ROWS_AVX2][2];
    for (size_t r = 0; r < R; r++)
        for (size_t v = 0; v < V; v++)
            acc[r][v] = _mm256_setzero_ps();
    for (size_t p = 0; p < k; p++) {
        __m256 bv[2];
        for (size_t v = 0; v < V; v++)
            bv[v] = masked && v == V - 1 ? _mm256_maskload_ps(b + p * ldb + 8 * v, mask)
                                         : _mm256_loadu_ps(b + p * ldb + 8 * v);
        for (size_t r = 0; r < R; r++) {
            __m256 av = _mm256_broadcast_ss(a + r * ar + p * ac);
            for (size_t v = 0; v < V; v++)
                acc[r][v] = _mm256_fmadd_ps(av, bv[v], acc[r][v]);
        }
    }
    __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    for (size_t r = 0; r < R; r++)
        for (size_t v = 0; v < V; v++) {
            float *cp = c + r * ldc + 8 * v;
            bool part = masked && v == V - 1;
            __m256 out = _mm256_mul_ps(va, acc[r][v]);
            if (beta != 0.0f) {
                __m256 old = part ? _mm256_maskload_ps(cp, mask) : _mm256_loadu_ps(cp);
                out = _mm256_add_ps(_mm256_mul_ps(vb, old), out);
            }
            if (part)
                _mm256_maskstore_ps(cp, mask, out);
            else
                _mm256_storeu_ps(cp, out);
        }
}

/* All rows of C's columns [j, j + 8 V), the last vector masked. */
AVX2 INLINE void panel_avx2(size_t V, bool masked, __m256i mask, size_t m, size_t k, const float *a,
                            size_t ar, size_t ac, const float *b, size_t ldb, float alpha,
                            float beta, float *c, size_t ldc)
{
    size_t i = 0;
    for (; i + ROWS_AVX2 <= m; i += ROWS_AVX2)
        tile_avx2(ROWS_AVX2, V, masked, mask, k, a + i * ar, ar, ac, b, ldb, alpha, beta,
                  c + i * ldc, ldc);
    for (; i + ROWS_AVX2 / 2 <= m; i += ROWS_AVX2 / 2)
        tile_avx2(ROWS_AVX2 / 2, V, masked, mask, k, a + i * ar, ar, ac, b, ldb, alpha, beta,
                  c + i * ldc, ldc);
    for (; i < m; i++)
        tile_avx2(1, V, masked, mask, k, a + i * ar, ar, ac, b, ldb, alpha, beta, c + i * ldc, ldc);
}

/* Column panels outermost: a panel of B (k rows of 16 floats) stays in
 * the first-level cache while every row tile of A goes past it. */
AVX2 static void gemm_avx2(size_t m, size_t n, size_t k, const float *a, size_t ar, size_t ac,
                           const float *b, size_t ldb, float alpha, float beta, float *c,
                           size_t ldc)
{
    __m256i all = _mm256_set1_epi32(-1);
    size_t j = 0;
    for (; j + 16 <= n; j += 16)
        panel_avx2(2, false, all, m, k, a, ar, ac, b + j, ldb, alpha, beta, c + j, ldc);
    if (j + 8 <= n) {
        panel_avx2(1, false, all, m, k, a, ar, ac, b + j, ldb, alpha, beta, c + j, ldc);
        j += 8;
    }
    if (j < n) {
        __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n - j)), lanes);
        panel_avx2(1, true, mask, m, k, a, ar, ac, b + j, ldb, alpha, beta, c + j, ldc);
    }
}

#define AVX512 __attribute__((target("avx512f")))

AVX512 INLINE void tile_avx512(size_t R, size_t V, bool masked, __mmask16 mask, size_t k,
                               const float *a, size_t ar, size_t ac, const float *b, size_t ldb,
                               float alpha, float beta, float *c, size_t ldc)
{
    __m512 acc[ROWS_AVX512][2];
    for (size_t r = 0; r < R; r++)
        for (size_t v = 0; v < V; v++)
            acc[r][v] = _mm512_setzero_ps();
    for (size_t p = 0; p < k; p++) {
        __m512 bv[2];
        for (size_t v = 0; v < V; v++)
            bv[v] = masked && v == V - 1 ? _mm512_maskz_loadu_ps(mask, b + p * ldb + 16 * v)
                                         : _mm512_loadu_ps(b + p * ldb + 16 * v);
        for (size_t r = 0; r < R; r++) {
            __m512 av = _mm512_set1_ps(a[r * ar + p * ac]);
            for (size_t v = 0; v < V; v++)
                acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
        }
    }
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    for (size_t r = 0; r < R; r++)
        for (size_t v = 0; v < V; v++) {
            float *cp = c + r * ldc + 16 * v;
            __mmask16 lanes = masked && v == V - 1 ? mask : (__mmask16)0xffff;
            __m512 out = _mm512_mul_ps(va, acc[r][v]);
            if (beta != 0.0f)
                out = _mm512_add_ps(_mm512_mul_ps(vb, _mm512_maskz_loadu_ps(lanes, cp)), out);
            _mm512_mask_storeu_ps(cp, lanes, out);
        }
}

AVX512 INLINE void panel_avx512(size_t V, bool masked, __mmask16 mask, size_t m, size_t k,
                                const float *a, size_t ar, size_t ac, const float *b, size_t ldb,
                                float alpha, float beta, float *c, size_t ldc)
{
    size_t i = 0;
    for (; i + ROWS_AVX512 <= m; i += ROWS_AVX512)
        tile_avx512(ROWS_AVX512, V, masked, mask, k, a + i * ar, ar, ac, b, ldb, alpha, beta,
                    c + i * ldc, ldc);
    for (; i + ROWS_AVX512 / 2 <= m; i += ROWS_AVX512 / 2)
        tile_avx512(ROWS_AVX512 / 2, V, masked, mask, k, a + i * ar, ar, ac, b, ldb, alpha, beta,
                    c + i * ldc, ldc);
    for (; i < m; i++)
        tile_avx512(1, V, masked, mask, k, a + i * ar, ar, ac, b, ldb, alpha, beta, c + i * ldc,
                    ldc);
}

AVX512 static void gemm_avx512(size_t m, size_t n, size_t k, const float *a, size_t ar, size_t ac,
                               const float *b, size_t ldb, float alpha, float beta, float *c,
                               size_t ldc)
{
    size_t j = 0;
    for (; j + 32 <= n; j += 32)
        panel_avx512(2, false, 0xffff, m, k, a, ar, ac, b + j, ldb, alpha, beta, c + j, ldc);
    if (j + 16 <= n) {
        panel_avx512(1, false, 0xffff, m, k, a, ar, ac, b + j, ldb, alpha, beta, c + j, ldc);
        j += 16;
    }
    if (j < n)
        panel_avx512(1, true, (__mmask16)((1u << (n - j)) - 1), m, k, a, ar, ac, b + j, ldb, alpha,
                     beta, c + j, ldc);
}

/* Whether this processor runs kernel WHICH (the same for every product). */
static bool kernel_runs(lt_mm_kernel which)
{
    switch (which) {
    case LT_MM_AVX512: return __builtin_cpu_supports("avx512f");
    case LT_MM_AVX2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case LT_MM_PLAIN: return true;
    }
    return false;
}

static gemm_fn *kernel_of(lt_mm_kernel which)
{
    gemm_fn *const by_kernel[] = {[LT_MM_AVX512] = gemm_avx512, [LT_MM_AVX2] = gemm_avx2,
                                  [LT_MM_PLAIN] = gemm_plain};
    return kernel_runs(which) ? by_kernel[which] : NULL;
}

#else

static bool kernel_runs(lt_mm_kernel which)
{
    return which == LT_MM_PLAIN;
}

static gemm_fn *kernel_of(lt_mm_kernel which)
{
    return kernel_runs(which) ? gemm_plain : NULL;
}

#endif

bool lt_small_gemm_on(lt_mm_kernel which, size_t m, size_t n, size_t k, const float *a,
                      size_t a_row, size_t a_col, const float *b, size_t ldb, float alpha,
                      float beta, float *c, size_t ldc)
{
    gemm_fn *fn = kernel_of(which);
    if (fn)
        fn(m, n, k, a, a_row, a_col, b, ldb, alpha, beta, c, ldc);
    return fn != NULL;
}

/* The widest kernel this processor has. libgcc reads the processor's
 * features before main, so the choice costs a few tests of a global. */
static void widest(size_t m, size_t n, size_t k, const float *a, size_t a_row, size_t a_col,
                   const float *b, size_t ldb, float alpha, float beta, float *c, size_t ldc)
{
    for (lt_mm_kernel w = LT_MM_AVX512;; w--)
        if (lt_small_gemm_on(w, m, n, k, a, a_row, a_col, b, ldb, alpha, beta, c, ldc))
            return;
}

void lt_small_gemm(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b,
                   size_t ldb, float alpha, float beta, float *c, size_t ldc)
{
    widest(m, n, k, a, lda, 1, b, ldb, alpha, beta, c, ldc);
}

void lt_small_gemm_tn(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b,
                      size_t ldb, float alpha, float beta, float *c, size_t ldc)
{
    widest(m, n, k, a, 1, lda, b, ldb, alpha, beta, c, ldc);
}

/* A B^T: each element is the dot product of a row of A and a row of B,
 * both read along k, so the vector kernels sum it in lanes and add the
 * lanes up at the end, in the order lt_small_gemm_nt's header gives. */
typedef void gemm_nt_fn(size_t, size_t, size_t, const float *, size_t, const float *, size_t, float,
                        float, float *, size_t);

enum { LANES = 16 };

static float lanes_sum(const float s[LANES])
{
    float h[LANES / 2], q[LANES / 4];
    for (size_t l = 0; l < LANES / 2; l++)
        h[l] = s[l] + s[l + LANES / 2];
    for (size_t l = 0; l < LANES / 4; l++)
        q[l] = h[l] + h[l + LANES / 4];
    return (q[0] + q[2]) + (q[1] + q[3]);
}

static void gemm_nt_plain(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b,
                          size_t ldb, float alpha, float beta, float *c, size_t ldc)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            float s[LANES] = {0};
            for (size_t p = 0; p < k; p++)
                s[p % LANES] = fmaf(a[i * lda + p], b[j * ldb + p], s[p % LANES]);
            float r = lanes_sum(s), *cij = c + i * ldc + j;
            *cij = beta == 0.0f ? alpha * r : beta * *cij + alpha * r;
        }
}

#if defined(__x86_64__)

/* Lanes 0-15 of the sum, split in two vectors of 8 (AVX2) or one of 16:
 * the first step adds lane l + 8 to lane l either way. */
AVX2 INLINE float sum8_avx2(__m256 h)
{
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    __m128 d = _mm_add_ps(q, _mm_movehl_ps(q, q));
    return _mm_cvtss_f32(_mm_add_ss(d, _mm_shuffle_ps(d, d, 1)));
}

AVX512 INLINE float sum16_avx512(__m512 v)
{
    __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
    __m256 h = _mm256_add_ps(_mm512_castps512_ps256(v), hi);
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    __m128 d = _mm_add_ps(q, _mm_movehl_ps(q, q));
    return _mm_cvtss_f32(_mm_add_ss(d, _mm_shuffle_ps(d, d, 1)));
}

/* A tile of R rows of A against S rows of B (R, S <= 4 on AVX-512, 2 on
 * AVX2, whose 16 registers hold 2 x 2 pairs of accumulators), always
 * inlined with constant R and S; the tail of k masked to zeros, which
 * leave a lane's sum as it is. */
AVX512 INLINE void nt_tile_avx512(size_t R, size_t S, size_t k, const float *a, size_t lda,
                                  const float *b, size_t ldb, float alpha, float beta, float *c,
                                  size_t ldc)
{
    __m512 acc[4][4];
    for (size_t r = 0; r < R; r++)
        for (size_t s = 0; s < S; s++)
            acc[r][s] = _mm512_setzero_ps();
    size_t p = 0;
    for (; p + LANES <= k; p += LANES) {
        __m512 bv[4];
        for (size_t s = 0; s < S; s++)
            bv[s] = _mm512_loadu_ps(b + s * ldb + p);
        for (size_t r = 0; r < R; r++) {
            __m512 av = _mm512_loadu_ps(a + r * lda + p);
            for (size_t s = 0; s < S; s++)
                acc[r][s] = _mm512_fmadd_ps(av, bv[s], acc[r][s]);
        }
    }
    if (p < k) {
        __mmask16 lanes = (__mmask16)((1u << (k - p)) - 1);
        __m512 bv[4];
        for (size_t s = 0; s < S; s++)
            bv[s] = _mm512_maskz_loadu_ps(lanes, b + s * ldb + p);
        for (size_t r = 0; r < R; r++) {
            __m512 av = _mm512_maskz_loadu_ps(lanes, a + r * lda + p);
            for (size_t s = 0; s < S; s++)
                acc[r][s] = _mm512_fmadd_ps(av, bv[s], acc[r][s]);
        }
    }
    for (size_t r = 0; r < R; r++)
        for (size_t s = 0; s < S; s++) {
            float v = sum16_avx512(acc[r][s]), *cp = c + r * ldc + s;
            *cp = beta == 0.0f ? alpha * v : beta * *cp + alpha * v;
        }
}

AVX2 INLINE void nt_tile_avx2(size_t R, size_t S, size_t k, const float *a, size_t lda,
                              const float *b, size_t ldb, float alpha, float beta, float *c,
                              size_t ldc)
{
    __m256 acc[2][2][2]; /* [r][s][lanes 0-7, 8-15] */
    for (size_t r = 0; r < R; r++)
        for (size_t s = 0; s < S; s++)
            acc[r][s][0] = acc[r][s][1] = _mm256_setzero_ps();
    size_t p = 0;
    for (; p + LANES <= k; p += LANES)
        for (size_t h = 0; h < 2; h++) {
            __m256 bv[2];
            for (size_t s = 0; s < S; s++)
                bv[s] = _mm256_loadu_ps(b + s * ldb + p + 8 * h);
            for (size_t r = 0; r < R; r++) {
                __m256 av = _mm256_loadu_ps(a + r * lda + p + 8 * h);
                for (size_t s = 0; s < S; s++)
                    acc[r][s][h] = _mm256_fmadd_ps(av, bv[s], acc[r][s][h]);
            }
        }
    if (p < k) {
        __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        for (size_t h = 0; h < 2; h++) {
            __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(k - p) - 8 * (int)h), lane);
            __m256 bv[2];
            for (size_t s = 0; s < S; s++)
                bv[s] = _mm256_maskload_ps(b + s * ldb + p + 8 * h, mask);
            for (size_t r = 0; r < R; r++) {
                __m256 av = _mm256_maskload_ps(a + r * lda + p + 8 * h, mask);
                for (size_t s = 0; s < S; s++)
                    acc[r][s][h] = _mm256_fmadd_ps(av, bv[s], acc[r][s][h]);
            }
        }
    }
    for (size_t r = 0; r < R; r++)
        for (size_t s = 0; s < S; s++) {
            float v = sum8_avx2(_mm256_add_ps(acc[r][s][0], acc[r][s][1]));
            float *cp = c + r * ldc + s;
            *cp = beta == 0.0f ? alpha * v : beta * *cp + alpha * v;
        }
}

/* Rows of B outermost, in tiles of T (and 1 for the rest): the tile stays
 * in the first-level cache while all of A goes past it. */
#define NT_KERNEL(name, tile, T, attr)                                                             \
    attr static void name(size_t m, size_t n, size_t k, const float *a, size_t lda,                \
                          const float *b, size_t ldb, float alpha, float beta, float *c,           \
                          size_t ldc)                                                              \
    {                                                                                              \
        for (size_t j = 0; j < n;) {                                                               \
            size_t S = n - j >= T ? T : 1, i = 0;                                                  \
            for (; i + T <= m; i += T)                                                             \
                if (S == T)                                                                        \
                    tile(T, T, k, a + i * lda, lda, b + j * ldb, ldb, alpha, beta,                 \
                         c + i * ldc + j, ldc);                                                    \
                else                                                                               \
                    tile(T, 1, k, a + i * lda, lda, b + j * ldb, ldb, alpha, beta,                 \
                         c + i * ldc + j, ldc);                                                    \
            for (; i < m; i++)                                                                     \
                if (S == T)                                                                        \
                    tile(1, T, k, a + i * lda, lda, b + j * ldb, ldb, alpha, beta,                 \
                         c + i * ldc + j, ldc);                                                    \
                else                                                                               \
                    tile(1, 1, k, a + i * lda, lda, b + j * ldb, ldb, alpha, beta,                 \
                         c + i * ldc + j, ldc);                                                    \
            j += S;                                                                                \
        }                                                                                          \
    }

NT_KERNEL(gemm_nt_avx512, nt_tile_avx512, 4, AVX512)
NT_KERNEL(gemm_nt_avx2, nt_tile_avx2, 2, AVX2)

static gemm_nt_fn *nt_kernel_of(lt_mm_kernel which)
{
    gemm_nt_fn *const by_kernel[] = {[LT_MM_AVX512] = gemm_nt_avx512, [LT_MM_AVX2] = gemm_nt_avx2,
                                     [LT_MM_PLAIN] = gemm_nt_plain};
    return kernel_runs(which) ? by_kernel[which] : NULL;
}

#else

static gemm_nt_fn *nt_kernel_of(lt_mm_kernel which)
{
    return kernel_runs(which) ? gemm_nt_plain : NULL;
}

#endif

bool lt_small_gemm_nt_on(lt_mm_kernel which, size_t m, size_t n, size_t k, const float *a,
                         size_t lda, const float *b, size_t ldb, float alpha, float beta, float *c,
                         size_t ldc)
{
    gemm_nt_fn *fn = nt_kernel_of(which);
    if (fn)
        fn(m, n, k, a, lda, b, ldb, alpha, beta, c, ldc);
    return fn != NULL;
}

void lt_small_gemm_nt(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b,
                      size_t ldb, float alpha, float beta, float *c, size_t ldc)
{
    for (lt_mm_kernel w = LT_MM_AVX512;; w--)
        if (lt_small_gemm_nt_on(w, m, n, k, a, lda, b, ldb, alpha, beta, c, ldc))
            return;
}

void lt_transpose(const float *src, size_t rows, size_t cols, float *dst)
{
    /* In tiles, so that both sides stay in cache lines already read. */
    enum { TILE = 32 };
    for (size_t i0 = 0; i0 < rows; i0 += TILE)
        for (size_t j0 = 0; j0 < cols; j0 += TILE) {
            size_t i1 = i0 + TILE < rows ? i0 + TILE : rows;
            size_t j1 = j0 + TILE < cols ? j0 + TILE : cols;
            for (size_t i = i0; i < i1; i++)
                for (size_t j = j0; j < j1; j++)
                    dst[j * rows + i] = src[i * cols + j];
        }
}
