/* libFuzzer harness: the HDF5 reader (io/hdf5.c) on valid HDF5 files that
 * the fuzz input describes.
 *
 * Debian 12's libhdf5 (1.10.8) crashes on many malformed files itself (CVEs
 * against the library), so raw bytes never reach H5Fopen: that would find
 * the library's bugs, not ours. Instead the input is read as a recipe. Its
 * bytes choose the dataset's name and group, rank, small extents, element
 * type (floats, integers, fixed and variable-length strings, an enum),
 * chunking and compression, the values, a feature_names attribute (names
 * from a small alphabet, so repeats and empty names are common; a wrong
 * count or a numeric attribute), and a labels dataset. libhdf5 writes that
 * file in memory (the core driver, no backing store); its image goes to a
 * temporary file, which latent's reader then opens with options the input
 * chooses too: the dataset path (right or wrong), columns by index or by
 * name, labels. Each call must keep the sink's contract: a call that fails
 * records exactly one problem, one that succeeds records none. */
#include <hdf5.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "io/hdf5.h"

/* The recipe's bytes, read front to back; past the end every read is 0. */
typedef struct recipe {
    const uint8_t *p;
    size_t n;
} recipe;

static unsigned byte(recipe *r)
{
    if (!r->n)
        return 0;
    r->n--;
    return *r->p++;
}

static unsigned pick(recipe *r, unsigned n) { return byte(r) % n; }

/* Names from a four-letter alphabet and at most three letters, so that a
 * list of them repeats names and holds empty ones often. */
static void small_name(recipe *r, char *out)
{
    size_t len = pick(r, 4);
    for (size_t i = 0; i < len; i++)
        out[i] = "abc_"[pick(r, 4)];
    out[len] = '\0';
}

/* The element types a file may hold: what the reader takes and what it
 * must refuse by name. STR_FIXED and STR_VAR are strings, ENUM is h5py's
 * boolean. */
enum kind { F32, F64, I8, U8, I16, I32, U32, I64, U64, STR_FIXED, STR_VAR, ENUM, N_KINDS };

static hid_t make_type(enum kind k)
{
    static const hid_t *native[] = {&H5T_NATIVE_FLOAT_g, &H5T_NATIVE_DOUBLE_g, &H5T_NATIVE_SCHAR_g,
                                    &H5T_NATIVE_UCHAR_g, &H5T_NATIVE_SHORT_g,  &H5T_NATIVE_INT_g,
                                    &H5T_NATIVE_UINT_g,  &H5T_NATIVE_LLONG_g,  &H5T_NATIVE_ULLONG_g};
    if (k < STR_FIXED)
        return H5Tcopy(*native[k]);
    if (k == ENUM) {
        hid_t t = H5Tenum_create(H5T_NATIVE_SCHAR);
        signed char no = 0, yes = 1;
        H5Tenum_insert(t, "FALSE", &no);
        H5Tenum_insert(t, "TRUE", &yes);
        return t;
    }
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, k == STR_VAR ? H5T_VARIABLE : 4);
    return t;
}

/* Writes COUNT elements of kind K to dataset or attribute OBJ, the values
 * from the recipe (numbers as raw bytes, so NaN and infinities come too). */
