/* numpy's legacy random stream (np.random.seed / np.random.RandomState).
 *
 * Lecture code seeds the global generator (np.random.seed(100)) and draws with
 * rand, randn, permutation and multivariate_normal; scikit-learn's
 * train_test_split draws from RandomState(random_state). Users compare our
 * numbers with theirs, so every function here reproduces numpy 1.24's legacy
 * algorithm draw for draw:
 *
 *   - MT19937 with Matsumoto-Nishimura's init_genrand for an integer seed
 *     (numpy's legacy seeding takes this path for a scalar seed; only an
 *     array seed goes through init_by_array);
 *   - doubles with 53 random bits built from two 32-bit outputs;
 *   - normals from the polar Box-Muller method, which makes two values per
 *     accepted pair and keeps the second for the next call;
 *   - bounded integers by masked rejection, as numpy's shuffle and randint do.
 *
 * An lt_rng is a plain value (about 2.5 kB): declare it on the stack, seed
 * it, draw from it. It owns no memory. It is not thread-safe; give each
 * thread its own. */
#ifndef LATENT_MATH_RNG_H
#define LATENT_MATH_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LT_RNG_STATE_LEN 624

typedef struct lt_rng {
    uint32_t key[LT_RNG_STATE_LEN];
    int pos;        /* next word of key to temper; LT_RNG_STATE_LEN: refill */
    bool has_gauss; /* a cached second normal is waiting */
    double gauss;
} lt_rng;

/* np.random.seed(seed): resets the state and drops any cached normal. */
void lt_rng_seed(lt_rng *r, uint32_t seed);

/* The next raw 32-bit output of MT19937. */
uint32_t lt_rng_next32(lt_rng *r);

/* out[0..n) = the next n raw outputs, as n calls of lt_rng_next32 make
 * them, in bulk. */
void lt_rng_fill32(lt_rng *r, uint32_t *out, size_t n);
/* Two raw outputs as one 64-bit value, the first in the high half (numpy's
 * next_uint64 for MT19937). */
uint64_t lt_rng_next64(lt_rng *r);

/* np.random.random_sample(): uniform on [0, 1) with 53 random bits. */
double lt_rng_uniform(lt_rng *r);
/* np.random.standard_normal() (legacy_gauss). */
double lt_rng_gauss(lt_rng *r);

/* np.random.rand(n) and np.random.randn(n) into out[0..n). A matrix drawn
 * as rand(rows, cols) is the same stream in row-major order. */
void lt_rng_rand(lt_rng *r, double *out, size_t n);
void lt_rng_randn(lt_rng *r, double *out, size_t n);

/* A uniform integer in [0, max], by masked rejection on 32-bit outputs when
 * max fits in 32 bits and on 64-bit outputs otherwise (numpy's
 * random_interval, which shuffle uses). */
uint64_t lt_rng_interval(lt_rng *r, uint64_t max);
/* np.random.randint(low, high) for the default int64 dtype: a uniform integer
 * in [low, high). Requires low < high. */
int64_t lt_rng_randint(lt_rng *r, int64_t low, int64_t high);

/* np.random.shuffle on a 1-d array: a Fisher-Yates pass from the back. */
void lt_rng_shuffle(lt_rng *r, size_t *a, size_t n);
/* np.random.permutation(n) into out[0..n). */
void lt_rng_permutation(lt_rng *r, size_t *out, size_t n);

/* Why lt_rng_multivariate_normal failed. */
enum lt_mvn_status {
    LT_MVN_OK = 0,
    LT_MVN_NOT_PSD,  /* cov fails numpy's positive-semidefinite test */
    LT_MVN_NOMEM,
    LT_MVN_SVD_FAIL, /* LAPACK's SVD did not converge */
};

/* np.random.multivariate_normal(mean, cov, n) into out (n x d, row-major).
 * Draws n*d standard normals, then maps each row x to x A + mean where
 * A = sqrt(s)[:, None] * Vt from the SVD cov = U diag(s) Vt (LAPACK dgesdd,
 * as numpy.linalg.svd; the product goes through BLAS dgemm, as np.dot).
 * cov is d x d row-major and must be symmetric. When it fails numpy's check
 * that Vt' diag(s) Vt equals cov (rtol = atol = 1e-8) the function returns
 * LT_MVN_NOT_PSD and stores the largest entry of |Vt' diag(s) Vt - cov| in
 * *psd_error (may be NULL); numpy only warns there, but such a draw does
 * not have the covariance asked for. On any failure neither r nor out is touched: the
 * SVD comes first here, which changes nothing since it draws no numbers. */
int lt_rng_multivariate_normal(lt_rng *r, const double *mean, const double *cov,
                               size_t d, size_t n, double *out,
                               double *psd_error);

#endif
