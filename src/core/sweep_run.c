#include "core/sweep_run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cblas.h>

#include "core/dist.h"
#include "util/fsutil.h"
#include "core/report.h"
#include "io/csv.h"
#include "plot/plot.h"

char *lt_sweep_root(const lt_pipeline *p, const lt_run_opts *run)
{
    return run->out_dir ? strdup(run->out_dir) : lt_path_join("outputs", p->name);
}

static char *point_dir(const char *root, const lt_pipeline *p, size_t k)
{
    char name[512], rel[600];
    lt_sweep_folder(&p->sweep, k, name, sizeof name);
    snprintf(rel, sizeof rel, "sweep/%s", name);
    return lt_path_join(root, rel);
}

static lt_json *read_json(const char *dir, const char *name)
{
    char *path = lt_path_join(dir, name);
    char *text = path ? lt_read_file(path, NULL) : NULL;
    lt_json *j = text ? lt_json_parse(text) : NULL;
    free(text);
    free(path);
    return j;
}

/* A point is complete when its folder holds the metrics of a run whose
 * configuration hashes the same as the one we would run now. */
static bool up_to_date(const char *dir, const lt_pipeline *p)
{
    lt_json *run = read_json(dir, "run.json");
    lt_json *metrics = read_json(dir, "metrics.json");
    char hash[17];
    lt_pipeline_config_hash(p, hash);
    const char *had = lt_json_string(lt_json_get(run, "config_hash"));
    bool ok = run && metrics && had && strcmp(had, hash) == 0;
    lt_json_free(run);
    lt_json_free(metrics);
    return ok;
}

/* Loads point POINT of FILE (-1: the file without a point, to read its
 * sweep); prints its problems in FORMAT (--format). */
static lt_pipeline *load_point(const char *file, const lt_load_opts *load, lt_diag_format format,
                               long point)
{
    lt_load_opts o = *load;
    o.point = point;
    lt_diag diag = {0};
    lt_pipeline *p = lt_pipeline_load(file, &o, &diag);
    if (lt_dist_rank() == 0) /* every rank of an MPI run finds the same */
        lt_diag_print_as(&diag, format, lt_diag_stream(format));
    lt_diag_clear(&diag);
    return p;
}

/* Runs point K; prints one line about it. Returns its status. */
static int run_point(const char *file, const lt_load_opts *load, const lt_run_opts *run,
                     const char *root, size_t k, size_t n, bool check)
{
    lt_pipeline *p = load_point(file, load, run->format, (long)k);
    if (!p)
        return LT_EINPUT;
    char what[512];
    lt_sweep_describe(&p->sweep, k, what, sizeof what);
    char *dir = point_dir(root, p, k);
    int rc = LT_OK;
    const char *text = NULL; /* the point's line; the machine formats print problems only */
    if (!dir) {
        rc = LT_ERUNTIME;
    } else if (up_to_date(dir, p) && !check) {
        text = "up to date";
    } else {
        lt_run_opts o = *run;
        o.out_dir = dir;
        o.quiet = true;
        lt_json *metrics = NULL;
        rc = lt_run(p, &o, check ? &metrics : NULL);
        if (run->format == LT_DIAG_TEXT) /* before the check's own lines */
            printf("point %zu/%zu  %s  %s\n", k + 1, n, what, rc == LT_OK ? "done" : "FAILED");
        if (rc == LT_OK && check)
            rc = lt_expect_check(p, metrics, stdout, NULL);
        lt_json_free(metrics);
    }
    if (text && run->format == LT_DIAG_TEXT)
        printf("point %zu/%zu  %s  %s\n", k + 1, n, what, text);
    fflush(stdout);
    free(dir);
    lt_pipeline_free(p);
    return rc;
}

size_t lt_sweep_check_points(const char *file, const lt_load_opts *load, size_t n, bool check,
                             lt_diag_format format)
{
    lt_diag all = {0};
    size_t bad = 0;
    for (size_t k = 0; k < n; k++) {
        lt_load_opts o = *load;
        o.point = (long)k;
        lt_diag diag = {0};
        lt_pipeline *p = lt_pipeline_load(file, &o, &diag);
        if (p && check && lt_pipeline_check(p, &diag) > 0) {
            lt_sweep_explain(&p->sweep, k, file, &diag, 0);
            lt_pipeline_free(p);
            p = NULL;
        }
        if (!p && lt_diag_count(&diag) == 0) /* recording it needed memory too */
            lt_diag_add(&diag, lt_code_resource, file, 0, 0, "out of memory");
        bad += !p;
        lt_diag_merge(&all, &diag);
        lt_diag_clear(&diag);
        lt_pipeline_free(p);
    }
    /* Gathered point by point, they would come in the order of the points. */
    lt_diag_sort(&all);
    if (lt_dist_rank() == 0) /* every rank of an MPI run finds the same */
        lt_diag_print_as(&all, format, lt_diag_stream(format));
    lt_diag_clear(&all);
    return bad;
}

