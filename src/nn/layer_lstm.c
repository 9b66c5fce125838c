/* lstm: long short-term memory, Keras's LSTM layer.
 *
 * With gates in Keras's order i, f, c, o and z_t = x_t W + h_{t-1} R + b:
 *   i = ra(z_i)  f = ra(z_f)  g = a(z_c)  o = ra(z_o)
 *   c_t = f c_{t-1} + i g     h_t = o a(c_t)
 * from h_{-1} = c_{-1} = 0, where a is `activation` (tanh) and ra is
 * `recurrent_activation` (sigmoid). Keras's unit_forget_bias starts the
 * forget gate's bias at 1. Weights: W [F, 4U], R [U, 4U], b [4U].
 *
 * Forward: one sgemm projects every step's input; then per step one sgemm
 * adds h_{t-1} R for the whole batch before the cell update. Backward
 * through time runs the steps in reverse with one sgemm per step for
 * dL/dh_{t-1}; the weight gradients are three sgemms at the end.
 *
 * Cache per sample: the activated gates [T, 4U] (overwritten with dL/dz by
 * the backward pass), the cell states c [T, U] and a(c) [T, U], and the
 * states h [T, U] when they are not the output. Scratch: dL/dh and dL/dc
 * flowing back from the next step, and one sample's gate gradients. */
#include <string.h>

#include "nn/fastact.h"
#include "nn/recurrent.h"
#include "nn/smallmm.h"
#include "nn/vecact.h"

struct lstm_config {
    lt_rnn_config rnn;
    bool unit_forget_bias;
};

#define CFG struct lstm_config
static const lt_param params[] = {
    LT_RNN_PARAMS(CFG),
    LT_BOOL(CFG, unit_forget_bias, true,
            "start the forget gate's bias at 1 (Keras's default), the other biases at 0"),
};
#undef CFG

enum { GATES = 4 };

static int infer(const void *config, const lt_nn_shape *in, lt_nn_shape *out, lt_diag *d)
{
    const struct lstm_config *c = config;
    return lt_rnn_infer(&c->rnn, in, out, d);
}

static int plan(lt_layer *l)
{
    const struct lstm_config *c = l->config;
    lt_rnn_dims d = lt_rnn_dims_of(l, GATES);
    size_t t = d.steps, u = d.units, g = d.gates;
    l->n_weights = (d.features + u) * g + (c->rnn.use_bias ? g : 0);
    l->cache_size = t * g + 2 * t * u + (c->rnn.return_sequences ? 0 : t * u);
    l->scratch_size = 2 * u + g;
    return 0;
}

static void init(lt_layer *l, lt_rng *rng)
{
    const struct lstm_config *c = l->config;
    lt_rnn_dims d = lt_rnn_dims_of(l, GATES);
    lt_rnn_init(l, &d, rng);
    if (c->rnn.use_bias && c->unit_forget_bias) {
        float *forget = l->w + (d.features + d.units) * d.gates + d.units;
        for (size_t j = 0; j < d.units; j++)
            forget[j] = 1.0f;
    }
}

/* The cache of n samples, carved into its parts ([n * T, 4U] and
 * [n * T, U] each); `states` is NULL when the output holds them. */
struct lstm_cache {
    float *gates, *cell, *squashed, *states;
};

static struct lstm_cache carve(const lt_layer *l, const lt_rnn_dims *d, size_t n)
{
    const struct lstm_config *c = l->config;
    size_t rows = n * d->steps;
    struct lstm_cache k = {.gates = l->cache};
    k.cell = k.gates + rows * d->gates;
    k.squashed = k.cell + rows * d->units;
    k.states = c->rnn.return_sequences ? NULL : k.squashed + rows * d->units;
    return k;
}

/* One sample's cell update at one step: z holds the pre-activations and
 * leaves with the activated gates; c_prev is NULL at the first step. */
static void cell_forward(const lt_rnn_config *c, size_t u, float *z, const float *c_prev,
                         float *cell, float *squashed, float *h)
{
    float *i = z, *f = z + u, *g = z + 2 * u, *o = z + 3 * u;
    lt_act_gates(c->recurrent_activation, i, 2, u); /* i and f, side by side */
    lt_act_row(c->activation, g, u);
    lt_act_row(c->recurrent_activation, o, u);
    for (size_t j = 0; j < u; j++)
        cell[j] = c_prev ? f[j] * c_prev[j] + i[j] * g[j] : i[j] * g[j];
    memcpy(squashed, cell, u * sizeof *cell);
    lt_act_row(c->activation, squashed, u);
    for (size_t j = 0; j < u; j++)
        h[j] = o[j] * squashed[j];
}

