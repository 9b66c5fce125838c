/* Calling a stage's run() from a unit test with plain datasets in and the
 * default output out, as most tests want. */
#ifndef LATENT_TESTRUN_H
#define LATENT_TESTRUN_H

#include "core/ctx.h"
#include "latent/stage.h"

/* Calls DEF's run() on the datasets IN[0..N) (IN may be NULL when N is 0)
 * with output OUTPUT read (besides the default), and hands that output, a
 * dataset, to *OUT (owned; OUT may be NULL for a sink). The others are
 * freed: a test that reads several calls run() itself. */
static inline int lt_test_call_output(const lt_stage_def *def, lt_ctx *ctx, const void *cfg,
                                      const lt_data *const *in, int n, int output, lt_data **out)
{
    lt_value inputs[8] = {{0}}, outputs[LT_MAX_OUTPUTS] = {{0}};
    for (int i = 0; i < n && i < 8; i++)
        inputs[i].data = (lt_data *)in[i]; /* borrowed: run() only reads it */
    unsigned wanted = ctx->wanted;
    ctx->wanted |= 1u << output;
    int rc = def->run(ctx, cfg, inputs, n, def->n_outputs ? outputs : NULL);
    ctx->wanted = wanted;
    if (out) {
        *out = outputs[output].data;
        outputs[output].data = NULL;
    }
    for (int k = 0; k < LT_MAX_OUTPUTS; k++)
        lt_value_free(&outputs[k]);
    return rc;
}

/* As lt_test_call_output for the default output. */
static inline int lt_test_call(const lt_stage_def *def, lt_ctx *ctx, const void *cfg,
                               const lt_data *const *in, int n, lt_data **out)
{
    return lt_test_call_output(def, ctx, cfg, in, n, 0, out);
}

#endif
