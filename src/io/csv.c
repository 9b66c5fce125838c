#include "io/csv.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/fsutil.h"
#include "io/json.h"

/* ---- lines and fields ---------------------------------------------------- */

typedef struct reader {
    lt_ctx *ctx;
    const char *name;     /* the file as messages show it */
    const char *p, *end;  /* the text not read yet */
    FILE *file;           /* or, when not NULL, the file read line by line */
    char *buf;            /* file mode: the line read last (owned) */
    size_t buf_cap;
    long line;            /* 1-based number of the line read last */
    char delim;
} reader;

/* One line split into fields: field i is the NUL-terminated, unquoted text
 * at text + start[i]. Reused from line to line; owned by the parser. */
typedef struct fields {
    char *text;
    size_t text_cap;
    size_t *start;
    size_t n, cap;
} fields;

static void fields_free(fields *f)
{
    free(f->text);
    free(f->start);
}

static const char *field(const fields *f, size_t i) { return f->text + f->start[i]; }

/* Sets *s and *n to the next line without its line break (LF or CRLF).
 * Returns false at the end of the text. */
static bool next_line(reader *r, const char **s, size_t *n)
{
    if (r->file) {
        ssize_t got = getline(&r->buf, &r->buf_cap, r->file);
        if (got < 0)
            return false;
        *s = r->buf;
        *n = (size_t)got;
        if (*n > 0 && (*s)[*n - 1] == '\n')
            (*n)--;
        if (*n > 0 && (*s)[*n - 1] == '\r')
            (*n)--;
        /* A UTF-8 byte-order mark opens the file, not the first field. */
        if (r->line == 0 && *n >= 3 && memcmp(*s, "\xEF\xBB\xBF", 3) == 0)
            *s += 3, *n -= 3;
        r->line++;
        return true;
    }
    if (r->p >= r->end)
        return false;
    const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
    const char *stop = nl ? nl : r->end;
    *s = r->p;
    *n = (size_t)(stop - r->p);
    if (*n > 0 && (*s)[*n - 1] == '\r')
        (*n)--;
    r->p = nl ? nl + 1 : r->end;
    r->line++;
    return true;
}

static bool is_space(char c, char delim) { return (c == ' ' || c == '\t') && c != delim; }

static bool is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

static int out_of_memory(reader *r)
{
    return lt_fail(r->ctx, LT_ERUNTIME, "out of memory reading %s", r->name);
}

/* Splits line S (N bytes) into F. Returns LT_OK, or an error recorded. */
static int split(reader *r, const char *s, size_t n, fields *f)
{
    /* Unquoting never lengthens a field, and each field adds one NUL. */
    if (f->text_cap < 2 * n + 2) {
        char *t = realloc(f->text, 2 * n + 2);
        if (!t)
            return out_of_memory(r);
        f->text = t;
        f->text_cap = 2 * n + 2;
    }
    f->n = 0;
    size_t i = 0, out = 0;
    for (;;) {
        if (f->n == f->cap) {
            size_t cap = f->cap ? 2 * f->cap : 16;
            size_t *st = realloc(f->start, cap * sizeof *st);
            if (!st)
                return out_of_memory(r);
            f->start = st;
            f->cap = cap;
        }
        long col = (long)f->n + 1;
        f->start[f->n++] = out;
        while (i < n && is_space(s[i], r->delim))
            i++;
        if (i < n && s[i] == '"') {
            for (i++;; i++) {
                if (i == n)
                    return lt_fail_at(r->ctx, LT_EINPUT, r->name, r->line, col,
                                      "unterminated quoted field (quotes cannot span lines)");
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"')
                        i++; /* "" stands for one quote */
                    else
                        break;
                }
                f->text[out++] = s[i];
            }
            for (i++; i < n && is_space(s[i], r->delim); i++)
                ;
            if (i < n && s[i] != r->delim)
                return lt_fail_at(r->ctx, LT_EINPUT, r->name, r->line, col,
                                  "unexpected text after the closing quote of a field");
        } else {
            size_t begin = out;
            while (i < n && s[i] != r->delim)
                f->text[out++] = s[i++];
            while (out > begin && is_space(f->text[out - 1], r->delim))
                out--;
        }
        f->text[out++] = '\0';
        if (i == n)
            return LT_OK;
        i++; /* past the delimiter: another field follows, maybe empty */
    }
}

