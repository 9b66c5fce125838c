/* conv2d_transpose: the transpose of a strided convolution, Keras's
 * Conv2DTranspose, which upsamples: [3, 3, 64] -> [7, 7, 32] with stride 2.
 *
 * Every input pixel spreads its channels through the kernel onto a k x k
 * patch of the output, patches stride pixels apart, overlaps adding up.
 * That is the col2im of conv2d run forwards: the input is the patch grid
 * and the output the image (nn/patches.h), with Keras's output size rule
 * (valid: in * s + max(k - s, 0); same: in * s) and TensorFlow's padding.
 *
 * The kernel W is [k, k, filters, channels] row-major (Keras's layout for
 * this layer: output channels before input ones) followed by the bias b
 * [filters]. Read as a [k * k * filters, channels] matrix, x W^T is the
 * batch's patch matrix in one cblas_sgemm; the gradients' products, of
 * the untransposed forms nn/smallmm.h computes, go through it. */
#include <cblas.h>
#include <stdio.h>
#include <string.h>

#include "nn/activation.h"
#include "nn/conv.h"
#include "nn/rowops.h"
#include "nn/init.h"
#include "nn/layer.h"
#include "nn/patches.h"
#include "nn/smallmm.h"

static const lt_param params[] = {
    LT_CONV_PARAMS("upsampling factor along both axes",
                   "valid: output input * strides + max(kernel_size - strides, 0); same: "
                   "input * strides",
                   "activation applied to the output"),
};

static int infer(const void *config, const lt_nn_shape *in, lt_nn_shape *out, lt_diag *d)
{
    const lt_conv_config *c = config;
    if (lt_patches_need_image(in, d) != 0)
        return -1;
    *out = (lt_nn_shape){.rank = 3, .dim = {LT_NN_UNKNOWN, LT_NN_UNKNOWN, c->filters}};
    for (int a = 0; in->rank == 3 && a < 2; a++) {
        int pad;
        if (in->dim[a] == LT_NN_UNKNOWN)
            continue;
        long long extent = (long long)in->dim[a] * c->strides + c->kernel_size;
        if (extent > 1 << 24) {
            return lt_layer_refuse(d, "strides", "the output's %s would be about %lld; expected at most %d",
                                   a ? "width" : "height", extent, 1 << 24);
        }
        out->dim[a] = lt_conv_transpose_extent(in->dim[a], c->kernel_size, c->strides,
                                               c->padding, &pad);
    }
    return 0;
}

/* The output is the image, the input the grid of patch positions. */
static lt_patches geometry(const lt_layer *l)
{
    const lt_conv_config *c = l->config;
    lt_patches p = {.img_h = l->out.dim[0], .img_w = l->out.dim[1], .channels = c->filters,
                    .grid_h = l->in.dim[0], .grid_w = l->in.dim[1],
                    .k = c->kernel_size, .stride = c->strides};
    lt_conv_transpose_extent(p.grid_h, p.k, p.stride, c->padding, &p.pad_top);
    lt_conv_transpose_extent(p.grid_w, p.k, p.stride, c->padding, &p.pad_left);
    return p;
}

/* Columns of the patch matrix: k * k * filters. */
static size_t patch_len(const lt_layer *l)
{
    const lt_conv_config *c = l->config;
    return (size_t)c->kernel_size * (size_t)c->kernel_size * (size_t)c->filters;
}

static int plan(lt_layer *l)
{
    const lt_conv_config *c = l->config;
    lt_patches p = geometry(l);
    size_t channels = (size_t)l->in.dim[2];
    l->n_weights = patch_len(l) * channels + (c->use_bias ? (size_t)c->filters : 0);
    /* The patches (or their gradient) of every sample, and in the backward
     * pass each block's share of the weights' gradient. */
    l->scratch_size = lt_patches_size(&p) + l->n_weights;
    return 0;
}

