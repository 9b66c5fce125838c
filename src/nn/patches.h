/* Image patches for convolutions: TensorFlow's size and padding rules, and
 * the im2col / col2im copies that turn a convolution into one matrix
 * product over the whole batch.
 *
 * A convolution relates an image (height x width x channels, channels
 * last) to a grid of patch positions: position (gy, gx) covers the k x k
 * pixels from row gy * stride - pad_top and column gx * stride - pad_left,
 * pixels outside the image reading as zero. For conv2d and maxpool2d the
 * image is the input and the grid the output; for conv2d_transpose the
 * roles swap (its input is the grid, its output the image), which is what
 * makes it the convolution's transpose.
 *
 * A patch matrix has one row per grid position of every sample (n * grid_h
 * * grid_w rows) and k * k * channels columns in [ky][kx][channel] order:
 * Keras's kernel layout, so patches times a [k * k * channels, filters]
 * kernel is the channels-last output with no transposition anywhere. */
#ifndef LATENT_NN_PATCHES_H
#define LATENT_NN_PATCHES_H

#include <stdbool.h>
#include <stddef.h>

#include "nn/shape.h"
#include "util/diag.h"

/* The padding choices users write, indexed by lt_padding, NULL-terminated. */
typedef enum lt_padding { LT_PAD_VALID, LT_PAD_SAME } lt_padding;
extern const char *const lt_padding_names[];

typedef struct lt_patches {
    int img_h, img_w, channels; /* the image side */
    int grid_h, grid_w;         /* the patch positions */
    int k, stride;              /* square kernel, equal strides on both axes */
    int pad_top, pad_left;      /* zero rows (columns) before the image */
} lt_patches;

/* A convolution's (or pooling's) output extent along one axis for an input
 * extent IN, as TensorFlow computes it: valid ceil((in - k + 1) / s), same
 * ceil(in / s). Sets *pad to the zero padding before the first pixel (same
 * pads (out - 1) s + k - in in all, the smaller half first). Returns 0 when
 * a valid window does not fit (in < k). */
int lt_conv_extent(int in, int k, int stride, lt_padding padding, int *pad);

/* A transposed convolution's output extent for an input extent IN, Keras's
 * deconv_output_length: valid in s + max(k - s, 0), same in s. Sets *pad as
 * for the convolution that maps the output back to the input. */
int lt_conv_transpose_extent(int in, int k, int stride, lt_padding padding, int *pad);

/* For a layer that takes images: 0 when IN is [height, width, channels]
 * (or not known yet); else -1 with the reason recorded in D. */
int lt_patches_need_image(const lt_nn_shape *in, lt_diag *d);

/* Floats in one sample's patch matrix: grid_h * grid_w * k * k * channels. */
size_t lt_patches_size(const lt_patches *p);

/* How many of a pass's N samples to take at a time: few enough that a
 * block of their patches stays in the core's second-level cache while it
 * is written, multiplied and read again (one product over the whole batch
 * would run its operands through memory, and OpenBLAS packs them again),
 * and few enough that the batch makes at least 8 blocks to share among
 * threads (nn/parallel.h). At least 1. */
size_t lt_patches_chunk(const lt_patches *p, size_t n);

/* Writes the patch matrix of n images (n * img_h * img_w * channels floats)
 * to COLS (n * lt_patches_size floats). */
void lt_im2col(const lt_patches *p, const float *img, size_t n, float *cols);

/* The transpose of lt_im2col: adds every patch row of COLS back onto the
 * pixels it came from in IMG (which the caller has initialised; padding
 * entries are dropped). */
void lt_col2im(const lt_patches *p, const float *cols, size_t n, float *img);

#endif
