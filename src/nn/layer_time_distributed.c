/* time_distributed: one layer applied to every time step, Keras's
 * TimeDistributed. On an input [T, ...] the wrapped layer sees T samples
 * of shape [...] per sample, with one set of weights for all steps; its
 * output per step makes the output [T, ...out].
 *
 * The wrapped layer lives in the wrapper's state: it gets the wrapper's
 * weights, gradient, cache and scratch (each T times its own per-sample
 * size) before every call and runs on n * T rows. */
#include <stdio.h>
#include <stdlib.h>

#include "nn/layer.h"

struct time_distributed_config {
    lt_specs layer;
};

/* The kinds it can wrap: layers with weights or work of their own (a view
 * would need no wrapper), and not itself (its schema would never end). */
static const lt_spec_def *const wrappable[] = {&lt_layer_dense.spec, NULL};

static const lt_param params[] = {
    LT_SPECS(struct time_distributed_config, layer, LT_SINGLE | LT_REQUIRED, wrappable,
             "the layer applied to each step, e.g. {dense: {units: 28, activation: sigmoid}}"),
};

static const lt_spec *wrapped_spec(const void *config)
{
    return &((const struct time_distributed_config *)config)->layer.items[0];
}

/* The per-step shape of IN: [T, a, b] -> [a, b]. */
static lt_nn_shape step_shape(const lt_nn_shape *in)
{
    if (in->rank == LT_NN_UNKNOWN)
        return *in;
    lt_nn_shape s = {.rank = in->rank - 1};
    for (int i = 1; i < in->rank; i++)
        s.dim[i - 1] = in->dim[i];
    return s;
}

static int infer(const void *config, const lt_nn_shape *in, lt_nn_shape *out, lt_diag *d)
{
    const lt_spec *inner = wrapped_spec(config);
    char a[64];
    if (in->rank != LT_NN_UNKNOWN && in->rank < 2) {
        return lt_layer_refuse(d, NULL, "input %s is not a sequence [timesteps, ...]",
                               lt_nn_shape_text(in, a, sizeof a));
    }
    lt_nn_shape step = step_shape(in), step_out;
    /* The inner layer's reason, named after it and placed under `layer`. */
    lt_diag why = {.limit = 1};
    if (lt_layer_kind_of(inner)->infer(inner->config, &step, &step_out, &why) != 0) {
        const lt_diag_item *it = why.n ? &why.items[0] : NULL;
        char path[200];
        snprintf(path, sizeof path, "layer%s%s", it && it->path ? "." : "", it && it->path ? it->path : "");
        lt_layer_refuse(d, path, "%s: %s", inner->def->name,
                        it ? it->message : "cannot take its input (for want of memory)");
        lt_diag_clear(&why);
        return -1;
    }
    if (step_out.rank == LT_NN_UNKNOWN) {
        *out = step_out;
        return 0;
    }
    if (step_out.rank + 1 > LT_NN_MAX_RANK) {
        return lt_layer_refuse(d, "layer", "%s's output %s per step makes a tensor of rank %d; at most %d",
                               inner->def->name, lt_nn_shape_text(&step_out, a, sizeof a),
                               step_out.rank + 1, LT_NN_MAX_RANK);
    }
    out->rank = step_out.rank + 1;
    out->dim[0] = in->rank == LT_NN_UNKNOWN ? LT_NN_UNKNOWN : in->dim[0];
    for (int i = 0; i < step_out.rank; i++)
        out->dim[i + 1] = step_out.dim[i];
    return 0;
}

/* The wrapped layer, pointed at the wrapper's buffers: a copy, so that the
 * layer in state (which the network's replicas share) is only read. */
static lt_layer wrapped(const lt_layer *l)
{
    lt_layer inner = *(const lt_layer *)l->state;
    inner.w = l->w;
    inner.g = l->g;
    inner.cache = l->cache;
    inner.scratch = l->scratch;
    inner.rng = l->rng;
    return inner;
}

static int plan(lt_layer *l)
{
    const lt_spec *spec = wrapped_spec(l->config);
    lt_layer *inner = calloc(1, sizeof *inner);
    if (!(l->state = inner))
        return -1;
    inner->kind = lt_layer_kind_of(spec);
    inner->config = spec->config;
    inner->in = step_shape(&l->in);
    /* infer accepted these shapes before the network planned anything. */
    if (inner->kind->infer(inner->config, &inner->in, &inner->out, NULL) != 0)
        return -1;
    inner->in_size = lt_nn_shape_size(&inner->in);
    inner->out_size = lt_nn_shape_size(&inner->out);
    if (inner->kind->plan && inner->kind->plan(inner) != 0)
        return -1;
    size_t steps = (size_t)l->in.dim[0];
    l->n_weights = inner->n_weights;
    l->cache_size = steps * inner->cache_size;
    l->scratch_size = steps * inner->scratch_size;
    return 0;
}

static void init(lt_layer *l, lt_rng *rng)
{
    lt_layer inner = wrapped(l);
    if (inner.kind->init)
        inner.kind->init(&inner, rng);
}

static void forward(lt_layer *l, const float *x, float *y, size_t n, bool train)
{
    lt_layer inner = wrapped(l);
    inner.kind->forward(&inner, x, y, n * (size_t)l->in.dim[0], train);
}

static void backward(lt_layer *l, const float *x, const float *y, float *dy, float *dx,
                     size_t n)
{
    lt_layer inner = wrapped(l);
    inner.kind->backward(&inner, x, y, dy, dx, n * (size_t)l->in.dim[0]);
}

/* As the wrapped layer, which sees one step as a sample. */
static bool by_rows(const lt_layer *l)
{
    const lt_layer *inner = l->state;
    return inner->kind->by_rows && inner->kind->by_rows(inner);
}

static void release(lt_layer *l)
{
    lt_layer *inner = l->state;
    if (inner && inner->kind && inner->kind->release)
        inner->kind->release(inner);
    free(inner);
    l->state = NULL;
}

const lt_layer_kind lt_layer_time_distributed = {
    .spec = {.name = "time_distributed",
             .summary = "one layer applied to every time step, e.g. [28, 100] -> [28, 28] "
                        "(Keras's TimeDistributed)",
             .params = params,
             .n_params = LT_COUNT(params),
             .config_size = sizeof(struct time_distributed_config)},
    .infer = infer,
    .plan = plan,
    .init = init,
    .forward = forward,
    .backward = backward,
    .by_rows = by_rows,
    .release = release,
};
