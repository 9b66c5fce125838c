/* The values that flow along the edges of a pipeline graph.
 *
 * A dataset value (lt_data) holds up to three named splits, each a dense
 * row-major matrix of doubles with optional integer labels and an optional
 * continuous per-row value (used to colour plots), plus metadata shared by
 * the splits. A transform fits on the train split and transforms every split.
 *
 * Ownership: every pointer inside an lt_data is owned by it and released by
 * lt_data_free(). Stages receive their inputs as const and never free them;
 * the runner frees a value once its last consumer has run. */
#ifndef LATENT_DATA_H
#define LATENT_DATA_H

#include <stdbool.h>
#include <stddef.h>

/* Rows read from their source on demand instead of held whole: what a
 * dataset with `stream: true` hands on, so that a stage reading in batches
 * (pca's incremental solver) needs memory for a batch, not for the data. */
typedef struct lt_stream lt_stream;
struct lt_stream {
    /* Reads rows [first, first + n) of the matrix as float64 into out
     * (n x cols). Returns 0, or -1 with a one-line message in err (naming the
     * file, and the row and column of bad data). Reading in order is the
     * fast path; going back re-reads from the start. */
    int (*read)(lt_stream *s, size_t first, size_t n, double *out, char *err,
                size_t err_size);
    /* Releases the stream and everything it holds. */
    void (*close)(lt_stream *s);
    /* True when the rows may hold NaN for missing values (a CSV read with
     * missing: keep): the runner then reads the stream to find them before
     * a stage that refuses NaN gets it. */
    bool may_hold_nan;
};

/* A row-major matrix: element (i, j) is v[i * cols + j] (or f[...]).
 * Most data are float64 (v). Large image sets are held once as float32 (f,
 * with v NULL); only stages that declare accepts_f32 see those, the runner
 * converts for the others. A streamed matrix has neither, only a stream;
 * only stages that declare accepts_stream see one, the runner reads it
 * whole for the others. */
typedef struct lt_mat {
    size_t rows, cols;
    double *v; /* float64 elements, or NULL for a float32 matrix */
    float *f;  /* float32 elements, or NULL for a float64 matrix */
    lt_stream *stream; /* owned; the source of a streamed matrix, else NULL */
} lt_mat;

/* Returns a zero-filled float64 rows x cols matrix owned by the caller, or
 * NULL when out of memory. A 0 x n or n x 0 matrix is valid and has v == NULL. */
lt_mat *lt_mat_new(size_t rows, size_t cols);
/* As lt_mat_new, with float32 storage (f). */
lt_mat *lt_mat_new_f32(size_t rows, size_t cols);
/* Returns an owned deep copy of m (same storage type), or NULL. */
lt_mat *lt_mat_copy(const lt_mat *m);
/* Returns an owned float64 copy of m, whatever its storage, or NULL when
 * out of memory (err says so) or a stream fails (err says why). */
lt_mat *lt_mat_to_f64(const lt_mat *m, char *err, size_t err_size);
/* Reads rows [first, first + n) of m, whatever its storage, as float64
 * into out (n x cols). Returns 0, or -1 with the stream's message in err. */
int lt_mat_read_rows(const lt_mat *m, size_t first, size_t n, double *out, char *err,
                     size_t err_size);
/* Frees *m (NULL is fine) and sets *m to NULL. */
void lt_mat_free(lt_mat **m);

enum lt_split_id { LT_TRAIN, LT_VALID, LT_TEST, LT_N_SPLITS };

/* "train", "valid", "test". */
const char *lt_split_name(int split);

typedef struct lt_split {
    lt_mat *x; /* NULL when the split is absent */
    int *y;    /* x->rows labels in [0, n_classes), or NULL */
    double *t; /* x->rows continuous values (e.g. a roll position), or NULL */
    size_t *id; /* x->rows row ids: each row's 0-based data row in the source
                   file, kept through shuffles, splits and dropped rows; NULL
                   when row i is the source's row i */
} lt_split;

/* The row id of row I of S (see lt_split.id). */
size_t lt_split_row_id(const lt_split *s, size_t i);

