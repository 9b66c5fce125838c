/* The recurrent layers (lstm, gru, repeat_vector, time_distributed):
 * finite-difference gradient checks, outputs and gradients against PyTorch
 * with Keras's weight layout (tests/reference/make_rnn.py), Keras's
 * initialisers, the fast sigmoid and tanh, and the shape rules.
 *
 * The gradient checks follow test_nn_grad.c: float32 layers, central
 * differences with a step of 1e-2 on an objective summed in double,
 * |analytic - numeric| <= 2e-3 + 1e-2 * max(|analytic|, |numeric|). Through
 * several time steps a wrong sign or a gate read at the wrong step is off
 * by far more than that. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "math/rng.h"
#include "nn/fastact.h"
#include "nn/loss.h"
#include "nn/net.h"
#include "nn/orthogonal.h"
#include "testnn.h"
#include "testutil.h"

const char *lt_test_root = ".";
static lt_json *ref;

/* ---- finite differences ---------------------------------------------------- */

#define BATCH 3

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

/* Checks dL/dw and dL/dx of the network in YAML for inputs of shape IN;
 * returns the number of mismatches (the first few printed). */
static int check_network(const char *yaml, lt_nn_shape in)
{
    const float step = 1e-2f;
    struct probe p = {.specs = test_specs_bind(yaml)};
    size_t bad = 0;
    int rc = lt_net_build(&p.net, p.specs.layers.items, p.specs.layers.n, &in, BATCH, 11, &bad, NULL);
    CU_ASSERT_EQUAL_FATAL(rc, LT_NET_OK);
    p.out_size = p.net.layers[p.net.n_layers - 1].out_size;
    size_t nx = BATCH * p.net.in_size, ny = BATCH * p.out_size, nw = p.net.n_weights;
    p.x = malloc(nx * sizeof *p.x);
    p.r = malloc(ny * sizeof *p.r);
    p.dx = malloc(nx * sizeof *p.dx);
    float *g = malloc((nw ? nw : 1) * sizeof *g);
    CU_ASSERT_FATAL(p.x && p.r && p.dx && g);
    lt_rng rng;
    lt_rng_seed(&rng, 5);
    for (size_t i = 0; i < nx; i++)
        p.x[i] = (float)lt_rng_gauss(&rng);
    for (size_t i = 0; i < ny; i++)
        p.r[i] = (float)lt_rng_gauss(&rng);
    for (size_t i = 0; i < nw; i++)
        p.net.w[i] += (float)(0.1 * lt_rng_gauss(&rng));

    objective(&p);
    memcpy(lt_net_output_grad(&p.net), p.r, ny * sizeof *p.r);
    lt_net_backward(&p.net, BATCH, p.dx);
    memcpy(g, p.net.g, nw * sizeof *g);

    int mismatches = 0;
    double worst = 0;
    for (size_t j = 0; j < nw + nx; j++) {
        float *v = j < nw ? &p.net.w[j] : &p.x[j - nw];
        double analytic = j < nw ? g[j] : p.dx[j - nw];
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
            printf("\n    %s: %s %zu analytic %.6g numeric %.6g", yaml, j < nw ? "weight" : "input",
                   j < nw ? j : j - nw, analytic, numeric);
    }
    printf("\n    %-74.74s max|diff| %.2g", yaml, worst);
    free(g);
    free(p.x);
    free(p.r);
    free(p.dx);
    lt_net_free(&p.net);
    test_specs_free(&p.specs);
    return mismatches;
}

#define GRADIENTS_AGREE(yaml, in) CU_ASSERT_EQUAL(check_network(yaml, in), 0)

static void test_lstm_gradients(void)
{
    lt_nn_shape seq = lt_nn_shape_2d(4, 3);
    GRADIENTS_AGREE("layers: [{lstm: {units: 5, return_sequences: true}}]", seq);
    GRADIENTS_AGREE("layers: [{lstm: {units: 5}}]", seq);
    GRADIENTS_AGREE("layers: [{lstm: {units: 4, use_bias: false}}]", seq);
    /* Other squashings go through the generic activation code; softmax
     * acts on each gate's units. */
    GRADIENTS_AGREE("layers: [{lstm: {units: 4, return_sequences: true, activation: "
                                  "sigmoid, recurrent_activation: tanh}}]", seq);
    GRADIENTS_AGREE("layers: [{lstm: {units: 3, activation: softmax, "
                                  "recurrent_activation: softmax}}]", seq);
    /* One step: no recurrence at all. */
    GRADIENTS_AGREE("layers: [{lstm: {units: 3}}]", lt_nn_shape_2d(1, 2));
}

