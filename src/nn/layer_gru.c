/* gru: gated recurrent unit, Keras 2's GRU layer (reset_after=True, the
 * variant cuDNN and PyTorch compute too).
 *
 * With gates in Keras's order z (update), r (reset), h (candidate), the
 * input part x_t W + b_in and the recurrent part h_{t-1} R + b_rec:
 *   z = ra(x_z + rec_z)   r = ra(x_r + rec_r)   hh = a(x_h + r rec_h)
 *   h_t = z h_{t-1} + (1 - z) hh
 * from h_{-1} = 0, where a is `activation` (tanh) and ra is
 * `recurrent_activation` (sigmoid). Weights: W [F, 3U], R [U, 3U] and the
 * biases [2, 3U] (input row, then recurrent row).
 *
 * Forward: one sgemm projects every step's input; per step one sgemm forms
 * the recurrent part of the whole batch. Backward through time: one sgemm
 * per step for dL/dh_{t-1}, the weight gradients at the end.
 *
 * Cache per sample: the input part of the gates [T, 3U] (activated in
 * place, then overwritten with its gradient by the backward pass), rec_h
 * [T, U], and the states [T, U] when they are not the output. Scratch: the
 * recurrent part of one step (forward); its gradient at every step and
 * dL/dh flowing back (backward). */
#include <string.h>

#include "nn/fastact.h"
#include "nn/recurrent.h"
#include "nn/smallmm.h"

struct gru_config {
    lt_rnn_config rnn;
};

static const lt_param params[] = {
    LT_RNN_PARAMS(struct gru_config),
};

enum { GATES = 3 };

static int infer(const void *config, const lt_nn_shape *in, lt_nn_shape *out, lt_diag *d)
{
    const struct gru_config *c = config;
    return lt_rnn_infer(&c->rnn, in, out, d);
}

static int plan(lt_layer *l)
{
    const struct gru_config *c = l->config;
    lt_rnn_dims d = lt_rnn_dims_of(l, GATES);
    size_t t = d.steps, u = d.units, g = d.gates;
    l->n_weights = (d.features + u) * g + (c->rnn.use_bias ? 2 * g : 0);
    l->cache_size = t * g + t * u + (c->rnn.return_sequences ? 0 : t * u);
    l->scratch_size = t * g + u;
    return 0;
}

static void init(lt_layer *l, lt_rng *rng)
{
    lt_rnn_dims d = lt_rnn_dims_of(l, GATES);
    lt_rnn_init(l, &d, rng);
}

/* The cache of n samples, carved into its parts; `states` is NULL when
 * the output holds them. */
struct gru_cache {
    float *gates, *rec_h, *states; /* [n * T, 3U], [n * T, U], [n * T, U] */
};

static struct gru_cache carve(const lt_layer *l, const lt_rnn_dims *d, size_t n)
{
    const struct gru_config *c = l->config;
    size_t rows = n * d->steps;
    struct gru_cache k = {.gates = l->cache};
    k.rec_h = k.gates + rows * d->gates;
    k.states = c->rnn.return_sequences ? NULL : k.rec_h + rows * d->units;
    return k;
}

/* One sample's step: z holds the input part and leaves with the activated
 * z, r and hh; rec is the recurrent part; h_prev is NULL at step 0. */
static void cell_forward(const lt_rnn_config *c, size_t u, float *z, const float *rec,
                         const float *h_prev, float *rec_h, float *h)
{
    float *zg = z, *rg = z + u, *hh = z + 2 * u;
    for (size_t j = 0; j < 2 * u; j++)
        z[j] += rec[j];
    lt_act_gates(c->recurrent_activation, zg, 2, u); /* z and r, side by side */
    memcpy(rec_h, rec + 2 * u, u * sizeof *rec_h);
    for (size_t j = 0; j < u; j++)
        hh[j] += rg[j] * rec_h[j];
    lt_act_row(c->activation, hh, u);
    for (size_t j = 0; j < u; j++)
        h[j] = h_prev ? zg[j] * h_prev[j] + (1.0f - zg[j]) * hh[j] : (1.0f - zg[j]) * hh[j];
}

