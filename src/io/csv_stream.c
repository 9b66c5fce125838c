/* The table as a stream: checked whole once (every error with its line and
 * column, only the labels kept), then read again on demand, a batch of rows
 * at a time, with the same layout and options as the first pass. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/csv_impl.h"

/* What the first pass decided, kept for the second: a row here is what the
 * first pass kept (dropped rows stay dropped). */
typedef struct csv_stream {
    lt_stream base;
    char *path;       /* owned: r.name points at it */
    csv_reader r;     /* file mode; diag NULL: nothing here can fail on data
                         the first pass accepted, unless the file changed */
    csv_fields f;
    csv_layout L;     /* owned */
    lt_csv_options opt; /* the first pass's, but for na_values (copied) */
    char **na;        /* owned copy of opt.na_values */
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
    csv_fields_free(&s->f);
    csv_layout_free(&s->L);
    for (size_t i = 0; s->na && i < s->opt.n_na_values; i++)
        free(s->na[i]);
    free(s->na);
    free(s);
}

static int changed(csv_stream *s, char *err, size_t err_size)
{
    snprintf(err, err_size, "%s:%ld: the file changed after it was checked; run again",
             s->r.name, s->r.line);
    return -1;
}

/* Reads the next kept row into OUT (NULL: only skip it). Returns 1, 0 at
 * the end of the file or when a line no longer reads as it did (the file
 * changed), or -1 when memory ran out. */
static int next_row(csv_stream *s, double *out, double *scratch)
{
    const char *text, *label;
    size_t n, missing = 0;
    errno = 0;
    while (csv_next_line(&s->r, &text, &n)) {
        if (csv_skip_line(&s->r, text, n))
            continue;
        int rc = csv_split(&s->r, text, n, &s->f);
        if (rc != LT_OK)
            return rc == LT_ERUNTIME ? -1 : 0;
        enum csv_row st = csv_convert_row(&s->r, &s->L, &s->opt, &s->f, out ? out : scratch,
                                          &label, &missing);
        if (st == ROW_OK)
            return 1;
        if (st == ROW_BAD)
            return 0;
    }
    return errno == ENOMEM ? -1 : 0; /* getline's own failure */
}

/* The message for a row that next_row could not read. */
static int read_failed(csv_stream *s, int got, char *err, size_t err_size)
{
    if (got < 0) {
        snprintf(err, err_size, "%s:%ld: out of memory reading a row", s->r.name, s->r.line);
        return -1;
    }
    return changed(s, err, err_size);
}

static int stream_read(lt_stream *base, size_t first, size_t n, double *out, char *err,
                       size_t err_size)
{
    csv_stream *s = (csv_stream *)base;
    double *scratch = malloc((s->L.n_features + 1) * sizeof *scratch);
    if (!scratch)
        return read_failed(s, -1, err, err_size);
    int rc = 0, got;
    if (first != s->next_row) {
        if (fseek(s->r.file, s->data_offset, SEEK_SET) != 0)
            rc = changed(s, err, err_size);
        s->r.line = s->data_line;
        for (s->next_row = 0; rc == 0 && s->next_row < first; s->next_row++)
            if ((got = next_row(s, NULL, scratch)) != 1)
                rc = read_failed(s, got, err, err_size);
    }
    for (size_t i = 0; rc == 0 && i < n; i++, s->next_row++)
        if ((got = next_row(s, out + i * s->L.n_features, scratch)) != 1)
            rc = read_failed(s, got, err, err_size);
    free(scratch);
    if (rc != 0)
        s->next_row = (size_t)-1; /* where the file stands is unknown: seek next time */
    return rc;
}

/* The file's start, for sniffing the delimiter: up to 64 KiB, cut at the
 * last line break. The file is rewound. */
static int sniff_start(csv_reader *r, const lt_csv_options *opt)
{
    enum { START = 1 << 16 };
    char *buf = malloc(START);
    if (!buf)
        return csv_out_of_memory(r);
    size_t len = fread(buf, 1, START, r->file);
    if (len == START) {
        size_t cut = len;
        while (cut > 0 && buf[cut - 1] != '\n')
            cut--;
        len = cut ? cut : len;
    }
    int rc = csv_sniff(r, buf, len, opt, &r->delim);
    free(buf);
    rewind(r->file);
    return rc;
}

/* Copies what the stream needs of OPT: the picks are resolved into the
 * layout already; the missing-value texts are read on every row. */
