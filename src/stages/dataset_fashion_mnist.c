/* dataset.fashion_mnist: Zalando's Fashion-MNIST from its four IDX files,
 * prepared as the lecture does after keras.datasets.fashion_mnist.load_data():
 * pixels as float32 divided by 255, and the last valid_size training images
 * as the validation split (X_train_full[:-5000], X_train_full[-5000:]). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/idx.h"
#include "core/ctx.h"
#include "latent/stage.h"

#define SIDE 28
#define N_CLASSES 10

static const char *const class_names[N_CLASSES] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot",
};

struct fashion_mnist_config {
    char *path;
    int valid_size;
    int train_rows;
    bool test;
    bool stream;
};

#define CFG struct fashion_mnist_config
static const lt_param params[] = {
    LT_PATH(CFG, path, "/usr/share/datasets/fashion-mnist", 0,
            "folder with train-images-idx3-ubyte.gz and the other three IDX files "
            "(Debian's dataset-fashion-mnist); uncompressed files work too"),
    LT_INT(CFG, valid_size, 5000, 0, 1000000, 0,
           "images taken from the end of the training file as the valid split"),
    LT_INT(CFG, train_rows, 0, 0, 1000000, 0,
           "keep the first N of the remaining training images (0: all of them)"),
    LT_BOOL(CFG, test, true, "include the t10k images as the test split"),
    LT_BOOL(CFG, stream, false,
            "hand the images on as streams read in batches (for pca's incremental "
            "solver: memory for a batch, not 60000 images); labels are read whole; "
            "other stages read the images whole"),
};
#undef CFG

/* One file pair as read: images (n x 28 x 28) and their labels. */
typedef struct image_set {
    char *images_path, *labels_path; /* owned */
    lt_idx images, labels;
} image_set;

static void image_set_free(image_set *s)
{
    free(s->images_path);
    free(s->labels_path);
    lt_idx_free(&s->images);
    lt_idx_free(&s->labels);
}

/* DIR/BASE.gz, or DIR/BASE when only that exists (the error for a missing
 * file names the .gz). Owned, or NULL when out of memory. */
static char *find_file(const char *dir, const char *base)
{
    size_t size = strlen(dir) + strlen(base) + 5;
    char *path = malloc(size);
    if (!path)
        return NULL;
    snprintf(path, size, "%s/%s.gz", dir, base);
    if (access(path, F_OK) != 0) {
        path[strlen(path) - 3] = '\0';
        if (access(path, F_OK) != 0)
            strcat(path, ".gz");
    }
    return path;
}

/* Reads PREFIX-images-idx3-ubyte and PREFIX-labels-idx1-ubyte from DIR and
 * checks they are 28 x 28 images with one label in 0..9 each. */
static int read_set(lt_ctx *ctx, const char *dir, const char *prefix, image_set *s)
{
    lt_diag sink = {.limit = 1}; /* what the reader reports, for lt_ctx_take */
    char base[64];
    snprintf(base, sizeof base, "%s-images-idx3-ubyte", prefix);
    s->images_path = find_file(dir, base);
    snprintf(base, sizeof base, "%s-labels-idx1-ubyte", prefix);
    s->labels_path = find_file(dir, base);
    if (!s->images_path || !s->labels_path)
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    /* Only the images' header now: held splits are filled by one scan of
     * the file (fill_pixels), streamed ones open their own readers. */
    lt_idx_reader *reader = NULL;
    int rc = lt_ctx_take(ctx, &sink, lt_idx_open_u8(&sink, s->images_path, 3, &s->images, &reader));
    lt_idx_close(&reader);
    if (rc == LT_OK)
        rc = lt_ctx_take(ctx, &sink, lt_idx_read_u8(&sink, s->labels_path, 1, &s->labels));
    if (rc != LT_OK)
        return rc;
    const size_t *dims = s->images.dims;
    if (dims[1] != SIDE || dims[2] != SIDE)
        return lt_fail_at(ctx, LT_EINPUT, s->images_path, 0, 0,
                          "images are %zu x %zu pixels, expected %d x %d", dims[1],
                          dims[2], SIDE, SIDE);
    if (s->labels.count != dims[0])
        return lt_fail_at(ctx, LT_EINPUT, s->labels_path, 0, 0,
                          "holds %zu labels but %s holds %zu images", s->labels.count,
                          s->images_path, dims[0]);
    if (dims[0] == 0)
        return lt_fail_at(ctx, LT_EINPUT, s->images_path, 0, 0, "holds no images");
    for (size_t i = 0; i < s->labels.count; i++)
        if (s->labels.data[i] >= N_CLASSES)
            return lt_fail_at(ctx, LT_EINPUT, s->labels_path, 0, 0,
                              "label %d of image %zu is not a class (0 to %d)",
                              s->labels.data[i], i, N_CLASSES - 1);
    return LT_OK;
}

