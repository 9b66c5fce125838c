/* Principal component analysis with scikit-learn's numbers (PCA and
 * IncrementalPCA, 1.2.1).
 *
 * Two exact solvers give the same model:
 *   full        thin SVD of the centred data (dgesdd), as PCA(svd_solver='full')
 *   covariance  eigenpairs of the sample covariance (dsyrk + dsyevr)
 * and two approximate ones give a few leading components:
 *   randomized  PCA(svd_solver='randomized'), lt_pca_fit_randomized
 *   incremental IncrementalPCA, batch by batch, lt_ipca_*
 * The covariance solver reads the data twice and does about a sixth of the
 * work of the SVD when rows >> cols, but it squares the condition number:
 * an eigenvalue is known to about eps * (largest eigenvalue), so components
 * whose eigenvalue gap is tiny relative to the largest are less accurate than
 * the SVD's. lt_pca_pick_solver states when auto picks which.
 *
 * Signs follow scikit-learn 1.2.1 (svd_flip with u_based_decision=True): in
 * each column of U = X_centred V, the entry of largest magnitude (the first
 * such when tied) is made positive. The covariance solver computes that
 * column from X_centred v, so both solvers give the same signs. */
#ifndef LATENT_MATH_PCA_H
#define LATENT_MATH_PCA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum lt_pca_solver {
    LT_PCA_AUTO,
    LT_PCA_FULL,
    LT_PCA_COVARIANCE,
    LT_PCA_RANDOMIZED,
    LT_PCA_INCREMENTAL,
} lt_pca_solver;

/* How randomized PCA keeps its power iterations from collapsing onto the
 * first component: scikit-learn's power_iteration_normalizer. */
typedef enum lt_pca_normalizer {
    LT_PCA_NORM_AUTO, /* none for n_iter <= 2, else LU */
    LT_PCA_NORM_NONE,
    LT_PCA_NORM_LU,
    LT_PCA_NORM_QR,
} lt_pca_normalizer;

/* "auto", "none", "LU", "QR". */
const char *lt_pca_normalizer_name(lt_pca_normalizer n);

/* Shared by the solvers. The PCA status for a status of math/linalg.h. */
int lt_pca_status_from_la(int la);
/* The sign (+1 or -1) of the entry of largest magnitude, the first on ties
 * (numpy's argmax), among n entries stride apart: what scikit-learn's
 * svd_flip makes positive. */
double lt_pca_sign_of_largest(const double *v, size_t n, size_t stride);

/* "auto", "full", "covariance", "randomized", "incremental". */
const char *lt_pca_solver_name(lt_pca_solver s);

enum lt_pca_status {
    LT_PCA_OK = 0,
    LT_PCA_ENOMEM,       /* out of memory */
    LT_PCA_ETOOBIG,      /* a dimension is beyond what BLAS can index */
    LT_PCA_ENOCONV,      /* LAPACK did not converge */
    LT_PCA_EZEROVAR,     /* a variance fraction was asked of constant data */
};

/* A fitted model. Every array is owned by the model (lt_pca_free). */
typedef struct lt_pca {
    size_t n_samples, n_features;
    /* The spectrum known: min(n_samples, n_features) for the exact solvers,
     * n_components for the approximate ones. */
    size_t n_spectrum;
    size_t n_components;  /* kept: k */
    lt_pca_solver solver; /* the one that ran (never AUTO) */
    double *mean;         /* n_features: the training mean */
    /* The full spectrum, descending, n_spectrum entries each. */
    double *variance;        /* explained variance, n - 1 denominator */
    double *variance_ratio;  /* variance / total_variance (0 when that is 0) */
    double *singular_values; /* sqrt(variance * (n - 1)) */
    double total_variance;   /* sum of the spectrum */
    double *components;      /* k x n_features, unit rows, signs as above */
    double noise_variance;   /* the variance per component left out, or 0 */
    /* Randomized solver only: what auto resolved to. */
    int n_iter;
    lt_pca_normalizer normalizer;
    /* Incremental solver only: the batches it fitted. */
    size_t n_batches;
} lt_pca;

/* What auto stands for: covariance when rows >= 2 cols (there the SVD does
 * at least ~3x the covariance's flops) and the data are big enough,
 * rows * cols^2 >= 2^24, for the time saved to matter; below that the SVD
 * takes milliseconds and is the more accurate route. */
lt_pca_solver lt_pca_pick_solver(size_t rows, size_t cols);

/* How many leading components a variance fraction in (0, 1) keeps: the
 * fewest whose cumulative ratio exceeds it (scikit-learn's
 * searchsorted(cumsum, fraction, side='right') + 1), at most n. */
size_t lt_pca_count_for_fraction(const double *ratio, size_t n, double fraction);

/* How many leading components reach fraction (cumsum >= fraction, the
 * lecture's argmax(cumsum >= 0.95) + 1); n when none does. */
size_t lt_pca_count_reaching(const double *ratio, size_t n, double fraction);

