#include "core/ctx.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "core/metrics.h"
#include "core/yaml_doc.h"
#include "core/model.h"

void lt_ctx_enter(lt_ctx *ctx, const char *stage, int line, int col,
                  lt_json *metrics)
{
    ctx->stage = stage;
    ctx->line = line;
    ctx->col = col;
    ctx->metrics = metrics;
    ctx->with = NULL;
    ctx->resolved = NULL;
    ctx->def = NULL;
    ctx->model_in = NULL;
    lt_model_free(ctx->model_out);
    ctx->model_out = NULL;
    lt_diag_clear(&ctx->failure);
    for (size_t i = 0; i < ctx->n_artifacts; i++)
        free(ctx->artifacts[i]);
    ctx->n_artifacts = 0;
}

void lt_ctx_release(lt_ctx *ctx)
{
    lt_ctx_enter(ctx, NULL, 0, 0, NULL);
    lt_diag_clear(&ctx->warnings);
    free(ctx->artifacts);
    ctx->artifacts = NULL;
    free(ctx->artifact);
    ctx->artifact = NULL;
}

void lt_ctx_resolved(lt_ctx *ctx, const char *param, double value)
{
    const lt_param *row = NULL;
    for (size_t i = 0; ctx->def && i < ctx->def->n_params; i++)
        if (strcmp(ctx->def->params[i].name, param) == 0)
            row = &ctx->def->params[i];
    if (!ctx->resolved || !row)
        return;
    bool whole = row->type == LT_P_INT || row->type == LT_P_SEED;
    lt_json_set(ctx->resolved, param, whole ? lt_json_int((long long)value) : lt_json_num(value));
}

const char *lt_ctx_error(const lt_ctx *ctx) { return lt_diag_line(&ctx->failure, 0); }
const lt_diag_item *lt_ctx_failure(const lt_ctx *ctx)
{
    return ctx->failure.n ? &ctx->failure.items[0] : NULL;
}
const char *lt_ctx_stage(const lt_ctx *ctx) { return ctx->stage; }
const char *lt_ctx_file(const lt_ctx *ctx) { return ctx->file ? ctx->file : "(test)"; }
const char *lt_ctx_pipeline(const lt_ctx *ctx) { return ctx->pipeline; }
uint32_t lt_ctx_seed(const lt_ctx *ctx) { return ctx->seed; }
int lt_ctx_threads(const lt_ctx *ctx) { return ctx->threads; }
bool lt_ctx_quiet(const lt_ctx *ctx) { return ctx->quiet; }
const char *const *lt_ctx_png_text(const lt_ctx *ctx) { return ctx->png_text; }

lt_value_kind lt_ctx_input_kind(const lt_ctx *ctx, int index)
{
    return index >= 0 && index < 8 ? (lt_value_kind)ctx->input_kinds[index] : LT_DATASET;
}

const char *lt_ctx_input_name(const lt_ctx *ctx, int index)
{
    return index >= 0 && index < 8 ? ctx->input_names[index] : NULL;
}

bool lt_ctx_wants(const lt_ctx *ctx, int index)
{
    return index == 0 || (index > 0 && index < LT_MAX_OUTPUTS && (ctx->wanted >> index & 1u));
}

/* A report the runner can keep: a metric the stage declares (when the
 * context knows its kind), with finite values. Otherwise the stage's
 * error, which fails the run: a NaN must not reach metrics.json. */
static bool reportable(lt_ctx *ctx, const char *name, const double *v, size_t n)
{
    if (ctx->def && !lt_metric_declared(ctx->def, name)) {
        lt_fail(ctx, LT_ERUNTIME, "reports metric '%s', which %s does not declare (a bug in the "
                "stage: add it to its metrics table)", name, ctx->def->name);
        return false;
    }
    for (size_t i = 0; v && i < n; i++)
        if (!isfinite(v[i])) {
            char at[32] = "";
            if (n > 1)
                snprintf(at, sizeof at, "[%zu]", i);
            lt_fail(ctx, LT_ERUNTIME, "metric '%s'%s is %s; a run's results must be finite numbers",
                    name, at, isnan(v[i]) ? "NaN" : v[i] > 0 ? "Inf" : "-Inf");
            return false;
        }
    return true;
}

void lt_report_num(lt_ctx *ctx, const char *name, double value)
{
    if (reportable(ctx, name, &value, 1))
        lt_json_set(ctx->metrics, name, lt_json_num(value));
}

