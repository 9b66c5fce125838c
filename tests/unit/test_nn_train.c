/* The network engine against PyTorch (tests/reference/make_nn.py): optimiser
 * steps, the losses, and a small stacked autoencoder trained from the same
 * initial weights; plus shape rules, initialisers and metrics. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nn/eval.h"
#include "nn/init.h"
#include "nn/loss.h"
#include "nn/metric.h"
#include "nn/net.h"
#include "nn/optim.h"
#include "nn/parallel.h"
#include "nn/shares.h"
#include "nn/train.h"
#include "testnn.h"
#include "testutil.h"

const char *lt_test_root = ".";
static lt_json *ref;

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

static double maxdiff_f(const float *a, const lt_json *want)
{
    size_t n = lt_json_size(want);
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs((double)a[i] - lt_json_number(lt_json_value_at(want, i))));
    return m;
}

/* "{sgd: {learning_rate: 0.1, momentum: 0.9}}" from a reference case. */
static void optimizer_yaml(const lt_json *c, char *buf, size_t size)
{
    const lt_json *params = lt_json_get(c, "params");
    size_t k = (size_t)snprintf(buf, size, "optimizer: {%s: {", lt_json_string(lt_json_get(c, "kind")));
    for (size_t i = 0; i < lt_json_size(params); i++) {
        const lt_json *v = lt_json_value_at(params, i);
        const char *key = lt_json_key_at(params, i);
        if (strcmp(key, "nesterov") == 0) /* the one boolean */
            k += (size_t)snprintf(buf + k, size - k, "%s%s: %s", i ? ", " : "", key,
                                  lt_json_number(v) != 0 ? "true" : "false");
        else
            k += (size_t)snprintf(buf + k, size - k, "%s%s: %.17g", i ? ", " : "", key,
                                  lt_json_number(v));
    }
    snprintf(buf + k, size - k, "}}");
}

static void test_optimizers(void)
{
    const lt_json *o = lt_json_get(ref, "optimizers"), *grads = lt_json_get(o, "grads");
    const lt_json *cases = lt_json_get(o, "cases");
    for (size_t c = 0; c < lt_json_size(cases); c++) {
        const lt_json *cs = lt_json_value_at(cases, c);
        char yaml[256];
        optimizer_yaml(cs, yaml, sizeof yaml);
        test_specs specs = test_specs_bind(yaml);
        size_t n, ng;
        float *w = floats(lt_json_get(o, "w0"), &n);
        lt_optim opt;
        CU_ASSERT_EQUAL_FATAL(lt_optim_init(&opt, &specs.optimizer.items[0], n), 0);
        double worst = 0;
        const lt_json *steps = lt_json_get(cs, "steps");
        for (size_t t = 0; t < lt_json_size(steps); t++) {
            float *g = floats(lt_json_value_at(grads, t), &ng);
            lt_optim_step(&opt, w, g);
            worst = fmax(worst, maxdiff_f(w, lt_json_value_at(steps, t)));
            free(g);
        }
        NEAR(yaml + strlen("optimizer: "), worst, 2e-6);
        lt_optim_free(&opt);
        free(w);
        test_specs_free(&specs);
    }
}

static void test_losses(void)
{
    const lt_json *l = lt_json_get(ref, "losses");
    size_t n, nt;
    float *y = floats(lt_json_get(l, "y"), &n), *t = floats(lt_json_get(l, "t"), &nt);
    float *grad = malloc(n * sizeof *grad);
    CU_ASSERT_FATAL(grad != NULL && n == nt);
    double bce = lt_loss_sum(LT_LOSS_BINARY_CROSSENTROPY, y, t, n, 1.0f / (float)n, grad) / (double)n;
    NEAR("binary_crossentropy (Keras's clipping) vs torch", fabs(bce - lt_json_number(lt_json_get(l, "bce"))), 1e-6);
    NEAR("its gradient, clipped ends included", maxdiff_f(grad, lt_json_get(l, "bce_grad")), 1e-6);
    double mse = lt_loss_sum(LT_LOSS_MSE, y, t, n, 0, NULL) / (double)n;
    NEAR("mse", fabs(mse - lt_json_number(lt_json_get(l, "mse"))), 1e-7);
    free(y);
    free(t);
    free(grad);
}

