/* The training-time noise layers (gaussian_noise, dropout), the ziggurat
 * normals behind gaussian_noise, the corrupt stage, and the autoencoder
 * applied to a second input.
 *
 * Gradient checks hold the noise fixed: the network's stream is put back
 * to the same state before every forward pass, so each pass draws the same
 * noise (or mask) and the network is a fixed differentiable function.
 *
 * The statistical tests draw with fixed seeds and accept within 5 standard
 * errors of the exact value (about one false alarm in 3.5 million for a
 * random seed; with the fixed seeds they pass or fail for good). */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "math/rng.h"
#include "math/ziggurat.h"
#include "nn/net.h"
#include "testcfg.h"
#include "testnn.h"
#include "testutil.h"

const char *lt_test_root = ".";

extern const lt_stage_def corrupt_stage, autoencoder_stage;

/* ---- gradient checks with the noise held fixed ---------------------------- */

#define BATCH 4

struct probe {
    lt_net net;
    lt_rng noise_state; /* the stream's state every forward pass starts from */
    float *x, *r;
    size_t out_size;
};

/* sum_i r_i y_i over the batch's outputs of a training pass, in double. */
static double objective(struct probe *p)
{
    p->net.rng = p->noise_state;
    const float *y = lt_net_forward(&p->net, p->x, BATCH, p->net.n_layers, true);
    double s = 0;
    for (size_t i = 0; i < BATCH * p->out_size; i++)
        s += (double)p->r[i] * (double)y[i];
    return s;
}

/* Central differences against backward for every weight and input of the
 * network in YAML (smooth activations only: no kinks to skip). Returns the
 * number of mismatches. */
static int check_gradients(const char *yaml, lt_nn_shape in)
{
    const float step = 1e-2f;
    test_specs specs = test_specs_bind(yaml);
    struct probe p = {0};
    size_t bad;
    CU_ASSERT_EQUAL_FATAL(lt_net_build(&p.net, specs.layers.items, specs.layers.n, &in, BATCH,
                                       3, &bad, NULL),
                          LT_NET_OK);
    p.noise_state = p.net.rng;
    p.out_size = p.net.layers[p.net.n_layers - 1].out_size;
    size_t nx = BATCH * p.net.in_size, ny = BATCH * p.out_size, nw = p.net.n_weights;
    p.x = malloc(nx * sizeof *p.x);
    p.r = malloc(ny * sizeof *p.r);
    float *dx = malloc(nx * sizeof *dx), *g = malloc((nw ? nw : 1) * sizeof *g);
    CU_ASSERT_FATAL(p.x && p.r && dx && g);
    lt_rng rng;
    lt_rng_seed(&rng, 8);
    for (size_t i = 0; i < nx; i++)
        p.x[i] = (float)lt_rng_gauss(&rng);
    for (size_t i = 0; i < ny; i++)
        p.r[i] = (float)lt_rng_gauss(&rng);
    for (size_t i = 0; i < nw; i++)
        p.net.w[i] += (float)(0.1 * lt_rng_gauss(&rng));

    objective(&p);
    memcpy(lt_net_output_grad(&p.net), p.r, ny * sizeof *p.r);
    lt_net_backward(&p.net, BATCH, dx);
    memcpy(g, p.net.g, nw * sizeof *g);

    int mismatches = 0;
    double worst = 0;
    for (size_t j = 0; j < nw + nx; j++) {
        float *v = j < nw ? &p.net.w[j] : &p.x[j - nw];
        double analytic = j < nw ? g[j] : dx[j - nw];
        float keep = *v;
        *v = keep + step;
        double up = objective(&p);
        *v = keep - step;
        double down = objective(&p);
        *v = keep;
        double numeric = (up - down) / (2.0 * (double)step);
        double diff = fabs(analytic - numeric);
        worst = fmax(worst, diff);
        if (diff > 2e-3 + 1e-2 * fmax(fabs(analytic), fabs(numeric)) && mismatches++ < 5)
            printf("\n    %s %zu: analytic %.6g numeric %.6g", j < nw ? "weight" : "input",
                   j < nw ? j : j - nw, analytic, numeric);
    }
    printf("\n    %-72.72s max|diff| %.2g", yaml, worst);
    free(p.x);
    free(p.r);
    free(dx);
    free(g);
    lt_net_free(&p.net);
    test_specs_free(&specs);
    return mismatches;
}