/* scaled[g] = grey level g as numpy's astype(np.float32) / 255 gives it:
 * one float division per level. */
static void grey_levels(float scaled[256])
{
    for (int g = 0; g < 256; g++)
        scaled[g] = (float)g / 255.0f;
}

/* Rows [first, first + rows) of SET as a float32 split, its pixels still
 * zero (fill_pixels reads them) and its labels set. */
static int fill_split(lt_split *out, const image_set *set, size_t first, size_t rows)
{
    if (!(out->x = lt_mat_new_f32(rows, SIDE * SIDE)) || !(out->y = malloc(rows * sizeof *out->y)))
        return -1;
    for (size_t i = 0; i < rows; i++)
        out->y[i] = set->labels.data[first + i];
    return 0;
}

/* Where fill_pixels puts a file's images: the held splits cut from it. */
struct pixel_sink {
    float scaled[256];
    size_t n;
    struct {
        lt_mat *x;
        size_t first; /* the file's image that is the split's row 0 */
    } to[2];
};

/* One piece of the file into the splits that hold its images. */
static int put_pixels(void *arg, size_t first, size_t n, const unsigned char *items)
{
    struct pixel_sink *s = arg;
    const size_t p = SIDE * SIDE;
    for (size_t t = 0; t < s->n; t++) {
        lt_mat *x = s->to[t].x;
        size_t lo = first > s->to[t].first ? first : s->to[t].first;
        size_t hi = first + n < s->to[t].first + x->rows ? first + n : s->to[t].first + x->rows;
        if (lo >= hi)
            continue;
        const unsigned char *src = items + (lo - first) * p;
        float *dst = x->f + (lo - s->to[t].first) * p;
        for (size_t k = 0; k < (hi - lo) * p; k++)
            dst[k] = s->scaled[src[k]];
    }
    return 0;
}

/* The pixels of SET's held splits A and B (either may be NULL), from one
 * scan of its image file: memory for the splits, never also for the file's
 * bytes. The whole file is read and checked, as when it was read whole. */
static int fill_pixels(lt_ctx *ctx, const image_set *set, lt_split *a, size_t a_first,
                       lt_split *b, size_t b_first)
{
    lt_diag sink = {.limit = 1}; /* what the reader reports, for lt_ctx_take */
    struct pixel_sink s = {0};
    grey_levels(s.scaled);
    if (a && a->x)
        s.to[s.n].x = a->x, s.to[s.n++].first = a_first;
    if (b && b->x)
        s.to[s.n].x = b->x, s.to[s.n++].first = b_first;
    lt_idx header;
    return lt_ctx_take(ctx, &sink, lt_idx_scan_u8(&sink, set->images_path, 3, &header, put_pixels, &s));
}

/* Images [first, first + rows) of an IDX file, scaled as fill_split
 * scales them, read on demand. */
typedef struct image_stream {
    lt_stream base;
    lt_idx_reader *reader;
    size_t first;
    unsigned char *bytes; /* the last batch read */
    size_t cap;
    float scaled[256];
} image_stream;

static int image_stream_read(lt_stream *base, size_t first, size_t n, double *out,
                             char *err, size_t err_size)
{
    image_stream *s = (image_stream *)base;
    const size_t p = SIDE * SIDE;
    if (n * p > s->cap) {
        unsigned char *b = realloc(s->bytes, n * p);
        if (!b) {
            snprintf(err, err_size, "out of memory reading %zu images", n);
            return -1;
        }
        s->bytes = b;
        s->cap = n * p;
    }
    if (lt_idx_read_items(s->reader, s->first + first, n, s->bytes, err, err_size) != 0)
        return -1;
    for (size_t k = 0; k < n * p; k++)
        out[k] = s->scaled[s->bytes[k]];
    return 0;
}

static void image_stream_close(lt_stream *base)
{
    image_stream *s = (image_stream *)base;
    lt_idx_close(&s->reader);
    free(s->bytes);
    free(s);
}

