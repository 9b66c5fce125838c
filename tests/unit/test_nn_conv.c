/* The convolutional layers (conv2d, maxpool2d, upsampling2d,
 * conv2d_transpose): finite-difference gradient checks over strides and
 * paddings; forward outputs and gradients against PyTorch
 * (tests/reference/make_conv.py, which builds TensorFlow's padding rules
 * from PyTorch's valid operations); the lecture's convolutional
 * autoencoder's shapes, parameter counts and loss gradient; shape errors. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/loss.h"
#include "nn/net.h"
#include "nn/parallel.h"
#include "testgrad.h"
#include "testnn.h"
#include "testutil.h"

const char *lt_test_root = ".";
static lt_json *ref;

static lt_nn_shape image(int h, int w, int c)
{
    return (lt_nn_shape){.rank = 3, .dim = {h, w, c}};
}

/* ---- finite differences --------------------------------------------------- */

#define GRAD_OK(yaml, in, step) CU_ASSERT_EQUAL(check_gradients(yaml, in, 3, step, 1.0), 0)

static void test_conv2d_gradients(void)
{
    GRAD_OK("layers: [{conv2d: {filters: 3, kernel_size: 3, padding: same, activation: tanh}}]",
            image(5, 4, 2), 1e-3f);
    GRAD_OK("layers: [{conv2d: {filters: 2, kernel_size: 3}}]", image(5, 6, 3), 1e-2f);
    GRAD_OK("layers: [{conv2d: {filters: 2, kernel_size: 3, strides: 2, padding: same}}]",
            image(6, 5, 2), 1e-2f);
    GRAD_OK("layers: [{conv2d: {filters: 3, kernel_size: 3, strides: 2, use_bias: false, "
            "activation: sigmoid}}]",
            image(7, 7, 1), 1e-2f);
    GRAD_OK("layers: [{conv2d: {filters: 2, kernel_size: 4, padding: same, activation: selu}}]",
            image(5, 5, 2), 1e-3f);
    GRAD_OK("layers: [{conv2d: {filters: 4, kernel_size: 1}}]", image(3, 3, 3), 1e-2f);
    /* A chain: the input gradient of the second layer feeds the first. */
    GRAD_OK("layers: [{conv2d: {filters: 3, kernel_size: 3, padding: same, activation: selu}}, "
            "{conv2d: {filters: 2, kernel_size: 2, strides: 2, activation: tanh}}]",
            image(6, 6, 2), 1e-3f);
}

static void test_maxpool2d_gradients(void)
{
    /* A small step: a wider one would often change a window's winner. */
    GRAD_OK("layers: [{maxpool2d: {pool_size: 2}}]", image(7, 5, 3), 1e-3f);
    GRAD_OK("layers: [{maxpool2d: {pool_size: 3, strides: 2, padding: same}}]", image(6, 7, 2),
            1e-3f);
    GRAD_OK("layers: [{maxpool2d: {pool_size: 3, strides: 1}}]", image(5, 5, 2), 1e-3f);
    GRAD_OK("layers: [{conv2d: {filters: 2, kernel_size: 3, padding: same, activation: tanh}}, "
            "{maxpool2d: {pool_size: 2, padding: same}}]",
            image(5, 5, 2), 1e-3f);
}

static void test_upsampling2d_gradients(void)
{
    GRAD_OK("layers: [{upsampling2d: {size: 2}}]", image(3, 4, 2), 1e-2f);
    GRAD_OK("layers: [{conv2d: {filters: 2, kernel_size: 1}}, {upsampling2d: {size: 3}}]",
            image(2, 3, 2), 1e-2f);
}

static void test_conv2d_transpose_gradients(void)
{
    GRAD_OK("layers: [{conv2d_transpose: {filters: 3, kernel_size: 3, strides: 2}}]",
            image(3, 3, 4), 1e-2f);
    GRAD_OK("layers: [{conv2d_transpose: {filters: 2, kernel_size: 3, strides: 2, padding: same, "
            "activation: tanh}}]",
            image(4, 3, 3), 1e-2f);
    GRAD_OK("layers: [{conv2d_transpose: {filters: 2, kernel_size: 3, padding: same}}]",
            image(4, 4, 2), 1e-2f);
    GRAD_OK("layers: [{conv2d_transpose: {filters: 2, kernel_size: 2, strides: 3, "
            "use_bias: false, activation: sigmoid}}]",
            image(3, 2, 2), 1e-2f);
    GRAD_OK("layers: [{conv2d_transpose: {filters: 1, kernel_size: 4, strides: 2, padding: same, "
            "activation: selu}}]",
            image(3, 3, 2), 1e-3f);
}