static herr_t write_values(hid_t obj, bool attr, hid_t type, enum kind k, size_t count, recipe *r)
{
    size_t size = k == STR_VAR ? sizeof(char *) : H5Tget_size(type);
    unsigned char *buf = calloc(count ? count : 1, size);
    char (*text)[4] = calloc(count ? count : 1, sizeof *text);
    herr_t rc = -1;
    if (buf && text) {
        for (size_t i = 0; i < count; i++) {
            if (k == STR_VAR) {
                small_name(r, text[i]);
                ((char **)buf)[i] = text[i];
            } else if (k == ENUM) {
                buf[i] = byte(r) & 1;
            } else if (k == STR_FIXED) {
                small_name(r, (char *)buf + i * size);
            } else {
                for (size_t b = 0; b < size; b++)
                    buf[i * size + b] = (unsigned char)byte(r);
            }
        }
        rc = attr ? H5Awrite(obj, type, buf) : H5Dwrite(obj, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    }
    free(buf);
    free(text);
    return rc;
}

/* The file the recipe describes, in memory. */
typedef struct built {
    char dset[32];   /* the dataset's path */
    hsize_t dims[4];
    int rank;
    bool has_names;
} built;

/* A dataset of shape DIMS (rank 0: a scalar) and kind K at PATH, chunked
 * (and compressed) when the recipe says so. Returns the open dataset. */
static hid_t make_dataset(hid_t file, const char *path, int rank, const hsize_t *dims, enum kind k,
                          recipe *r)
{
    hid_t space = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
    hid_t type = make_type(k);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    bool all_positive = rank > 0;
    for (int i = 0; i < rank; i++)
        all_positive = all_positive && dims[i] > 0;
    if (all_positive && pick(r, 2)) {
        hsize_t chunk[4];
        for (int i = 0; i < rank; i++)
            chunk[i] = 1 + pick(r, (unsigned)dims[i]);
        H5Pset_chunk(dcpl, rank, chunk);
        if (pick(r, 2))
            H5Pset_deflate(dcpl, 1);
        if (pick(r, 2))
            H5Pset_shuffle(dcpl);
    }
    hid_t d = H5Dcreate2(file, path, type, space, lcpl, dcpl, H5P_DEFAULT);
    hssize_t count = H5Sget_simple_extent_npoints(space);
    if (d >= 0 && write_values(d, false, type, k, (size_t)count, r) < 0) {
        H5Dclose(d);
        d = -1;
    }
    H5Pclose(lcpl);
    H5Pclose(dcpl);
    H5Tclose(type);
    H5Sclose(space);
    return d;
}

/* An attribute NAME on OBJ of COUNT elements of kind K. */
static void make_attribute(hid_t obj, const char *name, size_t count, enum kind k, recipe *r)
{
    hsize_t n = count;
    hid_t space = pick(r, 8) ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR);
    if (H5Sget_simple_extent_type(space) == H5S_SCALAR)
        count = 1;
    hid_t type = make_type(k);
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) {
        write_values(a, true, type, k, count, r);
        H5Aclose(a);
    }
    H5Tclose(type);
    H5Sclose(space);
}

/* Builds the file the recipe describes; returns its image (owned, *size
 * bytes) or NULL when libhdf5 would not make it. */
