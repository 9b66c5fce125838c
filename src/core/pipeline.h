/* A pipeline file, loaded and checked: stages bound to their kinds with
 * validated configs, inputs resolved into a graph, expectations parsed.
 *
 * Loading never runs anything; `latent validate` stops here. */
#ifndef LATENT_CORE_PIPELINE_H
#define LATENT_CORE_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"
#include "core/sweep.h"
#include "core/yaml_doc.h"
#include "io/json.h"
#include "latent/stage.h"

typedef struct lt_stage_inst {
    char *name; /* owned */
    const lt_stage_def *def;
    void *config; /* owned: def->config_size bytes bound from `with` */
    int line, col; /* of the stage's name in the file */
    const lt_node *with; /* its `with:` mapping in root, or NULL; borrowed */
    size_t inputs[8]; /* indices of the stages it reads */
    int input_output[8]; /* which output of stage inputs[k] it reads (0: the default) */
    size_t n_inputs;
    size_t n_readers[LT_MAX_OUTPUTS]; /* inputs of later stages reading output k */
    char *from;         /* `from:`, the saved model it applies, resolved; owned, or NULL */
    char from_sha256[65]; /* of that file's bytes */
    struct lt_model *model; /* read from it; owned, or NULL */
} lt_stage_inst;

/* The mask of S's outputs a run computes: the default one, and every other
 * that some stage reads (bit k: output k). */
unsigned lt_stage_wanted(const lt_stage_inst *s);

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
    lt_sweep sweep;    /* the file's sweep block (empty without one), owned */
    long point;        /* the sweep point applied, or -1 */
    char **set_labels; /* "--set stage.param=value" for each override, owned:
                          the place messages about its value point at */
    size_t n_set_labels;
} lt_pipeline;

typedef struct lt_load_opts {
    char *const *sets;  /* "stage.param=value" or "seed=value" overrides */
    size_t n_sets;
    long point;         /* a sweep point to apply, or -1 for none */
    size_t max_points;  /* the most points a sweep may have; 0: the default */
} lt_load_opts;

/* Loads FILE, applies the overrides and the sweep point OPTS name, and
 * checks everything that can be checked without running. Returns the
 * pipeline (owned; free with lt_pipeline_free), or NULL with every problem
 * found added to DIAG. */
lt_pipeline *lt_pipeline_load(const char *file, const lt_load_opts *opts, lt_diag *diag);
void lt_pipeline_free(lt_pipeline *p);

/* The first 16 hex digits of the SHA-256 of the resolved configuration:
 * what identifies a run's inputs (plots carry it; sweeps resume by it). */
void lt_pipeline_config_hash(const lt_pipeline *p, char out[17]);

/* The resolved configuration (every stage's kind, inputs and parameters with
 * defaults filled in) as JSON. Owned. */
lt_json *lt_pipeline_resolved(const lt_pipeline *p);
/* As lt_pipeline_resolved, for run.json after the run: each stage's unset
 * parameters are the values it used (USED: stage name -> its lt_ctx_resolved
 * values) and unset seeds the pipeline's, so the result runs the same. */
lt_json *lt_pipeline_resolved_run(const lt_pipeline *p, const lt_json *used);

#endif
