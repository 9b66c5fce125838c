/* Lines and fields: line breaks, the byte-order mark, quotes, comments and
 * the UTF-8 check every field goes through. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv_impl.h"

void csv_fields_free(csv_fields *f)
{
    free(f->text);
    free(f->start);
}

int csv_fail(csv_reader *r, long line, long col, const char *fmt, ...)
{
    if (!r->diag)
        return LT_EINPUT;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return lt_diag_data(r->diag, LT_EINPUT, r->name, line, col, "%s", msg);
}

int csv_out_of_memory(csv_reader *r)
{
    return lt_diag_data(r->diag, LT_ERUNTIME, r->name, 0, 0, "out of memory reading the file");
}

bool csv_next_line(csv_reader *r, const char **s, size_t *n)
{
    if (r->file) {
        ssize_t got = getline(&r->buf, &r->buf_cap, r->file);
        if (got < 0)
            return false;
        *s = r->buf;
        *n = (size_t)got;
        if (*n > 0 && (*s)[*n - 1] == '\n')
            (*n)--;
    } else {
        if (r->p >= r->end)
            return false;
        const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
        const char *stop = nl ? nl : r->end;
        *s = r->p;
        *n = (size_t)(stop - r->p);
        r->p = nl ? nl + 1 : r->end;
    }
    if (*n > 0 && (*s)[*n - 1] == '\r')
        (*n)--;
    /* A UTF-8 byte-order mark opens the file, not the first field. */
    if (r->line == 0 && *n >= 3 && memcmp(*s, "\xEF\xBB\xBF", 3) == 0)
        *s += 3, *n -= 3;
    r->line++;
    return true;
}

static bool is_space(char c) { return c == ' ' || c == '\t'; }

bool csv_skip_line(const csv_reader *r, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && is_space(s[i]))
        i++;
    return i == n || (r->comment && s[i] == r->comment);
}

/* The length of the valid UTF-8 sequence at S (N bytes left), or 0. */
static size_t utf8_length(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t k = 1; k < len; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    /* No overlong forms, no surrogates, nothing past U+10FFFF. */
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) ||
        (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
        return 0;
    return len;
}

static int check_utf8(csv_reader *r, const char *s, size_t n, long col)
{
    for (size_t i = 0; i < n;) {
        size_t len = utf8_length((const unsigned char *)s + i, n - i);
        if (!len)
            return csv_fail(r, r->line, col,
                            "invalid UTF-8 (byte 0x%02X); save the file as UTF-8 "
                            "(a spreadsheet's \"CSV UTF-8\" format)",
                            (unsigned char)s[i]);
        i += len;
    }
    return LT_OK;
}

static bool ends_field(const csv_reader *r, char c)
{
    return r->delim == LT_CSV_WHITESPACE ? is_space(c) : c == r->delim;
}

/* Past spaces that are not the delimiter itself (a tab delimiter is no space). */
static size_t skip_spaces(const csv_reader *r, const char *s, size_t i, size_t n)
{
    while (i < n && is_space(s[i]) && (r->delim == LT_CSV_WHITESPACE || s[i] != r->delim))
        i++;
    return i;
}

static int grow(csv_reader *r, csv_fields *f, size_t n)
{
    /* Unquoting never lengthens a field, and each field adds one NUL. */
    if (f->text_cap < 2 * n + 2) {
        char *t = realloc(f->text, 2 * n + 2);
        if (!t)
            return csv_out_of_memory(r);
        f->text = t;
        f->text_cap = 2 * n + 2;
    }
    return LT_OK;
}

int csv_split(csv_reader *r, const char *s, size_t n, csv_fields *f)
{
    if (grow(r, f, n) != LT_OK)
        return LT_ERUNTIME;
    f->n = 0;
    size_t i = 0, out = 0;
    bool ws = r->delim == LT_CSV_WHITESPACE;
    if (ws)
        i = skip_spaces(r, s, 0, n);
    for (;;) {
        if (f->n == f->cap) {
            size_t cap = f->cap ? 2 * f->cap : 16;
            size_t *st = realloc(f->start, cap * sizeof *st);
            if (!st)
                return csv_out_of_memory(r);
            f->start = st;
            f->cap = cap;
        }
        long col = (long)f->n + 1;
        size_t begin = out;
        f->start[f->n++] = out;
        i = skip_spaces(r, s, i, n);
        if (i < n && s[i] == '"') {
            for (i++;; i++) {
                if (i == n)
                    return csv_fail(r, r->line, col,
                                    "unterminated quoted field (quotes cannot span lines); "
                                    "close the quote or double a quote inside it (\"\")");
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"')
                        i++; /* "" stands for one quote */
                    else
                        break;
                }
                f->text[out++] = s[i];
            }
            i = skip_spaces(r, s, i + 1, n);
            if (i < n && !ends_field(r, s[i]) && !(r->comment && s[i] == r->comment))
                return csv_fail(r, r->line, col,
                                "unexpected text after the closing quote of a field; "
                                "quote the whole field");
        } else {
            while (i < n && !ends_field(r, s[i]) && !(r->comment && s[i] == r->comment))
                f->text[out++] = s[i++];
            while (out > begin && is_space(f->text[out - 1]))
                out--;
        }
        int rc = check_utf8(r, f->text + begin, out - begin, col);
        if (rc != LT_OK)
            return rc;
        f->text[out++] = '\0';
        if (ws)
            i = skip_spaces(r, s, i, n);
        if (i == n || (r->comment && s[i] == r->comment))
            return LT_OK; /* a comment runs to the end of the line */
        if (!ws)
            i++; /* past the delimiter: another field follows, maybe empty */
    }
}

size_t csv_count_fields(const char *s, size_t n, char delim, char comment)
{
    bool ws = delim == LT_CSV_WHITESPACE, quoted = false;
    size_t fields = 1, i = 0;
    if (ws)
        while (i < n && is_space(s[i]))
            i++;
    for (; i < n; i++) {
        if (s[i] == '"')
            quoted = !quoted; /* a doubled quote toggles twice */
        else if (quoted)
            continue;
        else if (comment && s[i] == comment)
            break;
        else if (ws ? is_space(s[i]) : s[i] == delim) {
            if (ws) {
                while (i + 1 < n && is_space(s[i + 1]))
                    i++;
                if (i + 1 == n || (comment && s[i + 1] == comment))
                    break; /* trailing spaces end the line, not a field */
            }
            fields++;
        }
    }
    return fields;
}
