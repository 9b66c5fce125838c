/* Small vectorised loops the layers share. */
#ifndef LATENT_NN_KERNELS_H
#define LATENT_NN_KERNELS_H

#include <stdbool.h>
#include <stddef.h>

/* out[j] = (overwrite ? 0 : out[j]) + scale * sum over rows of a[r][j],
 * for a ROWS x COLS matrix a whose rows lie LDA floats apart: a bias's
 * gradient (scale 1, overwrite) or its SGD step (scale -rate, added).
 * Sums each column in row order, so a column's sum is the same whichever
 * columns are summed with it. */
void lt_column_sums(const float *a, size_t rows, size_t cols, size_t lda, float scale,
                    bool overwrite, float *out);

#endif
