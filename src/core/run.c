#include "core/run.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cblas.h>

#include "core/cache.h"
#include "core/ctx.h"
#include "core/dist.h"
#include "core/run_dist.h"
#include "core/params.h"
#include "core/fsutil.h"
#include "core/nan_guard.h"
#include "core/models.h"
#include "core/report.h"
#include "core/sha256.h"

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
            if (fn(&ctx, s->config) != LT_OK) {
                lt_diag_add_raw(diag, ctx.error ? ctx.error : "check failed");
                problems++;
                break;
            }
        }
    }
    lt_ctx_release(&ctx);
    return problems;
}

/* ---- the run folder ----------------------------------------------------- */

/* Collects the files under DIR/SUB (relative names) into a JSON array. */
static void list_files(const char *dir, const char *sub, lt_json *out)
{
    char *path = sub ? lt_path_join(dir, sub) : strdup(dir);
    DIR *d = path ? opendir(path) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *rel = sub ? lt_path_join(sub, e->d_name) : strdup(e->d_name);
        char *full = rel ? lt_path_join(dir, rel) : NULL;
        struct stat st;
        if (full && lstat(full, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                list_files(dir, rel, out);
            else if (S_ISREG(st.st_mode))
                lt_json_push(out, lt_json_str(rel));
        }
        free(rel);
        free(full);
    }
    if (d)
        closedir(d);
    free(path);
}

/* Writes TREE to DIR/NAME through a temporary file and a rename. */
static int write_json_file(const char *dir, const char *name, const lt_json *tree)
{
    char *path = lt_path_join(dir, name);
    char *tmp = path ? lt_path_join(dir, ".tmp.json") : NULL;
    FILE *f = tmp ? fopen(tmp, "w") : NULL;
    int rc = -1;
    if (f) {
        rc = lt_json_write(tree, f);
        if (fclose(f) != 0)
            rc = -1;
        if (rc == 0)
            rc = rename(tmp, path);
        else
            remove(tmp);
    }
    free(path);
    free(tmp);
    return rc;
}

static void free_paths(char **paths, size_t n)
{
    for (size_t i = 0; paths && i < n; i++)
        free(paths[i]);
    free(paths);
}

/* The files an earlier run listed in its run.json that this run (FILES)
 * does not write, as paths in RUN_DIR: owned, *n of them; NULL with *n 0
 * when there are none. Returns -1 when out of memory. */
static int stale_files(const char *run_dir, const lt_json *files, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    char *old_path = lt_path_join(run_dir, "run.json");
    if (!old_path)
        return -1;
    errno = 0;
    char *old_text = lt_read_file(old_path, NULL);
    free(old_path);
    if (!old_text)
        return errno == ENOMEM ? -1 : 0; /* no earlier run */
    lt_json *old = lt_json_parse(old_text);
    free(old_text);
    /* Trust the list only in a run.json that latent wrote. */
    const lt_json *old_files = lt_json_get(old, "latent_version") ? lt_json_get(old, "files") : NULL;
    size_t count = lt_json_size(old_files);
    char **victims = count ? calloc(count, sizeof *victims) : NULL;
    int rc = count && !victims ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        const char *name = lt_json_string(lt_json_value_at(old_files, i));
        if (!name || !lt_path_is_plain_relative(name))
            continue;
        bool kept = false;
        for (size_t k = 0; k < lt_json_size(files); k++)
            kept |= strcmp(lt_json_string(lt_json_value_at(files, k)), name) == 0;
        if (!kept && !(victims[(*n)++] = lt_path_join(run_dir, name)))
            rc = -1;
    }
    lt_json_free(old);
    if (rc != 0) {
        free_paths(victims, *n);
        *n = 0;
        return -1;
    }
    *out = victims;
    return 0;
}

/* Moves the staged files into place, one rename each, then removes the
 * files an earlier run listed but this one did not write, so the folder
 * shows this run only. Everything that can fail for want of memory
 * (paths, the earlier list, parent folders) is done before the first
 * rename; should a rename itself fail, the files already moved go back
 * to staging, so a failed commit leaves the folder as it found it, short
 * of the earlier versions that renames replaced. */
