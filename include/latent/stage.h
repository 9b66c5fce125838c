/* The stage plugin interface: everything a stage kind needs, in or out of tree.
 *
 * A stage kind is one const lt_stage_def: its name as users type it, a summary,
 * its parameter table, its output table and a run function. The runner allocates the stage's
 * config struct, fills it with defaults and with the values of the pipeline
 * file (validated against the table), and hands it to run(). A stage never
 * parses YAML and never prints: it reports metrics, artifacts, warnings and
 * errors through its lt_ctx. Validation, `latent stages`, the JSON Schema and
 * every config error message come from the one parameter table. */
#ifndef LATENT_STAGE_H
#define LATENT_STAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "latent/data.h"

/* 5: lt_param has `when` and `def_text`, lt_ctx_resolved exists;
 * 4: lt_split carries row ids (id) and lt_ctx_input_kind exists;
 * 3: run() takes and gives lt_value (named outputs, the outputs table and
 * `reads` in lt_stage_def); 2: plugins are loaded and checked. Bump once per
 * incompatible change between releases. */
#define LT_ABI_VERSION 5

/* Status codes. They double as the process exit codes main() picks. */
enum lt_status {
    LT_OK = 0,
    LT_MISS = 1,    /* an expectation missed */
    LT_EINPUT = 2,  /* bad config or bad input data */
    LT_ERUNTIME = 3 /* anything else: out of memory, I/O, numerical failure */
};

/* ---- parameters --------------------------------------------------------- */

typedef enum lt_param_type {
    LT_P_INT,    /* int; range [min, max] */
    LT_P_REAL,   /* double; range [min, max], open ends per flags */
    LT_P_BOOL,   /* bool */
    LT_P_STRING, /* char *, owned by the runner */
    LT_P_PATH,   /* char *, resolved against the pipeline file's folder */
    LT_P_CHOICE, /* int: index into choices */
    LT_P_VEC,    /* lt_vec: a list of numbers */
    LT_P_MATRIX, /* lt_matrix: a list of equal-length lists of numbers */
    LT_P_NCOMP,  /* double: an integer >= 1, a fraction in (0, 1), or 0 for "all" */
    LT_P_SEED,   /* int64_t: an integer >= 0, or -1 for "the pipeline's seed" */
    LT_P_SPECS,  /* lt_specs: a list of {kind: {params}}, e.g. network layers */
    LT_P_STRINGS, /* lt_strings: a list of strings (a number is taken as its text) */
    LT_P_N_TYPES  /* how many there are, not a type */
} lt_param_type;

typedef struct lt_vec {
    double *v; /* owned by the runner */
    size_t n;
} lt_vec;

typedef struct lt_matrix {
    double *v; /* row-major, owned by the runner */
    size_t rows, cols;
} lt_matrix;

typedef struct lt_strings {
    char **v; /* n strings, owned by the runner */
    size_t n;
} lt_strings;

struct lt_param;

/* A kind of item in an LT_P_SPECS list (a layer kind, say): like a stage
 * kind, it has a name, a summary and a parameter table. */
typedef struct lt_spec_def {
    const char *name;
    const char *summary;
    const struct lt_param *params;
    size_t n_params;
    size_t config_size;
} lt_spec_def;

/* One bound item of an LT_P_SPECS list. */
typedef struct lt_spec {
    const lt_spec_def *def;
    void *config; /* def->config_size bytes, owned by the runner */
    int line, col; /* where the item is in the pipeline file (1-based) */
} lt_spec;

typedef struct lt_specs {
    lt_spec *items; /* owned by the runner */
    size_t n;
} lt_specs;

enum lt_param_flags {
    LT_REQUIRED = 1 << 0,   /* no default: the pipeline must set it */
    LT_MIN_OPEN = 1 << 1,   /* min is excluded from the range */
    LT_MAX_OPEN = 1 << 2,   /* max is excluded from the range */
    LT_NULLABLE = 1 << 3,   /* `null` is allowed and means the default */
    LT_SINGLE = 1 << 4,     /* LT_P_SPECS: exactly one item, written as a
                               mapping `{kind: {params}}` (or `kind`), not a list */
};

