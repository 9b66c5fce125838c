/* The CSV reader's parts, shared by its files and by nothing else:
 *   csv_scan.c     lines and fields (quotes, comments, UTF-8)
 *   csv_sniff.c    the delimiter from the first lines, and the one-column hint
 *   csv_number.c   numbers with either decimal mark, missing-value texts
 *   csv_columns.c  which file column is a feature, the label or dropped
 *   csv_labels.c   label texts to classes
 *   csv_table.c    rows into a matrix, missing values as the options say
 *   csv.c          the whole file, held; csv_stream.c  the file as a stream */
#ifndef LATENT_IO_CSV_IMPL_H
#define LATENT_IO_CSV_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "io/csv.h"

/* ---- lines and fields (csv_scan.c) ---------------------------------------- */

typedef struct csv_reader {
    lt_diag *diag;          /* NULL: report nothing (a stream's second read) */
    const char *name;     /* the file as messages show it */
    const char *p, *end;  /* the text not read yet */
    FILE *file;           /* or, when not NULL, the file read line by line */
    char *buf;            /* file mode: the line read last (owned) */
    size_t buf_cap;
    long line;            /* 1-based number of the line read last */
    char delim;           /* LT_CSV_WHITESPACE for runs of spaces and tabs */
    char comment;         /* 0 for none */
    char decimal;         /* '.' or ',' */
} csv_reader;

/* One line split into fields: field i is the NUL-terminated, unquoted text
 * at text + start[i]. Reused from line to line; owned by the parser. */
typedef struct csv_fields {
    char *text;
    size_t text_cap;
    size_t *start;
    size_t n, cap;
} csv_fields;

void csv_fields_free(csv_fields *f);
static inline const char *csv_field(const csv_fields *f, size_t i)
{
    return f->text + f->start[i];
}

/* Sets *s and *n to the next line without its line break (LF or CRLF),
 * past a UTF-8 byte-order mark on the first. False at the end of the text. */
bool csv_next_line(csv_reader *r, const char **s, size_t *n);
/* True for a line that holds no table row: only spaces, or a comment. */
bool csv_skip_line(const csv_reader *r, const char *s, size_t n);
/* Splits line S (N bytes) into F, checking that it is valid UTF-8.
 * Returns LT_OK, or an error recorded (LT_EINPUT; LT_ERUNTIME out of memory). */
int csv_split(csv_reader *r, const char *s, size_t n, csv_fields *f);
/* Counts the fields of S with delimiter DELIM, quotes honoured, errors not. */
size_t csv_count_fields(const char *s, size_t n, char delim, char comment);
int csv_out_of_memory(csv_reader *r);
/* Records a problem at LINE, COL of R's file (nothing when R has no sink)
 * and returns LT_EINPUT. */
int csv_fail(csv_reader *r, long line, long col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- the delimiter (csv_sniff.c) ---------------------------------------- */

/* The delimiter of the LEN bytes of TEXT, the file's start: opt's, or the
 * one candidate (',' ';' tab) that splits the first table lines into equal
 * numbers (> 1) of fields, else whitespace if that does. Sets *delim.
 * Returns LT_OK, or LT_EINPUT with the error recorded when two candidates
 * fit equally (ambiguous). */
int csv_sniff(csv_reader *r, const char *text, size_t len, const lt_csv_options *opt,
              char *delim);
/* After a first table line S (the header when HEADER) of one field only: an
 * error naming the candidate delimiter the line holds, if any. Returns
 * LT_OK when it holds none. */
int csv_one_column_hint(csv_reader *r, const char *s, size_t n, char decimal, bool header);
/* "','", "';'", "tab", "whitespace": how messages name a delimiter. */
const char *csv_delim_name(char delim, char buf[8]);

/* ---- numbers (csv_number.c) ---------------------------------------------- */

enum csv_number { NUM_OK, NUM_SYNTAX, NUM_NAN, NUM_INF, NUM_RANGE };

/* Reads S as a finite decimal number: [+-]digits[D digits][(e|E)[+-]digits]
 * with D the decimal mark ('.' or ','), digits on at least one side of it.
 * Anything strtod would also take (hex, "nan", "inf", leading junk) is
 * refused with a reason. */
enum csv_number csv_parse_number(const char *s, char decimal, double *v);
/* True when S is one of the missing-value texts OPT names. */
bool csv_is_na(const lt_csv_options *opt, const char *s);

/* ---- columns (csv_columns.c) --------------------------------------------- */

enum { CSV_DROP = -1, CSV_LABEL = -2 };

/* What each file column is: role[i] is a feature index, CSV_LABEL or
 * CSV_DROP. Owned; csv_layout_free. */
typedef struct csv_layout {
    size_t cols;       /* fields per line */
    int *role;         /* cols entries */
    long label;        /* the label's file column, or -1 */
    size_t n_features;
    char **names;      /* n_features header names, or NULL without a header */
} csv_layout;

/* Resolves OPT's picks against the first table line F (the header when
 * opt->header) seen at LINE. Returns LT_OK, or the error recorded. */
int csv_layout_init(csv_reader *r, csv_layout *L, const csv_fields *f,
                    const lt_csv_options *opt, long line);
void csv_layout_free(csv_layout *L);
/* How messages name file column I: "'name'" or "3" (1-based). */
const char *csv_column_name(const csv_layout *L, size_t i, char *buf, size_t size);

/* ---- rows (csv_table.c) --------------------------------------------------- */

enum csv_row { ROW_OK, ROW_DROP, ROW_BAD };

/* Converts data row F into OUT (n_features values; NaN for a missing value
 * kept) and, with a label column, *label (borrowed from F). ROW_DROP for a
 * row with a missing value under missing: drop; ROW_BAD for any other
 * problem, recorded in r's context when it has one. *n_missing counts the
 * NaN cells written. */
enum csv_row csv_convert_row(csv_reader *r, const csv_layout *L, const lt_csv_options *opt,
                             const csv_fields *f, double *out, const char **label,
                             size_t *n_missing);

/* What the parser builds, freed by csv_table_free unless handed on. */
typedef struct csv_table {
    bool streaming;   /* rows are checked, not kept: x has room for one */
    csv_layout L;
    size_t rows;      /* data rows kept so far */
    size_t capacity;  /* rows x, labels and y have room for */
    lt_mat *x;        /* capacity rows; x->rows is set at the end */
    char **labels;    /* label text per row, when L.label >= 0 */
    int *y;
    size_t *id;       /* each kept row's data row in the file, once a row was
                         dropped (NULL before: kept rows are the file's rows) */
    lt_csv_counts counts;
} csv_table;

int csv_table_init(csv_reader *r, csv_table *t, const csv_fields *f,
                   const lt_csv_options *opt, size_t max_rows);
int csv_table_add(csv_reader *r, csv_table *t, const csv_fields *f,
                  const lt_csv_options *opt);
/* The error for a table that kept no row: what the file held instead (it
 * was EMPTY_FILE, only blank lines when HEADER_LINE is 0, or DROPPED rows). */
int csv_no_rows(csv_reader *r, bool empty_file, long header_line, size_t dropped);
/* Moves the finished table into a new lt_data. */
int csv_table_finish(csv_reader *r, csv_table *t, lt_data **out);
void csv_table_free(csv_table *t);

/* ---- labels (csv_labels.c) ------------------------------------------------ */

/* Maps the label texts of ROWS rows to classes: sorted distinct values, as
 * numbers when every label is one. Fills y[row] and d's class names. */
int csv_encode_labels(csv_reader *r, char **texts, size_t rows, char decimal, int *y,
                      lt_data *d);

#endif
