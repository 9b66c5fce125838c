/* dataset.fashion_mnist on Debian's files against what numpy reads from
 * them (tests/reference/fmnist.json, make_fmnist.py), and its errors on
 * small generated files. */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ctx.h"
#include "util/fsutil.h"
#include "core/sha256.h"
#include "idxfile.h"
#include "testcfg.h"
#include "testutil.h"

const char *lt_test_root = ".";

extern const lt_stage_def dataset_fashion_mnist_stage;
#define STAGE (&dataset_fashion_mnist_stage)

static lt_json *ref;  /* tests/reference/fmnist.json */
static char dir[64];  /* this run's folder of generated files */

static void *config(const char *path, int valid_size, int train_rows, bool test)
{
    void *cfg = lt_test_config(STAGE);
    if (path)
        *(const char **)((char *)cfg + lt_test_param(STAGE, "path")->offset) = path;
    lt_test_set_int(STAGE, cfg, "valid_size", valid_size);
    lt_test_set_int(STAGE, cfg, "train_rows", train_rows);
    lt_test_set_bool(STAGE, cfg, "test", test);
    return cfg;
}

/* Asserts split S of D is what make_fmnist.py found for KEY. */
static void check_split(const lt_data *d, int s, const char *key)
{
    const lt_json *r = lt_json_get(ref, key);
    const lt_mat *x = d->split[s].x;
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    size_t n = x->rows;
    CU_ASSERT_EQUAL_FATAL(n, (size_t)lt_json_number(lt_json_get(r, "rows")));
    CU_ASSERT_EQUAL_FATAL(x->cols, 784);
    CU_ASSERT_PTR_NULL(x->v); /* held once, as float32 */
    CU_ASSERT_PTR_NOT_NULL_FATAL(x->f);

    char hex[65];
    lt_sha256_hex(x->f, n * 784 * sizeof(float), hex);
    CU_ASSERT_STRING_EQUAL(hex, lt_json_string(lt_json_get(r, "pixels_sha256")));
    unsigned char *labels = malloc(n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(labels);
    size_t counts[10] = {0};
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        labels[i] = (unsigned char)d->split[s].y[i];
        counts[d->split[s].y[i]]++;
    }
    for (size_t k = 0; k < n * 784; k++)
        sum += x->f[k];
    lt_sha256_hex(labels, n, hex);
    free(labels);
    CU_ASSERT_STRING_EQUAL(hex, lt_json_string(lt_json_get(r, "labels_sha256")));
    /* numpy sums pairwise, this loop in order: over 4e7 terms the two
     * drift apart by about 1e-11 relative. The hash above is the exact test. */
    double want = lt_json_number(lt_json_get(r, "pixel_sum"));
    CU_ASSERT_DOUBLE_EQUAL(sum, want, 1e-10 * want);
    for (int c = 0; c < 10; c++)
        CU_ASSERT_EQUAL(counts[c],
                        lt_json_number(lt_json_at(lt_json_get(r, "class_counts"), (size_t)c)));
    const lt_json *px = lt_json_get(r, "pixels");
    for (size_t k = 0; k < lt_json_size(px); k++) {
        const lt_json *p = lt_json_at(px, k);
        size_t row = (size_t)lt_json_number(lt_json_at(p, 0));
        size_t col = (size_t)lt_json_number(lt_json_at(p, 1));
        CU_ASSERT_EQUAL((double)x->f[row * 784 + col], lt_json_number(lt_json_at(p, 2)));
    }
}