typedef struct lt_param {
    const char *name; /* the YAML key, equal to the C field name */
    const char *help; /* one line */
    size_t offset;    /* of the field inside the stage's config struct */
    lt_param_type type;
    unsigned flags;
    double def;          /* default for numeric, bool and choice types */
    const char *def_str; /* default for strings and paths, may be NULL */
    double min, max;     /* range for numeric types */
    const char *const *choices; /* NULL-terminated, for LT_P_CHOICE */
    const lt_spec_def *const *kinds; /* NULL-terminated, for LT_P_SPECS */
    /* NULL, or "PARAM=VALUE" / "PARAM=V1|V2": the row applies only while
     * PARAM (a choice or bool of the same table) has one of those values.
     * The binder refuses the key otherwise, run.json leaves it out, and help
     * and schema say so: "default 10 (solver: randomized)". */
    const char *when;
    /* NULL, or the default in words when it depends on the data ("5 x
     * features"): the field then holds an out-of-range "unset" value (NaN
     * for a real) that run() resolves, telling the runner the value it used
     * with lt_ctx_resolved. */
    const char *def_text;
} lt_param;

/* Compile-time check that a config field has the C type its row claims.
 * Usage: LT_FIELD(struct pca_config, whiten, bool). */
#define LT_FIELD(st, field, ctype)                                              \
    (offsetof(st, field) +                                                      \
     0 * sizeof(struct {                                                        \
         _Static_assert(_Generic(((st *)0)->field, ctype: 1, default: 0),       \
                        #field " is not of type " #ctype);                      \
         int unused;                                                            \
     }))

/* Table rows. ST is the config struct type; F the field (and YAML key).
 * The _WHEN forms add the row's `when` and `def_text` (either NULL). */
#define LT_INT_WHEN(ST, F, DEF, MIN, MAX, FLAGS, WHEN, DEF_TEXT, HELP)          \
    {.name = #F, .help = HELP, .offset = LT_FIELD(ST, F, int),                 \
     .type = LT_P_INT, .flags = FLAGS, .def = DEF, .min = MIN, .max = MAX,     \
     .when = WHEN, .def_text = DEF_TEXT}
#define LT_INT(ST, F, DEF, MIN, MAX, FLAGS, HELP)                               \
    LT_INT_WHEN(ST, F, DEF, MIN, MAX, FLAGS, NULL, NULL, HELP)
#define LT_REAL_WHEN(ST, F, DEF, MIN, MAX, FLAGS, WHEN, DEF_TEXT, HELP)         \
    {.name = #F, .help = HELP, .offset = LT_FIELD(ST, F, double),              \
     .type = LT_P_REAL, .flags = FLAGS, .def = DEF, .min = MIN, .max = MAX,    \
     .when = WHEN, .def_text = DEF_TEXT}
#define LT_REAL(ST, F, DEF, MIN, MAX, FLAGS, HELP)                              \
    LT_REAL_WHEN(ST, F, DEF, MIN, MAX, FLAGS, NULL, NULL, HELP)
#define LT_BOOL(ST, F, DEF, HELP)                                               \
    {.name = #F, .help = HELP, .offset = LT_FIELD(ST, F, bool),                \
     .type = LT_P_BOOL, .def = DEF}
#define LT_STRING(ST, F, DEF, FLAGS, HELP)                                      \
    {.name = #F, .help = HELP, .offset = LT_FIELD(ST, F, char *),              \
     .type = LT_P_STRING, .flags = FLAGS, .def_str = DEF}
#define LT_PATH(ST, F, DEF, FLAGS, HELP)                                        \
    {.name = #F, .help = HELP, .offset = LT_FIELD(ST, F, char *),              \
     .type = LT_P_PATH, .flags = FLAGS, .def_str = DEF}
#define LT_CHOICE_WHEN(ST, F, DEF, CHOICES, WHEN, HELP)                        \
    {.name = #F, .help = HELP, .offset = LT_FIELD(ST, F, int),                 \
     .type = LT_P_CHOICE, .def_str = DEF, .choices = CHOICES, .when = WHEN}
#define LT_CHOICE(ST, F, DEF, CHOICES, HELP) LT_CHOICE_WHEN(ST, F, DEF, CHOICES, NULL, HELP)
#define LT_VECTOR(ST, F, FLAGS, HELP)                                           \
    {.name = #F, .help = HELP, .offset = LT_FIELD(ST, F, lt_vec),              \
     .type = LT_P_VEC, .flags = FLAGS}
#define LT_MATRIX(ST, F, FLAGS, HELP)                                           \
    {.name = #F, .help = HELP, .offset = LT_FIELD(ST, F, lt_matrix),           \
     .type = LT_P_MATRIX, .flags = FLAGS}
#define LT_NCOMP(ST, F, HELP)                                                   \
    {.name = #F, .help = HELP, .offset = LT_FIELD(ST, F, double),              \
     .type = LT_P_NCOMP, .flags = LT_NULLABLE, .def = 0}
/* DEF: -1 for "the pipeline's seed", or a seed of the row's own. */
#define LT_SEED_WHEN(ST, F, DEF, WHEN, HELP)                                    \
    {.name = #F, .help = HELP, .offset = LT_FIELD(ST, F, int64_t),             \
     .type = LT_P_SEED, .flags = LT_NULLABLE, .def = DEF, .min = 0,            \
     .max = 4294967295.0, .when = WHEN}
#define LT_SEED(ST, F, HELP) LT_SEED_WHEN(ST, F, -1, NULL, HELP)

#define LT_STRINGS(ST, F, FLAGS, HELP)                                          \
    {.name = #F, .help = HELP, .offset = LT_FIELD(ST, F, lt_strings),          \
     .type = LT_P_STRINGS, .flags = FLAGS}

#define LT_SPECS(ST, F, FLAGS, KINDS, HELP)                                     \
    {.name = #F, .help = HELP, .offset = LT_FIELD(ST, F, lt_specs),            \
     .type = LT_P_SPECS, .flags = FLAGS, .kinds = KINDS}

#define LT_COUNT(arr) (sizeof(arr) / sizeof((arr)[0]))

/* ---- metrics ------------------------------------------------------------- */

/* A metric a stage kind reports, declared in its descriptor: what
 * `latent stages KIND` lists, what an `expect:` target may name, and all a
 * stage may report (the runner fails a run whose stage reports anything
 * else). In NAME, "{split}" stands for train, valid or test, and "{P}" for
 * any kind of the stage's list parameter P (an autoencoder's `metrics`:
 * "val_{metrics}" is val_rounded_accuracy, ...). A metric holding a list
 * or a matrix is named without indices; `expect:` adds them (loss[3]). */
typedef struct lt_metric {
    const char *name;
    const char *help; /* one line */
} lt_metric;

/* ---- the run context ---------------------------------------------------- */

typedef struct lt_ctx lt_ctx;

/* Metrics land in metrics.json under the stage's name, in report order.
 * A report that cannot be stored for want of memory makes the run fail
 * rather than leave the metric out; so does lt_report_vec with v NULL and
 * n > 0, for a stage whose own buffer for the vector could not be made. */
void lt_report_num(lt_ctx *ctx, const char *name, double value);
void lt_report_int(lt_ctx *ctx, const char *name, long long value);
void lt_report_bool(lt_ctx *ctx, const char *name, bool value);
void lt_report_str(lt_ctx *ctx, const char *name, const char *value);
void lt_report_vec(lt_ctx *ctx, const char *name, const double *v, size_t n);
/* A list of N names (copied), such as the classes in a matrix's order; v
 * NULL for n > 0 fails the run, as for lt_report_vec. */
void lt_report_strs(lt_ctx *ctx, const char *name, const char *const *v, size_t n);
void lt_report_mat(lt_ctx *ctx, const char *name, const double *v, size_t rows,
                   size_t cols);

/* Records an error for this stage and returns code (LT_EINPUT for bad data
 * or a parameter the data cannot honour, LT_ERUNTIME otherwise). The message
 * is prefixed with the stage's position in the pipeline file and its name. */
int lt_fail(lt_ctx *ctx, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* As lt_fail, for a problem with parameter PARAM's value (a cross-field
 * check, say): the message points at that value in the pipeline file (or
 * the --set that gave it), or at the stage when the file leaves it unset. */
int lt_fail_param(lt_ctx *ctx, int code, const char *param, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* As lt_fail, for an error inside a data file: the message is prefixed with
 * FILE:ROW:COL (1-based; col 0 leaves the column out). */
int lt_fail_at(lt_ctx *ctx, int code, const char *file, long row, long col,
               const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Tells the runner the value a data-dependent default took: PARAM's row has
 * def_text and the pipeline left it unset, and run() used VALUE (an integer
 * for an integer or seed row). run.json's resolved config shows VALUE, so
 * that config, fed back to `latent run`, does the same. */
void lt_ctx_resolved(lt_ctx *ctx, const char *param, double value);
/* A warning, printed at once (unless --quiet) with the stage's position. */
void lt_warn(lt_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Progress for people (a model summary, an epoch's line): a stage never
 * prints itself, it says it here. Lines go to stderr unless the run is
 * --quiet or prints for programs (--format json or github). A LIVE line is
 * one a terminal redraws in place (a progress bar); it is left out where
 * stderr is not a terminal, and the next line replaces it. */
void lt_progress_say(lt_ctx *ctx, bool live, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Whether lt_progress_say shows lines (LIVE: live ones). A stage may skip
 * building a line nobody sees. */
bool lt_progress_shown(const lt_ctx *ctx, bool live);

/* The pipeline file as the user named it, for lt_fail_at about a position
 * inside it (an lt_spec's line and column). */
const char *lt_ctx_file(const lt_ctx *ctx);
/* The stage's name as the pipeline file gives it ("pca2"). */
const char *lt_ctx_stage(const lt_ctx *ctx);
/* The pipeline's name. */
const char *lt_ctx_pipeline(const lt_ctx *ctx);
/* True when the user asked for quiet (--quiet): no progress output. */
bool lt_ctx_quiet(const lt_ctx *ctx);
/* The pipeline's seed: what a stage's LT_P_SEED field of -1 stands for. */
uint32_t lt_ctx_seed(const lt_ctx *ctx);
/* Threads the run may use. */
int lt_ctx_threads(const lt_ctx *ctx);

/* The path a stage writes its artifact NAME to (e.g. "plots/scatter.png").
 * The file is created under the run's staging folder and moved into the run
 * folder only when the whole run succeeds, so a failed run leaves nothing.
 * Returns a path owned by ctx (valid until the stage returns), or NULL with
 * an error recorded when NAME is not a plain relative path. */
const char *lt_ctx_artifact(lt_ctx *ctx, const char *name);
/* Key/value text for PNG chunks: pipeline name, config hash, latent version.
 * Returns a NULL-terminated array of pairs owned by ctx. */
const char *const *lt_ctx_png_text(const lt_ctx *ctx);

/* True when output INDEX of the running stage (its row in the kind's
 * outputs table) is read by some stage of the pipeline, so run() must fill
 * it. The default output (index 0) is always wanted; an optional output
 * that nobody reads should not be computed at all, which is what makes it
 * free to declare. Out-of-range indices are not wanted. */
bool lt_ctx_wants(const lt_ctx *ctx, int index);
/* What input INDEX of the running stage holds (the kind of the output it
 * reads), for a stage whose reads allow more than one kind; LT_DATASET
 * for an index out of range. */
lt_value_kind lt_ctx_input_kind(const lt_ctx *ctx, int index);
/* The name of the stage input INDEX comes from, as the pipeline calls it
 * (borrowed, valid during run()), for a figure's panel titles and such;
 * NULL for an index out of range or outside a pipeline. It is part of the
 * stage's cache key, so an output that shows it stays right. */
const char *lt_ctx_input_name(const lt_ctx *ctx, int index);

/* ---- outputs ------------------------------------------------------------ */

/* The most outputs a stage kind may declare. */
#define LT_MAX_OUTPUTS 8

/* One row of a stage kind's outputs table: what `input: STAGE.NAME` reads.
 * The first row is the default, which a bare `input: STAGE` reads and run()
 * always fills; every other row is optional and filled only when
 * lt_ctx_wants() says a stage reads it. */
typedef struct lt_output {
    const char *name;   /* "codings", "reconstruction", ...: a plain name */
    lt_value_kind kind; /* which member of lt_value run() sets */
    const char *help;   /* one line, for `latent stages KIND` */
} lt_output;

/* A mask of value kinds, for lt_stage_def.reads. */
#define LT_READS(kind) (1u << (kind))
/* ---- saved models --------------------------------------------------------- */

/* What a stage fitted, as named arrays with scikit-learn's attribute names
 * (mean_, components_, coef_, ...). The runner writes it to
 * models/<stage>.npz in the run folder, staged like an artifact, together
 * with the stage's kind, resolved parameters, the input's feature names,
 * class names and shape, and the format and latent versions. */
typedef struct lt_model lt_model;

/* The model a fitting stage (lt_stage_def.fits) fills: created on the first
 * call, owned by ctx. NULL only when out of memory (error recorded). */
lt_model *lt_ctx_model_out(lt_ctx *ctx);
/* The saved model the stage applies instead of fitting (its `from:`), or
 * NULL when it fits. The runner has checked that it was saved by this kind
 * from data with the input's features and shape, and has filled the
 * stage's config with the parameters it was fitted with. Borrowed. */
const lt_model *lt_ctx_model_in(const lt_ctx *ctx);

/* Adds an array to M (a copy; M NULL is a no-op). A failure to store it
 * makes the stage fail when the runner saves the model, not vanish. */
void lt_model_put_num(lt_model *m, const char *name, double x);      /* float64, 0-d */
void lt_model_put_int(lt_model *m, const char *name, long long x);   /* int64, 0-d */
void lt_model_put_vec(lt_model *m, const char *name, const double *v, size_t n);
void lt_model_put_mat(lt_model *m, const char *name, const double *v, size_t rows,
                      size_t cols);
void lt_model_put_ints(lt_model *m, const char *name, const int *v, size_t n); /* int64 */
void lt_model_put_str(lt_model *m, const char *name, const char *s);  /* '<U', 0-d */
void lt_model_put_strs(lt_model *m, const char *name, const char *const *s, size_t n);

/* Any size, for lt_model_get. */
#define LT_ANY ((size_t)-1)

/* The numbers of array NAME of M, row-major, checked to be ROWS x COLS
 * (COLS 0: a vector of ROWS; ROWS and COLS 0: a 0-d number; LT_ANY for
 * either: whatever it holds, stored back through *rows / *cols when not
 * NULL). Returns a pointer owned by M, or NULL with an error naming the
 * model file recorded (LT_EINPUT) for a missing or misshapen member. */
const double *lt_model_get(lt_ctx *ctx, const lt_model *m, const char *name, size_t *rows,
                           size_t *cols);
/* lt_model_get of a vector of exactly N numbers. */
const double *lt_model_vec(lt_ctx *ctx, const lt_model *m, const char *name, size_t n);
/* A 0-d number NAME of M into *x. Returns LT_OK or the lt_fail code. */
int lt_model_num(lt_ctx *ctx, const lt_model *m, const char *name, double *x);
/* The strings of array NAME (a 0-d string is one), *n of them, owned by M;
 * NULL with the error recorded when absent or not strings. */
char *const *lt_model_strs(lt_ctx *ctx, const lt_model *m, const char *name, size_t *n);
/* Records an error about the saved model M (bad data: LT_EINPUT), prefixed
 * with the stage's position and the model file; returns LT_EINPUT. */
int lt_model_fail(lt_ctx *ctx, const lt_model *m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* True when M holds an array NAME. */
bool lt_model_has(const lt_model *m, const char *name);
/* The file M was read from. */
const char *lt_model_path(const lt_model *m);

/* ---- the stage kind ------------------------------------------------------ */

/* How to add an output to a kind (say the autoencoder's `reconstruction`):
 *  1. add a row to its outputs table; its index is the row's position;
 *  2. in run(), when lt_ctx_wants(ctx, INDEX), set outputs[INDEX].data (or
 *     .spectrum, as the row's kind says) to a new owned value, and compute
 *     what only that output needs (and metrics about it) only then;
 *  3. a reader names it `input: STAGE.NAME`; the runner checks the kind
 *     against the reader's `reads`, frees the value after its last reader
 *     and caches it with the stage's other outputs.
 * A new kind of value (a model, ...) is a new lt_value_kind and, when it is
 * not an lt_data, a new member of lt_value, its free in lt_value_free and its
 * serialisation in the stage cache (src/io/datafile.c).
 *
 * For example, a variational autoencoder with codings (default), samples
 * and reconstruction declares
 *     static const lt_output vae_outputs[] = {
 *         {"codings", LT_DATASET, "the encoder's means for every split"},
 *         {"samples", LT_DATASET, "rows decoded from draws of the prior"},
 *         {"reconstruction", LT_DATASET, "the decoder's output for every split"},
 *     };
 * with .outputs = vae_outputs, .n_outputs = LT_COUNT(vae_outputs), and in
 * run() trains once, sets outputs[0].data, and decodes samples only when
 * lt_ctx_wants(ctx, 1). */
typedef struct lt_stage_def {
    int abi; /* LT_ABI_VERSION */
    const char *name;    /* "pca", "dataset.breast_cancer", ... */
    const char *summary; /* one line, for `latent stages` */
    const lt_param *params;
    size_t n_params;
    size_t config_size; /* sizeof the config struct the table points into */
    int min_inputs, max_inputs; /* 0, 0 for a source */
    /* What the stage gives: a table of at most LT_MAX_OUTPUTS rows, the
     * first one the default. NULL and 0 for a sink (plots, stats). */
    const lt_output *outputs;
    size_t n_outputs;
    /* The kinds of value its inputs may be, as LT_READS(kind) | ...;
     * 0 means datasets only (LT_READS(LT_DATASET)). An input left out is
     * the nearest earlier output of the first kind it reads (a dataset for
     * most stages, so a classifier's predictions do not break a chain). */
    unsigned reads;
    bool accepts_f32; /* run() handles float32 splits (lt_mat.f); otherwise
                         the runner hands it a float64 copy of such inputs */
    bool accepts_stream; /* run() reads streamed splits (lt_mat.stream) with
                            lt_mat_read_rows; otherwise the runner reads
                            them whole first */
    bool accepts_nan; /* run() takes NaN as "missing" (impute, and split,
                         which only moves rows); the runner refuses NaN in
                         the inputs of every other stage with a data error
                         naming the stage, split, row and column */
    bool fits; /* fits a model: saves it through lt_ctx_model_out, and with
                  `from: FILE.npz` applies lt_ctx_model_in instead */
    bool distributed; /* for an MPI run on several ranks (src/core/dist.h):
                         a source whose rows may be cut into one block per
                         rank; a stage whose run() sums over rows through
                         lt_dist_rows_sum, so that it runs on every rank with
                         its block. Any other stage runs on rank 0 with its
                         inputs gathered there. */

    /* Cross-field checks on a filled config, before anything runs. Report
     * with lt_fail(ctx, LT_EINPUT, ...). May be NULL. */
    int (*check)(lt_ctx *ctx, const void *config);
    /* Checks that need only the start of the data: files exist and can be
     * read, headers, shapes and types. Run by `latent validate` and by
     * `latent run` before anything runs; reports like check. May be NULL. */
    int (*probe)(lt_ctx *ctx, const void *config);
    /* Runs the stage. inputs[0..n_inputs) are borrowed and read only: each
     * holds the member of the kind the reader's `input:` names.
     * outputs[0..n_outputs) arrive empty (NULL when the kind has none); on
     * success run() sets outputs[0] and every optional output k for which
     * lt_ctx_wants(ctx, k), each to a new value it hands over to the runner
     * (which frees it). On failure it may leave what it set: the runner frees
     * that too. Returns LT_OK or the code returned by lt_fail. */
    int (*run)(lt_ctx *ctx, const void *config, const lt_value *inputs, int n_inputs,
               lt_value *outputs);

    /* Every metric run() may report (see lt_metric); NULL, 0 for none. */
    const lt_metric *metrics;
    size_t n_metrics;
} lt_stage_def;

/* ---- plugins: stage kinds built out of tree ----------------------------- *
 *
 * A plugin is a shared object (name ending in .so) in a folder of
 * $LATENT_PLUGIN_PATH (colon-separated) or in lib/latent/plugins/ under
 * latent's install prefix. It includes only the installed headers
 * (`pkg-config --cflags latent`), links against nothing of latent's (the
 * functions above are resolved in the latent executable when it is loaded)
 * and exports one NULL-terminated list of its kinds:
 *
 *     LT_PLUGIN_STAGES(&robust_scaler_stage);
 *
 * latent refuses, with one line naming the file: a plugin whose kinds were
 * built for another LT_ABI_VERSION, a kind whose name is built in or comes
 * from another plugin, and a file dlopen cannot open. Loaded kinds are
 * validated, listed (`latent stages`), schematised and cached as built-in
 * ones; the cache key holds the plugin file's size and time, so a rebuilt
 * plugin recomputes.
 *
 * What a stage may and may not do (built in or not):
 * - Ownership: inputs and config are borrowed and read-only; each output
 *   run() sets is a new value the stage allocated (lt_data_*, ...) and hands
 *   over to the runner. Memory a stage
 *   allocates for itself it frees before it returns, on every path.
 * - Threads: run() is called from one thread; a stage may start its own
 *   threads (at most lt_ctx_threads) but joins them before returning and
 *   calls lt_report_*, lt_fail and lt_warn from the calling thread only.
 * - Output: no printing, no exit(), no abort(): messages go through lt_fail
 *   and lt_warn, numbers through lt_report_*, files only under
 *   lt_ctx_artifact paths. No global state that outlives one run() call.
 * - Determinism: the same config, inputs, seed and thread count give the
 *   same bits.
 *
 * ABI stability: within one major version of latent, LT_ABI_VERSION changes
 * only when lt_stage_def, lt_param, lt_data or a function above changes
 * incompatibly; fields are only ever added at the end, and `abi` stays the
 * first member of lt_stage_def in every version. */
#define LT_PLUGIN_SYMBOL "lt_plugin_stages"
#define LT_PLUGIN_STAGES(...)                                                   \
    __attribute__((visibility("default"))) extern const lt_stage_def           \
        *const lt_plugin_stages[];                                              \
    __attribute__((visibility("default"))) const lt_stage_def                  \
        *const lt_plugin_stages[] = {__VA_ARGS__, NULL}

#endif
