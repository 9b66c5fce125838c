/* The product speed this machine reaches, one thread, for the products one
 * training step of the stacked autoencoder (784-100-30-100-784, batch 32)
 * makes, and for a large square product: for each, the faster of
 * cblas_sgemm and latent's own small-product kernel (nn/smallmm.h, for the
 * shapes it computes: A B and A^T B). Prints one JSON object: GFLOP/s per
 * CPU second for each shape (best of 5 timings), the best of all ("peak"),
 * and cblas_sgemm's alone for each ("... sgemm"); then "two-core": the
 * batch-32 products' aggregate rate in wall time with two threads each
 * running the same mix of products on their own data, each product with
 * the faster routine (the machine's two-core limit for these shapes, as
 * far as we know it). Built with the project (build/bench/sgemm_peak);
 * bench/stacked_ae_bench.sh runs it. */
#include <cblas.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "nn/smallmm.h"

struct shape {
    const char *name;
    int m, n, k;
    enum CBLAS_TRANSPOSE ta, tb;
};

/* Process CPU time: on a machine shared with other work, wall time would
 * measure the scheduler as much as the products. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One product of shape S, by cblas_sgemm or (SMALL, where it has the
 * shape) by lt_small_gemm. */
static void product(const struct shape *s, bool small, const float *a, const float *b, float *c)
{
    int lda = s->ta == CblasNoTrans ? s->k : s->m, ldb = s->tb == CblasNoTrans ? s->n : s->k;
    if (small && s->tb == CblasNoTrans) {
        if (s->ta == CblasNoTrans)
            lt_small_gemm((size_t)s->m, (size_t)s->n, (size_t)s->k, a, (size_t)lda, b,
                          (size_t)ldb, 1.0f, 0.0f, c, (size_t)s->n);
        else
            lt_small_gemm_tn((size_t)s->m, (size_t)s->n, (size_t)s->k, a, (size_t)lda, b,
                             (size_t)ldb, 1.0f, 0.0f, c, (size_t)s->n);
        return;
    }
    cblas_sgemm(CblasRowMajor, s->ta, s->tb, s->m, s->n, s->k, 1.0f, a, lda, b, ldb, 0.0f, c,
                s->n);
}

/* GFLOP/s of one shape by one routine: the best of 5 timings of enough
 * calls to take about 0.1 s each. */
static double rate(const struct shape *s, bool small, float *a, float *b, float *c)
{
    double flops = 2.0 * s->m * s->n * s->k, best = 0;
    long calls = (long)(0.1 * 50e9 / flops) + 1;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now();
        for (long i = 0; i < calls; i++)
            product(s, small, a, b, c);
        double gflops = flops * (double)calls / (now() - t0) / 1e9;
        best = gflops > best ? gflops : best;
    }
    return best;
}

static const struct shape shapes[] = {
        {"forward 784->100", 32, 100, 784, CblasNoTrans, CblasNoTrans},
        {"forward 100->784", 32, 784, 100, CblasNoTrans, CblasNoTrans},
        {"kernel gradient 100x784", 100, 784, 32, CblasTrans, CblasNoTrans},
        {"kernel gradient 784x100", 784, 100, 32, CblasTrans, CblasNoTrans},
        {"input gradient 784->100", 32, 100, 784, CblasNoTrans, CblasTrans},
        {"square 1024", 1024, 1024, 1024, CblasNoTrans, CblasNoTrans},
};
#define N_STEP_SHAPES 5 /* the batch-32 ones */
#define N_SHAPES (sizeof shapes / sizeof *shapes)

/* Per shape: whether lt_small_gemm is the faster routine (set by main). */
static bool faster_small[N_SHAPES];

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One thread's share of the two-core measurement: CALLS rounds of the
 * batch-32 products on its own buffers. */
struct mix {
    long calls;
    float *a, *b, *c;
};

static void *run_mix(void *arg)
{
    struct mix *m = arg;
    for (long i = 0; i < m->calls; i++)
        for (int k = 0; k < N_STEP_SHAPES; k++)
            product(&shapes[k], faster_small[k], m->a, m->b, m->c);
    return NULL;
}

/* GFLOP/s of wall time of two threads running the mix at once (best of 5). */
static double two_core_rate(void)
{
    double flops = 0, best = 0;
    for (int k = 0; k < N_STEP_SHAPES; k++)
        flops += 2.0 * shapes[k].m * shapes[k].n * shapes[k].k;
    struct mix m[2];
    for (int t = 0; t < 2; t++) {
        size_t size = 784 * 100;
        m[t] = (struct mix){.calls = (long)(0.2 * 50e9 / flops) + 1, .a = malloc(size * sizeof(float)),
                            .b = malloc(size * sizeof(float)), .c = malloc(size * sizeof(float))};
        if (!m[t].a || !m[t].b || !m[t].c)
            exit(1);
        for (size_t i = 0; i < size; i++)
            m[t].a[i] = m[t].b[i] = m[t].c[i] = (float)(i % 7) * 0.1f;
    }
    for (int rep = 0; rep < 5; rep++) {
        pthread_t th;
        double t0 = wall();
        if (pthread_create(&th, NULL, run_mix, &m[1]) != 0)
            exit(1);
        run_mix(&m[0]);
        pthread_join(th, NULL);
        double r = 2 * flops * (double)m[0].calls / (wall() - t0) / 1e9;
        best = r > best ? r : best;
    }
    for (int t = 0; t < 2; t++) {
        free(m[t].a);
        free(m[t].b);
        free(m[t].c);
    }
    return best;
}

int main(void)
{
    openblas_set_num_threads(1);
    size_t big = 1024 * 1024;
    float *a = malloc(big * sizeof *a), *b = malloc(big * sizeof *b), *c = malloc(big * sizeof *c);
    if (!a || !b || !c)
        return 1;
    for (size_t i = 0; i < big; i++)
        a[i] = b[i] = c[i] = (float)(i % 7) * 0.1f;
    double peak = 0, sgemm_peak = 0;
    printf("{");
    for (size_t i = 0; i < N_SHAPES; i++) {
        double blas = rate(&shapes[i], false, a, b, c), small = rate(&shapes[i], true, a, b, c);
        faster_small[i] = small > blas;
        double r = faster_small[i] ? small : blas;
        peak = r > peak ? r : peak;
        sgemm_peak = blas > sgemm_peak ? blas : sgemm_peak;
        printf("\"%s\": %.1f, \"%s sgemm\": %.1f, ", shapes[i].name, r, shapes[i].name, blas);
    }
    printf("\"peak\": %.1f, \"sgemm peak\": %.1f, \"two-core\": %.1f}\n", peak, sgemm_peak,
           two_core_rate());
    free(a);
    free(b);
    free(c);
    return 0;
}
