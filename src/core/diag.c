#include "core/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void push(lt_diag *d, lt_severity severity, const char *file, int line, int col,
                 const char *message)
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
    lt_diag_item it = {.severity = severity, .line = line > 0 ? line : 0,
                       .col = line > 0 && col > 0 ? col : 0};
    it.file = file ? strdup(file) : NULL;
    it.message = strdup(message);
    size_t size = (file ? strlen(file) : 0) + strlen(message) + 32;
    it.text = malloc(size);
    if ((file && !it.file) || !it.message || !it.text) {
        free(it.file);
        free(it.message);
        free(it.text);
        d->dropped++;
        return;
    }
    if (!file)
        snprintf(it.text, size, "%s", message);
    else if (it.line && it.col)
        snprintf(it.text, size, "%s:%d:%d: %s", file, it.line, it.col, message);
    else if (it.line)
        snprintf(it.text, size, "%s:%d: %s", file, it.line, message);
    else
        snprintf(it.text, size, "%s: %s", file, message);
    d->items[d->n++] = it;
}

void lt_diag_add(lt_diag *d, const char *file, int line, int col,
                 const char *fmt, ...)
{
    char body[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    push(d, LT_SEV_ERROR, file, line, line > 0 ? col : 0, body);
}

void lt_diag_add_raw(lt_diag *d, const char *text)
{
    /* "FILE:LINE:COL: message", "FILE:LINE: message" or "FILE: message". */
    const char *sep = strstr(text, ": ");
    if (!sep) {
        push(d, LT_SEV_ERROR, NULL, 0, 0, text);
        return;
    }
    size_t head = (size_t)(sep - text);
    char file[1024];
    if (head >= sizeof file) {
        push(d, LT_SEV_ERROR, NULL, 0, 0, text);
        return;
    }
    memcpy(file, text, head);
    file[head] = '\0';
    int line = 0, col = 0;
    /* Peel ":COL" and ":LINE" off the end of the head, when they are numbers. */
    for (int part = 0; part < 2; part++) {
        char *colon = strrchr(file, ':');
        char *end;
        long v = colon ? strtol(colon + 1, &end, 10) : 0;
        if (!colon || colon[1] == '\0' || *end != '\0' || v <= 0 || v > 100000000)
            break;
        *colon = '\0';
        col = line;
        line = (int)v;
    }
    push(d, LT_SEV_ERROR, file, line, col, sep + 2);
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

static void print_item(const lt_diag_item *it, lt_diag_format format, FILE *f)
{
    const char *severity = it->severity == LT_SEV_ERROR ? "error" : "warning";
    switch (format) {
    case LT_DIAG_TEXT:
        fprintf(f, "%s\n", it->text);
        break;
    case LT_DIAG_JSON:
        fprintf(f, "{\"severity\": \"%s\", \"file\": ", severity);
        if (it->file)
            json_string(f, it->file);
        else
            fputs("null", f);
        fprintf(f, ", \"line\": %d, \"column\": %d, \"message\": ", it->line, it->col);
        json_string(f, it->message);
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
        }
        fputs("::", f);
        github_escaped(f, it->message, 0);
        fputc('\n', f);
        break;
    }
}

void lt_diag_print_as(const lt_diag *d, lt_diag_format format, FILE *f)
{
    for (size_t i = 0; i < d->n; i++)
        print_item(&d->items[i], format, f);
    if (d->dropped) {
        char msg[160];
        snprintf(msg, sizeof msg, "%zu more problem%s not shown (past the limit of %zu, or out of memory)",
                 d->dropped, d->dropped == 1 ? "" : "s", d->limit ? d->limit : 100);
        lt_diag_item note = {.severity = LT_SEV_ERROR, .message = msg, .text = msg};
        print_item(&note, format, f);
    }
}

void lt_diag_print(const lt_diag *d, FILE *f) { lt_diag_print_as(d, LT_DIAG_TEXT, f); }

void lt_diag_clear(lt_diag *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->items[i].file);
        free(d->items[i].message);
        free(d->items[i].text);
    }
    free(d->items);
    d->items = NULL;
    d->n = d->cap = d->dropped = 0;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 64 || nb > 64)
        return (size_t)-1;
    size_t row[65];
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

const char *lt_did_you_mean(const char *word, const char *const *candidates)
{
    const char *alias = lt_alias_of(word, candidates);
    if (alias)
        return alias;
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; candidates && candidates[i]; i++) {
        size_t d = edit_distance(word, candidates[i]);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    /* A third of the word's length, at least 1, at most 3 edits: beyond that
     * a suggestion is more confusing than helpful. */
    size_t allowed = strlen(word) / 3;
    if (allowed < 1)
        allowed = 1;
    if (allowed > 3)
        allowed = 3;
    return best_d <= allowed ? best : NULL;
}
