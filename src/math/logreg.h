/* Logistic regression as scikit-learn 1.2 fits it (LogisticRegression,
 * solver "lbfgs"). It minimises
 *
 *     sum_i loss_i  +  l2 / 2 * ||W||^2          (intercepts not penalised)
 *
 * where loss_i is the log-loss of sample i: binomial for two classes (one
 * weight row, scoring class 1 against class 0) and multinomial (softmax) for
 * more (one row per class). sklearn's C is 1 / l2.
 *
 * The optimiser is liblbfgs, set up to behave like scipy's L-BFGS-B as
 * sklearn calls it: 10 correction pairs, a More-Thuente line search with
 * L-BFGS-B's constants, the first step 1 / ||gradient||, and L-BFGS-B's
 * stopping rules, tested in this order after every iteration:
 *   1. max_iter iterations done: stop, not converged;
 *   2. max |gradient| <= gtol: converged (scipy's pgtol, sklearn's tol);
 *   3. (f_prev - f) <= ftol * max(|f_prev|, |f|, 1): converged.
 * A failed line search restarts from steepest descent once, as L-BFGS-B
 * does; a second failure in a row stops, not converged. Iterates agree with
 * scipy's up to rounding, so a fit stopped early (the lecture's raw data at
 * max_iter = 100) lands near, not exactly on, sklearn's coefficients. */
#ifndef LATENT_MATH_LOGREG_H
#define LATENT_MATH_LOGREG_H

#include <stdbool.h>
#include <stddef.h>

#include "latent/data.h"

/* scipy's default ftol for L-BFGS-B: factr 1e7 times the machine epsilon. */
#define LT_LOGREG_FTOL 2.2204460492503131e-09

typedef struct lt_logreg_options {
    double l2;          /* penalty strength 1 / C; 0 for none */
    bool fit_intercept;
    int max_iter;       /* iterations (line searches) at most, >= 1 */
    double gtol;        /* stopping rule 2 */
    double ftol;        /* stopping rule 3; LT_LOGREG_FTOL as scipy */
    /* Rows spread over processes (an MPI run's ranks): sums N doubles over
     * them in a fixed order, as lt_dist_sum; every process then takes the
     * same steps. NULL: this process holds every row. */
    int (*sum)(double *v, size_t n);
} lt_logreg_options;

typedef struct lt_logreg {
    size_t n_features;
    int n_classes;      /* >= 2 */
    int n_rows;         /* weight rows: 1 when binary, else n_classes */
    double *coef;       /* n_rows x n_features, row-major; owned */
    double *intercept;  /* n_rows; zeros without fit_intercept; owned */
    double objective;   /* the objective at the coefficients */
    int n_iter;         /* iterations done */
    bool converged;     /* stopped by rule 2 or 3 (or a zero gradient) */
    const char *stop;   /* why it stopped, a static phrase for messages */
} lt_logreg;

/* Fits on the rows of X with labels Y in [0, n_classes), n_classes >= 2,
 * starting from zero coefficients. Returns 0 and fills *model (free its
 * arrays with lt_logreg_free), or -1 when out of memory. Deterministic. */
int lt_logreg_fit(const lt_mat *x, const int *y, int n_classes,
                  const lt_logreg_options *opt, lt_logreg *model);

/* Frees the arrays of *model (not model itself); safe on a zeroed model. */
void lt_logreg_free(lt_logreg *model);

/* The predicted class of each row of X: class 1 where the score is > 0 when
 * binary, else the first class of highest score, as sklearn's predict.
 * Returns 0, or -1 when out of memory. */
int lt_logreg_predict(const lt_logreg *model, const lt_mat *x, int *pred);

/* sklearn.metrics.log_loss of the model's probabilities on X (mean over
 * rows, probabilities clipped to [eps, 1 - eps] and renormalised). Returns
 * NAN when out of memory. */
double lt_logreg_log_loss(const lt_logreg *model, const lt_mat *x, const int *y);

/* The class probabilities of every row of X into prob (rows x n_classes),
 * as sklearn's predict_proba: the logistic of the score when binary, the
 * softmax of the scores otherwise. Returns 0, or -1 when out of memory. */
int lt_logreg_proba(const lt_logreg *model, const lt_mat *x, double *prob);

/* One row's term of sklearn's log_loss: -log of its clipped, renormalised
 * probability of class Y. */
double lt_logreg_row_loss(const double *prob, size_t n_classes, int y);

/* The objective and its gradient at THETA, for tests and diagnostics.
 * THETA and GRAD hold one row per weight row: n_features weights, then the
 * intercept when fit_intercept. Returns NAN when out of memory. */
double lt_logreg_objective(const lt_mat *x, const int *y, int n_classes,
                           const lt_logreg_options *opt, const double *theta,
                           double *grad);

#endif