int lt_sweep_run(const char *file, const lt_load_opts *load, const lt_run_opts *run, bool check,
                 int jobs)
{
    lt_pipeline *p0 = load_point(file, load, run->format, -1);
    if (!p0)
        return LT_EINPUT;
    size_t n = p0->sweep.n_points;
    char *root = lt_sweep_root(p0, run);
    lt_pipeline_free(p0);
    if (!root)
        return LT_ERUNTIME;
    /* Every point is checked before any runs, with the stages' checks and
     * probes as a single run has: a bad value at point 37 should not
     * surface after 36 runs, and every bad value shows at once. */
    if (lt_sweep_check_points(file, load, n, true, run->format) > 0) {
        free(root);
        return LT_EINPUT;
    }
    int worst = LT_OK;
    int ranks = lt_dist_size(), rank = lt_dist_rank();
    if (ranks > 1) {
        /* Under mpirun the ranks share out the points, K to rank K mod P,
         * each point a one-process run; rank 0 then writes the summary. */
        lt_dist_local(true);
        for (size_t k = (size_t)rank; k < n; k += (size_t)ranks) {
            int rc = run_point(file, load, run, root, k, n, check);
            if (rc > worst)
                worst = rc;
        }
        lt_dist_local(false);
        worst = lt_dist_max(worst);
        free(root);
        int rc = rank == 0 ? lt_sweep_collect(file, load, run) : LT_OK;
        rc = lt_dist_max(rc);
        return worst > rc ? worst : rc;
    } else if (jobs <= 1) {
        for (size_t k = 0; k < n; k++) {
            int rc = run_point(file, load, run, root, k, n, check);
            if (rc > worst)
                worst = rc;
        }
    } else {
        /* A pool of processes: each point runs in a child with its share of
         * the threads, so points don't fight over the cores. */
        lt_run_opts child = *run;
        int threads = run->threads > 0 ? run->threads : openblas_get_num_threads();
        child.threads = threads / jobs > 0 ? threads / jobs : 1;
        size_t next = 0, running = 0;
        while (next < n || running) {
            while (running < (size_t)jobs && next < n) {
                fflush(stdout);
                pid_t pid = fork();
                if (pid == 0)
                    _exit(run_point(file, load, &child, root, next, n, check));
                if (pid < 0) {
                    int rc = run_point(file, load, &child, root, next, n, check);
                    if (rc > worst)
                        worst = rc;
                } else {
                    running++;
                }
                next++;
            }
            int status;
            if (running && wait(&status) > 0) {
                running--;
                int rc = WIFEXITED(status) ? WEXITSTATUS(status) : LT_ERUNTIME;
                if (rc > worst)
                    worst = rc;
            }
        }
    }
    free(root);
    int rc = lt_sweep_collect(file, load, run);
    return worst > rc ? worst : rc;
}

int lt_sweep_run_point(const char *file, const lt_load_opts *load, const lt_run_opts *run, size_t k,
                       bool check)
{
    lt_pipeline *p = load_point(file, load, run->format, (long)k);
    if (!p)
        return LT_EINPUT;
    char *root = lt_sweep_root(p, run);
    size_t n = p->sweep.n_points;
    lt_pipeline_free(p);
    int rc = root ? run_point(file, load, run, root, k, n, check) : LT_ERUNTIME;
    free(root);
    return rc;
}

void lt_sweep_list(const lt_pipeline *p, FILE *out)
{
    for (size_t k = 0; k < p->sweep.n_points; k++) {
        char what[512], folder[512];
        lt_sweep_describe(&p->sweep, k, what, sizeof what);
        lt_sweep_folder(&p->sweep, k, folder, sizeof folder);
        fprintf(out, "%4zu  %-40s  %s\n", k, folder, what);
    }
}

/* ---- the summary -------------------------------------------------------- */

/* Adds every scalar metric of METRICS to ROW as "stage.metric". */
static void flatten_scalars(const lt_json *metrics, lt_json *row)
{
    for (size_t i = 0; i < lt_json_size(metrics); i++) {
        const char *stage = lt_json_key_at(metrics, i);
        const lt_json *m = lt_json_value_at(metrics, i);
        for (size_t j = 0; j < lt_json_size(m); j++) {
            double v = lt_json_number(lt_json_value_at(m, j));
            if (isnan(v))
                continue;
            char name[512];
            snprintf(name, sizeof name, "%s.%s", stage, lt_json_key_at(m, j));
            lt_json_set(row, name, lt_json_num(v));
        }
    }
}

