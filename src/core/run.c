/* A run in four steps a reader can follow: the run folder (run_folder.c),
 * the stage loop (run_stages.c), the record of what ran (run.json,
 * metrics.json and report.html, here), and the commit. */
#include "core/run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>

#include "core/cache.h"
#include "core/ctx.h"
#include "core/dist.h"
#include "util/fsutil.h"
#include "core/report.h"
#include "core/run_folder.h"
#include "core/run_stages.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int lt_pipeline_check(const lt_pipeline *p, lt_diag *diag)
{
    lt_ctx ctx = {.pipeline = p->name, .file = p->file, .seed = p->seed, .threads = 1, .quiet = true};
    int problems = 0;
    for (size_t i = 0; i < p->n_stages; i++) {
        const lt_stage_inst *s = &p->stages[i];
        /* The config first: a probe trusts what check accepted. */
        for (int step = 0; step < 2; step++) {
            int (*fn)(lt_ctx *, const void *) = step == 0 ? s->def->check : s->def->probe;
            if (!fn)
                continue;
            lt_ctx_enter(&ctx, s->name, s->line, s->col, NULL);
            ctx.with = s->with;
            ctx.wanted = lt_stage_wanted(s); /* a check may depend on which outputs are read */
            if (fn(&ctx, s->config) != LT_OK) {
                if (lt_ctx_failure(&ctx))
                    lt_diag_push(diag, lt_ctx_failure(&ctx));
                else
                    lt_diag_add(diag, lt_code_stage_input, p->file, s->line, s->col,
                                "stage '%s': its check failed without a message (a bug in the stage)", s->name);
                problems++;
                break;
            }
        }
    }
    lt_ctx_release(&ctx);
    return problems;
}

static lt_cache open_cache(bool off)
{
    lt_cache c = {.dir = off ? NULL : lt_cache_default_dir(), .max_bytes = (size_t)256 << 20};
    const char *mb = getenv("LATENT_CACHE_MAX_MB");
    if (mb && *mb)
        c.max_bytes = (size_t)strtoull(mb, NULL, 10) << 20;
    return c;
}

