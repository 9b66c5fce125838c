#include "core/report.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/fsutil.h"
#include "core/report_graph.h"
#include "core/report_page.h"
#include "core/sha256.h"
#include "io/html.h"
#include "io/yaml_write.h"

/* Vectors up to this length show inline; longer ones show their first
 * values and open to the full list. Matrices up to this many rows and
 * columns show as a table; larger ones open to one. */
enum { INLINE_VECTOR = 8, PREVIEW_VALUES = 4, INLINE_MATRIX = 12 };
/* The opened views stop here so that a model's weights cannot make the page
 * too heavy to open; metrics.json keeps every value. */
enum { LISTED_VALUES = 5000, LISTED_ROWS = 100, LISTED_COLS = 100 };

/* ---- the stages --------------------------------------------------------- */

/* The stages in execution order (the order of stage_seconds), then any the
 * run did not time, in file order. Owned array of borrowed fields. */
static lt_report_stage *collect_stages(const lt_json *run, size_t *n_out)
{
    const lt_json *config = lt_json_get(lt_json_get(run, "config"), "stages");
    const lt_json *seconds = lt_json_get(run, "stage_seconds");
    const lt_json *cached = lt_json_get(run, "cached");
    size_t cap = lt_json_size(config) + lt_json_size(seconds), n = 0;
    lt_report_stage *s = calloc(cap ? cap : 1, sizeof *s);
    if (!s) {
        *n_out = 0;
        return NULL;
    }
    for (int pass = 0; pass < 2; pass++) {
        const lt_json *from = pass == 0 ? seconds : config;
        for (size_t i = 0; i < lt_json_size(from); i++) {
            const char *name = lt_json_key_at(from, i);
            bool seen = false;
            for (size_t k = 0; k < n && !seen; k++)
                seen = strcmp(s[k].name, name) == 0;
            if (seen)
                continue;
            const lt_json *stage = lt_json_get(config, name);
            const lt_json *c = lt_json_get(cached, name);
            const char *kind = lt_json_string(lt_json_get(stage, "use"));
            s[n++] = (lt_report_stage){
                .name = name,
                .kind = kind ? kind : "?",
                .inputs = lt_json_get(stage, "input"),
                .params = lt_json_get(stage, "with"),
                .seconds = lt_json_get(seconds, name) ? lt_json_number(lt_json_get(seconds, name)) : NAN,
                .cached = c ? lt_json_number(c) != 0 : -1,
            };
        }
    }
    *n_out = n;
    return s;
}

static bool any_cache_info(const lt_report_stage *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i].cached >= 0)
            return true;
    return false;
}

/* "test_size 0.25 · random_state 0" from a stage's parameters. */
static void write_params_inline(FILE *f, const lt_json *params)
{
    char buf[32];
    bool first = true;
    for (size_t i = 0; i < lt_json_size(params); i++) {
        const lt_json *v = lt_json_value_at(params, i);
        if (lt_json_is_null(v)) /* unset optional parameters */
            continue;
        fputs(first ? "" : " · ", f);
        first = false;
        fputs("<span class=\"muted\">", f);
        lt_html_text(f, lt_json_key_at(params, i));
        fputs("</span> ", f);
        if (lt_json_is_array(v) || lt_json_is_object(v)) {
            char *text = NULL;
            size_t len = 0;
            FILE *mem = open_memstream(&text, &len);
            if (mem) {
                lt_json_write_compact(v, mem);
                fclose(mem);
                lt_html_text(f, text);
            }
            free(text);
        } else {
            lt_html_text(f, lt_page_value_text(v, buf));
        }
    }
}