/* As fill_split, with the images as a stream that reads SET's file. */
static int stream_split(lt_ctx *ctx, lt_split *out, const image_set *set, size_t first,
                        size_t rows)
{
    lt_diag sink = {.limit = 1}; /* what the reader reports, for lt_ctx_take */
    const size_t p = SIDE * SIDE;
    image_stream *s = calloc(1, sizeof *s);
    lt_idx header;
    if (!s || !(out->x = calloc(1, sizeof *out->x)) ||
        !(out->y = malloc(rows * sizeof *out->y))) {
        free(s);
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    }
    int rc = lt_ctx_take(ctx, &sink, lt_idx_open_u8(&sink, set->images_path, 3, &header, &s->reader));
    if (rc != LT_OK) {
        free(s);
        return rc;
    }
    s->base.read = image_stream_read;
    s->base.close = image_stream_close;
    s->first = first;
    grey_levels(s->scaled);
    out->x->rows = rows;
    out->x->cols = p;
    out->x->stream = &s->base;
    for (size_t i = 0; i < rows; i++)
        out->y[i] = set->labels.data[first + i];
    return LT_OK;
}

/* One split, held (float32) or streamed. */
static int make_split(lt_ctx *ctx, bool stream, lt_split *out, const image_set *set,
                      size_t first, size_t rows)
{
    if (stream)
        return stream_split(ctx, out, set, first, rows);
    return fill_split(out, set, first, rows) == 0 ? LT_OK
                                                   : lt_fail(ctx, LT_ERUNTIME, "out of memory");
}

/* The metadata every split shares. */
static int describe(lt_data *d)
{
    d->n_features = SIDE * SIDE;
    d->image_rows = d->image_cols = SIDE;
    d->n_classes = N_CLASSES;
    if (!(d->class_names = calloc(N_CLASSES, sizeof *d->class_names)))
        return -1;
    for (int c = 0; c < N_CLASSES; c++)
        if (!(d->class_names[c] = strdup(class_names[c])))
            return -1;
    return 0;
}

/* The headers of PREFIX's two files: 28 x 28 images and as many labels;
 * *n receives the image count. Reads no pixels and no labels. */
static int probe_set(lt_ctx *ctx, const char *dir, const char *prefix, size_t *n)
{
    lt_diag sink = {.limit = 1}; /* what the reader reports, for lt_ctx_take */
    image_set s = {0};
    char base[64];
    snprintf(base, sizeof base, "%s-images-idx3-ubyte", prefix);
    s.images_path = find_file(dir, base);
    snprintf(base, sizeof base, "%s-labels-idx1-ubyte", prefix);
    s.labels_path = find_file(dir, base);
    lt_idx_reader *reader = NULL;
    int rc = s.images_path && s.labels_path ? LT_OK : lt_fail(ctx, LT_ERUNTIME, "out of memory");
    if (rc == LT_OK)
        rc = lt_ctx_take(ctx, &sink, lt_idx_open_u8(&sink, s.images_path, 3, &s.images, &reader));
    lt_idx_close(&reader);
    if (rc == LT_OK)
        rc = lt_ctx_take(ctx, &sink, lt_idx_open_u8(&sink, s.labels_path, 1, &s.labels, &reader));
    lt_idx_close(&reader);
    const size_t *dims = s.images.dims;
    if (rc == LT_OK && (dims[1] != SIDE || dims[2] != SIDE))
        rc = lt_fail_at(ctx, LT_EINPUT, s.images_path, 0, 0, "images are %zu x %zu pixels, expected %d x %d",
                        dims[1], dims[2], SIDE, SIDE);
    if (rc == LT_OK && s.labels.count != dims[0])
        rc = lt_fail_at(ctx, LT_EINPUT, s.labels_path, 0, 0, "holds %zu labels but %s holds %zu images",
                        s.labels.count, s.images_path, dims[0]);
    if (rc == LT_OK && dims[0] == 0)
        rc = lt_fail_at(ctx, LT_EINPUT, s.images_path, 0, 0, "holds no images");
    *n = dims[0];
    image_set_free(&s);
    return rc;
}

