/* The two products of the covariance PCA, each in one pass over the data
 * and spread over OpenBLAS's thread count:
 *   lt_gram_centred  the column means and the scatter matrix (X - mean)^T
 *                    (X - mean), without a second pass for the means
 *   lt_gram_project  (X - mean) V^T, centring block by block
 * each also for float32 rows (the _f32 forms), widened as they are read.
 * The rows are cut into one contiguous lane per thread (THREADS, the
 * caller's count: OpenBLAS's, typically); each lane runs
 * single-threaded BLAS on its own rows into its own result, and the lanes'
 * results are added in lane order. Splitting the long dimension this way
 * keeps both cores in the product kernel (OpenBLAS's own threads split the
 * short one, and wait on each other at every block), and the centring,
 * which is not BLAS work, runs in parallel with it. The numbers depend on
 * the thread count (how the rows are cut), never on scheduling. With more
 * than one lane, OpenBLAS is set to one thread while the lanes run and set
 * back after (as the autoencoder stage does while it trains). */
#ifndef LATENT_MATH_GRAM_H
#define LATENT_MATH_GRAM_H

#include <stdbool.h>
#include <stddef.h>

/* mean (cols) = the column means of X (rows x cols, rows >= 1) and out
 * (cols x cols, both triangles) = (X - mean)^T (X - mean).
 *
 * X is read once: each block of rows is shifted by a provisional mean (that
 * of the first rows) into a small buffer, whose column sums and Gram matrix
 * are accumulated; the exact mean is the shift plus the mean offset d, and
 * the scatter matrix is the shifted one less rows d d^T. Since d is only
 * the provisional mean's error, a fraction of the spread, the correction
 * cancels nothing that matters: the accuracy is that of centring exactly
 * first, also for data far from the origin. Returns LT_LA_OK, LT_LA_ENOMEM
 * or LT_LA_ETOOBIG (then mean and out are unspecified). */
int lt_gram_centred(const double *x, size_t rows, size_t cols, int threads, double *mean,
                    double *out);

/* out (rows x k) = (X - mean) V^T for V k x cols. UNCENTRED: compute X V^T
 * and take mean V^T off each row instead (the caller's accuracy rule, see
 * math/pca.c), which saves the centring copy. Returns LT_LA_OK,
 * LT_LA_ENOMEM or LT_LA_ETOOBIG. */
int lt_gram_project(const double *x, size_t rows, size_t cols, const double *mean,
                    const double *v, size_t k, bool uncentred, int threads, double *out);

/* The same two products of float32 rows (held images), each widened to
 * float64 block by block as it is read, so that no float64 copy of the
 * data is ever made. The numbers are those of the float64 functions on the
 * widened rows, bit for bit, but for UNCENTRED, which they ignore: rows
 * widened into a buffer are centred there at no cost, the more accurate
 * route. */
int lt_gram_centred_f32(const float *x, size_t rows, size_t cols, int threads, double *mean,
                        double *out);
int lt_gram_project_f32(const float *x, size_t rows, size_t cols, const double *mean,
                        const double *v, size_t k, bool uncentred, int threads, double *out);

/* out (rows x c) = X q for q cols x c, and out (cols x c) = X^T y for y
 * rows x c, of float32 rows X widened block by block: the products of
 * randomized PCA's range finder. X^T y is summed lane by lane, and the
 * lanes added in lane order. Return LT_LA_OK, LT_LA_ENOMEM or
 * LT_LA_ETOOBIG. */
int lt_gram_times_f32(const float *x, size_t rows, size_t cols, const double *q, size_t c,
                      int threads, double *out);
int lt_gram_tr_times_f32(const float *x, size_t rows, size_t cols, const double *y, size_t c,
                         int threads, double *out);

#endif
