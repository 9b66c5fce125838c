/* dense: y = act(x W + b) on the last axis, Keras's Dense.
 *
 * The kernel W is [inputs, units] row-major (Keras's layout) followed by
 * the bias b [units]. Like Keras, a dense layer on a [t, f] input acts on
 * each of the t rows of f values (what time_distributed(dense) does): the
 * batch is then n * t rows for the matrix products. */
#include <stdio.h>
#include <string.h>

#include "nn/activation.h"
#include "nn/dense.h"
#include "nn/init.h"
#include "nn/kernels.h"
#include "nn/layer.h"
#include "nn/parallel.h"
#include "nn/smallmm.h"

struct dense_config {
    int units;
    int activation;
    bool use_bias;
    int kernel_initializer;
};

#define CFG struct dense_config
static const lt_param params[] = {
    LT_INT(CFG, units, 0, 1, 1 << 24, LT_REQUIRED, "output values per input row"),
    LT_CHOICE(CFG, activation, "linear", lt_act_names, "activation applied to x W + b"),
    LT_BOOL(CFG, use_bias, true, "add a bias vector (initialised to zero)"),
    LT_CHOICE(CFG, kernel_initializer, "glorot_uniform", lt_init_names,
              "how the kernel's weights are drawn"),
};
#undef CFG

static int infer(const void *config, const lt_nn_shape *in, lt_nn_shape *out, lt_diag *d)
{
    const struct dense_config *c = config;
    (void)d;
    if (in->rank == LT_NN_UNKNOWN) {
        *out = lt_nn_shape_unknown();
        return 0;
    }
    *out = *in;
    out->dim[in->rank - 1] = c->units;
    return 0;
}

static size_t fan_in(const lt_layer *l)
{
    return (size_t)l->in.dim[l->in.rank - 1];
}

static int plan(lt_layer *l)
{
    const struct dense_config *c = l->config;
    size_t units = (size_t)c->units;
    l->n_weights = fan_in(l) * units + (c->use_bias ? units : 0);
    return 0;
}

static void init(lt_layer *l, lt_rng *rng)
{
    const struct dense_config *c = l->config;
    size_t units = (size_t)c->units, inputs = fan_in(l);
    lt_init_fill(c->kernel_initializer, l->w, inputs * units, inputs, units, rng);
    if (c->use_bias)
        memset(l->w + inputs * units, 0, units * sizeof *l->w);
}

/* The products of one pass, split among the threads (nn/parallel.h) in
 * blocks that each write their own part of the outputs, so the numbers do
 * not depend on which thread ran which block. */
struct pass {
    lt_layer *l;
    const struct dense_config *c;
    const float *x, *y;
    float *out, *dy, *dx;
    size_t rows, inputs, units, blocks;
};

/* Below this many multiply-adds a pass runs on one thread: waking a second
 * one would cost more than it saves. */
#define PARALLEL_MIN ((size_t)1 << 17)

/* Block B's share [*from, *to) of LEN items cut into BLOCKS, at
 * multiples of 8. */
static void share(size_t len, size_t blocks, size_t b, size_t *from, size_t *to)
{
    size_t step = (len + blocks - 1) / blocks;
    step = (step + 7) / 8 * 8;
    *from = b * step < len ? b * step : len;
    *to = (b + 1) * step < len ? (b + 1) * step : len;
}

/* How many blocks a dimension of LEN is cut into, for a pass of that many
 * multiply-adds: a number that depends on the shapes alone, never on the
 * threads, so that any thread count computes the same products and gives
 * the same bits. Up to 4 (2 per thread on 2 cores), each at least 48 wide,
 * and one below PARALLEL_MIN. */
static size_t blocks_for(size_t len, size_t macs)
{
    /* Inside a share of the batch (nn/shares.h), which has its thread. */
    if (lt_nn_parallel_nested())
        return 1;
    size_t b = len / 48;
    return macs < PARALLEL_MIN || b < 1 ? 1 : b > 4 ? 4 : b;
}

/* Forward block: the columns [j0, j1) of y = act(x W + b). Softmax, which
 * normalises whole rows, is applied after all blocks. */
static void forward_block(void *arg, size_t b)
{
    struct pass *p = arg;
    size_t j0, j1;
    share(p->units, p->blocks, b, &j0, &j1);
    if (j0 == j1)
        return;
    size_t w = j1 - j0, units = p->units;
    const float *kernel = p->l->w;
    lt_small_gemm(p->rows, w, p->inputs, p->x, p->inputs, kernel + j0, units, 1.0f, 0.0f,
                  p->out + j0, units);
    lt_act act = p->c->activation == LT_ACT_SOFTMAX ? LT_ACT_LINEAR : p->c->activation;
    const float *bias = kernel + p->inputs * units;
    for (size_t r = 0; r < p->rows; r++) {
        float *row = p->out + r * units + j0;
        if (p->c->use_bias)
            lt_act_forward_bias(act, row, bias + j0, 1, w);
        else
            lt_act_forward(act, row, 1, w);
    }
}

static void forward(lt_layer *l, const float *x, float *y, size_t n, bool train)
{
    (void)train;
    const struct dense_config *c = l->config;
    size_t units = (size_t)c->units, inputs = fan_in(l), rows = n * (l->in_size / inputs);
    struct pass p = {.l = l, .c = c, .x = x, .out = y, .rows = rows, .inputs = inputs,
                     .units = units, .blocks = blocks_for(units, rows * inputs * units)};
    lt_nn_parallel_for(forward_block, &p, p.blocks);
    if (c->activation == LT_ACT_SOFTMAX)
        lt_act_forward(LT_ACT_SOFTMAX, y, rows, units);
}