static void test_gradients(void)
{
    /* Noise on the input, dropout between dense layers, dropout last. */
    CU_ASSERT_EQUAL(check_gradients("layers: [flatten, {gaussian_noise: {stddev: 0.3}}, "
                                    "{dense: {units: 5, activation: tanh}}, "
                                    "{dropout: {rate: 0.4}}, "
                                    "{dense: {units: 3, activation: sigmoid}}, "
                                    "{dropout: {rate: 0.25}}]",
                                    lt_nn_shape_2d(2, 3)),
                    0);
    /* Both right after the input, which then gets its gradient from them. */
    CU_ASSERT_EQUAL(check_gradients("layers: [{dropout: {rate: 0.5}}, "
                                    "{gaussian_noise: {stddev: 1.0}}, "
                                    "{dense: {units: 4, activation: tanh}}]",
                                    lt_nn_shape_1d(6)),
                    0);
}

/* Training asks for no input gradient, so the network skips the noise on
 * its input and the first dense layer's dL/dx: the weights' gradient must
 * be the one the full backward pass (as checked above) computes. */
static void test_training_backward_skips_the_input_noise(void)
{
    test_specs specs = test_specs_bind("layers: [flatten, {dropout: {rate: 0.3}}, "
                                       "{gaussian_noise: {stddev: 0.5}}, "
                                       "{dense: {units: 5, activation: tanh}}, "
                                       "{dropout: {rate: 0.4}}, {dense: {units: 6}}]");
    lt_net net;
    size_t bad;
    lt_nn_shape in = lt_nn_shape_2d(2, 3);
    CU_ASSERT_EQUAL_FATAL(lt_net_build(&net, specs.layers.items, specs.layers.n, &in, BATCH, 4,
                                       &bad, NULL),
                          LT_NET_OK);
    float x[BATCH * 6], dx[BATCH * 6], g[BATCH * 64];
    CU_ASSERT_FATAL(net.n_weights <= BATCH * 64);
    for (int i = 0; i < BATCH * 6; i++)
        x[i] = 0.1f * (float)i - 1.0f;
    lt_rng start = net.rng;
    for (int pass = 0; pass < 2; pass++) {
        net.rng = start;
        lt_net_forward(&net, x, BATCH, net.n_layers, true);
        float *dy = lt_net_output_grad(&net);
        for (int i = 0; i < BATCH * 6; i++)
            dy[i] = (float)(i % 5) - 2.0f;
        lt_net_backward(&net, BATCH, pass == 0 ? dx : NULL);
        if (pass == 0)
            memcpy(g, net.g, net.n_weights * sizeof *g);
    }
    CU_ASSERT_EQUAL(memcmp(g, net.g, net.n_weights * sizeof *g), 0);
    lt_net_free(&net);
    test_specs_free(&specs);
}

