/* Diagnostics: user-facing problems with their place in a file.
 *
 * Config checks add every problem they find and go on, so a user sees all
 * of them at once; the caller prints them and picks the exit status. Each
 * problem is kept as its parts (severity, a stable code, file, line, column,
 * config path, message, and an optional second position) and printed by one
 * formatter, as a line "FILE:LINE:COL: message" for people, as JSON lines for
 * programs, or as GitHub Actions workflow commands so a CI job shows them on
 * the pull request's lines. A stage's runtime error and a warning are items
 * too (core/ctx.c), so --format applies to every message a run prints; so
 * is a data file's problem, which the io readers record here themselves
 * (lt_diag_data), below the run's context. */
#ifndef LATENT_UTIL_DIAG_H
#define LATENT_UTIL_DIAG_H

#include <stddef.h>
#include <stdio.h>

typedef enum lt_severity { LT_SEV_ERROR, LT_SEV_WARNING } lt_severity;

/* One problem, kept as its parts so that every format prints the same
 * facts. CODE is a stable name for the kind of problem, for programs that
 * filter or count them (the list is LT_DIAG_CODES below); PATH says where
 * in the pipeline's tree the value sits, independent of the file's layout;
 * the note is an optional second position ("first defined here"). */
typedef struct lt_diag_item {
    lt_severity severity;
    const char *code; /* static storage; never NULL */
    char *file;       /* owned; NULL when the problem has no file */
    int line, col;    /* 1-based; 0 when unknown */
    char *path;       /* owned; e.g. "stages.pca.with.n_components"; NULL: none */
    char *message;    /* owned; the problem without its position */
    char *note;       /* owned; words for the second position, or NULL */
    char *note_file;  /* owned; NULL: the same file as the problem */
    int note_line, note_col;
    char *text;       /* owned; the line people read: "FILE:LINE:COL: message" */
} lt_diag_item;

/* The stable codes, one per kind of problem. Adding one is fine; renaming
 * or removing one breaks the programs that read --format json. */
#define LT_DIAG_CODES                                                                              \
    X(yaml_syntax, "yaml.syntax", "the file is not valid YAML, or uses YAML latent refuses")      \
    X(key_unknown, "key.unknown", "a key latent does not know, at the top level or in a stage")   \
    X(key_missing, "key.missing", "a key that must be there is not")                              \
    X(key_shape, "key.shape", "a key's value has the wrong shape (a list for a mapping, ...)")    \
    X(set_syntax, "set.syntax", "a --set option that does not read STAGE.PARAM=VALUE")            \
    X(stage_kind, "stage.kind", "`use:` names no stage kind latent knows")                        \
    X(param_type, "param.type", "a parameter's value has the wrong type")                         \
    X(param_value, "param.value", "a parameter's value is out of range or does not fit the rest") \
    X(input, "input", "an `input:` names no stage or output, or a wrong kind of value")           \
    X(graph, "graph", "the stages do not form a pipeline (a cycle, a missing input)")             \
    X(expect, "expect", "an `expect:` entry that is malformed or names no metric")                \
    X(sweep, "sweep", "a `sweep:` entry that is malformed or names no parameter")                 \
    X(model, "model", "a saved model (`from:`) that is missing, damaged or does not fit")         \
    X(data, "data", "a data file that is missing or holds what cannot be read")                   \
    X(stage_input, "stage.input", "a stage refused its input or its parameters at run time")      \
    X(stage_runtime, "stage.runtime", "a stage failed while running (diverged, non-finite, ...)") \
    X(resource, "resource", "out of memory, or a file that cannot be read or written")                    \
    X(warning, "warning", "something a run went on past, as a warning")

#define X(id, name, help) extern const char lt_code_##id[];
LT_DIAG_CODES
#undef X

typedef struct lt_diag {
    lt_diag_item *items; /* owned */
    size_t n, cap;
    size_t limit;   /* stop recording after this many (0 = 100) */
    size_t dropped; /* problems past the limit or lost for want of memory */
} lt_diag;