static void test_debian_files(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    void *cfg = config(NULL, 5000, 0, true);
    lt_data *d = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = lt_test_call(STAGE, ctx, cfg, NULL, 0, &d);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc != LT_OK)
        printf("\n      %s\n", lt_ctx_error(ctx));
    CU_ASSERT_EQUAL_FATAL(rc, LT_OK);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    printf("(loaded in %.3f s) ", seconds); /* informative: timings live in bench/ */
    check_split(d, LT_TRAIN, "train");
    check_split(d, LT_VALID, "valid");
    check_split(d, LT_TEST, "test");
    CU_ASSERT_EQUAL(d->n_features, 784);
    CU_ASSERT_EQUAL(d->image_rows, 28);
    CU_ASSERT_EQUAL(d->image_cols, 28);
    CU_ASSERT_EQUAL_FATAL(d->n_classes, 10);
    CU_ASSERT_STRING_EQUAL(d->class_names[0], "T-shirt/top");
    CU_ASSERT_STRING_EQUAL(d->class_names[9], "Ankle boot");
    CU_ASSERT_EQUAL(lt_ctx_test_metric(ctx, "valid_rows", 0), 5000);
    lt_data_free(&d);
    free(cfg);
    lt_ctx_free_test(ctx);
}

static void test_limits(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    void *cfg = config(NULL, 5000, 10000, false);
    lt_data *d = NULL;
    CU_ASSERT_EQUAL_FATAL(lt_test_call(STAGE, ctx, cfg, NULL, 0, &d), LT_OK);
    check_split(d, LT_TRAIN, "train_10000");
    check_split(d, LT_VALID, "valid"); /* still the end of the full set */
    CU_ASSERT_PTR_NULL(d->split[LT_TEST].x);
    lt_data_free(&d);
    free(cfg);
    lt_ctx_free_test(ctx);
}

/* Writes a fake set PREFIX of N images of SIDE x SIDE pixels (pixel k of
 * the file is k mod 256) and N_LABELS labels (label i is i mod 10, plus
 * BAD_LABEL at the end when nonzero). */
static void fake_set(const char *prefix, bool gz, uint32_t n, uint32_t side,
                     uint32_t n_labels, int bad_label)
{
    char path[256], base[64];
    size_t count = (size_t)n * side * side;
    unsigned char *px = malloc(count + 1), labels[64];
    CU_ASSERT_PTR_NOT_NULL_FATAL(px);
    for (size_t k = 0; k < count; k++)
        px[k] = (unsigned char)(k % 256);
    for (uint32_t i = 0; i < n_labels; i++)
        labels[i] = (unsigned char)(i % 10);
    if (bad_label)
        labels[n_labels - 1] = (unsigned char)bad_label;
    uint32_t dims[3] = {n, side, side};
    snprintf(base, sizeof base, "%s-images-idx3-ubyte%s", prefix, gz ? ".gz" : "");
    CU_ASSERT_EQUAL_FATAL(idxfile_u8(idxfile_path(path, sizeof path, dir, base), gz, 0x08, 3,
                                     dims, px, count), 0);
    snprintf(base, sizeof base, "%s-labels-idx1-ubyte%s", prefix, gz ? ".gz" : "");
    CU_ASSERT_EQUAL_FATAL(idxfile_u8(idxfile_path(path, sizeof path, dir, base), gz, 0x08, 1,
                                     &n_labels, labels, n_labels), 0);
    free(px);
}

/* Runs the stage on DIR and asserts the error is MESSAGE with every "@"
 * replaced by DIR. */
static void expect_error(const char *path, int valid_size, int train_rows, bool test,
                         const char *message)
{
    char expect[1024];
    lt_test_expand(message, dir, expect, sizeof expect);
    lt_ctx *ctx = lt_ctx_new_test();
    lt_ctx_enter(ctx, "data", 0, 0, lt_ctx_test_metrics(ctx));
    void *cfg = config(path, valid_size, train_rows, test);
    lt_data *d = NULL;
    CU_ASSERT_EQUAL(lt_test_call(STAGE, ctx, cfg, NULL, 0, &d), LT_EINPUT);
    CU_ASSERT_PTR_NULL(d);
    MESSAGE_IS(lt_ctx_error(ctx), expect);
    lt_ctx_free_test(ctx);
    /* The probe reads the headers only: it finds all but a bad label. */
    bool in_values = strstr(message, "is not a class") != NULL;
    ctx = lt_ctx_new_test();
    lt_ctx_enter(ctx, "data", 0, 0, lt_ctx_test_metrics(ctx));
    CU_ASSERT_EQUAL(STAGE->probe(ctx, cfg), in_values ? LT_OK : LT_EINPUT);
    if (!in_values)
        MESSAGE_IS(lt_ctx_error(ctx), expect);
    free(cfg);
    lt_ctx_free_test(ctx);
}

