#include "util/diag.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define X(id, name, help) const char lt_code_##id[] = name;
LT_DIAG_CODES
#undef X

/* "FILE:LINE:COL: " (or less, as much as is known) into BUF. */
static void position(char *buf, size_t size, const char *file, int line, int col)
{
    if (!file)
        snprintf(buf, size, "%s", "");
    else if (line && col)
        snprintf(buf, size, "%s:%d:%d: ", file, line, col);
    else if (line)
        snprintf(buf, size, "%s:%d: ", file, line);
    else
        snprintf(buf, size, "%s: ", file);
}

/* The line people read, as compilers write theirs ("FILE:LINE:COL: warning:
 * ..." for a warning). A note stays on the same line, since every error
 * is one line: "(first defined at line 4)", or with its file when the
 * second position is in another one. */
static char *render_text(const lt_diag_item *it)
{
    char where[1200], note[1400] = "";
    position(where, sizeof where, it->file, it->line, it->col);
    if (it->note && it->note_file && (!it->file || strcmp(it->note_file, it->file) != 0)) {
        char at[1200];
        position(at, sizeof at, it->note_file, it->note_line, it->note_col);
        at[strlen(at) - 2] = '\0'; /* without its ": " */
        snprintf(note, sizeof note, " (%s at %s)", it->note, at);
    } else if (it->note) {
        snprintf(note, sizeof note, " (%s at line %d)", it->note, it->note_line);
    }
    const char *kind = it->severity == LT_SEV_WARNING ? "warning: " : "";
    size_t size = strlen(where) + strlen(kind) + strlen(it->message) + strlen(note) + 1;
    char *text = malloc(size);
    if (text)
        snprintf(text, size, "%s%s%s%s", where, kind, it->message, note);
    return text;
}

static void free_item(lt_diag_item *it)
{
    free(it->file);
    free(it->path);
    free(it->message);
    free(it->note);
    free(it->note_file);
    free(it->text);
}

static char *dup_or_null(const char *s, bool *failed)
{
    char *copy = s ? strdup(s) : NULL;
    if (s && !copy)
        *failed = true;
    return copy;
}

/* Records a deep copy of IT; on any failure records nothing and counts it
 * as dropped. */
static void push(lt_diag *d, const lt_diag_item *it)
{
    size_t limit = d->limit ? d->limit : 100;
    if (d->n >= limit) {
        d->dropped++;
        return;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 8;
        lt_diag_item *items = realloc(d->items, cap * sizeof *items);
        if (!items) {
            d->dropped++;
            return;
        }
        d->items = items;
        d->cap = cap;
    }
    bool failed = false;
    lt_diag_item copy = {
        .severity = it->severity, .code = it->code ? it->code : lt_code_stage_runtime,
        .line = it->line > 0 ? it->line : 0, .col = it->line > 0 && it->col > 0 ? it->col : 0,
        .note_line = it->note_line, .note_col = it->note_col,
    };
    copy.file = dup_or_null(it->file, &failed);
    copy.path = dup_or_null(it->path, &failed);
    copy.message = dup_or_null(it->message ? it->message : "", &failed);
    copy.note = dup_or_null(it->note, &failed);
    copy.note_file = dup_or_null(it->note_file, &failed);
    if (!failed && !(copy.text = render_text(&copy)))
        failed = true;
    if (failed) {
        free_item(&copy);
        d->dropped++;
        return;
    }
    d->items[d->n++] = copy;
}

static void report(lt_diag *d, lt_severity severity, const lt_diag_at *at, const char *fmt,
                   va_list ap)
{
    char body[1024];
    vsnprintf(body, sizeof body, fmt, ap);
    lt_diag_item it = {.severity = severity, .code = at->code, .file = (char *)at->file,
                       .line = at->line, .col = at->col, .path = (char *)at->path, .message = body};
    push(d, &it);
}

void lt_diag_report(lt_diag *d, lt_severity severity, lt_diag_at at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(d, severity, &at, fmt, ap);
    va_end(ap);
}

void lt_diag_add(lt_diag *d, const char *code, const char *file, int line, int col,
                 const char *fmt, ...)
{
    lt_diag_at at = {.code = code, .file = file, .line = line, .col = col};
    va_list ap;
    va_start(ap, fmt);
    report(d, LT_SEV_ERROR, &at, fmt, ap);
    va_end(ap);
}