typedef enum lt_diag_format {
    LT_DIAG_TEXT,   /* FILE:LINE:COL: message */
    LT_DIAG_JSON,   /* {"severity", "code", "file", "line", "column", "path", "message", "note"?} */
    LT_DIAG_GITHUB, /* ::error file=FILE,line=LINE,col=COL,title=CODE::message */
} lt_diag_format;

/* Where a problem is: its code (lt_code_*), file position (LINE 0 leaves the
 * position out) and config path (may be NULL). All borrowed. */
typedef struct lt_diag_at {
    const char *code;
    const char *file;
    int line, col;
    const char *path;
} lt_diag_at;

/* Records an error (or a warning) at AT. */
void lt_diag_report(lt_diag *d, lt_severity severity, lt_diag_at at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Shorthand: an error with no config path. */
void lt_diag_add(lt_diag *d, const char *code, const char *file, int line, int col,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Shorthand: an error at config PATH (the pipeline's tree: "seed",
 * "expect.pca.explained_variance"; NULL: none). */
void lt_diag_add_at(lt_diag *d, const char *code, const char *path, const char *file, int line,
                    int col, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* Records a problem inside data file FILE at ROW, COL (1-based; 0 leaves
 * them out) with code "data" (STATUS 2, bad input) or "resource" (3: out of
 * memory, an I/O failure), and returns STATUS. A NULL D records nothing: a
 * reader re-reading checked data only needs the status. */
int lt_diag_data(lt_diag *d, int status, const char *file, long row, long col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Where lt_diag_data puts such a problem (FILE borrowed): for a caller that
 * records it elsewhere, as the run's context does with lt_fail_at. */
lt_diag_at lt_diag_data_at(int status, const char *file, long row, long col);
/* Gives the last recorded problem its second position: WHAT (e.g. "first
 * defined") at FILE (NULL: the problem's own file), LINE, COL. */
void lt_diag_note(lt_diag *d, const char *file, int line, int col, const char *what);
/* Appends MORE to the I-th recorded problem's message (and its line as
 * people read it): for a caller that knows more about the value than the
 * check that found it. Out of memory, the problem stays as it was. */
void lt_diag_amend(lt_diag *d, size_t i, const char *more);
/* Records a copy of IT (a stage's error kept by its context). */
void lt_diag_push(lt_diag *d, const lt_diag_item *it);
/* Records copies of FROM's problems that D does not hold yet (the same
 * severity, code and line as people read it): for a check repeated over a
 * sweep's points, which repeat the problems they share. */
void lt_diag_merge(lt_diag *d, const lt_diag *from);
/* Orders D's problems by file, line and column, those without a file or
 * line first; problems at one place keep their order. */
void lt_diag_sort(lt_diag *d);
/* Prints one error at FILE (no line) in FORMAT at once: for a runner's
 * problem that ends the command (a folder it cannot write). */
void lt_diag_emit(lt_diag_format format, const char *code, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Problems found, recorded or not: what callers count to decide. */
size_t lt_diag_count(const lt_diag *d);
/* The I-th recorded problem's line as people read it (owned by D). */
const char *lt_diag_line(const lt_diag *d, size_t i);
/* "text", "json" or "github" to its format; -1 for anything else. */
int lt_diag_format_parse(const char *name);
/* Prints one problem in FORMAT: the one formatter every message goes through. */
void lt_diag_print_item(const lt_diag_item *it, lt_diag_format format, FILE *f);
/* The stream FORMAT goes to: people read stderr; CI runners read workflow
 * commands and programs read JSON lines on stdout. */
FILE *lt_diag_stream(lt_diag_format format);
/* Prints every recorded problem in FORMAT, then, when some were dropped, a
 * line saying how many. */
void lt_diag_print_as(const lt_diag *d, lt_diag_format format, FILE *f);
void lt_diag_print(const lt_diag *d, FILE *f); /* LT_DIAG_TEXT */
void lt_diag_clear(lt_diag *d);

#endif