/* dy = dy * act'(z) for the rows of block B (of as many blocks as the
 * gradient pass has). */
static void activation_block(void *arg, size_t b)
{
    struct pass *p = arg;
    size_t r0, r1;
    share(p->rows, p->blocks, b, &r0, &r1);
    if (r0 < r1)
        lt_act_backward(p->c->activation, p->y + r0 * p->units, p->dy + r0 * p->units, r1 - r0,
                        p->units);
}

/* W -= RATE x^T dz (RATE > 0) or g = x^T dz on the kernel's rows [I0, I1),
 * for ROWS rows of x [rows, inputs] and dz [rows, units]. */
static void kernel_rows(lt_layer *l, const float *x, const float *dz, size_t rows, size_t inputs,
                        size_t units, size_t i0, size_t i1, float rate)
{
    float *kernel = rate > 0 ? l->w : l->g;
    lt_small_gemm_tn(i1 - i0, units, rows, x + i0, inputs, dz, units, rate > 0 ? -rate : 1.0f,
                     rate > 0 ? 1.0f : 0.0f, kernel + i0 * units, units);
}

/* The bias's part of the same. */
static void bias_rows(lt_layer *l, const float *dz, size_t rows, size_t inputs, size_t units,
                      float rate)
{
    float *bias = (rate > 0 ? l->w : l->g) + inputs * units;
    lt_column_sums(dz, rows, units, rate > 0 ? -rate : 1.0f, !(rate > 0), bias);
}

/* dz W^T into dx [rows, inputs], on the kernel's rows [i0, i1): dx's
 * columns [i0, i1). Not cblas_sgemm, whose bits change with the rows: a
 * share's 16 would not give the whole batch's numbers. */
static void input_rows(const lt_layer *l, const float *dz, size_t rows, size_t inputs, size_t units,
                       size_t i0, size_t i1, float *dx)
{
    lt_small_gemm_nt(rows, i1 - i0, units, dz, units, l->w + i0 * units, units, 1.0f, 0.0f, dx + i0,
                     inputs);
}

/* Gradient block B < blocks: the kernel's rows [i0, i1), which are also
 * dx's columns [i0, i1). The input gradient goes first: with sgd_rate set,
 * those rows of W change next (and no other block reads them). Block
 * `blocks` is the bias. */
static void gradient_block(void *arg, size_t b)
{
    struct pass *p = arg;
    lt_layer *l = p->l;
    if (b == p->blocks) {
        bias_rows(l, p->dy, p->rows, p->inputs, p->units, l->sgd_rate);
        return;
    }
    size_t i0, i1;
    share(p->inputs, p->blocks, b, &i0, &i1);
    if (i0 == i1)
        return;
    if (p->dx)
        input_rows(l, p->dy, p->rows, p->inputs, p->units, i0, i1, p->dx);
    kernel_rows(l, p->x, p->dy, p->rows, p->inputs, p->units, i0, i1, l->sgd_rate);
}

static void backward(lt_layer *l, const float *x, const float *y, float *dy, float *dx,
                     size_t n)
{
    const struct dense_config *c = l->config;
    size_t units = (size_t)c->units, inputs = fan_in(l), rows = n * (l->in_size / inputs);
    struct pass p = {.l = l, .c = c, .x = x, .y = y, .dy = dy, .dx = dx, .rows = rows,
                     .inputs = inputs, .units = units,
                     .blocks = blocks_for(inputs, rows * inputs * units)};
    /* dy becomes dL/dz for z = x W + b. */
    if (c->activation != LT_ACT_LINEAR)
        lt_nn_parallel_for(activation_block, &p, p.blocks);
    lt_nn_parallel_for(gradient_block, &p, p.blocks + (c->use_bias ? 1 : 0));
}

bool lt_dense_is(const lt_layer *l)
{
    return l->kind == &lt_layer_dense;
}

/* The rows of the products for N samples. */
static size_t rows_of(const lt_layer *l, size_t n)
{
    return n * (l->in_size / fan_in(l));
}

void lt_dense_input_grad(const lt_layer *l, const float *y, float *dy, float *dx, size_t n)
{
    const struct dense_config *c = l->config;
    size_t units = (size_t)c->units, inputs = fan_in(l), rows = rows_of(l, n);
    if (c->activation != LT_ACT_LINEAR)
        lt_act_backward(c->activation, y, dy, rows, units);
    if (dx)
        input_rows(l, dy, rows, inputs, units, 0, inputs, dx);
}

void lt_dense_kernel_grad(lt_layer *l, const float *x, const float *dz, size_t n, size_t i0,
                          size_t i1, float sgd_rate)
{
    const struct dense_config *c = l->config;
    kernel_rows(l, x, dz, rows_of(l, n), fan_in(l), (size_t)c->units, i0, i1, sgd_rate);
}

void lt_dense_bias_grad(lt_layer *l, const float *dz, size_t n, float sgd_rate)
{
    const struct dense_config *c = l->config;
    if (c->use_bias)
        bias_rows(l, dz, rows_of(l, n), fan_in(l), (size_t)c->units, sgd_rate);
}

static bool affine(const void *config)
{
    const struct dense_config *c = config;
    return c->activation == LT_ACT_LINEAR;
}

const lt_layer_kind lt_layer_dense = {
    .spec = {.name = "dense",
             .summary = "fully connected layer on the last axis: act(x W + b)",
             .params = params,
             .n_params = LT_COUNT(params),
             .config_size = sizeof(struct dense_config)},
    .infer = infer,
    .plan = plan,
    .init = init,
    .forward = forward,
    .backward = backward,
    .affine = affine,
    .fuses_sgd = true,
    .by_rows = lt_layer_always_by_rows,
};
