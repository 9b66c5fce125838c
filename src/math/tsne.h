/* t-distributed stochastic neighbour embedding, as scikit-learn 1.2.1's TSNE.
 *
 * The algorithm, step by step as scikit-learn runs it:
 *   1. Input affinities. For every point a binary search finds the Gaussian
 *      precision whose conditional distribution p(j|i) has the requested
 *      perplexity (entropy within 1e-5 of log(perplexity), at most 100
 *      steps), over the k = min(n - 1, 3 perplexity + 1) nearest neighbours
 *      (barnes_hut) or over all points (exact). The squared distances are
 *      rounded to float32 before the search, as scikit-learn does.
 *      P = (C + C^T) / sum(C + C^T): sparse for barnes_hut; dense and floored
 *      at the machine epsilon for exact.
 *   2. Initial embedding: the first principal components scaled so that the
 *      first has standard deviation 1e-4 (init pca), or 1e-4 standard normal
 *      draws from numpy's RandomState(seed) (init random).
 *   3. Gradient descent with momentum and per-parameter gains (+0.2 when the
 *      gradient's sign flips against the last update, x0.8 otherwise, at
 *      least 0.01): 250 iterations on P times early_exaggeration with
 *      momentum 0.5, then on P up to max_iter with momentum 0.8, gains and
 *      update reset between the phases. Every 50th iteration (and the last)
 *      the KL divergence is evaluated; a phase stops when it has not improved
 *      for n_iter_without_progress iterations (250 in the first phase) or
 *      when the gradient norm falls to min_grad_norm.
 *   4. Gradient: exact O(n^2), or Barnes-Hut with a 2^d-tree over the
 *      embedding (d <= 3): a cell whose squared width is below angle^2 times
 *      its squared distance stands for its points; or (fft, not in
 *      scikit-learn; FIt-SNE's and openTSNE's method, n_components <= 2) the
 *      repulsion interpolated onto a grid and convolved by FFT (tsne_fft.c),
 *      with barnes_hut's P and schedule. The Student-t kernel has
 *      max(n_components - 1, 1) degrees of freedom.
 * Everything runs in double precision (scikit-learn runs the descent in
 * float32), so runs agree with scikit-learn's in distribution, KL and
 * trustworthiness, not point for point.
 *
 * Threads: a pool (may be NULL) runs the per-point loops; every reduction
 * sums per-point partials in index order, so a fit gives bit-identical
 * results for any number of threads. */
#ifndef LATENT_MATH_TSNE_H
#define LATENT_MATH_TSNE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "math/pool.h"

typedef enum lt_tsne_method { LT_TSNE_BARNES_HUT, LT_TSNE_EXACT, LT_TSNE_FFT } lt_tsne_method;
typedef enum lt_tsne_init { LT_TSNE_INIT_PCA, LT_TSNE_INIT_RANDOM } lt_tsne_init;

enum lt_tsne_status {
    LT_TSNE_OK = 0,
    LT_TSNE_ENOMEM,   /* out of memory */
    LT_TSNE_ETOOBIG,  /* a dimension beyond what BLAS (or an int index) takes */
    LT_TSNE_EPCA,     /* the PCA initialisation failed (LAPACK) */
};

/* The longest the exaggerated phase runs; scikit-learn's
 * _EXPLORATION_N_ITER. max_iter must be at least this. */
#define LT_TSNE_EXPLORATION_ITER 250
/* Iterations between evaluations of the KL divergence (_N_ITER_CHECK). */
#define LT_TSNE_CHECK_EVERY 50

typedef struct lt_tsne_options {
    int n_components;            /* 1..3 for barnes_hut, 1..2 for fft */
    double perplexity;           /* > 0 and < n */
    double early_exaggeration;   /* > 0 */
    double learning_rate;        /* > 0, or <= 0 for auto: max(n / ee / 4, 50) */
    int max_iter;                /* >= LT_TSNE_EXPLORATION_ITER */
    int n_iter_without_progress; /* second phase's patience */
    double min_grad_norm;
    lt_tsne_init init;
    lt_tsne_method method;
    double angle;                /* barnes_hut: in [0, 1] */
    uint32_t seed;               /* RandomState seed of init random */
} lt_tsne_options;

/* scikit-learn's defaults (sklearn 1.2.1 TSNE()). */
lt_tsne_options lt_tsne_defaults(void);

typedef struct lt_tsne_result {
    double *embedding;     /* n x n_components, row-major; owned (free()) */
    double kl_divergence;  /* the last evaluated KL divergence, as kl_divergence_ */
    double kl_exaggerated; /* the last one of the exaggerated phase */
    int n_iter;            /* iterations run (scikit-learn's n_iter_ + 1) */
    double learning_rate;  /* the rate used (auto resolved) */
    size_t n_neighbors;    /* neighbours of each point in P (n - 1 for exact) */
} lt_tsne_result;

/* Fits an embedding of the n x d matrix X (row-major). Requires n >= 2,
 * 0 < perplexity < n, and for init pca n_components <= min(n, d). On
 * success fills *res (free res->embedding) and returns LT_TSNE_OK; on
 * failure res->embedding is NULL. */
int lt_tsne_fit(const double *x, size_t n, size_t d, const lt_tsne_options *opt,
                lt_pool *pool, lt_tsne_result *res);

/* ---- the pieces, for tests and diagnostics ------------------------------ */

/* P's rows again for the SIMD attraction (tsne_attract.h): in groups of
 * LT_TSNE_LANES rows of about the same length (rows sorted by length), edge
 * k of a group's r-th row at slot LT_TSNE_LANES k + r of the group, so that
 * one vector holds the k-th edges of the group's rows. A row shorter than
 * its group's longest is padded with edges to itself of value 0, which add
 * +0.0 to its sums (and change no bit of them). */
