/* The layer interface of the network engine.
 *
 * A layer kind is declared like a stage kind: an lt_spec_def (name, summary,
 * parameter table, config size) that the runner binds from the pipeline's
 * `{dense: {units: 30}}` items, extended with the operations below. As in
 * kann, a kind's shape rule, forward and backward sit side by side in one
 * file (layer_dense.c, layer_flatten.c, ...).
 *
 * A network uses a kind in four steps:
 *   1. infer   the output shape from the input shape, before any allocation:
 *              at `latent validate` time with shapes partly unknown, at run
 *              time with the data's shape;
 *   2. plan    with the shapes known: how many weights, and how many floats
 *              per sample the layer keeps from forward to backward (cache) or
 *              needs as scratch; the network allocates all of it once, for
 *              its largest batch, so no pass allocates;
 *   3. init    the weights;
 *   4. forward and backward, batch after batch.
 * A `view` kind (flatten, reshape) only reinterprets its input's shape: the
 * network passes the same buffer on and skips it in the backward pass.
 *
 * Data layout: a batch of n samples is n consecutive rows of the sample's
 * size, each row the per-sample tensor in row-major (channels-last) order.
 *
 * The convolutional and recurrent layers fit the same mould: conv2d keeps
 * its im2col matrix in scratch (or in cache, to reuse it in backward),
 * dropout keeps its mask in cache and draws from l->rng when train is set,
 * an LSTM keeps its gates for every time step in cache for backpropagation
 * through time, and a wrapper (time_distributed) holds its inner layer in
 * state. */
#ifndef LATENT_NN_LAYER_H
#define LATENT_NN_LAYER_H

#include <stdbool.h>
#include <stddef.h>

#include "latent/stage.h"
#include "math/rng.h"
#include "nn/shape.h"
#include "util/diag.h"

typedef struct lt_layer lt_layer;

typedef struct lt_layer_kind {
    lt_spec_def spec; /* first: an lt_spec's def leads back here */
    bool view;        /* output is the input, reshaped: no copy, no gradient */
    bool fuses_sgd;   /* backward honours l->sgd_rate (see struct lt_layer) */

    /* Writes the output shape for input shape IN (dimensions may be
     * unknown: pass them on as unknown). When the layer cannot take IN, or
     * its config is inconsistent, records one problem naming the shapes in
     * D (lt_layer_refuse; D may be NULL) and returns -1; else returns 0. */
    int (*infer)(const void *config, const lt_nn_shape *in, lt_nn_shape *out, lt_diag *d);
    /* With l->in and l->out known: sets l->n_weights, l->cache_size and
     * l->scratch_size (floats per sample), and may allocate l->state.
     * Returns 0, or -1 when out of memory. NULL: no weights, no buffers. */
    int (*plan)(lt_layer *l);
    /* Fills l->w with initial weights. NULL when the kind has none. */
    void (*init)(lt_layer *l, lt_rng *rng);
    /* y = f(x) for n samples (n <= the network's batch). train is true
     * while training (for dropout and noise, which draw from l->rng). */
    void (*forward)(lt_layer *l, const float *x, float *y, size_t n, bool train);
    /* Given the forward pass's x and y and dy = dL/dy (which it may
     * overwrite), sets l->g = dL/dw for this batch and, when dx is not
     * NULL, dx = dL/dx. */
    void (*backward)(lt_layer *l, const float *x, const float *y, float *dy, float *dx,
                     size_t n);
    /* True when threads may each take a share of a batch's rows through
     * the layer, each on its own replica of the network (nn/shares.h):
     * every sample's output and gradient depend on that sample alone, and
     * the passes neither draw from l->rng nor write to l->state (which
     * replicas share). NULL: never. */
    bool (*by_rows)(const lt_layer *l);
    /* True when, with CONFIG, the output is an affine function of the input
     * (a dense layer without activation). NULL: never, unless a view. */
    bool (*affine)(const void *config);
    /* Frees l->state. NULL when plan allocates nothing. */
    void (*release)(lt_layer *l);
} lt_layer_kind;

/* One layer of a network. The network owns the buffers the pointers lead
 * to; the config is borrowed from the stage's bound parameters. */
struct lt_layer {
    const lt_layer_kind *kind;
    const void *config;
    lt_nn_shape in, out;
    size_t in_size, out_size;  /* floats per sample */
    size_t n_weights;          /* set by plan */
    size_t cache_size;         /* floats per sample kept from forward to backward */
    size_t scratch_size;       /* floats per sample of scratch, shared by all layers */
    float *w, *g;              /* n_weights weights and their gradient */
    float *cache, *scratch;    /* batch * cache_size, batch * scratch_size */
    lt_rng *rng;               /* the network's training-time stream */
    /* Plain SGD fused into the backward pass: when > 0, backward applies
     * w -= sgd_rate * dL/dw itself (after computing dx from the old w) and
     * leaves g alone, saving a pass over weights and gradients. Set by
     * the trainer, only for kinds with fuses_sgd. */
    float sgd_rate;
    void *state;               /* the kind's own, owned through release */
};

static inline const lt_layer_kind *lt_layer_kind_of(const lt_spec *s)
{
    return (const lt_layer_kind *)s->def;
}

extern const lt_layer_kind lt_layer_dense, lt_layer_flatten, lt_layer_reshape;
extern const lt_layer_kind lt_layer_gaussian_noise, lt_layer_dropout;
extern const lt_layer_kind lt_layer_conv2d, lt_layer_maxpool2d, lt_layer_upsampling2d,
    lt_layer_conv2d_transpose;
extern const lt_layer_kind lt_layer_lstm, lt_layer_gru, lt_layer_repeat_vector,
    lt_layer_time_distributed;

/* Every layer kind, NULL-terminated: the kinds of an LT_SPECS parameter. */
extern const lt_spec_def *const lt_layer_kinds[];

/* A by_rows for kinds that always qualify. */
bool lt_layer_always_by_rows(const lt_layer *l);
/* An infer for layers whose output has the input's shape; never fails. */
int lt_layer_same_shape(const void *config, const lt_nn_shape *in, lt_nn_shape *out, lt_diag *d);

/* Records in D (NULL: nowhere) why a layer refuses its input or config,
 * with code "param.value" and as path the layer's parameter at fault
 * ("kernel_size", "layer.units" inside a wrapper; NULL: the layer as a
 * whole), relative to the layer: the stage that owns the layer puts it in
 * place (lt_ctx_take_item). Returns -1, infer's failure. */
int lt_layer_refuse(lt_diag *d, const char *param, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
