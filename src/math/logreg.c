#include "math/logreg.h"

#include <cblas.h>
#include <float.h>
#include <lbfgs.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* scipy's maxfun for L-BFGS-B: evaluations allowed before it gives up. */
#define MAX_EVALUATIONS 15000

/* The data and scratch space of one objective; theta is laid out as rows
 * of `stride` numbers: the weights of a row, then its intercept. */
typedef struct problem {
    const lt_mat *x;
    const int *y;
    int k;              /* weight rows */
    size_t stride;      /* n_features + fit_intercept */
    bool intercept;
    double l2;
    double *z;          /* rows x k: scores, then d loss / d score; owned */
    int (*sum)(double *v, size_t n); /* rows spread over processes, or NULL */
    double *parts;      /* the gradient and loss to sum; owned, with sum */
} problem;

static int problem_init(problem *p, const lt_mat *x, const int *y, int n_classes,
                        const lt_logreg_options *opt)
{
    p->x = x;
    p->y = y;
    p->k = n_classes == 2 ? 1 : n_classes;
    p->intercept = opt->fit_intercept;
    p->stride = x->cols + opt->fit_intercept;
    p->l2 = opt->l2;
    p->sum = opt->sum;
    p->z = malloc((x->rows ? x->rows : 1) * (size_t)p->k * sizeof *p->z);
    p->parts = opt->sum ? malloc((p->stride * (size_t)p->k + 1) * sizeof *p->parts) : NULL;
    return p->z && (p->parts || !opt->sum) ? 0 : -1;
}

/* Z = X W^T + b for the k rows of theta; Z is rows x k. */
static void scores(const lt_mat *x, const double *theta, int k, size_t stride,
                   bool intercept, double *z)
{
    size_t n = x->rows, d = x->cols;
    if (n == 0)
        return;
    if (d > 0)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, k, (int)d, 1.0,
                    x->v, (int)d, theta, (int)stride, 0.0, z, k);
    else
        memset(z, 0, n * (size_t)k * sizeof *z);
    for (size_t i = 0; intercept && i < n; i++)
        for (int r = 0; r < k; r++)
            z[i * (size_t)k + (size_t)r] += theta[(size_t)r * stride + d];
}

/* log(1 + e^t) without overflow or loss of small values. */
static double log1pexp(double t) { return t > 0 ? t + log1p(exp(-t)) : log1p(exp(t)); }

/* 1 / (1 + e^-t), accurate for either sign of t. */
static double sigmoid(double t)
{
    if (t >= 0)
        return 1 / (1 + exp(-t));
    double e = exp(t);
    return e / (1 + e);
}

/* The objective at theta; its gradient into grad (same layout). */
static double objective(problem *p, const double *theta, double *grad)
{
    const lt_mat *x = p->x;
    size_t n = x->rows, d = x->cols, k = (size_t)p->k;
    double *z = p->z;
    scores(x, theta, p->k, p->stride, p->intercept, z);

    /* Loss per sample, and z becomes d loss / d score. */
    double loss = 0;
    for (size_t i = 0; i < n; i++) {
        double *zi = z + i * k;
        if (k == 1) {
            double t = zi[0], yi = p->y[i] == 1;
            loss += log1pexp(t) - yi * t;
            zi[0] = sigmoid(t) - yi;
            continue;
        }
        double top = zi[0];
        for (size_t r = 1; r < k; r++)
            top = fmax(top, zi[r]);
        double sum = 0;
        for (size_t r = 0; r < k; r++)
            sum += exp(zi[r] - top);
        double lse = top + log(sum);
        loss += lse - zi[p->y[i]];
        for (size_t r = 0; r < k; r++)
            zi[r] = exp(zi[r] - lse) - ((size_t)p->y[i] == r);
    }

    /* grad_W = R^T X + l2 W; grad_b = column sums of R. */
    for (size_t r = 0; r < k; r++)
        memset(grad + r * p->stride, 0, p->stride * sizeof *grad);
    if (n > 0 && d > 0)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)k, (int)d, (int)n,
                    1.0, z, (int)k, x->v, (int)d, 0.0, grad, (int)p->stride);
    for (size_t r = 0; r < k; r++)
        for (size_t i = 0; p->intercept && i < n; i++)
            grad[r * p->stride + d] += z[i * k + r];
    /* The data's share of loss and gradient, summed over the processes
     * that hold the rows; the penalty is added once, after. */
    if (p->sum) {
        size_t m = p->stride * k;
        memcpy(p->parts, grad, m * sizeof *grad);
        p->parts[m] = loss;
        if (p->sum(p->parts, m + 1) != 0)
            return NAN;
        memcpy(grad, p->parts, m * sizeof *grad);
        loss = p->parts[m];
    }
    double penalty = 0;
    for (size_t r = 0; r < k; r++) {
        const double *w = theta + r * p->stride;
        double *g = grad + r * p->stride;
        for (size_t j = 0; j < d; j++) {
            penalty += w[j] * w[j];
            g[j] += p->l2 * w[j];
        }
    }
    return loss + 0.5 * p->l2 * penalty;
}

