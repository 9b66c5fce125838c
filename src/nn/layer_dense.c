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

/* Where the weights of the columns [j0, j1) lie: kernel row i at k + i *
 * ld, the bias at k + inputs * ld. In l->w (Keras's layout), k = l->w + j0
 * and ld = units; in a part's packed copy (lt_dense_pack), k is the copy
 * and ld the part's width. */
typedef struct cols {
    float *k;
    size_t ld, j0, j1;
} cols;

static cols in_layer(const lt_layer *l, float *base, size_t j0, size_t j1)
{
    const struct dense_config *c = l->config;
    return (cols){.k = base + j0, .ld = (size_t)c->units, .j0 = j0, .j1 = j1};
}

/* The columns Q of y = act(x W + b) for ROWS rows. Softmax, which
 * normalises whole rows, is left to the caller. */
static void forward_cols(const struct dense_config *c, cols q, const float *x, float *y,
                         size_t rows, size_t inputs)
{
    size_t w = q.j1 - q.j0, units = (size_t)c->units;
    lt_small_gemm(rows, w, inputs, x, inputs, q.k, q.ld, 1.0f, 0.0f, y + q.j0, units);
    lt_act act = c->activation == LT_ACT_SOFTMAX ? LT_ACT_LINEAR : c->activation;
    const float *bias = q.k + inputs * q.ld;
    for (size_t r = 0; r < rows; r++) {
        float *row = y + r * units + q.j0;
        if (c->use_bias)
            lt_act_forward_bias(act, row, bias, 1, w);
        else
            lt_act_forward(act, row, 1, w);
    }
}