/* One column per metric seen in any row, in order of first appearance. */
static lt_json *metric_names(const lt_json *rows)
{
    lt_json *names = lt_json_object();
    for (size_t r = 0; r < lt_json_size(rows); r++) {
        const lt_json *m = lt_json_get(lt_json_value_at(rows, r), "metrics");
        for (size_t j = 0; j < lt_json_size(m); j++)
            if (!lt_json_get(names, lt_json_key_at(m, j)))
                lt_json_set(names, lt_json_key_at(m, j), lt_json_bool(true));
    }
    return names;
}

/* "stage.param", the name of axis A in the summary and the report. */
static void axis_name(const lt_sweep *s, size_t a, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s", s->axes[a].stage ? s->axes[a].stage : "", s->axes[a].stage ? "." : "",
             s->axes[a].param);
}

static bool is_axis(const lt_sweep *s, const char *name)
{
    for (size_t a = 0; a < s->n_axes; a++) {
        char col[256];
        axis_name(s, a, col, sizeof col);
        if (strcmp(col, name) == 0)
            return true;
    }
    return false;
}

/* The flat tables' (summary.csv, report.html) name for METRIC. A stage may
 * report a metric named like a swept parameter (pca's n_components is the
 * count it kept, which for a variance fraction is not the swept value), so
 * that one is told apart by a suffix rather than written as a second column
 * of the same name, which pandas would rename. */
static const char *metric_column(const lt_sweep *s, const char *metric, char *buf, size_t size)
{
    if (!is_axis(s, metric))
        return metric;
    snprintf(buf, size, "%s (metric)", metric);
    return buf;
}

/* A swept value in summary.json: a number when the YAML scalar is a plain
 * number, so that a reader gets 0.01 rather than "0.01"; text otherwise. */
static lt_json *param_value(const lt_node *v)
{
    if (v->kind != LT_SCALAR)
        return lt_json_str("...");
    char *end;
    double x = strtod(v->value, &end);
    if (v->plain && *v->value && !*end && isfinite(x))
        return lt_json_num(x);
    return lt_json_str(v->value);
}

static int write_summary_csv(const char *path, const lt_pipeline *p, const lt_json *rows)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 5);
    if (tmp)
        snprintf(tmp, n + 5, "%s.tmp", path);
    FILE *f = tmp ? fopen(tmp, "w") : NULL;
    if (!f) {
        free(tmp);
        return -1;
    }
    lt_json *names = metric_names(rows);
    fputs("point,folder", f);
    for (size_t a = 0; a < p->sweep.n_axes; a++) {
        char col[256];
        axis_name(&p->sweep, a, col, sizeof col);
        fputc(',', f);
        lt_csv_write_field(f, col);
    }
    for (size_t j = 0; j < lt_json_size(names); j++) {
        char col[300];
        fputc(',', f);
        lt_csv_write_field(f, metric_column(&p->sweep, lt_json_key_at(names, j), col, sizeof col));
    }
    fputc('\n', f);
    for (size_t r = 0; r < lt_json_size(rows); r++) {
        const lt_json *row = lt_json_value_at(rows, r);
        fprintf(f, "%zu,", r);
        lt_csv_write_field(f, lt_json_string(lt_json_get(row, "folder")));
        /* The swept values as the YAML wrote them. */
        for (size_t a = 0; a < p->sweep.n_axes; a++) {
            const lt_node *v = lt_sweep_value(&p->sweep, r, a);
            fputc(',', f);
            lt_csv_write_field(f, v->kind == LT_SCALAR ? v->value : "...");
        }
        const lt_json *m = lt_json_get(row, "metrics");
        for (size_t j = 0; j < lt_json_size(names); j++) {
            const lt_json *v = lt_json_get(m, lt_json_key_at(names, j));
            char num[32] = "";
            if (v)
                lt_json_format_double(num, lt_json_number(v));
            fprintf(f, ",%s", num);
        }
        fputc('\n', f);
    }
    lt_json_free(names);
    int rc = fclose(f) == 0 ? rename(tmp, path) : -1;
    free(tmp);
    return rc;
}

static int write_json_atomic(const char *path, const lt_json *v)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 5);
    if (!tmp)
        return -1;
    snprintf(tmp, n + 5, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int rc = f && lt_json_write(v, f) == 0 ? 0 : -1;
    if (f && fclose(f) != 0)
        rc = -1;
    if (rc == 0)
        rc = rename(tmp, path);
    else
        remove(tmp);
    free(tmp);
    return rc;
}

