/* cblas_sgemm's speed on this machine for the matrix products one training
 * step of the lecture's convolutional autoencoder makes (batch 32, the
 * shapes latent's conv2d and conv2d_transpose layers pass to sgemm), and
 * for a large square product: the peak.
 *
 * usage: conv_sgemm_peak [THREADS]   (default 1)
 * Prints one JSON object: per product its shape, FLOPs and GFLOP/s (best of
 * 5 timings); "step_seconds", the time one training step's products need
 * at those speeds; "peak", the square product's GFLOP/s.
 *
 * With one thread the timings are the calling thread's CPU time, so other
 * processes on a shared machine do not count; with more, wall time.
 * Build: cc -O2 conv_sgemm_peak.c $(pkg-config --cflags --libs openblas) */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct product {
    const char *name;
    int m, n, k;
    enum CBLAS_TRANSPOSE ta, tb;
};

#define B 32 /* the batch */

/* Row-major, as latent calls them: forward patches x kernel, the kernel's
 * gradient patches^T x dz, the patches' gradient dz x kernel^T; for the
 * transposed layers x kernel^T, dpatches^T x x and dpatches x kernel. */
static const struct product step[] = {
    {"conv1 forward", B * 784, 16, 9, CblasNoTrans, CblasNoTrans},
    {"conv1 kernel gradient", 9, 16, B * 784, CblasTrans, CblasNoTrans},
    {"conv2 forward", B * 196, 32, 144, CblasNoTrans, CblasNoTrans},
    {"conv2 kernel gradient", 144, 32, B * 196, CblasTrans, CblasNoTrans},
    {"conv2 input gradient", B * 196, 144, 32, CblasNoTrans, CblasTrans},
    {"conv3 forward", B * 49, 64, 288, CblasNoTrans, CblasNoTrans},
    {"conv3 kernel gradient", 288, 64, B * 49, CblasTrans, CblasNoTrans},
    {"conv3 input gradient", B * 49, 288, 64, CblasNoTrans, CblasTrans},
    {"convT1 forward", B * 9, 288, 64, CblasNoTrans, CblasTrans},
    {"convT1 kernel gradient", 288, 64, B * 9, CblasTrans, CblasNoTrans},
    {"convT1 input gradient", B * 9, 64, 288, CblasNoTrans, CblasNoTrans},
    {"convT2 forward", B * 49, 144, 32, CblasNoTrans, CblasTrans},
    {"convT2 kernel gradient", 144, 32, B * 49, CblasTrans, CblasNoTrans},
    {"convT2 input gradient", B * 49, 32, 144, CblasNoTrans, CblasNoTrans},
    {"convT3 forward", B * 196, 9, 16, CblasNoTrans, CblasTrans},
    {"convT3 kernel gradient", 9, 16, B * 196, CblasTrans, CblasNoTrans},
    {"convT3 input gradient", B * 196, 16, 9, CblasNoTrans, CblasNoTrans},
};

static const struct product square = {"square 1024", 1024, 1024, 1024, CblasNoTrans,
                                      CblasNoTrans};

static double now(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* GFLOP/s of one product: the best of 5 timings of about 0.1 s each. */
static double rate(const struct product *p, clockid_t clock, float *a, float *b, float *c)
{
    int lda = p->ta == CblasNoTrans ? p->k : p->m, ldb = p->tb == CblasNoTrans ? p->n : p->k;
    double flops = 2.0 * p->m * p->n * p->k, best = 0;
    long calls = (long)(0.1 * 30e9 / flops) + 1;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now(clock);
        for (long i = 0; i < calls; i++)
            cblas_sgemm(CblasRowMajor, p->ta, p->tb, p->m, p->n, p->k, 1.0f, a, lda, b, ldb, 0.0f,
                        c, p->n);
        double gflops = flops * (double)calls / (now(clock) - t0) / 1e9;
        best = gflops > best ? gflops : best;
    }
    return best;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    if (threads < 1)
        return 2;
    openblas_set_num_threads(threads);
    clockid_t clock = threads == 1 ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC;
    size_t big = 1024 * 1024 * 2;
    float *a = malloc(big * sizeof *a), *b = malloc(big * sizeof *b), *c = malloc(big * sizeof *c);
    if (!a || !b || !c)
        return 1;
    for (size_t i = 0; i < big; i++)
        a[i] = b[i] = c[i] = (float)(i % 7) * 0.1f;
    double seconds = 0;
    printf("{\"threads\": %d, \"products\": [\n", threads);
    for (size_t i = 0; i < sizeof step / sizeof *step; i++) {
        const struct product *p = &step[i];
        double flops = 2.0 * p->m * p->n * p->k, r = rate(p, clock, a, b, c);
        seconds += flops / (r * 1e9);
        printf("  {\"name\": \"%s\", \"m\": %d, \"n\": %d, \"k\": %d, \"flops\": %.0f, "
               "\"gflops\": %.1f},\n",
               p->name, p->m, p->n, p->k, flops, r);
    }
    printf("  {}],\n \"step_seconds\": %.6g, \"peak\": %.1f}\n", seconds,
           rate(&square, clock, a, b, c));
    free(a);
    free(b);
    free(c);
    return 0;
}
