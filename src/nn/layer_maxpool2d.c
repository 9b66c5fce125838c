/* maxpool2d: the largest value of each channel in every pool_size x
 * pool_size window, Keras's MaxPool2D. Windows start strides apart (by
 * default pool_size: no overlap); with padding same the image is padded as
 * TensorFlow does, the padding never winning.
 *
 * The gradient of each output goes to the first pixel of its window (rows,
 * then columns) that holds the maximum, as in TensorFlow and PyTorch. The
 * forward pass keeps that pixel's offset from the window's top left corner
 * in the cache (as int32, in the floats the network sets aside), channel by
 * channel, so both passes run along the channels, which are contiguous. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "nn/layer.h"
#include "nn/parallel.h"
#include "nn/patches.h"
#include "nn/vmath.h"

struct maxpool2d_config {
    int pool_size;
    int strides;
    int padding;
};

#define CFG struct maxpool2d_config
static const lt_param params[] = {
    LT_INT(CFG, pool_size, 2, 1, 1 << 10, 0, "height and width of the square window"),
    LT_INT(CFG, strides, 0, 0, 1 << 10, LT_NULLABLE,
           "step between windows along both axes (0 or null: pool_size, Keras's default)"),
    LT_CHOICE(CFG, padding, "valid", lt_padding_names,
              "valid: windows inside the image only; same: pad so the output is "
              "ceil(input / strides)"),
};
#undef CFG

static int stride_of(const struct maxpool2d_config *c)
{
    return c->strides > 0 ? c->strides : c->pool_size;
}

static int infer(const void *config, const lt_nn_shape *in, lt_nn_shape *out, lt_diag *d)
{
    const struct maxpool2d_config *c = config;
    if (lt_patches_need_image(in, d) != 0)
        return -1;
    *out = (lt_nn_shape){.rank = 3, .dim = {LT_NN_UNKNOWN, LT_NN_UNKNOWN, LT_NN_UNKNOWN}};
    if (in->rank != 3)
        return 0;
    out->dim[2] = in->dim[2];
    for (int a = 0; a < 2; a++) {
        int pad;
        if (in->dim[a] == LT_NN_UNKNOWN)
            continue;
        out->dim[a] = lt_conv_extent(in->dim[a], c->pool_size, stride_of(c), c->padding, &pad);
        if (!out->dim[a]) {
            char text[64];
            return lt_layer_refuse(d, "pool_size",
                     "pool_size %d is larger than the input's %s (%d) of %s with padding "
                     "valid; use padding: same or a smaller pool",
                     c->pool_size, a ? "width" : "height", in->dim[a],
                     lt_nn_shape_text(in, text, sizeof text));
        }
    }
    return 0;
}

static lt_patches geometry(const lt_layer *l)
{
    const struct maxpool2d_config *c = l->config;
    lt_patches p = {.img_h = l->in.dim[0], .img_w = l->in.dim[1], .channels = l->in.dim[2],
                    .grid_h = l->out.dim[0], .grid_w = l->out.dim[1],
                    .k = c->pool_size, .stride = stride_of(c)};
    lt_conv_extent(p.img_h, p.k, p.stride, c->padding, &p.pad_top);
    lt_conv_extent(p.img_w, p.k, p.stride, c->padding, &p.pad_left);
    return p;
}

/* The window of grid position (gy, gx), clipped to the image: rows
 * [y0, y1), columns [x0, x1). Never empty (TensorFlow's padding is less
 * than a window). */
static void window(const lt_patches *p, int gy, int gx, int *y0, int *y1, int *x0, int *x1)
{
    *y0 = gy * p->stride - p->pad_top;
    *x0 = gx * p->stride - p->pad_left;
    *y1 = *y0 + p->k < p->img_h ? *y0 + p->k : p->img_h;
    *x1 = *x0 + p->k < p->img_w ? *x0 + p->k : p->img_w;
    *y0 = *y0 > 0 ? *y0 : 0;
    *x0 = *x0 > 0 ? *x0 : 0;
}

_Static_assert(sizeof(int32_t) == sizeof(float), "the cache holds one int32 per output");

static int plan(lt_layer *l)
{
    l->cache_size = l->out_size; /* where each maximum sits: int32 offsets */
    return 0;
}

/* out = max(out, px) channel by channel, where = AT where px won. */
static void take_larger(float *restrict out, int32_t *restrict where, const float *restrict px,
                        int32_t at, size_t c)
{
    for (size_t ch = 0; ch < c; ch++) {
        /* Strictly larger: the first maximum keeps its place. Selects
         * without branches, so the loop vectorises. */
        int larger = px[ch] > out[ch];
        int32_t mask = -(int32_t)larger;
        out[ch] = lt_selectf(larger, px[ch], out[ch]);
        where[ch] = (at & mask) | (where[ch] & ~mask);
    }
}

