/* Where a stage runs when a pipeline runs on several MPI ranks. */
#ifndef LATENT_CORE_RUN_DIST_H
#define LATENT_CORE_RUN_DIST_H

#include "core/pipeline.h"
#include "io/json.h"
#include "latent/stage.h"

/* A source runs on every rank (a distributed one then keeps its block of
 * rows); a distributed stage whose inputs are on every rank runs on every
 * rank; any other stage with inputs runs on rank 0 alone, with the inputs
 * IN[0..n_inputs) (the values S reads, borrowed) that are datasets held in
 * row blocks gathered there into WHOLE[j] (owned by the
 * caller; float64 unless the stage accepts float32), and its name goes to
 * the GATHERED list. Sets *HERE (whether this rank runs stage S, the one at
 * INDEX) and ON_ROOT[INDEX] (its value will exist on rank 0 only), the same
 * way on every rank. Returns LT_OK, or the lt_fail status on every rank. */
int lt_run_place(lt_ctx *ctx, const lt_stage_inst *s, size_t index, const lt_value *in,
                 bool *on_root, lt_data **whole, bool *here, lt_json *gathered);

#endif
