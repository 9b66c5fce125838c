/* scikit-learn's train_test_split, as row indices.
 *
 * `random_state: 0` in a pipeline must select the rows that
 * train_test_split(..., random_state=0) selects in the lecture, so these
 * reproduce scikit-learn 1.2's ShuffleSplit and StratifiedShuffleSplit draw
 * for draw on numpy's legacy RandomState (math/rng.h). */
#ifndef LATENT_MATH_SHUFFLE_SPLIT_H
#define LATENT_MATH_SHUFFLE_SPLIT_H

#include <stddef.h>
#include <stdint.h>

/* Test rows for a test_size that is a fraction in (0, 1) (rounded up, as
 * scikit-learn does) or a whole count >= 1 (taken as is). The caller checks
 * that the result leaves at least one training row. */
size_t lt_split_n_test(double test_size, size_t n);

/* ShuffleSplit: perm = RandomState(seed).permutation(n); test = perm[:n_test],
 * train = perm[n_test:]. train receives n - n_test indices, test n_test.
 * Returns 0, or -1 when out of memory. */
int lt_shuffle_split(uint32_t seed, size_t n, size_t n_test, size_t *train,
                     size_t *test);

enum lt_strat_status {
    LT_STRAT_OK = 0,
    LT_STRAT_SINGLETON, /* a class has one member: info.label */
    LT_STRAT_FEW_TRAIN, /* n - n_test < info.n_classes */
    LT_STRAT_FEW_TEST,  /* n_test < info.n_classes */
    LT_STRAT_SHARES,    /* rounding broke the class shares (needs ~2^26 rows) */
    LT_STRAT_NOMEM,
};

typedef struct lt_strat_info {
    size_t n_classes; /* distinct labels present */
    int label;        /* the offending label, for LT_STRAT_SINGLETON */
} lt_strat_info;

/* StratifiedShuffleSplit on labels[0..n) (any int values; a class is a
 * distinct value). Each class gets its share of train and test rows by
 * scikit-learn's _approximate_mode, with ties broken by the same draws; then
 * both index lists are shuffled. train receives n - n_test indices, test
 * n_test. On failure returns the reason (info may be NULL) and leaves train
 * and test unspecified. */
int lt_stratified_split(uint32_t seed, const int *labels, size_t n,
                        size_t n_test, size_t *train, size_t *test,
                        lt_strat_info *info);

#endif
