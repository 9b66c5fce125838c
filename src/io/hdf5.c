#include "io/hdf5.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

struct lt_h5 {
    hid_t file, dset, space;
    int rank;
    hsize_t dims[LT_H5_MAX_RANK];
    size_t *keep;   /* kept indices of the last axis, or NULL for all */
    size_t n_keep;  /* the last axis' kept extent */
    size_t inner;   /* product of the extents between the first and last axes */
    double *scratch; /* whole rows of a block, when columns are picked */
    size_t scratch_rows;
    char *where;    /* "FILE:DSET" */
    const char *type_name;
};

/* Records why a call failed at WHERE (and ROW, 1-based, when not 0): the
 * data cannot be read as asked. */
static void say(lt_diag *e, const char *where, long row, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void say(lt_diag *e, const char *where, long row, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    lt_diag_data(e, 2, where, row, 0, "%s", text);
}

/* Records that a call at WHERE ran out of memory: a resource, not the data's fault. */
static void out_of_memory(lt_diag *e, const char *where)
{
    lt_diag_data(e, 3, where, 0, 0, "out of memory");
}

/* libhdf5 prints its error stack to stderr by default; our messages say it
 * in one line instead. */
static void quiet_library(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/* "/events/features" for "events/features". Owned. */
static char *absolute(const char *dset)
{
    size_t n = strlen(dset);
    char *p = malloc(n + 2);
    if (p)
        snprintf(p, n + 2, "%s%s", dset[0] == '/' ? "" : "/", dset);
    return p;
}

/* ---- naming what the file holds, for a dataset that is not there -------- */

typedef struct listing {
    char text[256];
    int count;
} listing;

static herr_t list_one(hid_t group, const char *name, const H5L_info_t *info, void *data)
{
    (void)info;
    listing *l = data;
    hid_t obj = H5Oopen(group, name, H5P_DEFAULT);
    if (obj < 0)
        return 0;
    bool is_dataset = H5Iget_type(obj) == H5I_DATASET;
    H5Oclose(obj);
    if (!is_dataset)
        return 0;
    size_t len = strlen(l->text);
    if (l->count == 4) {
        snprintf(l->text + len, sizeof l->text - len, ", ...");
        return 1; /* enough to orient the user */
    }
    snprintf(l->text + len, sizeof l->text - len, "%s/%s", l->count ? ", " : "", name);
    l->count++;
    return 0;
}

/* Opens dataset PATH (absolute) of FILE_ID, or says why not. */
static hid_t open_dataset(hid_t file_id, const char *where, const char *path, lt_diag *e)
{
    /* Each link of the path must exist before the next can be asked about. */
    char *prefix = strdup(path);
    htri_t found = prefix ? 1 : -1;
    for (char *slash = prefix ? strchr(prefix + 1, '/') : NULL; found > 0; slash = strchr(slash + 1, '/')) {
        if (slash)
            *slash = '\0';
        found = strcmp(prefix, "/") == 0 ? 1 : H5Lexists(file_id, prefix, H5P_DEFAULT);
        if (!slash)
            break;
        *slash = '/';
    }
    free(prefix);
    if (found <= 0) {
        listing l = {.text = "", .count = 0};
        H5Lvisit(file_id, H5_INDEX_NAME, H5_ITER_INC, list_one, &l);
        if (l.count)
            say(e, where, 0, "no such dataset; the file holds %s", l.text);
        else
            say(e, where, 0, "no such dataset; the file holds no datasets");
        return -1;
    }
    hid_t obj = H5Oopen(file_id, path, H5P_DEFAULT);
    if (obj < 0) {
        say(e, where, 0, "cannot be opened (a damaged file?)");
        return -1;
    }
    if (H5Iget_type(obj) != H5I_DATASET) {
        H5Oclose(obj);
        say(e, where, 0, "is a group, not a dataset");
        return -1;
    }
    return obj;
}

/* Opens FILE read-only, or says why not: missing, unreadable, not HDF5. */
static hid_t open_file(const char *file, lt_diag *e)
{
    quiet_library();
    FILE *f = fopen(file, "rb");
    if (!f) {
        say(e, file, 0, "cannot open: %s", strerror(errno));
        return -1;
    }
    fclose(f);
    if (H5Fis_hdf5(file) <= 0) {
        say(e, file, 0, "is not an HDF5 file");
        return -1;
    }
    hid_t id = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (id < 0)
        say(e, file, 0, "cannot be read as HDF5 (a damaged file?)");
    return id;
}

/* "float32", "int16", ...; NULL for a class we do not read. */
static const char *numeric_name(hid_t type)
{
    static const char *const ints[2][4] = {{"uint8", "uint16", "uint32", "uint64"},
                                           {"int8", "int16", "int32", "int64"}};
    size_t bytes = H5Tget_size(type);
    int lg = bytes == 1 ? 0 : bytes == 2 ? 1 : bytes == 4 ? 2 : bytes == 8 ? 3 : -1;
    switch (H5Tget_class(type)) {
    case H5T_INTEGER:
        return lg < 0 ? "integer" : ints[H5Tget_sign(type) == H5T_SGN_2][lg];
    case H5T_FLOAT:
        return bytes == 4 ? "float32" : bytes == 8 ? "float64" : bytes == 2 ? "float16" : "float";
    default:
        return NULL;
    }
}

static const char *class_name(hid_t type)
{
    switch (H5Tget_class(type)) {
    case H5T_STRING: return "strings";
    case H5T_COMPOUND: return "compound records";
    case H5T_ENUM: return "enum values (h5py stores booleans so)";
    case H5T_ARRAY: return "array elements";
    case H5T_VLEN: return "variable-length sequences";
    case H5T_OPAQUE: return "opaque bytes";
    case H5T_REFERENCE: return "references";
    case H5T_BITFIELD: return "bit fields";
    case H5T_TIME: return "times";
    default: return "values of an unknown class";
    }
}

void lt_h5_close(lt_h5 *h)
{
    if (!h)
        return;
    if (h->space >= 0)
        H5Sclose(h->space);
    if (h->dset >= 0)
        H5Dclose(h->dset);
    if (h->file >= 0)
        H5Fclose(h->file);
    free(h->keep);
    free(h->scratch);
    free(h->where);
    free(h);
}

/* Fills h->keep from KEEP (indices into the last axis of extent LAST). */
/* The extent of the axis `columns` picks from: the last one, or for a 1-d
 * dataset (one value per row) the single feature, not the rows (found by
 * fuzzing: columns: [2] read past the row buffer). */
static size_t last_extent(const lt_h5 *h)
{
    return h->rank > 1 ? (size_t)h->dims[h->rank - 1] : 1;
}

static int pick_columns(lt_h5 *h, const double *keep, size_t n_keep, lt_diag *e)
{
    size_t last = last_extent(h);
    if (!(h->keep = malloc(n_keep * sizeof *h->keep + 1))) {
        out_of_memory(e, h->where);
        return -1;
    }
    for (size_t i = 0; i < n_keep; i++) {
        double k = keep[i];
        if (k != floor(k) || k >= (double)last || k < -(double)last) {
            say(e, h->where, 0,
                "columns[%zu] is %g; the last axis has %zu entries, so expected a whole "
                "number in [%ld, %zu]",
                i, k, last, -(long)last, last - 1);
            return -1;
        }
        h->keep[i] = (size_t)(k < 0 ? k + (double)last : k);
        for (size_t j = 0; j < i; j++)
            if (h->keep[j] == h->keep[i]) {
                say(e, h->where, 0, "columns lists column %zu twice", h->keep[i]);
                return -1;
            }
    }
    h->n_keep = n_keep;
    return 0;
}

/* A compression filter the data need that this libhdf5 lacks (h5py's
 * LZF, a Blosc plugin) would fail every read; say so at once. */
static int missing_filter(lt_h5 *h, lt_diag *e)
{
    hid_t dcpl = H5Dget_create_plist(h->dset);
    int n = dcpl >= 0 ? H5Pget_nfilters(dcpl) : 0, rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        unsigned flags, config;
        size_t n_values = 0;
        char name[64] = "";
        H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)i, &flags, &n_values, NULL, sizeof name, name,
                                         &config);
        if (id >= 0 && H5Zfilter_avail(id) <= 0) {
            say(e, h->where, 0,
                "is compressed with filter %d (%s), which this libhdf5 cannot read; "
                "rewrite it with gzip compression (h5py: compression=\"gzip\")",
                (int)id, *name ? name : id == 32000 ? "lzf" : "unnamed");
            rc = -1;
        }
    }
    if (dcpl >= 0)
        H5Pclose(dcpl);
    return rc;
}