static void write_stages(FILE *f, const lt_report_stage *s, size_t n, double wall)
{
    double slowest = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i].seconds > slowest)
            slowest = s[i].seconds;
    bool cache = any_cache_info(s, n);
    fprintf(f, "<section id=\"stages\"><h2>Stages<span class=\"count\">%zu</span></h2>\n", n);
    fputs("<div class=\"graph\">", f);
    lt_report_graph(f, s, n);
    fputs("</div>\n<div class=\"scroll\"><table class=\"sortable\" style=\"width:100%\"><thead><tr>"
          "<th class=\"num\">#</th><th>stage</th><th>kind</th><th>inputs</th><th>parameters</th>"
          "<th class=\"num\">time</th><th></th>",
          f);
    if (cache)
        fputs("<th>cache</th>", f);
    fputs("</tr></thead><tbody>\n", f);
    for (size_t i = 0; i < n; i++) {
        char time[32], full[32];
        fprintf(f, "<tr><td class=\"num\" data-v=\"%zu\">%zu</td><td class=\"name\">", i + 1, i + 1);
        fputs("<a href=\"#stage-", f);
        lt_html_text(f, s[i].name);
        fputs("\">", f);
        lt_html_text(f, s[i].name);
        fputs("</a></td><td class=\"text\">", f);
        lt_html_text(f, s[i].kind);
        fputs("</td><td class=\"text\">", f);
        for (size_t k = 0; k < lt_json_size(s[i].inputs); k++) {
            fputs(k ? ", " : "", f);
            lt_html_text(f, lt_json_string(lt_json_at(s[i].inputs, k)));
        }
        fputs("</td><td style=\"font-size:12.5px\">", f);
        write_params_inline(f, s[i].params);
        fputs("</td>", f);
        if (isnan(s[i].seconds)) {
            fputs("<td class=\"num\"></td><td></td>", f);
        } else {
            lt_json_format_double(full, s[i].seconds);
            fprintf(f, "<td class=\"num\" data-v=\"%s\" title=\"%s s\">%s</td>", full, full,
                    lt_page_duration(time, s[i].seconds));
            fprintf(f, "<td style=\"width:130px\"><span class=\"bar\" style=\"width:%.0fpx\"></span></td>",
                    slowest > 0 ? fmax(1, 120 * s[i].seconds / slowest) : 1);
        }
        if (cache)
            fprintf(f, "<td class=\"text\">%s</td>", s[i].cached == 1 ? "hit" : s[i].cached == 0 ? "computed" : "");
        fputs("</tr>\n", f);
    }
    char time[32];
    fprintf(f, "</tbody></table></div>\n<p class=\"summary\" style=\"margin:10px 0 0\">Whole run: %s of wall time "
               "(every stage and the runner between them).</p></section>\n",
            isnan(wall) ? "-" : lt_page_duration(time, wall));
}

/* ---- expectations ------------------------------------------------------- */

static void write_expectations(FILE *f, const lt_json *expectations)
{
    size_t n = lt_json_size(expectations), ok = 0;
    for (size_t i = 0; i < n; i++)
        ok += lt_json_number(lt_json_get(lt_json_at(expectations, i), "ok")) == 1;
    fprintf(f, "<section id=\"expectations\"><h2>Expectations<span class=\"count\">%zu</span></h2>\n", n);
    fprintf(f, "<p class=\"summary\">%zu of %zu hold%s.</p>\n", ok, n, ok == n ? "" : "; the rest are marked");
    fputs("<div class=\"scroll\"><table class=\"sortable\"><thead><tr><th>metric</th><th class=\"num\">measured</th>"
          "<th>expected</th><th>verdict</th></tr></thead><tbody>\n",
          f);
    for (size_t i = 0; i < n; i++) {
        const lt_json *e = lt_json_at(expectations, i);
        bool pass = lt_json_number(lt_json_get(e, "ok")) == 1;
        const char *problem = lt_json_string(lt_json_get(e, "problem"));
        fprintf(f, "<tr%s><td class=\"name\">", pass ? "" : " class=\"miss\"");
        lt_html_text(f, lt_json_string(lt_json_get(e, "target")));
        fputs("</td>", f);
        if (problem) {
            fputs("<td class=\"num muted\">", f);
            lt_html_text(f, problem);
            fputs("</td>", f);
        } else {
            lt_page_value_cell(f, lt_json_get(e, "measured"), true);
        }
        fputs("<td class=\"text\">", f);
        lt_html_text(f, lt_json_string(lt_json_get(e, "expected")));
        fprintf(f, "</td><td data-v=\"%d\"><span class=\"verdict %s\">%s</span></td></tr>\n", pass,
                pass ? "ok" : "bad", pass ? "ok" : "miss");
    }
    fputs("</tbody></table></div></section>\n", f);
}

