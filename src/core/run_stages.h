/* The stage loop of a run: every stage in order, its inputs gathered (with
 * float64 views for stages that need them), the cache consulted, run() called
 * for the outputs someone reads, and each output freed after its last
 * reader. Internal to the runner (run.c). */
#ifndef LATENT_CORE_RUN_STAGES_H
#define LATENT_CORE_RUN_STAGES_H

#include "core/cache.h"
#include "core/ctx.h"
#include "core/pipeline.h"
#include "io/json.h"

/* What the loop records, borrowed: METRICS (a stage's metrics object, for
 * stages that report any), TIMINGS (seconds) and CACHED (true for a stage
 * read from the cache), each an object keyed by stage name, and GATHERED, an
 * array of the stages that ran on MPI rank 0 alone with their inputs
 * gathered there (empty on one process). RESOLVED: for each stage that
 * called lt_ctx_resolved, the values its data-dependent defaults took (a
 * stage read from the cache has none: run.json leaves those keys out). */
typedef struct lt_run_record {
    lt_json *metrics, *timings, *cached, *gathered, *resolved;
    lt_json *warnings; /* the run's warnings (an array), set after the stages ran */
} lt_run_record;

/* Runs P's stages through CTX (its run-wide fields set) with CACHE (whose
 * dir may be NULL: off). Prints each stage's line unless CTX is quiet, and
 * the failing stage's error. On several MPI ranks every rank calls it, and
 * the ranks stop together with the same status. Returns LT_OK, LT_EINPUT or
 * LT_ERUNTIME. */
int lt_run_stages(const lt_pipeline *p, lt_ctx *ctx, const lt_cache *cache, lt_run_record *rec);

#endif
