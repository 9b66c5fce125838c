/* Principal component analysis with scikit-learn's numbers (PCA, 1.2.1).
 *
 * Two solvers give the same model:
 *   full        thin SVD of the centred data (dgesdd), as PCA(svd_solver='full')
 *   covariance  eigenpairs of the sample covariance (dsyrk + dsyevr)
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

typedef enum lt_pca_solver {
    LT_PCA_AUTO,
    LT_PCA_FULL,
    LT_PCA_COVARIANCE,
} lt_pca_solver;

/* "auto", "full", "covariance". */
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
    size_t n_spectrum;    /* min(n_samples, n_features) */
    size_t n_components;  /* kept: k */
    lt_pca_solver solver; /* the one that ran (never AUTO) */
    double *mean;         /* n_features: the training mean */
    /* The full spectrum, descending, n_spectrum entries each. */
    double *variance;        /* explained variance, n - 1 denominator */
    double *variance_ratio;  /* variance / total_variance (0 when that is 0) */
    double *singular_values; /* sqrt(variance * (n - 1)) */
    double total_variance;   /* sum of the spectrum */
    double *components;      /* k x n_features, unit rows, signs as above */
    double noise_variance;   /* mean of variance[k..n_spectrum), or 0 */
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

/* out (rows x k) = (X - mean) components^T, then divided column by column
 * by sqrt(variance) when whiten (a component of zero variance is left
 * unscaled). Data whose mean lies within 15 rms spreads of the origin are
 * projected uncentred, X V^T - mean V^T, in one BLAS call (the rounding
 * error stays within ~30 eps of the spread); others are centred block by
 * block. Returns LT_PCA_OK, LT_PCA_ENOMEM or LT_PCA_ETOOBIG. */
int lt_pca_transform(const lt_pca *model, const double *x, size_t rows,
                     bool whiten, double *out);

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

void lt_pca_free(lt_pca *model);

#endif
