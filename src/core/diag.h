/* Diagnostics: user-facing problems with their place in a file.
 *
 * Config checks add every problem they find and go on, so a user sees all
 * of them at once; the caller prints them and picks the exit status. Each
 * message is one line: "FILE:LINE:COL: message". */
#ifndef LATENT_CORE_DIAG_H
#define LATENT_CORE_DIAG_H

#include <stddef.h>
#include <stdio.h>

typedef struct lt_diag {
    char **lines; /* owned */
    size_t n, cap;
    size_t limit; /* stop recording after this many (0 = 100) */
} lt_diag;

/* Adds "FILE:LINE:COL: message" (LINE 0 leaves the position out). */
void lt_diag_add(lt_diag *d, const char *file, int line, int col,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Adds a line as it is. */
void lt_diag_add_raw(lt_diag *d, const char *line);
void lt_diag_print(const lt_diag *d, FILE *f);
void lt_diag_clear(lt_diag *d);

/* The candidate closest to WORD by edit distance, if close enough to be a
 * likely typo, else NULL. CANDIDATES is NULL-terminated. */
const char *lt_did_you_mean(const char *word, const char *const *candidates);

#endif