void lt_report_int(lt_ctx *ctx, const char *name, long long value)
{
    if (reportable(ctx, name, NULL, 0))
        lt_json_set(ctx->metrics, name, lt_json_int(value));
}

void lt_report_bool(lt_ctx *ctx, const char *name, bool value)
{
    if (reportable(ctx, name, NULL, 0))
        lt_json_set(ctx->metrics, name, lt_json_bool(value));
}

void lt_report_str(lt_ctx *ctx, const char *name, const char *value)
{
    if (reportable(ctx, name, NULL, 0))
        lt_json_set(ctx->metrics, name, lt_json_str(value));
}

void lt_report_strs(lt_ctx *ctx, const char *name, const char *const *v, size_t n)
{
    if (!reportable(ctx, name, NULL, 0))
        return;
    lt_json *list = v || n == 0 ? lt_json_array() : NULL;
    for (size_t i = 0; list && i < n; i++)
        lt_json_push(list, lt_json_str(v[i]));
    lt_json_set(ctx->metrics, name, list);
}

void lt_report_vec(lt_ctx *ctx, const char *name, const double *v, size_t n)
{
    if (!reportable(ctx, name, v, n))
        return;
    /* NULL for n > 0: the caller could not build the vector; adding NULL
     * marks the metrics incomplete, so the run fails instead of silently
     * leaving the metric out. */
    lt_json_set(ctx->metrics, name, v || n == 0 ? lt_json_vec(v, n) : NULL);
}

void lt_report_mat(lt_ctx *ctx, const char *name, const double *v, size_t rows,
                   size_t cols)
{
    if (reportable(ctx, name, v, rows * cols))
        lt_json_set(ctx->metrics, name, lt_json_mat(v, rows, cols));
}

int lt_ctx_check_output(lt_ctx *ctx, const lt_data *d, bool nan_is_missing)
{
    for (int s = 0; d && s < LT_N_SPLITS; s++) {
        const lt_mat *x = d->split[s].x;
        size_t count = x && (x->v || x->f) ? x->rows * x->cols : 0;
        for (size_t k = 0; k < count; k++) {
            double v = x->v ? x->v[k] : (double)x->f[k];
            if (!isfinite(v) && !(nan_is_missing && isnan(v)))
                return lt_fail(ctx, LT_ERUNTIME, "its output's %s split holds %s at row %zu, column %zu; "
                               "a run's results must be finite numbers", lt_split_name(s),
                               isnan(v) ? "NaN" : v > 0 ? "Inf" : "-Inf", k / x->cols + 1,
                               k % x->cols + 1);
        }
    }
    return LT_OK;
}

/* Keeps the first error of a stage: later ones are usually consequences.
 * AT's path, when NULL, becomes the stage's own ("stages.NAME"). */
static void record(lt_ctx *ctx, lt_diag_at at, bool stage_prefix, const char *fmt, va_list ap)
{
    /* A NULL ctx records nothing: code that only needs the status (a
     * stream re-reading checked data) may pass one. !fmt only reassures
     * GCC's -O2 format checks. */
    if (!ctx || ctx->failure.n || !fmt)
        return;
    char body[1024], stage_path[300];
    vsnprintf(body, sizeof body, fmt, ap);
    const char *stage = ctx->stage ? ctx->stage : "?";
    if (!at.path) {
        snprintf(stage_path, sizeof stage_path, "stages.%s", stage);
        at.path = stage_path;
    }
    if (stage_prefix)
        lt_diag_report(&ctx->failure, LT_SEV_ERROR, at, "stage '%s': %s", stage, body);
    else
        lt_diag_report(&ctx->failure, LT_SEV_ERROR, at, "%s", body);
}

static const char *code_of(int status)
{
    return status == LT_EINPUT ? lt_code_stage_input : lt_code_stage_runtime;
}

/* The stage's own position, when the run has a file. */
static lt_diag_at stage_at(const lt_ctx *ctx, int status)
{
    bool placed = ctx->file && ctx->line > 0;
    return (lt_diag_at){.code = code_of(status), .file = placed ? ctx->file : NULL,
                        .line = placed ? ctx->line : 0, .col = placed ? ctx->col : 0};
}

