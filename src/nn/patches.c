#include "nn/patches.h"

#include <stdio.h>
#include <string.h>

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

int lt_patches_need_image(const char *kind, const lt_nn_shape *in, char *err, size_t err_size)
{
    if (in->rank == LT_NN_UNKNOWN || in->rank == 3)
        return 0;
    char text[64];
    lt_nn_shape_text(in, text, sizeof text);
    if (in->rank == 2 && lt_nn_shape_known(in))
        snprintf(err, err_size,
                 "%s takes [height, width, channels] images, got %s; add {reshape: {shape: "
                 "[%d, %d, 1]}} before it for one channel",
                 kind, text, in->dim[0], in->dim[1]);
    else
        snprintf(err, err_size, "%s takes [height, width, channels] images, got %s", kind, text);
    return -1;
}

size_t lt_patches_size(const lt_patches *p)
{
    return (size_t)p->grid_h * (size_t)p->grid_w * (size_t)p->k * (size_t)p->k *
           (size_t)p->channels;
}

/* The kernel columns [*lo, *hi) of the patch at grid column GX that fall
 * inside the image, and the image column of kernel column 0. */
static int clip_columns(const lt_patches *p, int gx, int *lo, int *hi)
{
    int x0 = gx * p->stride - p->pad_left;
    *lo = x0 < 0 ? -x0 : 0;
    *hi = x0 + p->k > p->img_w ? p->img_w - x0 : p->k;
    if (*hi < *lo)
        *hi = *lo;
    return x0;
}

void lt_im2col(const lt_patches *p, const float *img, size_t n, float *cols)
{
    const size_t c = (size_t)p->channels, run = (size_t)p->k * c;
    const size_t img_size = (size_t)p->img_h * (size_t)p->img_w * c;
    float *row = cols;
    for (size_t s = 0; s < n; s++) {
        const float *im = img + s * img_size;
        for (int gy = 0; gy < p->grid_h; gy++) {
            for (int gx = 0; gx < p->grid_w; gx++) {
                int lo, hi, x0 = clip_columns(p, gx, &lo, &hi);
                for (int ky = 0; ky < p->k; ky++, row += run) {
                    int y = gy * p->stride - p->pad_top + ky;
                    if (y < 0 || y >= p->img_h || hi == lo) {
                        memset(row, 0, run * sizeof *row);
                        continue;
                    }
                    /* The row's pixels x0 + lo .. x0 + hi are contiguous. */
                    const float *src = im + ((size_t)y * (size_t)p->img_w + (size_t)(x0 + lo)) * c;
                    memset(row, 0, (size_t)lo * c * sizeof *row);
                    memcpy(row + (size_t)lo * c, src, (size_t)(hi - lo) * c * sizeof *row);
                    memset(row + (size_t)hi * c, 0, (size_t)(p->k - hi) * c * sizeof *row);
                }
            }
        }
    }
}

void lt_col2im(const lt_patches *p, const float *cols, size_t n, float *img)
{
    const size_t c = (size_t)p->channels, run = (size_t)p->k * c;
    const size_t img_size = (size_t)p->img_h * (size_t)p->img_w * c;
    const float *row = cols;
    for (size_t s = 0; s < n; s++) {
        float *im = img + s * img_size;
        for (int gy = 0; gy < p->grid_h; gy++) {
            for (int gx = 0; gx < p->grid_w; gx++) {
                int lo, hi, x0 = clip_columns(p, gx, &lo, &hi);
                for (int ky = 0; ky < p->k; ky++, row += run) {
                    int y = gy * p->stride - p->pad_top + ky;
                    if (y < 0 || y >= p->img_h || hi == lo)
                        continue;
                    float *dst = im + ((size_t)y * (size_t)p->img_w + (size_t)(x0 + lo)) * c;
                    const float *src = row + (size_t)lo * c;
                    size_t m = (size_t)(hi - lo) * c;
                    for (size_t i = 0; i < m; i++)
                        dst[i] += src[i];
                }
            }
        }
    }
}
