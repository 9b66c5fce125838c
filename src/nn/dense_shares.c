#include "nn/dense_shares.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nn/dense.h"
#include "nn/parallel.h"

/* The packed weights' alignment: a page. */
#define PAGE 4096

bool lt_dense_shares_fit(const lt_net *net, size_t split)
{
    bool dense = false;
    for (size_t i = split; i < net->n_layers; i++) {
        const lt_layer *l = &net->layers[i];
        if (l->kind->view)
            continue;
        if (!lt_dense_is(l) || !lt_dense_by_parts(l))
            return false;
        dense = true;
    }
    return dense;
}

int lt_dense_shares_init(lt_dense_shares *d, const lt_net *net, size_t split, size_t n_metrics)
{
    *d = (lt_dense_shares){0};
    size_t n = net->n_layers, floats = 0, widest = 0;
    d->first = split;
    while (!lt_dense_is(&net->layers[d->first]))
        d->first++;
    for (size_t i = d->first; i < n; i++)
        if (lt_dense_is(&net->layers[i])) {
            const lt_layer *l = &net->layers[i];
            floats += net->batch * l->out_size;
            widest = l->in_size > widest ? l->in_size : widest;
            d->last = i;
        }
    d->n_metrics = n_metrics;
    /* All owned by D until lt_dense_shares_free, which the caller also
     * calls after a failure here. */
    d->block = malloc(floats * sizeof *d->block);
    d->dy = calloc(n, sizeof *d->dy);
    d->x = calloc(n, sizeof *d->x);
    d->terms = malloc(net->batch * net->layers[d->last].out_size * sizeof *d->terms);
    d->metric = calloc(n_metrics ? n_metrics : 1, sizeof *d->metric);
    d->packed = calloc(2 * n, sizeof *d->packed);
    if (!d->block || !d->dy || !d->x || !d->terms || !d->metric || !d->packed)
        return -1;
    /* Each part on whole pages, so that the processor's fetches of the
     * lines next to those a thread touches never reach the other part. */
    for (size_t i = d->first; i <= d->last; i++) {
        const lt_layer *l = &net->layers[i];
        for (size_t p = 0; lt_dense_is(l) && p < lt_dense_n_parts(l); p++) {
            size_t bytes = lt_dense_part_floats(l, p) * sizeof(float);
            if (!(d->packed[2 * i + p] = aligned_alloc(PAGE, (bytes + PAGE - 1) / PAGE * PAGE)))
                return -1;
        }
    }
    for (int k = 0; k < 2; k++)
        if (!(d->second[k] = malloc(net->batch * widest * sizeof *d->second[k])))
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
    }
    return 0;
}

void lt_dense_shares_free(lt_dense_shares *d)
{
    for (size_t i = 0; d->packed && i < 2 * (d->last + 1); i++)
        free(d->packed[i]);
    free(d->packed);
    free(d->block);
    free(d->dy);
    free(d->x);
    free(d->terms);
    free(d->metric);
    for (int k = 0; k < 2; k++) {
        free(d->second[k]);
        free(d->early[k]);
    }
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

/* Work a backward job does beside a layer's parts, in blocks of its own. */
enum extra { LEADING, LOSS_SUM, METRICS };

/* One pass of one dense layer, its blocks the layer's parts and, in the
 * backward pass, the extras between them: block 0 is part 0, blocks 1 to
 * n_extra the extras, and the last block part 1, so that the caller (from
 * the bottom) and the worker (from the top) take their own parts first
 * (nn/parallel.c) and whichever is done first the extras. */
struct pass_job {
    lt_dense_shares *d;
    lt_net *net;
    size_t layer, split;
    const float *in;    /* the first dense layer's input, the whole batch */
    const float *x;     /* the batch's targets */
    size_t rows, count; /* its samples, and its output values */
    lt_loss loss;
    const lt_spec *metrics;
    const float *above; /* backward: the layer above's second sums (NULL: none) */
    float *second;      /* backward: where this layer's second part puts its sum */
    float sgd_rate;
    enum extra extra[3];
    size_t n_extra;
};

/* A dense layer's units: its output's last axis (rows * units values). */
static size_t units_of(const lt_layer *l)
{
    return (size_t)l->out.dim[l->out.rank - 1];
}

static const float *input_of(const struct pass_job *j)
{
    return j->layer == j->d->first ? j->in : j->d->x[j->layer];
}

/* Where part P of the job's layer keeps its weights: packed, or NULL for
 * l->w. */
static float *packed_of(const struct pass_job *j, size_t p)
{
    return j->d->in_packed ? j->d->packed[2 * j->layer + p] : NULL;
}

/* Whether the N floats at V are all finite (by their exponent bits, which
 * vectorises). */
static bool all_finite(const float *v, size_t n)
{
    uint32_t inf = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &v[i], sizeof u);
        inf |= (u & 0x7f800000u) == 0x7f800000u;
    }
    return !inf;
}

