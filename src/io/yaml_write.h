/* Writing a JSON value as YAML that reads back to the same value: block
 * style for the top two levels (a pipeline's keys and its stages), flow
 * style ("{a: 1, b: [2, 3]}") for anything that fits on its line, literal
 * blocks for text with line breaks. run.json's resolved configuration is
 * shown this way in report.html, where keys are highlighted and the text
 * escaped for HTML: MARKUP says how. */
#ifndef LATENT_IO_YAML_WRITE_H
#define LATENT_IO_YAML_WRITE_H

#include <stdio.h>

#include "io/json.h"

typedef struct lt_yaml_markup {
    void (*text)(FILE *f, const char *s); /* writes YAML text; NULL: as it is */
    const char *key_open, *key_close;     /* around each mapping key; NULL: nothing */
} lt_yaml_markup;

/* Writes V, a non-empty object or array, in block style at column 0. MARKUP
 * may be NULL for plain YAML. */
void lt_yaml_write(FILE *f, const lt_json *v, const lt_yaml_markup *markup);

#endif
