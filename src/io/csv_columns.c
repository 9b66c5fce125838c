/* Which file column is a feature, which the label and which is dropped:
 * columns, ignore and label_column resolved against the header. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/suggest.h"
#include "io/csv_impl.h"

void csv_layout_free(csv_layout *L)
{
    free(L->role);
    for (size_t i = 0; L->names && i < L->n_features; i++)
        free(L->names[i]);
    free(L->names);
    *L = (csv_layout){.label = -1};
}

const char *csv_column_name(const csv_layout *L, size_t i, char *buf, size_t size)
{
    if (L->names && L->role[i] >= 0)
        snprintf(buf, size, "'%s'", L->names[L->role[i]]);
    else
        snprintf(buf, size, "%zu", i + 1);
    return buf;
}

/* Reads SPEC as a whole decimal integer. */
static bool parse_index(const char *spec, long *index)
{
    char *end;
    errno = 0;
    *index = strtol(spec, &end, 10);
    return end != spec && !*end && errno == 0;
}

/* "'a', 'b', 'c'" for the header's names, cut short past a few hundred bytes. */
static void list_names(const csv_fields *header, size_t cols, char *names, size_t size)
{
    names[0] = '\0';
    for (size_t i = 0; i < cols && strlen(names) < size - 112; i++)
        snprintf(names + strlen(names), size - strlen(names), "%s'%.80s'", i ? ", " : "",
                 csv_field(header, i));
    if (strlen(names) >= size - 112)
        snprintf(names + strlen(names), size - strlen(names), ", ...");
}

/* Finds the file column SPEC picks among COLS fields: by name in HEADER
 * (NULL when the file has none), else by index. WHAT names the option in
 * messages. Sets *at to the 0-based column. */
static int resolve(csv_reader *r, const char *what, const char *spec, const csv_fields *header,
                   size_t cols, long line, size_t *at)
{
    size_t found = 0, first = 0, second = 0;
    for (size_t i = 0; header && i < cols; i++)
        if (strcmp(csv_field(header, i), spec) == 0) {
            if (found++ == 0)
                first = i;
            else if (found == 2)
                second = i;
        }
    if (found > 1)
        return csv_fail(r, line, 0,
                        "%s '%s' names %zu columns of the header (%zu and %zu); pick one by "
                        "its 0-based index (%zu or %zu) or rename it",
                        what, spec, found, first + 1, second + 1, first, second);
    if (found == 1) {
        *at = first;
        return LT_OK;
    }
    long index;
    if (!parse_index(spec, &index)) {
        if (!header)
            return csv_fail(r, line, 0,
                            "%s '%s' must be a 0-based column index when the file has no "
                            "header", what, spec);
        char names[512];
        list_names(header, cols, names, sizeof names);
        const char *cand[65];
        size_t k = 0;
        for (; k < cols && k < 64; k++)
            cand[k] = csv_field(header, k);
        cand[k] = NULL;
        const char *hint = strlen(spec) > 2 ? lt_did_you_mean(spec, cand) : NULL;
        char mean[128] = "";
        if (hint)
            snprintf(mean, sizeof mean, "; did you mean '%.80s'?", hint);
        return csv_fail(r, line, 0, "%s '%s' is not in the header (columns: %s)%s", what, spec,
                        names, mean);
    }
    long pos = index < 0 ? (long)cols + index : index;
    if (pos < 0 || pos >= (long)cols)
        return csv_fail(r, line, 0,
                        "%s %ld is out of range: the table has %zu columns (0 to %zu, or -1 "
                        "for the last)", what, index, cols, cols - 1);
    *at = (size_t)pos;
    return LT_OK;
}

/* Marks with MARK (in pick[]) each column a list entry picks. */
static int pick_all(csv_reader *r, const char *what, const char *const *specs, size_t n,
                    const csv_fields *header, size_t cols, long line, char *pick, char mark)
{
    for (size_t k = 0; k < n; k++) {
        size_t at;
        int rc = resolve(r, what, specs[k], header, cols, line, &at);
        if (rc != LT_OK)
            return rc;
        if (pick[at] && pick[at] != mark)
            return csv_fail(r, line, 0,
                            "column '%s' is in both columns and ignore; keep it in one of them",
                            specs[k]);
        pick[at] = mark;
    }
    return LT_OK;
}

int csv_layout_init(csv_reader *r, csv_layout *L, const csv_fields *f,
                    const lt_csv_options *opt, long line)
{
    const csv_fields *header = opt->header ? f : NULL;
    size_t cols = f->n;
    *L = (csv_layout){.cols = cols, .label = -1};
    char *pick = calloc(cols, 1); /* 'k' kept by columns, 'i' ignored */
    if (!pick || !(L->role = calloc(cols, sizeof *L->role))) {
        free(pick);
        return csv_out_of_memory(r);
    }
    int rc = pick_all(r, "columns entry", opt->columns, opt->n_columns, header, cols, line,
                      pick, 'k');
    if (rc == LT_OK)
        rc = pick_all(r, "ignore entry", opt->ignore, opt->n_ignore, header, cols, line, pick,
                      'i');
    size_t label;
    if (rc == LT_OK && opt->label_column && *opt->label_column &&
        (rc = resolve(r, "label column", opt->label_column, header, cols, line, &label)) ==
            LT_OK) {
        if (pick[label] == 'i')
            rc = csv_fail(r, line, 0, "label column '%s' is also in ignore; remove it there",
                          opt->label_column);
        L->label = (long)label;
    }
    for (size_t i = 0; rc == LT_OK && i < cols; i++) {
        bool kept = opt->n_columns ? pick[i] == 'k' : pick[i] != 'i';
        L->role[i] = (long)i == L->label ? CSV_LABEL : kept ? (int)L->n_features++ : CSV_DROP;
    }
    free(pick);
    if (rc == LT_OK && L->n_features == 0)
        rc = csv_fail(r, line, 0, L->label >= 0 && cols == 1
                                      ? "no feature columns: the only column holds the labels"
                                      : "no feature columns are left: columns and ignore "
                                        "leave none but the labels");
    if (rc == LT_OK && header) {
        if (!(L->names = calloc(L->n_features, sizeof *L->names)))
            rc = csv_out_of_memory(r);
        for (size_t i = 0; rc == LT_OK && i < cols; i++)
            if (L->role[i] >= 0 && !(L->names[L->role[i]] = strdup(csv_field(f, i))))
                rc = csv_out_of_memory(r);
    }
    if (rc != LT_OK)
        csv_layout_free(L);
    return rc;
}