static int commit(const char *run_dir, const char *staging, const lt_json *files)
{
    size_t n = lt_json_size(files), n_stale = 0;
    char **from = calloc(n + 1, sizeof *from), **to = calloc(n + 1, sizeof *to);
    char **stale = NULL;
    int rc = from && to ? stale_files(run_dir, files, &stale, &n_stale) : -1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *name = lt_json_string(lt_json_value_at(files, i));
        if (!(from[i] = lt_path_join(staging, name)) || !(to[i] = lt_path_join(run_dir, name)) ||
            lt_mkdir_parents(to[i]) != 0)
            rc = -1;
    }
    size_t moved = 0;
    while (rc == 0 && moved < n)
        if (rename(from[moved], to[moved]) == 0)
            moved++;
        else
            rc = -1;
    if (rc != 0) {
        int saved = errno;
        while (moved > 0) {
            moved--;
            rename(to[moved], from[moved]);
        }
        /* And the folders made for them, if they are empty: rmdir leaves
         * a folder that holds anything. */
        size_t root = strlen(run_dir);
        for (size_t i = 0; to && i < n && to[i]; i++)
            for (char *slash = strrchr(to[i], '/'); slash && (size_t)(slash - to[i]) > root;
                 slash = strrchr(to[i], '/')) {
                *slash = '\0';
                rmdir(to[i]);
            }
        errno = saved;
    }
    for (size_t i = 0; rc == 0 && i < n_stale; i++)
        remove(stale[i]);
    free_paths(from, n);
    free_paths(to, n);
    free_paths(stale, n_stale);
    lt_remove_tree(staging);
    return rc;
}

/* Removes staging folders left by runs that were killed. */
static void remove_stale_staging(const char *run_dir)
{
    DIR *d = opendir(run_dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        long pid;
        if (sscanf(e->d_name, ".partial-%ld", &pid) != 1 || (kill((pid_t)pid, 0) == 0 || errno == EPERM))
            continue;
        char *path = lt_path_join(run_dir, e->d_name);
        if (path)
            lt_remove_tree(path);
        free(path);
    }
    if (d)
        closedir(d);
}

/* The staging folder of the run in progress, for the signal handler. */
static char interrupted_staging[4096];