/* The loss terms and their gradient on part P's columns of the last
 * layer's output, a row at a time, and whether the terms are finite: their
 * sum (double) is exactly when they all are. */
static void measure(const struct pass_job *j, size_t p)
{
    lt_dense_shares *d = j->d;
    const lt_layer *l = &j->net->layers[j->layer];
    size_t units = units_of(l), rows = j->rows * (l->out_size / units);
    size_t j0, j1;
    lt_dense_part(l, p, &j0, &j1);
    const float *y = j->net->out[j->layer];
    float scale = 1.0f / (float)(j->rows * l->out_size);
    bool finite = true;
    for (size_t r = 0; r < rows; r++) {
        size_t at = r * units + j0;
        lt_loss_terms(j->loss, y + at, j->x + at, j1 - j0, scale, d->dy[j->layer] + at,
                      d->terms + at);
        finite = finite && all_finite(d->terms + at, j1 - j0);
    }
    d->finite[p] = finite;
}

static void forward_block(void *arg, size_t p)
{
    struct pass_job *j = arg;
    lt_layer *l = &j->net->layers[j->layer];
    lt_dense_forward_part(l, packed_of(j, p), input_of(j), j->net->out[j->layer], j->rows, p);
    if (j->layer == j->d->last)
        measure(j, p);
}

static void backward_block(void *arg, size_t p)
{
    struct pass_job *j = arg;
    lt_dense_shares *d = j->d;
    lt_layer *l = &j->net->layers[j->layer];
    if (p >= 1 && p <= j->n_extra) {
        switch (j->extra[p - 1]) {
        case LEADING:
            run_leading(j->net, d->next, d->next_rows, j->split, d->early[1 - d->cur]);
            return;
        case LOSS_SUM: d->loss_sum = lt_loss_sum_terms(d->terms, j->count); return;
        case METRICS:
            for (size_t k = 0; k < d->n_metrics; k++)
                d->metric[k] = lt_metric_of(&j->metrics[k])->sum(j->net->out[d->last], j->x,
                                                                  j->count);
            return;
        }
    }
    p = p ? 1 : 0;
    float *dy = d->dy[j->layer];
    if (j->above) {
        /* dL/dy is the first part's sum from above (already in dy) plus
         * the second's. */
        size_t units = units_of(l), rows = j->rows * (l->out_size / units);
        size_t j0, j1;
        lt_dense_part(l, p, &j0, &j1);
        for (size_t r = 0; r < rows; r++)
            for (size_t c = r * units + j0; c < r * units + j1; c++)
                dy[c] += j->above[c];
    }
    float *dx = j->layer == d->first ? NULL : p == 0 ? d->dy[j->layer - 1] : j->second;
    lt_dense_backward_part(l, packed_of(j, p), input_of(j), j->net->out[j->layer], dy, dx, j->rows,
                           p, j->sgd_rate);
}