/* The run's warnings (run.json's "warnings"), each at its stage's line. */
static void write_warnings(FILE *f, const lt_json *warnings)
{
    size_t n = lt_json_size(warnings);
    fprintf(f, "<section id=\"warnings\"><h2>Warnings<span class=\"count\">%zu</span></h2>\n<ul class=\"warnings\">\n", n);
    for (size_t i = 0; i < n; i++) {
        const lt_json *w = lt_json_at(warnings, i);
        const lt_json *dropped = lt_json_get(w, "dropped");
        fputs("<li>", f);
        if (dropped) {
            fprintf(f, "%.0f more warnings not kept</li>\n", lt_json_number(dropped));
            continue;
        }
        const char *file = lt_json_string(lt_json_get(w, "file"));
        double line = lt_json_number(lt_json_get(w, "line"));
        if (file && line > 0) {
            fputs("<span class=\"muted\">", f);
            lt_html_text(f, file);
            fprintf(f, ":%.0f</span> ", line);
        }
        lt_html_text(f, lt_json_string(lt_json_get(w, "message")));
        fputs("</li>\n", f);
    }
    fputs("</ul></section>\n", f);
}

/* ---- metrics ------------------------------------------------------------ */

static bool is_png(const char *name);

static bool is_scalar(const lt_json *v)
{
    return v && !lt_json_is_array(v) && !lt_json_is_object(v);
}

static bool is_vector(const lt_json *v)
{
    if (!lt_json_is_array(v))
        return false;
    for (size_t i = 0; i < lt_json_size(v); i++)
        if (!is_scalar(lt_json_at(v, i)))
            return false;
    return true;
}

/* Rows of equal length > 0, each a vector. Sets *COLS. */
static bool is_matrix(const lt_json *v, size_t *cols)
{
    size_t rows = lt_json_size(v);
    if (!lt_json_is_array(v) || rows == 0)
        return false;
    *cols = lt_json_size(lt_json_at(v, 0));
    for (size_t i = 0; i < rows; i++) {
        const lt_json *row = lt_json_at(v, i);
        if (!is_vector(row) || lt_json_size(row) != *cols || *cols == 0)
            return false;
    }
    return true;
}

static void short_value(FILE *f, const lt_json *v)
{
    char buf[32];
    if (is_scalar(v) && !lt_json_string(v) && !lt_json_is_bool(v) && !lt_json_is_null(v)) {
        lt_page_short_number(buf, sizeof buf, lt_json_number(v));
        fputs(buf, f);
    } else {
        lt_html_text(f, lt_page_value_text(v, buf));
    }
}

static void write_vector(FILE *f, const lt_json *v)
{
    size_t n = lt_json_size(v);
    char buf[32];
    if (n <= INLINE_VECTOR) {
        fputs("<td class=\"text\">[", f);
        for (size_t i = 0; i < n; i++) {
            fputs(i ? ", " : "", f);
            fputs("<span title=\"", f);
            lt_html_text(f, lt_page_value_text(lt_json_at(v, i), buf));
            fputs("\">", f);
            short_value(f, lt_json_at(v, i));
            fputs("</span>", f);
        }
        fputs("]</td>", f);
        return;
    }
    fputs("<td><details><summary>[", f);
    for (size_t i = 0; i < PREVIEW_VALUES; i++) {
        fputs(i ? ", " : "", f);
        short_value(f, lt_json_at(v, i));
    }
    fprintf(f, ", …] <span class=\"muted\">%zu values</span></summary><div class=\"vec\">", n);
    size_t listed = n < LISTED_VALUES ? n : LISTED_VALUES;
    for (size_t i = 0; i < listed; i++) {
        fprintf(f, "<div><span class=\"i\">%zu</span>", i);
        lt_html_text(f, lt_page_value_text(lt_json_at(v, i), buf));
        fputs("</div>", f);
    }
    fputs("</div>", f);
    if (listed < n)
        fprintf(f, "<p class=\"summary\">The first %zu of %zu values; metrics.json holds them all.</p>", listed, n);
    fputs("</details></td>", f);
}

