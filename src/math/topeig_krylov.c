/* lt_top_eigh's randomized method: a block Krylov basis grown from a
 * Gaussian start with full reorthogonalisation (block Lanczos, as in Musco
 * and Musco's randomized block Krylov method), with thick restarts, run
 * until the wanted Ritz pairs converge.
 *
 * Why this and not ARPACK or subspace iteration: on a large dense kernel
 * the cost is the number of passes over A, each memory-bound. symprod.h
 * reads A's lower triangle once for a block of 8 vectors, at about the
 * cost of one dsymv, and a block of 8 converges on lambda_k against
 * lambda_9 rather than lambda_{k+1}: on the 5000-point swiss roll's rbf
 * kernel, whose 2nd and 3rd eigenvalues are 2% apart, the top 2 pairs
 * converge to 1e-13 after 14 passes, where Lanczos vector by vector took
 * 33 dsymv and ARPACK's implicit restarts (20 vectors) about 75. Keeping
 * the whole basis orthogonal makes every product count.
 *
 * Every product A Q is kept next to the basis B, so the projected matrix
 * H = B' A B and the Ritz vectors' images A B y cost no extra pass. When
 * the basis is full it restarts from the best Ritz vectors. */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "math/linalg.h"
#include "math/rng.h"
#include "math/symprod.h"
#include "math/topeig_impl.h"

/* The basis grows by blocks of max(k + EXTRA, MIN_BLOCK) vectors rounded up
 * to whole passes of lt_symprod (8 columns), and by one pass's 8 for up to
 * SMALL_K pairs: a block of 8 costs about what one vector does (a pass
 * over A is memory-bound), and its wider gap (lambda_k against lambda_9
 * rather than lambda_{k+1}) converges in far fewer passes. */
#define SMALL_K 9
#define EXTRA 6
#define MIN_BLOCK 16
#define KEEP_EXTRA 10     /* Ritz pairs a restart keeps: k + KEEP_EXTRA */
#define SMALL_BASIS 120  /* vectors in the basis before a restart, up to SMALL_K pairs */
#define MAX_BLOCKS 30     /* blocks in the basis before a restart, beyond */
#define MAX_PRODUCTS 20000 /* products with A before giving up */
#define TOL 1e-13       /* residual |A u - theta u| / max |theta| to stop at */
/* Rounding can hold a residual just above TOL; one below STALL_TOL that has
 * not halved over the last STALL_PRODUCTS products is accepted. */
#define STALL_TOL 1e-9
#define STALL_PRODUCTS 40

/* Column-major work arrays (leading dimension n for n-row blocks, mmax for
 * the projected matrices). */
struct krylov {
    const lt_sym_matrix *m;
    size_t n, k;
    size_t step; /* vectors the basis grows by in a pass */
    size_t keep; /* Ritz pairs tracked and kept at a restart (>= k, >= step) */
    size_t mmax; /* basis size before a restart */
    double *basis;  /* n x mmax: orthonormal B, m columns in use */
    double *image;  /* n x mmax: A B */
    double *h;      /* mmax x mmax: B' A B */
    double *hcopy;  /* mmax x mmax: dsyevr's destroyed input */
    double *theta;  /* mmax: Ritz values, ascending */
    double *y;      /* mmax x mmax: H's eigenvectors */
    double *ysel;   /* mmax x keep: the chosen ones, best first */
    double *u, *au; /* n x keep: Ritz vectors and their images */
    double *coef;   /* mmax x keep */
    double *tau;    /* keep */
    lapack_int *support; /* 2 mmax */
    lt_symprod *prod;    /* the products' work space */
    int threads;         /* the products' threads */
};

static void release(struct krylov *s)
{
    free(s->basis);
    free(s->image);
    free(s->h);
    free(s->hcopy);
    free(s->theta);
    free(s->y);
    free(s->ysel);
    free(s->u);
    free(s->au);
    free(s->coef);
    free(s->tau);
    free(s->support);
    lt_symprod_free(s->prod);
}