/* Dropped inputs get no gradient; kept ones get dL/dy / (1 - rate). */
static void test_dropout_gradient_is_the_mask(void)
{
    enum { N = 3, WIDTH = 50 };
    test_specs specs = test_specs_bind("layers: [{dropout: {rate: 0.2}}]");
    lt_net net;
    size_t bad;
    lt_nn_shape in = lt_nn_shape_1d(WIDTH);
    CU_ASSERT_EQUAL_FATAL(lt_net_build(&net, specs.layers.items, 1, &in, N, 1, &bad, NULL),
                          LT_NET_OK);
    float x[N * WIDTH], dx[N * WIDTH];
    for (int i = 0; i < N * WIDTH; i++)
        x[i] = 1.0f + (float)i;
    const float *y = lt_net_forward(&net, x, N, 1, true);
    float *dy = lt_net_output_grad(&net);
    for (int i = 0; i < N * WIDTH; i++)
        dy[i] = 2.0f;
    float out[N * WIDTH];
    memcpy(out, y, sizeof out);
    lt_net_backward(&net, N, dx);
    int dropped = 0;
    for (int i = 0; i < N * WIDTH; i++) {
        bool kept = out[i] != 0;
        dropped += !kept;
        CU_ASSERT_EQUAL(dx[i], kept ? 2.0f * 1.25f : 0.0f);
        if (kept)
            CU_ASSERT_EQUAL(out[i], x[i] * 1.25f);
    }
    CU_ASSERT(dropped > 0 && dropped < N * WIDTH);
    lt_net_free(&net);
    test_specs_free(&specs);
}

/* ---- statistics of the noise ---------------------------------------------- */

/* A one-layer network on samples of WIDTH values in batches of N. */
static test_specs build_one(lt_net *net, const char *yaml, size_t n, int width, uint32_t seed)
{
    test_specs specs = test_specs_bind(yaml);
    size_t bad;
    lt_nn_shape in = lt_nn_shape_1d(width);
    CU_ASSERT_EQUAL_FATAL(lt_net_build(net, specs.layers.items, 1, &in, n, seed, &bad, NULL),
                          LT_NET_OK);
    return specs;
}

/* The standard normal distribution function. */
static double phi(double x)
{
    return 0.5 * erfc(-x / sqrt(2.0));
}

/* Kolmogorov-Smirnov distance between the n values z (sorted in place)
 * and the standard normal. */
static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static double ks_distance(float *z, size_t n)
{
    qsort(z, n, sizeof *z, cmp_float);
    double d = 0;
    for (size_t i = 0; i < n; i++) {
        double f = phi(z[i]);
        d = fmax(d, fmax(f - (double)i / (double)n, (double)(i + 1) / (double)n - f));
    }
    return d;
}

/* Mean, standard deviation, tail fractions and KS distance of n standard
 * normal values, each within 5 standard errors of the exact value (the KS
 * distance below its 0.1% critical value). Sorts z. */
static void check_standard_normal(float *z, size_t n)
{
    double sum = 0, sq = 0, beyond[3] = {0};
    const double cut[3] = {1.0, 2.0, 3.442619855899}; /* the last: the ziggurat's tail */
    for (size_t i = 0; i < n; i++) {
        sum += z[i];
        sq += (double)z[i] * z[i];
        for (int k = 0; k < 3; k++)
            beyond[k] += fabs(z[i]) > cut[k];
    }
    double mean = sum / (double)n, sd = sqrt(sq / (double)n - mean * mean);
    printf("\n    n %zu: mean %.5f sd %.5f", n, mean, sd);
    CU_ASSERT(fabs(mean) < 5 / sqrt((double)n));
    CU_ASSERT(fabs(sd - 1) < 5 / sqrt(2.0 * (double)n));
    for (int k = 0; k < 3; k++) {
        double p = 2 * (1 - phi(cut[k])), got = beyond[k] / (double)n;
        printf(" P(|z|>%.2f) %.5f (exact %.5f)", cut[k], got, p);
        CU_ASSERT(fabs(got - p) < 5 * sqrt(p * (1 - p) / (double)n));
    }
    double d = ks_distance(z, n);
    printf(" KS %.5f", d);
    CU_ASSERT(d < 1.95 / sqrt((double)n));
}

