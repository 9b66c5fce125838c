/* Running a loaded pipeline: stages in order, outputs committed atomically.
 *
 * A run writes into a staging folder inside the run folder and moves the
 * files into place only when every stage succeeded, so a failed or
 * interrupted run leaves no half-written outputs behind. */
#ifndef LATENT_CORE_RUN_H
#define LATENT_CORE_RUN_H

#include <stdbool.h>
#include <stdio.h>

#include "util/diag.h"
#include "core/pipeline.h"
#include "io/json.h"

typedef struct lt_run_opts {
    const char *out_dir; /* the run folder; NULL: outputs/<pipeline> */
    int threads;         /* 0: OpenBLAS's default */
    bool quiet;
    bool no_cache;       /* neither read nor write the stage cache */
    lt_diag_format format; /* how errors and warnings print (--format) */
} lt_run_opts;

/* Runs every stage's cross-field check, then its probe (the data checks
 * that need only the start of the files). Problems go to DIAG. Returns the
 * number of problems. */
int lt_pipeline_check(const lt_pipeline *p, lt_diag *diag);

/* Runs P. On success returns LT_OK and, when METRICS is not NULL, gives the
 * caller the metrics tree (owned). On failure prints the error to stderr and
 * returns LT_EINPUT or LT_ERUNTIME, leaving no outputs. */
int lt_run(const lt_pipeline *p, const lt_run_opts *opts, lt_json **metrics);

/* Evaluates P's expectations against METRICS. When OUT is not NULL, prints
 * one line each and a summary line to it. When VERDICTS (a JSON array) is not
 * NULL, appends one object per expectation: {"target", "measured" (a number,
 * or null with "problem": "not reported" / "not a number"), "expected" (text,
 * "0.95 ± 0.01"), "ok"}. Returns LT_OK when all hold, LT_MISS otherwise. */
int lt_expect_check(const lt_pipeline *p, const lt_json *metrics, FILE *out, lt_json *verdicts);

#endif