static void init(lt_layer *l, lt_rng *rng)
{
    const lt_conv_config *c = l->config;
    size_t area = (size_t)c->kernel_size * (size_t)c->kernel_size, len = patch_len(l);
    size_t channels = (size_t)l->in.dim[2];
    /* Keras reads the fans off the kernel's shape [k, k, filters, channels]
     * as it would a convolution's: fan_in k * k * filters. */
    lt_init_fill(c->kernel_initializer, l->w, len * channels, len, area * channels, rng);
    if (c->use_bias)
        memset(l->w + len * channels, 0, (size_t)c->filters * sizeof *l->w);
}

static void forward_block(void *arg, size_t b)
{
    const lt_conv_pass *a = arg;
    const lt_conv_config *c = a->l->config;
    size_t m, s = lt_conv_block(a, b, &m);
    float *cols = a->l->scratch + s * a->grid * a->len, *out = a->out + s * a->l->out_size;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(m * a->grid), (int)a->len,
                (int)a->channels, 1.0f, a->x + s * a->l->in_size, (int)a->channels, a->l->w,
                (int)a->channels, 0.0f, cols, (int)a->len);
    if (c->use_bias)
        lt_bias_fill(out, a->l->w + a->len * a->channels, m * a->pixels, a->filters);
    else
        memset(out, 0, m * a->l->out_size * sizeof *out);
    lt_col2im(&a->p, cols, m, out);
    lt_act_forward(c->activation, out, m * a->pixels, a->filters);
}

static void forward(lt_layer *l, const float *x, float *y, size_t n, bool train)
{
    (void)train;
    lt_conv_pass a = lt_conv_pass_of(l, geometry(l), patch_len(l), n);
    a.x = x;
    a.out = y;
    lt_conv_run(&a, forward_block);
}

static void backward_block(void *arg, size_t b)
{
    const lt_conv_pass *a = arg;
    const lt_conv_config *c = a->l->config;
    size_t m, s = lt_conv_block(a, b, &m), rows = m * a->grid;
    float *dz = a->dy + s * a->l->out_size, *share = lt_conv_share(a, b);
    float *dcols = a->l->scratch + s * a->grid * a->len;
    const float *xs = a->x + s * a->l->in_size;
    lt_act_backward(c->activation, a->y + s * a->l->out_size, dz, m * a->pixels, a->filters);
    if (c->use_bias) {
        float *bias_share = share + a->len * a->channels;
        memset(bias_share, 0, a->filters * sizeof *bias_share);
        lt_bias_gradient_add(bias_share, dz, m * a->pixels, a->filters);
    }
    /* The patches of dL/dz are the gradient of the forward's patches. */
    lt_im2col(&a->p, dz, m, dcols);
    lt_small_gemm_tn(a->len, a->channels, rows, dcols, a->len, xs, a->channels, 1.0f, 0.0f, share,
                     a->channels);
    if (a->dx)
        lt_small_gemm(rows, a->channels, a->len, dcols, a->len, a->l->w, a->channels, 1.0f, 0.0f,
                      a->dx + s * a->l->in_size, a->channels);
}

static void backward(lt_layer *l, const float *x, const float *y, float *dy, float *dx, size_t n)
{
    lt_conv_pass a = lt_conv_pass_of(l, geometry(l), patch_len(l), n);
    a.x = x;
    a.y = y;
    a.dy = dy;
    a.dx = dx;
    lt_conv_run_backward(&a, backward_block);
}

const lt_layer_kind lt_layer_conv2d_transpose = {
    .spec = {.name = "conv2d_transpose",
             .summary = "transposed 2-D convolution, upsampling by strides: [3, 3, 64] -> "
                        "[7, 7, 32]",
             .params = params,
             .n_params = LT_COUNT(params),
             .config_size = sizeof(lt_conv_config)},
    .infer = infer,
    .plan = plan,
    .init = init,
    .forward = forward,
    .backward = backward,
    .by_rows = lt_layer_always_by_rows,
};