static void test_gru_gradients(void)
{
    lt_nn_shape seq = lt_nn_shape_2d(4, 3);
    GRADIENTS_AGREE("layers: [{gru: {units: 5, return_sequences: true}}]", seq);
    GRADIENTS_AGREE("layers: [{gru: {units: 5}}]", seq);
    GRADIENTS_AGREE("layers: [{gru: {units: 4, use_bias: false}}]", seq);
    GRADIENTS_AGREE("layers: [{gru: {units: 4, return_sequences: true, activation: "
                                  "sigmoid, recurrent_activation: tanh}}]", seq);
}

static void test_wrapper_gradients(void)
{
    GRADIENTS_AGREE("layers: [{repeat_vector: {n: 4}}]", lt_nn_shape_1d(3));
    GRADIENTS_AGREE("layers: [{time_distributed: {layer: {dense: {units: 3, "
                                  "activation: sigmoid}}}}]", lt_nn_shape_2d(4, 5));
    lt_nn_shape rank3 = {.rank = 3, .dim = {2, 3, 4}};
    GRADIENTS_AGREE("layers: [{time_distributed: {layer: {dense: {units: 2, "
                                  "activation: tanh}}}}]", rank3);
    /* The lecture's recurrent autoencoder, narrowed; gradients cross the
     * repeat and three recurrent layers. */
    GRADIENTS_AGREE("layers: [{lstm: {units: 6, return_sequences: true}}, "
                                  "{lstm: {units: 3}}, {repeat_vector: {n: 4}}, "
                                  "{gru: {units: 6, return_sequences: true}}, "
                                  "{time_distributed: {layer: {dense: {units: 5, activation: "
                                  "sigmoid}}}}]", lt_nn_shape_2d(4, 5));
}

/* ---- against PyTorch --------------------------------------------------------- */

/* An owned float copy of a JSON array of numbers. */
static float *floats(const lt_json *a, size_t *n)
{
    *n = lt_json_size(a);
    float *f = malloc((*n ? *n : 1) * sizeof *f);
    if (!f)
        exit(1);
    for (size_t i = 0; i < *n; i++)
        f[i] = (float)lt_json_number(lt_json_value_at(a, i));
    return f;
}

static double maxdiff_f(const float *a, size_t n, const lt_json *want)
{
    if (lt_json_size(want) != n)
        return INFINITY;
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs((double)a[i] - lt_json_number(lt_json_value_at(want, i))));
    return m;
}

static int ref_int(const lt_json *o, const char *key)
{
    return (int)lt_json_number(lt_json_get(o, key));
}

static bool ref_bool(const lt_json *o, const char *key)
{
    return lt_json_number(lt_json_get(o, key)) != 0;
}

static void test_layers_against_torch(void)
{
    const lt_json *cases = lt_json_get(ref, "layers");
    CU_ASSERT_FATAL(lt_json_size(cases) == 4);
    for (size_t k = 0; k < lt_json_size(cases); k++) {
        const lt_json *c = lt_json_value_at(cases, k);
        const char *kind = lt_json_string(lt_json_get(c, "kind"));
        int n = ref_int(c, "n"), steps = ref_int(c, "steps"), features = ref_int(c, "features");
        char yaml[256], label[300];
        snprintf(yaml, sizeof yaml,
                 "layers: [{%s: {units: %d, return_sequences: %s, use_bias: %s}}]", kind,
                 ref_int(c, "units"), ref_bool(c, "return_sequences") ? "true" : "false",
                 ref_bool(c, "use_bias") ? "true" : "false");
        test_specs specs = test_specs_bind(yaml);
        lt_net net;
        size_t bad, nx, nw, nr;
        lt_nn_shape in = lt_nn_shape_2d(steps, features);
        CU_ASSERT_EQUAL_FATAL(lt_net_build(&net, specs.layers.items, 1, &in, (size_t)n, 1, &bad, NULL), LT_NET_OK);
        float *x = floats(lt_json_get(c, "x"), &nx), *w = floats(lt_json_get(c, "weights"), &nw);
        float *r = floats(lt_json_get(c, "r"), &nr), *dx = malloc(nx * sizeof *dx);
        CU_ASSERT_FATAL(dx && nw == net.n_weights && nx == (size_t)n * net.in_size);
        memcpy(net.w, w, nw * sizeof *w);
        const float *y = lt_net_forward(&net, x, (size_t)n, 1, true);
        snprintf(label, sizeof label, "%s vs torch: output", yaml + 10);
        NEAR(label, maxdiff_f(y, nr, lt_json_get(c, "y")), 2e-6);
        memcpy(lt_net_output_grad(&net), r, nr * sizeof *r);
        lt_net_backward(&net, (size_t)n, dx);
        NEAR("  gradient of every weight", maxdiff_f(net.g, nw, lt_json_get(c, "grad_weights")),
             2e-6);
        NEAR("  gradient of the input", maxdiff_f(dx, nx, lt_json_get(c, "grad_x")), 2e-6);
        free(x);
        free(w);
        free(r);
        free(dx);
        lt_net_free(&net);
        test_specs_free(&specs);
    }
}

