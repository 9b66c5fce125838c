/* Small vectorised loops the layers share. */
#ifndef LATENT_NN_KERNELS_H
#define LATENT_NN_KERNELS_H

#include <stdbool.h>
#include <stddef.h>

/* out[j] = (overwrite ? 0 : out[j]) + scale * sum over rows of a[r][j],
 * for a ROWS x COLS matrix a: a bias's gradient (scale 1, overwrite) or
 * its SGD step (scale -rate, added). Sums each column in row order. */
void lt_column_sums(const float *a, size_t rows, size_t cols, float scale, bool overwrite,
                    float *out);

#endif