static void test_stacked_trajectory(void)
{
    const lt_json *st = lt_json_get(ref, "stacked");
    test_specs specs = test_specs_bind(
        "layers: [{dense: {units: 5, activation: selu}}, {dense: {units: 3, activation: selu}},"
        " {dense: {units: 5, activation: selu}}, {dense: {units: 12, activation: sigmoid}}]\n"
        "optimizer: {sgd: {learning_rate: 0.5}}\nmetrics: [rounded_accuracy]\n");
    lt_net net;
    size_t bad, n, nw;
    lt_nn_shape in = lt_nn_shape_1d(12);
    CU_ASSERT_EQUAL_FATAL(lt_net_build(&net, specs.layers.items, specs.layers.n, &in, 8, 0, &bad, NULL),
                          LT_NET_OK);
    float *x = floats(lt_json_get(st, "x"), &n), *w0 = floats(lt_json_get(st, "initial"), &nw);
    CU_ASSERT_EQUAL_FATAL(nw, net.n_weights);
    memcpy(net.w, w0, nw * sizeof *w0);
    lt_optim opt;
    CU_ASSERT_EQUAL_FATAL(lt_optim_init(&opt, &specs.optimizer.items[0], net.n_weights), 0);
    lt_train_config tc = {.epochs = 3, .shuffle = false, .loss = LT_LOSS_BINARY_CROSSENTROPY,
                          .metrics = specs.metrics.items, .n_metrics = 1};
    lt_progress quiet;
    lt_progress_init(&quiet, false, 3, 4, NULL, 0);
    lt_history h;
    CU_ASSERT_EQUAL_FATAL(lt_train(&net, &opt, &tc, x, 32, NULL, 0, &quiet, &h), LT_TRAIN_OK);
    CU_ASSERT_EQUAL(h.epochs, 3);
    NEAR("stacked AE: per-epoch loss vs torch", lt_test_maxdiff(h.loss, 3, lt_json_get(st, "losses")), 2e-6);
    NEAR("stacked AE: rounded_accuracy per epoch",
         lt_test_maxdiff(h.metric, 3, lt_json_get(st, "rounded_accuracy")), 1e-12);
    NEAR("stacked AE: weights after 3 epochs", maxdiff_f(net.w, lt_json_get(st, "final")), 2e-5);
    lt_history_free(&h);
    lt_optim_free(&opt);
    lt_net_free(&net);
    free(x);
    free(w0);
    test_specs_free(&specs);
}

/* Trains a network whose dense layers are big enough to be shared among
 * threads (nn/layer_dense.c) on THREADS threads, with OPTIMIZER; returns
 * the final weights followed by the per-epoch losses (owned). */