/* Whether the cell is Keras's default (tanh, sigmoid gates), which the
 * fused steps below compute in one pass over each sample's units. */
static bool default_cell(const lt_rnn_config *c)
{
    return c->activation == LT_ACT_TANH && c->recurrent_activation == LT_ACT_SIGMOID;
}

/* cell_forward of the default cell on the 16 units from unit J on (of U),
 * in registers. */
LT_VF_INLINE void block_forward(size_t u, size_t j, float *z, const float *c_prev, float *c,
                                float *sq, float *h)
{
    lt_vf i, f, gg, o, cv, a;
    lt_vf_load(&i, z + j);
    lt_vf_load(&f, z + u + j);
    lt_vf_load(&gg, z + 2 * u + j);
    lt_vf_load(&o, z + 3 * u + j);
    lt_vf_sigmoid(&i);
    lt_vf_sigmoid(&f);
    lt_vf_tanh(&gg);
    lt_vf_sigmoid(&o);
    if (c_prev) {
        lt_vf cp;
        lt_vf_load(&cp, c_prev + j);
        cv = f * cp + i * gg;
    } else {
        cv = i * gg;
    }
    a = cv;
    lt_vf_tanh(&a);
    lt_vf h_new = o * a;
    lt_vf_store(z + j, &i);
    lt_vf_store(z + u + j, &f);
    lt_vf_store(z + 2 * u + j, &gg);
    lt_vf_store(z + 3 * u + j, &o);
    lt_vf_store(c + j, &cv);
    lt_vf_store(sq + j, &a);
    lt_vf_store(h + j, &h_new);
}

/* The gates of units [j, j + w) of row z (of U units) to or from a padded
 * row of LT_VF_LANES units, tz: the fused steps' last, partial block. */
static void gates_to_pad(float *tz, const float *z, size_t u, size_t j, size_t w)
{
    for (size_t k = 0; k < GATES; k++)
        memcpy(tz + k * LT_VF_LANES, z + k * u + j, w * sizeof *tz);
}

static void gates_from_pad(float *z, const float *tz, size_t u, size_t j, size_t w)
{
    for (size_t k = 0; k < GATES; k++)
        memcpy(z + k * u + j, tz + k * LT_VF_LANES, w * sizeof *tz);
}

/* cell_forward of the default cell for step T of n samples (rows s T' + t
 * of the [n * T', .] matrices, T' = steps), 16 units at a time: the five
 * squashings of a block of units, the cell update and the output while
 * they are in registers, where cell_forward makes six passes over the row
 * with a function call and a scalar tail each (4 of 100 units, 14 of 30).
 * The same operations on every value, so the same bits. */
LT_VF_CLONES static void step_forward(size_t n, size_t steps, size_t t, size_t u, float *gates,
                                      float *cell, float *squashed, float *states)
{
    size_t g = GATES * u;
    for (size_t s = 0; s < n; s++) {
        size_t row = s * steps + t, j = 0;
        float *z = gates + row * g, *c = cell + row * u, *sq = squashed + row * u;
        float *h = states + row * u;
        const float *c_prev = t ? c - u : NULL;
        for (; j + LT_VF_LANES <= u; j += LT_VF_LANES)
            block_forward(u, j, z, c_prev, c, sq, h);
        if (j == u)
            continue;
        /* The last units through padded copies, laid out as a row of 16
         * units, so that every block is whole vectors in registers. */
        enum { L = LT_VF_LANES };
        size_t w = u - j;
        float tz[GATES * L] = {0}, tc_prev[L] = {0}, tc[L], tsq[L], th[L];
        gates_to_pad(tz, z, u, j, w);
        if (c_prev)
            memcpy(tc_prev, c_prev + j, w * sizeof *tc_prev);
        block_forward(L, 0, tz, c_prev ? tc_prev : NULL, tc, tsq, th);
        gates_from_pad(z, tz, u, j, w);
        memcpy(c + j, tc, w * sizeof *tc);
        memcpy(sq + j, tsq, w * sizeof *tsq);
        memcpy(h + j, th, w * sizeof *th);
    }
}

