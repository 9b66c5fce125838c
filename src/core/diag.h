/* Diagnostics: user-facing problems with their place in a file.
 *
 * Config checks add every problem they find and go on, so a user sees all
 * of them at once; the caller prints them and picks the exit status. Each
 * problem is kept as its parts (severity, file, line, column, message) and
 * printed by one formatter, as a line "FILE:LINE:COL: message" for people,
 * as JSON lines for programs, or as GitHub Actions workflow commands so a CI
 * job shows them on the pull request's lines. */
#ifndef LATENT_CORE_DIAG_H
#define LATENT_CORE_DIAG_H

#include <stddef.h>
#include <stdio.h>

typedef enum lt_severity { LT_SEV_ERROR, LT_SEV_WARNING } lt_severity;

typedef struct lt_diag_item {
    lt_severity severity;
    char *file;    /* owned; NULL when the problem has no file */
    int line, col; /* 1-based; 0 when unknown */
    char *message; /* owned; the problem without its position */
    char *text;    /* owned; the line people read: "FILE:LINE:COL: message" */
} lt_diag_item;

typedef struct lt_diag {
    lt_diag_item *items; /* owned */
    size_t n, cap;
    size_t limit;   /* stop recording after this many (0 = 100) */
    size_t dropped; /* problems past the limit or lost for want of memory */
} lt_diag;

typedef enum lt_diag_format {
    LT_DIAG_TEXT,   /* FILE:LINE:COL: message */
    LT_DIAG_JSON,   /* {"severity": ..., "file": ..., "line": ..., "column": ..., "message": ...} */
    LT_DIAG_GITHUB, /* ::error file=FILE,line=LINE,col=COL::message */
} lt_diag_format;

/* Adds "FILE:LINE:COL: message" (LINE 0 leaves the position out). */
void lt_diag_add(lt_diag *d, const char *file, int line, int col,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Adds a line already formatted by lt_diag_add's rule (a stage's error from
 * a run); its position is read back from its "FILE:LINE:COL: " prefix. */
void lt_diag_add_raw(lt_diag *d, const char *line);
/* Problems found, recorded or not: what callers count to decide. */
size_t lt_diag_count(const lt_diag *d);
/* The I-th recorded problem's line as people read it (owned by D). */
const char *lt_diag_line(const lt_diag *d, size_t i);
/* "text", "json" or "github" to its format; -1 for anything else. */
int lt_diag_format_parse(const char *name);
/* Prints every recorded problem in FORMAT, then, when some were dropped, a
 * line saying how many. */
void lt_diag_print_as(const lt_diag *d, lt_diag_format format, FILE *f);
void lt_diag_print(const lt_diag *d, FILE *f); /* LT_DIAG_TEXT */
void lt_diag_clear(lt_diag *d);

/* The candidate closest to WORD by edit distance, if close enough to be a
 * likely typo, else NULL. CANDIDATES is NULL-terminated. */
const char *lt_did_you_mean(const char *word, const char *const *candidates);
/* Ours among CANDIDATES for a scikit-learn or Keras name (PCA -> pca,
 * svd_solver -> solver), or NULL. The table is in aliases.c. */
const char *lt_alias_of(const char *word, const char *const *candidates);

#endif