static void test_lecture_shape_gradients(void)
{
    /* The lecture's convolutional autoencoder, narrowed to 8 x 8 images. */
    CU_ASSERT_EQUAL(
        check_gradients("layers: [{reshape: {shape: [8, 8, 1]}}, "
                        "{conv2d: {filters: 3, kernel_size: 3, padding: same, activation: selu}}, "
                        "{maxpool2d: {pool_size: 2}}, "
                        "{conv2d: {filters: 4, kernel_size: 3, padding: same, activation: selu}}, "
                        "{maxpool2d: {pool_size: 2}}, "
                        "{conv2d_transpose: {filters: 3, kernel_size: 3, strides: 2, padding: same, "
                        "activation: selu}}, "
                        "{conv2d_transpose: {filters: 1, kernel_size: 3, strides: 2, padding: same, "
                        "activation: sigmoid}}, {reshape: {shape: [8, 8]}}]",
                        lt_nn_shape_2d(8, 8), 2, 1e-3f, 0.5),
        0);
}

/* ---- against PyTorch ------------------------------------------------------ */

/* float32(scale * sin(0.731 i + seed)): the reference script's fill. */
static void fill(float *v, size_t n, double seed, double scale)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (float)(scale * sin(0.731 * (double)i + seed));
}

static float *alloc_floats(size_t n)
{
    float *f = malloc((n ? n : 1) * sizeof *f);
    if (!f) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return f;
}

/* max |a_i - want_i| over a JSON array, or INFINITY when the lengths differ. */
static double maxdiff(const float *a, size_t n, const lt_json *want)
{
    if (lt_json_size(want) != n)
        return INFINITY;
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs((double)a[i] - lt_json_number(lt_json_value_at(want, i))));
    return m;
}

static double maxabs(const lt_json *a)
{
    double m = 0;
    for (size_t i = 0; i < lt_json_size(a); i++)
        m = fmax(m, fabs(lt_json_number(lt_json_value_at(a, i))));
    return m;
}

static lt_nn_shape json_shape(const lt_json *dims)
{
    lt_nn_shape s = {.rank = (int)lt_json_size(dims)};
    for (int i = 0; i < s.rank; i++)
        s.dim[i] = (int)lt_json_number(lt_json_value_at(dims, (size_t)i));
    return s;
}

/* Builds the case's network with weights and inputs from the fill; returns
 * the inputs (owned). */
static float *build_case(const lt_json *c, lt_net *net, test_specs *specs, double w_scale)
{
    *specs = test_specs_bind(lt_json_string(lt_json_get(c, "yaml")));
    lt_nn_shape in = json_shape(lt_json_get(c, "in"));
    size_t batch = (size_t)lt_json_number(lt_json_get(c, "batch")), bad;
    lt_diag d = {.limit = 1};
    int rc = lt_net_build(net, specs->layers.items, specs->layers.n, &in, batch, 0, &bad, &d);
    if (rc != LT_NET_OK) {
        fprintf(stderr, "%s: %s\n", lt_json_string(lt_json_get(c, "name")),
                d.n ? d.items[0].message : "out of memory");
        exit(1);
    }
    fill(net->w, net->n_weights, 2.0, w_scale);
    float *x = alloc_floats(batch * net->in_size);
    fill(x, batch * net->in_size, 1.0, 1.0);
    return x;
}

static void test_against_torch(void)
{
    const lt_json *cases = lt_json_get(ref, "cases");
    CU_ASSERT_FATAL(lt_json_size(cases) >= 10);
    for (size_t k = 0; k < lt_json_size(cases); k++) {
        const lt_json *c = lt_json_value_at(cases, k);
        lt_net net;
        test_specs specs;
        float *x = build_case(c, &net, &specs, 0.3);
        size_t batch = net.batch, ny = batch * net.layers[net.n_layers - 1].out_size;
        size_t nx = batch * net.in_size;
        const float *y = lt_net_forward(&net, x, batch, net.n_layers, true);
        double dy = maxdiff(y, ny, lt_json_get(c, "y"));
        fill(lt_net_output_grad(&net), ny, 3.0, 1.0);
        float *dx = alloc_floats(nx);
        lt_net_backward(&net, batch, dx);
        /* Kernel gradients sum over every pixel of the batch: relative to
         * the largest. */
        double dg = maxdiff(net.g, net.n_weights, lt_json_get(c, "g")) / fmax(1, maxabs(lt_json_get(c, "g")));
        double ddx = maxdiff(dx, nx, lt_json_get(c, "dx"));
        printf("\n    %-58s y %.2g  dL/dw %.2g (rel)  dL/dx %.2g", lt_json_string(lt_json_get(c, "name")),
               dy, dg, ddx);
        CU_ASSERT(dy <= 1e-5);
        CU_ASSERT(dg <= 1e-5);
        CU_ASSERT(ddx <= 1e-5);
        free(dx);
        free(x);
        lt_net_free(&net);
        test_specs_free(&specs);
    }
}

