/* The run context behind the plugin API of latent/stage.h.
 *
 * The runner makes one lt_ctx per run and points it at each stage in turn
 * (lt_ctx_enter). Unit tests make a standalone one with lt_ctx_new_test()
 * and read back what a stage reported. */
#ifndef LATENT_CORE_CTX_H
#define LATENT_CORE_CTX_H

#include "util/diag.h"
#include "io/json.h"
#include "latent/stage.h"

struct lt_ctx {
    /* Fixed for the run. */
    const char *pipeline;     /* borrowed */
    const char *file;         /* the pipeline file as the user named it; borrowed */
    const char *staging;      /* folder artifacts go to until commit; borrowed */
    uint32_t seed;
    int threads;
    bool quiet;
    lt_diag_format format;    /* how warnings print (errors: the runner prints them) */
    const char *png_text[8];  /* key/value pairs + NULL; strings borrowed */

    /* The stage running now. */
    const char *stage;        /* borrowed */
    int line, col;            /* the stage's position in the file (1-based) */
    const struct lt_node *with; /* the stage's `with:` mapping, for lt_fail_param;
                                   borrowed, may be NULL (lt_ctx_enter clears it) */
    const lt_stage_def *def;  /* the stage's kind: a report of a metric it does not
                                 declare is an error; NULL (tests): no check */
    lt_json *metrics;         /* this stage's metrics object; borrowed */
    lt_json *resolved;        /* this stage's lt_ctx_resolved values; borrowed,
                                 NULL: not kept (lt_ctx_enter clears it) */
    unsigned wanted;          /* bit k: output k is read (lt_ctx_wants) */
    unsigned char input_kinds[8]; /* lt_value_kind of input k (lt_ctx_input_kind) */
    const char *input_names[8];   /* the stage input k comes from (borrowed from the pipeline) */
    const lt_model *model_in; /* the stage's `from:` model, or NULL; borrowed */

    /* Owned. */
    lt_diag failure;          /* the first error of the current stage: one item at most,
                                 as only an empty one records (later errors are
                                 usually consequences) */
    char *artifact;           /* the path last handed out by lt_ctx_artifact */
    char **artifacts;         /* names handed out to the current stage (for the cache) */
    size_t n_artifacts;
    lt_model *model_out;      /* what the current stage fitted, or NULL */
    char *test_dir;           /* a test context's own staging folder */
    lt_json *test_metrics;    /* a test context's metrics object */
    int n_warnings;
    lt_diag warnings;         /* every warning of the run, for run.json and the report
                                 (limit 100, the rest counted) */
    bool live_drawn;          /* a live progress line is on the terminal now */
};

/* Points ctx at a stage: its name, position and metrics object (borrowed).
 * Clears any previous error. */
void lt_ctx_enter(lt_ctx *ctx, const char *stage, int line, int col,
                  lt_json *metrics);

/* Checks that every value of D's dense splits is finite; LT_OK, or
 * LT_ERUNTIME recorded as the stage's error naming the split, row and
 * column of the first NaN or infinity. */
/* NAN_IS_MISSING: NaN stands for a missing value here (a source's data read
 * with missing: keep, or split and impute passing them on) and is left to the
 * NaN guard of the stage that reads it; an infinity is always refused. */
int lt_ctx_check_output(lt_ctx *ctx, const lt_data *d, bool nan_is_missing);

/* Makes the first problem a reader recorded in D (the io readers report
 * to a sink, not to the context) the stage's error, with the stage's config
 * path, unless the stage has one already; clears D. Returns STATUS, the
 * reader's result. */
int lt_ctx_take(lt_ctx *ctx, lt_diag *d, int status);

/* As lt_fail_param, for one item of a list parameter, such as a network's
 * layer: ITEM is its place under the stage's `with:` ("encoder[2]"), so
 * the error's config path reads "stages.ae.with.encoder[2]", and LINE:COL
 * its position in the pipeline file (0: the stage's own). LT_EINPUT gets
 * the code "param.value": the item does not fit the rest of the config or
 * the data's shape. */
int lt_fail_item(lt_ctx *ctx, int code, const char *item, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Makes the first problem that code below the context recorded in D (a
 * network layer's lt_layer_refuse) the stage's error, as lt_fail_item's
 * about item INDEX of list parameter LIST ("encoder", 2), at LINE:COL, with
 * the message prefixed by WHAT ("encoder[2] dense"). When the problem's
 * path names one of the item's parameters ("units", "layer.units") the
 * config path goes on to it ("stages.ae.with.encoder[2].units") and the
 * position is that value's in the pipeline file. Clears D; returns STATUS. */
int lt_ctx_take_item(lt_ctx *ctx, lt_diag *d, int status, const char *list, size_t index, int line,
                     int col, const char *what);

/* Frees what the context owns (not the context itself: the runner's lives
 * on its stack). */
void lt_ctx_release(lt_ctx *ctx);

/* The error message recorded by the current stage, or NULL. Borrowed. */
const char *lt_ctx_error(const lt_ctx *ctx);
/* The same error as its parts (code, position, config path), for the
 * runner to print in the user's --format; NULL when there is none. Borrowed. */
const lt_diag_item *lt_ctx_failure(const lt_ctx *ctx);

/* A standalone context for unit tests: seed 0, 1 thread, quiet, artifacts
 * in a fresh temporary folder. Owned; free with lt_ctx_free_test. */
lt_ctx *lt_ctx_new_test(void);
void lt_ctx_free_test(lt_ctx *ctx);
/* A test context wants the default output only; a test of an optional
 * output sets bit k of ctx->wanted for output k. */
/* The metrics a stage reported through a test context. Borrowed. */
lt_json *lt_ctx_test_metrics(lt_ctx *ctx);
/* Numeric metric NAME (element I of a vector, I = 0 for a scalar) from a test
 * context, or NAN when absent. */
double lt_ctx_test_metric(lt_ctx *ctx, const char *name, size_t i);

#endif
