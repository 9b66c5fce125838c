/* Shared by the manifold tests (test_tsne, test_mds, test_isomap, test_lda):
 * reading tests/reference/manifold.json and the inputs they rebuild in C. */
#ifndef LATENT_TEST_MANIFOLD_UTIL_H
#define LATENT_TEST_MANIFOLD_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "io/json.h"
#include "latent/stage.h"
#include "testrun.h"
#include "testutil.h"

extern const lt_stage_def dataset_breast_cancer_stage;

/* manifold.json, loaded by main(). */
static lt_json *ref;

/* The value at "a/b/c" (object members), or NULL with a message. */
static inline const lt_json *at(const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const lt_json *v = ref;
    for (char *save = NULL, *key = strtok_r(buf, "/", &save); key && v;
         key = strtok_r(NULL, "/", &save))
        v = lt_json_get(v, key);
    if (!v)
        fprintf(stderr, "manifold.json has no %s\n", path);
    return v;
}

static inline double num(const char *path)
{
    const lt_json *v = at(path);
    return v ? lt_json_number(v) : NAN;
}

/* Appends the numbers of a number, or of nested arrays of them, in order. */
static inline void flatten(const lt_json *j, double *out, size_t *n)
{
    if (!lt_json_is_array(j)) {
        out[(*n)++] = lt_json_number(j);
        return;
    }
    for (size_t i = 0; i < lt_json_size(j); i++)
        flatten(lt_json_value_at(j, i), out, n);
}

static inline size_t count_numbers(const lt_json *j)
{
    if (!lt_json_is_array(j))
        return 1;
    size_t n = 0;
    for (size_t i = 0; i < lt_json_size(j); i++)
        n += count_numbers(lt_json_value_at(j, i));
    return n;
}

/* The numbers at PATH, row-major (owned); their count into *n if not NULL. */
static inline double *numbers(const char *path, size_t *n)
{
    const lt_json *j = at(path);
    size_t count = j ? count_numbers(j) : 0, got = 0;
    double *v = malloc((count ? count : 1) * sizeof *v);
    if (v && j)
        flatten(j, v, &got);
    if (n)
        *n = got;
    return v;
}

static inline int *ints(const char *path, size_t *n)
{
    size_t count;
    double *v = numbers(path, &count);
    int *out = malloc((count ? count : 1) * sizeof *out);
    for (size_t i = 0; out && v && i < count; i++)
        out[i] = (int)v[i];
    free(v);
    if (n)
        *n = count;
    return out;
}

/* max |a - b| / max(max |b|, tiny). */
static inline double rel_diff(const double *a, const double *b, size_t n)
{
    double diff = 0, scale = 1e-300;
    for (size_t i = 0; i < n; i++) {
        double d = fabs(a[i] - b[i]);
        if (!(d <= diff))
            diff = d;
        if (fabs(b[i]) > scale)
            scale = fabs(b[i]);
    }
    return diff / scale;
}

/* max |a - b| with each column of a (rows x cols) taken with the sign that
 * fits b best: for quantities defined up to sign per component. */
static inline double diff_up_to_sign(const double *a, const double *b, size_t rows, size_t cols)
{
    double worst = 0;
    for (size_t c = 0; c < cols; c++) {
        double plus = 0, minus = 0;
        for (size_t i = 0; i < rows; i++) {
            double x = a[i * cols + c], y = b[i * cols + c];
            if (!(fabs(x - y) <= plus))
                plus = fabs(x - y);
            if (!(fabs(x + y) <= minus))
                minus = fabs(x + y);
        }
        double best = plus < minus ? plus : minus;
        if (!(best <= worst))
            worst = best;
    }
    return worst;
}

/* The first ROWS rows of the breast-cancer table standardised on themselves
 * (mean, then the 1/n standard deviation), as the reference script's
 * StandardScaler().fit_transform. Owned, rows x 30; *cols receives 30. */
static inline double *cancer_scaled(size_t rows, size_t *cols)
{
    lt_ctx *ctx = lt_ctx_new_test();
    lt_data *d = NULL;
    if (lt_test_call(&dataset_breast_cancer_stage, ctx, NULL, NULL, 0, &d) != LT_OK) {
        fprintf(stderr, "dataset.breast_cancer failed\n");
        exit(1);
    }
    lt_ctx_free_test(ctx);
    size_t p = d->split[LT_TRAIN].x->cols;
    double *x = malloc(rows * p * sizeof *x);
    memcpy(x, d->split[LT_TRAIN].x->v, rows * p * sizeof *x);
    lt_data_free(&d);
    for (size_t j = 0; j < p; j++) {
        double mean = 0, var = 0;
        for (size_t i = 0; i < rows; i++)
            mean += x[i * p + j];
        mean /= (double)rows;
        for (size_t i = 0; i < rows; i++)
            var += (x[i * p + j] - mean) * (x[i * p + j] - mean);
        double sd = sqrt(var / (double)rows);
        for (size_t i = 0; i < rows; i++)
            x[i * p + j] = (x[i * p + j] - mean) / sd;
    }
    *cols = p;
    return x;
}

/* An lt_data whose train split is a copy of the rows x cols matrix X with
 * labels Y (copied; may be NULL) of n_classes classes. Owned. */
static inline lt_data *data_from(const double *x, size_t rows, size_t cols, const int *y,
                          int n_classes)
{
    lt_data *d = lt_data_new();
    d->split[LT_TRAIN].x = lt_mat_new(rows, cols);
    memcpy(d->split[LT_TRAIN].x->v, x, rows * cols * sizeof *x);
    d->n_features = cols;
    if (y) {
        d->split[LT_TRAIN].y = malloc(rows * sizeof *y);
        memcpy(d->split[LT_TRAIN].y, y, rows * sizeof *y);
        d->n_classes = n_classes;
    }
    return d;
}

#endif