static int allocate(struct krylov *s)
{
    size_t n = s->n, mm = s->mmax, b = s->keep;
    s->basis = malloc(n * mm * sizeof(double));
    s->image = malloc(n * mm * sizeof(double));
    s->h = calloc(mm * mm, sizeof(double));
    s->hcopy = malloc(mm * mm * sizeof(double));
    s->theta = malloc(mm * sizeof(double));
    s->y = malloc(mm * mm * sizeof(double));
    s->ysel = malloc(mm * b * sizeof(double));
    s->u = malloc(n * b * sizeof(double));
    s->au = malloc(n * b * sizeof(double));
    s->coef = malloc(mm * b * sizeof(double));
    s->tau = malloc(b * sizeof(double));
    s->support = malloc(2 * mm * sizeof(lapack_int));
    s->prod = lt_symprod_new(n, s->threads);
    return s->prod && s->basis && s->image && s->h && s->hcopy && s->theta && s->y && s->ysel &&
                   s->u && s->au && s->coef && s->tau && s->support
               ? LT_LA_OK
               : LT_LA_ENOMEM;
}

/* W (n x w, leading dimension n) := W minus its projection on the first m
 * basis columns; with KNOWN, coef already holds B' W (m x cols). */
static void project_out(struct krylov *s, size_t m, double *w, size_t cols, bool known)
{
    if (m == 0)
        return;
    int N = (int)s->n, M = (int)m, C = (int)cols;
    if (!known)
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, M, C, N, 1.0, s->basis, N, w,
                    N, 0.0, s->coef, M);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, N, C, M, -1.0, s->basis, N,
                s->coef, M, 1.0, w, N);
}

static int qr_in_place(struct krylov *s, double *w, size_t cols)
{
    lapack_int n = (lapack_int)s->n, c = (lapack_int)cols;
    lapack_int info = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, n, c, w, n, s->tau);
    if (info == 0)
        info = LAPACKE_dorgqr(LAPACK_COL_MAJOR, n, c, c, w, n, s->tau);
    if (info == LAPACK_WORK_MEMORY_ERROR)
        return LT_LA_ENOMEM;
    return info == 0 ? LT_LA_OK : LT_LA_ENOCONV;
}

/* Makes columns m..m+cols of the basis (already holding candidate
 * directions) orthonormal and orthogonal to the first m; with KNOWN, coef
 * holds their first projection's coefficients. Twice projecting out keeps
 * the orthogonality at rounding level; the pass after the QR repairs
 * directions that were mostly cancellation noise (a block that A mapped
 * almost into the basis), which the QR blows up to unit length. */
static int extend_basis(struct krylov *s, size_t m, size_t cols, bool known)
{
    double *w = s->basis + m * s->n;
    project_out(s, m, w, cols, known);
    project_out(s, m, w, cols, false);
    int rc = qr_in_place(s, w, cols);
    if (rc != LT_LA_OK)
        return rc;
    project_out(s, m, w, cols, false);
    return qr_in_place(s, w, cols);
}

/* Eigenpairs of H's leading m x m block; picks the `want` largest into
 * ysel (best first) with their values in vals. */
static int ritz(struct krylov *s, size_t m, size_t want, double *vals)
{
    int M = (int)m, MM = (int)s->mmax;
    for (size_t j = 0; j < m; j++)
        memcpy(s->hcopy + j * s->mmax, s->h + j * s->mmax, m * sizeof(double));
    lapack_int found = 0;
    lapack_int info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'A', 'L', M, s->hcopy, MM,
                                     0.0, 0.0, 0, 0, 0.0, &found, s->theta, s->y, MM,
                                     s->support);
    if (info == LAPACK_WORK_MEMORY_ERROR || info == LAPACK_TRANSPOSE_MEMORY_ERROR)
        return LT_LA_ENOMEM;
    if (info != 0 || found != M)
        return LT_LA_ENOCONV;
    for (size_t j = 0; j < want; j++) {
        size_t from = m - 1 - j;
        vals[j] = s->theta[from];
        memcpy(s->ysel + j * m, s->y + from * s->mmax, m * sizeof(double));
    }
    return LT_LA_OK;
}

