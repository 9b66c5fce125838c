/* What the run report and the sweep report share: the page frame with its
 * inline style and script, number formatting, embedded plots.
 *
 * Internal to src/core/report*.c. */
#ifndef LATENT_CORE_REPORT_PAGE_H
#define LATENT_CORE_REPORT_PAGE_H

#include <stdbool.h>
#include <stdio.h>

#include "io/json.h"

/* Writes everything up to and including <body>. The page's script marks
 * <html data-render="ok images:N/M"> once it has loaded: "ok" when no
 * script or resource error fired, N of M images decoded (the browser test
 * reads it). */
void lt_page_begin(FILE *f, const char *title);
/* Closes what lt_page_begin opened. */
void lt_page_end(FILE *f);

/* A short form of X for tables (six significant digits, integers whole). */
void lt_page_short_number(char *buf, size_t size, double x);

/* A table cell for a leaf value: numbers right-aligned, short, with the
 * full-precision value in data-v (what sorting reads) and title (what a
 * hover shows); FULL shows the full-precision value in the cell too. */
void lt_page_value_cell(FILE *f, const lt_json *v, bool full);

/* The text of a leaf value, full precision for numbers. BUF holds 32. */
const char *lt_page_value_text(const lt_json *v, char *buf);

/* A figure with the PNG at PATH embedded as a data URI and CAPTION (text)
 * under it; ID (may be NULL) becomes its anchor. A file that cannot be read
 * becomes a note saying so. */
void lt_page_figure(FILE *f, const char *path, const char *caption, const char *id);

/* Seconds as "14.4 ms" / "1.23 s" / "2 min 5 s". BUF holds 32. */
const char *lt_page_duration(char *buf, double seconds);

#endif