/* One figure per metric that varies across points: the metric against the
 * first axis's values, one line per value of the second axis (if any). */
static char *plot_metric(const char *root, const lt_pipeline *p, const lt_json *rows, const char *metric)
{
    char *written = NULL;
    const lt_sweep *s = &p->sweep;
    size_t n0 = s->axes[0].n, lines = s->n_points / n0;
    double *x = malloc(n0 * sizeof *x), *y = malloc(n0 * sizeof *y);
    lt_figure *fig = lt_figure_new(800, 600, 1, 1);
    if (!x || !y || !fig)
        goto done;
    bool numeric = true;
    for (size_t i = 0; i < n0; i++) {
        const lt_node *v = s->axes[0].values[i];
        char *end;
        x[i] = v->kind == LT_SCALAR ? strtod(v->value, &end) : NAN;
        if (v->kind != LT_SCALAR || *end)
            numeric = false;
    }
    for (size_t i = 0; !numeric && i < n0; i++)
        x[i] = (double)i;
    lt_axes *ax = lt_figure_axes(fig, 0);
    char label[300];
    axis_name(s, 0, label, sizeof label);
    lt_axes_set_xlabel(ax, label);
    lt_axes_set_ylabel(ax, metric);
    lt_axes_set_title(ax, metric);
    lt_axes_set_grid(ax, true);
    for (size_t line = 0; line < lines; line++) {
        /* Points of this line: the first axis varies slowest, so they sit
         * `lines` apart in point order. */
        for (size_t i = 0; i < n0; i++) {
            const lt_json *m = lt_json_get(lt_json_value_at(rows, i * lines + line), "metrics");
            const lt_json *v = lt_json_get(m, metric);
            y[i] = v ? lt_json_number(v) : NAN;
        }
        char name[512] = "";
        size_t len = 0;
        for (size_t a = 1; a < s->n_axes && len < sizeof name; a++) {
            const lt_node *v = lt_sweep_value(s, line, a);
            len += (size_t)snprintf(name + len, sizeof name - len, "%s%s=%s", a > 1 ? ", " : "",
                                    s->axes[a].param, v->kind == LT_SCALAR ? v->value : "...");
        }
        lt_style st = {.label = lines > 1 ? name : NULL, .color = lt_color_cycle((int)line),
                       .marker = LT_MARKER_CIRCLE};
        lt_axes_plot(ax, x, y, n0, &st);
    }
    if (lines > 1 && lines <= 10)
        lt_axes_set_legend(ax, LT_LEGEND_BEST);
    char rel[600];
    snprintf(rel, sizeof rel, "plots/sweep-%s.png", metric);
    for (char *c = rel + 6; *c; c++)
        if (*c == '/' || *c == ' ')
            *c = '_';
    char *path = lt_path_join(root, rel);
    if (path && lt_mkdir_parents(path) == 0) {
        const char *text[] = {"Software", "latent " LATENT_VERSION, "Title", p->name, NULL};
        if (lt_figure_write_png(fig, path, text) == 0)
            written = path;
    }
    if (!written)
        free(path);
done:
    lt_figure_free(&fig);
    free(x);
    free(y);
    return written;
}

/* The report's table: one flat row per point, parameters first. */
static void write_report(lt_diag_format format, const char *root, const lt_pipeline *p,
                         const lt_json *rows, char **plots,
                         size_t n_plots)
{
    lt_json *flat = lt_json_array();
    const char *params[64];
    size_t n_params = 0;
    for (size_t r = 0; r < lt_json_size(rows); r++) {
        const lt_json *row = lt_json_value_at(rows, r);
        lt_json *out = lt_json_push(flat, lt_json_object());
        char folder[600];
        snprintf(folder, sizeof folder, "sweep/%s", lt_json_string(lt_json_get(row, "folder")));
        lt_json_set(out, "point", lt_json_number(lt_json_get(row, "point")) >= 0
                                      ? lt_json_int((long long)lt_json_number(lt_json_get(row, "point")))
                                      : lt_json_null());
        const lt_json *ps = lt_json_get(row, "params");
        for (size_t a = 0; a < lt_json_size(ps); a++) {
            const lt_json *v = lt_json_value_at(ps, a);
            lt_json_set(out, lt_json_key_at(ps, a),
                        lt_json_string(v) ? lt_json_str(lt_json_string(v)) : lt_json_num(lt_json_number(v)));
            if (r == 0 && n_params < 63)
                params[n_params++] = lt_json_key_at(ps, a);
        }
        lt_json_set(out, "folder", lt_json_str(folder));
        const lt_json *m = lt_json_get(row, "metrics");
        for (size_t j = 0; j < lt_json_size(m); j++) {
            char col[300];
            lt_json_set(out, metric_column(&p->sweep, lt_json_key_at(m, j), col, sizeof col),
                        lt_json_num(lt_json_number(lt_json_value_at(m, j))));
        }
    }
    params[n_params] = NULL;
    plots[n_plots] = NULL;
    char *path = lt_path_join(root, "report.html");
    lt_sweep_report report = {.title = p->name, .description = p->description, .rows = flat,
                              .params = params, .link_column = "folder",
                              .plots = (const char *const *)plots};
    if (!path || lt_report_sweep_write(path, &report) != 0)
        lt_diag_emit(format, lt_code_resource, root, "cannot write the sweep report");
    free(path);
    lt_json_free(flat);
}

