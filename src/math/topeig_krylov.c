/* lt_top_eigh's randomized method: randomized block Krylov iteration
 * (block Lanczos with full reorthogonalisation from a Gaussian start, as in
 * Musco and Musco, "Randomized block Krylov methods for stronger and faster
 * approximate singular value decomposition", NIPS 2015), run until the
 * wanted Ritz pairs converge.
 *
 * Why this and not ARPACK or plain subspace iteration: on a large dense
 * kernel the cost is the number of passes over A, which is memory-bound.
 * ARPACK reads A once per Lanczos vector; subspace iteration once per block
 * but converges like (lambda_{b+1} / lambda_k)^steps. A block Krylov basis
 * needs one pass per block (a dgemm of A with b columns costs about one
 * dsymv) and converges like Lanczos. On the 5000-point swiss roll's rbf
 * kernel, whose 2nd and 3rd eigenvalues are 2% apart, blocks of 16 need 10
 * passes where ARPACK needs about 100 matrix-vector products and subspace
 * iteration about 40 passes.
 *
 * Every block's product A Q is kept next to the basis B, so the projected
 * matrix H = B' A B and the Ritz vectors' images A B y cost no extra pass.
 * When the basis is full it restarts from the b best Ritz vectors (a thick
 * restart). */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "math/linalg.h"
#include "math/rng.h"
#include "math/topeig_impl.h"

#define EXTRA 6         /* block width b = max(k + EXTRA, MIN_BLOCK) */
/* A dgemm pass with 16 columns costs about 1.3 of one with 8 (OpenBLAS
 * reads and packs A either way) and needs about 30% fewer passes. */
#define MIN_BLOCK 16
#define MAX_BLOCKS 30   /* blocks in the basis before a restart */
#define MAX_PASSES 2000 /* passes over A before giving up */
#define TOL 1e-12       /* residual |A u - theta u| / max |theta| to stop at */
/* Rounding can hold a residual just above TOL; one below STALL_TOL that has
 * stopped halving for STALL_PASSES passes is accepted. */
#define STALL_TOL 1e-9
#define STALL_PASSES 5

/* Column-major work arrays (leading dimension n for n-row blocks, mmax for
 * the projected matrices). */
struct krylov {
    const lt_sym_matrix *m;
    size_t n, k, b, mmax;
    double *basis;  /* n x mmax: orthonormal B, m columns in use */
    double *image;  /* n x mmax: A B */
    double *h;      /* mmax x mmax: B' A B */
    double *hcopy;  /* mmax x mmax: dsyevr's destroyed input */
    double *theta;  /* mmax: Ritz values, ascending */
    double *y;      /* mmax x mmax: H's eigenvectors */
    double *ysel;   /* mmax x b: the chosen ones, best first */
    double *u, *au; /* n x b: Ritz vectors and their images */
    double *coef;   /* mmax x b */
    double *tau;    /* b */
    lapack_int *support; /* 2 mmax */
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
}

static int allocate(struct krylov *s)
{
    size_t n = s->n, mm = s->mmax, b = s->b;
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
    return s->basis && s->image && s->h && s->hcopy && s->theta && s->y && s->ysel &&
                   s->u && s->au && s->coef && s->tau && s->support
               ? LT_LA_OK
               : LT_LA_ENOMEM;
}

/* W (n x w, leading dimension n) := W minus its projection on the first m
 * basis columns. */
static void project_out(struct krylov *s, size_t m, double *w, size_t cols)
{
    if (m == 0)
        return;
    int N = (int)s->n, M = (int)m, C = (int)cols;
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
 * directions) orthonormal and orthogonal to the first m. Twice projecting
 * out keeps the orthogonality at rounding level; the pass after the QR
 * repairs directions that were mostly cancellation noise (a block that A
 * mapped almost into the basis), which the QR blows up to unit length. */
static int extend_basis(struct krylov *s, size_t m, size_t cols)
{
    double *w = s->basis + m * s->n;
    project_out(s, m, w, cols);
    project_out(s, m, w, cols);
    int rc = qr_in_place(s, w, cols);
    if (rc != LT_LA_OK)
        return rc;
    project_out(s, m, w, cols);
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
                       double *vectors, int *iterations)
{
    const double *a = mat->a;
    size_t n = mat->n;
    struct krylov s = {.m = mat, .n = n, .k = k};
    s.b = k + EXTRA > MIN_BLOCK ? k + EXTRA : MIN_BLOCK;
    if (s.b > n)
        s.b = n;
    s.mmax = MAX_BLOCKS * s.b < n ? MAX_BLOCKS * s.b : n;
    int rc = allocate(&s);
    if (rc != LT_LA_OK) {
        release(&s);
        return rc;
    }
    size_t b = s.b, mmax = s.mmax;
    int N = (int)n;
    double *vals = malloc(b * sizeof *vals);
    if (!vals) {
        release(&s);
        return LT_LA_ENOMEM;
    }

    /* The start block: RandomState(seed).normal(size=(n, b)) row by row, the
     * draw scikit-learn's randomized solvers make. */
    lt_rng r;
    lt_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < b; j++)
            s.basis[j * n + i] = lt_rng_gauss(&r);
    rc = extend_basis(&s, 0, b);

    size_t m = 0, width = b; /* basis columns in use; width of the newest block */
    double best = INFINITY;
    int stalled = 0;
    for (int pass = 1; rc == LT_LA_OK; pass++) {
        if (pass > MAX_PASSES) {
            rc = LT_LA_ENOCONV;
            break;
        }
        if (iterations)
            *iterations = pass;
        double *q = s.basis + m * n, *aq = s.image + m * n;
        int W = (int)width, M1 = (int)(m + width), MM = (int)mmax;
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, N, W, N, 1.0, a, N, q, N,
                    0.0, aq, N);
        lt_sym_centre_products(mat, q, n, aq, n, width);
        /* The new columns (and rows) of H: B' A Q over the whole basis. */
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, M1, W, N, 1.0, s.basis, N, aq,
                    N, 0.0, s.h + m * mmax, MM);
        symmetrize_new_block(&s, m, width);
        m += width;

        size_t want = b < m ? b : m;
        if ((rc = ritz(&s, m, want, vals)) != LT_LA_OK)
            break;
        ritz_vectors(&s, m, k);
        double scale = 0, worst = worst_residual(&s, vals);
        for (size_t j = 0; j < m; j++)
            scale = fmax(scale, fabs(s.theta[j]));
        if (worst < 0.5 * best) {
            best = worst;
            stalled = 0;
        } else {
            stalled++;
        }
        if (worst <= TOL * scale || (stalled >= STALL_PASSES && best <= STALL_TOL * scale) ||
            m == n)
            break;

        /* The next block comes from the newest images A Q, or, when the
         * basis is full, from the images of the b best Ritz vectors, which
         * become the whole basis (H turns diagonal). */
        const double *source = aq;
        if (m + b > mmax && !(mmax == n && m < n)) {
            m = width = restart(&s, m, want, vals);
            source = s.image;
        }
        if (width > mmax - m)
            width = mmax - m;
        memcpy(s.basis + m * n, source, n * width * sizeof(double));
        rc = extend_basis(&s, m, width);
    }
    if (rc == LT_LA_OK)
        for (size_t j = 0; j < k; j++) {
            values[j] = vals[j];
            for (size_t i = 0; i < n; i++)
                vectors[i * k + j] = s.u[j * n + i];
        }
    free(vals);
    release(&s);
    return rc;
}