/* AQ (n x width, column-major) = the matrix times Q, reading A's lower
 * triangle once per 8 columns (symprod.h), which every storage holds. */
static void product(struct krylov *s, const double *q, size_t width, double *aq)
{
    lt_symprod_apply(s->prod, s->m->a, s->m->storage == LT_SYM_PACKED, q, s->n, width, aq,
                     s->n);
    lt_sym_centre_products(s->m, q, s->n, aq, s->n, width);
}

/* u = B ysel and au = A B ysel for the first `want` chosen Ritz pairs. */
static void ritz_vectors(struct krylov *s, size_t m, size_t want)
{
    int N = (int)s->n, M = (int)m, W = (int)want;
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, N, W, M, 1.0, s->basis, N,
                s->ysel, M, 0.0, s->u, N);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, N, W, M, 1.0, s->image, N,
                s->ysel, M, 0.0, s->au, N);
}

/* H gains the columns (and rows) of the newest block, the first m + width
 * of C = B' A Q (already in place as H's new columns): mirrored, and
 * averaged with their transposes inside the new block. */
static void symmetrize_new_block(struct krylov *s, size_t m, size_t width)
{
    size_t mm = s->mmax;
    for (size_t j = m; j < m + width; j++)
        for (size_t i = 0; i < j; i++) {
            double v = s->h[j * mm + i];
            if (i >= m)
                v = 0.5 * (v + s->h[i * mm + j]);
            s->h[j * mm + i] = s->h[i * mm + j] = v;
        }
}

/* The largest |A u - theta u| over the k wanted Ritz pairs in u, au. */
static double worst_residual(const struct krylov *s, const double *vals)
{
    double worst = 0;
    for (size_t j = 0; j < s->k; j++) {
        double sum = 0;
        for (size_t i = 0; i < s->n; i++) {
            double e = s->au[j * s->n + i] - vals[j] * s->u[j * s->n + i];
            sum += e * e;
        }
        worst = fmax(worst, sqrt(sum));
    }
    return worst;
}

/* A thick restart: the `want` best Ritz vectors (and their images) become
 * the whole basis, and H the diagonal of their values. Returns the new
 * basis width. */
static size_t restart(struct krylov *s, size_t m, size_t want, const double *vals)
{
    size_t n = s->n, mm = s->mmax;
    ritz_vectors(s, m, want);
    memcpy(s->basis, s->u, n * want * sizeof(double));
    memcpy(s->image, s->au, n * want * sizeof(double));
    memset(s->h, 0, mm * mm * sizeof(double));
    for (size_t j = 0; j < want; j++)
        s->h[j * mm + j] = vals[j];
    return want;
}