/* ---- numbers --------------------------------------------------------------- */

enum number_status { NUM_OK, NUM_EMPTY, NUM_SYNTAX, NUM_NAN, NUM_INF, NUM_RANGE };

/* Reads S as a finite decimal number: [+-]digits[.digits][(e|E)[+-]digits],
 * with digits on at least one side of the point. Anything strtod would also
 * take (hex, "nan", "inf", leading junk) is refused with a reason. */
static enum number_status parse_number(const char *s, double *v)
{
    if (!*s)
        return NUM_EMPTY;
    const char *q = s + (*s == '+' || *s == '-');
    if (strcasecmp(q, "nan") == 0)
        return NUM_NAN;
    if (strcasecmp(q, "inf") == 0 || strcasecmp(q, "infinity") == 0)
        return NUM_INF;
    size_t digits = 0;
    for (; *q >= '0' && *q <= '9'; q++)
        digits++;
    if (*q == '.')
        for (q++; *q >= '0' && *q <= '9'; q++)
            digits++;
    if (!digits)
        return NUM_SYNTAX;
    if (*q == 'e' || *q == 'E') {
        q++;
        q += *q == '+' || *q == '-';
        if (!(*q >= '0' && *q <= '9'))
            return NUM_SYNTAX;
        while (*q >= '0' && *q <= '9')
            q++;
    }
    if (*q)
        return NUM_SYNTAX;
    errno = 0;
    *v = strtod(s, NULL);
    /* Underflow to a subnormal or zero is fine, as in Python; overflow not. */
    if (errno == ERANGE && isinf(*v))
        return NUM_RANGE;
    return NUM_OK;
}

/* Records why field TEXT at LINE:COL is not a usable number. */
static int number_error(reader *r, long col, enum number_status st, const char *text)
{
    switch (st) {
    case NUM_EMPTY:
        return lt_fail_at(r->ctx, LT_EINPUT, r->name, r->line, col,
                          "empty value, expected a number");
    case NUM_NAN:
        return lt_fail_at(r->ctx, LT_EINPUT, r->name, r->line, col,
                          "NaN is not allowed, expected a finite number");
    case NUM_INF:
        return lt_fail_at(r->ctx, LT_EINPUT, r->name, r->line, col,
                          "Inf is not allowed, expected a finite number");
    case NUM_RANGE:
        return lt_fail_at(r->ctx, LT_EINPUT, r->name, r->line, col,
                          "\"%s\" is too large for a double", text);
    default:
        return lt_fail_at(r->ctx, LT_EINPUT, r->name, r->line, col,
                          "expected a number, found \"%.60s%s\"", text,
                          strlen(text) > 60 ? "..." : "");
    }
}

/* ---- the label column ------------------------------------------------------ */

/* Reads SPEC as a whole decimal integer. */
static bool parse_index(const char *spec, long *index)
{
    char *end;
    errno = 0;
    *index = strtol(spec, &end, 10);
    return end != spec && !*end && errno == 0;
}

/* Finds the label column among COLS fields: by name in HEADER (NULL when
 * the file has none), else by index. LINE is where the columns were seen.
 * Sets *label to the 0-based column, or -1 when there is no label column. */