static float *train_on_threads(const char *optimizer, int threads, size_t *size)
{
    CU_ASSERT_EQUAL(lt_nn_parallel_set_threads(threads), threads);
    char yaml[512];
    snprintf(yaml, sizeof yaml,
             "layers: [{dense: {units: 96, activation: selu}}, {dense: {units: 16, activation: selu}},"
             " {dense: {units: 96, activation: relu}}, {dense: {units: 256, activation: sigmoid}}]\n"
             "optimizer: %s\nmetrics: [rounded_accuracy]\n", optimizer);
    test_specs specs = test_specs_bind(yaml);
    lt_net net;
    size_t bad, n = 320, epochs = 3;
    lt_nn_shape in = lt_nn_shape_1d(256);
    CU_ASSERT_EQUAL_FATAL(lt_net_build(&net, specs.layers.items, specs.layers.n, &in, 32, 7, &bad, NULL),
                          LT_NET_OK);
    float *x = malloc(n * 256 * sizeof *x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    for (size_t i = 0; i < n * 256; i++)
        x[i] = (float)((i * 2654435761u) % 1000u) / 1000.0f;
    lt_optim opt;
    CU_ASSERT_EQUAL_FATAL(lt_optim_init(&opt, &specs.optimizer.items[0], net.n_weights), 0);
    lt_train_config tc = {.epochs = (int)epochs, .shuffle = true,
                          .loss = LT_LOSS_BINARY_CROSSENTROPY, .metrics = specs.metrics.items,
                          .n_metrics = 1};
    lt_progress quiet;
    lt_progress_init(&quiet, false, (int)epochs, n / 32, NULL, 0);
    lt_history h;
    CU_ASSERT_EQUAL_FATAL(lt_train(&net, &opt, &tc, x, n, NULL, 0, &quiet, &h), LT_TRAIN_OK);
    *size = net.n_weights + epochs;
    float *all = malloc(*size * sizeof *all);
    CU_ASSERT_PTR_NOT_NULL_FATAL(all);
    memcpy(all, net.w, net.n_weights * sizeof *all);
    for (size_t e = 0; e < epochs; e++)
        all[net.n_weights + e] = (float)h.loss[e];
    /* Training moved the weights: a comparison of untouched weights
     * would prove nothing. */
    CU_ASSERT(h.loss[epochs - 1] < h.loss[0]);
    lt_history_free(&h);
    lt_optim_free(&opt);
    lt_net_free(&net);
    free(x);
    test_specs_free(&specs);
    lt_nn_parallel_set_threads(1);
    return all;
}

static double maxdiff_ff(const float *a, const float *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs((double)a[i] - (double)b[i]));
    return m;
}

static void test_dense_threads_deterministic(void)
{
    /* On 2 or more threads each thread takes a share of every batch's
     * rows (nn/shares.h): the same bits on the same thread count, run
     * after run (3 threads on fewer cores also catch a race), and the same
     * training as on one thread up to float summation order (a dense
     * network's, in two phases, has the same order: test_dense_shares). */
    const char *optimizers[] = {"{sgd: {learning_rate: 0.5}}", "{adam: {learning_rate: 0.001}}"};
    for (size_t o = 0; o < 2; o++) {
        size_t n1, n;
        float *one = train_on_threads(optimizers[o], 1, &n1);
        for (int threads = 2; threads <= 3; threads++) {
            float *first = train_on_threads(optimizers[o], threads, &n);
            CU_ASSERT_FATAL(n == n1);
            NEAR("dense training, threads vs 1: weights and losses", maxdiff_ff(one, first, n), 1e-4);
            for (int run = 0; run < 2; run++) {
                float *again = train_on_threads(optimizers[o], threads, &n);
                CU_ASSERT_FATAL(n == n1);
                CU_ASSERT(memcmp(first, again, n * sizeof *first) == 0);
                free(again);
            }
            free(first);
        }
        free(one);
    }
}

/* One batch's gradient shared among 2 threads against the whole batch on
 * one: layers [split, n) run by rows on each share, the layers ahead of
 * them (noise) on the whole batch first, from the network's stream. */
