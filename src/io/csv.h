/* A reader for numeric tables in CSV text: dataset.csv and the embedded
 * breast-cancer table.
 *
 * It reads CSVs as people have them, with pandas.read_csv's answers:
 * - the delimiter is given or sniffed (',', ';', tab, or runs of
 *   whitespace) from the first lines, and a file that comes out as one
 *   column while its lines hold another candidate says which to set;
 * - numbers are plain decimals (read with strtod, so the same text gives the
 *   same double as Python's float()) with '.' or ',' as the decimal mark;
 * - the fields in NA_VALUES (pandas' default set unless told otherwise) are
 *   missing: an error, a dropped row, or a NaN kept for an impute stage;
 * - columns are kept or ignored by name or index, and text columns must be
 *   one of those or the label column, whose distinct values, sorted
 *   (numerically when all are numbers, else by code point as np.unique),
 *   become the classes 0, 1, ... with their text as class names;
 * - fields may be quoted ("a; b" and "say ""hi""" work, but not line breaks
 *   inside quotes); spaces around fields are ignored; CRLF line ends, a
 *   UTF-8 byte-order mark, blank lines and comments are accepted; every
 *   field must be valid UTF-8.
 *
 * Errors name the place as FILE:LINE:COLUMN (both 1-based: LINE as in the
 * file, COLUMN counting fields), what was found there and what to do, e.g.
 *     data.csv:2:1: column 'cultivar' holds text ("Barbera"); name it as
 *     label_column or list it in ignore
 * and are recorded in the caller's diagnostics sink (lt_diag_data). */
#ifndef LATENT_IO_CSV_H
#define LATENT_IO_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "latent/data.h"
#include "latent/stage.h"
#include "util/diag.h"

/* What a missing value (a field in the NA set) does. */
enum lt_csv_missing {
    LT_CSV_MISSING_ERROR, /* a data error at its row and column */
    LT_CSV_MISSING_DROP,  /* the row is dropped and counted */
    LT_CSV_MISSING_KEEP,  /* the value is NaN, for an impute stage */
};

/* The delimiter value that means "runs of spaces and tabs". */
#define LT_CSV_WHITESPACE ' '

/* Column picks (columns, ignore, the label column) are texts: a header name,
 * or a 0-based index as text, negative counting from the end ("-1" is the
 * last column). A name is looked up first. */
typedef struct lt_csv_options {
    bool header;              /* the first table line names the columns */
    const char *label_column; /* NULL or "" for none */
    /* 0: sniff from the first lines; LT_CSV_WHITESPACE: runs of spaces and
     * tabs; else the one character (never '"' or a line break). */
    char delimiter;
    char decimal;             /* '.' (also for 0) or ',' */
    char comment;             /* 0 for none: the rest of a line from it is
                                 ignored, as pandas' comment= */
    int skip_lines;           /* lines before the table that are not read */
    const char *const *columns; /* n_columns picks to keep (in file order) */
    size_t n_columns;           /* 0: every column */
    const char *const *ignore;  /* n_ignore picks to drop */
    size_t n_ignore;
    const char *const *na_values; /* n_na_values more missing-value texts */
    size_t n_na_values;
    bool no_default_na; /* pandas' keep_default_na=False: only na_values */
    enum lt_csv_missing missing;
} lt_csv_options;

/* What a successful read counted, for the stage's metrics. */
typedef struct lt_csv_counts {
    size_t rows;           /* data rows kept */
    size_t rows_dropped;   /* rows dropped for a missing value */
    size_t missing_values; /* NaN cells kept (missing: keep) */
    char delimiter;        /* the delimiter used (sniffed or given) */
} lt_csv_counts;

/* Parses LEN bytes of TEXT (which need not end in NUL); NAME is the file
 * name that messages show. On success returns LT_OK and stores in *out an
 * owned lt_data (free with lt_data_free) whose train split holds every kept
 * row, with feature names when there is a header and classes when there is
 * a label column, and fills *counts when not NULL. Otherwise returns
 * LT_EINPUT for bad input or LT_ERUNTIME when out of memory, with the error
 * recorded in DIAG, and *out untouched. */
int lt_csv_parse(lt_diag *diag, const char *name, const char *text, size_t len,
                 const lt_csv_options *opt, lt_data **out, lt_csv_counts *counts);

/* Reads the file PATH and parses it as lt_csv_parse does; a file that
 * cannot be read is LT_EINPUT ("PATH: cannot read: <strerror>"). */
int lt_csv_read(lt_diag *diag, const char *path, const lt_csv_options *opt,
                lt_data **out, lt_csv_counts *counts);

/* As lt_csv_read, but the train split is a stream (lt_mat.stream): the file
 * is parsed whole once here, so every error is reported now with its line
 * and column, and only the labels are kept; the stream then reads the rows
 * again on demand, a batch at a time, with the same options (dropped rows
 * stay dropped, kept missing values are NaN). A file that changes between
 * the two reads gives a stream error that says so. */
int lt_csv_open_stream(lt_diag *diag, const char *path, const lt_csv_options *opt,
                       lt_data **out, lt_csv_counts *counts);

/* The checks `latent validate` makes without reading the whole file: PATH
 * exists and is readable, the delimiter sniffs (or the given one splits the
 * header), and the header has every column the options pick. Reads at most
 * the first 64 KiB. Returns LT_OK or the code of the error recorded in DIAG. */
int lt_csv_probe(lt_diag *diag, const char *path, const lt_csv_options *opt);

/* Writes S as one CSV field, quoted (with doubled quotes) when it holds a
 * comma, quote or line break. */
void lt_csv_write_field(FILE *f, const char *s);

#endif