static void write_matrix_table(FILE *f, const lt_json *m, size_t all_cols)
{
    char buf[32];
    size_t all_rows = lt_json_size(m);
    size_t rows = all_rows < LISTED_ROWS ? all_rows : LISTED_ROWS;
    size_t cols = all_cols < LISTED_COLS ? all_cols : LISTED_COLS;
    fputs("<div class=\"matwrap\"><table class=\"mat\"><thead><tr><th></th>", f);
    for (size_t j = 0; j < cols; j++)
        fprintf(f, "<th>%zu</th>", j);
    fputs("</tr></thead><tbody>", f);
    for (size_t i = 0; i < rows; i++) {
        fprintf(f, "<tr><th>%zu</th>", i);
        const lt_json *row = lt_json_at(m, i);
        for (size_t j = 0; j < cols; j++) {
            fputs("<td title=\"", f);
            lt_html_text(f, lt_page_value_text(lt_json_at(row, j), buf));
            fputs("\">", f);
            short_value(f, lt_json_at(row, j));
            fputs("</td>", f);
        }
        fputs("</tr>", f);
    }
    fputs("</tbody></table></div>", f);
    if (rows < all_rows || cols < all_cols)
        fprintf(f, "<p class=\"summary\">The first %zu × %zu of %zu × %zu; metrics.json holds them all.</p>", rows,
                cols, all_rows, all_cols);
}

static void write_metric_value(FILE *f, const lt_json *v)
{
    size_t cols = 0;
    const char *file = lt_json_string(v);
    if (file && is_png(file) && lt_path_is_plain_relative(file)) {
        fputs("<td class=\"text\"><a href=\"#plot-", f);
        lt_html_text(f, file);
        fputs("\">", f);
        lt_html_text(f, file);
        fputs("</a></td>", f);
    } else if (is_scalar(v) || (lt_json_is_array(v) && lt_json_size(v) == 0)) {
        lt_page_value_cell(f, v, true);
    } else if (is_vector(v)) {
        write_vector(f, v);
    } else if (is_matrix(v, &cols)) {
        size_t rows = lt_json_size(v);
        if (rows <= INLINE_MATRIX && cols <= INLINE_MATRIX) {
            fputs("<td>", f);
            write_matrix_table(f, v, cols);
            fputs("</td>", f);
        } else {
            fprintf(f, "<td><details><summary>%zu × %zu <span class=\"muted\">matrix</span></summary>", rows,
                    cols);
            write_matrix_table(f, v, cols);
            fputs("</details></td>", f);
        }
    } else {
        /* Anything else (nested objects, ragged lists) as compact JSON. */
        char *text = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len);
        if (mem) {
            lt_json_write_compact(v, mem);
            fclose(mem);
        }
        fputs("<td class=\"text\">", f);
        lt_html_text(f, text);
        fputs("</td>", f);
        free(text);
    }
}