static void test_chain_against_torch(void)
{
    const lt_json *c = lt_json_get(ref, "chain");
    test_specs specs = test_specs_bind(
        "layers: [{lstm: {units: 6, return_sequences: true}}, {lstm: {units: 3}}, "
        "{repeat_vector: {n: 4}}, {lstm: {units: 6, return_sequences: true}}, "
        "{time_distributed: {layer: {dense: {units: 5, activation: sigmoid}}}}]");
    lt_net net;
    size_t bad, nx, nw;
    lt_nn_shape in = lt_nn_shape_2d(4, 5);
    CU_ASSERT_EQUAL_FATAL(lt_net_build(&net, specs.layers.items, specs.layers.n, &in, 3, 1, &bad, NULL), LT_NET_OK);
    float *x = floats(lt_json_get(c, "x"), &nx), *w = floats(lt_json_get(c, "weights"), &nw);
    CU_ASSERT_FATAL(nw == net.n_weights && nx == 3 * net.in_size);
    memcpy(net.w, w, nw * sizeof *w);
    const float *y = lt_net_forward(&net, x, 3, net.n_layers, true);
    NEAR("recurrent autoencoder (narrowed) vs torch: output", maxdiff_f(y, nx, lt_json_get(c, "y")),
         2e-6);
    double loss = lt_loss_sum(LT_LOSS_BINARY_CROSSENTROPY, y, x, nx, 1.0f / (float)nx,
                              lt_net_output_grad(&net)) / (double)nx;
    NEAR("  binary cross-entropy", fabs(loss - lt_json_number(lt_json_get(c, "loss"))), 1e-6);
    lt_net_backward(&net, 3, NULL);
    NEAR("  its gradient of every weight", maxdiff_f(net.g, nw, lt_json_get(c, "grad_weights")),
         1e-6);
    free(x);
    free(w);
    lt_net_free(&net);
    test_specs_free(&specs);
}

/* ---- initialisers ------------------------------------------------------------ */

static void test_orthogonal_as_keras(void)
{
    const lt_json *cases = lt_json_get(ref, "orthogonal");
    CU_ASSERT_FATAL(lt_json_size(cases) == 3);
    for (size_t k = 0; k < lt_json_size(cases); k++) {
        const lt_json *c = lt_json_value_at(cases, k);
        size_t rows = (size_t)ref_int(c, "rows"), cols = (size_t)ref_int(c, "cols");
        float *w = malloc(rows * cols * sizeof *w);
        CU_ASSERT_FATAL(w != NULL);
        lt_rng rng;
        lt_rng_seed(&rng, (uint32_t)ref_int(c, "seed"));
        lt_init_orthogonal(w, rows, cols, &rng);
        char label[96];
        snprintf(label, sizeof label, "orthogonal [%zu, %zu] vs numpy's QR of the same normals",
                 rows, cols);
        NEAR(label, maxdiff_f(w, rows * cols, lt_json_get(c, "w")), 1e-6);
        free(w);
    }
}

/* The LSTM's weights as Keras starts them: kernel within Glorot's limit,
 * orthonormal rows in the recurrent kernel, the forget gate's bias 1. */