lt_h5 *lt_h5_open(const char *file, const char *dset, const double *keep, size_t n_keep,
                  lt_diag *e)
{
    lt_h5 *h = calloc(1, sizeof *h);
    char *path = absolute(dset);
    size_t n = strlen(file) + strlen(dset) + 3;
    if (!h || !path || !(h->where = malloc(n))) {
        out_of_memory(e, file);
        free(path);
        free(h);
        return NULL;
    }
    snprintf(h->where, n, "%s:%s", file, path);
    h->file = h->dset = h->space = -1;
    if ((h->file = open_file(file, e)) < 0 ||
        (h->dset = open_dataset(h->file, h->where, path, e)) < 0)
        goto fail;
    hid_t type = H5Dget_type(h->dset);
    h->type_name = type >= 0 ? numeric_name(type) : NULL;
    if (!h->type_name) {
        say(e, h->where, 0, "holds %s; expected float32, float64 or integers",
            type >= 0 ? class_name(type) : "values of an unreadable type");
        if (type >= 0)
            H5Tclose(type);
        goto fail;
    }
    H5Tclose(type);
    if (missing_filter(h, e) != 0)
        goto fail;
    h->space = H5Dget_space(h->dset);
    h->rank = h->space >= 0 ? H5Sget_simple_extent_ndims(h->space) : -1;
    if (h->rank < 1 || h->rank > LT_H5_MAX_RANK) {
        say(e, h->where, 0, "has %d axes; expected 1 to %d (rows first)", h->rank,
            LT_H5_MAX_RANK);
        goto fail;
    }
    H5Sget_simple_extent_dims(h->space, h->dims, NULL);
    h->inner = 1;
    for (int i = 1; i < h->rank - 1; i++)
        h->inner *= (size_t)h->dims[i];
    h->n_keep = h->rank > 1 ? (size_t)h->dims[h->rank - 1] : 1;
    if (keep && pick_columns(h, keep, n_keep, e) != 0)
        goto fail;
    free(path);
    return h;
fail:
    free(path);
    lt_h5_close(h);
    return NULL;
}