typedef struct lt_data {
    lt_split split[LT_N_SPLITS];
    size_t n_features;    /* columns of every present split */
    char **feature_names; /* n_features names, or NULL */
    int n_classes;        /* 0 when unlabelled */
    char **class_names;   /* n_classes names, or NULL */
    int image_rows, image_cols; /* > 0 when each row is an image */

    /* In a run on several MPI ranks: each rank holds only its own block of
     * every split's rows, so sums over rows must be summed over the ranks
     * too (src/core/dist.h). Copied with the metadata. */
    bool row_blocks;
} lt_data;

/* Returns an empty value owned by the caller, or NULL when out of memory. */
lt_data *lt_data_new(void);
/* Frees *d and everything it owns (NULL is fine); sets *d to NULL. */
void lt_data_free(lt_data **d);

/* Copies the metadata of src (names, classes, image shape, but not the
 * splits) into dst, which must have none yet.
 * Returns 0, or -1 when out of memory. */
int lt_data_copy_meta(lt_data *dst, const lt_data *src);
/* Copies labels, per-row values and row ids of every split of src into dst, whose
 * splits must already exist with the same row counts. Returns 0 or -1. */
int lt_data_copy_rowinfo(lt_data *dst, const lt_data *src);

/* True when any split holds float32 storage; when any is a stream. */
bool lt_data_has_f32(const lt_data *d);
bool lt_data_has_stream(const lt_data *d);
/* Returns an owned copy of D whose splits are all dense float64 (labels,
 * row values and metadata copied too), or NULL with the reason in
 * err (out of memory, or a stream's read error). */
lt_data *lt_data_to_f64(const lt_data *d, char *err, size_t err_size);

/* Rows of the split, 0 when absent. */
size_t lt_data_rows(const lt_data *d, int split);

/* ---- spectra ------------------------------------------------------------ */

/* What a decomposition (pca, kernel_pca, lda) found along its directions,
 * largest first: the value of an LT_SPECTRUM output, which plot.variance
 * reads. Every pointer is owned by the spectrum. */
typedef struct lt_spectrum {
    size_t n;          /* entries: the whole spectrum the fit computed */
    double *variance;  /* n variances (eigenvalues) along the directions */
    double *ratio;     /* n fractions of the total variance, summing to <= 1 */
    size_t n_kept;     /* how many directions the stage passes on (<= n) */
    double threshold;  /* the cumulative ratio that chose n_kept (pca's
                          fractional n_components), or 0 when none did */
} lt_spectrum;

/* Returns a zeroed spectrum of N entries owned by the caller (free with
 * lt_spectrum_free), or NULL when out of memory. */
lt_spectrum *lt_spectrum_new(size_t n);
/* Returns an owned deep copy of S, or NULL when out of memory. */
lt_spectrum *lt_spectrum_copy(const lt_spectrum *s);
/* Frees *s (NULL is fine) and sets *s to NULL. */
void lt_spectrum_free(lt_spectrum **s);

/* ---- values ------------------------------------------------------------- */

/* What one output of a stage holds; the stage kind's descriptor declares it
 * for each output (lt_output in latent/stage.h). */
typedef enum lt_value_kind {
    LT_DATASET,     /* lt_value.data: splits of rows, the common case */
    LT_SPECTRUM,    /* lt_value.spectrum: a decomposition's spectrum */
    LT_PREDICTIONS, /* lt_value.data: what a classifier predicts for each row
                       of each split: x holds one column per class (named by
                       the class names) with the row's probability of that
                       class; the predicted class is the most probable (the
                       first on ties); y and t are the rows' own labels and
                       per-row values */
    LT_N_VALUE_KINDS
} lt_value_kind;

/* "dataset", "spectrum", "predictions": how messages and `latent stages`
 * name a kind. */
const char *lt_value_kind_name(lt_value_kind kind);

/* One value on an edge of the graph: the member its kind names is set, the
 * others are NULL. Whoever holds an lt_value owns what it points to unless
 * the API that hands it over says it is borrowed. */
typedef struct lt_value {
    lt_data *data;         /* LT_DATASET, LT_PREDICTIONS */
    lt_spectrum *spectrum; /* LT_SPECTRUM */
} lt_value;

/* True when V holds nothing. */
bool lt_value_empty(const lt_value *v);
/* Frees what V holds (either member may be NULL) and empties it. */
void lt_value_free(lt_value *v);

#endif