/* The four files' headers, and the split sizes against the image count. */
static int probe(lt_ctx *ctx, const void *config)
{
    const struct fashion_mnist_config *cfg = config;
    size_t n = 0, n_test = 0;
    int rc = probe_set(ctx, cfg->path, "train", &n);
    if (rc == LT_OK && (size_t)cfg->valid_size >= n) {
        char *images = find_file(cfg->path, "train-images-idx3-ubyte");
        rc = lt_fail_param(ctx, LT_EINPUT, "valid_size", "valid_size is %d but %s holds %zu images: "
                           "none would be left to train on", cfg->valid_size,
                           images ? images : "the training file", n);
        free(images);
    }
    if (rc == LT_OK && cfg->train_rows && (size_t)cfg->train_rows > n - (size_t)cfg->valid_size)
        rc = lt_fail_param(ctx, LT_EINPUT, "train_rows", "train_rows is %d but only %zu training images "
                           "remain after valid_size %d", cfg->train_rows, n - (size_t)cfg->valid_size,
                           cfg->valid_size);
    if (rc == LT_OK && cfg->test)
        rc = probe_set(ctx, cfg->path, "t10k", &n_test);
    return rc;
}

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs,
               int n_inputs, lt_value *outputs)
{
    (void)inputs, (void)n_inputs;
    const struct fashion_mnist_config *cfg = config;
    image_set train = {0}, test = {0};
    lt_data *d = NULL;
    int rc = read_set(ctx, cfg->path, "train", &train);
    if (rc != LT_OK)
        goto done;
    size_t n = train.images.dims[0], n_valid = (size_t)cfg->valid_size;
    if (n_valid >= n) {
        rc = lt_fail(ctx, LT_EINPUT, "valid_size is %d but %s holds %zu images: none "
                     "would be left to train on", cfg->valid_size, train.images_path, n);
        goto done;
    }
    size_t n_train = cfg->train_rows ? (size_t)cfg->train_rows : n - n_valid;
    if (n_train > n - n_valid) {
        rc = lt_fail(ctx, LT_EINPUT, "train_rows is %d but only %zu training images "
                     "remain after valid_size %d", cfg->train_rows, n - n_valid,
                     cfg->valid_size);
        goto done;
    }
    if (cfg->test && (rc = read_set(ctx, cfg->path, "t10k", &test)) != LT_OK)
        goto done;

    if (!(d = lt_data_new()) || describe(d) != 0) {
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    rc = make_split(ctx, cfg->stream, &d->split[LT_TRAIN], &train, 0, n_train);
    if (rc == LT_OK && n_valid)
        rc = make_split(ctx, cfg->stream, &d->split[LT_VALID], &train, n - n_valid, n_valid);
    if (rc == LT_OK && cfg->test)
        rc = make_split(ctx, cfg->stream, &d->split[LT_TEST], &test, 0, test.images.dims[0]);
    if (rc == LT_OK && !cfg->stream)
        rc = fill_pixels(ctx, &train, &d->split[LT_TRAIN], 0, &d->split[LT_VALID], n - n_valid);
    if (rc == LT_OK && !cfg->stream && cfg->test)
        rc = fill_pixels(ctx, &test, &d->split[LT_TEST], 0, NULL, 0);
    if (rc != LT_OK)
        goto done;
    for (int s = 0; s < LT_N_SPLITS; s++) {
        char name[32];
        snprintf(name, sizeof name, "%s_rows", lt_split_name(s));
        lt_report_int(ctx, name, (long long)lt_data_rows(d, s));
    }
done:
    image_set_free(&train);
    image_set_free(&test);
    if (rc != LT_OK) {
        lt_data_free(&d);
        return rc;
    }
    outputs[0].data = d;
    return LT_OK;
}

static const lt_output outputs_table[] = {
    {"data", LT_DATASET, "the images: train, valid and test splits"},
};

static const lt_metric dataset_fashion_mnist_metrics[] = {
    {"{split}_rows", "images in the split (0 when absent)"},
};

const lt_stage_def dataset_fashion_mnist_stage = {
    .abi = LT_ABI_VERSION,
    .name = "dataset.fashion_mnist",
    .summary = "Fashion-MNIST: 28 x 28 grey images of 10 kinds of clothing in [0, 1] "
               "(float32), train/valid/test",
    .params = params,
    .n_params = LT_COUNT(params),
    .config_size = sizeof(struct fashion_mnist_config),
    .min_inputs = 0,
    .max_inputs = 0,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .distributed = true, /* its rows can be cut into blocks, one per MPI rank */
    .accepts_f32 = true,
    .probe = probe,
    .run = run,
    .metrics = dataset_fashion_mnist_metrics,
    .n_metrics = LT_COUNT(dataset_fashion_mnist_metrics),
};