int lt_h5_rank(const lt_h5 *h) { return h->rank; }
size_t lt_h5_dim(const lt_h5 *h, int i) { return (size_t)h->dims[i]; }
size_t lt_h5_rows(const lt_h5 *h) { return (size_t)h->dims[0]; }
size_t lt_h5_cols(const lt_h5 *h) { return h->inner * h->n_keep; }
const char *lt_h5_where(const lt_h5 *h) { return h->where; }
const char *lt_h5_type_name(const lt_h5 *h) { return h->type_name; }

/* Reads whole rows [first, first + n) into out as doubles. */
static int read_whole(lt_h5 *h, size_t first, size_t n, double *out, lt_diag *e)
{
    hsize_t start[LT_H5_MAX_RANK] = {0}, count[LT_H5_MAX_RANK];
    start[0] = first;
    count[0] = n;
    for (int i = 1; i < h->rank; i++)
        count[i] = h->dims[i];
    hsize_t total = n;
    for (int i = 1; i < h->rank; i++)
        total *= h->dims[i];
    hid_t mem = H5Screate_simple(1, &total, NULL);
    herr_t rc = mem < 0 ? -1 : H5Sselect_hyperslab(h->space, H5S_SELECT_SET, start, NULL, count, NULL);
    if (rc >= 0)
        rc = H5Dread(h->dset, H5T_NATIVE_DOUBLE, mem, h->space, H5P_DEFAULT, out);
    if (mem >= 0)
        H5Sclose(mem);
    if (rc < 0) {
        say(e, h->where, 0, "rows %zu to %zu cannot be read (a damaged or truncated file?)",
            first + 1, first + n);
        return -1;
    }
    return 0;
}

