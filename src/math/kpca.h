/* Kernel PCA with scikit-learn 1.2's numbers (sklearn.decomposition.KernelPCA).
 *
 * Fit: K = kernel(X, X), centred in feature space as KernelCenterer does
 * (K - column means - row means + overall mean), then the top k eigenpairs
 * of the centred K (topeig.h; the iterative solvers apply the centring to
 * their products and never form the centred matrix). As scikit-learn does, eigenvalues below zero
 * are set to 0 (an error when one is "significant": below -1e-5 times the
 * largest and below -1e-10), so are positive ones under 1e-12 times the
 * largest, and each eigenvector's sign is flipped so that its entry of
 * largest magnitude is positive (svd_flip). That sign does not depend on
 * the eigen-solver, so every solver gives the same projections entry by
 * entry (up to rounding, and except when two entries of one eigenvector tie
 * in magnitude).
 *
 * The projection of the training rows is eigenvectors * sqrt(eigenvalues);
 * other rows are projected with their kernel against the training rows,
 * centred with the training statistics, times eigenvectors / sqrt(eigenvalues)
 * (0 for a zero eigenvalue).
 *
 * The pre-image map (fit_inverse_transform) is kernel ridge regression from
 * the training projections Z back to X: dual = (kernel(Z, Z) + alpha I)^-1 X,
 * with the same kernel and parameters on Z (so a gamma left unset is
 * 1 / n_components there, as in scikit-learn); a pre-image of z is
 * kernel(z, Z) dual. The centred kernel forgets the data's mean, so the
 * pre-images do not restore it (scikit-learn's documented behaviour). */
#ifndef LATENT_MATH_KPCA_H
#define LATENT_MATH_KPCA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "math/kernel.h"
#include "math/topeig.h"

enum lt_kpca_status {
    LT_KPCA_OK = 0,
    LT_KPCA_ENOMEM = -1,
    LT_KPCA_ETOOBIG = -2,    /* a dimension over BLAS's int */
    LT_KPCA_ENOCONV = -3,    /* the eigen-solver did not converge */
    LT_KPCA_ENEGATIVE = -4,  /* significant negative eigenvalues: not PSD */
    LT_KPCA_EARPACK = -5,    /* ARPACK rejected the problem */
    LT_KPCA_ESINGULAR = -6,  /* kernel(Z, Z) + alpha I is not positive definite */
    LT_KPCA_ENOINVERSE = -7, /* lt_kpca_inverse before lt_kpca_fit_inverse */
};

typedef struct lt_kpca {
    lt_kernel kernel;
    lt_eig_method method;   /* the solver that ran */
    int products;           /* its products of the kernel with a vector (0 for dense) */
    size_t n, p, k;         /* training rows, features, components */
    const double *x_fit;    /* n x p training rows: borrowed, must outlive the model */
    double *eigenvalues;    /* k, descending, clamped as above (owned) */
    double *eigenvectors;   /* n x k, unit columns, signs fixed (owned) */
    double *kernel_means;   /* n: column means of the uncentred training kernel (owned) */
    double kernel_mean;     /* their mean */
    double min_eigenvalue;  /* smallest and largest of the k before clamping */
    double max_eigenvalue;

    /* The pre-image map, after lt_kpca_fit_inverse (else NULL). */
    double alpha;
    double *z_fit;          /* n x k training projections (owned) */
    double *dual;           /* n x p dual coefficients (owned) */
} lt_kpca;

/* Fits on X (n x p, borrowed by the model), keeping k components (1 <= k
 * <= n; k < n for arpack). SEED starts the iterative solvers; THREADS is
 * for the elementwise kernel work. On success the model owns its arrays
 * (free with lt_kpca_free); on failure it holds nothing but, after
 * LT_KPCA_ENEGATIVE, the extreme eigenvalues. Returns an lt_kpca_status. */
int lt_kpca_fit(lt_kpca *m, const double *x, size_t n, size_t p, size_t k,
                const lt_kernel *kernel, lt_eig_method method, uint32_t seed,
                int threads);

/* The training projections eigenvectors * sqrt(eigenvalues) into out (n x k). */
void lt_kpca_train_projection(const lt_kpca *m, double *out);

/* Projects ROWS rows of X (rows x p) into out (rows x k). The kernel
 * against the training rows is formed a block of rows at a time (about
 * 8 MB), never whole. Returns an lt_kpca_status. */
int lt_kpca_transform(const lt_kpca *m, const double *x, size_t rows, int threads,
                      double *out);

/* Fits the pre-image map from the training projections Z (n x k) back to
 * the training rows, with ridge ALPHA >= 0. Returns an lt_kpca_status. */
int lt_kpca_fit_inverse(lt_kpca *m, const double *z, double alpha, int threads);

/* Pre-images of ROWS projections Z (rows x k) into out (rows x p); needs
 * lt_kpca_fit_inverse. Returns an lt_kpca_status. */
int lt_kpca_inverse(const lt_kpca *m, const double *z, size_t rows, int threads,
                    double *out);

/* Frees what the model owns (not x_fit) and zeroes it. */
void lt_kpca_free(lt_kpca *m);

#endif
