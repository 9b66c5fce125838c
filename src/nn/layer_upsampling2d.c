/* upsampling2d: every pixel repeated size x size times, Keras's
 * UpSampling2D with its default nearest-neighbour interpolation:
 * [7, 7, 32] -> [14, 14, 32]. Its gradient sums each block. */
#include <stdio.h>
#include <string.h>

#include "nn/layer.h"
#include "nn/patches.h"

struct upsampling2d_config {
    int size;
};

static const lt_param params[] = {
    LT_INT(struct upsampling2d_config, size, 2, 1, 1 << 10, 0,
           "factor by which height and width grow"),
};

static int infer(const void *config, const lt_nn_shape *in, lt_nn_shape *out, lt_diag *d)
{
    const struct upsampling2d_config *c = config;
    if (lt_patches_need_image(in, d) != 0)
        return -1;
    *out = (lt_nn_shape){.rank = 3, .dim = {LT_NN_UNKNOWN, LT_NN_UNKNOWN, LT_NN_UNKNOWN}};
    if (in->rank != 3)
        return 0;
    out->dim[2] = in->dim[2];
    for (int a = 0; a < 2; a++) {
        if (in->dim[a] == LT_NN_UNKNOWN)
            continue;
        if ((long long)in->dim[a] * c->size > 1 << 24) {
            return lt_layer_refuse(d, "size", "the output's %s would be %lld; expected at most %d",
                                   a ? "width" : "height", (long long)in->dim[a] * c->size, 1 << 24);
        }
        out->dim[a] = in->dim[a] * c->size;
    }
    return 0;
}

static void forward(lt_layer *l, const float *x, float *y, size_t n, bool train)
{
    (void)train;
    const struct upsampling2d_config *c = l->config;
    size_t h = (size_t)l->in.dim[0], w = (size_t)l->in.dim[1], ch = (size_t)l->in.dim[2];
    size_t f = (size_t)c->size, out_row = w * f * ch;
    for (size_t s = 0; s < n * h; s++) {
        /* One input row makes f equal output rows. */
        const float *src = x + s * w * ch;
        float *dst = y + s * f * out_row;
        for (size_t j = 0; j < w; j++)
            for (size_t r = 0; r < f; r++)
                memcpy(dst + (j * f + r) * ch, src + j * ch, ch * sizeof *dst);
        for (size_t r = 1; r < f; r++)
            memcpy(dst + r * out_row, dst, out_row * sizeof *dst);
    }
}

static void backward(lt_layer *l, const float *x, const float *y, float *dy, float *dx, size_t n)
{
    (void)x;
    (void)y;
    if (!dx)
        return;
    const struct upsampling2d_config *c = l->config;
    size_t h = (size_t)l->in.dim[0], w = (size_t)l->in.dim[1], ch = (size_t)l->in.dim[2];
    size_t f = (size_t)c->size, out_row = w * f * ch;
    memset(dx, 0, n * l->in_size * sizeof *dx);
    for (size_t s = 0; s < n * h; s++) {
        float *dst = dx + s * w * ch;
        const float *src = dy + s * f * out_row;
        for (size_t r = 0; r < f; r++)
            for (size_t j = 0; j < w * f; j++) {
                const float *g = src + r * out_row + j * ch;
                float *d = dst + (j / f) * ch;
                for (size_t k = 0; k < ch; k++)
                    d[k] += g[k];
            }
    }
}

const lt_layer_kind lt_layer_upsampling2d = {
    .spec = {.name = "upsampling2d",
             .summary = "every pixel repeated size x size times: [7, 7, 32] -> [14, 14, 32]",
             .params = params,
             .n_params = LT_COUNT(params),
             .config_size = sizeof(struct upsampling2d_config)},
    .infer = infer,
    .forward = forward,
    .backward = backward,
    .by_rows = lt_layer_always_by_rows,
};