static void test_lstm_initial_weights(void)
{
    test_specs specs =
        test_specs_bind("layers: [{lstm: {units: 8, return_sequences: true}}, {gru: {units: 8}}]");
    lt_net net;
    size_t bad;
    lt_nn_shape in = lt_nn_shape_2d(5, 12);
    CU_ASSERT_EQUAL_FATAL(lt_net_build(&net, specs.layers.items, 2, &in, 2, 3, &bad, NULL), LT_NET_OK);
    const size_t u = 8;
    for (int layer = 0; layer < 2; layer++) {
        const lt_layer *l = &net.layers[layer];
        size_t f = layer == 0 ? 12 : 8, g = (layer == 0 ? 4 : 3) * u;
        CU_ASSERT_EQUAL(l->n_weights, (f + u) * g + (layer == 0 ? g : 2 * g));
        double limit = sqrt(6.0 / (double)(f + g)), top = 0, off = 0;
        for (size_t i = 0; i < f * g; i++)
            top = fmax(top, fabs(l->w[i]));
        CU_ASSERT(top <= limit && top > 0.9 * limit);
        const float *rk = l->w + f * g;
        for (size_t a = 0; a < u; a++)
            for (size_t b = 0; b < u; b++) {
                double dot = 0;
                for (size_t j = 0; j < g; j++)
                    dot += (double)rk[a * g + j] * rk[b * g + j];
                off = fmax(off, fabs(dot - (a == b)));
            }
        NEAR(layer == 0 ? "lstm: |R R^T - I|" : "gru: |R R^T - I|", off, 1e-6);
        const float *bias = rk + u * g;
        size_t n_bias = l->n_weights - (f + u) * g;
        for (size_t j = 0; j < n_bias; j++)
            CU_ASSERT_EQUAL(bias[j], layer == 0 && j >= u && j < 2 * u ? 1.0f : 0.0f);
    }
    lt_net_free(&net);
    test_specs_free(&specs);
}

/* ---- the fast squashings ------------------------------------------------------ */

static void test_fast_activations(void)
{
    enum { N = 200001 };
    float *s = malloc(N * sizeof *s), *t = malloc(N * sizeof *t);
    CU_ASSERT_FATAL(s && t);
    for (size_t i = 0; i < N; i++)
        s[i] = t[i] = (float)(-40.0 + 80.0 * (double)i / (N - 1));
    lt_fast_sigmoid(s, N);
    lt_fast_tanh(t, N);
    double worst_s = 0, worst_t = 0;
    for (size_t i = 0; i < N; i++) {
        double x = (double)(float)(-40.0 + 80.0 * (double)i / (N - 1));
        double es = 1.0 / (1.0 + exp(-x)), et = tanh(x);
        worst_s = fmax(worst_s, fabs(s[i] - es) / es);
        if (et != 0)
            worst_t = fmax(worst_t, fabs(t[i] - et) / fabs(et));
    }
    /* 3 ulp of float32 is 1.8e-7 relative. */
    NEAR("fast sigmoid on [-40, 40]: relative error", worst_s, 1.8e-7);
    NEAR("fast tanh on [-40, 40]: relative error", worst_t, 1.8e-7);
    float tiny[4] = {1e-30f, -1e-8f, 3e-4f, -0.6f};
    lt_fast_tanh(tiny, 4);
    CU_ASSERT(tiny[0] == 1e-30f && tiny[1] == -1e-8f);
    CU_ASSERT(fabs(tiny[2] - tanh(3e-4)) <= 1e-7 * 3e-4 && fabs(tiny[3] - tanh(-0.6)) < 1e-7);
    float ends[3] = {NAN, INFINITY, -INFINITY}, tends[3] = {NAN, INFINITY, -INFINITY};
    lt_fast_sigmoid(ends, 3);
    lt_fast_tanh(tends, 3);
    CU_ASSERT(isnan(ends[0]) && ends[1] == 1.0f && ends[2] >= 0.0f && ends[2] < 1e-37f);
    CU_ASSERT(isnan(tends[0]) && tends[1] == 1.0f && tends[2] == -1.0f);
    free(s);
    free(t);
}

/* ---- shapes ------------------------------------------------------------------ */

/* The output shape text of YAML's last layer for input IN, or the error. */
static void infer_text(const char *yaml, lt_nn_shape in, char *buf, size_t size)
{
    test_specs specs = test_specs_bind(yaml);
    lt_nn_shape shapes[8];
    size_t bad = 0;
    lt_diag d = {.limit = 1};
    if (lt_net_infer(specs.layers.items, specs.layers.n, &in, shapes, &bad, &d) != 0)
        snprintf(buf, size, "layer %zu: %s", bad, d.n == 1 ? d.items[0].message : "not one problem recorded");
    else
        lt_nn_shape_text(&shapes[specs.layers.n], buf, size);
    lt_diag_clear(&d);
    test_specs_free(&specs);
}

#define SHAPE(yaml, in, want)                                                   \
    do {                                                                        \
        char got_[600];                                                         \
        infer_text(yaml, in, got_, sizeof got_);                                \
        if (strcmp(got_, want) != 0)                                            \
            printf("\n    %s: got \"%s\", want \"%s\"", yaml, got_, want);      \
        CU_ASSERT_STRING_EQUAL(got_, want);                                     \
    } while (0)