static void forward(lt_layer *l, const float *x, float *y, size_t n, bool train)
{
    (void)train;
    const struct gru_config *c = l->config;
    lt_rnn_dims d = lt_rnn_dims_of(l, GATES);
    size_t steps = d.steps, u = d.units, g = d.gates;
    struct gru_cache k = carve(l, &d, n);
    float *states = k.states ? k.states : y, *rec = l->scratch;
    const float *r = l->w + d.features * g;
    const float *b_in = c->rnn.use_bias ? r + u * g : NULL, *b_rec = b_in ? b_in + g : NULL;
    lt_rnn_project(l, &d, x, n * steps, b_in, k.gates);
    for (size_t t = 0; t < steps; t++) {
        for (size_t s = 0; s < n; s++) {
            if (b_rec)
                memcpy(rec + s * g, b_rec, g * sizeof *rec);
            else
                memset(rec + s * g, 0, g * sizeof *rec);
        }
        if (t > 0)
            lt_small_gemm(n, g, u, states + (t - 1) * u, steps * u, r, g, 1.0f, 1.0f, rec, g);
        for (size_t s = 0; s < n; s++) {
            size_t row = s * steps + t;
            cell_forward(&c->rnn, u, k.gates + row * g, rec + s * g,
                         t ? states + (row - 1) * u : NULL, k.rec_h + row * u, states + row * u);
        }
    }
    if (k.states)
        for (size_t s = 0; s < n; s++)
            memcpy(y + s * u, k.states + (s * steps + steps - 1) * u, u * sizeof *y);
}

/* One sample's step backwards. dh comes in as dL/dh_t and leaves as its
 * direct share of dL/dh_{t-1} (the share through R is added later); z
 * holds the activated gates and leaves with dL/d(input part); drec gets
 * dL/d(recurrent part). */
static void cell_backward(const lt_rnn_config *c, size_t u, float *z, const float *rec_h,
                          const float *h_prev, float *dh, float *drec)
{
    const float *zg = z, *rg = z + u, *hh = z + 2 * u;
    float *dz = drec, *dr = drec + u, *dhh = drec + 2 * u;
    for (size_t j = 0; j < u; j++) {
        dz[j] = dh[j] * ((h_prev ? h_prev[j] : 0.0f) - hh[j]);
        dhh[j] = dh[j] * (1.0f - zg[j]);
    }
    lt_act_backward(c->activation, hh, dhh, 1, u);
    for (size_t j = 0; j < u; j++)
        dr[j] = dhh[j] * rec_h[j];
    lt_act_backward(c->recurrent_activation, rg, dr, 1, u);
    lt_act_backward(c->recurrent_activation, zg, dz, 1, u);
    for (size_t j = 0; j < u; j++)
        dh[j] *= zg[j];
    /* The input part's gradient equals the recurrent part's except that r
     * scales the candidate's recurrent part. */
    memcpy(z + 2 * u, dhh, u * sizeof *z);
    for (size_t j = 0; j < u; j++)
        dhh[j] *= rg[j];
    memcpy(z, drec, 2 * u * sizeof *z);
}

static void backward(lt_layer *l, const float *x, const float *y, float *dy, float *dx,
                     size_t n)
{
    const struct gru_config *c = l->config;
    lt_rnn_dims d = lt_rnn_dims_of(l, GATES);
    size_t steps = d.steps, u = d.units, g = d.gates;
    struct gru_cache k = carve(l, &d, n);
    const float *states = k.states ? k.states : y;
    float *drec = l->scratch, *dh = drec + n * steps * g;
    const float *rt = lt_rnn_recurrent_transposed(l, &d);
    memset(dh, 0, n * u * sizeof *dh);
    for (size_t t = steps; t-- > 0;) {
        for (size_t s = 0; s < n; s++) {
            size_t row = s * steps + t;
            float *dhs = dh + s * u;
            const float *dys = lt_rnn_step_dy(&c->rnn, dy, steps, s, t);
            for (size_t j = 0; dys && j < u; j++)
                dhs[j] += dys[j];
            cell_backward(&c->rnn, u, k.gates + row * g, k.rec_h + row * u,
                          t ? states + (row - 1) * u : NULL, dhs, drec + row * g);
        }
        if (t > 0) /* dL/dh_{t-1} += dL/drec_t R^T */
            lt_small_gemm(n, u, g, drec + t * g, steps * g, rt, u, 1.0f, 1.0f, dh, u);
    }
    lt_rnn_input_grads(l, &d, x, k.gates, n * steps, dx);
    if (c->rnn.use_bias) {
        float *gb = l->g + (d.features + u) * g;
        lt_rnn_column_sums(k.gates, n * steps, g, gb);
        lt_rnn_column_sums(drec, n * steps, g, gb + g);
    }
    lt_rnn_recurrent_grad(l, &d, states, drec, n);
}

const lt_layer_kind lt_layer_gru = {
    .spec = {.name = "gru",
             .summary = "gated recurrent unit over a sequence [timesteps, features] (Keras's GRU, "
                        "reset_after)",
             .params = params,
             .n_params = LT_COUNT(params),
             .config_size = sizeof(struct gru_config)},
    .infer = infer,
    .plan = plan,
    .init = init,
    .forward = forward,
    .backward = backward,
    .by_rows = lt_layer_always_by_rows,
};
