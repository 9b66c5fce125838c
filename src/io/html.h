/* Pieces of HTML output: escaped text and base64 for embedded files.
 *
 * Everything writes to a stdio stream; callers check ferror() once at the
 * end rather than after each call. */
#ifndef LATENT_HTML_H
#define LATENT_HTML_H

#include <stddef.h>
#include <stdio.h>

/* Writes S with &, <, >, " and ' escaped: safe in text and in quoted
 * attribute values. NULL writes nothing. */
void lt_html_text(FILE *f, const char *s);

/* Writes DATA[0..N) in base64 (RFC 4648, with padding). */
void lt_html_base64(FILE *f, const unsigned char *data, size_t n);

#endif
