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
 * batch's patch matrix in one cblas_sgemm. */
#include <cblas.h>
#include <stdio.h>
#include <string.h>

#include "nn/activation.h"
#include "nn/bias.h"
#include "nn/init.h"
#include "nn/layer.h"
#include "nn/patches.h"

struct conv2d_transpose_config {
    int filters;
    int kernel_size;
    int strides;
    int padding;
    int activation;
    bool use_bias;
    int kernel_initializer;
};

#define CFG struct conv2d_transpose_config
static const lt_param params[] = {
    {.name = "filters", .help = "output channels", .offset = LT_FIELD(CFG, filters, int),
     .type = LT_P_INT, .flags = LT_REQUIRED, .min = 1, .max = 1 << 16},
    {.name = "kernel_size", .help = "height and width of the square kernel",
     .offset = LT_FIELD(CFG, kernel_size, int), .type = LT_P_INT, .flags = LT_REQUIRED,
     .min = 1, .max = 1 << 10},
    LT_INT(CFG, strides, 1, 1, 1 << 10, "upsampling factor along both axes"),
    LT_CHOICE(CFG, padding, "valid", lt_padding_names,
              "valid: output input * strides + max(kernel_size - strides, 0); same: "
              "input * strides"),
    LT_CHOICE(CFG, activation, "linear", lt_act_names, "activation applied to the output"),
    LT_BOOL(CFG, use_bias, true, "add a bias per filter (initialised to zero)"),
    LT_CHOICE(CFG, kernel_initializer, "glorot_uniform", lt_init_names,
              "how the kernel's weights are drawn"),
};
#undef CFG

static int infer(const void *config, const lt_nn_shape *in, lt_nn_shape *out, char *err,
                 size_t err_size)
{
    const struct conv2d_transpose_config *c = config;
    if (lt_patches_need_image("conv2d_transpose", in, err, err_size) != 0)
        return -1;
    *out = (lt_nn_shape){.rank = 3, .dim = {LT_NN_UNKNOWN, LT_NN_UNKNOWN, c->filters}};
    for (int a = 0; in->rank == 3 && a < 2; a++) {
        int pad;
        if (in->dim[a] == LT_NN_UNKNOWN)
            continue;
        long long extent = (long long)in->dim[a] * c->strides + c->kernel_size;
        if (extent > 1 << 24) {
            snprintf(err, err_size, "the output's %s would be about %lld; expected at most %d",
                     a ? "width" : "height", extent, 1 << 24);
            return -1;
        }
        out->dim[a] = lt_conv_transpose_extent(in->dim[a], c->kernel_size, c->strides,
                                               c->padding, &pad);
    }
    return 0;
}

/* The output is the image, the input the grid of patch positions. */
static lt_patches geometry(const lt_layer *l)
{
    const struct conv2d_transpose_config *c = l->config;
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
    const struct conv2d_transpose_config *c = l->config;
    return (size_t)c->kernel_size * (size_t)c->kernel_size * (size_t)c->filters;
}

static int plan(lt_layer *l)
{
    const struct conv2d_transpose_config *c = l->config;
    lt_patches p = geometry(l);
    size_t channels = (size_t)l->in.dim[2];
    l->n_weights = patch_len(l) * channels + (c->use_bias ? (size_t)c->filters : 0);
    l->scratch_size = lt_patches_size(&p); /* the patches, or their gradient */
    return 0;
}

static void init(lt_layer *l, lt_rng *rng)
{
    const struct conv2d_transpose_config *c = l->config;
    size_t area = (size_t)c->kernel_size * (size_t)c->kernel_size, len = patch_len(l);
    size_t channels = (size_t)l->in.dim[2];
    /* Keras reads the fans off the kernel's shape [k, k, filters, channels]
     * as it would a convolution's: fan_in k * k * filters. */
    lt_init_fill(c->kernel_initializer, l->w, len * channels, len, area * channels, rng);
    if (c->use_bias)
        memset(l->w + len * channels, 0, (size_t)c->filters * sizeof *l->w);
}

static void forward(lt_layer *l, const float *x, float *y, size_t n, bool train)
{
    (void)train;
    const struct conv2d_transpose_config *c = l->config;
    lt_patches p = geometry(l);
    size_t channels = (size_t)l->in.dim[2], len = patch_len(l), filters = (size_t)c->filters;
    size_t grid = (size_t)p.grid_h * p.grid_w, pixels = (size_t)p.img_h * p.img_w;
    const float *bias = c->use_bias ? l->w + len * channels : NULL;
    size_t chunk = lt_patches_chunk(&p);
    for (size_t s = 0; s < n; s += chunk) {
        size_t m = n - s < chunk ? n - s : chunk;
        float *out = y + s * l->out_size;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(m * grid), (int)len,
                    (int)channels, 1.0f, x + s * l->in_size, (int)channels, l->w, (int)channels,
                    0.0f, l->scratch, (int)len);
        if (bias)
            lt_bias_fill(out, bias, m * pixels, filters);
        else
            memset(out, 0, m * l->out_size * sizeof *out);
        lt_col2im(&p, l->scratch, m, out);
        lt_act_forward(c->activation, out, m * pixels, filters);
    }
}

static void backward(lt_layer *l, const float *x, const float *y, float *dy, float *dx, size_t n)
{
    const struct conv2d_transpose_config *c = l->config;
    lt_patches p = geometry(l);
    size_t channels = (size_t)l->in.dim[2], len = patch_len(l), filters = (size_t)c->filters;
    size_t grid = (size_t)p.grid_h * p.grid_w, pixels = (size_t)p.img_h * p.img_w;
    float *bias_grad = c->use_bias ? l->g + len * channels : NULL;
    if (bias_grad)
        memset(bias_grad, 0, filters * sizeof *bias_grad);
    size_t chunk = lt_patches_chunk(&p);
    for (size_t s = 0; s < n; s += chunk) {
        size_t m = n - s < chunk ? n - s : chunk, rows = m * grid;
        float *dz = dy + s * l->out_size;
        const float *xs = x + s * l->in_size;
        lt_act_backward(c->activation, y + s * l->out_size, dz, m * pixels, filters);
        if (bias_grad)
            lt_bias_gradient_add(bias_grad, dz, m * pixels, filters);
        /* The patches of dL/dz are the gradient of the forward's patches. */
        lt_im2col(&p, dz, m, l->scratch);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)len, (int)channels, (int)rows,
                    1.0f, l->scratch, (int)len, xs, (int)channels, s ? 1.0f : 0.0f, l->g,
                    (int)channels);
        if (dx)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)channels,
                        (int)len, 1.0f, l->scratch, (int)len, l->w, (int)channels, 0.0f,
                        dx + s * l->in_size, (int)channels);
    }
}

const lt_layer_kind lt_layer_conv2d_transpose = {
    .spec = {.name = "conv2d_transpose",
             .summary = "transposed 2-D convolution, upsampling by strides: [3, 3, 64] -> "
                        "[7, 7, 32]",
             .params = params,
             .n_params = LT_COUNT(params),
             .config_size = sizeof(struct conv2d_transpose_config)},
    .infer = infer,
    .plan = plan,
    .init = init,
    .forward = forward,
    .backward = backward,
};