static void test_lecture_model_against_torch(void)
{
    const lt_json *c = lt_json_get(ref, "lecture");
    lt_net net;
    test_specs specs;
    float *x = build_case(c, &net, &specs, 0.1);
    size_t batch = net.batch, n = batch * net.in_size;
    /* Images in [0, 1] for the binary cross-entropy: 0.5 + 0.5 sin. */
    fill(x, n, 1.0, 0.5);
    for (size_t i = 0; i < n; i++)
        x[i] += 0.5f;
    const lt_json *counts = lt_json_get(c, "layer_params");
    CU_ASSERT_EQUAL_FATAL(lt_json_size(counts), net.n_layers);
    for (size_t i = 0; i < net.n_layers; i++)
        CU_ASSERT_EQUAL(net.layers[i].n_weights, (size_t)lt_json_number(lt_json_value_at(counts, i)));

    const float *y = lt_net_forward(&net, x, batch, net.n_layers, true);
    NEAR("lecture model: output vs torch", maxdiff(y, n, lt_json_get(c, "y")), 1e-5);
    double loss = lt_loss_sum(LT_LOSS_BINARY_CROSSENTROPY, y, x, n, 1.0f / (float)n,
                              lt_net_output_grad(&net)) / (double)n;
    NEAR("lecture model: binary cross-entropy", fabs(loss - lt_json_number(lt_json_get(c, "loss"))),
               1e-6);
    lt_net_backward(&net, batch, NULL);
    /* The loss's gradient, tensor by tensor: |g|^2 and g . fill. */
    const lt_json *tensors = lt_json_get(c, "grad");
    double worst = 0;
    for (size_t t = 0; t < lt_json_size(tensors); t++) {
        const lt_json *e = lt_json_value_at(tensors, t);
        size_t at = (size_t)lt_json_number(lt_json_get(e, "offset"));
        size_t size = (size_t)lt_json_number(lt_json_get(e, "size"));
        float *r = alloc_floats(size);
        fill(r, size, 5.0, 1.0);
        double ss = 0, dot = 0;
        for (size_t i = 0; i < size; i++) {
            ss += (double)net.g[at + i] * net.g[at + i];
            dot += (double)net.g[at + i] * r[i];
        }
        double want_ss = lt_json_number(lt_json_get(e, "sum_squares"));
        double want_dot = lt_json_number(lt_json_get(e, "dot"));
        /* Relative to the tensor's gradient norm. */
        double norm = sqrt(want_ss) * sqrt((double)size);
        worst = fmax(worst, fabs(ss - want_ss) / want_ss);
        worst = fmax(worst, fabs(dot - want_dot) / norm);
        free(r);
    }
    NEAR("lecture model: loss gradient per tensor (relative)", worst, 1e-4);
    free(x);
    lt_net_free(&net);
    test_specs_free(&specs);
}

/* Runs case C forward and backward on THREADS threads; returns the output,
 * weight gradient and input gradient, one after the other (owned). */
static float *pass_on_threads(const lt_json *c, int threads, size_t *size)
{
    CU_ASSERT_EQUAL(lt_nn_parallel_set_threads(threads), threads);
    lt_net net;
    test_specs specs;
    float *x = build_case(c, &net, &specs, 0.3);
    size_t batch = net.batch, ny = batch * net.layers[net.n_layers - 1].out_size;
    size_t nx = batch * net.in_size, nw = net.n_weights;
    *size = ny + nw + nx;
    float *all = alloc_floats(*size);
    memcpy(all, lt_net_forward(&net, x, batch, net.n_layers, true), ny * sizeof *all);
    fill(lt_net_output_grad(&net), ny, 3.0, 1.0);
    lt_net_backward(&net, batch, all + ny + nw);
    memcpy(all + ny, net.g, nw * sizeof *all);
    free(x);
    lt_net_free(&net);
    test_specs_free(&specs);
    lt_nn_parallel_set_threads(1);
    return all;
}