static int resolve_label(reader *r, const char *spec, const fields *header,
                         size_t cols, long line, long *label)
{
    *label = -1;
    if (!spec || !*spec)
        return LT_OK;
    for (size_t i = 0; header && i < cols; i++)
        if (strcmp(field(header, i), spec) == 0) {
            *label = (long)i;
            return LT_OK;
        }
    long index;
    if (!parse_index(spec, &index)) {
        if (!header)
            return lt_fail_at(r->ctx, LT_EINPUT, r->name, line, 0,
                              "label column '%s' must be a 0-based column index "
                              "when the file has no header", spec);
        char names[512] = "";
        for (size_t i = 0; i < cols && strlen(names) < 400; i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s'%s'",
                     i ? ", " : "", field(header, i));
        return lt_fail_at(r->ctx, LT_EINPUT, r->name, line, 0,
                          "label column '%s' is not in the header (columns: %s%s)",
                          spec, names, strlen(names) >= 400 ? ", ..." : "");
    }
    long at = index < 0 ? (long)cols + index : index;
    if (at < 0 || at >= (long)cols)
        return lt_fail_at(r->ctx, LT_EINPUT, r->name, line, 0,
                          "label column %ld is out of range: the table has %zu "
                          "columns (0 to %zu, or -1 for the last)",
                          index, cols, cols - 1);
    *label = at;
    return LT_OK;
}

/* One label as read, for sorting into classes. */
typedef struct label_text {
    const char *text;
    double value; /* when every label is a number */
    size_t row;
} label_text;

