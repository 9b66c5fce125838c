#include "core/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void push(lt_diag *d, char *line)
{
    size_t limit = d->limit ? d->limit : 100;
    if (!line || d->n >= limit) {
        free(line);
        return;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 8;
        char **lines = realloc(d->lines, cap * sizeof *lines);
        if (!lines) {
            free(line);
            return;
        }
        d->lines = lines;
        d->cap = cap;
    }
    d->lines[d->n++] = line;
}

void lt_diag_add(lt_diag *d, const char *file, int line, int col,
                 const char *fmt, ...)
{
    char body[1024], *out = malloc(1400);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    if (out) {
        if (line > 0)
            snprintf(out, 1400, "%s:%d:%d: %s", file, line, col, body);
        else
            snprintf(out, 1400, "%s: %s", file, body);
    }
    push(d, out);
}

void lt_diag_add_raw(lt_diag *d, const char *line) { push(d, strdup(line)); }

void lt_diag_print(const lt_diag *d, FILE *f)
{
    for (size_t i = 0; i < d->n; i++)
        fprintf(f, "%s\n", d->lines[i]);
}

void lt_diag_clear(lt_diag *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->lines[i]);
    free(d->lines);
    d->lines = NULL;
    d->n = d->cap = 0;
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