#define LT_TSNE_LANES 8
typedef struct lt_tsne_lanes {
    size_t groups;   /* 0: not laid out */
    uint32_t *rows;  /* groups x LANES: each group's rows, the last group
                        padded with copies of its first row */
    size_t *start;   /* groups + 1: each group's first slot */
    int *col;        /* start[groups] slots */
    double *val;
} lt_tsne_lanes;

/* P of the barnes_hut method: n rows of a symmetric sparse matrix (CSR,
 * columns ascending within a row), summing to 1, and optionally the same
 * entries laid out in lanes. */
typedef struct lt_tsne_sparse {
    size_t n;
    size_t *row; /* n + 1 offsets into col and val */
    int *col;
    double *val;
    lt_tsne_lanes lanes;
} lt_tsne_sparse;

void lt_tsne_sparse_free(lt_tsne_sparse *p);

/* Conditional probabilities p(j|i) by scikit-learn's binary search
 * (_binary_search_perplexity) for each of n rows of m squared distances
 * d2 (row-major). With all_points (m == n, the exact method) the diagonal
 * is skipped and its p is 0; otherwise row i holds its m neighbours' own
 * distances. p is n x m. */
void lt_tsne_conditional(const float *d2, size_t n, size_t m, bool all_points,
                         double perplexity, lt_pool *pool, double *p);

/* The barnes_hut P of X (n x d) from its k nearest neighbours. Returns an
 * lt_tsne_status; on success *p is owned by the caller (lt_tsne_sparse_free). */
int lt_tsne_joint_sparse(const double *x, size_t n, size_t d, size_t k,
                         double perplexity, lt_pool *pool, lt_tsne_sparse *p);

/* The exact method's P of X: n x n, row-major, symmetric, floored at the
 * machine epsilon off the diagonal, 0 on it. Returns an lt_tsne_status; on
 * success *p is an owned array (free()). */
int lt_tsne_joint_dense(const double *x, size_t n, size_t d, double perplexity,
                        lt_pool *pool, double **p);

/* The exact gradient of KL(P || Q) at the n x dim embedding Y into grad
 * (n x dim), and the KL divergence itself when want_error (else NAN is
 * returned). P is lt_tsne_joint_dense's. Returns NAN as well when out of
 * memory, with grad untouched: check grad_ok. */
double lt_tsne_gradient_exact(const double *p, const double *y, size_t n, size_t dim,
                              bool want_error, lt_pool *pool, double *grad,
                              bool *grad_ok);

/* Workspace of the Barnes-Hut gradient: the tree and per-point buffers,
 * reused across iterations. */
typedef struct lt_tsne_bh lt_tsne_bh;

/* Returns a workspace for n points in dim (1..3) dimensions, or NULL when
 * out of memory. Owned; free with lt_tsne_bh_free. */
lt_tsne_bh *lt_tsne_bh_new(size_t n, size_t dim);
void lt_tsne_bh_free(lt_tsne_bh *bh);

/* The kernels of the 2-D repulsion walk (tsne_walk.h), best first. All
 * give bit-identical gradients; lt_tsne_bh_new picks the best the
 * processor runs. */
typedef enum lt_tsne_bh_kernel {
    LT_TSNE_BH_AVX512,
    LT_TSNE_BH_AVX2,
    LT_TSNE_BH_PLAIN,
} lt_tsne_bh_kernel;

/* Makes BH's walks run on kernel WHICH, for tests that compare them.
 * Returns false, and changes nothing, where the processor cannot run it. */
bool lt_tsne_bh_use(lt_tsne_bh *bh, lt_tsne_bh_kernel which);

/* The Barnes-Hut gradient of KL(P || Q) at Y with the angle criterion
 * (scikit-learn's _barnes_hut_tsne.gradient times its constant), and its
 * KL divergence when want_error (else NAN). Returns NAN with *ok false when
 * the tree could not be grown (out of memory). */
double lt_tsne_gradient_bh(lt_tsne_bh *bh, const lt_tsne_sparse *p, const double *y,
                           double angle, bool want_error, lt_pool *pool,
                           double *grad, bool *ok);

/* Workspace of the FFT-interpolated gradient: point weights, the grid,
 * its transforms and FFTW plans, reused across iterations (regrown when the
 * embedding's extent changes the box count). */
typedef struct lt_tsne_fft lt_tsne_fft;

/* Returns a workspace for n points in dim (1..2) dimensions, or NULL when
 * out of memory or dim is out of range. Owned; free with lt_tsne_fft_free. */
lt_tsne_fft *lt_tsne_fft_new(size_t n, size_t dim);
void lt_tsne_fft_free(lt_tsne_fft *f);

/* The interpolated repulsion at Y: into neg (n x dim, may be NULL) the sums
 * sum_{j} w_ij^2 (y_i - y_j), with w = 1 / (1 + d^2); returns
 * Z = sum_{i != j} w_ij, or NAN when out of memory. */
double lt_tsne_repulsion_fft(lt_tsne_fft *f, const double *y, lt_pool *pool,
                             double *neg);

/* The gradient of KL(P || Q) at Y with the interpolated repulsion and the
 * exact attraction over P's entries, and its KL divergence when want_error
 * (else NAN), as lt_tsne_gradient_bh. Returns NAN with *ok false when out of
 * memory. */
double lt_tsne_gradient_fft(lt_tsne_fft *f, const lt_tsne_sparse *p, const double *y,
                            bool want_error, lt_pool *pool, double *grad, bool *ok);

#endif
