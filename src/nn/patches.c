#include "nn/patches.h"

#include <stdio.h>

#include "nn/layer.h"

/* Small copies stay loops (copy_run). The option is GCC's; clang, which
 * builds only the fuzzing harnesses here, goes without it. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-loop-distribute-patterns")
#endif

const char *const lt_padding_names[] = {"valid", "same", NULL};

int lt_conv_extent(int in, int k, int stride, lt_padding padding, int *pad)
{
    *pad = 0;
    if (padding == LT_PAD_VALID)
        return in < k ? 0 : (in - k) / stride + 1;
    int out = (in + stride - 1) / stride;
    int total = (out - 1) * stride + k - in;
    *pad = total > 0 ? total / 2 : 0;
    return out;
}

int lt_conv_transpose_extent(int in, int k, int stride, lt_padding padding, int *pad)
{
    *pad = 0;
    if (padding == LT_PAD_VALID)
        return in * stride + (k > stride ? k - stride : 0);
    int out = in * stride;
    int total = (in - 1) * stride + k - out;
    *pad = total > 0 ? total / 2 : 0;
    return out;
}

int lt_patches_need_image(const lt_nn_shape *in, lt_diag *d)
{
    if (in->rank == LT_NN_UNKNOWN || in->rank == 3)
        return 0;
    char text[64];
    lt_nn_shape_text(in, text, sizeof text);
    if (in->rank == 2 && lt_nn_shape_known(in))
        return lt_layer_refuse(d, NULL,
                               "expected [height, width, channels] images (channels last), got %s; add "
                               "{reshape: {shape: [%d, %d, 1]}} before it for one channel",
                               text, in->dim[0], in->dim[1]);
    return lt_layer_refuse(d, NULL, "expected [height, width, channels] images (channels last), got %s",
                           text);
}

size_t lt_patches_size(const lt_patches *p)
{
    return (size_t)p->grid_h * (size_t)p->grid_w * (size_t)p->k * (size_t)p->k *
           (size_t)p->channels;
}

/* Floats of patches per block: 128 KiB, an eighth of a Cascade Lake core's
 * second-level cache, leaves room for the block's outputs, the kernel and
 * OpenBLAS's packed copies. Measured on the lecture's model: 64 and 128
 * KiB about equal, 512 KiB 8% and the whole batch 17% slower. */
#define BLOCK_FLOATS (128 * 1024 / sizeof(float))

size_t lt_patches_chunk(const lt_patches *p, size_t n)
{
    size_t per_sample = lt_patches_size(p);
    size_t fits = per_sample && per_sample < BLOCK_FLOATS ? BLOCK_FLOATS / per_sample : 1;
    size_t eighth = (n + 7) / 8;
    size_t chunk = fits < eighth ? fits : eighth;
    return chunk ? chunk : 1;
}

/* Runs of a few pixels' channels: k * channels floats at most (3 to a few
 * hundred). Left alone, the compiler turns this loop (and zero_run) into a
 * call to memcpy (memset) per run, which cost the convolutions' im2col
 * more than the copying did: a fifth of a conv AE epoch's samples. The
 * pragma at the top of the file keeps them loops, which it vectorises. */
static inline void copy_run(float *restrict dst, const float *restrict src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i];
}

static inline void zero_run(float *dst, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = 0;
}

static inline void add_run(float *restrict dst, const float *restrict src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] += src[i];
}

/* The kernel columns [*lo, *hi) of the patch at grid column GX that fall
 * inside the image (an empty range when none does); returns the image
 * column of kernel column 0. */
static int clip_columns(const lt_patches *p, int gx, int *lo, int *hi)
{
    int x0 = gx * p->stride - p->pad_left;
    *lo = x0 < 0 ? -x0 : 0;
    *hi = x0 + p->k > p->img_w ? p->img_w - x0 : p->k;
    if (*hi < *lo)
        *hi = *lo = 0;
    return x0;
}

/* The grid columns [*first, *last) whose patches lie wholly inside the
 * image's width: the common case, copied without clipping. */
static void interior_columns(const lt_patches *p, int *first, int *last)
{
    /* gx * stride - pad_left >= 0 and gx * stride - pad_left + k <= img_w. */
    *first = (p->pad_left + p->stride - 1) / p->stride;
    int room = p->img_w - p->k + p->pad_left;
    *last = room < 0 ? 0 : room / p->stride + 1;
    if (*last > p->grid_w)
        *last = p->grid_w;
    if (*first > *last)
        *first = *last;
}

/* One kernel row KY of the patches of grid columns [from, to) (clipped at
 * the image's edges), LINE the image row it reads (NULL: outside the
 * image). ROWS is the grid row's first patch row. */