static void on_signal(int sig)
{
    if (interrupted_staging[0])
        lt_remove_tree(interrupted_staging);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* ---- running ------------------------------------------------------------ */

/* The stage's cache key from its config, its inputs' keys and any files its
 * path parameters name. */
static void stage_key(const lt_pipeline *p, const lt_stage_inst *s, char (*keys)[65], int threads,
                      char out[65])
{
    lt_json *config = lt_params_to_json(s->def->params, s->def->n_params, s->config);
    if (s->from) /* a saved model counts by its content */
        lt_json_set(config, "from", lt_json_str(s->from_sha256));
    const char *inputs[8], *paths[16];
    size_t n_paths = 0;
    for (size_t j = 0; j < s->n_inputs; j++)
        inputs[j] = keys[s->inputs[j]];
    for (size_t k = 0; k < s->def->n_params && n_paths < 15; k++) {
        const lt_param *par = &s->def->params[k];
        const char *path = par->type == LT_P_PATH ? *(char *const *)((const char *)s->config + par->offset) : NULL;
        if (path)
            paths[n_paths++] = path;
    }
    paths[n_paths] = NULL;
    lt_cache_key(s->name, s->def->name, config, inputs, s->n_inputs, paths, p->seed, threads, out);
    lt_json_free(config);
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

int lt_run(const lt_pipeline *p, const lt_run_opts *opts, lt_json **metrics_out)
{
    double t_start = now_seconds();
    char started[32];
    iso_time(started, sizeof started);
    if (opts->threads > 0)
        openblas_set_num_threads(opts->threads);
    int threads = openblas_get_num_threads();
    /* Several MPI ranks: rank 0 alone writes the run folder; the others
     * stage what their stages write in a private folder they remove. */
    int ranks = lt_dist_size();
    bool root = lt_dist_rank() == 0;
    char private_dir[] = "/tmp/latent-rank-XXXXXX";
    if (!root && !mkdtemp(private_dir)) {
        fprintf(stderr, "%s: cannot create a temporary folder: %s\n", private_dir, strerror(errno));
        return lt_dist_max(LT_ERUNTIME);
    }

    char *run_dir = !root                ? strdup(private_dir)
                    : opts->out_dir ? strdup(opts->out_dir)
                                    : lt_path_join("outputs", p->name);
    struct stat st;
    bool existed = run_dir && stat(run_dir, &st) == 0;
    if (existed && !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "%s: the output folder exists and is not a folder\n", run_dir);
        free(run_dir);
        return lt_dist_max(LT_EINPUT); /* meets the other ranks' first agreement */
    }
    if (!run_dir || lt_mkdir_p(run_dir) != 0) {
        fprintf(stderr, "%s: cannot create the output folder: %s\n", run_dir ? run_dir : "?", strerror(errno));
        free(run_dir);
        return lt_dist_max(LT_ERUNTIME);
    }
    /* One run per folder at a time: two runs committing into the same
     * folder would interleave their files. */
    char *lock_path = lt_path_join(run_dir, ".lock");
    int lock_fd = lock_path ? open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0666) : -1;
    free(lock_path);
    if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
        fprintf(stderr, "%s: another latent run is writing this folder; wait for it or use --out\n", run_dir);
        if (lock_fd >= 0)
            close(lock_fd);
        free(run_dir);
        return lt_dist_max(LT_ERUNTIME);
    }
    remove_stale_staging(run_dir);
    char partial[64];
    snprintf(partial, sizeof partial, ".partial-%ld", (long)getpid());
    char *staging = lt_path_join(run_dir, partial);
    if (!staging || lt_mkdir_p(staging) != 0) {
        fprintf(stderr, "%s: cannot create the staging folder\n", run_dir);
        free(staging);
        free(run_dir);
        close(lock_fd);
        return lt_dist_max(LT_ERUNTIME);
    }
    snprintf(interrupted_staging, sizeof interrupted_staging, "%s", staging);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    /* The config hash identifies what was run; plots carry it. */
    lt_json *resolved = lt_pipeline_resolved(p);
    char config_hash[17];
    lt_pipeline_config_hash(p, config_hash);

    lt_ctx ctx = {.pipeline = p->name, .file = p->file, .staging = staging, .seed = p->seed,
                  .threads = threads, .quiet = opts->quiet || !root};
    const char *png_text[] = {"Software", "latent " LATENT_VERSION, "Title", p->name,
                              "latent:config-hash", config_hash, NULL};
    memcpy(ctx.png_text, png_text, sizeof png_text);

    /* A rank's stage output is its block of rows: not what the cache keeps. */
    lt_cache cache = open_cache(opts->no_cache || ranks > 1);
    char (*keys)[65] = calloc(p->n_stages ? p->n_stages : 1, sizeof *keys);
    lt_json *cached = lt_json_object();
    lt_json *metrics = lt_json_object();
    lt_json *timings = lt_json_object();
    lt_data **values = calloc(p->n_stages, sizeof *values);
    lt_data **values64 = calloc(p->n_stages, sizeof *values64);
    size_t *left = calloc(p->n_stages, sizeof *left);
    bool *on_root = calloc(p->n_stages, sizeof *on_root); /* the value exists on rank 0 only */
    lt_json *gathered = lt_json_array(); /* the stages that ran on rank 0 alone */
    int rc = (metrics && timings && values && values64 && left && keys && cached && on_root && gathered)
                 ? LT_OK
                 : LT_ERUNTIME;
    /* The ranks' first agreement; rank 0 makes it on its way out when the
     * run folder cannot be had (above). */
    rc = lt_dist_max(rc);
    bool started_together = rc == LT_OK;
    for (size_t i = 0; i < p->n_stages && rc == LT_OK; i++)
        left[i] = p->stages[i].n_consumers;
    if (!opts->quiet && root)
        fprintf(stderr, "latent: running %s (%zu stages, %d thread%s%s)\n", p->name, p->n_stages, threads,
                threads == 1 ? "" : "s", ranks > 1 ? " on each of the ranks" : "");

    for (size_t k = 0; k < p->n_stages && rc == LT_OK; k++) {
        size_t i = p->order[k];
        const lt_stage_inst *s = &p->stages[i];
        lt_json *m = lt_json_object();
        lt_ctx_enter(&ctx, s->name, s->line, s->col, m);
        ctx.with = s->with;
        ctx.def = s->def;
        /* Without its metrics object a stage's reports would vanish. */
        if (!m)
            rc = lt_fail(&ctx, LT_ERUNTIME, "out of memory");
        const lt_data *inputs[8];
        lt_data *whole[8] = {0};
        bool here = true; /* whether this rank runs the stage */
        if (ranks > 1 && rc == LT_OK)
            rc = lt_run_place(&ctx, s, i, values, on_root, whole, &here, gathered);
        for (size_t j = 0; j < s->n_inputs && rc == LT_OK && here; j++) {
            size_t from = s->inputs[j];
            inputs[j] = whole[j] ? whole[j] : values[from];
            /* A float64 view of float32 data, made once per value for all
             * the stages that need it and freed with the value (a value
             * gathered to rank 0 comes as float64 where the stage needs it). */
            if (!whole[j] && ((!s->def->accepts_f32 && lt_data_has_f32(values[from])) ||
                              (!s->def->accepts_stream && lt_data_has_stream(values[from])))) {
                char why[512];
                if (!values64[from] && !(values64[from] = lt_data_to_f64(values[from], why, sizeof why)))
                    rc = lt_fail(&ctx, lt_data_has_stream(values[from]) ? LT_EINPUT : LT_ERUNTIME,
                                 "%s", why);
                inputs[j] = values64[from];
            }
            if (rc == LT_OK && !s->def->accepts_nan)
                rc = lt_nan_guard(&ctx, inputs[j], p->stages[from].name);
        }
        lt_data *out = NULL;
        double t0 = now_seconds();
        /* Sources are not cached: reading their data again costs what
         * reading it from the cache would. */
        stage_key(p, s, keys, threads, keys[i]);
        bool cacheable = s->def->max_inputs > 0;
        lt_json *hit_metrics = NULL;
        bool hit = rc == LT_OK && here && cacheable && lt_cache_load(&cache, keys[i], staging, &out, &hit_metrics);
        if (hit && s->def->produces && !out) {
            hit = false; /* an entry without the output this stage must give */
            lt_json_free(hit_metrics);
        }
        if (hit) {
            lt_json_free(m);
            m = hit_metrics;
        } else if (rc == LT_OK && here) {
            rc = s->def->check ? s->def->check(&ctx, s->config) : LT_OK;
            if (rc == LT_OK)
                rc = lt_models_enter(&ctx, s, s->n_inputs ? inputs[0] : NULL);
            if (rc == LT_OK)
                rc = s->def->run(&ctx, s->config, inputs, (int)s->n_inputs, s->def->produces ? &out : NULL);
            /* A report refused (a NaN, a metric not declared) or an output
             * that is not finite fails the stage, whatever run() said. */
            if (rc == LT_OK && ctx.error)
                rc = LT_ERUNTIME;
            if (rc == LT_OK)
                rc = lt_ctx_check_output(&ctx, out, s->def->min_inputs == 0 || s->def->accepts_nan);
            if (rc == LT_OK)
                rc = lt_models_leave(&ctx, s, s->n_inputs ? inputs[0] : NULL);
            if (rc == LT_OK && cacheable && (out || !s->def->produces))
                lt_cache_store(&cache, keys[i], out, m, staging, ctx.artifacts, ctx.n_artifacts);
        }
        lt_json_set(cached, s->name, lt_json_bool(hit));
        double dt = now_seconds() - t0;
        if (rc == LT_OK && here && s->def->produces && !out)
            rc = lt_fail(&ctx, LT_ERUNTIME, "produced no output (a bug in the stage)");
        /* A source's rows are cut into one block per rank. */
        if (rc == LT_OK && ranks > 1 && s->n_inputs == 0 && s->def->distributed && out &&
            lt_dist_shard(out) != 0)
            rc = lt_fail(&ctx, LT_ERUNTIME, "out of memory");
        for (size_t j = 0; j < s->n_inputs; j++)
            lt_data_free(&whole[j]);
        /* The ranks stop together. The first rank whose failure is its own
         * (not an echo of another's, see lt_dist_take_failed_elsewhere)
         * prints its message, and its status is everyone's. */
        int mine = rc;
        bool own = mine != LT_OK && !lt_dist_take_failed_elsewhere();
        int first = ranks - lt_dist_max(own ? ranks - lt_dist_rank() : 0);
        rc = lt_dist_max(own ? mine : LT_OK);
        if (first == ranks)
            rc = lt_dist_max(mine); /* nobody's own: echoes only */
        if (rc != LT_OK) {
            if (mine != LT_OK && (lt_dist_rank() == first || (first == ranks && root)))
                fprintf(stderr, "%s\n", ctx.error ? ctx.error : "stage failed without a message");
            lt_json_free(m);
            lt_data_free(&out);
            break;
        }
        values[i] = out;
        /* An empty object is a stage that reports nothing; one that lost a
         * metric for want of memory goes in too, so that writing
         * metrics.json fails instead of leaving the metric out. */
        if (lt_json_size(m) || lt_json_failed(m))
            lt_json_set(metrics, s->name, m);
        else
            lt_json_free(m);
        lt_json_set(timings, s->name, lt_json_num(dt));
        if (!opts->quiet)
            fprintf(stderr, "  %-16s %-24s %9.3f s%s\n", s->name, s->def->name, dt, hit ? "  (cached)" : "");
        /* Free inputs whose last reader has run. */
        for (size_t j = 0; j < s->n_inputs; j++)
            if (--left[s->inputs[j]] == 0) {
                lt_data_free(&values[s->inputs[j]]);
                lt_data_free(&values64[s->inputs[j]]);
            }
        if (s->n_consumers == 0)
            lt_data_free(&values[i]);
    }
    for (size_t i = 0; values && values64 && i < p->n_stages; i++) {
        lt_data_free(&values[i]);
        lt_data_free(&values64[i]);
    }
    free(values);
    free(values64);
    free(left);
    free(on_root);

    if (rc == LT_OK && root) {
        lt_json *files = lt_json_array();
        list_files(staging, NULL, files);
        lt_json_push(files, lt_json_str("metrics.json"));
        lt_json_push(files, lt_json_str("run.json"));
        lt_json_push(files, lt_json_str("report.html"));
        lt_json *run = lt_json_object();
        lt_json_set(run, "pipeline", lt_json_str(p->name));
        lt_json_set(run, "file", lt_json_str(p->file));
        lt_json_set(run, "file_sha256", lt_json_str(p->sha256));
        lt_json_set(run, "config_hash", lt_json_str(config_hash));
        lt_json_set(run, "latent_version", lt_json_str(LATENT_VERSION));
        lt_json_set(run, "openblas", lt_json_str(openblas_get_config()));
        lt_json_set(run, "seed", lt_json_int(p->seed));
        lt_json_set(run, "threads", lt_json_int(threads));
        if (ranks > 1) {
            lt_json *d = lt_json_set(run, "distributed", lt_json_object());
            lt_json_set(d, "ranks", lt_json_int(ranks));
            lt_json_set(d, "gathered_to_rank_0", gathered);
            gathered = NULL;
        }
        lt_json_set(run, "started", lt_json_str(started));
        lt_json_set(run, "wall_seconds", lt_json_num(now_seconds() - t_start));
        lt_json_set(run, "stage_seconds", timings);
        timings = NULL;
        lt_json_set(run, "cached", cached);
        cached = NULL;
        lt_json_set(run, "config", resolved);
        resolved = NULL;
        lt_json_set(run, "files", files);
        /* The report shows the expectations' verdicts whether or not this
         * is `latent check`; it is staged with the rest, so it commits too. */
        lt_json *verdicts = lt_json_array();
        lt_expect_check(p, metrics, NULL, verdicts);
        char *report = lt_path_join(staging, "report.html");
        if (write_json_file(staging, "metrics.json", metrics) != 0 ||
            write_json_file(staging, "run.json", run) != 0 || !report ||
            lt_report_write(staging, run, metrics, verdicts, report) != 0 || commit(run_dir, staging, files) != 0) {
            fprintf(stderr, "%s: cannot write the run's outputs: %s\n", run_dir, strerror(errno));
            rc = LT_ERUNTIME;
        } else if (!opts->quiet) {
            fprintf(stderr, "latent: wrote %s (%zu files) in %.3f s\n", run_dir, lt_json_size(files),
                    now_seconds() - t_start);
        }
        lt_json_free(run);
        lt_json_free(verdicts);
        free(report);
    }
    if (!root) {
        lt_remove_tree(run_dir);
    } else if (rc != LT_OK) {
        lt_remove_tree(staging);
        if (!existed) {
            /* Only what this run made: the lock file, then the folder if empty. */
            char *lock = lt_path_join(run_dir, ".lock");
            if (lock)
                remove(lock);
            free(lock);
            rmdir(run_dir);
        }
    }
    close(lock_fd);
    interrupted_staging[0] = '\0';
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    /* Rank 0's commit may fail; every rank exits with its status. */
    if (started_together)
        rc = lt_dist_max(rc);
    lt_json_free(timings);
    lt_json_free(cached);
    lt_json_free(gathered);
    free(keys);
    free(cache.dir);
    lt_json_free(resolved);
    lt_ctx_release(&ctx);
    free(staging);
    free(run_dir);
    if (rc == LT_OK && metrics_out)
        *metrics_out = metrics;
    else
        lt_json_free(metrics);
    return rc;
}

