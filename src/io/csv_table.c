/* Rows into a matrix: each field read as the layout says, missing values
 * handled as the options say, the errors worded with what to do next. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv_impl.h"

/* True when TEXT reads as a word, not as a mistyped number: it does not
 * start as a number would. */
static bool looks_like_text(const char *text)
{
    return !strchr("0123456789+-.,", text[0]);
}

static int value_error(csv_reader *r, const csv_layout *L, const lt_csv_options *opt,
                       size_t i, enum csv_number st, const char *text)
{
    long col = (long)i + 1;
    const char *more = strlen(text) > 60 ? "..." : "";
    char name[128];
    switch (st) {
    case NUM_NAN:
        return csv_fail(r, r->line, col,
                        "NaN is not allowed, expected a finite number; list \"%s\" in "
                        "na_values to read it as missing", text);
    case NUM_INF:
        return csv_fail(r, r->line, col,
                        "Inf is not allowed, expected a finite number; list \"%s\" in "
                        "na_values to read it as missing", text);
    case NUM_RANGE:
        return csv_fail(r, r->line, col, "\"%s\" is too large for a double", text);
    default:
        if (looks_like_text(text))
            return csv_fail(r, r->line, col,
                            "column %s holds text (\"%.60s%s\"); name it as label_column or "
                            "list it in ignore",
                            csv_column_name(L, i, name, sizeof name), text, more);
        if (opt->decimal != ',' && strchr(text, ','))
            return csv_fail(r, r->line, col,
                            "expected a number, found \"%.60s%s\"; for decimal commas set "
                            "decimal: ','", text, more);
        if (opt->decimal == ',' && strchr(text, '.'))
            return csv_fail(r, r->line, col,
                            "expected a number with a decimal comma (decimal: ','), found "
                            "\"%.60s%s\"", text, more);
        return csv_fail(r, r->line, col, "expected a number, found \"%.60s%s\"", text, more);
    }
}

static int missing_error(csv_reader *r, long col, bool label, const char *text,
                         enum lt_csv_missing mode)
{
    char what[96] = "empty";
    if (*text)
        snprintf(what, sizeof what, "\"%.60s\"", text);
    if (label)
        return csv_fail(r, r->line, col, "missing label (%s); set missing: drop to drop such rows%s",
                        what, mode == LT_CSV_MISSING_KEEP ? " (a label cannot be imputed)" : "");
    return csv_fail(r, r->line, col,
                    "missing value (%s); set missing: drop to drop such rows, or missing: keep "
                    "and add an impute stage", what);
}

enum csv_row csv_convert_row(csv_reader *r, const csv_layout *L, const lt_csv_options *opt,
                             const csv_fields *f, double *out, const char **label,
                             size_t *n_missing)
{
    if (f->n != L->cols) {
        csv_fail(r, r->line, (long)(f->n < L->cols ? f->n : L->cols) + 1,
                 "row %ld has %zu field%s, expected %zu; quote a field that holds the "
                 "delimiter", r->line, f->n, f->n == 1 ? "" : "s", L->cols);
        return ROW_BAD;
    }
    bool drop = false;
    size_t missing = 0;
    for (size_t i = 0; i < L->cols; i++) {
        int role = L->role[i];
        const char *text = csv_field(f, i);
        if (role == CSV_DROP)
            continue;
        if (csv_is_na(opt, text)) {
            if (opt->missing == LT_CSV_MISSING_DROP) {
                drop = true;
            } else if (role == CSV_LABEL || opt->missing == LT_CSV_MISSING_ERROR) {
                missing_error(r, (long)i + 1, role == CSV_LABEL, text, opt->missing);
                return ROW_BAD;
            } else {
                out[role] = NAN;
                missing++;
            }
            continue;
        }
        if (role == CSV_LABEL) {
            *label = text;
            continue;
        }
        enum csv_number st = csv_parse_number(text, opt->decimal, &out[role]);
        if (st != NUM_OK) {
            value_error(r, L, opt, i, st, text);
            return ROW_BAD;
        }
    }
    if (drop)
        return ROW_DROP;
    *n_missing += missing;
    return ROW_OK;
}