double lt_logreg_objective(const lt_mat *x, const int *y, int n_classes,
                           const lt_logreg_options *opt, const double *theta,
                           double *grad)
{
    problem p;
    if (problem_init(&p, x, y, n_classes, opt) != 0) {
        free(p.z);
        free(p.parts);
        return NAN;
    }
    double f = objective(&p, theta, grad);
    free(p.z);
    free(p.parts);
    return f;
}

/* ---- the optimiser ----------------------------------------------------- */

enum stop_reason { RUNNING, MAX_ITER, MAX_EVALS, SMALL_GRADIENT, SMALL_DECREASE };

typedef struct fit_state {
    problem *p;
    const lt_logreg_options *opt;
    double f_prev;     /* objective at the previous iterate */
    int iter;          /* iterations, over restarts */
    int evals;         /* objective evaluations by liblbfgs */
    enum stop_reason reason;
} fit_state;

static lbfgsfloatval_t evaluate(void *instance, const lbfgsfloatval_t *theta,
                                lbfgsfloatval_t *grad, int n, lbfgsfloatval_t step)
{
    (void)n;
    (void)step;
    fit_state *s = instance;
    s->evals++;
    return objective(s->p, theta, grad);
}

static double max_abs(const double *v, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(v[i]));
    return m;
}

/* Called by liblbfgs after each iteration: L-BFGS-B's stopping rules in its
 * order, the iteration limit first (scipy checks it before the Fortran code
 * tests convergence). A nonzero return stops liblbfgs. */
static int progress(void *instance, const lbfgsfloatval_t *theta,
                    const lbfgsfloatval_t *grad, lbfgsfloatval_t f,
                    lbfgsfloatval_t xnorm, lbfgsfloatval_t gnorm,
                    lbfgsfloatval_t step, int n, int k, int ls)
{
    (void)theta, (void)xnorm, (void)gnorm, (void)step, (void)k, (void)ls;
    fit_state *s = instance;
    double f_prev = s->f_prev;
    s->f_prev = f;
    s->iter++;
    if (s->iter >= s->opt->max_iter)
        s->reason = MAX_ITER;
    else if (s->evals > MAX_EVALUATIONS)
        s->reason = MAX_EVALS;
    else if (max_abs(grad, (size_t)n) <= s->opt->gtol)
        s->reason = SMALL_GRADIENT;
    else if (f_prev - f <= s->opt->ftol * fmax(fmax(fabs(f_prev), fabs(f)), 1.0))
        s->reason = SMALL_DECREASE;
    return s->reason != RUNNING;
}

static bool is_line_search_failure(int ret)
{
    return ret == LBFGSERR_ROUNDING_ERROR || ret == LBFGSERR_MINIMUMSTEP ||
           ret == LBFGSERR_MAXIMUMSTEP || ret == LBFGSERR_MAXIMUMLINESEARCH ||
           ret == LBFGSERR_WIDTHTOOSMALL || ret == LBFGSERR_INCORRECT_TMINMAX ||
           ret == LBFGSERR_OUTOFINTERVAL || ret == LBFGSERR_INCREASEGRADIENT;
}