static int by_value(const void *a, const void *b)
{
    const label_text *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

static int by_text(const void *a, const void *b)
{
    const label_text *x = a, *y = b;
    int c = strcmp(x->text, y->text);
    return c ? c : (x->row < y->row ? -1 : x->row > y->row);
}

/* Maps the label texts of ROWS rows to classes: sorted distinct values, as
 * numbers when every label is one. Fills y[row] and d's class names. */
static int encode_labels(reader *r, char **texts, size_t rows, int *y, lt_data *d)
{
    if (rows > INT_MAX)
        return lt_fail_at(r->ctx, LT_EINPUT, r->name, 0, 0,
                          "too many rows to label: %zu (at most %d)", rows, INT_MAX);
    label_text *l = malloc(rows * sizeof *l);
    if (!l)
        return out_of_memory(r);
    bool numeric = true;
    for (size_t i = 0; i < rows; i++) {
        l[i] = (label_text){.text = texts[i], .row = i};
        numeric = numeric && parse_number(texts[i], &l[i].value) == NUM_OK;
    }
    qsort(l, rows, sizeof *l, numeric ? by_value : by_text);

    size_t n_classes = 0;
    for (size_t i = 0; i < rows; i++) {
        bool same = i > 0 && (numeric ? l[i].value == l[i - 1].value
                                      : strcmp(l[i].text, l[i - 1].text) == 0);
        n_classes += !same;
        y[l[i].row] = (int)n_classes - 1;
    }
    d->class_names = calloc(n_classes, sizeof *d->class_names);
    if (!d->class_names) {
        free(l);
        return out_of_memory(r);
    }
    d->n_classes = (int)n_classes;
    for (size_t i = 0, k = 0; i < rows; i++) {
        if (i > 0 && y[l[i].row] == y[l[i - 1].row])
            continue;
        char num[32];
        if (numeric)
            lt_json_format_double(num, l[i].value);
        if (!(d->class_names[k++] = strdup(numeric ? num : l[i].text))) {
            free(l);
            return out_of_memory(r);
        }
    }
    free(l);
    return LT_OK;
}

/* ---- the table ------------------------------------------------------------- */

/* What the parser builds, freed by table_free unless handed to an lt_data. */
typedef struct table {
    bool streaming;   /* rows are checked, not kept: x has room for one */
    size_t cols;      /* fields per line */
    long label;       /* label column, or -1 */
    size_t rows;      /* data rows read so far */
    size_t capacity;  /* rows x, labels and y have room for */
    lt_mat *x;        /* capacity rows; x->rows is set at the end */
    char **labels;    /* label text per row, when label >= 0 */
    int *y;
    char **names;     /* header names of the feature columns, or NULL */
} table;

static void free_strings(char **s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        free(s[i]);
    free(s);
}

static void table_free(table *t)
{
    lt_mat_free(&t->x);
    free_strings(t->labels, t->capacity);
    free(t->y);
    free_strings(t->names, t->cols - (t->label >= 0));
}

/* Sets up T from the first table line F (the header when opt->header, else
 * the first data row), with room for MAX_ROWS rows. */
static int table_init(reader *r, table *t, const fields *f, const lt_csv_options *opt,
                      size_t max_rows)
{
    t->cols = f->n;
    t->capacity = max_rows;
    int rc = resolve_label(r, opt->label_column, opt->header ? f : NULL, t->cols,
                           r->line, &t->label);
    if (rc != LT_OK)
        return rc;
    size_t n_features = t->cols - (t->label >= 0);
    if (n_features == 0)
        return lt_fail_at(r->ctx, LT_EINPUT, r->name, r->line, 0,
                          "no feature columns: the only column holds the labels");
    if (opt->header) {
        if (!(t->names = calloc(n_features, sizeof *t->names)))
            return out_of_memory(r);
        for (size_t i = 0, k = 0; i < t->cols; i++)
            if ((long)i != t->label && !(t->names[k++] = strdup(field(f, i))))
                return out_of_memory(r);
    }
    if (!(t->x = lt_mat_new(max_rows, n_features)))
        return out_of_memory(r);
    if (t->label >= 0 && (!(t->labels = calloc(max_rows, sizeof *t->labels)) ||
                          !(t->y = malloc(max_rows * sizeof *t->y))))
        return out_of_memory(r);
    return LT_OK;
}

/* Appends the data row F to T. */
static int table_add(reader *r, table *t, const fields *f)
{
    if (f->n != t->cols)
        return lt_fail_at(r->ctx, LT_EINPUT, r->name, r->line,
                          (long)(f->n < t->cols ? f->n : t->cols) + 1,
                          "row %ld has %zu field%s, expected %zu", r->line, f->n,
                          f->n == 1 ? "" : "s", t->cols);
    if (t->streaming && t->label >= 0 && t->rows == t->capacity) {
        size_t cap = t->capacity ? 2 * t->capacity : 1024;
        char **labels = realloc(t->labels, cap * sizeof *labels);
        if (labels)
            t->labels = labels;
        int *y = labels ? realloc(t->y, cap * sizeof *y) : NULL;
        if (!y)
            return out_of_memory(r);
        t->y = y;
        memset(t->labels + t->capacity, 0, (cap - t->capacity) * sizeof *labels);
        t->capacity = cap;
    }
    double *row = t->x->v + (t->streaming ? 0 : t->rows) * t->x->cols;
    for (size_t i = 0, k = 0; i < t->cols; i++) {
        const char *text = field(f, i);
        if ((long)i == t->label) {
            if (!*text)
                return lt_fail_at(r->ctx, LT_EINPUT, r->name, r->line, (long)i + 1,
                                  "empty label");
            if (!(t->labels[t->rows] = strdup(text)))
                return out_of_memory(r);
            continue;
        }
        enum number_status st = parse_number(text, &row[k++]);
        if (st != NUM_OK)
            return number_error(r, (long)i + 1, st, text);
    }
    t->rows++;
    return LT_OK;
}

/* Moves the finished table into a new lt_data. */
static int table_finish(reader *r, table *t, lt_data **out)
{
    lt_data *d = lt_data_new();
    if (!d)
        return out_of_memory(r);
    if (t->label >= 0) {
        int rc = encode_labels(r, t->labels, t->rows, t->y, d);
        if (rc != LT_OK) {
            lt_data_free(&d);
            return rc;
        }
        d->split[LT_TRAIN].y = t->y;
        t->y = NULL;
    }
    /* x was sized for every line; rows below the last read stay unused. */
    t->x->rows = t->rows;
    d->n_features = t->x->cols;
    d->split[LT_TRAIN].x = t->x;
    d->feature_names = t->names;
    t->x = NULL;
    t->names = NULL;
    *out = d;
    return LT_OK;
}

/* ---- streaming --------------------------------------------------------------- */

/* A checked CSV file read again row by row: the data rows of a table whose
 * every row the first pass (lt_csv_open_stream) already parsed. */
typedef struct csv_stream {
    lt_stream base;
    char *path;       /* owned: r.name points at it */
    reader r;         /* file mode; ctx NULL: nothing here can fail on data
                         the first pass accepted, unless the file changed */
    fields f;
    long label;       /* label column, or -1 */
    size_t cols;      /* fields per line */
    long data_offset; /* where the line after the header starts */
    long data_line;   /* its line number, less one */
    size_t next_row;  /* the data row the next line read holds */
} csv_stream;

static void stream_close(lt_stream *base)
{
    csv_stream *s = (csv_stream *)base;
    if (s->r.file)
        fclose(s->r.file);
    free(s->r.buf);
    free(s->path);
    fields_free(&s->f);
    free(s);
}

static int changed(csv_stream *s, char *err, size_t err_size)
{
    snprintf(err, err_size, "%s:%ld: the file changed after it was checked; run again",
             s->r.name, s->r.line);
    return -1;
}

/* The next non-blank line, split; false at the end of the file or when a
 * line no longer splits (the file changed). */
static bool next_row(csv_stream *s)
{
    const char *text;
    size_t n;
    while (next_line(&s->r, &text, &n))
        if (!is_blank(text, n))
            return split(&s->r, text, n, &s->f) == LT_OK && s->f.n == s->cols;
    return false;
}

static int stream_read(lt_stream *base, size_t first, size_t n, double *out, char *err,
                       size_t err_size)
{
    csv_stream *s = (csv_stream *)base;
    if (first != s->next_row) {
        if (fseek(s->r.file, s->data_offset, SEEK_SET) != 0)
            return changed(s, err, err_size);
        s->r.line = s->data_line;
        for (s->next_row = 0; s->next_row < first; s->next_row++)
            if (!next_row(s))
                return changed(s, err, err_size);
    }
    size_t width = s->cols - (s->label >= 0);
    for (size_t i = 0; i < n; i++, s->next_row++) {
        if (!next_row(s))
            return changed(s, err, err_size);
        for (size_t c = 0, k = 0; c < s->cols; c++)
            if ((long)c != s->label &&
                parse_number(field(&s->f, c), &out[i * width + k++]) != NUM_OK)
                return changed(s, err, err_size);
    }
    return 0;
}

int lt_csv_open_stream(lt_ctx *ctx, const char *path, const lt_csv_options *opt,
                       lt_data **out)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return lt_fail_at(ctx, LT_EINPUT, path, 0, 0, "is a folder, expected a CSV file");
    csv_stream *cs = calloc(1, sizeof *cs);
    char *name = strdup(path);
    FILE *fp = cs && name ? fopen(path, "rb") : NULL;
    if (!fp) {
        int rc = !cs || !name ? lt_fail(ctx, LT_ERUNTIME, "out of memory")
                              : lt_fail_at(ctx, LT_EINPUT, path, 0, 0, "cannot read: %s",
                                           strerror(errno));
        free(cs);
        free(name);
        return rc;
    }
    reader r = {.ctx = ctx, .name = path, .file = fp, .delim = opt->delimiter};
    const char *s;
    size_t n;
    for (int i = 0; i < opt->skip_lines && next_line(&r, &s, &n); i++)
        ;
    /* The first pass parses every row as lt_csv_parse would, keeping only
     * the labels, so errors still name their line and column. */
    fields f = {0};
    table t = {.label = -1, .streaming = true};
    int rc = LT_OK;
    long first_line = 0, data_offset = 0, data_line = 0, before = ftell(fp);
    while (rc == LT_OK && next_line(&r, &s, &n)) {
        if (!is_blank(s, n) && (rc = split(&r, s, n, &f)) == LT_OK && !first_line) {
            first_line = r.line;
            rc = table_init(&r, &t, &f, opt, 1);
            t.capacity = 0;
            data_offset = opt->header ? ftell(fp) : before;
            data_line = opt->header ? r.line : r.line - 1;
            if (opt->header) {
                before = ftell(fp);
                continue;
            }
        }
        if (rc == LT_OK && !is_blank(s, n))
            rc = table_add(&r, &t, &f);
        before = ftell(fp);
    }
    if (rc == LT_OK && ferror(fp))
        rc = lt_fail_at(ctx, LT_EINPUT, path, 0, 0, "cannot read: %s", strerror(errno));
    if (rc == LT_OK && !first_line)
        rc = lt_fail_at(ctx, LT_EINPUT, path, 0, 0, "file is empty");
    else if (rc == LT_OK && t.rows == 0)
        rc = lt_fail_at(ctx, LT_EINPUT, path, first_line, 0,
                        "the header is not followed by any data rows");
    size_t rows = t.rows;
    if (rc == LT_OK)
        rc = table_finish(&r, &t, out);
    free(r.buf);
    fields_free(&f);
    if (rc == LT_OK) {
        /* The kept one-row x becomes the stream's matrix header. */
        lt_mat *x = (*out)->split[LT_TRAIN].x;
        free(x->v);
        x->v = NULL;
        x->rows = rows;
        cs->base.read = stream_read;
        cs->base.close = stream_close;
        cs->path = name;
        cs->r = (reader){.name = name, .file = fp, .delim = opt->delimiter,
                         .line = data_line};
        cs->label = t.label;
        cs->cols = t.cols;
        cs->data_offset = data_offset;
        cs->data_line = data_line;
        x->stream = &cs->base;
        if (fseek(fp, data_offset, SEEK_SET) != 0)
            rc = lt_fail_at(ctx, LT_EINPUT, path, 0, 0, "cannot seek: %s", strerror(errno));
        if (rc != LT_OK)
            lt_data_free(out);
    } else {
        fclose(fp);
        free(name);
        free(cs);
    }
    table_free(&t);
    return rc;
}