static void im2col_clipped(const lt_patches *p, const float *line, int ky, int from, int to,
                           float *rows)
{
    const size_t c = (size_t)p->channels, run = (size_t)p->k * c, len = (size_t)p->k * run;
    for (int gx = from; gx < to; gx++) {
        float *dst = rows + (size_t)gx * len + (size_t)ky * run;
        int lo, hi, x0 = clip_columns(p, gx, &lo, &hi);
        if (!line || hi == lo) {
            zero_run(dst, run);
            continue;
        }
        zero_run(dst, (size_t)lo * c);
        copy_run(dst + (size_t)lo * c, line + (size_t)(x0 + lo) * c, (size_t)(hi - lo) * c);
        zero_run(dst + (size_t)hi * c, (size_t)(p->k - hi) * c);
    }
}

/* Patch rows are walked kernel row by kernel row (ky outside gx), so each
 * image row is read while it is in the first-level cache. */
void lt_im2col(const lt_patches *p, const float *img, size_t n, float *cols)
{
    const size_t c = (size_t)p->channels, run = (size_t)p->k * c, len = (size_t)p->k * run;
    const size_t img_size = (size_t)p->img_h * (size_t)p->img_w * c;
    const size_t grid = (size_t)p->grid_h * (size_t)p->grid_w, step = (size_t)p->stride * c;
    int first, last;
    interior_columns(p, &first, &last);
    for (size_t s = 0; s < n; s++) {
        const float *im = img + s * img_size;
        for (int gy = 0; gy < p->grid_h; gy++) {
            float *rows = cols + (s * grid + (size_t)gy * (size_t)p->grid_w) * len;
            for (int ky = 0; ky < p->k; ky++) {
                int y = gy * p->stride - p->pad_top + ky;
                if (y < 0 || y >= p->img_h) {
                    im2col_clipped(p, NULL, ky, 0, p->grid_w, rows);
                    continue;
                }
                const float *line = im + (size_t)y * (size_t)p->img_w * c;
                im2col_clipped(p, line, ky, 0, first, rows);
                if (first < last) {
                    const float *src = line + (size_t)(first * p->stride - p->pad_left) * c;
                    float *dst = rows + (size_t)first * len + (size_t)ky * run;
                    for (int gx = first; gx < last; gx++, src += step, dst += len)
                        copy_run(dst, src, run);
                }
                im2col_clipped(p, line, ky, last, p->grid_w, rows);
            }
        }
    }
}

/* As im2col_clipped, adding kernel row KY of the patches back onto LINE. */
static void col2im_clipped(const lt_patches *p, float *line, int ky, int from, int to,
                           const float *rows)
{
    const size_t c = (size_t)p->channels, run = (size_t)p->k * c, len = (size_t)p->k * run;
    for (int gx = from; gx < to; gx++) {
        int lo, hi, x0 = clip_columns(p, gx, &lo, &hi);
        if (hi == lo)
            continue;
        const float *src = rows + (size_t)gx * len + (size_t)ky * run;
        add_run(line + (size_t)(x0 + lo) * c, src + (size_t)lo * c, (size_t)(hi - lo) * c);
    }
}

void lt_col2im(const lt_patches *p, const float *cols, size_t n, float *img)
{
    const size_t c = (size_t)p->channels, run = (size_t)p->k * c, len = (size_t)p->k * run;
    const size_t img_size = (size_t)p->img_h * (size_t)p->img_w * c;
    const size_t grid = (size_t)p->grid_h * (size_t)p->grid_w, step = (size_t)p->stride * c;
    int first, last;
    interior_columns(p, &first, &last);
    for (size_t s = 0; s < n; s++) {
        float *im = img + s * img_size;
        for (int gy = 0; gy < p->grid_h; gy++) {
            const float *rows = cols + (s * grid + (size_t)gy * (size_t)p->grid_w) * len;
            for (int ky = 0; ky < p->k; ky++) {
                int y = gy * p->stride - p->pad_top + ky;
                if (y < 0 || y >= p->img_h)
                    continue;
                float *line = im + (size_t)y * (size_t)p->img_w * c;
                col2im_clipped(p, line, ky, 0, first, rows);
                if (first < last) {
                    float *dst = line + (size_t)(first * p->stride - p->pad_left) * c;
                    const float *src = rows + (size_t)first * len + (size_t)ky * run;
                    for (int gx = first; gx < last; gx++, dst += step, src += len)
                        add_run(dst, src, run);
                }
                col2im_clipped(p, line, ky, last, p->grid_w, rows);
            }
        }
    }
}