static void forward(lt_layer *l, const float *x, float *y, size_t n, bool train)
{
    (void)train;
    const struct lstm_config *c = l->config;
    lt_rnn_dims d = lt_rnn_dims_of(l, GATES);
    size_t steps = d.steps, u = d.units, g = d.gates;
    struct lstm_cache k = carve(l, &d, n);
    float *states = k.states ? k.states : y;
    const float *r = l->w + d.features * g, *bias = c->rnn.use_bias ? r + u * g : NULL;
    lt_rnn_project(l, &d, x, n * steps, bias, k.gates);
    for (size_t t = 0; t < steps; t++) {
        if (t > 0)
            lt_small_gemm(n, g, u, states + (t - 1) * u, steps * u, r, g, 1.0f, 1.0f, k.gates + t * g,
                          steps * g);
        if (default_cell(&c->rnn)) {
            step_forward(n, steps, t, u, k.gates, k.cell, k.squashed, states);
            continue;
        }
        for (size_t s = 0; s < n; s++) {
            size_t row = s * steps + t;
            cell_forward(&c->rnn, u, k.gates + row * g, t ? k.cell + (row - 1) * u : NULL,
                         k.cell + row * u, k.squashed + row * u, states + row * u);
        }
    }
    if (k.states)
        for (size_t s = 0; s < n; s++)
            memcpy(y + s * u, k.states + (s * steps + steps - 1) * u, u * sizeof *y);
}

/* One sample's step backwards. dh is dL/dh_t; dc comes in as dL/dc_t
 * through later steps and leaves as dL/dc_{t-1}; z holds the activated
 * gates and leaves with dL/dz. tmp has room for 4U values. */
static void cell_backward(const lt_rnn_config *c, size_t u, float *z, const float *c_prev,
                          const float *squashed, const float *dh, float *dc, float *tmp)
{
    const float *i = z, *f = z + u, *g = z + 2 * u, *o = z + 3 * u;
    float *di = tmp, *df = tmp + u, *dg = tmp + 2 * u, *d_o = tmp + 3 * u;
    for (size_t j = 0; j < u; j++) {
        d_o[j] = dh[j] * squashed[j];
        di[j] = dh[j] * o[j]; /* for now dL/da(c_t) */
    }
    lt_act_backward(c->activation, squashed, di, 1, u);
    for (size_t j = 0; j < u; j++) {
        dc[j] += di[j];
        di[j] = dc[j] * g[j];
        dg[j] = dc[j] * i[j];
        df[j] = c_prev ? dc[j] * c_prev[j] : 0.0f;
        dc[j] *= f[j];
    }
    lt_act_backward(c->recurrent_activation, i, di, 1, u);
    lt_act_backward(c->recurrent_activation, f, df, 1, u);
    lt_act_backward(c->activation, g, dg, 1, u);
    lt_act_backward(c->recurrent_activation, o, d_o, 1, u);
    memcpy(z, tmp, 4 * u * sizeof *z);
}

/* cell_backward of the default cell on the 16 units from unit J on, as
 * block_forward; dys (NULL: none) is the output's gradient to add to dh. */
LT_VF_INLINE void block_backward(size_t u, size_t j, float *z, const float *c_prev,
                                 const float *sq, const float *dh, const float *dys, float *dc)
{
    lt_vf i, f, gg, o, a, d, dcv;
    lt_vf_load(&i, z + j);
    lt_vf_load(&f, z + u + j);
    lt_vf_load(&gg, z + 2 * u + j);
    lt_vf_load(&o, z + 3 * u + j);
    lt_vf_load(&a, sq + j);
    lt_vf_load(&d, dh + j);
    lt_vf_load(&dcv, dc + j);
    if (dys) {
        lt_vf e;
        lt_vf_load(&e, dys + j);
        d = d + e;
    }
    lt_vf d_o = d * a, da = d * o;
    da = da * (1.0f - a * a);
    dcv = dcv + da;
    lt_vf di = dcv * gg, dg = dcv * i, df = (lt_vf){0};
    if (c_prev) {
        lt_vf cp;
        lt_vf_load(&cp, c_prev + j);
        df = dcv * cp;
    }
    dcv = dcv * f;
    di = di * (i * (1.0f - i));
    df = df * (f * (1.0f - f));
    dg = dg * (1.0f - gg * gg);
    d_o = d_o * (o * (1.0f - o));
    lt_vf_store(z + j, &di);
    lt_vf_store(z + u + j, &df);
    lt_vf_store(z + 2 * u + j, &dg);
    lt_vf_store(z + 3 * u + j, &d_o);
    lt_vf_store(dc + j, &dcv);
}

