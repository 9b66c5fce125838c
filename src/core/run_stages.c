#include "core/run_stages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/dist.h"
#include "core/models.h"
#include "core/nan_guard.h"
#include "core/run_dist.h"
#include "core/params.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The values of a run, one slot per (stage, output): slot i * LT_MAX_OUTPUTS + k. */
typedef struct run_values {
    lt_value *v;   /* the outputs, owned */
    lt_data **f64; /* float64 copies of data outputs, made once for the stages that need one */
    size_t *left;  /* readers still to run */
    char (*keys)[65]; /* each stage's cache key */
    bool *on_root;    /* per stage: its outputs exist on MPI rank 0 only */
} run_values;

static size_t slot(size_t stage, int output) { return stage * LT_MAX_OUTPUTS + (size_t)output; }

static void free_slot(run_values *rv, size_t at)
{
    lt_value_free(&rv->v[at]);
    lt_data_free(&rv->f64[at]);
}

/* The stage's cache key from its config, which of its outputs are read,
 * its inputs' keys (each naming the output it reads) and any files its path
 * parameters name. */
static void stage_key(const lt_pipeline *p, const lt_stage_inst *s, const run_values *rv, int threads,
                      char out[65])
{
    lt_json *config = lt_params_to_json(s->def->params, s->def->n_params, s->config);
    if (s->from) /* a saved model counts by its content */
        lt_json_set(config, "from", lt_json_str(s->from_sha256));
    /* Each input by its content's key and output, and by its stage's name,
     * which a stage may show (lt_ctx_input_name). */
    char input_keys[8][200];
    const char *inputs[8], *paths[16];
    size_t n_paths = 0;
    for (size_t j = 0; j < s->n_inputs; j++) {
        snprintf(input_keys[j], sizeof input_keys[j], "%s/%d/%s", rv->keys[s->inputs[j]], s->input_output[j],
                 p->stages[s->inputs[j]].name);
        inputs[j] = input_keys[j];
    }
    for (size_t k = 0; k < s->def->n_params && n_paths < 15; k++) {
        const lt_param *par = &s->def->params[k];
        const char *path = par->type == LT_P_PATH ? *(char *const *)((const char *)s->config + par->offset) : NULL;
        if (path)
            paths[n_paths++] = path;
    }
    paths[n_paths] = NULL;
    lt_cache_key(s->name, s->def->name, config, inputs, s->n_inputs, paths, lt_stage_wanted(s), p->seed,
                 threads, out);
    lt_json_free(config);
}

/* Points IN at S's inputs: borrowed from RV, or WHOLE[j] where the rows of
 * a row-block input were gathered to rank 0 for S (see lt_run_place). */
static void borrow_inputs(const lt_stage_inst *s, const run_values *rv, lt_data *const *whole, lt_value *in)
{
    for (size_t j = 0; j < s->n_inputs; j++) {
        in[j] = rv->v[slot(s->inputs[j], s->input_output[j])];
        if (whole[j])
            in[j].data = whole[j];
    }
}

/* Fills IN with S's inputs, borrowed from RV: a float64 view of float32 or
 * streamed data for a stage that reads neither; NaN refused for a stage
 * that does not take missing values (gathered copies too). */
static int gather_inputs(lt_ctx *ctx, const lt_pipeline *p, const lt_stage_inst *s, run_values *rv,
                         lt_data *const *whole, lt_value *in)
{
    borrow_inputs(s, rv, whole, in);
    for (size_t j = 0; j < s->n_inputs; j++) {
        size_t at = slot(s->inputs[j], s->input_output[j]);
        const lt_data *d = in[j].data;
        /* A gathered copy is float64 already where the stage needs it. */
        if (!whole[j] && ((!s->def->accepts_f32 && lt_data_has_f32(d)) ||
                          (!s->def->accepts_stream && lt_data_has_stream(d)))) {
            char why[512];
            if (!rv->f64[at] && !(rv->f64[at] = lt_data_to_f64(d, why, sizeof why)))
                return lt_fail(ctx, lt_data_has_stream(d) ? LT_EINPUT : LT_ERUNTIME, "%s", why);
            in[j].data = rv->f64[at];
        }
        int rc = in[j].data && !s->def->accepts_nan ? lt_nan_guard(ctx, in[j].data, p->stages[s->inputs[j]].name) : LT_OK;
        if (rc != LT_OK)
            return rc;
    }
    return LT_OK;
}

/* Checks that run() filled every output it was asked for with its kind's
 * member, and drops any it filled unasked. */