int lt_ctx_take(lt_ctx *ctx, lt_diag *d, int status)
{
    if (ctx && status != LT_OK && !ctx->failure.n) {
        if (d->n) {
            char path[300];
            lt_diag_item it = d->items[0];
            snprintf(path, sizeof path, "stages.%s", ctx->stage ? ctx->stage : "?");
            if (!it.path)
                it.path = path;
            lt_diag_push(&ctx->failure, &it);
        } else {
            lt_fail(ctx, status, "a reader failed without a message (a bug in latent)");
        }
    }
    lt_diag_clear(d);
    return status;
}

int lt_fail(lt_ctx *ctx, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (ctx)
        record(ctx, stage_at(ctx, code), true, fmt, ap);
    va_end(ap);
    return code;
}

int lt_fail_param(lt_ctx *ctx, int code, const char *param, const char *fmt, ...)
{
    if (!ctx)
        return code;
    const lt_node *v = lt_node_get(ctx->with, param);
    char path[300];
    snprintf(path, sizeof path, "stages.%s.with.%s", ctx->stage ? ctx->stage : "?", param);
    lt_diag_at at = stage_at(ctx, code);
    at.code = code == LT_EINPUT ? lt_code_param_value : at.code;
    at.path = path;
    /* A value --set gave has its own "source" in place of a position. */
    if (v && v->source)
        at = (lt_diag_at){.code = at.code, .file = v->source, .path = path};
    else if (v && ctx->file && v->line > 0)
        at.line = v->line, at.col = v->col;
    va_list ap;
    va_start(ap, fmt);
    record(ctx, at, true, fmt, ap);
    va_end(ap);
    return code;
}

int lt_fail_item(lt_ctx *ctx, int code, const char *item, int line, int col, const char *fmt, ...)
{
    if (!ctx)
        return code;
    char path[300];
    snprintf(path, sizeof path, "stages.%s.with.%s", ctx->stage ? ctx->stage : "?", item);
    lt_diag_at at = stage_at(ctx, code);
    at.code = code == LT_EINPUT ? lt_code_param_value : at.code;
    at.path = path;
    if (line > 0)
        at.file = lt_ctx_file(ctx), at.line = line, at.col = col;
    va_list ap;
    va_start(ap, fmt);
    record(ctx, at, true, fmt, ap);
    va_end(ap);
    return code;
}

/* The node of the item's parameter at PATH ("units", "layer.units") in
 * ITEM, a `{kind: {params}}` mapping: each step first looks through such a
 * one-key mapping to its parameters. NULL when the file does not give it. */
static const lt_node *item_param(const lt_node *item, const char *path)
{
    char step[128];
    while (item && *path) {
        size_t len = strcspn(path, ".");
        snprintf(step, sizeof step, "%.*s", (int)len, path);
        path += len + (path[len] == '.');
        if (item->kind == LT_MAP && !lt_node_get(item, step) && item->n == 1)
            item = item->items[0];
        item = item->kind == LT_MAP ? lt_node_get(item, step) : NULL;
    }
    return item;
}

int lt_ctx_take_item(lt_ctx *ctx, lt_diag *d, int status, const char *list, size_t index, int line,
                     int col, const char *what)
{
    const lt_diag_item *it = d && d->n ? &d->items[0] : NULL;
    char item[400];
    snprintf(item, sizeof item, "%s[%zu]%s%s", list, index, it && it->path ? "." : "",
             it && it->path ? it->path : "");
    const lt_node *seq = ctx ? lt_node_get(ctx->with, list) : NULL;
    const lt_node *v = seq && seq->kind == LT_SEQ && index < seq->n && it && it->path
                           ? item_param(seq->items[index], it->path)
                           : NULL;
    if (v && v->line > 0 && !v->source)
        line = v->line, col = v->col;
    lt_fail_item(ctx, status, item, line, col, "%s: %s", what,
                 it ? it->message : "cannot take its input (a bug in latent: no reason given)");
    if (d)
        lt_diag_clear(d);
    return status;
}

int lt_fail_at(lt_ctx *ctx, int code, const char *file, long row, long col,
               const char *fmt, ...)
{
    if (!ctx)
        return code;
    lt_diag_at at = lt_diag_data_at(code, file, row, col);
    va_list ap;
    va_start(ap, fmt);
    record(ctx, at, false, fmt, ap);
    va_end(ap);
    return code;
}