static void iso_time(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The run's warnings as run.json keeps them: one object per warning, with
 * the parts every diagnostic has, and a last entry counting any past the
 * limit. */
static lt_json *warnings_json(const lt_diag *d)
{
    lt_json *list = lt_json_array();
    for (size_t i = 0; list && i < d->n; i++) {
        const lt_diag_item *it = &d->items[i];
        lt_json *w = lt_json_push(list, lt_json_object());
        lt_json_set(w, "code", lt_json_str(it->code));
        lt_json_set(w, "path", it->path ? lt_json_str(it->path) : lt_json_null());
        lt_json_set(w, "file", it->file ? lt_json_str(it->file) : lt_json_null());
        lt_json_set(w, "line", lt_json_int(it->line));
        lt_json_set(w, "column", lt_json_int(it->col));
        lt_json_set(w, "message", lt_json_str(it->message));
    }
    if (list && d->dropped) {
        lt_json *w = lt_json_push(list, lt_json_object());
        lt_json_set(w, "code", lt_json_str(lt_code_warning));
        lt_json_set(w, "dropped", lt_json_int((long long)d->dropped));
    }
    return list;
}

/* What identifies a run and how long it took: the run.json tree, owned.
 * Takes over REC's timings, cached and gathered objects and FILES. */
static lt_json *run_json(const lt_pipeline *p, const char *config_hash, int threads, const char *started,
                         double t_start, lt_run_record *rec, lt_json *files)
{
    lt_json *run = lt_json_object();
    lt_json_set(run, "pipeline", lt_json_str(p->name));
    lt_json_set(run, "file", lt_json_str(p->file));
    lt_json_set(run, "file_sha256", lt_json_str(p->sha256));
    lt_json_set(run, "config_hash", lt_json_str(config_hash));
    lt_json_set(run, "latent_version", lt_json_str(LATENT_VERSION));
    lt_json_set(run, "openblas", lt_json_str(openblas_get_config()));
    lt_json_set(run, "seed", lt_json_int(p->seed));
    lt_json_set(run, "threads", lt_json_int(threads));
    if (lt_dist_size() > 1) {
        lt_json *d = lt_json_set(run, "distributed", lt_json_object());
        lt_json_set(d, "ranks", lt_json_int(lt_dist_size()));
        lt_json_set(d, "gathered_to_rank_0", rec->gathered);
        rec->gathered = NULL;
    }
    lt_json_set(run, "started", lt_json_str(started));
    lt_json_set(run, "wall_seconds", lt_json_num(now_seconds() - t_start));
    lt_json_set(run, "stage_seconds", rec->timings);
    lt_json_set(run, "cached", rec->cached);
    rec->timings = rec->cached = NULL;
    lt_json_set(run, "warnings", rec->warnings ? rec->warnings : lt_json_array());
    rec->warnings = NULL;
    lt_json_set(run, "config", lt_pipeline_resolved_run(p, rec->resolved));
    lt_json_set(run, "files", files);
    return run;
}

/* Stages metrics.json, run.json and report.html next to the stages' files,
 * then commits them all into the run folder. */
static int record_and_commit(const lt_pipeline *p, lt_run_folder *folder, const char *config_hash, int threads,
                             const char *started, double t_start, lt_run_record *rec, bool quiet,
                             lt_diag_format format)
{
    lt_json *files = lt_json_array();
    lt_run_folder_list(folder, files);
    lt_json_push(files, lt_json_str("metrics.json"));
    lt_json_push(files, lt_json_str("run.json"));
    lt_json_push(files, lt_json_str("report.html"));
    lt_json *run = run_json(p, config_hash, threads, started, t_start, rec, files);
    /* The report shows the expectations' verdicts whether or not this is
     * `latent check`; it is staged with the rest, so it commits too. */
    lt_json *verdicts = lt_json_array();
    lt_expect_check(p, rec->metrics, NULL, verdicts);
    char *report = lt_path_join(folder->staging, "report.html");
    /* The file to name when one is to blame, step by step. */
    const char *failed = "metrics.json";
    bool ok = lt_run_folder_write_json(folder, failed, rec->metrics) == 0;
    if (ok) {
        failed = "run.json";
        ok = lt_run_folder_write_json(folder, failed, run) == 0;
    }
    if (ok) {
        failed = report ? "report.html" : NULL; /* NULL: out of memory */
        ok = report && lt_report_write(folder->staging, run, rec->metrics, verdicts, report) == 0;
    }
    if (ok)
        ok = lt_run_folder_commit(folder, files, &failed) == 0;
    int rc = ok ? LT_OK : LT_ERUNTIME;
    if (!ok) {
        /* The file by its place in the run folder: its staged copy is gone. */
        int err = errno;
        char *path = failed ? lt_path_join(folder->dir, failed) : NULL;
        lt_diag_emit(format, lt_code_resource, path ? path : folder->dir, "cannot write the run's outputs: %s",
                     strerror(err));
        free(path);
    } else if (!quiet) {
        fprintf(stderr, "latent: wrote %s (%zu files) in %.3f s\n", folder->dir, lt_json_size(files),
                now_seconds() - t_start);
    }
    lt_json_free(run);
    lt_json_free(verdicts);
    free(report);
    return rc;
}

int lt_run(const lt_pipeline *p, const lt_run_opts *opts, lt_json **metrics_out)
{
    double t_start = now_seconds();
    char started[32];
    iso_time(started, sizeof started);
    if (opts->threads > 0)
        openblas_set_num_threads(opts->threads);
    int threads = openblas_get_num_threads();
    /* Several MPI ranks: rank 0 alone writes the run folder; the others
     * stage what their stages write in a private folder they remove. Every
     * failure before the stages meets the other ranks' first agreement
     * (lt_dist_max), so that no rank waits for one that has left. */
    int ranks = lt_dist_size();
    bool root = lt_dist_rank() == 0;
    char private_dir[] = "/tmp/latent-rank-XXXXXX";
    if (!root && !mkdtemp(private_dir)) {
        lt_diag_emit(opts->format, lt_code_resource, private_dir, "cannot create a temporary folder: %s",
                     strerror(errno));
        return lt_dist_max(LT_ERUNTIME);
    }

    char *dir = !root ? strdup(private_dir) : opts->out_dir ? strdup(opts->out_dir) : lt_path_join("outputs", p->name);
    lt_run_folder folder;
    int rc = dir ? lt_run_folder_open(&folder, dir, opts->format) : LT_ERUNTIME;
    if (!dir)
        lt_diag_emit(opts->format, lt_code_resource, p->file, "out of memory");
    free(dir);
    if (rc != LT_OK) {
        if (!root)
            lt_remove_tree(private_dir);
        return lt_dist_max(rc);
    }

    /* The config hash identifies what was run; plots carry it. */
    char config_hash[17];
    lt_pipeline_config_hash(p, config_hash);
    lt_ctx ctx = {.pipeline = p->name, .file = p->file, .staging = folder.staging, .seed = p->seed,
                  .threads = threads, .quiet = opts->quiet || !root,
                  .format = opts->format};
    const char *png_text[] = {"Software", "latent " LATENT_VERSION, "Title", p->name,
                              "latent:config-hash", config_hash, NULL};
    memcpy(ctx.png_text, png_text, sizeof png_text);
    /* A rank's stage output is its block of rows: not what the cache keeps. */
    lt_cache cache = open_cache(opts->no_cache || ranks > 1);
    lt_run_record rec = {.metrics = lt_json_object(), .timings = lt_json_object(), .cached = lt_json_object(),
                         .gathered = lt_json_array(), .resolved = lt_json_object()};
    if (!rec.metrics || !rec.timings || !rec.cached || !rec.gathered || !rec.resolved) {
        lt_diag_emit(opts->format, lt_code_resource, p->file, "out of memory");
        rc = LT_ERUNTIME;
    }
    rc = lt_dist_max(rc); /* the ranks' first agreement */
    bool started_together = rc == LT_OK;
    if (rc == LT_OK && lt_progress_shown(&ctx, false))
        fprintf(stderr, "latent: running %s (%zu stage%s, %d thread%s%s)\n", p->name, p->n_stages,
                p->n_stages == 1 ? "" : "s", threads, threads == 1 ? "" : "s",
                ranks > 1 ? " on each of the ranks" : "");
    if (rc == LT_OK)
        rc = lt_run_stages(p, &ctx, &cache, &rec);
    if (rc == LT_OK && !(rec.warnings = warnings_json(&ctx.warnings)))
        rc = LT_ERUNTIME;
    if (rc == LT_OK && root)
        rc = record_and_commit(p, &folder, config_hash, threads, started, t_start, &rec, !lt_progress_shown(&ctx, false),
                               opts->format);
    lt_run_folder_close(&folder, rc == LT_OK && root);
    if (!root)
        lt_remove_tree(private_dir);
    /* Rank 0's commit may fail; every rank exits with its status. */
    if (started_together)
        rc = lt_dist_max(rc);
    lt_ctx_release(&ctx);
    free(cache.dir);
    lt_json_free(rec.timings);
    lt_json_free(rec.cached);
    lt_json_free(rec.gathered);
    lt_json_free(rec.resolved);
    lt_json_free(rec.warnings);
    if (rc == LT_OK && metrics_out)
        *metrics_out = rec.metrics;
    else
        lt_json_free(rec.metrics);
    return rc;
}