/* Plain files are found when there is no .gz, and scaled as numpy does. */
static void test_plain_files(void)
{
    fake_set("train", false, 6, 28, 6, 0);
    lt_ctx *ctx = lt_ctx_new_test();
    void *cfg = config(dir, 2, 3, false);
    lt_data *d = NULL;
    CU_ASSERT_EQUAL_FATAL(lt_test_call(STAGE, ctx, cfg, NULL, 0, &d), LT_OK);
    CU_ASSERT_EQUAL(lt_data_rows(d, LT_TRAIN), 3);
    CU_ASSERT_EQUAL_FATAL(lt_data_rows(d, LT_VALID), 2);
    /* Valid row 0 is file image 4: its pixel k is (4 * 784 + k) mod 256. */
    for (size_t k = 0; k < 784; k++)
        CU_ASSERT_EQUAL(d->split[LT_VALID].x->f[k], (float)((4 * 784 + k) % 256) / 255.0f);
    CU_ASSERT_EQUAL(d->split[LT_VALID].y[1], 5);
    CU_ASSERT_EQUAL(d->split[LT_TRAIN].x->f[3 * 784 - 1], (float)((3 * 784 - 1) % 256) / 255.0f);
    lt_data_free(&d);
    free(cfg);
    lt_ctx_free_test(ctx);
}

static void test_errors(void)
{
    char missing[128];
    snprintf(missing, sizeof missing, "%s/absent", dir);
    expect_error(missing, 0, 0, false,
                 "@/absent/train-images-idx3-ubyte.gz: cannot open: No such file or directory");

    fake_set("train", true, 4, 32, 4, 0);
    expect_error(dir, 0, 0, false,
                 "@/train-images-idx3-ubyte.gz: images are 32 x 32 pixels, expected 28 x 28");
    fake_set("train", true, 4, 28, 3, 0);
    expect_error(dir, 0, 0, false, "@/train-labels-idx1-ubyte.gz: holds 3 labels but "
                                   "@/train-images-idx3-ubyte.gz holds 4 images");
    fake_set("train", true, 4, 28, 4, 10);
    expect_error(dir, 0, 0, false,
                 "@/train-labels-idx1-ubyte.gz: label 10 of image 3 is not a class (0 to 9)");

    fake_set("train", true, 4, 28, 4, 0);
    expect_error(dir, 4, 0, false, "stage 'data': valid_size is 4 but "
                                   "@/train-images-idx3-ubyte.gz holds 4 images: none would "
                                   "be left to train on");
    expect_error(dir, 1, 4, false, "stage 'data': train_rows is 4 but only 3 training images "
                                   "remain after valid_size 1");
    expect_error(dir, 1, 0, true,
                 "@/t10k-images-idx3-ubyte.gz: cannot open: No such file or directory");

    /* The labels where the images should be: the header says so. */
    char from[256], to[256];
    idxfile_path(from, sizeof from, dir, "train-labels-idx1-ubyte.gz");
    idxfile_path(to, sizeof to, dir, "train-images-idx3-ubyte.gz");
    CU_ASSERT_EQUAL_FATAL(rename(from, to), 0);
    expect_error(dir, 0, 0, false, "@/train-images-idx3-ubyte.gz: holds 1 dimension (magic "
                                   "number 0x00000801), expected 3 (0x00000803)");
}

/* Each split of D, read from its stream in blocks (and once more from an
 * earlier row), equals the split of DENSE as float64. */