int lt_top_eigh_krylov(const lt_sym_matrix *mat, size_t k, uint32_t seed, double *values,
                       double *vectors, int *products)
{
    size_t n = mat->n, done = 0; /* products made */
    /* The products run on as many threads as BLAS had (what the runner
     * configured); BLAS itself runs on one meanwhile. Its calls here are
     * small (n x 8 blocks against the basis, H's eigenpairs), and on a
     * loaded machine its threads spent more time yielding to each other
     * than working. */
    struct krylov s = {.m = mat, .n = n, .k = k, .threads = openblas_get_num_threads()};
    openblas_set_num_threads(1);
    const size_t pass = LT_SYMPROD_WIDTH;
    if (k <= SMALL_K) {
        s.step = pass;
        s.mmax = SMALL_BASIS;
    } else {
        s.step = k + EXTRA > MIN_BLOCK ? k + EXTRA : MIN_BLOCK;
        s.step = (s.step + pass - 1) / pass * pass;
        s.mmax = MAX_BLOCKS * s.step;
    }
    s.keep = k + KEEP_EXTRA > s.step ? k + KEEP_EXTRA : s.step;
    s.mmax = s.mmax > 2 * s.keep ? s.mmax : 2 * s.keep;
    s.mmax = s.mmax < n ? s.mmax : n;
    s.keep = s.keep < s.mmax ? s.keep : s.mmax;
    s.step = s.step < s.keep ? s.step : s.keep;
    int rc = allocate(&s);
    double *vals = malloc(s.keep * sizeof *vals);
    if (rc != LT_LA_OK || !vals) {
        free(vals);
        release(&s);
        openblas_set_num_threads(s.threads);
        return LT_LA_ENOMEM;
    }
    size_t mmax = s.mmax, keep = s.keep;

    /* The start: RandomState(seed).normal(size=(n, step)), row by row. */
    lt_rng r;
    lt_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < s.step; j++)
            s.basis[j * n + i] = lt_rng_gauss(&r);
    rc = extend_basis(&s, 0, s.step, false);

    size_t m = 0, width = s.step; /* basis columns in use; newest block's width */
    double best = INFINITY;
    size_t best_at = 0; /* products made when best was reached */
    while (rc == LT_LA_OK) {
        if (done >= MAX_PRODUCTS) {
            rc = LT_LA_ENOCONV;
            break;
        }
        double *q = s.basis + m * n, *aq = s.image + m * n;
        product(&s, q, width, aq);
        done += width;
        if (products)
            *products = (int)done;
        /* The new columns (and rows) of H: B' A Q over the whole basis. */
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)(m + width), (int)width,
                    (int)n, 1.0, s.basis, (int)n, aq, (int)n, 0.0, s.h + m * mmax,
                    (int)mmax);
        /* B' A Q is also the first projection's coefficients of the next
         * block, A Q, unless a restart replaces it: kept before H's copy is
         * symmetrized. */
        for (size_t j = 0; j < width; j++)
            memcpy(s.coef + j * (m + width), s.h + (m + j) * mmax,
                   (m + width) * sizeof(double));
        symmetrize_new_block(&s, m, width);
        m += width;

        if (m < k) { /* too few vectors for k Ritz pairs yet */
            memcpy(s.basis + m * n, aq, n * width * sizeof(double));
            rc = extend_basis(&s, m, width, true);
            continue;
        }
        size_t want = keep < m ? keep : m;
        if ((rc = ritz(&s, m, want, vals)) != LT_LA_OK)
            break;
        ritz_vectors(&s, m, k);
        double scale = 0, worst = worst_residual(&s, vals);
        for (size_t j = 0; j < m; j++)
            scale = fmax(scale, fabs(s.theta[j]));
        if (worst < 0.5 * best) {
            best = worst;
            best_at = done;
        }
        bool stalled = done - best_at >= STALL_PRODUCTS && best <= STALL_TOL * scale;
        if (worst <= TOL * scale || stalled || m == n)
            break;

        /* The next vectors come from the newest images A Q, or, when the
         * basis is full, from the images of the best Ritz vectors, which
         * become the whole basis (H turns diagonal): a thick restart. */
        const double *source = aq;
        bool known = true;
        if (m + s.step > mmax && !(mmax == n && m < n)) {
            /* In exact arithmetic the kept pairs' residuals span only
             * `step` directions: those of the best ones continue the basis. */
            m = restart(&s, m, want, vals);
            source = s.image;
            known = false;
        }
        /* The coefficients cover A Q's whole width; a block cut short at
         * the end of a full basis (mmax = n) has fewer. */
        known = known && s.step <= mmax - m;
        width = s.step;
        if (width > mmax - m)
            width = mmax - m;
        memcpy(s.basis + m * n, source, n * width * sizeof(double));
        rc = extend_basis(&s, m, width, known);
    }
    if (rc == LT_LA_OK)
        for (size_t j = 0; j < k; j++) {
            values[j] = vals[j];
            for (size_t i = 0; i < n; i++)
                vectors[i * k + j] = s.u[j * n + i];
        }
    free(vals);
    release(&s);
    openblas_set_num_threads(s.threads);
    return rc;
}