/* Forward block B: its share of the columns. */
static void forward_block(void *arg, size_t b)
{
    struct pass *p = arg;
    size_t j0, j1;
    share(p->units, p->blocks, b, &j0, &j1);
    if (j0 < j1)
        forward_cols(p->c, in_layer(p->l, p->l->w, j0, j1), p->x, p->out, p->rows, p->inputs);
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

/* Where the units are cut for the input gradient (nn/dense.h): from 32
 * units on, near the middle at a multiple of 16, so that each part's
 * columns start on a whole vector of floats; fewer stay whole. */
static size_t cut_of(size_t units)
{
    return units < 32 ? units : (units + 16) / 32 * 16;
}

/* K -= RATE x^T dz (RATE > 0) or K = x^T dz, for the kernel's rows [I0,
 * I1) of the columns Q (K: their weights, or their gradient), from ROWS
 * rows of x [rows, inputs] and dz [rows, units]. */
static void kernel_block(cols q, const float *x, const float *dz, size_t rows, size_t inputs,
                         size_t units, size_t i0, size_t i1, float rate)
{
    lt_small_gemm_tn(i1 - i0, q.j1 - q.j0, rows, x + i0, inputs, dz + q.j0, units,
                     rate > 0 ? -rate : 1.0f, rate > 0 ? 1.0f : 0.0f, q.k + i0 * q.ld, q.ld);
}

/* The bias's part of the same. */
static void bias_cols(cols q, const float *dz, size_t rows, size_t inputs, size_t units,
                      float rate)
{
    lt_column_sums(dz + q.j0, rows, q.j1 - q.j0, units, rate > 0 ? -rate : 1.0f, !(rate > 0),
                   q.k + inputs * q.ld);
}

/* The sum over the columns Q of dz W^T, on the kernel's rows [i0, i1):
 * into dx's columns [i0, i1), or added to them. Not cblas_sgemm, whose
 * bits change with the rows: a share's rows would not give the whole
 * batch's numbers. */
static void input_part(cols q, const float *dz, size_t rows, size_t inputs, size_t units,
                       size_t i0, size_t i1, bool add, float *dx)
{
    lt_small_gemm_nt(rows, i1 - i0, q.j1 - q.j0, dz + q.j0, units, q.k + i0 * q.ld, q.ld, 1.0f,
                     add ? 1.0f : 0.0f, dx + i0, inputs);
}

/* dz W^T into dx [rows, inputs] on the kernel's rows [i0, i1): the first
 * part's sum plus the second's, as lt_dense_backward_part's callers add
 * them. */
static void input_rows(const lt_layer *l, const float *dz, size_t rows, size_t inputs, size_t units,
                       size_t i0, size_t i1, float *dx)
{
    size_t cut = cut_of(units);
    input_part(in_layer(l, l->w, 0, cut), dz, rows, inputs, units, i0, i1, false, dx);
    if (cut < units)
        input_part(in_layer(l, l->w, cut, units), dz, rows, inputs, units, i0, i1, true, dx);
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
        bias_cols(in_layer(l, l->sgd_rate > 0 ? l->w : l->g, 0, p->units), p->dy, p->rows,
                  p->inputs, p->units, l->sgd_rate);
        return;
    }
    size_t i0, i1;
    share(p->inputs, p->blocks, b, &i0, &i1);
    if (i0 == i1)
        return;
    if (p->dx)
        input_rows(l, p->dy, p->rows, p->inputs, p->units, i0, i1, p->dx);
    kernel_block(in_layer(l, l->sgd_rate > 0 ? l->w : l->g, 0, p->units), p->x, p->dy, p->rows,
                 p->inputs, p->units, i0, i1, l->sgd_rate);
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

bool lt_dense_by_parts(const lt_layer *l)
{
    const struct dense_config *c = l->config;
    return c->activation != LT_ACT_SOFTMAX;
}

size_t lt_dense_n_parts(const lt_layer *l)
{
    const struct dense_config *c = l->config;
    return cut_of((size_t)c->units) < (size_t)c->units ? 2 : 1;
}

void lt_dense_part(const lt_layer *l, size_t p, size_t *j0, size_t *j1)
{
    const struct dense_config *c = l->config;
    size_t units = (size_t)c->units, cut = cut_of(units);
    *j0 = p ? cut : 0;
    *j1 = p ? units : cut;
}

size_t lt_dense_part_floats(const lt_layer *l, size_t p)
{
    const struct dense_config *c = l->config;
    size_t j0, j1;
    lt_dense_part(l, p, &j0, &j1);
    return (fan_in(l) + (c->use_bias ? 1 : 0)) * (j1 - j0);
}

/* Part P's columns in PACKED, or those of l->w's Keras layout when NULL. */
static cols part_cols(const lt_layer *l, float *packed, size_t p)
{
    size_t j0, j1;
    lt_dense_part(l, p, &j0, &j1);
    return packed ? (cols){.k = packed, .ld = j1 - j0, .j0 = j0, .j1 = j1}
                  : in_layer(l, l->w, j0, j1);
}

/* Copies the rows of part P's kernel and its bias between l->w and PACKED. */
static void copy_part(const lt_layer *l, float *packed, size_t p, bool pack)
{
    const struct dense_config *c = l->config;
    cols w = part_cols(l, NULL, p), q = part_cols(l, packed, p);
    size_t bytes = (q.j1 - q.j0) * sizeof *q.k;
    for (size_t i = 0; i < fan_in(l) + (c->use_bias ? 1 : 0); i++)
        memcpy(pack ? q.k + i * q.ld : w.k + i * w.ld, pack ? w.k + i * w.ld : q.k + i * q.ld,
               bytes);
}

void lt_dense_pack(const lt_layer *l, size_t p, float *packed)
{
    copy_part(l, packed, p, true);
}

void lt_dense_unpack(lt_layer *l, size_t p, const float *packed)
{
    copy_part(l, (float *)packed, p, false);
}

void lt_dense_forward_part(const lt_layer *l, const float *packed, const float *x, float *y,
                           size_t n, size_t p)
{
    forward_cols(l->config, part_cols(l, (float *)packed, p), x, y, rows_of(l, n), fan_in(l));
}

void lt_dense_backward_part(lt_layer *l, float *packed, const float *x, const float *y, float *dy,
                            float *dx, size_t n, size_t p, float sgd_rate)
{
    const struct dense_config *c = l->config;
    size_t units = (size_t)c->units, inputs = fan_in(l), rows = rows_of(l, n);
    cols w = part_cols(l, packed, p);
    if (c->activation != LT_ACT_LINEAR)
        for (size_t r = 0; r < rows; r++)
            lt_act_backward(c->activation, y + r * units + w.j0, dy + r * units + w.j0, 1,
                            w.j1 - w.j0);
    if (dx)
        input_part(w, dy, rows, inputs, units, 0, inputs, false, dx);
    /* The step on the weights the input gradient just read, or the
     * gradient into l->g's columns. */
    cols target = sgd_rate > 0 ? w : in_layer(l, l->g, w.j0, w.j1);
    kernel_block(target, x, dy, rows, inputs, units, 0, inputs, sgd_rate);
    if (c->use_bias)
        bias_cols(target, dy, rows, inputs, units, sgd_rate);
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