static void shared_gradient_case(const char *label, const char *yaml, lt_nn_shape in,
                                 size_t split)
{
    test_specs specs = test_specs_bind(yaml);
    lt_net net;
    size_t bad, rows = 30, size = lt_nn_shape_size(&in);
    CU_ASSERT_EQUAL_FATAL(lt_net_build(&net, specs.layers.items, specs.layers.n, &in, 32, 3, &bad, NULL),
                          LT_NET_OK);
    float *x = malloc(rows * size * sizeof *x), *g1 = malloc(net.n_weights * sizeof *g1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g1);
    for (size_t i = 0; i < rows * size; i++)
        x[i] = (float)((i * 2654435761u) % 1000u) / 1000.0f;
    lt_rng start = net.rng;
    const float *y = lt_net_forward(&net, x, rows, net.n_layers, true);
    double loss1 = lt_loss_sum(LT_LOSS_BINARY_CROSSENTROPY, y, x, rows * size,
                               1.0f / (float)(rows * size), lt_net_output_grad(&net));
    lt_net_backward(&net, rows, NULL);
    memcpy(g1, net.g, net.n_weights * sizeof *g1);

    CU_ASSERT_EQUAL(lt_nn_parallel_set_threads(2), 2);
    lt_shares sh;
    CU_ASSERT_EQUAL(lt_shares_init(&sh, &net, 1, 0), 0); /* one thread: no shares */
    CU_ASSERT_EQUAL_FATAL(lt_shares_init(&sh, &net, 2, 0), 1);
    CU_ASSERT_EQUAL(sh.split, split);
    net.rng = start; /* the same noise as above */
    double loss2 = lt_shares_batch(&sh, x, rows, LT_LOSS_BINARY_CROSSENTROPY, NULL, 0, NULL, 0);
    char what[160];
    snprintf(what, sizeof what, "shared batch, %s: loss vs whole batch", label);
    NEAR(what, fabs(loss2 - loss1) / loss1, 1e-6);
    double gmax = 0;
    for (size_t i = 0; i < net.n_weights; i++)
        gmax = fmax(gmax, fabs((double)g1[i]));
    CU_ASSERT(gmax > 1e-3);
    snprintf(what, sizeof what, "shared batch, %s: gradient vs whole batch", label);
    NEAR(what, maxdiff_ff(g1, net.g, net.n_weights) / gmax, 1e-5);
    lt_shares_free(&sh);
    lt_nn_parallel_set_threads(1);
    lt_net_free(&net);
    free(x);
    free(g1);
    test_specs_free(&specs);
}

static void test_shared_gradient(void)
{
    shared_gradient_case("noise then dense",
        "layers: [{gaussian_noise: {stddev: 0.1}}, {dense: {units: 40, activation: selu}},"
        " {dense: {units: 8, activation: linear}}, {dense: {units: 64, activation: sigmoid}}]\n",
        lt_nn_shape_1d(64), 1);
    /* The recurrent autoencoder's kinds, and time_distributed, whose
     * wrapped layer the replicas share. */
    shared_gradient_case("recurrent",
        "layers: [{lstm: {units: 12, return_sequences: true}}, {gru: {units: 5}},"
        " {repeat_vector: {n: 7}}, {lstm: {units: 9, return_sequences: true}},"
        " {time_distributed: {layer: {dense: {units: 6, activation: sigmoid}}}}]\n",
        lt_nn_shape_2d(7, 6), 0);
}

/* STEPS batches of 32 samples of plain SGD on the network YAML (input IN)
 * through lt_train on THREADS threads; returns the weights (owned), the
 * epoch's loss in *LOSS, and the initial weights in *INITIAL (owned)
 * unless it is NULL. */