/* Runs liblbfgs from theta (updated in place) until a stopping rule fires.
 * Returns 0, or -1 when out of memory. Sets s->reason, or leaves it RUNNING
 * when the line search failed twice in a row. */
static int minimise(fit_state *s, double *theta, int n)
{
    lbfgs_parameter_t param;
    lbfgs_parameter_init(&param);
    param.m = 10;
    param.epsilon = 0;          /* convergence is decided in progress() */
    param.max_iterations = 0;   /* likewise */
    param.linesearch = LBFGS_LINESEARCH_MORETHUENTE;
    param.max_linesearch = 20;  /* L-BFGS-B's limit per line search */
    param.ftol = 1e-3;          /* L-BFGS-B's sufficient-decrease constant */
    param.gtol = 0.9;           /* and its curvature constant */
    param.max_step = 1e10;      /* L-BFGS-B's largest step when unbounded */

    for (;;) {
        int iter_before = s->iter;
        lbfgsfloatval_t f;
        int ret = lbfgs(n, theta, &f, evaluate, progress, s, &param);
        if (ret == LBFGSERR_OUTOFMEMORY)
            return -1;
        if (s->reason != RUNNING)
            return 0;
        if (ret == LBFGS_SUCCESS || ret == LBFGS_ALREADY_MINIMIZED) {
            s->reason = SMALL_GRADIENT; /* the gradient is exactly zero */
            return 0;
        }
        /* liblbfgs left theta at the last good iterate. Like L-BFGS-B,
         * forget the curvature pairs and try again, unless that was a
         * fresh start already. */
        if (!is_line_search_failure(ret) || s->iter == iter_before)
            return 0;
    }
}

static const char *reason_text(enum stop_reason r)
{
    switch (r) {
    case MAX_ITER:
        return "reached max_iter";
    case MAX_EVALS:
        return "too many objective evaluations";
    case SMALL_GRADIENT:
        return "gradient below tol";
    case SMALL_DECREASE:
        return "objective decrease below ftol";
    default:
        return "line search failed";
    }
}

void lt_logreg_free(lt_logreg *model)
{
    free(model->coef);
    free(model->intercept);
    model->coef = model->intercept = NULL;
}

int lt_logreg_fit(const lt_mat *x, const int *y, int n_classes,
                  const lt_logreg_options *opt, lt_logreg *model)
{
    memset(model, 0, sizeof *model);
    problem p;
    if (problem_init(&p, x, y, n_classes, opt) != 0) {
        free(p.z);
        free(p.parts);
        if (opt->sum)
            opt->sum(NULL, 0); /* the other processes fail with this one */
        return -1;
    }
    size_t n = p.stride * (size_t)p.k;
    if (n > INT_MAX) {
        free(p.z);
        free(p.parts);
        return -1;
    }
    model->n_features = x->cols;
    model->n_classes = n_classes;
    model->n_rows = p.k;
    model->coef = calloc(x->cols * (size_t)p.k + 1, sizeof *model->coef);
    model->intercept = calloc((size_t)p.k, sizeof *model->intercept);
    /* liblbfgs may want its own alignment for the variables. */
    lbfgsfloatval_t *theta = lbfgs_malloc((int)n);
    double *grad = malloc(n * sizeof *grad);
    int rc = -1;
    if (!model->coef || !model->intercept || !theta || !grad) {
        if (opt->sum)
            opt->sum(NULL, 0); /* the other processes fail with this one */
        goto done;
    }
    memset(theta, 0, n * sizeof *theta);

    fit_state s = {.p = &p, .opt = opt};
    s.f_prev = objective(&p, theta, grad);
    if (max_abs(grad, n) <= opt->gtol)
        s.reason = SMALL_GRADIENT; /* L-BFGS-B stops before iterating */
    else if (minimise(&s, theta, (int)n) != 0)
        goto done;

    model->objective = objective(&p, theta, grad);
    model->n_iter = s.iter;
    model->converged = s.reason == SMALL_GRADIENT || s.reason == SMALL_DECREASE;
    model->stop = reason_text(s.reason);
    for (int r = 0; r < p.k; r++) {
        memcpy(model->coef + (size_t)r * x->cols, theta + (size_t)r * p.stride,
               x->cols * sizeof *theta);
        if (opt->fit_intercept)
            model->intercept[r] = theta[(size_t)r * p.stride + x->cols];
    }
    rc = 0;
done:
    if (rc != 0)
        lt_logreg_free(model);
    lbfgs_free(theta);
    free(grad);
    free(p.z);
    free(p.parts);
    return rc;
}