static void check_streamed_split(const lt_data *d, const lt_data *dense, int s)
{
    const lt_mat *x = d->split[s].x, *want = dense->split[s].x;
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x->stream);
    CU_ASSERT_EQUAL_FATAL(x->rows, want->rows);
    CU_ASSERT_EQUAL_FATAL(x->cols, 784);
    CU_ASSERT(memcmp(d->split[s].y, dense->split[s].y, x->rows * sizeof(int)) == 0);
    const size_t block = 1000;
    double *buf = malloc(block * 784 * sizeof *buf);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    char err[256];
    size_t bad = 0;
    size_t starts[] = {0, x->rows / 3}; /* the second pass seeks back */
    for (int pass = 0; pass < 2; pass++)
        for (size_t r0 = starts[pass]; r0 < x->rows; r0 += block) {
            size_t n = r0 + block < x->rows ? block : x->rows - r0;
            CU_ASSERT_EQUAL_FATAL(lt_mat_read_rows(x, r0, n, buf, err, sizeof err), 0);
            for (size_t k = 0; k < n * 784; k++)
                bad += buf[k] != (double)want->f[r0 * 784 + k];
        }
    CU_ASSERT_EQUAL(bad, 0);
    free(buf);
}

static void test_streamed(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    void *cfg = config(NULL, 5000, 0, true), *streamed = config(NULL, 5000, 0, true);
    lt_test_set_bool(STAGE, streamed, "stream", true);
    lt_data *dense = NULL, *d = NULL;
    CU_ASSERT_EQUAL_FATAL(lt_test_call(STAGE, ctx, cfg, NULL, 0, &dense), LT_OK);
    CU_ASSERT_EQUAL_FATAL(lt_test_call(STAGE, ctx, streamed, NULL, 0, &d), LT_OK);
    for (int s = 0; s < LT_N_SPLITS; s++)
        check_streamed_split(d, dense, s);
    lt_data_free(&d);
    lt_data_free(&dense);

    /* A file shorter than its header says opens, and fails where the
     * images stop. */
    char path[256];
    uint32_t dims[3] = {6, 28, 28};
    unsigned char px[4 * 784] = {0};
    fake_set("train", true, 6, 28, 6, 0);
    CU_ASSERT_EQUAL_FATAL(idxfile_u8(idxfile_path(path, sizeof path, dir,
                                                  "train-images-idx3-ubyte.gz"),
                                     true, 0x08, 3, dims, px, sizeof px), 0);
    void *short_cfg = config(dir, 0, 0, false);
    lt_test_set_bool(STAGE, short_cfg, "stream", true);
    CU_ASSERT_EQUAL_FATAL(lt_test_call(STAGE, ctx, short_cfg, NULL, 0, &d), LT_OK);
    double buf[6 * 784];
    char err[512], expect[512];
    CU_ASSERT_EQUAL(lt_mat_read_rows(d->split[LT_TRAIN].x, 0, 4, buf, err, sizeof err), 0);
    CU_ASSERT_EQUAL(lt_mat_read_rows(d->split[LT_TRAIN].x, 3, 2, buf, err, sizeof err), -1);
    snprintf(expect, sizeof expect,
             "%s: truncated: item 4 of the 6 its header announces is missing", path);
    CU_ASSERT_STRING_EQUAL(err, expect);
    lt_data_free(&d);
    free(short_cfg);
    free(cfg);
    free(streamed);
    lt_ctx_free_test(ctx);
}

static int setup(void)
{
    ref = lt_test_reference("fmnist.json");
    snprintf(dir, sizeof dir, "/tmp/latent-fmnist-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int cleanup(void)
{
    lt_json_free(ref);
    return lt_remove_tree(dir);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("dataset.fashion_mnist", setup, cleanup);
    CU_add_test(s, "Debian's files as numpy reads them", test_debian_files);
    CU_add_test(s, "train_rows, test: false", test_limits);
    CU_add_test(s, "uncompressed files", test_plain_files);
    CU_add_test(s, "errors name the file", test_errors);
    CU_add_test(s, "streamed splits", test_streamed);
    return lt_test_run();
}