static int check_outputs(lt_ctx *ctx, const lt_stage_def *def, unsigned wanted, lt_value *out)
{
    for (size_t k = 0; k < def->n_outputs; k++) {
        if (!(wanted >> k & 1u)) {
            lt_value_free(&out[k]);
            continue;
        }
        bool spectrum = def->outputs[k].kind == LT_SPECTRUM;
        if (spectrum ? !out[k].spectrum || out[k].data : !out[k].data || out[k].spectrum)
            return lt_fail(ctx, LT_ERUNTIME, "produced no %s output '%s' (a bug in the stage)",
                           lt_value_kind_name(def->outputs[k].kind), def->outputs[k].name);
    }
    return LT_OK;
}

/* Gives S's outputs, from the cache or from run(), into OUT; *M becomes the
 * metrics object to record, *HIT whether it came from the cache. IN holds
 * its inputs, WHOLE[j] the gathered copy of input j or NULL. */
static int compute(const lt_pipeline *p, const lt_stage_inst *s, lt_ctx *ctx, const lt_cache *cache,
                   run_values *rv, size_t i, lt_data *const *whole, lt_value *out, lt_json **m, bool *hit)
{
    lt_value in[8];
    int rc = gather_inputs(ctx, p, s, rv, whole, in);
    if (rc != LT_OK)
        return rc;
    unsigned wanted = lt_stage_wanted(s);
    ctx->wanted = wanted;
    for (size_t k = 0; k < s->n_inputs && k < 8; k++) {
        const lt_stage_def *from = p->stages[s->inputs[k]].def;
        size_t o = (size_t)s->input_output[k];
        ctx->input_kinds[k] = (unsigned char)(o < from->n_outputs ? from->outputs[o].kind : LT_DATASET);
        ctx->input_names[k] = p->stages[s->inputs[k]].name;
    }
    stage_key(p, s, rv, ctx->threads, rv->keys[i]);
    /* Sources are not cached: reading their data again costs what reading
     * it from the cache would. */
    bool cacheable = s->def->max_inputs > 0;
    lt_json *hit_metrics = NULL;
    bool damaged = false;
    *hit = cacheable && lt_cache_load(cache, rv->keys[i], ctx->staging, s->def->outputs, s->def->n_outputs,
                                      wanted, out, &hit_metrics, &damaged);
    if (damaged)
        lt_warn(ctx, "its stage cache entry %.16s was damaged (a file missing or changed); computing it again",
                rv->keys[i]);
    if (*hit) {
        lt_json_free(*m);
        *m = hit_metrics;
        return LT_OK;
    }
    const lt_data *first = s->n_inputs ? in[0].data : NULL;
    rc = s->def->check ? s->def->check(ctx, s->config) : LT_OK;
    if (rc == LT_OK)
        rc = lt_models_enter(ctx, s, first);
    if (rc == LT_OK)
        rc = s->def->run(ctx, s->config, in, (int)s->n_inputs, s->def->n_outputs ? out : NULL);
    /* A report refused (a NaN, a metric not declared) or an output that is
     * not finite fails the stage, whatever run() said. */
    if (rc == LT_OK && lt_ctx_failure(ctx))
        rc = LT_ERUNTIME;
    if (rc == LT_OK)
        rc = check_outputs(ctx, s->def, wanted, out);
    for (size_t k = 0; rc == LT_OK && k < s->def->n_outputs; k++)
        rc = lt_ctx_check_output(ctx, out[k].data, s->def->min_inputs == 0 || s->def->accepts_nan);
    if (rc == LT_OK)
        rc = lt_models_leave(ctx, s, first);
    if (rc == LT_OK && cacheable)
        lt_cache_store(cache, rv->keys[i], out, s->def->n_outputs, *m, ctx->staging, ctx->artifacts,
                       ctx->n_artifacts);
    return rc;
}

/* The stage's error in the user's --format. */
static void print_failure(const lt_ctx *ctx)
{
    if (lt_ctx_failure(ctx))
        lt_diag_print_item(lt_ctx_failure(ctx), ctx->format, lt_diag_stream(ctx->format));
    else
        lt_diag_emit(ctx->format, lt_code_stage_runtime, ctx->file,
                     "stage '%s' failed without a message (a bug in the stage)", ctx->stage);
}

/* The ranks stop together: the first rank whose failure is its own (not an
 * echo of another's, see lt_dist_take_failed_elsewhere) prints its message,
 * and its status is everyone's. One process: MINE, printed when a failure. */
static int agree(lt_ctx *ctx, int mine)
{
    int ranks = lt_dist_size();
    bool own = mine != LT_OK && !lt_dist_take_failed_elsewhere();
    int first = ranks - lt_dist_max(own ? ranks - lt_dist_rank() : 0);
    int rc = lt_dist_max(own ? mine : LT_OK);
    if (first == ranks)
        rc = lt_dist_max(mine); /* nobody's own: echoes only */
    if (rc != LT_OK && mine != LT_OK && (lt_dist_rank() == first || (first == ranks && lt_dist_rank() == 0)))
        print_failure(ctx);
    return rc;
}