/* ---- using a fitted model ---------------------------------------------- */

/* The scores of every row of X: rows x n_rows, owned by the caller. */
static double *model_scores(const lt_logreg *m, const lt_mat *x)
{
    size_t k = (size_t)m->n_rows, d = m->n_features;
    double *z = malloc((x->rows ? x->rows : 1) * k * sizeof *z);
    double *theta = malloc(k * (d + 1) * sizeof *theta);
    if (z && theta) {
        for (size_t r = 0; r < k; r++) {
            memcpy(theta + r * (d + 1), m->coef + r * d, d * sizeof *theta);
            theta[r * (d + 1) + d] = m->intercept[r];
        }
        scores(x, theta, m->n_rows, d + 1, true, z);
    } else {
        free(z);
        z = NULL;
    }
    free(theta);
    return z;
}

int lt_logreg_predict(const lt_logreg *m, const lt_mat *x, int *pred)
{
    double *z = model_scores(m, x);
    if (!z)
        return -1;
    size_t k = (size_t)m->n_rows;
    for (size_t i = 0; i < x->rows; i++) {
        const double *zi = z + i * k;
        if (k == 1) {
            pred[i] = zi[0] > 0;
            continue;
        }
        size_t best = 0;
        for (size_t r = 1; r < k; r++)
            if (zi[r] > zi[best])
                best = r;
        pred[i] = (int)best;
    }
    free(z);
    return 0;
}

/* The class probabilities of one row from its scores ZI (k of them). */
static void row_proba(const double *zi, size_t k, double *prob)
{
    if (k == 1) {
        prob[1] = sigmoid(zi[0]);
        prob[0] = 1 - prob[1];
    } else {
        double top = zi[0], sum = 0;
        for (size_t r = 1; r < k; r++)
            top = fmax(top, zi[r]);
        for (size_t r = 0; r < k; r++)
            sum += (prob[r] = exp(zi[r] - top));
        for (size_t r = 0; r < k; r++)
            prob[r] /= sum;
    }
}

int lt_logreg_proba(const lt_logreg *m, const lt_mat *x, double *prob)
{
    double *z = model_scores(m, x);
    if (!z)
        return -1;
    size_t c = (size_t)m->n_classes, k = (size_t)m->n_rows;
    for (size_t i = 0; i < x->rows; i++)
        row_proba(z + i * k, k, prob + i * c);
    free(z);
    return 0;
}

double lt_logreg_row_loss(const double *prob, size_t n_classes, int y)
{
    /* sklearn clips to [eps, 1 - eps], then renormalises each row. */
    double sum = 0, mine = 0;
    for (size_t r = 0; r < n_classes; r++) {
        double q = fmin(fmax(prob[r], DBL_EPSILON), 1 - DBL_EPSILON);
        sum += q;
        if ((int)r == y)
            mine = q;
    }
    return -log(mine / sum);
}

double lt_logreg_log_loss(const lt_logreg *m, const lt_mat *x, const int *y)
{
    size_t c = (size_t)m->n_classes;
    double *prob = malloc((x->rows ? x->rows : 1) * c * sizeof *prob);
    if (!prob || lt_logreg_proba(m, x, prob) != 0) {
        free(prob);
        return NAN;
    }
    double total = 0;
    for (size_t i = 0; i < x->rows; i++)
        total += lt_logreg_row_loss(prob + i * c, c, y[i]);
    free(prob);
    return x->rows ? total / (double)x->rows : NAN;
}