/* cell_backward of the default cell for step T of n samples in one pass
 * over each sample's units, as step_forward: dh [n, U] is dL/dh_t from
 * later steps, to which the output's gradient in dy adds (lt_rnn_step_dy);
 * dc [n, U] as in cell_backward. dh is only read. */
LT_VF_CLONES static void step_backward(const lt_rnn_config *c, size_t n, size_t steps, size_t t,
                                       float *gates, const float *cell, const float *squashed,
                                       const float *dh, const float *dy, float *dc)
{
    size_t u = (size_t)c->units, g = GATES * u;
    for (size_t s = 0; s < n; s++) {
        size_t row = s * steps + t, j = 0;
        float *z = gates + row * g, *dcs = dc + s * u;
        const float *sq = squashed + row * u, *dhs = dh + s * u;
        const float *c_prev = t ? cell + (row - 1) * u : NULL;
        const float *dys = lt_rnn_step_dy(c, dy, steps, s, t);
        for (; j + LT_VF_LANES <= u; j += LT_VF_LANES)
            block_backward(u, j, z, c_prev, sq, dhs, dys, dcs);
        if (j == u)
            continue;
        enum { L = LT_VF_LANES };
        size_t w = u - j;
        float tz[GATES * L] = {0}, tc_prev[L] = {0}, tsq[L] = {0}, tdh[L] = {0}, tdy[L] = {0};
        float tdc[L] = {0};
        gates_to_pad(tz, z, u, j, w);
        if (c_prev)
            memcpy(tc_prev, c_prev + j, w * sizeof *tc_prev);
        memcpy(tsq, sq + j, w * sizeof *tsq);
        memcpy(tdh, dhs + j, w * sizeof *tdh);
        if (dys)
            memcpy(tdy, dys + j, w * sizeof *tdy);
        memcpy(tdc, dcs + j, w * sizeof *tdc);
        block_backward(L, 0, tz, c_prev ? tc_prev : NULL, tsq, tdh, dys ? tdy : NULL, tdc);
        gates_from_pad(z, tz, u, j, w);
        memcpy(dcs + j, tdc, w * sizeof *tdc);
    }
}

static void backward(lt_layer *l, const float *x, const float *y, float *dy, float *dx,
                     size_t n)
{
    const struct lstm_config *c = l->config;
    lt_rnn_dims d = lt_rnn_dims_of(l, GATES);
    size_t steps = d.steps, u = d.units, g = d.gates;
    struct lstm_cache k = carve(l, &d, n);
    const float *states = k.states ? k.states : y;
    float *dh = l->scratch, *dc = dh + n * u, *tmp = dc + n * u;
    const float *rt = lt_rnn_recurrent_transposed(l, &d);
    memset(dh, 0, 2 * n * u * sizeof *dh);
    for (size_t t = steps; t-- > 0;) {
        if (default_cell(&c->rnn)) {
            step_backward(&c->rnn, n, steps, t, k.gates, k.cell, k.squashed, dh, dy, dc);
        } else {
            for (size_t s = 0; s < n; s++) {
                size_t row = s * steps + t;
                float *dhs = dh + s * u;
                const float *dys = lt_rnn_step_dy(&c->rnn, dy, steps, s, t);
                for (size_t j = 0; dys && j < u; j++)
                    dhs[j] += dys[j];
                cell_backward(&c->rnn, u, k.gates + row * g, t ? k.cell + (row - 1) * u : NULL,
                              k.squashed + row * u, dhs, dc + s * u, tmp);
            }
        }
        if (t > 0) /* dL/dh_{t-1} = dL/dz_t R^T */
            lt_small_gemm(n, u, g, k.gates + t * g, steps * g, rt, u, 1.0f, 0.0f, dh, u);
    }
    lt_rnn_input_grads(l, &d, x, k.gates, n * steps, dx);
    if (c->rnn.use_bias)
        lt_rnn_column_sums(k.gates, n * steps, g, l->g + (d.features + u) * g);
    lt_rnn_recurrent_grad(l, &d, states, k.gates, n);
}

const lt_layer_kind lt_layer_lstm = {
    .spec = {.name = "lstm",
             .summary = "long short-term memory over a sequence [timesteps, features] (Keras's "
                        "LSTM)",
             .params = params,
             .n_params = LT_COUNT(params),
             .config_size = sizeof(struct lstm_config)},
    .infer = infer,
    .plan = plan,
    .init = init,
    .forward = forward,
    .backward = backward,
    .by_rows = lt_layer_always_by_rows,
};
