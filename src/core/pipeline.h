/* A pipeline file, loaded and checked: stages bound to their kinds with
 * validated configs, inputs resolved into a graph, expectations parsed.
 *
 * Loading never runs anything; `latent validate` stops here. */
#ifndef LATENT_CORE_PIPELINE_H
#define LATENT_CORE_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"
#include "core/yaml_doc.h"
#include "io/json.h"
#include "latent/stage.h"

typedef struct lt_stage_inst {
    char *name; /* owned */
    const lt_stage_def *def;
    void *config; /* owned: def->config_size bytes bound from `with` */
    int line, col; /* of the stage's name in the file */
    size_t inputs[8]; /* indices of the stages it reads */
    size_t n_inputs;
    size_t n_consumers; /* stages reading this one's output */
} lt_stage_inst;

enum lt_expect_op { LT_EXPECT_NEAR, LT_EXPECT_RANGE, LT_EXPECT_EQUALS };

typedef struct lt_expect {
    char *target;     /* "pca.explained_variance_ratio[0]", owned */
    char *stage;      /* owned */
    char *metric;     /* owned */
    long index[2];    /* list indices, -1 when absent */
    enum lt_expect_op op;
    double value;     /* near / equals */
    double tol, rtol; /* near: |x - value| <= tol + rtol * |value| */
    double min, max;  /* range: min <= x <= max (either may be infinite) */
    int line, col;
} lt_expect;

typedef struct lt_pipeline {
    char *file;        /* as the user named it, owned */
    char *dir;         /* its folder, owned: relative paths resolve here */
    char *name;        /* owned */
    char *description; /* owned, may be NULL */
    uint32_t seed;
    char sha256[65];   /* of the file's bytes */
    lt_stage_inst *stages; /* file order, owned */
    size_t n_stages;
    size_t *order;     /* execution order (topological, file order for ties) */
    lt_expect *expects;
    size_t n_expects;
    lt_node *root;     /* the parsed file with overrides applied, owned */
    char **set_labels; /* "--set stage.param=value" for each override, owned:
                          the place messages about its value point at */
    size_t n_set_labels;
} lt_pipeline;

/* Loads FILE and applies SETS ("stage.param=value" or "seed=value"),
 * checking everything that can be checked without running. Returns the
 * pipeline (owned; free with lt_pipeline_free), or NULL with every problem
 * found added to DIAG. */
lt_pipeline *lt_pipeline_load(const char *file, char *const *sets, size_t n_sets,
                              lt_diag *diag);
void lt_pipeline_free(lt_pipeline *p);

/* The resolved configuration (every stage's kind, inputs and parameters with
 * defaults filled in) as JSON. Owned. */
lt_json *lt_pipeline_resolved(const lt_pipeline *p);

#endif