/* ---- expectations ------------------------------------------------------- */

static void describe_expect(const lt_expect *e, char *buf, size_t size)
{
    char a[32], b[32];
    switch (e->op) {
    case LT_EXPECT_NEAR:
        lt_json_format_double(a, e->value);
        lt_json_format_double(b, e->tol + e->rtol * fabs(e->value));
        snprintf(buf, size, "%s ± %s", a, b);
        break;
    case LT_EXPECT_EQUALS:
        lt_json_format_double(a, e->value);
        snprintf(buf, size, "= %s", a);
        break;
    case LT_EXPECT_RANGE:
        lt_json_format_double(a, e->min);
        lt_json_format_double(b, e->max);
        if (isinf(e->max))
            snprintf(buf, size, ">= %s", a);
        else if (isinf(e->min))
            snprintf(buf, size, "<= %s", b);
        else
            snprintf(buf, size, "in [%s, %s]", a, b);
        break;
    }
}

int lt_expect_check(const lt_pipeline *p, const lt_json *metrics, FILE *out, lt_json *verdicts)
{
    int rc = LT_OK;
    size_t ok = 0;
    size_t width = 0;
    for (size_t i = 0; i < p->n_expects; i++)
        if (strlen(p->expects[i].target) > width)
            width = strlen(p->expects[i].target);
    for (size_t i = 0; i < p->n_expects; i++) {
        const lt_expect *e = &p->expects[i];
        const lt_json *v = lt_json_get(lt_json_get(metrics, e->stage), e->metric);
        for (int k = 0; k < 2 && e->index[k] >= 0; k++)
            v = lt_json_is_array(v) ? lt_json_at(v, (size_t)e->index[k]) : NULL;
        double x = lt_json_number(v);
        bool pass = false;
        if (!isnan(x)) {
            switch (e->op) {
            case LT_EXPECT_NEAR: pass = fabs(x - e->value) <= e->tol + e->rtol * fabs(e->value); break;
            case LT_EXPECT_EQUALS: pass = x == e->value; break;
            case LT_EXPECT_RANGE: pass = x >= e->min && x <= e->max; break;
            }
        }
        char want[96], got[32];
        describe_expect(e, want, sizeof want);
        if (isnan(x))
            snprintf(got, sizeof got, "%s", v ? "not a number" : "not reported");
        else
            lt_json_format_double(got, x);
        if (out)
            fprintf(out, "  %-*s  %-22s %-24s %s\n", (int)width, e->target, got, want, pass ? "ok" : "MISS");
        if (verdicts) {
            lt_json *row = lt_json_push(verdicts, lt_json_object());
            lt_json_set(row, "target", lt_json_str(e->target));
            lt_json_set(row, "measured", isnan(x) ? lt_json_null() : lt_json_num(x));
            if (isnan(x))
                lt_json_set(row, "problem", lt_json_str(got));
            lt_json_set(row, "expected", lt_json_str(want));
            lt_json_set(row, "ok", lt_json_bool(pass));
        }
        if (pass)
            ok++;
        else
            rc = LT_MISS;
    }
    if (out)
        fprintf(out, "%s: %zu expectation%s, %zu ok, %zu missed\n", p->file, p->n_expects,
                p->n_expects == 1 ? "" : "s", ok, p->n_expects - ok);
    return rc;
}
