/* Test helpers for matrices and dataset values built from reference JSON. */
#ifndef LATENT_TESTMAT_H
#define LATENT_TESTMAT_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/json.h"
#include "latent/data.h"

/* An owned matrix from a JSON array of equal-length rows; aborts the test
 * program when the JSON is not such an array (a broken reference must fail). */
static inline lt_mat *lt_test_mat(const lt_json *rows)
{
    size_t r = lt_json_size(rows);
    size_t c = r ? lt_json_size(lt_json_value_at(rows, 0)) : 0;
    lt_mat *m = lt_mat_new(r, c);
    if (!m || r == 0 || c == 0) {
        fprintf(stderr, "reference matrix is empty or out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < r; i++) {
        const lt_json *row = lt_json_value_at(rows, i);
        if (lt_json_size(row) != c) {
            fprintf(stderr, "reference matrix row %zu has the wrong length\n", i);
            exit(1);
        }
        for (size_t j = 0; j < c; j++)
            m->v[i * c + j] = lt_json_number(lt_json_value_at(row, j));
    }
    return m;
}

/* The rows of src listed (0-based) in the JSON array index. Owned. */
static inline lt_mat *lt_test_take_rows(const lt_mat *src, const lt_json *index)
{
    size_t n = lt_json_size(index);
    lt_mat *m = lt_mat_new(n, src->cols);
    if (!m)
        exit(1);
    for (size_t i = 0; i < n; i++) {
        size_t r = (size_t)lt_json_number(lt_json_value_at(index, i));
        memcpy(m->v + i * src->cols, src->v + r * src->cols, src->cols * sizeof(double));
    }
    return m;
}

/* A dataset value owning train (and test, may be NULL). */
static inline lt_data *lt_test_data(lt_mat *train, lt_mat *test)
{
    lt_data *d = lt_data_new();
    if (!d)
        exit(1);
    d->split[LT_TRAIN].x = train;
    d->split[LT_TEST].x = test;
    d->n_features = train->cols;
    return d;
}

/* Max |a - b| over numbers in two JSON trees of the same shape (numbers,
 * arrays of numbers, arrays of arrays); NAN when the shapes differ. */
static inline double lt_test_json_maxdiff(const lt_json *a, const lt_json *b)
{
    if (!a || !b)
        return NAN;
    if (lt_json_is_array(a) != lt_json_is_array(b))
        return NAN;
    if (!lt_json_is_array(a)) {
        double d = fabs(lt_json_number(a) - lt_json_number(b));
        return d == d ? d : NAN;
    }
    if (lt_json_size(a) != lt_json_size(b))
        return NAN;
    double m = 0;
    for (size_t i = 0; i < lt_json_size(a); i++) {
        double d = lt_test_json_maxdiff(lt_json_value_at(a, i), lt_json_value_at(b, i));
        if (!(d <= m))
            m = d;
    }
    return m;
}

/* Max |m - ref| for a matrix against a JSON array of rows (only the first
 * `rows` rows of m when ref has fewer); NAN on a shape mismatch. */
static inline double lt_test_mat_maxdiff(const lt_mat *m, const lt_json *ref)
{
    size_t r = lt_json_size(ref);
    if (!m || r > m->rows)
        return NAN;
    double worst = 0;
    for (size_t i = 0; i < r; i++) {
        const lt_json *row = lt_json_value_at(ref, i);
        if (lt_json_size(row) != m->cols)
            return NAN;
        for (size_t j = 0; j < m->cols; j++) {
            double d = fabs(m->v[i * m->cols + j] - lt_json_number(lt_json_value_at(row, j)));
            if (!(d <= worst))
                worst = d;
        }
    }
    return worst;
}

/* Largest magnitude among the numbers of a JSON tree: the scale a relative
 * tolerance is taken against. */
static inline double lt_test_json_maxabs(const lt_json *a)
{
    if (!lt_json_is_array(a))
        return fabs(lt_json_number(a));
    double m = 0;
    for (size_t i = 0; i < lt_json_size(a); i++) {
        double d = lt_test_json_maxabs(lt_json_value_at(a, i));
        if (d > m)
            m = d;
    }
    return m;
}

#endif