static size_t count_lines(const char *p, const char *end)
{
    size_t n = 1;
    while ((p = memchr(p, '\n', (size_t)(end - p))))
        n++, p++;
    return n;
}

int lt_csv_parse(lt_ctx *ctx, const char *name, const char *text, size_t len,
                 const lt_csv_options *opt, lt_data **out)
{
    reader r = {.ctx = ctx, .name = name, .p = text, .end = text + len,
                .delim = opt->delimiter};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        r.p += 3; /* a UTF-8 byte-order mark */
    const char *s;
    size_t n;
    for (int i = 0; i < opt->skip_lines && next_line(&r, &s, &n); i++)
        ;

    fields f = {0};
    table t = {.label = -1};
    int rc = LT_OK;
    long first_line = 0;
    while (rc == LT_OK && next_line(&r, &s, &n)) {
        if (is_blank(s, n))
            continue;
        if ((rc = split(&r, s, n, &f)) != LT_OK)
            break;
        if (!first_line) {
            first_line = r.line;
            /* Each line left, and this one unless it is the header, can
             * hold one row: room enough without growing. */
            rc = table_init(&r, &t, &f, opt, count_lines(r.p, r.end) + !opt->header);
            if (rc != LT_OK || opt->header)
                continue; /* the header names columns; it holds no data */
        }
        rc = table_add(&r, &t, &f);
    }
    if (rc == LT_OK && !first_line)
        rc = lt_fail_at(ctx, LT_EINPUT, name, 0, 0, "file is empty");
    else if (rc == LT_OK && t.rows == 0)
        rc = lt_fail_at(ctx, LT_EINPUT, name, first_line, 0,
                        "the header is not followed by any data rows");
    if (rc == LT_OK)
        rc = table_finish(&r, &t, out);
    table_free(&t);
    fields_free(&f);
    return rc;
}

int lt_csv_read(lt_ctx *ctx, const char *path, const lt_csv_options *opt,
                lt_data **out)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return lt_fail_at(ctx, LT_EINPUT, path, 0, 0, "is a folder, expected a CSV file");
    size_t len;
    char *text = lt_read_file(path, &len);
    if (!text)
        return lt_fail_at(ctx, errno == ENOMEM ? LT_ERUNTIME : LT_EINPUT, path, 0, 0,
                          "cannot read: %s", strerror(errno));
    int rc = lt_csv_parse(ctx, path, text, len, opt, out);
    free(text);
    return rc;
}

void lt_csv_write_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}
