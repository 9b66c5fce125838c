#include "nn/dense_shares.h"

#include <stdlib.h>

#include "nn/dense.h"
#include "nn/parallel.h"

/* Kernel weights per phase 2 block, about: some tens of microseconds of
 * products at batch 32, many blocks for two threads to balance, few
 * enough that claiming them costs nothing. */
#define BLOCK_WEIGHTS 8192

bool lt_dense_shares_fit(const lt_net *net, size_t split)
{
    bool dense = false;
    for (size_t i = split; i < net->n_layers; i++) {
        const lt_layer *l = &net->layers[i];
        if (!l->kind->view && !lt_dense_is(l))
            return false;
        dense = dense || lt_dense_is(l);
    }
    return dense;
}

/* The kernel's rows a block of layer L takes: a multiple of 8 (the small
 * products' register tile), BLOCK_WEIGHTS weights or so. */
static size_t block_rows(const lt_layer *l)
{
    size_t units = (size_t)l->out.dim[l->out.rank - 1];
    size_t h = (BLOCK_WEIGHTS + units - 1) / units;
    return (h + 7) / 8 * 8;
}

static size_t inputs_of(const lt_layer *l)
{
    return (size_t)l->in.dim[l->in.rank - 1];
}

int lt_dense_shares_init(lt_dense_shares *d, const lt_net *net, size_t split)
{
    *d = (lt_dense_shares){0};
    size_t n = net->n_layers, floats = 0, blocks = 0;
    d->first = split;
    while (!lt_dense_is(&net->layers[d->first]))
        d->first++;
    for (size_t i = d->first; i < n; i++)
        if (lt_dense_is(&net->layers[i])) {
            const lt_layer *l = &net->layers[i];
            floats += net->batch * l->out_size;
            blocks += (inputs_of(l) + block_rows(l) - 1) / block_rows(l);
        }
    /* All owned by D until lt_dense_shares_free, which the caller also
     * calls after a failure here. */
    d->block = malloc(floats * sizeof *d->block);
    d->dy = calloc(n, sizeof *d->dy);
    d->x = calloc(n, sizeof *d->x);
    d->blocks = malloc(blocks * sizeof *d->blocks);
    if (!d->block || !d->dy || !d->x || !d->blocks)
        return -1;
    for (int k = 0; split && k < 2; k++)
        if (!(d->early[k] = malloc(net->batch * net->layers[split].in_size * sizeof *d->early[k])))
            return -1;
    float *p = d->block;
    const float *x = NULL; /* the output of the layer below, from first on */
    for (size_t i = d->first; i < n; i++) {
        const lt_layer *l = &net->layers[i];
        if (l->kind->view) {
            /* The same buffer as the layer's below, reshaped. */
            d->dy[i] = d->dy[i - 1];
            continue;
        }
        d->dy[i] = p;
        p += net->batch * l->out_size;
        d->x[i] = x;
        x = net->out[i];
        size_t h = block_rows(l), inputs = inputs_of(l);
        for (size_t i0 = 0; i0 < inputs; i0 += h)
            d->blocks[d->n_blocks++] =
                (lt_dense_block){.layer = i, .i0 = i0, .i1 = i0 + h < inputs ? i0 + h : inputs};
    }
    return 0;
}

void lt_dense_shares_free(lt_dense_shares *d)
{
    free(d->block);
    free(d->dy);
    free(d->x);
    free(d->blocks);
    free(d->early[0]);
    free(d->early[1]);
    *d = (lt_dense_shares){0};
}

void lt_dense_shares_ahead(lt_dense_shares *d, const float *x, size_t rows)
{
    if (d->early[0]) {
        d->next = x;
        d->next_rows = rows;
    }
}

/* Layers [0, split) on the ROWS samples X, the last of them (not a view,
 * which would fit the shares) writing into OUT. */
static void run_leading(lt_net *net, const float *x, size_t rows, size_t split, float *out)
{
    for (size_t i = 0; i < split; i++) {
        lt_layer *l = &net->layers[i];
        if (l->kind->view)
            continue;
        float *y = i == split - 1 ? out : net->out[i];
        l->kind->forward(l, x, y, rows, true);
        x = y;
    }
}

const float *lt_dense_shares_leading(lt_dense_shares *d, lt_net *net, const float *x, size_t rows,
                                     size_t split)
{
    if (!split)
        return x;
    if (d->ready != rows)
        run_leading(net, x, rows, split, d->early[d->cur]);
    d->ready = 0;
    return d->early[d->cur];
}

const float *lt_dense_shares_forward(lt_net *net, const float *in, size_t split, size_t lo,
                                     size_t rows)
{
    /* A view keeps the size per sample, so row lo stays at the same offset
     * through it. */
    const float *x = in + lo * net->layers[split].in_size;
    for (size_t i = split; i < net->n_layers; i++) {
        lt_layer *l = &net->layers[i];
        if (l->kind->view)
            continue;
        float *y = net->out[i] + lo * l->out_size;
        l->kind->forward(l, x, y, rows, true);
        x = y;
    }
    return x;
}

float *lt_dense_shares_output_grad(const lt_dense_shares *d, const lt_net *net, size_t lo)
{
    return d->dy[net->n_layers - 1] + lo * net->layers[net->n_layers - 1].out_size;
}

void lt_dense_shares_backward(const lt_dense_shares *d, lt_net *net, size_t lo, size_t rows)
{
    for (size_t i = net->n_layers; i-- > d->first;) {
        lt_layer *l = &net->layers[i];
        if (l->kind->view)
            continue;
        /* Layer first's input needs no gradient in training. */
        float *dx = i > d->first ? d->dy[i - 1] + lo * l->in_size : NULL;
        lt_dense_input_grad(l, net->out[i] + lo * l->out_size, d->dy[i] + lo * l->out_size, dx,
                            rows);
    }
}

struct step_job {
    lt_dense_shares *d;
    lt_net *net;
    const float *in;
    size_t rows, split;
    bool ahead; /* block 0 runs the next batch's leading layers */
    float sgd_rate;
};

/* Phase 2's block B: its kernel rows over the whole batch, and its
 * layer's bias with the first ones. Blocks write disjoint weights. Or,
 * running ahead, block 0: the next batch's leading layers, first so that
 * their one thread's draws start at once. */
static void step_block(void *arg, size_t b)
{
    struct step_job *j = arg;
    lt_dense_shares *d = j->d;
    if (j->ahead) {
        if (b == 0) {
            run_leading(j->net, d->next, d->next_rows, j->split, d->early[1 - d->cur]);
            return;
        }
        b--;
    }
    const lt_dense_block *k = &d->blocks[b];
    lt_layer *l = &j->net->layers[k->layer];
    const float *x = k->layer == d->first ? j->in : d->x[k->layer];
    const float *dz = d->dy[k->layer];
    lt_dense_kernel_grad(l, x, dz, j->rows, k->i0, k->i1, j->sgd_rate);
    if (k->i0 == 0)
        lt_dense_bias_grad(l, dz, j->rows, j->sgd_rate);
}

void lt_dense_shares_step(lt_dense_shares *d, lt_net *net, const float *in, size_t rows,
                          size_t split, float sgd_rate)
{
    struct step_job j = {.d = d,
                         .net = net,
                         .in = in,
                         .rows = rows,
                         .split = split,
                         .ahead = d->next != NULL,
                         .sgd_rate = sgd_rate};
    lt_nn_parallel_for(step_block, &j, d->n_blocks + j.ahead);
    if (j.ahead) {
        d->cur = 1 - d->cur;
        d->ready = d->next_rows;
        d->next = NULL;
    }
}