static void test_threads_agree(void)
{
    /* Blocks of samples go to threads; their gradient shares are added in
     * block order, so any thread count gives the same bits. */
    const lt_json *cases = lt_json_get(ref, "cases");
    size_t checked = 0;
    for (size_t k = 0; k <= lt_json_size(cases); k++) {
        const lt_json *c = k < lt_json_size(cases) ? lt_json_value_at(cases, k) : lt_json_get(ref, "lecture");
        size_t n1, n2, n3;
        float *one = pass_on_threads(c, 1, &n1), *two = pass_on_threads(c, 2, &n2);
        float *three = pass_on_threads(c, 3, &n3);
        CU_ASSERT_FATAL(n1 == n2 && n1 == n3);
        CU_ASSERT(memcmp(one, two, n1 * sizeof *one) == 0);
        CU_ASSERT(memcmp(one, three, n1 * sizeof *one) == 0);
        checked++;
        free(one);
        free(two);
        free(three);
    }
    printf("\n    %zu cases: outputs and gradients bit for bit on 1, 2 and 3 threads", checked);
}

/* ---- shapes ----------------------------------------------------------------- */

/* The error of inferring YAML's layers from IN ("" when they chain; " @PATH" after
 * it when it names the layer's parameter at fault), with
 * the output shape's text in OUT and the failing layer in *bad. */
static const char *infer(const char *yaml, lt_nn_shape in, char *out, size_t *bad)
{
    static char err[512];
    test_specs specs = test_specs_bind(yaml);
    lt_nn_shape shapes[16];
    err[0] = out[0] = '\0';
    *bad = 99;
    lt_diag d = {.limit = 1};
    if (lt_net_infer(specs.layers.items, specs.layers.n, &in, shapes, bad, &d) == 0)
        lt_nn_shape_text(&shapes[specs.layers.n], out, 64);
    else if (d.n == 1) /* a refusal records one problem */
        snprintf(err, sizeof err, "%s%s%s", d.items[0].message, d.items[0].path ? " @" : "",
                 d.items[0].path ? d.items[0].path : "");
    else
        snprintf(err, sizeof err, "%zu problems recorded", lt_diag_count(&d));
    lt_diag_clear(&d);
    test_specs_free(&specs);
    return err;
}