static void test_ziggurat_is_standard_normal(void)
{
    enum { N = 1000000 };
    float *z = malloc(N * sizeof *z);
    CU_ASSERT_PTR_NOT_NULL_FATAL(z);
    lt_ziggurat zig;
    lt_ziggurat_init(&zig);
    lt_rng rng;
    lt_rng_seed(&rng, 2024);
    lt_ziggurat_fill(&zig, &rng, z, N);
    /* Successive values are uncorrelated. */
    double lag = 0;
    for (size_t i = 1; i < N; i++)
        lag += (double)z[i] * z[i - 1];
    CU_ASSERT(fabs(lag / N) < 5 / sqrt((double)N));
    check_standard_normal(z, N);
    /* The same seed, the same values. */
    float again[16], first[16];
    lt_rng_seed(&rng, 2024);
    lt_ziggurat_fill(&zig, &rng, again, 16);
    lt_rng_seed(&rng, 2024);
    lt_ziggurat_fill(&zig, &rng, first, 16);
    CU_ASSERT_EQUAL(memcmp(again, first, sizeof first), 0);
    free(z);
}

/* The ziggurat one value at a time, straight from the stream: the
 * algorithm as ziggurat.c states it, against which its bulk fill must
 * give the same values and leave the stream in the same state. */
static double ref_uniform(lt_rng *r)
{
    return ((double)lt_rng_next32(r) + 0.5) / 4294967296.0;
}

static float ref_draw(const lt_ziggurat *z, lt_rng *r)
{
    const double R = 3.442619855899;
    for (;;) {
        uint32_t u = lt_rng_next32(r);
        unsigned strip = u & (LT_ZIGGURAT_STRIPS - 1);
        float sign = (u >> 7) & 1 ? -1.0f : 1.0f, x = (float)(u >> 8) * z->w[strip];
        if (u >> 8 < z->k[strip])
            return sign * x;
        if (strip == 0) {
            double a, b;
            do {
                a = -log(ref_uniform(r)) / R;
                b = -log(ref_uniform(r));
            } while (b + b < a * a);
            return sign * (float)(R + a);
        }
        double y = z->f[strip] + ref_uniform(r) * (z->f[strip - 1] - z->f[strip]);
        if (y < exp(-0.5 * (double)x * (double)x))
            return sign * x;
    }
}

static void test_ziggurat_draw_for_draw(void)
{
    enum { N = 300000 };
    float *got = malloc(N * sizeof *got), *want = malloc(N * sizeof *want);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got && want);
    lt_ziggurat zig;
    lt_ziggurat_init(&zig);
    lt_rng bulk, one;
    lt_rng_seed(&bulk, 77);
    lt_rng_seed(&one, 77);
    /* Fills of every length from 1 to 40, then long ones: across the
     * bulk buffer's and the stream's refills, with the tail and the
     * wedges met many times. */
    size_t at = 0, len = 1, differ = 0;
    while (at < N) {
        size_t n = at + len <= N ? len : N - at;
        lt_ziggurat_fill(&zig, &bulk, got + at, n);
        for (size_t i = 0; i < n; i++)
            want[at + i] = ref_draw(&zig, &one);
        at += n;
        len = len < 40 ? len + 1 : 1000 + 7 * len % 3000;
        CU_ASSERT(lt_rng_next32(&bulk) == lt_rng_next32(&one)); /* the same words drawn */
    }
    for (size_t i = 0; i < N; i++)
        differ += memcmp(&got[i], &want[i], sizeof got[i]) != 0;
    NEAR("ziggurat fill vs one draw at a time: values that differ", (double)differ, 0);
    free(got);
    free(want);
}

static void test_gaussian_noise_statistics(void)
{
    enum { N = 64, WIDTH = 4096 };
    const float stddev = 0.2f;
    lt_net net;
    test_specs specs = build_one(&net, "layers: [{gaussian_noise: {stddev: 0.2}}]", N, WIDTH, 7);
    float *x = malloc(N * WIDTH * sizeof *x), *z = malloc(N * WIDTH * sizeof *z);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x && z);
    for (size_t i = 0; i < N * WIDTH; i++)
        x[i] = (float)(i % 7) / 7.0f;
    /* Inference: the input, bit for bit. */
    const float *y = lt_net_forward(&net, x, N, 1, false);
    CU_ASSERT_EQUAL(memcmp(y, x, N * WIDTH * sizeof *x), 0);
    /* Training: x + stddev z with z standard normal. */
    y = lt_net_forward(&net, x, N, 1, true);
    for (size_t i = 0; i < N * WIDTH; i++)
        z[i] = (y[i] - x[i]) / stddev;
    float first = y[0];
    check_standard_normal(z, N * WIDTH);
    /* Each pass draws new noise. */
    y = lt_net_forward(&net, x, N, 1, true);
    CU_ASSERT_NOT_EQUAL(y[0], first);
    free(x);
    free(z);
    lt_net_free(&net);
    test_specs_free(&specs);
}