static float *dense_steps(const char *yaml, lt_nn_shape in, int threads, size_t steps,
                          size_t *n_weights, double *loss, float **initial)
{
    CU_ASSERT_EQUAL(lt_nn_parallel_set_threads(threads), threads);
    test_specs specs = test_specs_bind(yaml);
    lt_net net;
    size_t bad, n = 32 * steps, size = lt_nn_shape_size(&in);
    CU_ASSERT_EQUAL_FATAL(
        lt_net_build(&net, specs.layers.items, specs.layers.n, &in, 32, 11, &bad, NULL), LT_NET_OK);
    float *x = malloc(n * size * sizeof *x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    for (size_t i = 0; i < n * size; i++)
        x[i] = (float)((i * 2654435761u) % 1000u) / 1000.0f;
    lt_optim opt;
    CU_ASSERT_EQUAL_FATAL(lt_optim_init(&opt, &specs.optimizer.items[0], net.n_weights), 0);
    if (initial) {
        *initial = malloc(net.n_weights * sizeof **initial);
        CU_ASSERT_PTR_NOT_NULL_FATAL(*initial);
        memcpy(*initial, net.w, net.n_weights * sizeof **initial);
    }
    lt_train_config tc = {.epochs = 1, .loss = LT_LOSS_BINARY_CROSSENTROPY};
    lt_progress quiet;
    lt_progress_init(&quiet, false, 1, steps, NULL, 0);
    lt_history h;
    CU_ASSERT_EQUAL_FATAL(lt_train(&net, &opt, &tc, x, n, NULL, 0, &quiet, &h), LT_TRAIN_OK);
    float *w = malloc(net.n_weights * sizeof *w);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    memcpy(w, net.w, net.n_weights * sizeof *w);
    *n_weights = net.n_weights;
    *loss = h.loss[0];
    lt_history_free(&h);
    lt_optim_free(&opt);
    lt_net_free(&net);
    free(x);
    test_specs_free(&specs);
    lt_nn_parallel_set_threads(1);
    return w;
}

/* The network YAML (input IN) trained on 2 and 3 threads against 1. */
static void dense_shares_case(const char *label, const char *yaml, lt_nn_shape in)
{
    /* The batches do go in two phases. */
    test_specs specs = test_specs_bind(yaml);
    lt_net net;
    size_t bad;
    CU_ASSERT_EQUAL_FATAL(
        lt_net_build(&net, specs.layers.items, specs.layers.n, &in, 32, 11, &bad, NULL), LT_NET_OK);
    lt_shares sh;
    CU_ASSERT_EQUAL_FATAL(lt_shares_init(&sh, &net, 2, 0), 1);
    CU_ASSERT(sh.dense.block != NULL && sh.replicas == NULL);
    lt_shares_free(&sh);
    lt_net_free(&net);
    test_specs_free(&specs);

    size_t n1, n, steps = 6;
    float *w0;
    double loss1, loss;
    float *one = dense_steps(yaml, in, 1, steps, &n1, &loss1, &w0);
    double moved = maxdiff_ff(w0, one, n1), top = 0;
    for (size_t i = 0; i < n1; i++)
        top = fmax(top, fabs((double)one[i]));
    CU_ASSERT(moved > 1e-3); /* the steps moved the weights */
    for (int threads = 2; threads <= 3; threads++) {
        float *first = dense_steps(yaml, in, threads, steps, &n, &loss, NULL);
        CU_ASSERT_FATAL(n == n1);
        char what[160];
        snprintf(what, sizeof what, "dense shares, %s: %d threads vs 1, relative", label, threads);
        NEAR(what, maxdiff_ff(one, first, n) / top, 0);
        /* The loss too, summed as on one thread (nn/dense_shares.h). */
        CU_ASSERT_DOUBLE_EQUAL(loss, loss1, 0);
        CU_ASSERT(memcmp(&loss, &loss1, sizeof loss) == 0);
        float *again = dense_steps(yaml, in, threads, steps, &n, &loss, NULL);
        CU_ASSERT(memcmp(first, again, n * sizeof *first) == 0);
        free(again);
        free(first);
    }
    free(one);
    free(w0);
}

static void test_dense_shares(void)
{
    /* A dense network's batch on 2 or 3 threads goes in two phases
     * (nn/dense_shares.h): each weight's gradient is one sum over the
     * whole batch, as on one thread, and every product's bits are the
     * same for any rows (nn/smallmm.h): the one-thread weights exactly.
     * Noise ahead of the dense layers, a view after them, and a
     * bottleneck narrower than a register tile; then dense layers on each
     * of 16 rows per sample (Keras's Dense on a [t, f] input). */
    dense_shares_case(
        "noise, dense, reshape",
        "layers: [{gaussian_noise: {stddev: 0.1}}, {dense: {units: 96, activation: selu}},"
        " {dense: {units: 12, activation: linear}}, {dense: {units: 96, activation: relu}},"
        " {dense: {units: 256, activation: sigmoid}}, {reshape: {shape: [16, 16]}}]\n"
        "optimizer: {sgd: {learning_rate: 1.0}}\n",
        lt_nn_shape_1d(256));
    dense_shares_case("dense on [16, 16], adam",
                      "layers: [{dense: {units: 24, activation: selu}}, {dense: {units: 16, "
                      "activation: sigmoid}}]\n"
                      "optimizer: {adam: {learning_rate: 0.01}}\n",
                      lt_nn_shape_2d(16, 16));
}

/* Evaluation and prediction of network YAML (input IN, batch 16, codings
 * from layer CODED) on 2 and 3 threads, which share out whole batches among
 * replicas (nn/eval.c): the same bits as on one thread. */
static void eval_threads_case(const char *yaml, lt_nn_shape in, size_t coded)
{
    test_specs specs = test_specs_bind(yaml);
    lt_net net;
    size_t bad, rows = 100, size = lt_nn_shape_size(&in);
    CU_ASSERT_EQUAL_FATAL(lt_net_build(&net, specs.layers.items, specs.layers.n, &in, 16, 5, &bad, NULL),
                          LT_NET_OK);
    size_t width = net.layers[coded - 1].out_size;
    float *x = malloc(rows * size * sizeof *x), *p[3];
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    for (size_t i = 0; i < rows * size; i++)
        x[i] = (float)((i * 2654435761u) % 1000u) / 1000.0f;
    double loss[3], acc[3];
    for (int t = 0; t < 3; t++) {
        CU_ASSERT_EQUAL(lt_nn_parallel_set_threads(t + 1), t + 1);
        lt_nn_evaluate(&net, LT_LOSS_BINARY_CROSSENTROPY, specs.metrics.items, 1, x, x, rows,
                       &loss[t], &acc[t]);
        p[t] = malloc(rows * width * sizeof *p[t]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p[t]);
        lt_nn_predict(&net, x, rows, coded, p[t]);
    }
    lt_nn_parallel_set_threads(1);
    CU_ASSERT(loss[0] > 0.1 && loss[0] < 2); /* an untrained net's BCE: near ln 2 */
    CU_ASSERT(memcmp(&loss[2], &loss[1], sizeof loss[0]) == 0);
    CU_ASSERT(memcmp(&acc[2], &acc[1], sizeof acc[0]) == 0);
    CU_ASSERT(memcmp(p[2], p[1], rows * width * sizeof *p[0]) == 0);
    CU_ASSERT(memcmp(&loss[1], &loss[0], sizeof loss[0]) == 0);
    CU_ASSERT(memcmp(&acc[1], &acc[0], sizeof acc[0]) == 0);
    CU_ASSERT(memcmp(p[1], p[0], rows * width * sizeof *p[0]) == 0);
    for (int t = 0; t < 3; t++)
        free(p[t]);
    free(x);
    lt_net_free(&net);
    test_specs_free(&specs);
}

static void test_eval_threads(void)
{
    eval_threads_case(
        "layers: [{lstm: {units: 12, return_sequences: true}}, {lstm: {units: 4}},"
        " {repeat_vector: {n: 7}}, {gru: {units: 9, return_sequences: true}},"
        " {time_distributed: {layer: {dense: {units: 6, activation: sigmoid}}}}]\n"
        "metrics: [rounded_accuracy]\n",
        lt_nn_shape_2d(7, 6), 2);
    /* Dense layers wide enough to split their products into column blocks
     * on one thread, and not inside a replica's batch: each element is
     * the same chain of products either way (nn/smallmm.h). */
    eval_threads_case(
        "layers: [{dense: {units: 200, activation: selu}}, {dense: {units: 30, activation: selu}},"
        " {dense: {units: 200, activation: selu}}, {dense: {units: 300, activation: sigmoid}}]\n"
        "metrics: [rounded_accuracy]\n",
        lt_nn_shape_1d(300), 2);
    eval_threads_case(
        "layers: [{reshape: {shape: [12, 12, 1]}}, {conv2d: {filters: 8, kernel_size: 3, padding: same, activation: selu}},"
        " {maxpool2d: {pool_size: 2}}, {conv2d_transpose: {filters: 1, kernel_size: 3, strides: 2, padding: same, activation: sigmoid}},"
        " {reshape: {shape: [144]}}]\n"
        "metrics: [rounded_accuracy]\n",
        lt_nn_shape_1d(144), 3);
}

/* Builds the layers in YAML on IN and returns the error text ("" when it
 * builds; the shape of the output goes to *out). */
static const char *infer_error(const char *yaml, lt_nn_shape in, lt_nn_shape *out, size_t *bad)
{
    static char err[256];
    test_specs specs = test_specs_bind(yaml);
    lt_nn_shape shapes[16];
    err[0] = '\0';
    *bad = 99;
    lt_diag d = {.limit = 1};
    if (lt_net_infer(specs.layers.items, specs.layers.n, &in, shapes, bad, &d) == 0)
        *out = shapes[specs.layers.n];
    else
        snprintf(err, sizeof err, "%s", d.n == 1 ? d.items[0].message : "not one problem recorded");
    lt_diag_clear(&d);
    test_specs_free(&specs);
    return err;
}

static void test_shapes(void)
{
    lt_nn_shape out;
    size_t bad;
    char text[64];
    CU_ASSERT_STRING_EQUAL(infer_error("layers: [flatten, {dense: {units: 30}}]", lt_nn_shape_2d(28, 28), &out, &bad), "");
    CU_ASSERT_STRING_EQUAL(lt_nn_shape_text(&out, text, sizeof text), "[30]");
    /* Unknown input: flatten knows its rank, dense its width. */
    CU_ASSERT_STRING_EQUAL(infer_error("layers: [flatten]", lt_nn_shape_unknown(), &out, &bad), "");
    CU_ASSERT_STRING_EQUAL(lt_nn_shape_text(&out, text, sizeof text), "[?]");
    infer_error("layers: [flatten, {dense: {units: 784}}, {reshape: {shape: [28, 28]}}]", lt_nn_shape_unknown(), &out, &bad);
    CU_ASSERT_STRING_EQUAL(lt_nn_shape_text(&out, text, sizeof text), "[28, 28]");
    CU_ASSERT_STRING_EQUAL(infer_error("layers: [flatten, {dense: {units: 100}}, {reshape: {shape: [28, 28]}}]",
                                       lt_nn_shape_unknown(), &out, &bad),
                           "cannot reshape input [100] (100 values) to [28, 28] (784 values)");
    CU_ASSERT_EQUAL(bad, 2);
    /* A dense layer on an input of unknown rank: nothing to check yet. */
    CU_ASSERT_STRING_EQUAL(infer_error("layers: [{dense: {units: 100}}, {reshape: {shape: [28, 28]}}]",
                                       lt_nn_shape_unknown(), &out, &bad), "");
    CU_ASSERT_STRING_EQUAL(infer_error("layers: [{reshape: {shape: [-1, 7]}}]", lt_nn_shape_2d(28, 28), &out, &bad), "");
    CU_ASSERT_STRING_EQUAL(lt_nn_shape_text(&out, text, sizeof text), "[112, 7]");
    CU_ASSERT_STRING_EQUAL(infer_error("layers: [{reshape: {shape: [-1, 5]}}]", lt_nn_shape_1d(12), &out, &bad),
                           "cannot reshape input [12] (12 values) to [?, 5] (a multiple of 5 values)");
    CU_ASSERT_STRING_EQUAL(infer_error("layers: [{reshape: {shape: [2.5]}}]", lt_nn_shape_1d(12), &out, &bad),
                           "shape[0] is 2.5; expected an integer >= 1 (or -1 once, for the rest)");
    /* Dense acts on the last axis, as Keras's does. */
    infer_error("layers: [{dense: {units: 5}}]", lt_nn_shape_2d(28, 28), &out, &bad);
    CU_ASSERT_STRING_EQUAL(lt_nn_shape_text(&out, text, sizeof text), "[28, 5]");
}

/* Mean and variance of n draws. */
static void moments(const float *w, size_t n, double *mean, double *var, double *maxabs)
{
    double s = 0, ss = 0, m = 0;
    for (size_t i = 0; i < n; i++) {
        s += w[i];
        ss += (double)w[i] * w[i];
        m = fmax(m, fabs(w[i]));
    }
    *mean = s / (double)n;
    *var = ss / (double)n - *mean * *mean;
    *maxabs = m;
}

static void test_initialisers(void)
{
    enum { N = 200000 };
    float *w = malloc(N * sizeof *w);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    lt_rng rng;
    lt_rng_seed(&rng, 1);
    double mean, var, top;
    /* fan_in 300, fan_out 100: Keras's variances are 2/400 (glorot),
     * 2/300 (he) and 1/300 (lecun); glorot_uniform's bound sqrt(6/400). */
    lt_init_fill(LT_INIT_GLOROT_UNIFORM, w, N, 300, 100, &rng);
    moments(w, N, &mean, &var, &top);
    CU_ASSERT(fabs(var / (2.0 / 400) - 1) < 0.01 && top <= sqrt(6.0 / 400));
    lt_init_fill(LT_INIT_GLOROT_NORMAL, w, N, 300, 100, &rng);
    moments(w, N, &mean, &var, &top);
    CU_ASSERT(fabs(var / (2.0 / 400) - 1) < 0.01);
    CU_ASSERT(top <= 2 * sqrt(2.0 / 400) / 0.87962566103423978 * 1.000001);
    lt_init_fill(LT_INIT_HE_NORMAL, w, N, 300, 100, &rng);
    moments(w, N, &mean, &var, &top);
    CU_ASSERT(fabs(var / (2.0 / 300) - 1) < 0.01);
    lt_init_fill(LT_INIT_LECUN_NORMAL, w, N, 300, 100, &rng);
    moments(w, N, &mean, &var, &top);
    CU_ASSERT(fabs(var / (1.0 / 300) - 1) < 0.01 && fabs(mean) < 1e-3);
    lt_init_fill(LT_INIT_ZEROS, w, N, 300, 100, &rng);
    moments(w, N, &mean, &var, &top);
    CU_ASSERT_EQUAL(top, 0);
    free(w);
}

static void test_rounded_accuracy(void)
{
    /* tf.round rounds half to even: a target of 0.5 counts as 0, and a
     * prediction of exactly 0.5 rounds to 0 too. */
    const float p[] = {0.2f, 0.7f, 0.5f, 0.51f, 0.9f, 0.5f};
    const float t[] = {0.0f, 1.0f, 0.5f, 0.5f, 0.4f, 1.0f};
    CU_ASSERT_EQUAL(lt_metric_rounded_accuracy.sum(p, t, 6), 3.0);
    CU_ASSERT_DOUBLE_EQUAL(lt_metric_mse.sum(p, t, 2), 0.04 + 0.09, 1e-7);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    ref = lt_test_reference("nn.json");
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("nn training", NULL, NULL);
    CU_add_test(s, "optimiser steps vs torch", test_optimizers);
    CU_add_test(s, "losses vs torch", test_losses);
    CU_add_test(s, "a stacked autoencoder's training vs torch", test_stacked_trajectory);
    CU_add_test(s, "dense training: the same bits on the same threads", test_dense_threads_deterministic);
    CU_add_test(s, "a batch shared among threads: its gradient", test_shared_gradient);
    CU_add_test(s, "a dense network's batch in two phases: the one-thread weights",
                test_dense_shares);
    CU_add_test(s, "evaluation and prediction by batches on threads", test_eval_threads);
    CU_add_test(s, "shape rules and their messages", test_shapes);
    CU_add_test(s, "initialiser variances", test_initialisers);
    CU_add_test(s, "rounded_accuracy and mse", test_rounded_accuracy);
    int rc = lt_test_run();
    lt_json_free(ref);
    return rc;
}