static void test_shapes(void)
{
    char out[64];
    size_t bad;
    const lt_json *lecture = lt_json_get(ref, "lecture");
    const char *yaml = lt_json_string(lt_json_get(lecture, "yaml"));
    /* The lecture's model: 28x28 -> 3x3x64 -> 7x7x32 -> 14x14x16 -> 28x28x1. */
    test_specs specs = test_specs_bind(yaml);
    lt_nn_shape shapes[16], in = lt_nn_shape_2d(28, 28);
    CU_ASSERT_EQUAL_FATAL(lt_net_infer(specs.layers.items, specs.layers.n, &in, shapes, &bad, NULL), 0);
    const char *want[] = {"[28, 28, 1]", "[28, 28, 16]", "[14, 14, 16]", "[14, 14, 32]",
                          "[7, 7, 32]", "[7, 7, 64]", "[3, 3, 64]", "[7, 7, 32]",
                          "[14, 14, 16]", "[28, 28, 1]", "[28, 28]"};
    for (size_t i = 0; i < 11; i++)
        CU_ASSERT_STRING_EQUAL(lt_nn_shape_text(&shapes[i + 1], out, sizeof out), want[i]);
    /* Before the data the first reshape already fixes every shape... */
    lt_nn_shape unknown = lt_nn_shape_unknown();
    CU_ASSERT_EQUAL(lt_net_infer(specs.layers.items, 7, &unknown, shapes, &bad, NULL), 0);
    CU_ASSERT_STRING_EQUAL(lt_nn_shape_text(&shapes[7], out, sizeof out), "[3, 3, 64]");
    test_specs_free(&specs);
    /* ... without it the channels are known, the extents are not. */
    CU_ASSERT_STRING_EQUAL(infer("layers: [{conv2d: {filters: 64, kernel_size: 3}}, maxpool2d, "
                                 "{conv2d_transpose: {filters: 5, kernel_size: 3}}]",
                                 unknown, out, &bad), "");
    CU_ASSERT_STRING_EQUAL(out, "[?, ?, 5]");

    CU_ASSERT_STRING_EQUAL(infer("layers: [{conv2d: {filters: 4, kernel_size: 3}}]",
                                 lt_nn_shape_2d(28, 28), out, &bad),
                           "expected [height, width, channels] images (channels last), got "
                           "[28, 28]; add {reshape: {shape: [28, 28, 1]}} before it for one channel");
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_STRING_EQUAL(infer("layers: [flatten, {maxpool2d: {pool_size: 2}}]",
                                 image(4, 4, 1), out, &bad),
                           "expected [height, width, channels] images (channels last), got [16]");
    CU_ASSERT_EQUAL(bad, 1);
    CU_ASSERT_STRING_EQUAL(infer("layers: [{maxpool2d: {pool_size: 2}}, {maxpool2d: {pool_size: 2}}, "
                                 "{conv2d: {filters: 8, kernel_size: 5}}]",
                                 image(12, 16, 3), out, &bad),
                           "kernel_size 5 is larger than the input's height (3) of [3, 4, 3] with "
                           "padding valid; use padding: same or a smaller kernel @kernel_size");
    CU_ASSERT_EQUAL(bad, 2);
    CU_ASSERT_STRING_EQUAL(infer("layers: [{maxpool2d: {pool_size: 3}}]", image(5, 2, 1), out, &bad),
                           "pool_size 3 is larger than the input's width (2) of [5, 2, 1] with "
                           "padding valid; use padding: same or a smaller pool @pool_size");
    /* TensorFlow's sizes: same ceil(in / s), valid floor((in - k) / s) + 1,
     * transposed valid in s + max(k - s, 0), transposed same in s. */
    CU_ASSERT_STRING_EQUAL(infer("layers: [{conv2d: {filters: 2, kernel_size: 3, strides: 2, padding: same}}]",
                                 image(7, 8, 1), out, &bad), "");
    CU_ASSERT_STRING_EQUAL(out, "[4, 4, 2]");
    CU_ASSERT_STRING_EQUAL(infer("layers: [{maxpool2d: {pool_size: 3, strides: 2}}]", image(8, 7, 5), out, &bad), "");
    CU_ASSERT_STRING_EQUAL(out, "[3, 3, 5]");
    CU_ASSERT_STRING_EQUAL(infer("layers: [{maxpool2d: {pool_size: 3, strides: 2, padding: same}}]",
                                 image(8, 7, 5), out, &bad), "");
    CU_ASSERT_STRING_EQUAL(out, "[4, 4, 5]");
    CU_ASSERT_STRING_EQUAL(infer("layers: [{conv2d_transpose: {filters: 3, kernel_size: 5, strides: 2}}]",
                                 image(3, 4, 1), out, &bad), "");
    CU_ASSERT_STRING_EQUAL(out, "[9, 11, 3]");
    CU_ASSERT_STRING_EQUAL(infer("layers: [{conv2d_transpose: {filters: 3, kernel_size: 2, strides: 3}}]",
                                 image(3, 4, 1), out, &bad), "");
    CU_ASSERT_STRING_EQUAL(out, "[9, 12, 3]");
    CU_ASSERT_STRING_EQUAL(infer("layers: [{conv2d_transpose: {filters: 1, kernel_size: 5, strides: 3, "
                                 "padding: same}}, {upsampling2d: {size: 2}}]",
                                 image(3, 4, 2), out, &bad), "");
    CU_ASSERT_STRING_EQUAL(out, "[18, 24, 1]");
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    ref = lt_test_reference("conv.json");
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("nn convolutional layers", NULL, NULL);
    CU_add_test(s, "conv2d gradients: paddings, strides, kernels", test_conv2d_gradients);
    CU_add_test(s, "maxpool2d gradients", test_maxpool2d_gradients);
    CU_add_test(s, "upsampling2d gradients", test_upsampling2d_gradients);
    CU_add_test(s, "conv2d_transpose gradients", test_conv2d_transpose_gradients);
    CU_add_test(s, "a narrowed lecture model's gradients", test_lecture_shape_gradients);
    CU_add_test(s, "layers against torch: outputs and gradients", test_against_torch);
    CU_add_test(s, "the lecture's model against torch", test_lecture_model_against_torch);
    CU_add_test(s, "the same numbers on any number of threads", test_threads_agree);
    CU_add_test(s, "shape rules and their messages", test_shapes);
    int rc = lt_test_run();
    lt_json_free(ref);
    return rc;
}