int lt_sweep_collect(const char *file, const lt_load_opts *load, const lt_run_opts *run)
{
    lt_pipeline *p0 = load_point(file, load, run->format, 0);
    if (!p0)
        return LT_EINPUT;
    char *root = lt_sweep_root(p0, run);
    size_t n = p0->sweep.n_points, missing = 0;
    lt_json *rows = lt_json_array();
    for (size_t k = 0; k < n; k++) {
        char folder[512], what[512];
        lt_sweep_folder(&p0->sweep, k, folder, sizeof folder);
        lt_sweep_describe(&p0->sweep, k, what, sizeof what);
        lt_json *row = lt_json_push(rows, lt_json_object());
        lt_json_set(row, "point", lt_json_int((long long)k));
        lt_json_set(row, "folder", lt_json_str(folder));
        lt_json *params = lt_json_set(row, "params", lt_json_object());
        for (size_t a = 0; a < p0->sweep.n_axes; a++) {
            char key[256];
            axis_name(&p0->sweep, a, key, sizeof key);
            lt_json_set(params, key, param_value(lt_sweep_value(&p0->sweep, k, a)));
        }
        char *dir = point_dir(root, p0, k);
        lt_json *metrics = dir ? read_json(dir, "metrics.json") : NULL;
        lt_json *flat = lt_json_set(row, "metrics", lt_json_object());
        lt_json_set(row, "complete", lt_json_bool(metrics != NULL));
        if (metrics)
            flatten_scalars(metrics, flat);
        else
            missing++;
        lt_json_free(metrics);
        free(dir);
    }
    char *json_path = lt_path_join(root, "summary.json");
    char *csv_path = lt_path_join(root, "summary.csv");
    int rc = LT_OK;
    if (!json_path || !csv_path || lt_mkdir_p(root) != 0 || write_json_atomic(json_path, rows) != 0 ||
        write_summary_csv(csv_path, p0, rows) != 0) {
        lt_diag_emit(run->format, lt_code_resource, root, "cannot write the sweep summary");
        rc = LT_ERUNTIME;
    }
    /* Plot the metrics that vary: the ones a sweep is for. A metric named
     * like an axis echoes the swept value, and plotted against it is a
     * diagonal. */
    lt_json *names = metric_names(rows);
    char *plots[25];
    size_t plotted = 0;
    for (size_t j = 0; rc == LT_OK && j < lt_json_size(names) && plotted < 24; j++) {
        const char *metric = lt_json_key_at(names, j);
        if (is_axis(&p0->sweep, metric))
            continue;
        double lo = INFINITY, hi = -INFINITY;
        for (size_t r = 0; r < n; r++) {
            double v = lt_json_number(lt_json_get(lt_json_get(lt_json_value_at(rows, r), "metrics"), metric));
            if (!isnan(v)) {
                lo = fmin(lo, v);
                hi = fmax(hi, v);
            }
        }
        if (hi > lo && p0->sweep.n_axes > 0) {
            char *written = plot_metric(root, p0, rows, metric);
            if (written)
                plots[plotted++] = written;
        }
    }
    lt_json_free(names);
    if (rc == LT_OK)
        write_report(run->format, root, p0, rows, plots, plotted);
    for (size_t i = 0; i < plotted; i++)
        free(plots[i]);
    if (rc == LT_OK && run->format == LT_DIAG_TEXT)
        printf("%s: %zu points, %zu complete; summary in %s\n", file, n, n - missing, csv_path);
    if (rc == LT_OK && missing)
        rc = LT_EINPUT;
    lt_json_free(rows);
    free(json_path);
    free(csv_path);
    free(root);
    lt_pipeline_free(p0);
    return rc;
}