int lt_h5_read_rows(lt_h5 *h, size_t first, size_t n, double *out, lt_diag *e)
{
    if (n == 0)
        return 0;
    if (first > lt_h5_rows(h) || n > lt_h5_rows(h) - first) {
        say(e, h->where, 0, "rows %zu to %zu asked for; it has %zu", first + 1, first + n,
            lt_h5_rows(h));
        return -1;
    }
    if (!h->keep)
        return read_whole(h, first, n, out, e);
    size_t last = last_extent(h), whole = h->inner * last;
    if (h->scratch_rows < n) {
        free(h->scratch);
        h->scratch_rows = 0;
        if (!(h->scratch = malloc(n * whole * sizeof *h->scratch + 1))) {
            out_of_memory(e, h->where);
            return -1;
        }
        h->scratch_rows = n;
    }
    if (read_whole(h, first, n, h->scratch, e) != 0)
        return -1;
    for (size_t r = 0; r < n * h->inner; r++)
        for (size_t j = 0; j < h->n_keep; j++)
            out[r * h->n_keep + j] = h->scratch[r * last + h->keep[j]];
    return 0;
}

/* ---- strings: attributes and label datasets ----------------------------- */

/* Reads the N strings of OBJ (an attribute when IS_ATTR, else a dataset) of
 * string type TYPE into an owned array of owned strings. */
static char **read_strings(hid_t obj, bool is_attr, hid_t type, hid_t space, size_t n)
{
    char **out = calloc(n + 1, sizeof *out);
    if (!out)
        return NULL;
    hid_t mem = H5Tcopy(H5T_C_S1);
    H5Tset_cset(mem, H5Tget_cset(type));
    bool ok = mem >= 0;
    if (ok && H5Tis_variable_str(type) > 0) {
        char **vl = calloc(n + 1, sizeof *vl);
        ok = vl && H5Tset_size(mem, H5T_VARIABLE) >= 0 &&
             (is_attr ? H5Aread(obj, mem, vl) : H5Dread(obj, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, vl)) >= 0;
        for (size_t i = 0; ok && i < n; i++)
            ok = (out[i] = strdup(vl[i] ? vl[i] : "")) != NULL;
        if (vl && ok)
            H5Dvlen_reclaim(mem, space, H5P_DEFAULT, vl);
        free(vl);
    } else if (ok) {
        /* Fixed-length: one byte more per string, for the terminator. */
        size_t width = H5Tget_size(type) + 1;
        char *buf = malloc(n * width + 1);
        ok = buf && H5Tset_size(mem, width) >= 0 && H5Tset_strpad(mem, H5T_STR_NULLTERM) >= 0 &&
             (is_attr ? H5Aread(obj, mem, buf) : H5Dread(obj, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf)) >= 0;
        for (size_t i = 0; ok && i < n; i++)
            ok = (out[i] = strndup(buf + i * width, width - 1)) != NULL;
        free(buf);
    }
    if (mem >= 0)
        H5Tclose(mem);
    if (!ok) {
        for (size_t i = 0; i < n; i++)
            free(out[i]);
        free(out);
        return NULL;
    }
    return out;
}

static void free_strings(char **s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        free(s[i]);
    free(s);
}

