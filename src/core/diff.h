/* `latent diff`: the metrics of two runs side by side.
 *
 * Both trees are flattened into leaves named the way `expect:` names them
 * ("pca.explained_variance_ratio[0]", "logreg.confusion_matrix[1][0]") and
 * compared leaf by leaf. A number is the same on both sides when
 * |a - b| <= atol + rtol * |a| (a from run A, as numpy.isclose measures it);
 * strings, booleans and nulls must match exactly. */
#ifndef LATENT_CORE_DIFF_H
#define LATENT_CORE_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "io/json.h"

typedef enum lt_diff_verdict {
    LT_DIFF_SAME,
    LT_DIFF_CHANGED,
    LT_DIFF_ONLY_A,
    LT_DIFF_ONLY_B,
} lt_diff_verdict;

/* One leaf. A and B are borrowed from the compared trees (NULL on the side
 * that lacks the leaf), so the trees must outlive the diff. */
typedef struct lt_diff_row {
    char *name; /* owned */
    const lt_json *a, *b;
    lt_diff_verdict verdict;
    size_t metric; /* index into lt_diff.metrics */
} lt_diff_row;

/* A named metric (the innermost object member above a leaf): a scalar is
 * one row, a vector or matrix many. Text output summarises long ones. */
typedef struct lt_diff_metric {
    char *name; /* "pca.components", owned */
    const lt_json *a, *b; /* borrowed, either may be NULL */
} lt_diff_metric;

typedef struct lt_diff {
    lt_diff_row *rows;
    size_t n_rows, cap_rows;
    lt_diff_metric *metrics;
    size_t n_metrics, cap_metrics;
    size_t count[4]; /* rows per verdict */
    double atol, rtol;
} lt_diff;

/* Compares the trees A and B (metrics.json contents) into D, which the
 * caller zero-initialises and later frees with lt_diff_free. Returns 0, or
 * -1 when out of memory (D is then partial and still must be freed). */
int lt_diff_compute(const lt_json *a, const lt_json *b, double atol, double rtol, lt_diff *d);
void lt_diff_free(lt_diff *d);

/* True when some leaf changed or exists on one side only. */
bool lt_diff_differs(const lt_diff *d);

/* Prints the side-by-side table. Vectors and matrices longer than ten
 * values get one summary line plus their differing elements (at most ten)
 * unless ALL is set. LABEL_A / LABEL_B name the two sides in the header.
 * Returns 0, or -1 on an I/O or allocation failure. */
int lt_diff_print(const lt_diff *d, const char *label_a, const char *label_b, bool all, FILE *f);

/* The whole comparison as JSON, every leaf listed, numbers at full
 * precision. Owned by the caller; NULL when out of memory. */
lt_json *lt_diff_json(const lt_diff *d, const char *label_a, const char *label_b);

/* Loads the metrics of ARG: a run folder (its metrics.json) or a
 * metrics.json file. On success returns the owned tree and sets *PATH to the
 * owned path of the file read. On failure prints one line naming the file
 * to stderr and returns NULL. */
lt_json *lt_diff_load(const char *arg, char **path);

#endif