void lt_diag_add_at(lt_diag *d, const char *code, const char *path, const char *file, int line,
                    int col, const char *fmt, ...)
{
    lt_diag_at at = {.code = code, .file = file, .line = line, .col = col, .path = path};
    va_list ap;
    va_start(ap, fmt);
    report(d, LT_SEV_ERROR, &at, fmt, ap);
    va_end(ap);
}

lt_diag_at lt_diag_data_at(int status, const char *file, long row, long col)
{
    /* Rows past INT_MAX keep their file, not a wrapped number. */
    bool fits = row > 0 && row < 2147483647L && col < 2147483647L;
    return (lt_diag_at){.code = status == 2 ? lt_code_data : lt_code_resource, .file = file,
                        .line = fits ? (int)row : 0, .col = fits && col > 0 ? (int)col : 0};
}

int lt_diag_data(lt_diag *d, int status, const char *file, long row, long col, const char *fmt, ...)
{
    if (!d || !fmt)
        return status;
    lt_diag_at at = lt_diag_data_at(status, file, row, col);
    va_list ap;
    va_start(ap, fmt);
    report(d, LT_SEV_ERROR, &at, fmt, ap);
    va_end(ap);
    return status;
}

void lt_diag_note(lt_diag *d, const char *file, int line, int col, const char *what)
{
    if (!d->n)
        return;
    lt_diag_item *it = &d->items[d->n - 1];
    char *note = strdup(what), *note_file = file ? strdup(file) : NULL;
    if (!note || (file && !note_file)) {
        free(note);
        free(note_file);
        return; /* the problem stands without its second position */
    }
    free(it->note);
    free(it->note_file);
    it->note = note;
    it->note_file = note_file;
    it->note_line = line;
    it->note_col = col;
    char *text = render_text(it);
    if (text) {
        free(it->text);
        it->text = text;
    }
}

void lt_diag_amend(lt_diag *d, size_t i, const char *more)
{
    if (i >= d->n)
        return;
    lt_diag_item *it = &d->items[i];
    size_t size = strlen(it->message) + strlen(more) + 1;
    char *message = malloc(size);
    if (!message)
        return;
    snprintf(message, size, "%s%s", it->message, more);
    char *old = it->message;
    it->message = message;
    char *text = render_text(it);
    if (!text) {
        it->message = old; /* message and text keep telling the same */
        free(message);
        return;
    }
    free(old);
    free(it->text);
    it->text = text;
}

void lt_diag_push(lt_diag *d, const lt_diag_item *it) { push(d, it); }

void lt_diag_merge(lt_diag *d, const lt_diag *from)
{
    for (size_t i = 0; i < from->n; i++) {
        const lt_diag_item *it = &from->items[i];
        bool held = false;
        for (size_t k = 0; k < d->n && !held; k++)
            held = d->items[k].severity == it->severity && strcmp(d->items[k].code, it->code) == 0 &&
                   strcmp(d->items[k].text, it->text) == 0;
        if (!held)
            push(d, it);
    }
    if (from->dropped > d->dropped)
        d->dropped = from->dropped; /* at least as many as FROM lost */
}

/* Whether A comes after B in the file's order. */
static bool after(const lt_diag_item *a, const lt_diag_item *b)
{
    int by_file = !a->file || !b->file ? (a->file != NULL) - (b->file != NULL) : strcmp(a->file, b->file);
    if (by_file)
        return by_file > 0;
    return a->line != b->line ? a->line > b->line : a->col > b->col;
}

void lt_diag_sort(lt_diag *d)
{
    /* Insertion: stable, and the lists are short. */
    for (size_t i = 1; i < d->n; i++) {
        lt_diag_item it = d->items[i];
        size_t k = i;
        for (; k > 0 && after(&d->items[k - 1], &it); k--)
            d->items[k] = d->items[k - 1];
        d->items[k] = it;
    }
}