static void *build_file(recipe *r, built *b, size_t *size)
{
    static const char *const paths[] = {"x", "features", "data/x", "g/h/feat", "labels", "a b"};
    snprintf(b->dset, sizeof b->dset, "%s", paths[pick(r, 6)]);
    b->rank = (int)pick(r, 5);
    for (int i = 0; i < b->rank; i++)
        b->dims[i] = pick(r, i == 0 ? 7 : 4);
    enum kind k = (enum kind)(pick(r, 4) ? pick(r, 9) : pick(r, N_KINDS));

    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_core(fapl, 4096, 0);
    hid_t file = H5Fcreate("fuzz.h5", H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (file < 0)
        return NULL;
    void *image = NULL;
    hid_t d = make_dataset(file, b->dset, b->rank, b->dims, k, r);
    if (d >= 0) {
        unsigned how = pick(r, 4);
        size_t last = b->rank > 1 ? (size_t)b->dims[b->rank - 1] : 1;
        /* Mostly the right count; sometimes one off, or numbers. */
        size_t count = pick(r, 4) ? last : last + pick(r, 3) - 1;
        if (how == 1 || how == 2)
            make_attribute(d, "feature_names", count, how == 1 ? STR_VAR : STR_FIXED, r);
        else if (how == 3)
            make_attribute(d, "feature_names", count, pick(r, 2) ? I32 : F64, r);
        b->has_names = how != 0;
        H5Dclose(d);
    }
    if (d >= 0 && strcmp(b->dset, "labels") != 0 && pick(r, 2)) {
        /* Labels: one per row mostly, as numbers or strings. */
        hsize_t rows = b->rank ? b->dims[0] : 1;
        hsize_t n = pick(r, 4) ? rows : pick(r, 8);
        static const enum kind label_kinds[] = {I32, U8, F64, F32, STR_VAR, STR_FIXED, ENUM};
        hid_t l = make_dataset(file, "labels", pick(r, 8) ? 1 : 2,
                               (hsize_t[]){n, 1}, label_kinds[pick(r, 7)], r);
        if (l >= 0)
            H5Dclose(l);
    }
    if (d >= 0 && H5Fflush(file, H5F_SCOPE_GLOBAL) >= 0) {
        ssize_t n = H5Fget_file_image(file, NULL, 0);
        image = n > 0 ? malloc((size_t)n) : NULL;
        if (image && H5Fget_file_image(file, image, (size_t)n) != n) {
            free(image);
            image = NULL;
        }
        *size = n > 0 ? (size_t)n : 0;
    }
    H5Fclose(file);
    return image;
}

/* A failed call says why, once; a good one says nothing. */
static void contract(bool failed, lt_diag *d)
{
    if (failed != (lt_diag_count(d) == 1))
        abort();
    lt_diag_clear(d);
}

/* The index of column NAME in NAMES (N of them) when exactly one has it;
 * -1 otherwise, as the stage's by-name lookup refuses a repeated name. */
static long column_named(char *const *names, size_t n, const char *name)
{
    long at = -1;
    for (size_t j = 0; j < n; j++)
        if (strcmp(names[j], name) == 0) {
            if (at >= 0)
                return -1;
            at = (long)j;
        }
    return at;
}

static void free_names(char **names, size_t n)
{
    for (size_t j = 0; names && j < n; j++)
        free(names[j]);
    free(names);
}

/* Opens the file as the recipe's options say and reads all of it. */
static void read_file(const char *path, const built *b, recipe *r)
{
    static const char *const wrong[] = {"missing", "data", "/g/h", "", "/", "x/y"};
    char dset[40];
    if (pick(r, 5))
        snprintf(dset, sizeof dset, "%s%s", pick(r, 2) ? "/" : "", b->dset);
    else
        snprintf(dset, sizeof dset, "%s", wrong[pick(r, 6)]);
    const char *names_attr = pick(r, 4) ? "feature_names" : "other_names";

    /* Columns: none, by index (negative ones count from the end), or by
     * name through the names attribute. */
    double keep[4];
    size_t n_keep = 0;
    unsigned how = pick(r, 3);
    lt_diag d = {.limit = 1};
    if (how == 1) {
        n_keep = 1 + pick(r, 4);
        for (size_t i = 0; i < n_keep; i++)
            keep[i] = (double)((int)pick(r, 11) - 5);
    } else if (how == 2) {
        lt_h5 *h = lt_h5_open(path, dset, NULL, 0, &d);
        contract(!h, &d);
        char **names = NULL;
        if (h) {
            contract(lt_h5_feature_names(h, names_attr, &names, &d) != 0, &d);
            size_t want = 1 + pick(r, 4);
            for (size_t i = 0; names && i < want; i++) {
                char name[4];
                small_name(r, name);
                long at = column_named(names, lt_h5_cols(h), name);
                if (at >= 0)
                    keep[n_keep++] = (double)at;
            }
            free_names(names, lt_h5_cols(h));
            lt_h5_close(h);
        }
    }

    lt_h5 *h = lt_h5_open(path, dset, n_keep ? keep : NULL, n_keep, &d);
    contract(!h, &d);
    if (!h)
        return;
    size_t rows = lt_h5_rows(h), cols = lt_h5_cols(h);
    if (lt_h5_rank(h) < 1 || lt_h5_type_name(h) == NULL || !lt_h5_where(h))
        abort();
    char **names = NULL;
    contract(lt_h5_feature_names(h, names_attr, &names, &d) != 0, &d);
    free_names(names, cols);
    /* The rows in blocks of the recipe's size, the last one ragged. */
    double *x = rows && cols ? malloc(rows * cols * sizeof *x) : NULL;
    size_t block = 1 + pick(r, 4);
    for (size_t first = 0; x && first < rows; first += block) {
        size_t n = rows - first < block ? rows - first : block;
        contract(lt_h5_read_rows(h, first, n, x + first * cols, &d) != 0, &d);
    }
    free(x);
    if (pick(r, 2)) {
        const char *labels = pick(r, 4) ? "labels" : dset;
        contract(lt_h5_check_labels(path, labels, rows, &d) != 0, &d);
        int *y = NULL, n_classes = 0;
        char **classes = NULL;
        bool failed = lt_h5_read_labels(path, labels, rows, &y, &classes, &n_classes, &d) != 0;
        contract(failed, &d);
        for (size_t i = 0; !failed && i < rows; i++)
            if (y[i] < 0 || y[i] >= n_classes)
                abort();
        free(y);
        free_names(classes, failed ? 0 : (size_t)n_classes);
    }
    lt_h5_close(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool quiet;
    if (!quiet) {
        H5open(); /* make_type reads the library's native type ids */
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        quiet = true;
    }
    recipe r = {data, size};
    built b = {.rank = 0};
    size_t image_size = 0;
    void *image = build_file(&r, &b, &image_size);
    if (!image)
        return 0;
    const char *path = lt_fuzz_file("data.h5", image, image_size);
    free(image);
    read_file(path, &b, &r);
    return 0;
}
