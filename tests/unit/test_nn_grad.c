/* Finite-difference gradient checks of every layer kind, activation and
 * loss of the network engine.
 *
 * The engine computes in float32, so the checks use central differences
 * with a step of 1e-2 (1e-3 for activations with a kink, where a wider
 * step could cross it) on an objective summed in double, and accept
 * |analytic - numeric| <= 2e-3 + 1e-2 * max(|analytic|, |numeric|). A wrong
 * factor, sign or transposition is off by far more than that.
 *
 * Deep in a network a step can move some unit across a kink (relu's or
 * selu's at 0), where no difference quotient approximates the derivative.
 * The check notices such a coordinate by its one-sided quotients
 * disagreeing, skips it, and fails if more than 3% are skipped. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "math/rng.h"
#include "nn/activation.h"
#include "nn/loss.h"
#include "nn/net.h"
#include "testnn.h"
#include "testutil.h"

const char *lt_test_root = ".";

#define BATCH 5

struct probe {
    lt_net net;
    test_specs specs;
    float *x, *r, *dx; /* inputs, the objective's weights on the outputs, dL/dx */
    size_t out_size;
};

/* The objective: sum_i r_i y_i over the batch's outputs, in double. */
static double objective(struct probe *p)
{
    const float *y = lt_net_forward(&p->net, p->x, BATCH, p->net.n_layers, true);
    double s = 0;
    for (size_t i = 0; i < BATCH * p->out_size; i++)
        s += (double)p->r[i] * (double)y[i];
    return s;
}

static bool close_enough(double analytic, double numeric)
{
    double scale = fmax(fabs(analytic), fabs(numeric));
    return fabs(analytic - numeric) <= 2e-3 + 1e-2 * scale;
}

/* Checks dL/dw and dL/dx of the network in YAML for inputs of shape IN.
 * Returns the number of mismatches (printed). */
static int check_network(const char *yaml, lt_nn_shape in, float step, double x_scale)
{
    struct probe p = {.specs = test_specs_bind(yaml)};
    size_t bad = 0;
    int rc = lt_net_build(&p.net, p.specs.layers.items, p.specs.layers.n, &in, BATCH, 11, &bad, NULL);
    CU_ASSERT_EQUAL_FATAL(rc, LT_NET_OK);
    p.out_size = p.net.layers[p.net.n_layers - 1].out_size;
    size_t nx = BATCH * p.net.in_size, ny = BATCH * p.out_size;
    p.x = malloc(nx * sizeof *p.x);
    p.r = malloc(ny * sizeof *p.r);
    p.dx = malloc(nx * sizeof *p.dx);
    CU_ASSERT_FATAL(p.x && p.r && p.dx);
    lt_rng rng;
    lt_rng_seed(&rng, 5);
    for (size_t i = 0; i < nx; i++)
        p.x[i] = (float)(x_scale * lt_rng_gauss(&rng));
    for (size_t i = 0; i < ny; i++)
        p.r[i] = (float)lt_rng_gauss(&rng);
    /* Non-zero biases, so a bias that is ignored shows. */
    for (size_t i = 0; i < p.net.n_weights; i++)
        p.net.w[i] += (float)(0.1 * lt_rng_gauss(&rng));

    objective(&p);
    memcpy(lt_net_output_grad(&p.net), p.r, ny * sizeof *p.r);
    lt_net_backward(&p.net, BATCH, p.dx);
    float *g = malloc((p.net.n_weights ? p.net.n_weights : 1) * sizeof *g);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    memcpy(g, p.net.g, p.net.n_weights * sizeof *g);

    int mismatches = 0;
    size_t kinks = 0, total = p.net.n_weights + nx;
    double worst = 0, here = objective(&p);
    for (size_t j = 0; j < total; j++) {
        float *v = j < p.net.n_weights ? &p.net.w[j] : &p.x[j - p.net.n_weights];
        double analytic = j < p.net.n_weights ? g[j] : p.dx[j - p.net.n_weights];
        float keep = *v;
        *v = keep + step;
        double up = objective(&p);
        *v = keep - step;
        double down = objective(&p);
        *v = keep;
        double numeric = (up - down) / (2.0 * (double)step);
        double ahead = (up - here) / step, behind = (here - down) / step;
        if (fabs(ahead - behind) > 2e-3 + 0.05 * fmax(fabs(ahead), fabs(behind))) {
            kinks++;
            continue;
        }
        worst = fmax(worst, fabs(analytic - numeric));
        if (!close_enough(analytic, numeric) && mismatches++ < 5)
            printf("\n    %s: %s %zu analytic %.6g numeric %.6g", yaml,
                   j < p.net.n_weights ? "weight" : "input",
                   j < p.net.n_weights ? j : j - p.net.n_weights, analytic, numeric);
    }
    printf("\n    %-70.70s max|diff| %.2g (%zu kinks skipped)", yaml, worst, kinks);
    if (kinks * 100 > 3 * total)
        mismatches++;
    free(g);
    free(p.x);
    free(p.r);
    free(p.dx);
    lt_net_free(&p.net);
    test_specs_free(&p.specs);
    return mismatches;
}