/* Runs stage I, records it, and frees every value whose last reader it was. */
static int run_one(const lt_pipeline *p, size_t i, lt_ctx *ctx, const lt_cache *cache, run_values *rv,
                   lt_run_record *rec)
{
    const lt_stage_inst *s = &p->stages[i];
    lt_json *m = lt_json_object();
    lt_ctx_enter(ctx, s->name, s->line, s->col, m);
    ctx->with = s->with;
    ctx->def = s->def;
    lt_json *used = lt_json_object();
    ctx->resolved = used;
    lt_value out[LT_MAX_OUTPUTS] = {{0}};
    lt_data *whole[8] = {0};
    bool hit = false, here = true; /* whether this rank runs the stage */
    double t0 = now_seconds();
    /* Without its metrics object a stage's reports would vanish. */
    int rc = m ? LT_OK : lt_fail(ctx, LT_ERUNTIME, "out of memory");
    if (rc == LT_OK && lt_dist_size() > 1) {
        lt_value in[8];
        borrow_inputs(s, rv, whole, in);
        rc = lt_run_place(ctx, s, i, in, rv->on_root, whole, &here, rec->gathered);
    }
    if (rc == LT_OK && here)
        rc = compute(p, s, ctx, cache, rv, i, whole, out, &m, &hit);
    double dt = now_seconds() - t0;
    /* A source's rows are cut into one block per rank. */
    if (rc == LT_OK && lt_dist_size() > 1 && s->n_inputs == 0 && s->def->distributed && out[0].data &&
        lt_dist_shard(out[0].data) != 0)
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
    for (size_t j = 0; j < s->n_inputs; j++)
        lt_data_free(&whole[j]);
    rc = agree(ctx, rc);
    ctx->resolved = NULL;
    if (lt_json_size(used))
        lt_json_set(rec->resolved, s->name, used);
    else
        lt_json_free(used);
    if (rc != LT_OK) {
        lt_json_free(m);
        for (size_t k = 0; k < LT_MAX_OUTPUTS; k++)
            lt_value_free(&out[k]);
        return rc;
    }
    for (size_t k = 0; k < s->def->n_outputs; k++) {
        rv->v[slot(i, (int)k)] = out[k];
        /* An output nobody reads (the default one can be) goes at once. */
        if (rv->left[slot(i, (int)k)] == 0)
            free_slot(rv, slot(i, (int)k));
    }
    /* An empty object is a stage that reports nothing; one that lost a
     * metric for want of memory goes in too, so that writing metrics.json
     * fails instead of leaving the metric out. */
    if (lt_json_size(m) || lt_json_failed(m))
        lt_json_set(rec->metrics, s->name, m);
    else
        lt_json_free(m);
    lt_json_set(rec->timings, s->name, lt_json_num(dt));
    lt_json_set(rec->cached, s->name, lt_json_bool(hit));
    lt_progress_say(ctx, false, "  %-16s %-24s %9.3f s%s", s->name, s->def->name, dt, hit ? "  (cached)" : "");
    for (size_t j = 0; j < s->n_inputs; j++) {
        size_t at = slot(s->inputs[j], s->input_output[j]);
        if (--rv->left[at] == 0)
            free_slot(rv, at);
    }
    return LT_OK;
}

int lt_run_stages(const lt_pipeline *p, lt_ctx *ctx, const lt_cache *cache, lt_run_record *rec)
{
    size_t n_slots = (p->n_stages ? p->n_stages : 1) * LT_MAX_OUTPUTS;
    run_values rv = {.v = calloc(n_slots, sizeof *rv.v), .f64 = calloc(n_slots, sizeof *rv.f64),
                     .left = calloc(n_slots, sizeof *rv.left),
                     .keys = calloc(p->n_stages ? p->n_stages : 1, sizeof *rv.keys),
                     .on_root = calloc(p->n_stages ? p->n_stages : 1, sizeof *rv.on_root)};
    int rc = rv.v && rv.f64 && rv.left && rv.keys && rv.on_root ? LT_OK : LT_ERUNTIME;
    if (rc != LT_OK)
        lt_diag_emit(ctx->format, lt_code_resource, p->file, "out of memory");
    for (size_t i = 0; rc == LT_OK && i < p->n_stages; i++)
        for (int k = 0; k < LT_MAX_OUTPUTS; k++)
            rv.left[slot(i, k)] = p->stages[i].n_readers[k];
    for (size_t k = 0; k < p->n_stages && rc == LT_OK; k++)
        rc = run_one(p, p->order[k], ctx, cache, &rv, rec);
    for (size_t at = 0; rv.v && rv.f64 && at < n_slots; at++)
        free_slot(&rv, at);
    free(rv.v);
    free(rv.f64);
    free(rv.left);
    free(rv.keys);
    free(rv.on_root);
    return rc;
}