void lt_diag_emit(lt_diag_format format, const char *code, const char *file, const char *fmt, ...)
{
    lt_diag one = {.limit = 1};
    lt_diag_at at = {.code = code, .file = file};
    va_list ap;
    va_start(ap, fmt);
    report(&one, LT_SEV_ERROR, &at, fmt, ap);
    va_end(ap);
    lt_diag_print_as(&one, format, lt_diag_stream(format));
    lt_diag_clear(&one);
}

size_t lt_diag_count(const lt_diag *d) { return d->n + d->dropped; }

const char *lt_diag_line(const lt_diag *d, size_t i) { return i < d->n ? d->items[i].text : NULL; }

int lt_diag_format_parse(const char *name)
{
    static const char *const names[] = {"text", "json", "github"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, names[i]))
            return i;
    return -1;
}

/* A JSON string, escaped as RFC 8259 asks. */
static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* GitHub's workflow-command escaping: the message escapes %, CR and LF; a
 * property value also ':' and ','. */
static void github_escaped(FILE *f, const char *s, int property)
{
    for (const char *p = s; *p; p++) {
        if (*p == '%')
            fputs("%25", f);
        else if (*p == '\r')
            fputs("%0D", f);
        else if (*p == '\n')
            fputs("%0A", f);
        else if (property && *p == ':')
            fputs("%3A", f);
        else if (property && *p == ',')
            fputs("%2C", f);
        else
            fputc(*p, f);
    }
}

static void json_position(FILE *f, const char *file, int line, int col)
{
    fputs("\"file\": ", f);
    if (file)
        json_string(f, file);
    else
        fputs("null", f);
    fprintf(f, ", \"line\": %d, \"column\": %d", line, col);
}

void lt_diag_print_item(const lt_diag_item *it, lt_diag_format format, FILE *f)
{
    const char *severity = it->severity == LT_SEV_ERROR ? "error" : "warning";
    switch (format) {
    case LT_DIAG_TEXT:
        fprintf(f, "%s\n", it->text);
        break;
    case LT_DIAG_JSON:
        fprintf(f, "{\"severity\": \"%s\", \"code\": \"%s\", ", severity, it->code);
        json_position(f, it->file, it->line, it->col);
        fputs(", \"path\": ", f);
        if (it->path)
            json_string(f, it->path);
        else
            fputs("null", f);
        fputs(", \"message\": ", f);
        json_string(f, it->message);
        if (it->note) {
            fputs(", \"note\": {\"message\": ", f);
            json_string(f, it->note);
            fputs(", ", f);
            json_position(f, it->note_file ? it->note_file : it->file, it->note_line, it->note_col);
            fputc('}', f);
        }
        fputs("}\n", f);
        break;
    case LT_DIAG_GITHUB:
        fprintf(f, "::%s", severity);
        if (it->file) {
            fputs(" file=", f);
            github_escaped(f, it->file, 1);
            if (it->line)
                fprintf(f, ",line=%d", it->line);
            if (it->col)
                fprintf(f, ",col=%d", it->col);
            fputs(",title=", f);
        } else {
            fputs(" title=", f);
        }
        github_escaped(f, it->code, 1);
        fputs("::", f);
        github_escaped(f, it->message, 0);
        fputc('\n', f);
        break;
    }
}

FILE *lt_diag_stream(lt_diag_format format) { return format == LT_DIAG_TEXT ? stderr : stdout; }

void lt_diag_print_as(const lt_diag *d, lt_diag_format format, FILE *f)
{
    for (size_t i = 0; i < d->n; i++)
        lt_diag_print_item(&d->items[i], format, f);
    if (d->dropped) {
        char msg[160];
        snprintf(msg, sizeof msg, "%zu more problem%s not shown (past the limit of %zu, or out of memory)",
                 d->dropped, d->dropped == 1 ? "" : "s", d->limit ? d->limit : 100);
        lt_diag_item note = {.severity = LT_SEV_ERROR, .code = lt_code_resource, .message = msg,
                             .text = msg};
        lt_diag_print_item(&note, format, f);
    }
}

void lt_diag_print(const lt_diag *d, FILE *f) { lt_diag_print_as(d, LT_DIAG_TEXT, f); }

void lt_diag_clear(lt_diag *d)
{
    for (size_t i = 0; i < d->n; i++)
        free_item(&d->items[i]);
    free(d->items);
    d->items = NULL;
    d->n = d->cap = d->dropped = 0;
}

