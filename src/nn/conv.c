#include "nn/conv.h"

#include <string.h>

#include "nn/parallel.h"
#include "nn/rowops.h"

lt_conv_pass lt_conv_pass_of(lt_layer *l, lt_patches p, size_t len, size_t n)
{
    const lt_conv_config *c = l->config;
    lt_conv_pass a = {.l = l, .p = p, .n = n, .channels = (size_t)l->in.dim[2],
                      .filters = (size_t)c->filters, .len = len};
    a.grid = (size_t)p.grid_h * (size_t)p.grid_w;
    a.pixels = (size_t)p.img_h * (size_t)p.img_w;
    a.chunk = lt_patches_chunk(&p, n);
    return a;
}

size_t lt_conv_block(const lt_conv_pass *a, size_t b, size_t *m)
{
    size_t s = b * a->chunk;
    *m = a->n - s < a->chunk ? a->n - s : a->chunk;
    return s;
}

float *lt_conv_share(const lt_conv_pass *a, size_t b)
{
    return a->l->scratch + a->n * a->grid * a->len + b * a->l->n_weights;
}

void lt_conv_run(lt_conv_pass *a, void (*block)(void *pass, size_t b))
{
    lt_nn_parallel_for(block, a, (a->n + a->chunk - 1) / a->chunk);
}

void lt_conv_run_backward(lt_conv_pass *a, void (*block)(void *pass, size_t b))
{
    size_t blocks = (a->n + a->chunk - 1) / a->chunk;
    lt_nn_parallel_for(block, a, blocks);
    /* The blocks' shares, added in block order whatever the threads. */
    lt_layer *l = a->l;
    memcpy(l->g, lt_conv_share(a, 0), l->n_weights * sizeof *l->g);
    for (size_t b = 1; b < blocks; b++)
        lt_vec_add(l->g, lt_conv_share(a, b), l->n_weights);
}
