/* conv2d: y = act(conv(x, W) + b) on channels-last images, Keras's Conv2D.
 *
 * The kernel W is [k, k, channels, filters] row-major (Keras's layout)
 * followed by the bias b [filters]. The forward pass copies the batch's
 * patches into one matrix (nn/patches.h) and multiplies it by W in one
 * product (nn/smallmm.h: W, a few hundred values wide at most, stays in
 * the first-level cache); the patch matrix stays in the cache for the
 * kernel's gradient, and the input's gradient goes back through
 * cblas_sgemm and the transposed copy (col2im). The batch goes through in blocks of samples sized for the
 * second-level cache (lt_patches_chunk), shared among the threads
 * (nn/parallel.h). */
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
    LT_CONV_PARAMS("step between patches, along both axes",
                   "valid: patches inside the image only; same: zero-pad so the output is "
                   "ceil(input / strides)",
                   "activation applied to conv(x, W) + b"),
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
        out->dim[a] = lt_conv_extent(in->dim[a], c->kernel_size, c->strides, c->padding, &pad);
        if (!out->dim[a]) {
            char text[64];
            return lt_layer_refuse(d, "kernel_size",
                     "kernel_size %d is larger than the input's %s (%d) of %s with padding "
                     "valid; use padding: same or a smaller kernel",
                     c->kernel_size, a ? "width" : "height", in->dim[a],
                     lt_nn_shape_text(in, text, sizeof text));
        }
    }
    return 0;
}

static lt_patches geometry(const lt_layer *l)
{
    const lt_conv_config *c = l->config;
    lt_patches p = {.img_h = l->in.dim[0], .img_w = l->in.dim[1], .channels = l->in.dim[2],
                    .grid_h = l->out.dim[0], .grid_w = l->out.dim[1],
                    .k = c->kernel_size, .stride = c->strides};
    lt_conv_extent(p.img_h, p.k, p.stride, c->padding, &p.pad_top);
    lt_conv_extent(p.img_w, p.k, p.stride, c->padding, &p.pad_left);
    return p;
}

/* Rows of the patch matrix: k * k * channels. */
static size_t patch_len(const lt_layer *l)
{
    const lt_conv_config *c = l->config;
    return (size_t)c->kernel_size * (size_t)c->kernel_size * (size_t)l->in.dim[2];
}

static int plan(lt_layer *l)
{
    const lt_conv_config *c = l->config;
    lt_patches p = geometry(l);
    l->n_weights = patch_len(l) * (size_t)c->filters + (c->use_bias ? (size_t)c->filters : 0);
    l->cache_size = lt_patches_size(&p); /* the forward pass's patches */
    /* The backward pass's: the patches' gradient, and each block's share
     * of the weights' gradient (at most one block per sample). */
    l->scratch_size = lt_patches_size(&p) + l->n_weights;
    return 0;
}

static void init(lt_layer *l, lt_rng *rng)
{
    const lt_conv_config *c = l->config;
    size_t area = (size_t)c->kernel_size * (size_t)c->kernel_size, len = patch_len(l);
    size_t filters = (size_t)c->filters;
    lt_init_fill(c->kernel_initializer, l->w, len * filters, len, area * filters, rng);
    if (c->use_bias)
        memset(l->w + len * filters, 0, filters * sizeof *l->w);
}

static void forward_block(void *arg, size_t b)
{
    const lt_conv_pass *a = arg;
    const lt_conv_config *c = a->l->config;
    size_t m, s = lt_conv_block(a, b, &m), rows = m * a->grid;
    float *cols = a->l->cache + s * a->grid * a->len, *out = a->out + s * a->grid * a->filters;
    const float *bias = c->use_bias ? a->l->w + a->len * a->filters : NULL;
    lt_im2col(&a->p, a->x + s * a->l->in_size, m, cols);
    if (bias)
        lt_bias_fill(out, bias, rows, a->filters);
    lt_small_gemm(rows, a->filters, a->len, cols, a->len, a->l->w, a->filters, 1.0f,
                  bias ? 1.0f : 0.0f, out, a->filters);
    lt_act_forward(c->activation, out, rows, a->filters);
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
    const float *cols = a->l->cache + s * a->grid * a->len;
    float *dz = a->dy + s * a->grid * a->filters, *share = lt_conv_share(a, b);
    lt_act_backward(c->activation, a->y + s * a->grid * a->filters, dz, rows, a->filters);
    /* dz = dL/dz for z = patches W + b. */
    lt_small_gemm_tn(a->len, a->filters, rows, cols, a->len, dz, a->filters, 1.0f, 0.0f, share,
                     a->filters);
    if (c->use_bias) {
        float *bias_share = share + a->len * a->filters;
        memset(bias_share, 0, a->filters * sizeof *bias_share);
        lt_bias_gradient_add(bias_share, dz, rows, a->filters);
    }
    if (!a->dx)
        return;
    float *dcols = a->l->scratch + s * a->grid * a->len, *dimg = a->dx + s * a->l->in_size;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)a->len, (int)a->filters,
                1.0f, dz, (int)a->filters, a->l->w, (int)a->filters, 0.0f, dcols, (int)a->len);
    memset(dimg, 0, m * a->l->in_size * sizeof *dimg);
    lt_col2im(&a->p, dcols, m, dimg);
}

static void backward(lt_layer *l, const float *x, const float *y, float *dy, float *dx, size_t n)
{
    (void)x; /* its patches are in the cache */
    lt_conv_pass a = lt_conv_pass_of(l, geometry(l), patch_len(l), n);
    a.y = y;
    a.dy = dy;
    a.dx = dx;
    lt_conv_run_backward(&a, backward_block);
}

const lt_layer_kind lt_layer_conv2d = {
    .spec = {.name = "conv2d",
             .summary = "2-D convolution of [height, width, channels] images: act(conv(x, W) + b)",
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