int lt_h5_feature_names(lt_h5 *h, const char *attr, char ***names, lt_diag *e)
{
    *names = NULL;
    if (h->rank > 2 || H5Aexists(h->dset, attr) <= 0)
        return 0;
    size_t last = h->rank > 1 ? (size_t)h->dims[h->rank - 1] : 1;
    hid_t a = H5Aopen(h->dset, attr, H5P_DEFAULT);
    hid_t type = a >= 0 ? H5Aget_type(a) : -1;
    hid_t space = a >= 0 ? H5Aget_space(a) : -1;
    hssize_t count = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    int rc = 0;
    char **all = NULL;
    if (type < 0 || H5Tget_class(type) != H5T_STRING) {
        say(e, h->where, 0, "attribute '%s' holds %s; expected one string per column", attr,
            type < 0 ? "nothing readable" : class_name(type));
        rc = -1;
    } else if (count != (hssize_t)last) {
        say(e, h->where, 0, "attribute '%s' holds %lld names for %zu columns", attr,
            (long long)count, last);
        rc = -1;
    } else if (!(all = read_strings(a, true, type, space, last))) {
        say(e, h->where, 0, "attribute '%s' cannot be read", attr);
        rc = -1;
    }
    size_t n = h->n_keep;
    char **kept = rc == 0 ? calloc(n + 1, sizeof *kept) : NULL;
    if (rc == 0 && !kept) {
        out_of_memory(e, h->where);
        rc = -1;
    }
    for (size_t j = 0; rc == 0 && j < n; j++)
        if (!(kept[j] = strdup(all[h->keep ? h->keep[j] : j]))) {
            out_of_memory(e, h->where);
            rc = -1;
        }
    free_strings(all, last);
    if (rc == 0)
        *names = kept;
    else
        free_strings(kept, n);
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    if (a >= 0)
        H5Aclose(a);
    return rc;
}

/* ---- labels ------------------------------------------------------------- */

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Integer labels V (ROWS of them, checked whole) into classes. */
static int encode_numbers(const char *where, const double *v, size_t rows, int *y, char ***classes,
                          int *n_classes, lt_diag *e)
{
    for (size_t i = 0; i < rows; i++)
        if (!isfinite(v[i]) || v[i] != floor(v[i]) || fabs(v[i]) > 1e15) {
            say(e, where, (long)(i + 1), "label %g is not a whole number", v[i]);
            return -1;
        }
    double *sorted = malloc(rows * sizeof *sorted + 1);
    if (!sorted) {
        out_of_memory(e, where);
        return -1;
    }
    memcpy(sorted, v, rows * sizeof *v);
    qsort(sorted, rows, sizeof *sorted, by_value);
    size_t n = 0;
    for (size_t i = 0; i < rows; i++)
        if (n == 0 || sorted[i] != sorted[n - 1])
            sorted[n++] = sorted[i];
    char **names = calloc(n + 1, sizeof *names);
    int rc = names ? 0 : -1;
    for (size_t c = 0; rc == 0 && c < n; c++) {
        char text[32];
        snprintf(text, sizeof text, "%.0f", sorted[c]);
        rc = (names[c] = strdup(text)) ? 0 : -1;
    }
    for (size_t i = 0; rc == 0 && i < rows; i++) {
        double *hit = bsearch(&v[i], sorted, n, sizeof *sorted, by_value);
        y[i] = (int)(hit - sorted);
    }
    free(sorted);
    if (rc != 0) {
        free_strings(names, n);
        out_of_memory(e, where);
        return -1;
    }
    *classes = names;
    *n_classes = (int)n;
    return 0;
}

/* String labels S (ROWS of them) into classes. */
static int encode_strings(const char *where, char **s, size_t rows, int *y, char ***classes, int *n_classes,
                          lt_diag *e)
{
    char **sorted = malloc(rows * sizeof *sorted + 1);
    if (!sorted) {
        out_of_memory(e, where);
        return -1;
    }
    memcpy(sorted, s, rows * sizeof *s);
    qsort(sorted, rows, sizeof *sorted, by_string);
    size_t n = 0;
    for (size_t i = 0; i < rows; i++)
        if (n == 0 || strcmp(sorted[i], sorted[n - 1]) != 0)
            sorted[n++] = sorted[i];
    char **names = calloc(n + 1, sizeof *names);
    int rc = names ? 0 : -1;
    for (size_t c = 0; rc == 0 && c < n; c++)
        rc = (names[c] = strdup(sorted[c])) ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < rows; i++) {
        char **hit = bsearch(&s[i], sorted, n, sizeof *sorted, by_string);
        y[i] = (int)(hit - sorted);
    }
    free(sorted);
    if (rc != 0) {
        free_strings(names, n);
        out_of_memory(e, where);
        return -1;
    }
    *classes = names;
    *n_classes = (int)n;
    return 0;
}

