/* The whole table held in memory (lt_csv_parse, lt_csv_read), the probe that
 * `latent validate` runs, and the field writer. The parts are in csv_*.c. */
#include "io/csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/fsutil.h"
#include "io/csv_impl.h"

static size_t count_lines(const char *p, const char *end)
{
    size_t n = 1;
    while ((p = memchr(p, '\n', (size_t)(end - p))))
        n++, p++;
    return n;
}

int lt_csv_parse(lt_diag *diag, const char *name, const char *text, size_t len,
                 const lt_csv_options *opt, lt_data **out, lt_csv_counts *counts)
{
    csv_reader r = {.diag = diag, .name = name, .p = text, .end = text + len,
                    .comment = opt->comment, .decimal = opt->decimal ? opt->decimal : '.'};
    int rc = csv_sniff(&r, text, len, opt, &r.delim);
    if (rc != LT_OK)
        return rc;
    const char *s;
    size_t n;
    for (int i = 0; i < opt->skip_lines && csv_next_line(&r, &s, &n); i++)
        ;

    csv_fields f = {0};
    csv_table t = {.L = {.label = -1}};
    long first_line = 0;
    while (rc == LT_OK && csv_next_line(&r, &s, &n)) {
        if (csv_skip_line(&r, s, n))
            continue;
        if ((rc = csv_split(&r, s, n, &f)) != LT_OK)
            break;
        if (!first_line) {
            first_line = r.line;
            if (f.n == 1 && (rc = csv_one_column_hint(&r, s, n, r.decimal, opt->header)) != LT_OK)
                break;
            /* Each line left, and this one unless it is the header, can
             * hold one row: room enough without growing. */
            rc = csv_table_init(&r, &t, &f, opt, count_lines(r.p, r.end) + !opt->header);
            if (rc != LT_OK || opt->header)
                continue; /* the header names columns; it holds no data */
        }
        rc = csv_table_add(&r, &t, &f, opt);
    }
    if (rc == LT_OK && t.rows == 0)
        rc = csv_no_rows(&r, len == 0, first_line, t.counts.rows_dropped);
    if (rc == LT_OK)
        rc = csv_table_finish(&r, &t, out);
    if (rc == LT_OK && counts)
        *counts = t.counts;
    csv_table_free(&t);
    csv_fields_free(&f);
    return rc;
}

static int refuse_folder(lt_diag *diag, const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return lt_diag_data(diag, LT_EINPUT, path, 0, 0, "is a folder, expected a CSV file");
    return LT_OK;
}

int lt_csv_read(lt_diag *diag, const char *path, const lt_csv_options *opt,
                lt_data **out, lt_csv_counts *counts)
{
    if (refuse_folder(diag, path) != LT_OK)
        return LT_EINPUT;
    size_t len;
    char *text = lt_read_file(path, &len);
    if (!text)
        return lt_diag_data(diag, errno == ENOMEM ? LT_ERUNTIME : LT_EINPUT, path, 0, 0,
                          "cannot read: %s", strerror(errno));
    int rc = lt_csv_parse(diag, path, text, len, opt, out, counts);
    free(text);
    return rc;
}

/* The probe reads this much of the file's start: many header lines. */
#define PROBE_BYTES (1u << 20)

int lt_csv_probe(lt_diag *diag, const char *path, const lt_csv_options *opt)
{
    if (refuse_folder(diag, path) != LT_OK)
        return LT_EINPUT;
    FILE *fp = fopen(path, "rb");
    char *text = fp ? malloc(PROBE_BYTES) : NULL;
    if (!text) {
        int rc = fp ? lt_diag_data(diag, LT_ERUNTIME, path, 0, 0, "out of memory")
                    : lt_diag_data(diag, LT_EINPUT, path, 0, 0, "cannot read: %s", strerror(errno));
        if (fp)
            fclose(fp);
        return rc;
    }
    size_t len = fread(text, 1, PROBE_BYTES, fp);
    int rc = ferror(fp) ? lt_diag_data(diag, LT_EINPUT, path, 0, 0, "cannot read: %s",
                                     strerror(errno))
                        : LT_OK;
    fclose(fp);
    /* A line cut at the end of what was read is no line to judge. */
    if (len == PROBE_BYTES) {
        size_t cut = len;
        while (cut > 0 && text[cut - 1] != '\n')
            cut--;
        len = cut ? cut : len;
    }
    csv_reader r = {.diag = diag, .name = path, .p = text, .end = text + len,
                    .comment = opt->comment, .decimal = opt->decimal ? opt->decimal : '.'};
    if (rc == LT_OK)
        rc = csv_sniff(&r, text, len, opt, &r.delim);
    const char *s;
    size_t n;
    for (int i = 0; rc == LT_OK && i < opt->skip_lines && csv_next_line(&r, &s, &n); i++)
        ;
    csv_fields f = {0};
    bool seen = false;
    while (rc == LT_OK && !seen && csv_next_line(&r, &s, &n)) {
        if (csv_skip_line(&r, s, n))
            continue;
        seen = true;
        if ((rc = csv_split(&r, s, n, &f)) == LT_OK && f.n == 1)
            rc = csv_one_column_hint(&r, s, n, r.decimal, opt->header);
        csv_layout L = {.label = -1};
        if (rc == LT_OK && (rc = csv_layout_init(&r, &L, &f, opt, r.line)) == LT_OK)
            csv_layout_free(&L);
    }
    if (rc == LT_OK && !seen)
        rc = csv_no_rows(&r, len == 0, 0, 0);
    csv_fields_free(&f);
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