/* Pools one sample: its outputs OUT and where each maximum came from. */
static void pool_sample(const lt_patches *p, const float *im, float *out, int32_t *where)
{
    size_t c = (size_t)p->channels, w = (size_t)p->img_w;
    for (int gy = 0; gy < p->grid_h; gy++) {
        for (int gx = 0; gx < p->grid_w; gx++, out += c, where += c) {
            int y0, y1, x0, x1;
            window(p, gy, gx, &y0, &y1, &x0, &x1);
            int origin_y = gy * p->stride - p->pad_top, origin_x = gx * p->stride - p->pad_left;
            memcpy(out, im + ((size_t)y0 * w + (size_t)x0) * c, c * sizeof *out);
            int32_t first = (int32_t)((y0 - origin_y) * p->img_w + (x0 - origin_x));
            for (size_t ch = 0; ch < c; ch++)
                where[ch] = first;
            for (int yy = y0; yy < y1; yy++)
                for (int xx = x0; xx < x1; xx++)
                    take_larger(out, where, im + ((size_t)yy * w + (size_t)xx) * c,
                                (int32_t)((yy - origin_y) * p->img_w + (xx - origin_x)), c);
        }
    }
}

/* Routes one sample's output gradient GRAD to the maxima's pixels in DIM
 * (zeroed first). */
static void route_sample(const lt_patches *p, const int32_t *where, const float *grad,
                         float *dim, size_t in_size)
{
    ptrdiff_t c = p->channels, w = p->img_w;
    memset(dim, 0, in_size * sizeof *dim);
    for (int gy = 0; gy < p->grid_h; gy++) {
        for (int gx = 0; gx < p->grid_w; gx++, where += c, grad += c) {
            /* The window's top left pixel, possibly in the padding. */
            ptrdiff_t origin = (ptrdiff_t)(gy * p->stride - p->pad_top) * w +
                               (gx * p->stride - p->pad_left);
            for (ptrdiff_t ch = 0; ch < c; ch++)
                dim[(origin + where[ch]) * c + ch] += grad[ch];
        }
    }
}

/* A pass split into blocks of samples for the threads (nn/parallel.h). */
struct pass {
    const lt_layer *l;
    lt_patches p;
    size_t n, chunk;
    const float *x, *dy;
    float *y, *dx;
};

#define BLOCKS 8

static struct pass pass_of(const lt_layer *l, size_t n)
{
    return (struct pass){.l = l, .p = geometry(l), .n = n, .chunk = (n + BLOCKS - 1) / BLOCKS};
}

static size_t n_blocks(const struct pass *a)
{
    return a->chunk ? (a->n + a->chunk - 1) / a->chunk : 0;
}

/* The net's buffers are untyped allocations; the cache only ever holds
 * int32 values. */
static int32_t *where_of(const struct pass *a, size_t s)
{
    return (int32_t *)(void *)a->l->cache + s * a->l->out_size;
}

static void forward_block(void *arg, size_t b)
{
    const struct pass *a = arg;
    for (size_t s = b * a->chunk; s < a->n && s < (b + 1) * a->chunk; s++)
        pool_sample(&a->p, a->x + s * a->l->in_size, a->y + s * a->l->out_size, where_of(a, s));
}

static void forward(lt_layer *l, const float *x, float *y, size_t n, bool train)
{
    (void)train;
    struct pass a = pass_of(l, n);
    a.x = x;
    a.y = y;
    lt_nn_parallel_for(forward_block, &a, n_blocks(&a));
}

static void backward_block(void *arg, size_t b)
{
    const struct pass *a = arg;
    for (size_t s = b * a->chunk; s < a->n && s < (b + 1) * a->chunk; s++)
        route_sample(&a->p, where_of(a, s), a->dy + s * a->l->out_size,
                     a->dx + s * a->l->in_size, a->l->in_size);
}

static void backward(lt_layer *l, const float *x, const float *y, float *dy, float *dx, size_t n)
{
    (void)x;
    (void)y;
    if (!dx)
        return;
    struct pass a = pass_of(l, n);
    a.dy = dy;
    a.dx = dx;
    lt_nn_parallel_for(backward_block, &a, n_blocks(&a));
}

const lt_layer_kind lt_layer_maxpool2d = {
    .spec = {.name = "maxpool2d",
             .summary = "largest value of each channel in every window: [28, 28, 16] -> "
                        "[14, 14, 16]",
             .params = params,
             .n_params = LT_COUNT(params),
             .config_size = sizeof(struct maxpool2d_config)},
    .infer = infer,
    .plan = plan,
    .forward = forward,
    .backward = backward,
    .by_rows = lt_layer_always_by_rows,
};
