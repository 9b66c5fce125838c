/* cblas_sgemm alone on the products of one epoch of pipelines/vae_fashion.yaml
 * (Geron's 784-150-100-(10 mean, 10 log_var)-100-150-784 at batch 128, 55000
 * images): per training step, every layer's forward product, its kernel
 * gradient and, after the first layer, its input gradient, with the shapes
 * latent's layers pass to cblas_sgemm. One thread, CPU time, best of 5
 * epochs' worth. Prints one JSON object: GFLOP per epoch, CPU seconds per
 * epoch of the products alone, and their GFLOP/s. bench/vae_bench.sh runs it. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(void)
{
    openblas_set_num_threads(1);
    static const int layers[][2] = {{784, 150}, {150, 100}, {100, 10}, {100, 10},
                                    {10, 100},  {100, 150}, {150, 784}};
    const int n_layers = sizeof layers / sizeof *layers, batch = 128, train = 55000;
    const long steps = (train + batch - 1) / batch;
    size_t big = 784 * 784;
    float *a = malloc(big * sizeof *a), *b = malloc(big * sizeof *b), *c = malloc(big * sizeof *c);
    if (!a || !b || !c)
        return 1;
    for (size_t i = 0; i < big; i++)
        a[i] = b[i] = c[i] = (float)(i % 7) * 0.1f;
    double flops = 0;
    for (int i = 0; i < n_layers; i++) {
        double mnk = (double)batch * layers[i][0] * layers[i][1];
        flops += 2 * mnk * (i == 0 ? 2 : 3);
    }
    double best = 1e300;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now();
        for (long s = 0; s < steps; s++)
            for (int i = 0; i < n_layers; i++) {
                int in = layers[i][0], out = layers[i][1];
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, out, in, 1.0f, a, in,
                            b, out, 0.0f, c, out);
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, in, out, batch, 1.0f, a, in,
                            b, out, 0.0f, c, out);
                if (i > 0)
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, batch, in, out, 1.0f, b,
                                out, a, out, 0.0f, c, in);
            }
        double t = now() - t0;
        best = t < best ? t : best;
    }
    double gflop = flops * (double)steps / 1e9;
    printf("{\"gflop_per_epoch\": %.3f, \"seconds_per_epoch\": %.3f, \"gflops\": %.1f}\n", gflop,
           best, gflop / best);
    free(a);
    free(b);
    free(c);
    return 0;
}