/* Fits a model on the rows x cols matrix X (rows >= 2, cols >= 1).
 * n_components is 1..min(rows, cols) to keep that many, a fraction in (0, 1)
 * (see lt_pca_count_for_fraction) or 0 for all. When scores is not NULL it
 * receives an owned rows x k matrix (free()) of the training data projected
 * on the kept components, unwhitened: U S on the full path (as
 * PCA.fit_transform), (X - mean) V on the covariance path. On success *model
 * is filled (release with lt_pca_free); on failure it is left empty. */
int lt_pca_fit(lt_pca *model, const double *x, size_t rows, size_t cols,
               double n_components, lt_pca_solver solver, double **scores);

/* Rows spread over several processes (an MPI run's ranks), each holding a
 * block of them in order. SUM replaces V (N doubles) on every process by
 * the sum over the processes, in a fixed order; it returns 0, or -1 on
 * every process when any failed (a process that failed before summing
 * calls it with V NULL, which also fails an ALLGATHER the others are in).
 * ALLGATHER gives every process all the processes' LOCAL rows (COUNT rows
 * of WIDTH doubles each) in process order, in a new array of *TOTAL rows
 * owned by the caller; it returns 0 or -1 on every process. */
typedef struct lt_pca_rows {
    int (*sum)(double *v, size_t n);
    int (*allgather)(const double *local, size_t count, size_t width, double **all,
                     size_t *total);
    int rank, size;
} lt_pca_rows;

/* MEAN (cols) of every process's rows: this block's X (rows x cols) summed
 * with the others' by SPREAD, over N rows in all. Returns LT_PCA_OK or
 * LT_PCA_ENOMEM. */
int lt_pca_rows_means(const lt_pca_rows *spread, const double *x, size_t rows, size_t cols, size_t n,
                      double *mean);

/* lt_pca_fit (solver auto, full or covariance; auto picks by all the
 * rows) for data whose rows are spread as SPREAD says: X is this process's
 * block (rows may be 0). The mean is summed over the processes; the
 * covariance solver sums the blocks' scatter matrices, the full one
 * gathers the R of each centred block's QR factorisation and takes the
 * SVD of their stack (the whole's singular values and right vectors, to
 * rounding); the signs are found over all rows. So every process gets the
 * model of all the rows (n_samples counts them all) and *scores holds its
 * own rows' projection, (X - mean) V^T. */
int lt_pca_fit_rows(lt_pca *model, const double *x, size_t rows, size_t cols,
                    double n_components, lt_pca_solver solver, const lt_pca_rows *spread,
                    double **scores);

/* scikit-learn's randomized_svd parameters. */
typedef struct lt_pca_randomized {
    size_t n_oversamples;         /* extra random columns (10) */
    int n_iter;                   /* power iterations; -1: 7 when k < 0.1
                                     min(rows, cols), else 4 */
    lt_pca_normalizer normalizer;
    uint32_t seed;                /* RandomState(seed) draws the test matrix */
} lt_pca_randomized;

/* Fits k (1 <= k <= min(rows, cols)) components by randomized SVD of the
 * centred data, as PCA(svd_solver='randomized', random_state=seed): the
 * same Gaussian test matrix (numpy's legacy stream), the same LU or QR
 * normalisation, the same signs. The model's spectrum holds the k computed
 * variances; total_variance is exact. scores as lt_pca_fit (U S). */
int lt_pca_fit_randomized(lt_pca *model, const double *x, size_t rows, size_t cols,
                          size_t k, const lt_pca_randomized *opt, double **scores);

/* Whether a fit by SOLVER (never AUTO) of ROWS x COLS data can read
 * float32 rows as they are (lt_pca_fit_f32, lt_pca_fit_randomized_f32):
 * the covariance solver, and the randomized one on tall data, whose sketch
 * is taken of X. Rows spread over processes never can. */
bool lt_pca_reads_f32(lt_pca_solver solver, size_t rows, size_t cols);

/* lt_pca_fit_randomized of float32 rows (held images), widened block by
 * block as each product reads them; tall data only (rows >= cols: where
 * the sketch is taken of X, not of X^T). The same model to rounding (the
 * products with X^T sum by row blocks). */
int lt_pca_fit_randomized_f32(lt_pca *model, const float *x, size_t rows, size_t cols, size_t k,
                              const lt_pca_randomized *opt, double **scores);

/* lt_pca_fit_randomized for rows spread as SPREAD says (X is this
 * process's block, rows may be 0; k is checked against all the rows).
 * Every product with the data is this process's rows' part, summed over
 * the processes (M^T y, Q^T M, the Gram matrix) or gathered in process
 * order (M q, a matrix with a row per sample); what is left (the test
 * matrix, the LU and QR normalisations, the small SVD and the signs) runs
 * on the same numbers in every process. So every process gets the same
 * model, that of all the rows up to the order of the sums, and *scores
 * holds its own rows' U S. */
