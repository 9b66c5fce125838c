/* Sweeps: the `sweep:` block of a pipeline file, as axes of values whose
 * cartesian product is the set of points (runs).
 *
 *   sweep:
 *     pca2.n_components: [1, 2, 3]                  # a list
 *     lr.C: {values: [0.01, 0.1, 1]}                 # the same, spelled out
 *     kpca.gamma: {from: 0.03, to: 0.05, steps: 10}  # evenly spaced, ends included
 *
 * Point K takes value (K / stride_i) % n_i of axis i, the last axis varying
 * fastest, so K is stable as long as the block is. */
#ifndef LATENT_CORE_SWEEP_H
#define LATENT_CORE_SWEEP_H

#include <stddef.h>

#include "util/diag.h"
#include "core/yaml_doc.h"

enum { LT_SWEEP_MAX_POINTS = 1000 };

typedef struct lt_sweep_axis {
    char *stage;      /* owned; NULL for the top-level `seed` */
    char *param;      /* owned */
    lt_node **values; /* owned copies, each keeping its place in the file */
    size_t n;
    int line, col;    /* of the axis's key */
    /* A {from, to, steps} range: its mapping's place, which the values it
     * generates take (no value of the file sits there), and its ends as
     * written; range_line 0 for a list. */
    int range_line, range_col;
    char *range_from, *range_to; /* owned */
} lt_sweep_axis;

typedef struct lt_sweep {
    lt_sweep_axis *axes; /* owned */
    size_t n_axes;
    size_t n_points;     /* product of the axes' sizes; 0 without a sweep */
} lt_sweep;

/* Reads the `sweep:` block of ROOT (absent: an empty sweep). Axes that
 * SETS (the --set overrides, "stage.param=value") fix are dropped. Problems go
 * to DIAG with positions. MAX_POINTS caps the product. Returns 0 or -1. */
int lt_sweep_parse(const char *file, const lt_node *root, char *const *sets, size_t n_sets,
                   size_t max_points, lt_sweep *out, lt_diag *diag);
void lt_sweep_free(lt_sweep *s);

/* Writes point K's values into ROOT (under stages.<stage>.with.<param>, or
 * seed). Returns 0, or -1 when out of memory. */
int lt_sweep_apply(const lt_sweep *s, size_t k, lt_node *root);

/* Appends to each problem of DIAG from index FROM on that sits at a range's
 * mapping in FILE (so it is about a value the range generated, at point K)
 * which value that was: " (value 2 of the range from 0 to 5 in 3 steps)". */
void lt_sweep_explain(const lt_sweep *s, size_t k, const char *file, lt_diag *diag, size_t from);

/* "pca2.n_components=3,lr.C=0.1" for point K, into BUF. */
void lt_sweep_describe(const lt_sweep *s, size_t k, char *buf, size_t size);
/* The folder name of point K: "003-n_components=3-C=0.1", safe for file
 * systems. */
void lt_sweep_folder(const lt_sweep *s, size_t k, char *buf, size_t size);
/* The value of axis A at point K (borrowed). */
const lt_node *lt_sweep_value(const lt_sweep *s, size_t k, size_t a);

#endif