static void write_metrics(FILE *f, const lt_json *metrics, const lt_report_stage *s, size_t n)
{
    size_t shown = 0;
    for (size_t i = 0; i < lt_json_size(metrics); i++)
        shown += lt_json_size(lt_json_value_at(metrics, i)) > 0;
    fprintf(f, "<section id=\"metrics\"><h2>Metrics<span class=\"count\">%zu stages</span></h2>\n"
               "<div class=\"cards\">\n",
            shown);
    /* Stage order first, then anything the metrics hold that no stage names. */
    for (size_t pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < (pass == 0 ? n : lt_json_size(metrics)); k++) {
            const char *name = pass == 0 ? s[k].name : lt_json_key_at(metrics, k);
            if (pass == 1) {
                bool listed = false;
                for (size_t j = 0; j < n && !listed; j++)
                    listed = strcmp(s[j].name, name) == 0;
                if (listed)
                    continue;
            }
            const lt_json *m = lt_json_get(metrics, name);
            if (lt_json_size(m) == 0)
                continue;
            char time[32];
            fputs("<div class=\"card\" id=\"stage-", f);
            lt_html_text(f, name);
            fputs("\"><h3>", f);
            lt_html_text(f, name);
            if (pass == 0) {
                fputs("<span class=\"kind\">", f);
                lt_html_text(f, s[k].kind);
                fputs("</span>", f);
                if (!isnan(s[k].seconds))
                    fprintf(f, "<span class=\"time\">%s</span>", lt_page_duration(time, s[k].seconds));
            }
            fputs("</h3><table class=\"kv\"><tbody>\n", f);
            for (size_t j = 0; j < lt_json_size(m); j++) {
                fputs("<tr><td class=\"name\">", f);
                lt_html_text(f, lt_json_key_at(m, j));
                fputs("</td>", f);
                write_metric_value(f, lt_json_value_at(m, j));
                fputs("</tr>\n", f);
            }
            fputs("</tbody></table></div>\n", f);
        }
    /* Stages without metrics still get an anchor for the graph's links. */
    for (size_t k = 0; k < n; k++)
        if (lt_json_size(lt_json_get(metrics, s[k].name)) == 0) {
            fputs("<span id=\"stage-", f);
            lt_html_text(f, s[k].name);
            fputs("\"></span>", f);
        }
    fputs("</div></section>\n", f);
}

/* ---- plots -------------------------------------------------------------- */

/* A figure the page can show: PNG or SVG (a PDF is only listed). */
static bool is_png(const char *name)
{
    size_t len = strlen(name);
    return len > 4 && (strcmp(name + len - 4, ".png") == 0 || strcmp(name + len - 4, ".svg") == 0);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The plots: each stage's "file" metric in stage order, then any other
 * PNG in plots/ by name. Returns an owned array of owned relative paths and
 * sets *OWNERS to an owned parallel array of the stages that drew them
 * (borrowed names; NULL for the unclaimed ones). */
static char **collect_plots(const char *dir, const lt_json *metrics, const lt_report_stage *s, size_t n,
                            const char ***owners, size_t *count)
{
    size_t cap = n + 16, k = 0;
    char **paths = calloc(cap, sizeof *paths);
    const char **stage_of = calloc(cap, sizeof *stage_of);
    if (!paths || !stage_of) {
        free(paths);
        free(stage_of);
        *count = 0;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const char *file = lt_json_string(lt_json_get(lt_json_get(metrics, s[i].name), "file"));
        if (file && is_png(file) && lt_path_is_plain_relative(file) && (paths[k] = strdup(file)))
            stage_of[k++] = s[i].name;
    }
    char *plots_dir = lt_path_join(dir, "plots");
    DIR *d = plots_dir ? opendir(plots_dir) : NULL;
    size_t first_extra = k;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' || !is_png(e->d_name))
            continue;
        char *rel = lt_path_join("plots", e->d_name);
        bool listed = false;
        for (size_t i = 0; rel && i < k && !listed; i++)
            listed = strcmp(paths[i], rel) == 0;
        if (!rel || listed) {
            free(rel);
            continue;
        }
        if (k == cap) {
            char **grown = realloc(paths, 2 * cap * sizeof *grown);
            const char **grown_stage = grown ? realloc(stage_of, 2 * cap * sizeof *grown_stage) : NULL;
            if (grown)
                paths = grown;
            if (!grown || !grown_stage) {
                free(rel);
                break;
            }
            stage_of = grown_stage;
            cap *= 2;
        }
        stage_of[k] = NULL;
        paths[k++] = rel;
    }
    if (d)
        closedir(d);
    free(plots_dir);
    qsort(paths + first_extra, k - first_extra, sizeof *paths, compare_names);
    *owners = stage_of;
    *count = k;
    return paths;
}

