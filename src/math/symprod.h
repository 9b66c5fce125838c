/* Products Y = A X of a large dense symmetric matrix A with a block X of a
 * few columns, reading A's lower triangle alone and reading it once for all
 * the columns.
 *
 * Why not BLAS: on a kernel matrix that only holds its lower triangle,
 * dsymv reads the triangle once per column (33 passes of 100 MB for kernel
 * PCA's top 2 pairs at 5000 rows), and OpenBLAS's dsymm first copies the
 * triangle into a full matrix (24 ms for 8 columns at 5000 rows, against
 * 2.6 ms for one dsymv). Here a tile of 8 rows of the triangle is read once
 * and multiplied into 8 columns both ways (A_ij x_j into row i, A_ij x_i
 * into row j), so a block of 8 costs about one memory pass.
 *
 * The work is cut into a fixed number of lanes, each with its own partial
 * result, which are added in lane order: the products do not depend on the
 * number of threads. They do depend on the processor: the AVX-512 and AVX2
 * tiles fuse their multiply-adds (in different orders), the portable loop
 * does not; each is chosen by what the processor runs. */
#ifndef LATENT_MATH_SYMPROD_H
#define LATENT_MATH_SYMPROD_H

#include <stdbool.h>
#include <stddef.h>

/* Columns one pass multiplies; wider blocks take a pass per 8 columns. */
#define LT_SYMPROD_WIDTH 8

typedef struct lt_symprod lt_symprod;

/* Work space for products with n x n matrices on THREADS threads (< 1:
 * one). About 9 n x 8 doubles. Owned by the caller: release with
 * lt_symprod_free. NULL when out of memory. */
lt_symprod *lt_symprod_new(size_t n, int threads);

void lt_symprod_free(lt_symprod *s);

/* The tile kernels, best first. */
typedef enum lt_symprod_tile {
    LT_SYMPROD_AVX512,
    LT_SYMPROD_AVX2,
    LT_SYMPROD_PLAIN,
} lt_symprod_tile;

/* Makes S's products run on kernel WHICH, for tests that compare them
 * (lt_symprod_new picks the best the processor runs). Returns false, and
 * changes nothing, where the processor cannot run it. */
bool lt_symprod_use(lt_symprod *s, lt_symprod_tile which);

/* Y = A X for A n x n, of which only the lower triangle (entries (i, j)
 * with j <= i) is read: row-major with row i at a + i n, or PACKED, with
 * row i's i + 1 entries at a + i (i + 1) / 2. X and Y are n x cols,
 * column-major with leading dimensions ldx and ldy (>= n), and must not
 * overlap. */
void lt_symprod_apply(lt_symprod *s, const double *a, bool packed, const double *x, size_t ldx,
                      size_t cols, double *y, size_t ldy);

#endif
