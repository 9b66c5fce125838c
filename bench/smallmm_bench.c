/* latent's small-product kernels (nn/smallmm.h) against cblas_sgemm on
 * the products the networks make: the stacked AE's dense layers on a
 * thread's 16 rows of a batch of 32, the recurrent AE's LSTM steps, and
 * the conv AE's patch products. One thread; for each shape, GFLOP/s per
 * CPU second (best of 5 timings) of cblas_sgemm and of each vector kernel
 * this processor runs (the plain-C one is the fallback for processors
 * without AVX2 and FMA, not timed), and the widest one's ratio to
 * cblas_sgemm. OpenBLAS
 * picks its kernels for the processor unless OPENBLAS_CORETYPE says
 * otherwise: print it beside the numbers.
 *
 * usage: build/bench/smallmm_bench   (built with the project) */
#include <cblas.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "nn/smallmm.h"

/* C [m, n] = A B with A [m, k] (or A^T B, A [k, m], when TA; or A B^T,
 * B [n, k], when TB: lt_small_gemm_nt) and the leading dimensions the
 * layers use (LDA, LDB, LDC; 0 for dense). */
struct shape {
    const char *name;
    size_t m, n, k;
    bool ta;
    size_t lda, ldb, ldc;
    bool tb;
};

static const struct shape shapes[] = {
    {"dense forward 16x784 . 784x100", 16, 100, 784, false, 0, 0, 0, false},
    {"dense forward 16x100 . 100x784", 16, 784, 100, false, 0, 0, 0, false},
    {"dense forward 16x100 . 100x30", 16, 30, 100, false, 0, 0, 0, false},
    {.name = "dense input grad 16x784 . (100x784)^T", .m = 16, .n = 100, .k = 784, .tb = true},
    {.name = "dense input grad 16x100 . (30x100)^T", .m = 16, .n = 30, .k = 100, .tb = true},
    {.name = "dense input grad 16x30 . (100x30)^T", .m = 16, .n = 100, .k = 30, .tb = true},
    {"dense kernel grad 784x16 . 16x100", 784, 100, 16, true, 0, 0, 0, false},
    {"dense kernel grad 100x16 . 16x784", 100, 784, 16, true, 0, 0, 0, false},
    {"lstm step 16x100 . 100x400", 16, 400, 100, false, 28 * 100, 400, 28 * 400, false},
    {"lstm step 16x30 . 30x120", 16, 120, 30, false, 28 * 30, 120, 28 * 120, false},
    {"lstm step back 16x400 . 400x100", 16, 100, 400, false, 28 * 400, 100, 100, false},
    {"conv forward 6272x9 . 9x16", 6272, 16, 9, false, 0, 0, 0, false},
    {"conv forward 1568x144 . 144x32", 1568, 32, 144, false, 0, 0, 0, false},
    {"conv forward 392x288 . 288x64", 392, 64, 288, false, 0, 0, 0, false},
    {"conv kernel grad 144x1568 . 1568x32", 144, 32, 1568, true, 0, 0, 0, false},
    {"conv kernel grad 288x392 . 392x64", 288, 64, 392, true, 0, 0, 0, false},
};

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* -1: cblas_sgemm; else the lt_mm_kernel. False when it cannot run here. */
static bool product(const struct shape *s, int how, const float *a, const float *b, float *c)
{
    size_t lda = s->lda ? s->lda : s->ta ? s->m : s->k;
    size_t ldb = s->ldb ? s->ldb : s->tb ? s->k : s->n, ldc = s->ldc ? s->ldc : s->n;
    if (how < 0) {
        cblas_sgemm(CblasRowMajor, s->ta ? CblasTrans : CblasNoTrans,
                    s->tb ? CblasTrans : CblasNoTrans, (int)s->m, (int)s->n, (int)s->k, 1.0f, a,
                    (int)lda, b, (int)ldb, 0.0f, c, (int)ldc);
        return true;
    }
    if (s->tb)
        return lt_small_gemm_nt_on((lt_mm_kernel)how, s->m, s->n, s->k, a, lda, b, ldb, 1.0f, 0.0f,
                                   c, ldc);
    return lt_small_gemm_on((lt_mm_kernel)how, s->m, s->n, s->k, a, s->ta ? 1 : lda,
                            s->ta ? lda : 1, b, ldb, 1.0f, 0.0f, c, ldc);
}

/* GFLOP/s: the best of 5 timings of enough calls for about 0.05 s each;
 * 0 where the kernel cannot run. */
static double rate(const struct shape *s, int how, const float *a, const float *b, float *c)
{
    if (!product(s, how, a, b, c))
        return 0;
    double flops = 2.0 * (double)(s->m * s->n * s->k), best = 0;
    long calls = (long)(0.05 * 50e9 / flops) + 1;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = cpu_now();
        for (long i = 0; i < calls; i++)
            product(s, how, a, b, c);
        double r = flops * (double)calls / (cpu_now() - t0) / 1e9;
        best = r > best ? r : best;
    }
    return best;
}

int main(void)
{
    openblas_set_num_threads(1);
    size_t big = 28 * 400 * 32 + 1568 * 288; /* room for every operand above */
    float *a = malloc(big * sizeof *a), *b = malloc(big * sizeof *b), *c = malloc(big * sizeof *c);
    if (!a || !b || !c)
        return 1;
    for (size_t i = 0; i < big; i++) {
        a[i] = (float)(i % 13) * 0.1f - 0.6f;
        b[i] = (float)(i % 7) * 0.1f - 0.3f;
        c[i] = 0;
    }
    const char *core = getenv("OPENBLAS_CORETYPE");
    printf("OpenBLAS: %s (OPENBLAS_CORETYPE=%s); GFLOP/s per CPU second, one thread\n\n",
           openblas_get_config(), core ? core : "unset");
    printf("| product | cblas_sgemm | AVX2 | AVX-512 | widest / sgemm |\n");
    printf("|---|---|---|---|---|\n");
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
        const struct shape *s = &shapes[i];
        double blas = rate(s, -1, a, b, c), k[3], widest = 0;
        for (int w = LT_MM_AVX2; w <= LT_MM_AVX512; w++) {
            k[w] = rate(s, w, a, b, c);
            widest = k[w] > 0 ? k[w] : widest;
        }
        printf("| %s%s | %.1f |", s->name, s->ta ? " (A^T)" : s->tb ? " (B^T)" : "", blas);
        for (int w = LT_MM_AVX2; w <= LT_MM_AVX512; w++)
            printf(k[w] > 0 ? " %.1f |" : " - |", k[w]);
        printf(" %.2fx |\n", widest / blas);
    }
    free(a);
    free(b);
    free(c);
    return 0;
}
