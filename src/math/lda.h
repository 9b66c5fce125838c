/* Linear discriminant analysis, as scikit-learn 1.2.1's
 * LinearDiscriminantAnalysis (priors from the class frequencies, no
 * shrinkage, tol 1e-4), with its two solvers that also transform:
 *
 *   svd    the within-class-scaled data are whitened by an SVD (directions of
 *          singular value <= tol dropped), the class centres projected into
 *          that space, and a second SVD finds the discriminant directions
 *          (at most classes - 1 of relative singular value > tol);
 *          transform: (x - xbar) scalings.
 *   eigen  the generalised symmetric eigenproblem Sb v = lambda Sw v
 *          (LAPACK dsygvd, as scipy.linalg.eigh(Sb, Sw)) of the between- and
 *          within-class covariances (1/n normalised); needs Sw positive
 *          definite; transform: x scalings.
 *
 * Both give scikit-learn's coef_ and intercept_ for the classifier: the
 * predicted class is the first of highest score x coef_c + intercept_c
 * (with two classes, class 1 when its score difference is > 0). */
#ifndef LATENT_MATH_LDA_H
#define LATENT_MATH_LDA_H

#include <stddef.h>

typedef enum lt_lda_solver { LT_LDA_SVD, LT_LDA_EIGEN } lt_lda_solver;

enum lt_lda_status {
    LT_LDA_OK = 0,
    LT_LDA_ENOMEM,
    LT_LDA_ETOOBIG,     /* beyond BLAS's int */
    LT_LDA_ENOCONV,     /* LAPACK did not converge */
    LT_LDA_ESINGULAR,   /* eigen: the within-class covariance is singular */
};

/* A fitted model; every array is owned (lt_lda_free). Classes are 0 ..
 * n_classes - 1, every one present in the training labels. */
typedef struct lt_lda {
    lt_lda_solver solver;
    size_t n_features;
    int n_classes;
    size_t n_components;  /* columns transform gives: <= min(classes - 1, features) */
    size_t n_scalings;    /* columns of scalings */
    double *scalings;     /* n_features x n_scalings */
    double *xbar;         /* n_features: priors . means (svd; zeros for eigen) */
    double *priors;       /* n_classes */
    double *means;        /* n_classes x n_features */
    double *coef;         /* n_classes x n_features, before the binary fold */
    double *intercept;    /* n_classes */
    double *explained_variance_ratio; /* n_components */
} lt_lda;

/* Fits on the n x p matrix X with labels Y in [0, n_classes), each class
 * present, n_classes >= 2, n > n_classes. n_components is 1..min(classes - 1,
 * p), or 0 for that maximum. Returns an lt_lda_status; on success *m is
 * filled, on failure it is empty. */
int lt_lda_fit(lt_lda *m, const double *x, const int *y, size_t n, size_t p,
               int n_classes, lt_lda_solver solver, size_t n_components);

/* out (rows x n_components) = the projection of the rows x p matrix X. */
void lt_lda_transform(const lt_lda *m, const double *x, size_t rows, double *out);

/* The class probabilities of every row of X into PROBA (rows x n_classes),
 * as scikit-learn's predict_proba: the softmax of the scores, or with two
 * classes the sigmoid of their difference. */
void lt_lda_proba(const lt_lda *m, const double *x, size_t rows, double *proba);

/* The predicted class of every row of X. */
void lt_lda_predict(const lt_lda *m, const double *x, size_t rows, int *pred);

void lt_lda_free(lt_lda *m);

#endif