static int keep_options(csv_stream *cs, const lt_csv_options *opt)
{
    cs->opt = *opt;
    cs->opt.columns = cs->opt.ignore = NULL;
    cs->opt.n_columns = cs->opt.n_ignore = 0;
    cs->opt.label_column = NULL;
    if (!opt->n_na_values)
        return 0;
    if (!(cs->na = calloc(opt->n_na_values, sizeof *cs->na)))
        return -1;
    for (size_t i = 0; i < opt->n_na_values; i++)
        if (!(cs->na[i] = strdup(opt->na_values[i])))
            return -1;
    cs->opt.na_values = (const char *const *)cs->na;
    return 0;
}

int lt_csv_open_stream(lt_diag *diag, const char *path, const lt_csv_options *opt,
                       lt_data **out, lt_csv_counts *counts)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return lt_diag_data(diag, LT_EINPUT, path, 0, 0, "is a folder, expected a CSV file");
    csv_stream *cs = calloc(1, sizeof *cs);
    char *name = strdup(path);
    FILE *fp = cs && name ? fopen(path, "rb") : NULL;
    if (!fp) {
        int rc = !cs || !name ? lt_diag_data(diag, LT_ERUNTIME, path, 0, 0, "out of memory")
                              : lt_diag_data(diag, LT_EINPUT, path, 0, 0, "cannot read: %s",
                                           strerror(errno));
        free(cs);
        free(name);
        return rc;
    }
    csv_reader r = {.diag = diag, .name = path, .file = fp, .comment = opt->comment,
                    .decimal = opt->decimal ? opt->decimal : '.'};
    int rc = sniff_start(&r, opt);
    const char *s;
    size_t n;
    for (int i = 0; rc == LT_OK && i < opt->skip_lines && csv_next_line(&r, &s, &n); i++)
        ;
    /* The first pass parses every row as lt_csv_parse would, keeping only
     * the labels, so errors still name their line and column. */
    csv_fields f = {0};
    csv_table t = {.L = {.label = -1}, .streaming = true};
    long first_line = 0, data_offset = 0, data_line = 0, before = ftell(fp);
    while (rc == LT_OK && csv_next_line(&r, &s, &n)) {
        bool skip = csv_skip_line(&r, s, n);
        if (!skip && (rc = csv_split(&r, s, n, &f)) == LT_OK && !first_line) {
            first_line = r.line;
            if (f.n == 1 && (rc = csv_one_column_hint(&r, s, n, r.decimal, opt->header)) != LT_OK)
                break;
            rc = csv_table_init(&r, &t, &f, opt, 1);
            t.capacity = 0;
            data_offset = opt->header ? ftell(fp) : before;
            data_line = opt->header ? r.line : r.line - 1;
            if (opt->header) {
                before = ftell(fp);
                continue;
            }
        }
        if (rc == LT_OK && !skip)
            rc = csv_table_add(&r, &t, &f, opt);
        before = ftell(fp);
    }
    if (rc == LT_OK && ferror(fp))
        rc = lt_diag_data(diag, LT_EINPUT, path, 0, 0, "cannot read: %s", strerror(errno));
    if (rc == LT_OK && t.rows == 0)
        rc = csv_no_rows(&r, !first_line && ftell(fp) == 0, first_line, t.counts.rows_dropped);
    size_t rows = t.rows;
    if (rc == LT_OK)
        rc = csv_table_finish(&r, &t, out);
    if (rc == LT_OK && counts)
        *counts = t.counts;
    free(r.buf);
    csv_fields_free(&f);
    if (rc == LT_OK) {
        /* The kept one-row x becomes the stream's matrix header. */
        lt_mat *x = (*out)->split[LT_TRAIN].x;
        free(x->v);
        x->v = NULL;
        x->rows = rows;
        cs->base.read = stream_read;
        cs->base.close = stream_close;
        cs->base.may_hold_nan = t.counts.missing_values > 0;
        cs->path = name;
        cs->r = (csv_reader){.name = name, .file = fp, .delim = r.delim, .comment = r.comment,
                             .decimal = r.decimal, .line = data_line};
        cs->L = t.L; /* names went to the lt_data; the roles stay here */
        t.L = (csv_layout){.label = -1};
        cs->data_offset = data_offset;
        cs->data_line = data_line;
        x->stream = &cs->base;
        if (keep_options(cs, opt) != 0)
            rc = lt_diag_data(diag, LT_ERUNTIME, path, 0, 0, "out of memory");
        else if (fseek(fp, data_offset, SEEK_SET) != 0)
            rc = lt_diag_data(diag, LT_EINPUT, path, 0, 0, "cannot seek: %s", strerror(errno));
        if (rc != LT_OK)
            lt_data_free(out);
    } else {
        fclose(fp);
        free(name);
        free(cs);
    }
    csv_table_free(&t);
    return rc;
}