static void write_plots(FILE *f, const char *dir, char **paths, const char **stages, size_t n,
                        const lt_report_stage *s, size_t n_stages)
{
    fprintf(f, "<section id=\"plots\"><h2>Plots<span class=\"count\">%zu</span></h2>\n<div class=\"plots\">\n", n);
    for (size_t i = 0; i < n; i++) {
        char *full = lt_path_join(dir, paths[i]);
        char caption[1024], id[512];
        const char *kind = NULL;
        for (size_t k = 0; stages[i] && k < n_stages; k++)
            if (strcmp(s[k].name, stages[i]) == 0)
                kind = s[k].kind;
        if (stages[i])
            snprintf(caption, sizeof caption, "%s (%s): %s", stages[i], kind ? kind : "?", paths[i]);
        else
            snprintf(caption, sizeof caption, "%s", paths[i]);
        snprintf(id, sizeof id, "plot-%s", paths[i]);
        if (full)
            lt_page_figure(f, full, caption, id);
        free(full);
    }
    if (n == 0)
        fputs("<p class=\"summary\">This run drew no plots.</p>", f);
    fputs("</div></section>\n", f);
}

/* ---- the configuration -------------------------------------------------- */

static void write_config(FILE *f, const lt_json *run)
{
    const lt_json *config = lt_json_get(run, "config");
    const char *file = lt_json_string(lt_json_get(run, "file"));
    const char *sha = lt_json_string(lt_json_get(run, "file_sha256"));
    fputs("<section id=\"config\"><h2>Configuration</h2>\n<p class=\"summary\">Resolved: every stage's kind, inputs "
          "and parameters, defaults filled in.</p>\n<pre class=\"code\">",
          f);
    if (lt_json_size(config))
        lt_yaml_write(f, config, &(lt_yaml_markup){.text = lt_html_text, .key_open = "<span class=\"k\">",
                                                   .key_close = "</span>"});
    fputs("</pre>\n", f);
    /* The file as written, if it is still the file that ran. */
    size_t len = 0;
    char *text = file ? lt_read_file(file, &len) : NULL;
    char digest[65];
    if (text && sha) {
        lt_sha256_hex(text, len, digest);
        if (strcmp(digest, sha) == 0) {
            fputs("<details style=\"margin-top:12px\"><summary>", f);
            lt_html_text(f, file);
            fputs(" <span class=\"muted\">as written</span></summary><pre class=\"code\">", f);
            lt_html_text(f, text);
            fputs("</pre></details>\n", f);
        }
    }
    free(text);
    fputs("</section>\n", f);
}

/* ---- the page ----------------------------------------------------------- */