void lt_warn(lt_ctx *ctx, const char *fmt, ...)
{
    ctx->n_warnings++;
    char body[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    lt_diag one = {.limit = 1};
    lt_diag_at at = stage_at(ctx, LT_OK);
    char path[300];
    snprintf(path, sizeof path, "stages.%s", ctx->stage ? ctx->stage : "?");
    at.code = lt_code_warning;
    at.path = path;
    lt_diag_report(&one, LT_SEV_WARNING, at, "stage '%s': %s", ctx->stage ? ctx->stage : "?", body);
    if (one.n)
        lt_diag_push(&ctx->warnings, &one.items[0]);
    if (ctx->quiet) {
        lt_diag_clear(&one);
        return;
    }
    if (ctx->live_drawn && ctx->format == LT_DIAG_TEXT)
        fputs("\r\033[K", stderr); /* the warning takes the progress bar's line */
    ctx->live_drawn = false;
    lt_diag_print_as(&one, ctx->format, lt_diag_stream(ctx->format));
    lt_diag_clear(&one);
}

bool lt_progress_shown(const lt_ctx *ctx, bool live)
{
    if (!ctx || ctx->quiet || ctx->format != LT_DIAG_TEXT)
        return false;
    return !live || isatty(fileno(stderr));
}

void lt_progress_say(lt_ctx *ctx, bool live, const char *fmt, ...)
{
    if (!lt_progress_shown(ctx, live))
        return;
    /* A live line is redrawn from the line's start; any line clears it. */
    if (ctx->live_drawn)
        fputs("\r\033[K", stderr);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (!live)
        fputc('\n', stderr);
    fflush(stderr);
    ctx->live_drawn = live;
}

const char *lt_ctx_artifact(lt_ctx *ctx, const char *name)
{
    if (!lt_path_is_plain_relative(name)) {
        lt_fail(ctx, LT_ERUNTIME, "artifact name '%s' is not a plain relative path", name);
        return NULL;
    }
    size_t n = strlen(ctx->staging) + strlen(name) + 2;
    char *path = malloc(n);
    if (!path) {
        lt_fail(ctx, LT_ERUNTIME, "out of memory");
        return NULL;
    }
    snprintf(path, n, "%s/%s", ctx->staging, name);
    if (lt_mkdir_parents(path) != 0) {
        lt_fail(ctx, LT_ERUNTIME, "cannot create the folder for %s", name);
        free(path);
        return NULL;
    }
    /* Remember the name so the stage cache can keep the file with the output. */
    char **names = realloc(ctx->artifacts, (ctx->n_artifacts + 1) * sizeof *names);
    char *copy = strdup(name);
    if (!names || !copy) {
        free(copy);
        if (names)
            ctx->artifacts = names;
        free(path);
        lt_fail(ctx, LT_ERUNTIME, "out of memory");
        return NULL;
    }
    ctx->artifacts = names;
    ctx->artifacts[ctx->n_artifacts++] = copy;
    free(ctx->artifact);
    ctx->artifact = path;
    return path;
}

lt_ctx *lt_ctx_new_test(void)
{
    lt_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    char tmpl[] = "/tmp/latent-test-XXXXXX";
    ctx->test_dir = mkdtemp(tmpl) ? strdup(tmpl) : NULL;
    ctx->test_metrics = lt_json_object();
    ctx->pipeline = "test";
    ctx->staging = ctx->test_dir ? ctx->test_dir : "/tmp";
    ctx->threads = 1;
    ctx->quiet = true;
    ctx->png_text[0] = "Software";
    ctx->png_text[1] = "latent (unit test)";
    lt_ctx_enter(ctx, "test", 0, 0, ctx->test_metrics);
    ctx->wanted = 1;
    return ctx;
}

void lt_ctx_free_test(lt_ctx *ctx)
{
    if (!ctx)
        return;
    if (ctx->test_dir) {
        lt_remove_tree(ctx->test_dir);
        free(ctx->test_dir);
    }
    lt_json_free(ctx->test_metrics);
    lt_ctx_release(ctx);
    free(ctx);
}

lt_json *lt_ctx_test_metrics(lt_ctx *ctx) { return ctx->test_metrics; }

double lt_ctx_test_metric(lt_ctx *ctx, const char *name, size_t i)
{
    lt_json *v = lt_json_get(ctx->test_metrics, name);
    if (lt_json_is_array(v))
        return lt_json_number(lt_json_at(v, i));
    return i == 0 ? lt_json_number(v) : NAN;
}
