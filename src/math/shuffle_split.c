/* train_test_split's index selection. See shuffle_split.h. */
#include "math/shuffle_split.h"

#include <math.h>
#include <stdlib.h>

#include "math/rng.h"

size_t lt_split_n_test(double test_size, size_t n)
{
    if (test_size < 1.0)
        return (size_t)ceil(test_size * (double)n);
    return (size_t)test_size;
}

int lt_shuffle_split(uint32_t seed, size_t n, size_t n_test, size_t *train,
                     size_t *test)
{
    size_t *perm = malloc((n ? n : 1) * sizeof *perm);
    if (!perm)
        return -1;
    lt_rng r;
    lt_rng_seed(&r, seed);
    lt_rng_permutation(&r, perm, n);
    for (size_t i = 0; i < n; i++) {
        if (i < n_test)
            test[i] = perm[i];
        else
            train[i - n_test] = perm[i];
    }
    free(perm);
    return 0;
}

/* ---- stratified --------------------------------------------------------- */

/* The rows of each class: members[start[c] .. start[c + 1]) are the rows of
 * class c in increasing order (numpy's stable argsort of the class ids),
 * classes in increasing label order (np.unique). */
typedef struct classes {
    size_t k;
    int *label;    /* k distinct labels, increasing */
    size_t *count; /* k */
    size_t *start; /* k + 1 */
    size_t *members; /* n */
} classes;