static void test_shapes(void)
{
    lt_nn_shape image = lt_nn_shape_2d(28, 28), unknown = lt_nn_shape_unknown();
    const char *lecture =
        "layers: [{lstm: {units: 100, return_sequences: true}}, {lstm: {units: 30}}, "
        "{repeat_vector: {n: 28}}, {gru: {units: 100, return_sequences: true}}, "
        "{time_distributed: {layer: {dense: {units: 28, activation: sigmoid}}}}]";
    SHAPE(lecture, image, "[28, 28]");
    SHAPE(lecture, unknown, "[28, 28]");
    SHAPE("layers: [{lstm: {units: 30}}, {repeat_vector: {n: 5}}]", image, "[5, 30]");
    SHAPE("layers: [{lstm: {units: 7, return_sequences: true}}]", unknown, "[?, 7]");
    SHAPE("layers: [{repeat_vector: {n: 3}}]", unknown, "[3, ?]");
    SHAPE("layers: [{time_distributed: {layer: {dense: {units: 2}}}}]", unknown, "[?]");
    lt_nn_shape rank3 = {.rank = 3, .dim = {2, 3, 4}};
    SHAPE("layers: [{time_distributed: {layer: {dense: {units: 2}}}}]", rank3, "[2, 3, 2]");
    SHAPE("layers: [flatten, {lstm: {units: 30}}]", image,
          "layer 1: input [784] is not a sequence [timesteps, features] (an image [28, 28] "
          "is 28 steps of 28 values)");
    SHAPE("layers: [{gru: {units: 4}}]", rank3,
          "layer 0: input [2, 3, 4] is not a sequence [timesteps, features] (an image [28, "
          "28] is 28 steps of 28 values)");
    SHAPE("layers: [{repeat_vector: {n: 28}}]", image,
          "layer 0: input [28, 28] is not a vector [features]");
    SHAPE("layers: [{lstm: {units: 30}}, {time_distributed: {layer: {dense: {units: 28}}}}]",
          image, "layer 1: input [30] is not a sequence [timesteps, ...]");
}

/* time_distributed(dense) is dense on each row: same weights, same output. */
static void test_time_distributed_is_dense_per_step(void)
{
    test_specs a = test_specs_bind("layers: [{time_distributed: {layer: {dense: {units: 3, "
                                   "activation: tanh}}}}]");
    test_specs b = test_specs_bind("layers: [{dense: {units: 3, activation: tanh}}]");
    lt_net na, nb;
    size_t bad;
    lt_nn_shape in = lt_nn_shape_2d(6, 4);
    CU_ASSERT_EQUAL_FATAL(lt_net_build(&na, a.layers.items, 1, &in, 2, 7, &bad, NULL),
                          LT_NET_OK);
    CU_ASSERT_EQUAL_FATAL(lt_net_build(&nb, b.layers.items, 1, &in, 2, 7, &bad, NULL),
                          LT_NET_OK);
    CU_ASSERT_EQUAL(na.n_weights, nb.n_weights);
    CU_ASSERT(memcmp(na.w, nb.w, na.n_weights * sizeof *na.w) == 0);
    float x[48];
    for (int i = 0; i < 48; i++)
        x[i] = (float)sin(i);
    const float *ya = lt_net_forward(&na, x, 2, 1, false);
    const float *yb = lt_net_forward(&nb, x, 2, 1, false);
    CU_ASSERT(memcmp(ya, yb, 36 * sizeof *ya) == 0);
    lt_net_free(&na);
    lt_net_free(&nb);
    test_specs_free(&a);
    test_specs_free(&b);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    ref = lt_test_reference("rnn.json");
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("recurrent layers", NULL, NULL);
    CU_add_test(s, "lstm: finite differences", test_lstm_gradients);
    CU_add_test(s, "gru: finite differences", test_gru_gradients);
    CU_add_test(s, "repeat_vector, time_distributed, a chain: finite differences",
                test_wrapper_gradients);
    CU_add_test(s, "lstm and gru against PyTorch", test_layers_against_torch);
    CU_add_test(s, "a recurrent autoencoder against PyTorch", test_chain_against_torch);
    CU_add_test(s, "orthogonal initialiser as Keras's", test_orthogonal_as_keras);
    CU_add_test(s, "Keras's initial weights", test_lstm_initial_weights);
    CU_add_test(s, "fast sigmoid and tanh", test_fast_activations);
    CU_add_test(s, "shape rules and their errors", test_shapes);
    CU_add_test(s, "time_distributed(dense) is dense per step",
                test_time_distributed_is_dense_per_step);
    int rc = lt_test_run();
    lt_json_free(ref);
    return rc;
}
