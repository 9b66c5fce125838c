/* cblas_sgemm's speed on this machine, one thread, for the products one
 * training step of the stacked autoencoder (784-100-30-100-784, batch 32)
 * makes, and for a large square product. Prints one JSON object: GFLOP/s
 * per CPU second for each shape (best of 5 timings) and the best of all. Built with the project
 * (build/bench/sgemm_peak); bench/stacked_ae_bench.sh runs it. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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

/* GFLOP/s of one shape: the best of 5 timings of enough calls to take
 * about 0.1 s each. */
static double rate(const struct shape *s, float *a, float *b, float *c)
{
    int lda = s->ta == CblasNoTrans ? s->k : s->m, ldb = s->tb == CblasNoTrans ? s->n : s->k;
    double flops = 2.0 * s->m * s->n * s->k, best = 0;
    long calls = (long)(0.1 * 50e9 / flops) + 1;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now();
        for (long i = 0; i < calls; i++)
            cblas_sgemm(CblasRowMajor, s->ta, s->tb, s->m, s->n, s->k, 1.0f, a, lda, b, ldb, 0.0f,
                        c, s->n);
        double gflops = flops * (double)calls / (now() - t0) / 1e9;
        best = gflops > best ? gflops : best;
    }
    return best;
}

int main(void)
{
    openblas_set_num_threads(1);
    static const struct shape shapes[] = {
        {"forward 784->100", 32, 100, 784, CblasNoTrans, CblasNoTrans},
        {"forward 100->784", 32, 784, 100, CblasNoTrans, CblasNoTrans},
        {"kernel gradient 100x784", 100, 784, 32, CblasTrans, CblasNoTrans},
        {"kernel gradient 784x100", 784, 100, 32, CblasTrans, CblasNoTrans},
        {"input gradient 784->100", 32, 100, 784, CblasNoTrans, CblasTrans},
        {"square 1024", 1024, 1024, 1024, CblasNoTrans, CblasNoTrans},
    };
    size_t big = 1024 * 1024;
    float *a = malloc(big * sizeof *a), *b = malloc(big * sizeof *b), *c = malloc(big * sizeof *c);
    if (!a || !b || !c)
        return 1;
    for (size_t i = 0; i < big; i++)
        a[i] = b[i] = c[i] = (float)(i % 7) * 0.1f;
    double peak = 0;
    printf("{");
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
        double r = rate(&shapes[i], a, b, c);
        peak = r > peak ? r : peak;
        printf("\"%s\": %.1f, ", shapes[i].name, r);
    }
    printf("\"peak\": %.1f}\n", peak);
    free(a);
    free(b);
    free(c);
    return 0;
}
