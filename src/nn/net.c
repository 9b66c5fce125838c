#include "nn/net.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lt_net_infer(const lt_spec *specs, size_t n, const lt_nn_shape *in, lt_nn_shape *shapes,
                 size_t *bad, lt_diag *d)
{
    shapes[0] = *in;
    for (size_t i = 0; i < n; i++) {
        const lt_layer_kind *kind = lt_layer_kind_of(&specs[i]);
        if (kind->infer(specs[i].config, &shapes[i], &shapes[i + 1], d) != 0) {
            *bad = i;
            return -1;
        }
    }
    return 0;
}

/* a * b, or SIZE_MAX when it overflows. */
static size_t mul(size_t a, size_t b)
{
    return b && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

static size_t add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* Sets up the layers from their specs and inferred shapes, and plans them. */
static int plan_layers(lt_net *net, const lt_spec *specs, const lt_nn_shape *shapes, size_t *bad,
                       lt_diag *d)
{
    for (size_t i = 0; i < net->n_layers; i++) {
        lt_layer *l = &net->layers[i];
        l->kind = lt_layer_kind_of(&specs[i]);
        l->config = specs[i].config;
        l->in = shapes[i];
        l->out = shapes[i + 1];
        l->in_size = lt_nn_shape_size(&l->in);
        l->out_size = lt_nn_shape_size(&l->out);
        l->rng = &net->rng;
        if (!l->out_size) {
            char a[64];
            lt_layer_refuse(d, NULL, "cannot work out the output shape for input %s",
                            lt_nn_shape_text(&l->in, a, sizeof a));
            *bad = i;
            return LT_NET_ESHAPE;
        }
        if (l->kind->plan && l->kind->plan(l) != 0)
            return LT_NET_ENOMEM;
    }
    return LT_NET_OK;
}

/* Carves every per-batch buffer out of one block. */
static int allocate(lt_net *net)
{
    size_t b = net->batch, total = 0, widest = net->in_size, scratch = 0;
    for (size_t i = 0; i < net->n_layers; i++) {
        const lt_layer *l = &net->layers[i];
        if (!l->kind->view)
            total = add(total, mul(b, l->out_size));
        total = add(total, mul(b, l->cache_size));
        widest = widest > l->out_size ? widest : l->out_size;
        scratch = scratch > l->scratch_size ? scratch : l->scratch_size;
    }
    total = add(total, mul(b, scratch));
    total = add(total, mul(2 * b, widest));
    net->act = calloc(net->n_layers + 1, sizeof *net->act);
    net->out = calloc(net->n_layers ? net->n_layers : 1, sizeof *net->out);
    net->w = calloc(net->n_weights ? net->n_weights : 1, sizeof *net->w);
    net->g = calloc(net->n_weights ? net->n_weights : 1, sizeof *net->g);
    float *p = total < SIZE_MAX / sizeof(float) ? malloc(total * sizeof(float)) : NULL;
    net->block = p;
    if (!net->act || !net->out || !net->w || !net->g || !p)
        return LT_NET_ENOMEM;

    float *shared_scratch = p;
    p += b * scratch;
    net->grad[0] = p;
    net->grad[1] = p + b * widest;
    p += 2 * b * widest;
    size_t offset = 0;
    for (size_t i = 0; i < net->n_layers; i++) {
        lt_layer *l = &net->layers[i];
        l->w = net->w + offset;
        l->g = net->g + offset;
        offset += l->n_weights;
        l->scratch = l->scratch_size ? shared_scratch : NULL;
        if (l->cache_size) {
            l->cache = p;
            p += b * l->cache_size;
        }
        if (!l->kind->view) {
            net->out[i] = p;
            p += b * l->out_size;
        }
    }
    return LT_NET_OK;
}

int lt_net_build(lt_net *net, const lt_spec *specs, size_t n, const lt_nn_shape *in,
                 size_t batch, uint32_t seed, size_t *bad, lt_diag *d)
{
    *net = (lt_net){.n_layers = n, .in = *in, .in_size = lt_nn_shape_size(in), .batch = batch};
    lt_nn_shape *shapes = malloc((n + 1) * sizeof *shapes);
    net->layers = calloc(n ? n : 1, sizeof *net->layers);
    int rc = shapes && net->layers ? LT_NET_OK : LT_NET_ENOMEM;
    if (rc == LT_NET_OK && lt_net_infer(specs, n, in, shapes, bad, d) != 0)
        rc = LT_NET_ESHAPE;
    if (rc == LT_NET_OK)
        rc = plan_layers(net, specs, shapes, bad, d);
    free(shapes);
    for (size_t i = 0; rc == LT_NET_OK && i < n; i++)
        net->n_weights = add(net->n_weights, net->layers[i].n_weights);
    if (rc == LT_NET_OK)
        rc = allocate(net);
    if (rc != LT_NET_OK) {
        lt_net_free(net);
        return rc;
    }
    lt_rng_seed(&net->rng, seed);
    for (size_t i = 0; i < n; i++)
        if (net->layers[i].kind->init)
            net->layers[i].kind->init(&net->layers[i], &net->rng);
    return LT_NET_OK;
}

int lt_net_replica(lt_net *r, const lt_net *net, size_t batch)
{
    size_t n = net->n_layers;
    *r = (lt_net){.n_layers = n, .in = net->in, .in_size = net->in_size, .batch = batch,
                  .n_weights = net->n_weights};
    r->layers = malloc((n ? n : 1) * sizeof *r->layers);
    if (!r->layers)
        return LT_NET_ENOMEM;
    memcpy(r->layers, net->layers, n * sizeof *r->layers);
    for (size_t i = 0; i < n; i++) {
        /* state stays the original's, borrowed: the kinds a replica runs
         * (by_rows) only read it, and only the original releases it. */
        r->layers[i].rng = &r->rng;
        r->layers[i].sgd_rate = 0;
    }
    lt_rng_seed(&r->rng, 0);
    int rc = allocate(r);
    if (rc != LT_NET_OK) {
        lt_net_replica_free(r);
        return rc;
    }
    /* The weights are the original's; only the gradient is the replica's. */
    for (size_t i = 0; i < n; i++)
        r->layers[i].w = net->layers[i].w;
    free(r->w);
    r->w = NULL;
    return LT_NET_OK;
}

void lt_net_replica_free(lt_net *r)
{
    free(r->layers);
    free(r->act);
    free(r->out);
    free(r->w);
    free(r->g);
    free(r->block);
    *r = (lt_net){0};
}

void lt_net_free(lt_net *net)
{
    for (size_t i = 0; net->layers && i < net->n_layers; i++)
        if (net->layers[i].kind && net->layers[i].kind->release)
            net->layers[i].kind->release(&net->layers[i]);
    free(net->layers);
    free(net->act);
    free(net->out);
    free(net->w);
    free(net->g);
    free(net->block);
    *net = (lt_net){0};
}

const float *lt_net_forward(lt_net *net, const float *x, size_t n, size_t upto, bool train)
{
    return lt_net_forward_range(net, x, n, 0, upto, train);
}

const float *lt_net_forward_range(lt_net *net, const float *x, size_t n, size_t from, size_t to,
                                  bool train)
{
    net->act[from] = x;
    for (size_t i = from; i < to; i++) {
        lt_layer *l = &net->layers[i];
        if (l->kind->view) {
            net->act[i + 1] = net->act[i];
            continue;
        }
        l->kind->forward(l, net->act[i], net->out[i], n, train);
        net->act[i + 1] = net->out[i];
    }
    return net->act[to];
}

float *lt_net_output_grad(lt_net *net)
{
    return net->grad[0];
}

void lt_net_backward(lt_net *net, size_t n, float *dx_out)
{
    /* Layers before the first one with work to do need no input gradient;
     * in training (no dx asked for) neither do weightless layers ahead of
     * every weight, such as noise on the input. */
    size_t first = 0;
    while (first < net->n_layers &&
           (net->layers[first].kind->view || (!dx_out && !net->layers[first].n_weights)))
        first++;
    float *dy = net->grad[0];
    int cur = 0;
    for (size_t i = net->n_layers; i-- > first;) {
        lt_layer *l = &net->layers[i];
        if (l->kind->view)
            continue;
        float *dx = i > first ? net->grad[1 - cur] : dx_out;
        l->kind->backward(l, net->act[i], net->act[i + 1], dy, dx, n);
        if (dx && i > first) {
            cur = 1 - cur;
            dy = dx;
        }
    }
    /* Only views (or nothing) lie between the input and the loss. */
    if (dx_out && first == net->n_layers)
        memcpy(dx_out, net->grad[0], n * net->in_size * sizeof *dx_out);
}