/* An open labels dataset, checked for shape and type. */
typedef struct labels_ds {
    hid_t f, d, type, space;
    bool is_string;
    char *where;
} labels_ds;

static void labels_close(labels_ds *l)
{
    if (l->space >= 0)
        H5Sclose(l->space);
    if (l->type >= 0)
        H5Tclose(l->type);
    if (l->d >= 0)
        H5Oclose(l->d);
    if (l->f >= 0)
        H5Fclose(l->f);
    free(l->where);
}

/* Opens DSET of FILE and checks it holds ROWS numbers or strings. */
static int labels_open(labels_ds *l, const char *file, const char *dset, size_t rows, lt_diag *e)
{
    *l = (labels_ds){.f = -1, .d = -1, .type = -1, .space = -1};
    char *path = absolute(dset);
    size_t wn = strlen(file) + strlen(dset) + 3;
    if (!path || !(l->where = malloc(wn))) {
        free(path);
        out_of_memory(e, file);
        return -1;
    }
    snprintf(l->where, wn, "%s:%s", file, path);
    int rc = -1;
    if ((l->f = open_file(file, e)) < 0 ||
        (l->d = open_dataset(l->f, l->where, path, e)) < 0)
        goto done;
    l->type = H5Dget_type(l->d);
    l->space = H5Dget_space(l->d);
    int rank = l->space >= 0 ? H5Sget_simple_extent_ndims(l->space) : -1;
    hsize_t dims[LT_H5_MAX_RANK] = {0};
    if (rank >= 1 && rank <= LT_H5_MAX_RANK)
        H5Sget_simple_extent_dims(l->space, dims, NULL);
    hssize_t count = l->space >= 0 ? H5Sget_simple_extent_npoints(l->space) : -1;
    l->is_string = l->type >= 0 && H5Tget_class(l->type) == H5T_STRING;
    if (rank < 1 || count != (hssize_t)rows || (hsize_t)count != dims[0])
        say(e, l->where, 0, "holds %lld labels in %d axes; expected one for each of the %zu rows",
            (long long)count, rank, rows);
    else if (!l->is_string && (l->type < 0 || !numeric_name(l->type)))
        say(e, l->where, 0, "holds %s; expected integer or string labels",
            l->type < 0 ? "values of an unreadable type" : class_name(l->type));
    else
        rc = 0;
done:
    free(path);
    return rc;
}

int lt_h5_check_labels(const char *file, const char *dset, size_t rows, lt_diag *e)
{
    labels_ds l;
    int rc = labels_open(&l, file, dset, rows, e);
    labels_close(&l);
    return rc;
}

int lt_h5_read_labels(const char *file, const char *dset, size_t rows, int **y, char ***classes,
                      int *n_classes, lt_diag *e)
{
    *y = NULL;
    *classes = NULL;
    *n_classes = 0;
    labels_ds l;
    int rc = labels_open(&l, file, dset, rows, e);
    if (rc == 0 && !(*y = malloc(rows * sizeof **y + 1))) {
        out_of_memory(e, l.where);
        rc = -1;
    }
    if (rc == 0 && l.is_string) {
        char **s = read_strings(l.d, false, l.type, l.space, rows);
        rc = s ? encode_strings(l.where, s, rows, *y, classes, n_classes, e) : -1;
        if (!s)
            say(e, l.where, 0, "the labels cannot be read");
        free_strings(s, rows);
    } else if (rc == 0) {
        double *v = malloc(rows * sizeof *v + 1);
        rc = -1;
        if (!v)
            out_of_memory(e, l.where);
        else if (H5Dread(l.d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
            say(e, l.where, 0, "the labels cannot be read (a damaged file?)");
        else
            rc = encode_numbers(l.where, v, rows, *y, classes, n_classes, e);
        free(v);
    }
    if (rc != 0) {
        free(*y);
        *y = NULL;
    }
    labels_close(&l);
    return rc;
}