static void test_dropout_statistics(void)
{
    enum { N = 64, WIDTH = 4096 };
    const double rates[] = {0.5, 0.1, 0.0};
    float *x = malloc(N * WIDTH * sizeof *x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    for (size_t i = 0; i < N * WIDTH; i++)
        x[i] = 1.0f + (float)(i % 5);
    for (int k = 0; k < 3; k++) {
        char yaml[64];
        snprintf(yaml, sizeof yaml, "layers: [{dropout: {rate: %g}}]", rates[k]);
        lt_net net;
        test_specs specs = build_one(&net, yaml, N, WIDTH, 11);
        const float *y = lt_net_forward(&net, x, N, 1, false);
        CU_ASSERT_EQUAL(memcmp(y, x, N * WIDTH * sizeof *x), 0);
        y = lt_net_forward(&net, x, N, 1, true);
        float scale = (float)(1.0 / (1.0 - rates[k]));
        size_t kept = 0, wrong = 0;
        double in_sum = 0, out_sum = 0;
        for (size_t i = 0; i < N * WIDTH; i++) {
            kept += y[i] != 0;
            wrong += y[i] != 0 && y[i] != x[i] * scale;
            in_sum += x[i];
            out_sum += y[i];
        }
        double n = N * WIDTH, keep = 1 - rates[k], frac = (double)kept / n;
        printf("\n    rate %.2f: kept %.5f, output mean / input mean %.5f", rates[k], frac,
               out_sum / in_sum);
        CU_ASSERT_EQUAL(wrong, 0);
        CU_ASSERT(fabs(frac - keep) <= 5 * sqrt(keep * (1 - keep) / n));
        /* Inverted dropout keeps the expected value. */
        CU_ASSERT(fabs(out_sum / in_sum - 1) < 0.01);
        lt_net_free(&net);
        test_specs_free(&specs);
    }
    free(x);
}

/* The same seed gives the same noise; another seed other noise. */
static void test_noise_follows_the_seed(void)
{
    const char *yamls[] = {"layers: [{gaussian_noise: {stddev: 0.5}}]",
                           "layers: [{dropout: {rate: 0.3}}]"};
    enum { N = 8, WIDTH = 100 };
    float x[N * WIDTH], a[N * WIDTH];
    for (int i = 0; i < N * WIDTH; i++)
        x[i] = 1.0f;
    for (int k = 0; k < 2; k++) {
        for (uint32_t seed = 5; seed <= 6; seed++) {
            lt_net net;
            test_specs specs = build_one(&net, yamls[k], N, WIDTH, seed);
            const float *y = lt_net_forward(&net, x, N, 1, true);
            if (seed == 5)
                memcpy(a, y, sizeof a);
            else
                CU_ASSERT_NOT_EQUAL(memcmp(a, y, sizeof a), 0);
            lt_net_free(&net);
            test_specs_free(&specs);
        }
        lt_net net;
        test_specs specs = build_one(&net, yamls[k], N, WIDTH, 5);
        CU_ASSERT_EQUAL(memcmp(a, lt_net_forward(&net, x, N, 1, true), sizeof a), 0);
        lt_net_free(&net);
        test_specs_free(&specs);
    }
}

/* Any shape passes through unchanged, unknown dimensions included. */
static void test_shapes(void)
{
    test_specs specs = test_specs_bind("layers: [{gaussian_noise: {stddev: 0.1}}, "
                                       "{dropout: {rate: 0.1}}]");
    lt_nn_shape shapes[3], unknown = lt_nn_shape_unknown(), image = lt_nn_shape_2d(28, 28);
    size_t bad;
    CU_ASSERT_EQUAL(lt_net_infer(specs.layers.items, 2, &image, shapes, &bad, NULL), 0);
    CU_ASSERT(lt_nn_shape_equal(&shapes[2], &image));
    CU_ASSERT_EQUAL(lt_net_infer(specs.layers.items, 2, &unknown, shapes, &bad, NULL),
                    0);
    CU_ASSERT_EQUAL(shapes[2].rank, LT_NN_UNKNOWN);
    test_specs_free(&specs);
}

/* ---- the corrupt stage ---------------------------------------------------- */

/* train (float64, 40 x 36, labelled) and valid (float32, 30 x 36) of 6 x 6
 * images with values in [0, 1]. Owned. */
static lt_data *small_images(void)
{
    lt_data *d = lt_data_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    d->n_features = 36;
    d->image_rows = d->image_cols = 6;
    d->split[LT_TRAIN].x = lt_mat_new(40, 36);
    d->split[LT_VALID].x = lt_mat_new_f32(30, 36);
    d->split[LT_TRAIN].y = malloc(40 * sizeof(int));
    CU_ASSERT_FATAL(d->split[LT_TRAIN].x && d->split[LT_VALID].x && d->split[LT_TRAIN].y);
    for (size_t i = 0; i < 40 * 36; i++)
        d->split[LT_TRAIN].x->v[i] = (double)(i % 11) / 10.0;
    for (size_t i = 0; i < 30 * 36; i++)
        d->split[LT_VALID].x->f[i] = (float)(i % 13) / 12.0f;
    for (int i = 0; i < 40; i++)
        d->split[LT_TRAIN].y[i] = i % 3;
    d->n_classes = 3;
    return d;
}

/* The value at row-major index i of a split, whatever its storage. */
static double at(const lt_mat *m, size_t i)
{
    return m->f ? (double)m->f[i] : m->v[i];
}

/* Runs corrupt with the layer in YAML on D; returns the output (owned). */
static lt_data *corrupt(const char *yaml, const char *split, int64_t seed, lt_ctx *ctx,
                        const lt_data *d)
{
    test_specs specs = test_specs_bind(yaml);
    void *cfg = lt_test_config(&corrupt_stage);
    *(lt_specs *)((char *)cfg + lt_test_param(&corrupt_stage, "layer")->offset) = specs.layers;
    lt_test_set_choice(&corrupt_stage, cfg, "split", split);
    *(int64_t *)((char *)cfg + lt_test_param(&corrupt_stage, "seed")->offset) = seed;
    lt_data *out = NULL;
    const lt_data *inputs[1] = {d};
    CU_ASSERT_EQUAL(lt_test_call(&corrupt_stage, ctx, cfg, inputs, 1, &out), LT_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    free(cfg);
    test_specs_free(&specs);
    return out;
}

static void test_corrupt_stage(void)
{
    lt_data *d = small_images();
    lt_ctx *ctx = lt_ctx_new_test();
    lt_data *o = corrupt("layers: [{gaussian_noise: {stddev: 0.2}}]", "all", -1, ctx, d);
    /* Every split, the image shape and labels kept; the noise as asked. */
    CU_ASSERT_EQUAL(o->image_rows, 6);
    CU_ASSERT_EQUAL(lt_data_rows(o, LT_TRAIN), 40);
    CU_ASSERT_EQUAL(lt_data_rows(o, LT_VALID), 30);
    CU_ASSERT_EQUAL(o->split[LT_TRAIN].y[4], 1);
    for (int s = LT_TRAIN; s <= LT_VALID; s++) {
        char key[32];
        snprintf(key, sizeof key, "%s_rms_change", lt_split_name(s));
        double rms = lt_ctx_test_metric(ctx, key, 0), n = (double)(o->split[s].x->rows * 36);
        printf("\n    %s rms change %.4f", lt_split_name(s), rms);
        CU_ASSERT(fabs(rms - 0.2) < 5 * 0.2 / sqrt(2 * n));
    }
    lt_ctx_free_test(ctx);

    /* Only the valid split; the pipeline's seed (0 in a test context) when
     * unset, so seed 0 draws the same noise. */
    ctx = lt_ctx_new_test();
    lt_data *v = corrupt("layers: [{gaussian_noise: {stddev: 0.2}}]", "valid", 0, ctx, d);
    CU_ASSERT_PTR_NULL(v->split[LT_TRAIN].x);
    CU_ASSERT_PTR_NULL(v->split[LT_TEST].x);
    CU_ASSERT_EQUAL_FATAL(lt_data_rows(v, LT_VALID), 30);
    /* The stream is drawn split after split: valid alone starts where
     * train started. */
    CU_ASSERT_DOUBLE_EQUAL(at(v->split[LT_VALID].x, 0) - at(d->split[LT_VALID].x, 0),
                           at(o->split[LT_TRAIN].x, 0) - at(d->split[LT_TRAIN].x, 0), 1e-6);
    lt_data_free(&v);
    lt_ctx_free_test(ctx);

    /* Dropout: zeros and doubled values. */
    ctx = lt_ctx_new_test();
    lt_data *dr = corrupt("layers: [{dropout: {rate: 0.5}}]", "train", 3, ctx, d);
    size_t zeros = 0, n = 40 * 36;
    for (size_t i = 0; i < n; i++) {
        double x = at(d->split[LT_TRAIN].x, i), y = at(dr->split[LT_TRAIN].x, i);
        zeros += y == 0 && x != 0;
        CU_ASSERT(y == 0 || fabs(y - 2 * x) < 1e-6);
    }
    CU_ASSERT(fabs((double)zeros / (double)n - 0.5 * 10.0 / 11.0) < 5 * 0.5 / sqrt((double)n));
    lt_data_free(&dr);
    lt_data_free(&o);
    lt_ctx_free_test(ctx);
    lt_data_free(&d);
}

static void test_corrupt_absent_split(void)
{
    lt_data *d = small_images();
    test_specs specs = test_specs_bind("layers: [{dropout: {rate: 0.5}}]");
    void *cfg = lt_test_config(&corrupt_stage);
    *(lt_specs *)((char *)cfg + lt_test_param(&corrupt_stage, "layer")->offset) = specs.layers;
    lt_test_set_choice(&corrupt_stage, cfg, "split", "test");
    lt_ctx *ctx = lt_ctx_new_test();
    lt_data *out = NULL;
    const lt_data *inputs[1] = {d};
    CU_ASSERT_EQUAL(lt_test_call(&corrupt_stage, ctx, cfg, inputs, 1, &out), LT_EINPUT);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_STRING_EQUAL(lt_ctx_error(ctx), "stage 'test': split 'test' is absent from the input");
    lt_ctx_free_test(ctx);
    free(cfg);
    test_specs_free(&specs);
    lt_data_free(&d);
}

/* ---- the autoencoder applied to a second input ----------------------------- */

static void test_autoencoder_second_input(void)
{
    lt_data *d = small_images();
    lt_ctx *ctx = lt_ctx_new_test();
    lt_data *noisy = corrupt("layers: [{gaussian_noise: {stddev: 0.2}}]", "valid", 1, ctx, d);
    lt_ctx_free_test(ctx);

    test_specs enc = test_specs_bind("layers: [flatten, {dense: {units: 4, activation: selu}}]");
    test_specs dec = test_specs_bind("layers: [{dense: {units: 36, activation: sigmoid}}, "
                                     "{reshape: {shape: [6, 6]}}]");
    void *cfg = lt_test_config(&autoencoder_stage);
    *(lt_specs *)((char *)cfg + lt_test_param(&autoencoder_stage, "encoder")->offset) = enc.layers;
    *(lt_specs *)((char *)cfg + lt_test_param(&autoencoder_stage, "decoder")->offset) = dec.layers;
    lt_test_set_int(&autoencoder_stage, cfg, "epochs", 2);

    /* Trained on d (one input), then on d and applied to noisy (two): the
     * same training, so the same valid loss; the output holds the second
     * input's splits, and its rows differ from the clean rows' output. */
    lt_data *clean = NULL, *denoised = NULL;
    const lt_data *one[1] = {d}, *two[2] = {d, noisy};
    ctx = lt_ctx_new_test();
    CU_ASSERT_EQUAL_FATAL(lt_test_call_output(&autoencoder_stage, ctx, cfg, one, 1, 1, &clean), LT_OK);
    double val_loss = lt_ctx_test_metric(ctx, "val_loss", 0);
    lt_ctx_free_test(ctx);
    ctx = lt_ctx_new_test();
    CU_ASSERT_EQUAL_FATAL(lt_test_call_output(&autoencoder_stage, ctx, cfg, two, 2, 1, &denoised), LT_OK);
    CU_ASSERT_EQUAL(lt_ctx_test_metric(ctx, "val_loss", 0), val_loss);
    lt_ctx_free_test(ctx);
    CU_ASSERT_PTR_NULL(denoised->split[LT_TRAIN].x);
    CU_ASSERT_EQUAL_FATAL(lt_data_rows(denoised, LT_VALID), 30);
    CU_ASSERT_EQUAL(denoised->split[LT_VALID].x->cols, 36);
    CU_ASSERT_EQUAL(denoised->image_rows, 6);
    CU_ASSERT_NOT_EQUAL(memcmp(denoised->split[LT_VALID].x->f, clean->split[LT_VALID].x->f,
                               30 * 36 * sizeof(float)),
                        0);

    /* A second input of another shape is refused. */
    lt_data *other = lt_data_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(other);
    other->n_features = 5;
    other->split[LT_VALID].x = lt_mat_new(2, 5);
    const lt_data *mismatched[2] = {d, other};
    lt_data *out = NULL;
    ctx = lt_ctx_new_test();
    CU_ASSERT_EQUAL(lt_test_call(&autoencoder_stage, ctx, cfg, mismatched, 2, &out), LT_EINPUT);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_STRING_EQUAL(lt_ctx_error(ctx),
                           "stage 'test': the second input's rows have shape [5] but the "
                           "network is trained on rows of shape [6, 6]; it can only be applied "
                           "to data like its training data");
    lt_ctx_free_test(ctx);
    lt_data_free(&other);
    lt_data_free(&clean);
    lt_data_free(&denoised);
    free(cfg);
    test_specs_free(&enc);
    test_specs_free(&dec);
    lt_data_free(&noisy);
    lt_data_free(&d);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("noise layers", NULL, NULL);
    CU_add_test(s, "gradients with the noise held fixed", test_gradients);
    CU_add_test(s, "training's backward pass skips the input's noise",
                test_training_backward_skips_the_input_noise);
    CU_add_test(s, "dropout's gradient is its mask", test_dropout_gradient_is_the_mask);
    CU_add_test(s, "ziggurat values are standard normal", test_ziggurat_is_standard_normal);
    CU_add_test(s, "ziggurat fill: draw for draw as one at a time", test_ziggurat_draw_for_draw);
    CU_add_test(s, "gaussian_noise: identity at inference, N(0, stddev) in training",
                test_gaussian_noise_statistics);
    CU_add_test(s, "dropout: identity at inference, kept fraction and scale in training",
                test_dropout_statistics);
    CU_add_test(s, "noise follows the seed", test_noise_follows_the_seed);
    CU_add_test(s, "shapes pass through", test_shapes);
    CU_pSuite c = CU_add_suite("corrupt and the autoencoder's second input", NULL, NULL);
    CU_add_test(c, "corrupt: noise per split, metadata kept", test_corrupt_stage);
    CU_add_test(c, "corrupt: an absent split", test_corrupt_absent_split);
    CU_add_test(c, "autoencoder applied to a second input", test_autoencoder_second_input);
    return lt_test_run();
}
