/* A reader for numeric tables in CSV text: dataset.csv and the embedded
 * breast-cancer table.
 *
 * Every value must be a finite decimal number (read with strtod, so the same
 * text gives the same double as Python's float()), except in the label
 * column. Label values may be numbers or any text; their distinct values,
 * sorted (numerically when all are numbers, else bytewise) become the
 * classes 0, 1, ..., as scikit-learn's LabelEncoder does, and their text the
 * class names. Fields may be quoted ("a, b" and "say ""hi""" work, but not
 * line breaks inside quotes); spaces around fields are ignored; CRLF line
 * ends, a UTF-8 byte-order mark and blank lines are accepted.
 *
 * Errors name the place as FILE:LINE:COLUMN (both 1-based: LINE as in the
 * file, COLUMN counting fields) and what was found there, e.g.
 *     data.csv:12:3: expected a number, found "abc"
 * and are recorded in the context with lt_fail_at. */
#ifndef LATENT_IO_CSV_H
#define LATENT_IO_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "latent/data.h"
#include "latent/stage.h"

typedef struct lt_csv_options {
    bool header;              /* the first table line names the columns */
    /* The column holding labels: NULL or "" for none; a name from the
     * header; or a 0-based index as text, negative counting from the end
     * ("-1" is the last column). */
    const char *label_column;
    char delimiter;           /* ',' usually; never '"' or a line break */
    int skip_lines;           /* lines before the table that are not read */
} lt_csv_options;

/* Parses LEN bytes of TEXT (which need not end in NUL); NAME is the file
 * name that messages show. On success returns LT_OK and stores in *out an
 * owned lt_data (free with lt_data_free) whose train split holds every row,
 * with feature names when there is a header and classes when there is a
 * label column. Otherwise returns LT_EINPUT for bad input or LT_ERUNTIME
 * when out of memory, with the error recorded in ctx, and *out untouched. */
int lt_csv_parse(lt_ctx *ctx, const char *name, const char *text, size_t len,
                 const lt_csv_options *opt, lt_data **out);

/* Reads the file PATH and parses it as lt_csv_parse does; a file that
 * cannot be read is LT_EINPUT ("PATH: cannot read: <strerror>"). */
int lt_csv_read(lt_ctx *ctx, const char *path, const lt_csv_options *opt,
                lt_data **out);

/* As lt_csv_read, but the train split is a stream (lt_mat.stream): the file
 * is parsed whole once here, so every error is reported now with its line
 * and column, and only the labels are kept; the stream then reads the rows
 * again on demand, a batch at a time. A file that changes between the two
 * reads gives a stream error that says so. */
int lt_csv_open_stream(lt_ctx *ctx, const char *path, const lt_csv_options *opt,
                       lt_data **out);

/* Writes S as one CSV field, quoted (with doubled quotes) when it holds a
 * comma, quote or line break. */
void lt_csv_write_field(FILE *f, const char *s);

#endif