static void write_provenance(FILE *f, const lt_json *run)
{
    static const char *const keys[] = {"pipeline", "file", "file_sha256", "config_hash", "latent_version",
                                       "openblas", "seed", "threads", "started", "wall_seconds", NULL};
    fputs("<section id=\"run\"><h2>Run</h2>\n<table class=\"kv\"><tbody>\n", f);
    for (size_t i = 0; keys[i]; i++) {
        const lt_json *v = lt_json_get(run, keys[i]);
        if (!v)
            continue;
        fprintf(f, "<tr><td class=\"name\">%s</td>", keys[i]);
        lt_page_value_cell(f, v, true);
        fputs("</tr>\n", f);
    }
    const lt_json *files = lt_json_get(run, "files");
    if (lt_json_size(files)) {
        fputs("<tr><td class=\"name\">files</td><td class=\"text\">", f);
        for (size_t i = 0; i < lt_json_size(files); i++) {
            fputs(i ? "<br>" : "", f);
            lt_html_text(f, lt_json_string(lt_json_at(files, i)));
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></section>\n", f);
}

static void write_header(FILE *f, const lt_json *run, const lt_json *expectations, size_t n_stages)
{
    const lt_json *config = lt_json_get(run, "config");
    const char *name = lt_json_string(lt_json_get(run, "pipeline"));
    const char *description = lt_json_string(lt_json_get(config, "description"));
    fputs("<header class=\"top\"><div class=\"wrap\"><div class=\"kind\">latent run</div><h1>", f);
    lt_html_text(f, name ? name : "pipeline");
    fputs("</h1>", f);
    if (description) {
        fputs("<p class=\"desc\">", f);
        lt_html_text(f, description);
        fputs("</p>", f);
    }
    fputs("<div class=\"chips\">", f);
    size_t n = lt_json_size(expectations), ok = 0;
    for (size_t i = 0; i < n; i++)
        ok += lt_json_number(lt_json_get(lt_json_at(expectations, i), "ok")) == 1;
    if (n)
        fprintf(f, "<a class=\"chip %s\" href=\"#expectations\" style=\"text-decoration:none\">%s %zu/%zu "
                   "expectations hold</a>",
                ok == n ? "ok" : "bad", ok == n ? "✓" : "✗", ok, n);
    char time[32];
    fprintf(f, "<span class=\"chip\">%zu stages</span>", n_stages);
    const lt_json *wall = lt_json_get(run, "wall_seconds");
    if (wall)
        fprintf(f, "<span class=\"chip\">%s</span>", lt_page_duration(time, lt_json_number(wall)));
    static const char *const chips[][2] = {{"seed", "seed "}, {"threads", "threads "}, {"started", ""},
                                           {"config_hash", "config "}, {"latent_version", "latent "}};
    char buf[32];
    for (size_t i = 0; i < sizeof chips / sizeof *chips; i++) {
        const lt_json *v = lt_json_get(run, chips[i][0]);
        if (!v)
            continue;
        fprintf(f, "<span class=\"chip\">%s", chips[i][1]);
        lt_html_text(f, lt_page_value_text(v, buf));
        fputs("</span>", f);
    }
    fputs("</div></div></header>\n", f);
}

static void write_nav(FILE *f, bool expectations)
{
    fputs("<nav class=\"toc\"><div class=\"wrap\">", f);
    if (expectations)
        fputs("<a href=\"#expectations\">Expectations</a>", f);
    fputs("<a href=\"#stages\">Stages</a><a href=\"#plots\">Plots</a><a href=\"#metrics\">Metrics</a>"
          "<a href=\"#config\">Configuration</a><a href=\"#run\">Run</a></div></nav>\n",
          f);
}

int lt_report_write(const char *dir, const lt_json *run, const lt_json *metrics, const lt_json *expectations,
                    const char *path)
{
    size_t n_stages = 0, n_plots = 0;
    lt_report_stage *stages = collect_stages(run, &n_stages);
    const char **plot_stages = NULL;
    char **plots = stages ? collect_plots(dir, metrics, stages, n_stages, &plot_stages, &n_plots) : NULL;
    FILE *f = plots ? fopen(path, "w") : NULL;
    if (!f) {
        int err = plots ? errno : ENOMEM;
        for (size_t i = 0; i < n_plots; i++)
            free(plots[i]);
        free(plots);
        free((void *)plot_stages);
        free(stages);
        errno = err;
        return -1;
    }
    const char *name = lt_json_string(lt_json_get(run, "pipeline"));
    lt_page_begin(f, name ? name : "latent run");
    write_header(f, run, expectations, n_stages);
    write_nav(f, lt_json_size(expectations) > 0);
    fputs("<main class=\"wrap\">\n", f);
    if (lt_json_size(expectations))
        write_expectations(f, expectations);
    if (lt_json_size(lt_json_get(run, "warnings")))
        write_warnings(f, lt_json_get(run, "warnings"));
    const lt_json *wall = lt_json_get(run, "wall_seconds");
    write_stages(f, stages, n_stages, wall ? lt_json_number(wall) : NAN);
    write_plots(f, dir, plots, plot_stages, n_plots, stages, n_stages);
    write_metrics(f, metrics, stages, n_stages);
    write_config(f, run);
    write_provenance(f, run);
    fputs("</main>\n", f);
    lt_page_end(f);
    int rc = ferror(f) ? -1 : 0;
    int err = errno;
    if (fclose(f) != 0)
        rc = -1;
    else
        errno = err;
    for (size_t i = 0; i < n_plots; i++)
        free(plots[i]);
    free(plots);
    free((void *)plot_stages);
    free(stages);
    return rc;
}
