/* The sweep report: the summary of every point as a sortable table, then
 * the sweep's plots. */
#include "core/report.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/report_page.h"
#include "io/html.h"

static bool listed(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

/* Whether every row that holds KEY holds the same number there. Text
 * (the point's folder) counts as varying. */
static bool constant(const lt_json *rows, const char *key)
{
    bool seen = false;
    double first = 0;
    for (size_t k = 0; k < lt_json_size(rows); k++) {
        const lt_json *v = lt_json_get(lt_json_at(rows, k), key);
        if (!v)
            continue;
        if (lt_json_string(v))
            return false;
        double x = lt_json_number(v);
        if (seen && !(x == first || (isnan(x) && isnan(first))))
            return false;
        seen = true;
        first = x;
    }
    return true;
}

/* The swept parameters that some row holds, then every other column in the
 * order it first appears. Owned array of borrowed names; *N_PARAMS of them
 * are parameters. */
static const char **collect_columns(const lt_sweep_report *r, size_t *n_out, size_t *n_params)
{
    size_t cap = 8, n = 0;
    for (size_t i = 0; i < lt_json_size(r->rows); i++)
        cap += lt_json_size(lt_json_at(r->rows, i));
    for (size_t i = 0; r->params && r->params[i]; i++)
        cap++;
    const char **cols = malloc(cap * sizeof *cols);
    if (!cols)
        return NULL;
    for (size_t i = 0; r->params && r->params[i]; i++) {
        bool present = false;
        for (size_t k = 0; k < lt_json_size(r->rows) && !present; k++)
            present = lt_json_get(lt_json_at(r->rows, k), r->params[i]) != NULL;
        if (present && !listed(cols, n, r->params[i]))
            cols[n++] = r->params[i];
    }
    *n_params = n;
    /* Two passes: the columns that vary first, so the metrics a sweep is
     * for are on screen, and the constant ones (split sizes, ...) after. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < lt_json_size(r->rows); k++) {
            const lt_json *row = lt_json_at(r->rows, k);
            for (size_t j = 0; j < lt_json_size(row); j++) {
                const char *key = lt_json_key_at(row, j);
                if (!listed(cols, n, key) && constant(r->rows, key) == (pass == 1))
                    cols[n++] = key;
            }
        }
    *n_out = n;
    return cols;
}

static void write_link(FILE *f, const lt_json *v)
{
    const char *folder = lt_json_string(v);
    if (!folder) {
        lt_page_value_cell(f, v, true);
        return;
    }
    fputs("<td class=\"text\"><a href=\"", f);
    lt_html_text(f, folder);
    fputs("/report.html\">", f);
    lt_html_text(f, folder);
    fputs("</a></td>", f);
}

static void write_summary(FILE *f, const lt_sweep_report *r, const char **cols, size_t n_cols, size_t n_params)
{
    size_t n_rows = lt_json_size(r->rows);
    fprintf(f, "<section id=\"summary\"><h2>Summary<span class=\"count\">%zu point%s</span></h2>\n", n_rows,
            n_rows == 1 ? "" : "s");
    fputs("<p class=\"summary\">One row per point. Click a column's name to sort by it; hover a number for its "
          "full precision.</p>\n",
          f);
    fputs("<div class=\"scroll\"><table class=\"sortable sweep\"><thead><tr>", f);
    for (size_t c = 0; c < n_cols; c++) {
        fprintf(f, "<th%s>", c < n_params ? " class=\"param\"" : "");
        lt_html_text(f, cols[c]);
        fputs("</th>", f);
    }
    fputs("</tr></thead><tbody>\n", f);
    for (size_t k = 0; k < n_rows; k++) {
        const lt_json *row = lt_json_at(r->rows, k);
        fputs("<tr>", f);
        for (size_t c = 0; c < n_cols; c++) {
            const lt_json *v = lt_json_get(row, cols[c]);
            if (r->link_column && strcmp(cols[c], r->link_column) == 0)
                write_link(f, v);
            else
                lt_page_value_cell(f, v, false);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div></section>\n", f);
}

int lt_report_sweep_write(const char *path, const lt_sweep_report *r)
{
    size_t n_cols = 0, n_params = 0, n_plots = 0;
    const char **cols = collect_columns(r, &n_cols, &n_params);
    FILE *f = cols ? fopen(path, "w") : NULL;
    if (!f) {
        int err = cols ? errno : ENOMEM;
        free((void *)cols);
        errno = err;
        return -1;
    }
    for (size_t i = 0; r->plots && r->plots[i]; i++)
        n_plots++;
    const char *title = r->title ? r->title : "sweep";
    lt_page_begin(f, title);
    fputs("<header class=\"top\"><div class=\"wrap\"><div class=\"kind\">latent sweep</div><h1>", f);
    lt_html_text(f, title);
    fputs("</h1>", f);
    if (r->description) {
        fputs("<p class=\"desc\">", f);
        lt_html_text(f, r->description);
        fputs("</p>", f);
    }
    fprintf(f, "<div class=\"chips\"><span class=\"chip\">%zu points</span>", lt_json_size(r->rows));
    for (size_t c = 0; c < n_params; c++) {
        fputs("<span class=\"chip\">", f);
        lt_html_text(f, cols[c]);
        fputs("</span>", f);
    }
    fputs("</div></div></header>\n<nav class=\"toc\"><div class=\"wrap\"><a href=\"#summary\">Summary</a>"
          "<a href=\"#plots\">Plots</a></div></nav>\n<main class=\"wrap\">\n",
          f);
    write_summary(f, r, cols, n_cols, n_params);
    fprintf(f, "<section id=\"plots\"><h2>Plots<span class=\"count\">%zu</span></h2>\n<div class=\"plots\">\n",
            n_plots);
    for (size_t i = 0; i < n_plots; i++) {
        const char *slash = strrchr(r->plots[i], '/');
        lt_page_figure(f, r->plots[i], slash ? slash + 1 : r->plots[i], NULL);
    }
    if (n_plots == 0)
        fputs("<p class=\"summary\">No plots.</p>", f);
    fputs("</div></section>\n</main>\n", f);
    lt_page_end(f);
    int rc = ferror(f) ? -1 : 0;
    int err = errno;
    if (fclose(f) != 0)
        rc = -1;
    else
        errno = err;
    free((void *)cols);
    return rc;
}