int csv_no_rows(csv_reader *r, bool empty_file, long header_line, size_t dropped)
{
    if (empty_file)
        return csv_fail(r, 0, 0, "the file is empty (0 bytes); expected a header line and "
                                 "data rows");
    if (!header_line)
        return csv_fail(r, 0, 0, "the file holds only blank lines%s; expected a header line "
                                 "and data rows", r->comment ? " and comments" : "");
    if (dropped)
        return csv_fail(r, header_line, 0,
                        "all %zu data rows have a missing value and were dropped (missing: "
                        "drop); use missing: keep and an impute stage to fill them", dropped);
    return csv_fail(r, header_line, 0, "the header is not followed by any data rows; add "
                                       "rows below it, or set header: false if it holds data");
}

void csv_table_free(csv_table *t)
{
    lt_mat_free(&t->x);
    for (size_t i = 0; t->labels && i < t->capacity; i++)
        free(t->labels[i]);
    free(t->labels);
    free(t->y);
    free(t->id);
    csv_layout_free(&t->L);
}

int csv_table_init(csv_reader *r, csv_table *t, const csv_fields *f,
                   const lt_csv_options *opt, size_t max_rows)
{
    t->capacity = max_rows;
    int rc = csv_layout_init(r, &t->L, f, opt, r->line);
    if (rc != LT_OK)
        return rc;
    if (!(t->x = lt_mat_new(max_rows, t->L.n_features)))
        return csv_out_of_memory(r);
    if (t->L.label >= 0 && (!(t->labels = calloc(max_rows, sizeof *t->labels)) ||
                            !(t->y = malloc(max_rows * sizeof *t->y))))
        return csv_out_of_memory(r);
    return LT_OK;
}

/* A stream keeps every label but only one row: room for one more label. */
static int grow_labels(csv_reader *r, csv_table *t)
{
    size_t cap = t->capacity ? 2 * t->capacity : 1024;
    char **labels = realloc(t->labels, cap * sizeof *labels);
    if (labels)
        t->labels = labels;
    int *y = labels ? realloc(t->y, cap * sizeof *y) : NULL;
    if (!y)
        return csv_out_of_memory(r);
    t->y = y;
    memset(t->labels + t->capacity, 0, (cap - t->capacity) * sizeof *labels);
    t->capacity = cap;
    return LT_OK;
}

/* Counts a dropped row. The first drop starts the row ids, so that rows kept
 * after it still name their row in the file (a stream keeps no rows and so
 * no ids). */
static int drop_row(csv_reader *r, csv_table *t)
{
    if (!t->id && !t->streaming) {
        if (!(t->id = malloc((t->capacity ? t->capacity : 1) * sizeof *t->id)))
            return csv_out_of_memory(r);
        for (size_t i = 0; i < t->rows; i++)
            t->id[i] = i;
    }
    t->counts.rows_dropped++;
    return LT_OK;
}

int csv_table_add(csv_reader *r, csv_table *t, const csv_fields *f,
                  const lt_csv_options *opt)
{
    if (t->streaming && t->L.label >= 0 && t->rows == t->capacity &&
        grow_labels(r, t) != LT_OK)
        return LT_ERUNTIME;
    double *row = t->x->v + (t->streaming ? 0 : t->rows) * t->x->cols;
    const char *label = NULL;
    switch (csv_convert_row(r, &t->L, opt, f, row, &label, &t->counts.missing_values)) {
    case ROW_BAD: return LT_EINPUT;
    case ROW_DROP: return drop_row(r, t);
    case ROW_OK: break;
    }
    if (t->id)
        t->id[t->rows] = t->rows + t->counts.rows_dropped;
    if (label && !(t->labels[t->rows] = strdup(label)))
        return csv_out_of_memory(r);
    t->rows++;
    return LT_OK;
}

int csv_table_finish(csv_reader *r, csv_table *t, lt_data **out)
{
    lt_data *d = lt_data_new();
    if (!d)
        return csv_out_of_memory(r);
    if (t->L.label >= 0) {
        int rc = csv_encode_labels(r, t->labels, t->rows, r->decimal, t->y, d);
        if (rc != LT_OK) {
            lt_data_free(&d);
            return rc;
        }
        d->split[LT_TRAIN].y = t->y;
        t->y = NULL;
    }
    /* x was sized for every line; rows below the last kept stay unused. */
    t->x->rows = t->rows;
    d->n_features = t->x->cols;
    d->split[LT_TRAIN].x = t->x;
    d->split[LT_TRAIN].id = t->id;
    t->id = NULL;
    d->feature_names = t->L.names;
    t->x = NULL;
    t->L.names = NULL;
    t->counts.rows = t->rows;
    t->counts.delimiter = r->delim;
    *out = d;
    return LT_OK;
}