int lt_pca_fit_randomized_rows(lt_pca *model, const double *x, size_t rows, size_t cols,
                               size_t k, const lt_pca_randomized *opt,
                               const lt_pca_rows *spread, double **scores);

/* Incremental PCA, as scikit-learn's IncrementalPCA.partial_fit: each batch
 * updates the mean and variance and takes the SVD of the previous
 * components (scaled by their singular values), the centred batch and a
 * mean-correction row, so memory is O((k + batch) x cols), whatever the
 * rows. Components take IncrementalPCA's signs: the largest-magnitude entry
 * of each component is positive. */
typedef struct lt_ipca lt_ipca;

/* Starts a fit of k components of data with cols features; k = 0 takes
 * min(first batch rows, cols). Returns an owned state (lt_ipca_free) or NULL
 * when out of memory. */
lt_ipca *lt_ipca_new(size_t cols, size_t k);
/* Fits one batch of rows x cols (rows >= k; the first batch also >= 2, and
 * every later one >= 1). Returns LT_PCA_OK, LT_PCA_ENOMEM, LT_PCA_ETOOBIG or
 * LT_PCA_ENOCONV; after a failure the state is unusable. */
int lt_ipca_partial_fit(lt_ipca *s, const double *batch, size_t rows);
/* The components so far (k, after at least one batch), for lt_pca_*. */
size_t lt_ipca_components(const lt_ipca *s);
/* Moves the fit into *model (release with lt_pca_free); the state keeps
 * nothing and only lt_ipca_free may follow. Returns LT_PCA_OK or
 * LT_PCA_ENOMEM (then *model is empty). */
int lt_ipca_finish(lt_ipca *s, lt_pca *model);
void lt_ipca_free(lt_ipca **s);

/* scikit-learn's gen_batches(n, batch, min_batch_size=k): the end of the
 * batch that starts at START. Batches are BATCH rows, and the last takes in
 * a remainder that would be shorter than MIN. */
size_t lt_ipca_batch_end(size_t start, size_t n, size_t batch, size_t min);

/* out (rows x k) = (X - mean) components^T, then divided column by column
 * by sqrt(variance) when whiten (a component of zero variance is left
 * unscaled). Data whose mean lies within 15 rms spreads of the origin are
 * projected uncentred, X V^T - mean V^T, in one BLAS call (the rounding
 * error stays within ~30 eps of the spread); others are centred block by
 * block. Returns LT_PCA_OK, LT_PCA_ENOMEM or LT_PCA_ETOOBIG. */
int lt_pca_transform(const lt_pca *model, const double *x, size_t rows,
                     bool whiten, double *out);

/* The float32 forms, for held images: lt_pca_fit with the covariance
 * solver, lt_pca_transform and lt_pca_reconstruction_mse of float32 rows,
 * each row widened exactly to float64 block by block as it is read, so
 * that the data are never copied whole. The numbers are those of the
 * float64 functions on the widened rows, but for the projection's rounding
 * where those would project uncentred (float32 rows are centred as they
 * are widened). */
int lt_pca_fit_f32(lt_pca *model, const float *x, size_t rows, size_t cols,
                   double n_components, double **scores);
int lt_pca_transform_f32(const lt_pca *model, const float *x, size_t rows, bool whiten,
                         double *out);
int lt_pca_reconstruction_mse_f32(const lt_pca *model, const float *x, const double *scores,
                                  size_t rows, double *mse);

/* Divides column j of scores (rows x k) by sqrt(variance[j]) (skipping
 * components of zero variance): whitening of an unwhitened projection. */
void lt_pca_whiten(const lt_pca *model, double *scores, size_t rows);

/* out (rows x n_features) = scores components + mean: the reconstruction in
 * feature space from unwhitened scores. Returns LT_PCA_OK or LT_PCA_ETOOBIG. */
int lt_pca_inverse(const lt_pca *model, const double *scores, size_t rows,
                   double *out);

/* Mean over all entries of (X - reconstruction)^2 for X (rows x n_features)
 * and its unwhitened scores, computed from the residual itself (not from the
 * spectrum) so it stays accurate when it is tiny. Returns LT_PCA_OK,
 * LT_PCA_ENOMEM or LT_PCA_ETOOBIG; the value goes to *mse. */
int lt_pca_reconstruction_mse(const lt_pca *model, const double *x,
                              const double *scores, size_t rows, double *mse);

/* The reconstruction error of the rows an exact fit (full or covariance
 * solver) was fitted on, from its spectrum: the variance it left out,
 * sum over j >= k of variance[j], times (n - 1) / (n p). Each variance is
 * known to about eps * (the largest), so this is used only when the left
 * out share is at least 1e-3 of the total (then it is good to ~1e-12 of
 * itself); otherwise, and for the approximate solvers, it returns false and
 * the error must come from the residual (lt_pca_reconstruction_mse). Saves
 * a pass over the data and a product the size of the projection. */
bool lt_pca_training_mse(const lt_pca *model, double *mse);

void lt_pca_free(lt_pca *model);

#endif