static void classes_free(classes *c)
{
    free(c->label);
    free(c->count);
    free(c->start);
    free(c->members);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static size_t class_of(const classes *c, int label)
{
    size_t lo = 0, hi = c->k;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->label[mid] <= label)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static int classes_build(classes *c, const int *labels, size_t n)
{
    *c = (classes){0};
    c->label = malloc((n ? n : 1) * sizeof *c->label);
    c->members = malloc((n ? n : 1) * sizeof *c->members);
    if (!c->label || !c->members)
        return -1;
    for (size_t i = 0; i < n; i++)
        c->label[i] = labels[i];
    qsort(c->label, n, sizeof *c->label, cmp_int);
    for (size_t i = 0; i < n; i++)
        if (c->k == 0 || c->label[c->k - 1] != c->label[i])
            c->label[c->k++] = c->label[i];
    c->count = calloc(c->k + 1, sizeof *c->count);
    c->start = calloc(c->k + 1, sizeof *c->start);
    if (!c->count || !c->start)
        return -1;
    for (size_t i = 0; i < n; i++)
        c->count[class_of(c, labels[i])]++;
    for (size_t j = 0; j < c->k; j++)
        c->start[j + 1] = c->start[j] + c->count[j];
    /* Filling in row order keeps each class's rows increasing. */
    size_t *fill = calloc(c->k + 1, sizeof *fill);
    if (!fill)
        return -1;
    for (size_t i = 0; i < n; i++) {
        size_t j = class_of(c, labels[i]);
        c->members[c->start[j] + fill[j]++] = i;
    }
    free(fill);
    return 0;
}

static int cmp_double_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* scikit-learn's _approximate_mode: how many of n_draws rows each of the k
 * classes gets. Each class first gets the floor of its proportional share;
 * the rows left over go to the classes with the largest fractional parts,
 * and where several classes tie on a fractional part a random subset of
 * them (rng.choice without replacement = permutation[:m]) gets one. The
 * draws for the choice happen even when the whole tie group is taken, as in
 * scikit-learn. scratch holds 3k doubles and 2k size_t. */
static void approximate_mode(const size_t *count, size_t k, size_t n_draws,
                             lt_rng *r, size_t *share, double *dscratch,
                             size_t *zscratch)
{
    double *continuous = dscratch, *remainder = dscratch + k,
           *values = dscratch + 2 * k;
    size_t *inds = zscratch, *perm = zscratch + k;
    size_t total = 0;
    for (size_t i = 0; i < k; i++)
        total += count[i];
    double floored_sum = 0;
    for (size_t i = 0; i < k; i++) {
        continuous[i] = (double)count[i] / (double)total * (double)n_draws;
        double f = floor(continuous[i]);
        share[i] = (size_t)f;
        remainder[i] = continuous[i] - f;
        floored_sum += f;
    }
    double need_d = (double)n_draws - floored_sum;
    if (!(need_d > 0))
        return;
    size_t need = (size_t)need_d;
    for (size_t i = 0; i < k; i++)
        values[i] = remainder[i];
    qsort(values, k, sizeof *values, cmp_double_desc);
    for (size_t v = 0; v < k && need > 0; v++) {
        if (v > 0 && values[v] == values[v - 1])
            continue; /* np.unique: each distinct remainder once */
        size_t m = 0;
        for (size_t i = 0; i < k; i++)
            if (remainder[i] == values[v])
                inds[m++] = i;
        size_t add_now = m < need ? m : need;
        lt_rng_permutation(r, perm, m);
        for (size_t j = 0; j < add_now; j++)
            share[inds[perm[j]]]++;
        need -= add_now;
    }
}

/* scikit-learn's checks, in its order. */
static int check_classes(const classes *c, size_t n_train, size_t n_test,
                         lt_strat_info *info)
{
    info->n_classes = c->k;
    for (size_t j = 0; j < c->k; j++)
        if (c->count[j] < 2) {
            info->label = c->label[j];
            return LT_STRAT_SINGLETON;
        }
    if (n_train < c->k)
        return LT_STRAT_FEW_TRAIN;
    if (n_test < c->k)
        return LT_STRAT_FEW_TEST;
    return LT_STRAT_OK;
}

/* The draws of StratifiedShuffleSplit, given valid classes. work holds
 * 3k + n size_t and dwork 3k doubles. */
static int draw_split(const classes *c, lt_rng *r, size_t n_train,
                      size_t n_test, size_t *train, size_t *test, size_t *work,
                      double *dwork)
{
    size_t k = c->k;
    size_t *n_i = work, *left = work + k, *t_i = work + 2 * k,
           *perm = work + 3 * k;
    size_t *zscratch = perm; /* 2k <= n entries, free until perm is used */
    approximate_mode(c->count, k, n_train, r, n_i, dwork, zscratch);
    for (size_t j = 0; j < k; j++)
        left[j] = c->count[j] - n_i[j];
    approximate_mode(left, k, n_test, r, t_i, dwork, zscratch);

    /* The shares add up to n_train and n_test unless rounding lifted a
     * proportional share over an integer, which needs about 2^26 rows;
     * check rather than overrun the outputs. */
    size_t sum_train = 0, sum_test = 0;
    for (size_t j = 0; j < k; j++) {
        sum_train += n_i[j];
        sum_test += t_i[j];
    }
    if (sum_train != n_train || sum_test != n_test)
        return LT_STRAT_SHARES;

    size_t a = 0, b = 0;
    for (size_t j = 0; j < k; j++) {
        const size_t *rows = c->members + c->start[j];
        lt_rng_permutation(r, perm, c->count[j]);
        for (size_t q = 0; q < n_i[j] + t_i[j]; q++) {
            if (q < n_i[j])
                train[a++] = rows[perm[q]];
            else
                test[b++] = rows[perm[q]];
        }
    }
    lt_rng_shuffle(r, train, n_train);
    lt_rng_shuffle(r, test, n_test);
    return LT_STRAT_OK;
}

int lt_stratified_split(uint32_t seed, const int *labels, size_t n,
                        size_t n_test, size_t *train, size_t *test,
                        lt_strat_info *info)
{
    lt_strat_info unused;
    if (!info)
        info = &unused;
    *info = (lt_strat_info){0};
    size_t n_train = n - n_test;
    classes c;
    size_t *work = NULL;
    double *dwork = NULL;
    int status = LT_STRAT_NOMEM;
    if (classes_build(&c, labels, n) == 0 &&
        (status = check_classes(&c, n_train, n_test, info)) == LT_STRAT_OK) {
        /* n_i, left, t_i, then perm (n entries), which approximate_mode
         * borrows 2k of first: every class has two rows, so 2k <= n. */
        work = malloc((3 * c.k + n) * sizeof *work);
        dwork = malloc(3 * c.k * sizeof *dwork);
        if (!work || !dwork) {
            status = LT_STRAT_NOMEM;
        } else {
            lt_rng r;
            lt_rng_seed(&r, seed);
            status = draw_split(&c, &r, n_train, n_test, train, test, work, dwork);
        }
    }
    classes_free(&c);
    free(work);
    free(dwork);
    return status;
}