static void test_dense_activations(void)
{
    for (int a = 0; lt_act_names[a]; a++) {
        char yaml[256];
        bool kinked = a == LT_ACT_RELU || a == LT_ACT_LEAKY_RELU || a == LT_ACT_ELU ||
                      a == LT_ACT_SELU;
        snprintf(yaml, sizeof yaml, "layers: [{dense: {units: 3, activation: %s}}]",
                 lt_act_names[a]);
        CU_ASSERT_EQUAL(check_network(yaml, lt_nn_shape_1d(4), kinked ? 1e-3f : 1e-2f, 1.0), 0);
    }
}

static void test_dense_variants(void)
{
    CU_ASSERT_EQUAL(check_network("layers: [{dense: {units: 2, use_bias: false, activation: tanh}}]",
                                  lt_nn_shape_1d(5), 1e-2f, 1.0), 0);
    /* On a [3, 4] input a dense layer acts on each of the 3 rows. */
    CU_ASSERT_EQUAL(check_network("layers: [{dense: {units: 2, activation: sigmoid}}]",
                                  lt_nn_shape_2d(3, 4), 1e-2f, 1.0), 0);
}

static void test_views_in_a_chain(void)
{
    /* flatten and reshape pass gradients through unchanged; the chain also
     * checks that the alternating gradient buffers line up. */
    CU_ASSERT_EQUAL(check_network("layers: [flatten, {dense: {units: 6, activation: selu}}, "
                                  "{reshape: {shape: [3, 2]}}, {dense: {units: 4, activation: tanh}}, "
                                  "flatten, {dense: {units: 5, activation: softmax}}]",
                                  lt_nn_shape_2d(2, 3), 1e-3f, 1.0), 0);
    CU_ASSERT_EQUAL(check_network("layers: [flatten, {reshape: {shape: [-1, 2]}}]",
                                  lt_nn_shape_2d(2, 3), 1e-2f, 1.0), 0);
}

static void test_stacked_shape(void)
{
    /* The lecture's stacked autoencoder, narrowed: selu, sigmoid output. */
    CU_ASSERT_EQUAL(check_network("layers: [flatten, {dense: {units: 7, activation: selu}}, "
                                  "{dense: {units: 3, activation: selu}}, "
                                  "{dense: {units: 7, activation: selu}}, "
                                  "{dense: {units: 12, activation: sigmoid}}, "
                                  "{reshape: {shape: [3, 4]}}]",
                                  lt_nn_shape_2d(3, 4), 1e-3f, 0.5), 0);
}

/* d(mean loss)/dy against central differences of the loss in double. */
static void check_loss(lt_loss loss)
{
    enum { N = 12 };
    float y[N], t[N], grad[N];
    lt_rng rng;
    lt_rng_seed(&rng, 9);
    for (int i = 0; i < N; i++) {
        y[i] = (float)(0.05 + 0.9 * lt_rng_uniform(&rng));
        t[i] = (float)lt_rng_uniform(&rng);
    }
    lt_loss_sum(loss, y, t, N, 1.0f / N, grad);
    double worst = 0;
    for (int i = 0; i < N; i++) {
        const float step = 1e-3f;
        float keep = y[i];
        y[i] = keep + step;
        double up = lt_loss_sum(loss, y, t, N, 0, NULL) / N;
        y[i] = keep - step;
        double down = lt_loss_sum(loss, y, t, N, 0, NULL) / N;
        y[i] = keep;
        double numeric = (up - down) / (2.0 * (double)step);
        worst = fmax(worst, fabs(grad[i] - numeric));
        CU_ASSERT(fabs(grad[i] - numeric) <= 1e-4 + 1e-3 * fabs(numeric));
    }
    printf("\n    loss %-20s max|diff| %.2g", lt_loss_names[loss], worst);
}

static void test_losses(void)
{
    check_loss(LT_LOSS_MSE);
    check_loss(LT_LOSS_BINARY_CROSSENTROPY);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("nn gradients", NULL, NULL);
    CU_add_test(s, "dense with every activation", test_dense_activations);
    CU_add_test(s, "dense without bias, on a 2-d input", test_dense_variants);
    CU_add_test(s, "flatten and reshape in a chain", test_views_in_a_chain);
    CU_add_test(s, "a small stacked autoencoder", test_stacked_shape);
    CU_add_test(s, "losses", test_losses);
    return lt_test_run();
}