struct pack_job {
    lt_dense_shares *d;
    lt_net *net;
    bool pack;
};

/* Block P: part P of every layer, packed or put back, on the thread that
 * then runs part P (nn/parallel.h: the caller takes block 0). */
static void pack_block(void *arg, size_t p)
{
    struct pack_job *j = arg;
    for (size_t i = j->d->first; i <= j->d->last; i++) {
        lt_layer *l = &j->net->layers[i];
        if (!lt_dense_is(l) || p >= lt_dense_n_parts(l))
            continue;
        if (j->pack)
            lt_dense_pack(l, p, j->d->packed[2 * i + p]);
        else
            lt_dense_unpack(l, p, j->d->packed[2 * i + p]);
    }
}

static void move_weights(lt_dense_shares *d, lt_net *net, bool pack)
{
    struct pack_job j = {.d = d, .net = net, .pack = pack};
    lt_nn_parallel_for(pack_block, &j, 2);
    d->in_packed = pack;
}

void lt_dense_shares_sync(lt_dense_shares *d, lt_net *net)
{
    if (d->in_packed)
        move_weights(d, net, false);
}

double lt_dense_shares_batch(lt_dense_shares *d, lt_net *net, const float *x, size_t rows,
                             size_t split, lt_loss loss, const lt_spec *metrics, double *sums,
                             float sgd_rate)
{
    /* Layer split's input: the leading layers' output, run now or already
     * during the batch before. */
    const float *in = x;
    if (split) {
        if (d->ready != rows)
            run_leading(net, x, rows, split, d->early[d->cur]);
        d->ready = 0;
        in = d->early[d->cur];
    }
    /* Plain SGD trains on the packed copies; another optimizer steps l->w
     * between batches, so its gradient goes into l->g as it is. */
    if (sgd_rate > 0 && !d->in_packed)
        move_weights(d, net, true);
    size_t count = rows * net->layers[d->last].out_size;
    struct pass_job j = {.d = d, .net = net, .split = split, .in = in, .x = x, .rows = rows,
                         .count = count, .loss = loss, .metrics = metrics, .sgd_rate = sgd_rate};
    d->finite[1] = true; /* for a last layer in one part */
    for (size_t i = d->first; i <= d->last; i++)
        if (!net->layers[i].kind->view) {
            j.layer = i;
            lt_nn_parallel_for(forward_block, &j, lt_dense_n_parts(&net->layers[i]));
        }
    /* A batch whose loss is not finite stops training, without a step. */
    if (!d->finite[0] || !d->finite[1])
        return lt_loss_sum_terms(d->terms, count);
    /* Down the layers, the second sums' buffers taken in turn. The loss and
     * the metrics are summed as on one thread, so that they too come out
     * the same on any thread count, beside the last layer's parts; the
     * next batch's leading layers run beside the first's. */
    int turn = 0;
    bool ahead = d->next != NULL;
    for (size_t i = d->last + 1; i-- > d->first;) {
        lt_layer *l = &net->layers[i];
        if (l->kind->view)
            continue;
        j.layer = i;
        j.second = d->second[turn];
        j.n_extra = 0;
        if (i == d->last) {
            j.extra[j.n_extra++] = LOSS_SUM;
            if (d->n_metrics)
                j.extra[j.n_extra++] = METRICS;
        }
        if (i == d->first && ahead)
            j.extra[j.n_extra++] = LEADING;
        lt_nn_parallel_for(backward_block, &j, lt_dense_n_parts(l) + j.n_extra);
        j.above = lt_dense_n_parts(l) == 2 ? j.second : NULL;
        turn = 1 - turn;
    }
    for (size_t k = 0; k < d->n_metrics; k++)
        sums[k] += d->metric[k];
    if (ahead) {
        d->cur = 1 - d->cur;
        d->ready = d->next_rows;
        d->next = NULL;
    }
    return d->loss_sum;
}
