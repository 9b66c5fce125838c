/* The CSV reader (io/csv.c): what it reads from good tables, and the exact
 * message for each kind of bad one. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ctx.h"
#include "io/csv.h"
#include "testutil.h"

const char *lt_test_root = ".";

static const lt_csv_options with_header = {.header = true, .delimiter = ','};

/* Writes TEXT to t.csv in the current folder (main() moves into a fresh
 * one) and opens it as a stream; returns the value and the status. */
static lt_data *open_stream(lt_ctx *ctx, const char *text, const lt_csv_options *opt,
                            int *rc)
{
    lt_diag sink = {.limit = 1};
    FILE *f = fopen("t.csv", "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
    lt_data *d = NULL;
    lt_ctx_enter(ctx, "test", 0, 0, lt_ctx_test_metrics(ctx));
    *rc = lt_ctx_take(ctx, &sink, lt_csv_open_stream(&sink, "t.csv", opt, &d, NULL));
    CU_ASSERT((*rc == LT_OK) == (d != NULL));
    return d;
}

/* The streamed table must hold what the parsed one holds: the same shape,
 * names, labels and classes, and the same rows whichever way they are
 * read (in uneven batches, then again from an earlier row). */
static void check_stream_file(const lt_csv_options *opt, const lt_data *want)
{
    lt_diag sink = {.limit = 1};
    lt_ctx *ctx = lt_ctx_new_test();
    lt_data *d = NULL;
    lt_ctx_enter(ctx, "test", 0, 0, lt_ctx_test_metrics(ctx));
    int rc = lt_ctx_take(ctx, &sink, lt_csv_open_stream(&sink, "t.csv", opt, &d, NULL));
    CU_ASSERT_EQUAL_FATAL(rc, LT_OK);
    const lt_mat *a = want->split[LT_TRAIN].x, *b = d->split[LT_TRAIN].x;
    CU_ASSERT_PTR_NOT_NULL_FATAL(b->stream);
    CU_ASSERT_PTR_NULL(b->v);
    CU_ASSERT_EQUAL_FATAL(b->rows, a->rows);
    CU_ASSERT_EQUAL_FATAL(b->cols, a->cols);
    CU_ASSERT_EQUAL_FATAL(d->n_classes, want->n_classes);
    for (int c = 0; c < d->n_classes; c++)
        CU_ASSERT_STRING_EQUAL(d->class_names[c], want->class_names[c]);
    for (size_t i = 0; want->split[LT_TRAIN].y && i < a->rows; i++)
        CU_ASSERT_EQUAL(d->split[LT_TRAIN].y[i], want->split[LT_TRAIN].y[i]);
    for (size_t j = 0; want->feature_names && j < a->cols; j++)
        CU_ASSERT_STRING_EQUAL(d->feature_names[j], want->feature_names[j]);
    double *got = calloc(a->rows * a->cols + 1, sizeof *got);
    char err[256];
    size_t firsts[] = {0, 1, 3, a->rows};
    for (size_t pass = 0; pass < 2; pass++) {
        size_t from = pass ? a->rows / 2 : 0; /* the second pass seeks back */
        for (size_t t = 0; t + 1 < 4; t++) {
            size_t lo = firsts[t] > from ? firsts[t] : from;
            size_t hi = firsts[t + 1] < a->rows ? firsts[t + 1] : a->rows;
            if (lo < hi)
                CU_ASSERT_EQUAL(lt_mat_read_rows(b, lo, hi - lo, got + lo * a->cols, err,
                                                 sizeof err), 0);
        }
        CU_ASSERT(memcmp(got + from * a->cols, a->v + from * a->cols,
                         (a->rows - from) * a->cols * sizeof *got) == 0);
    }
    free(got);
    lt_data_free(&d);
    lt_ctx_free_test(ctx);
}

static void check_stream(const char *text, const lt_csv_options *opt, const lt_data *want)
{
    FILE *f = fopen("t.csv", "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
    check_stream_file(opt, want);
}

/* Parses TEXT as "t.csv"; returns the value (NULL on error) and the status.
 * Every good table is also read as a stream, which must agree. */
static lt_data *parse(lt_ctx *ctx, const char *text, const lt_csv_options *opt, int *rc)
{
    lt_diag sink = {.limit = 1};
    lt_data *d = NULL;
    lt_ctx_enter(ctx, "test", 0, 0, lt_ctx_test_metrics(ctx));
    *rc = lt_ctx_take(ctx, &sink, lt_csv_parse(&sink, "t.csv", text, strlen(text), opt, &d, NULL));
    CU_ASSERT((*rc == LT_OK) == (d != NULL));
    if (d && opt->skip_lines == 0)
        check_stream(text, opt, d);
    return d;
}

/* Asserts that TEXT fails with exactly MESSAGE. */
static void expect_error(const char *text, const lt_csv_options *opt, const char *message)
{
    lt_ctx *ctx = lt_ctx_new_test();
    int rc;
    lt_data *d = parse(ctx, text, opt, &rc);
    CU_ASSERT_EQUAL(rc, LT_EINPUT);
    MESSAGE_IS(lt_ctx_error(ctx), message);
    lt_data_free(&d);
    lt_ctx_free_test(ctx);

    /* The stream's first pass reports the same error at the same place. */
    ctx = lt_ctx_new_test();
    d = open_stream(ctx, text, opt, &rc);
    CU_ASSERT_EQUAL(rc, LT_EINPUT);
    MESSAGE_IS(lt_ctx_error(ctx), message);
    lt_data_free(&d);
    lt_ctx_free_test(ctx);
}

/* A file that changes between the check and the read says so. */
static void test_stream_changed(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    int rc;
    lt_data *d = open_stream(ctx, "a,b\n1,2\n3,4\n5,6\n", &with_header, &rc);
    CU_ASSERT_EQUAL_FATAL(rc, LT_OK);
    FILE *f = fopen("t.csv", "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("a,b\n1,2\n3,x\n", f);
    fclose(f);
    double out[6];
    char err[256] = "";
    CU_ASSERT_EQUAL(lt_mat_read_rows(d->split[LT_TRAIN].x, 0, 1, out, err, sizeof err), 0);
    CU_ASSERT_EQUAL(out[1], 2);
    CU_ASSERT_EQUAL(lt_mat_read_rows(d->split[LT_TRAIN].x, 1, 2, out, err, sizeof err), -1);
    CU_ASSERT_STRING_EQUAL(err, "t.csv:3: the file changed after it was checked; run again");
    lt_data_free(&d);
    lt_ctx_free_test(ctx);
}

static const lt_mat *train(const lt_data *d) { return d->split[LT_TRAIN].x; }

/* ---- good tables ------------------------------------------------------------ */

static void test_header_labels_crlf(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    lt_csv_options opt = with_header;
    opt.label_column = "diagnosis";
    const char *text = "\"mean radius\", diagnosis ,\"a \"\"b\"\", c\"\r\n"
                       "17.99,malignant,1e-3\r\n"
                       " 20.57 ,benign,+2\r\n"
                       "\r\n"
                       ".5,\"malignant\",-0\r\n"
                       "\r\n\r\n";
    int rc;
    lt_data *d = parse(ctx, text, &opt, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(train(d)->rows, 3);
    CU_ASSERT_EQUAL(train(d)->cols, 2);
    CU_ASSERT_EQUAL(d->n_features, 2);
    double expect[] = {17.99, 1e-3, 20.57, 2, 0.5, -0.0};
    for (int i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(train(d)->v[i], expect[i]);
    CU_ASSERT(signbit(train(d)->v[5]));
    CU_ASSERT_STRING_EQUAL(d->feature_names[0], "mean radius");
    CU_ASSERT_STRING_EQUAL(d->feature_names[1], "a \"b\", c");
    /* Classes are the sorted distinct labels, as LabelEncoder. */
    CU_ASSERT_EQUAL(d->n_classes, 2);
    CU_ASSERT_STRING_EQUAL(d->class_names[0], "benign");
    CU_ASSERT_STRING_EQUAL(d->class_names[1], "malignant");
    CU_ASSERT_EQUAL(d->split[LT_TRAIN].y[0], 1);
    CU_ASSERT_EQUAL(d->split[LT_TRAIN].y[1], 0);
    CU_ASSERT_EQUAL(d->split[LT_TRAIN].y[2], 1);
    CU_ASSERT_PTR_NULL(d->split[LT_TEST].x);
    lt_data_free(&d);
    lt_ctx_free_test(ctx);
}

static void test_numeric_labels_sorted_as_numbers(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    lt_csv_options opt = {.header = false, .label_column = "-1", .delimiter = ','};
    int rc;
    lt_data *d = parse(ctx, "1,10\n2,9\n3,1.0\n4,10\n5,9", &opt, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->n_classes, 3);
    CU_ASSERT_STRING_EQUAL(d->class_names[0], "1");
    CU_ASSERT_STRING_EQUAL(d->class_names[1], "9");
    CU_ASSERT_STRING_EQUAL(d->class_names[2], "10");
    int y[] = {2, 1, 0, 2, 1};
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(d->split[LT_TRAIN].y[i], y[i]);
    CU_ASSERT_PTR_NULL(d->feature_names);
    CU_ASSERT_EQUAL(train(d)->rows, 5);
    CU_ASSERT_EQUAL(train(d)->v[4], 5);
    lt_data_free(&d);
    lt_ctx_free_test(ctx);
}

static void test_no_labels_other_delimiters(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    int rc;
    /* A byte-order mark, semicolons, and a label given by index with a header. */
    lt_csv_options opt = {.header = true, .label_column = "0", .delimiter = ';'};
    lt_data *d = parse(ctx, "\xEF\xBB\xBFy;x1;x2\n0;1.5;2\n1;3;4.25\n", &opt, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_STRING_EQUAL(d->feature_names[0], "x1");
    CU_ASSERT_EQUAL(train(d)->v[3], 4.25);
    CU_ASSERT_EQUAL(d->split[LT_TRAIN].y[1], 1);
    lt_data_free(&d);

    /* Tabs, no labels: every column is a feature. */
    opt = (lt_csv_options){.header = false, .delimiter = '\t'};
    d = parse(ctx, "1\t2\t3\n4\t5\t6", &opt, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(train(d)->cols, 3);
    CU_ASSERT_EQUAL(train(d)->v[5], 6);
    CU_ASSERT_EQUAL(d->n_classes, 0);
    CU_ASSERT_PTR_NULL(d->split[LT_TRAIN].y);
    lt_data_free(&d);

    /* A preamble skipped (as the breast-cancer file's first line). */
    opt = (lt_csv_options){.header = false, .delimiter = ',', .skip_lines = 1};
    d = parse(ctx, "2,1,not,numbers\n7,8\n", &opt, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(train(d)->rows, 1);
    CU_ASSERT_EQUAL(train(d)->v[1], 8);
    lt_data_free(&d);
    lt_ctx_free_test(ctx);
}

/* The same text gives the same double as Python's float(): strtod rounds
 * correctly, and the reader takes only plain decimal syntax. */
static void test_exact_values(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    lt_csv_options opt = {.header = false, .delimiter = ','};
    int rc;
    lt_data *d = parse(ctx, "0.1,2.2250738585072011e-308,1.7976931348623157e308,5.,1e-400\n",
                       &opt, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(train(d)->v[0], 0.1);
    CU_ASSERT_EQUAL(train(d)->v[1], 2.2250738585072011e-308);
    CU_ASSERT_EQUAL(train(d)->v[2], 1.7976931348623157e308);
    CU_ASSERT_EQUAL(train(d)->v[3], 5.0);
    CU_ASSERT_EQUAL(train(d)->v[4], 0.0); /* underflow to zero, as Python */
    lt_data_free(&d);
    lt_ctx_free_test(ctx);
}

/* ---- bad tables --------------------------------------------------------------- */

static void test_errors_structure(void)
{
    lt_csv_options opt = with_header;
    expect_error("", &opt, "t.csv: the file is empty (0 bytes); expected a header line and data rows");
    expect_error("\n  \r\n\n", &opt,
                 "t.csv: the file holds only blank lines; expected a header line and data rows");
    expect_error("a,b\n\n", &opt, "t.csv:1: the header is not followed by any data rows; add rows below it, or "
                 "set header: false if it holds data");
    expect_error("a,b,c\n1,2,3\n4,5\n", &opt, "t.csv:3:3: row 3 has 2 fields, expected 3; quote a field that holds the delimiter");
    expect_error("a,b,c\n1,2,3\n\n4,5,6,7\n", &opt,
                 "t.csv:4:4: row 4 has 4 fields, expected 3; quote a field that holds the delimiter");
    expect_error("a,b\n1,\"2\n", &opt,
                 "t.csv:2:2: unterminated quoted field (quotes cannot span lines); close the quote or double a quote inside it (\"\")");
    expect_error("a,b\n\"1\"x,2\n", &opt,
                 "t.csv:2:1: unexpected text after the closing quote of a field; quote the whole field");
}

static void test_errors_values(void)
{
    lt_csv_options opt = with_header;
    expect_error("a,b\n1,abc\n", &opt, "t.csv:2:2: column 'b' holds text (\"abc\"); name it as label_column or list it in ignore");
    expect_error("a,b\n1,2\n0x10,3\n", &opt, "t.csv:3:1: expected a number, found \"0x10\"");
    expect_error("a,b\n1,1.5.2\n", &opt, "t.csv:2:2: expected a number, found \"1.5.2\"");
    expect_error("a,b\n1,2e\n", &opt, "t.csv:2:2: expected a number, found \"2e\"");
    expect_error("a,b\nnan,2\n", &opt, "t.csv:2:1: missing value (\"nan\"); set missing: drop to drop such rows, or missing: keep and add an impute stage");
    expect_error("a,b\n1,-Infinity\n", &opt,
                 "t.csv:2:2: Inf is not allowed, expected a finite number; list \"-Infinity\" in na_values to read it as missing");
    expect_error("a,b\n1,1e999\n", &opt, "t.csv:2:2: \"1e999\" is too large for a double");
    expect_error("a,b\n1, \n", &opt, "t.csv:2:2: missing value (empty); set missing: drop to drop such rows, or missing: keep and add an impute stage");
    expect_error("a,b\n1,2\n3,,\n", &opt, "t.csv:3:3: row 3 has 3 fields, expected 2; quote a field that holds the delimiter");
}

static void test_errors_labels(void)
{
    lt_csv_options opt = with_header;
    opt.label_column = "y";
    expect_error("a,b,c\n1,2,3\n", &opt,
                 "t.csv:1: label column 'y' is not in the header (columns: 'a', 'b', 'c')");
    opt.label_column = "5";
    expect_error("a,b,c\n1,2,3\n", &opt,
                 "t.csv:1: label column 5 is out of range: the table has 3 columns "
                 "(0 to 2, or -1 for the last)");
    opt.label_column = "-4";
    expect_error("a,b,c\n1,2,3\n", &opt,
                 "t.csv:1: label column -4 is out of range: the table has 3 columns "
                 "(0 to 2, or -1 for the last)");
    opt.label_column = "b";
    expect_error("a,b,c\n1,x,3\n4,,6\n", &opt, "t.csv:3:2: missing label (empty); set missing: drop to drop such rows");
    opt.label_column = "a";
    expect_error("a\n1\n", &opt, "t.csv:1: no feature columns: the only column holds the labels");
    opt = (lt_csv_options){.header = false, .label_column = "y", .delimiter = ','};
    expect_error("\n1,2\n", &opt, "t.csv:2: label column 'y' must be a 0-based column index "
                                  "when the file has no header");
}

/* The new options' errors: each names its place and what to do. */
static void test_errors_options(void)
{
    lt_csv_options opt = with_header;
    opt.delimiter = 0; /* sniffed */
    expect_error("a,b;c\n1,2;3\n4,5;6\n", &opt,
                 "t.csv:1:1: the first lines split evenly on both ',' and ';'; set "
                 "delimiter: ',' or delimiter: ';'");
    opt.delimiter = ',';
    expect_error("a;b\n1;2\n", &opt, "t.csv:1:1: one column found; the lines hold ';': set "
                                     "delimiter: ';'");
    expect_error("a\tb\n1\t2\n", &opt, "t.csv:1:1: one column found; the lines hold tab: set "
                                       "delimiter: \"\\t\"");
    expect_error("a,b\n1,caf\xE9\n", &opt,
                 "t.csv:2:2: invalid UTF-8 (byte 0xE9); save the file as UTF-8 (a "
                 "spreadsheet's \"CSV UTF-8\" format)");
    expect_error("cultivar,b\nBarbera,2\n", &opt,
                 "t.csv:2:1: column 'cultivar' holds text (\"Barbera\"); name it as "
                 "label_column or list it in ignore");
    expect_error("a,b\n1,\"1,5\"\n", &opt,
                 "t.csv:2:2: expected a number, found \"1,5\"; for decimal commas set "
                 "decimal: ','");
    opt.delimiter = ';';
    opt.decimal = ',';
    expect_error("a;b\n1;1.5\n", &opt,
                 "t.csv:2:2: expected a number with a decimal comma (decimal: ','), found "
                 "\"1.5\"");
    opt = with_header;
    opt.label_column = "x";
    expect_error("x,x,y\n1,2,3\n", &opt,
                 "t.csv:1: label column 'x' names 2 columns of the header (1 and 2); pick one "
                 "by its 0-based index (0 or 1) or rename it");
    static const char *const keep_y[] = {"y"}, *const drop_y[] = {"y"},
                             *const keep_bad[] = {"alcohl"}, *const keep_far[] = {"7"};
    opt = with_header;
    opt.columns = keep_y, opt.n_columns = 1;
    opt.ignore = drop_y, opt.n_ignore = 1;
    expect_error("x,y\n1,2\n", &opt,
                 "t.csv:1: column 'y' is in both columns and ignore; keep it in one of them");
    opt = with_header;
    opt.columns = keep_bad, opt.n_columns = 1;
    expect_error("alcohol,ash\n1,2\n", &opt,
                 "t.csv:1: columns entry 'alcohl' is not in the header (columns: 'alcohol', "
                 "'ash'); did you mean 'alcohol'?");
    opt.columns = keep_far;
    expect_error("alcohol,ash\n1,2\n", &opt,
                 "t.csv:1: columns entry 7 is out of range: the table has 2 columns (0 to 1, "
                 "or -1 for the last)");
    opt = with_header;
    opt.label_column = "y";
    opt.ignore = drop_y, opt.n_ignore = 1;
    expect_error("x,y\n1,2\n", &opt, "t.csv:1: label column 'y' is also in ignore; remove it there");
    opt = with_header;
    opt.ignore = drop_y, opt.n_ignore = 1;
    static const char *const drop_x[] = {"x", "y"};
    opt.ignore = drop_x, opt.n_ignore = 2;
    expect_error("x,y\n1,2\n", &opt,
                 "t.csv:1: no feature columns are left: columns and ignore leave none but the "
                 "labels");
    opt = with_header;
    opt.missing = LT_CSV_MISSING_DROP;
    expect_error("x,y\n1,\n,2\n", &opt,
                 "t.csv:1: all 2 data rows have a missing value and were dropped (missing: "
                 "drop); use missing: keep and an impute stage to fill them");
    opt = with_header;
    opt.missing = LT_CSV_MISSING_KEEP;
    opt.label_column = "y";
    expect_error("x,y\n1,a\n2,NA\n", &opt,
                 "t.csv:3:2: missing label (\"NA\"); set missing: drop to drop such rows (a "
                 "label cannot be imputed)");
    opt = with_header;
    opt.no_default_na = true;
    expect_error("x,y\n1,nan\n", &opt,
                 "t.csv:2:2: NaN is not allowed, expected a finite number; list \"nan\" in "
                 "na_values to read it as missing");
    opt = with_header;
    opt.comment = '#';
    expect_error("# only\n\n#this\n", &opt,
                 "t.csv: the file holds only blank lines and comments; expected a header line "
                 "and data rows");
}

/* What `latent validate` checks from a file's first lines (lt_csv_probe). */
static void expect_probe(const char *text, const lt_csv_options *opt, const char *message)
{
    lt_diag sink = {.limit = 1};
    FILE *f = fopen("t.csv", "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
    lt_ctx *ctx = lt_ctx_new_test();
    lt_ctx_enter(ctx, "test", 0, 0, NULL);
    int rc = lt_ctx_take(ctx, &sink, lt_csv_probe(&sink, "t.csv", opt));
    if (message) {
        CU_ASSERT_EQUAL(rc, LT_EINPUT);
        MESSAGE_IS(lt_ctx_error(ctx), message);
    } else {
        CU_ASSERT_EQUAL(rc, LT_OK);
    }
    lt_ctx_free_test(ctx);
}

static void test_probe(void)
{
    lt_diag sink = {.limit = 1};
    lt_csv_options opt = with_header;
    opt.label_column = "cultivar";
    expect_probe("\xEF\xBB\xBFid,cultivar,x\nW1,Barbera,1\n", &opt, NULL);
    /* Only the start is read: a bad value further down is for the run. */
    expect_probe("x,cultivar\n1,a\n2,b\nthree,c\n", &opt, NULL);
    expect_probe("id,x\n1,2\n", &opt,
                 "t.csv:1: label column 'cultivar' is not in the header (columns: 'id', 'x')");
    expect_probe("id;cultivar\n1;a\n", &opt,
                 "t.csv:1:1: one column found; the lines hold ';': set delimiter: ';'");
    opt.delimiter = 0;
    expect_probe("id;cultivar;x\n1;a;2\n", &opt, NULL);
    expect_probe("", &opt, "t.csv: the file is empty (0 bytes); expected a header line and data "
                           "rows");
    lt_ctx *ctx = lt_ctx_new_test();
    lt_ctx_enter(ctx, "test", 0, 0, NULL);
    CU_ASSERT_EQUAL(lt_ctx_take(ctx, &sink, lt_csv_probe(&sink, "nope.csv", &opt)), LT_EINPUT);
    MESSAGE_IS(lt_ctx_error(ctx), "nope.csv: cannot read: No such file or directory");
    lt_ctx_free_test(ctx);
}

static void test_files(void)
{
    lt_diag sink = {.limit = 1};
    lt_ctx *ctx = lt_ctx_new_test();
    char *path = lt_path_join(ctx->test_dir, "nope.csv");
    lt_data *d = NULL;
    CU_ASSERT_EQUAL(lt_ctx_take(ctx, &sink, lt_csv_read(&sink, path, &with_header, &d, NULL)), LT_EINPUT);
    char expect[4200];
    snprintf(expect, sizeof expect, "%s: cannot read: No such file or directory", path);
    CU_ASSERT_STRING_EQUAL(lt_ctx_error(ctx), expect);

    lt_ctx_enter(ctx, "test", 0, 0, lt_ctx_test_metrics(ctx));
    CU_ASSERT_EQUAL(lt_ctx_take(ctx, &sink, lt_csv_read(&sink, ctx->test_dir, &with_header, &d, NULL)),
                    LT_EINPUT);
    snprintf(expect, sizeof expect, "%s: is a folder, expected a CSV file", ctx->test_dir);
    CU_ASSERT_STRING_EQUAL(lt_ctx_error(ctx), expect);

    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("x,y,label\n1,2,a\n3,4,b\n", f);
    fclose(f);
    lt_csv_options opt = with_header;
    opt.label_column = "label";
    lt_ctx_enter(ctx, "test", 0, 0, lt_ctx_test_metrics(ctx));
    CU_ASSERT_EQUAL(lt_ctx_take(ctx, &sink, lt_csv_read(&sink, path, &opt, &d, NULL)), LT_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->split[LT_TRAIN].x->v[3], 4);
    CU_ASSERT_STRING_EQUAL(d->class_names[1], "b");
    lt_data_free(&d);
    free(path);
    lt_ctx_free_test(ctx);
}

/* ---- pandas' answers on the messy fixtures ------------------------------------- */

/* The texts of a JSON array of strings, borrowed from it. */
static size_t strings(const lt_json *a, const char **out, size_t max)
{
    size_t n = a ? lt_json_size(a) : 0;
    for (size_t i = 0; i < n && i < max; i++)
        out[i] = lt_json_string(lt_json_value_at(a, i));
    return n < max ? n : max;
}

/* dataset.csv's options as the case writes them (see make_csv_options.py). */
static lt_csv_options case_options(const lt_json *o, const char **cols, const char **ign,
                                   const char **na)
{
    lt_csv_options opt = {.header = true};
    const lt_json *v;
    if ((v = lt_json_get(o, "header")))
        opt.header = lt_json_number(v) != 0;
    if ((v = lt_json_get(o, "delimiter")))
        opt.delimiter = !strcmp(lt_json_string(v), "whitespace") ? LT_CSV_WHITESPACE
                                                                 : lt_json_string(v)[0];
    if ((v = lt_json_get(o, "decimal")))
        opt.decimal = lt_json_string(v)[0];
    if ((v = lt_json_get(o, "comment")))
        opt.comment = lt_json_string(v)[0];
    if ((v = lt_json_get(o, "label_column")))
        opt.label_column = lt_json_string(v);
    if ((v = lt_json_get(o, "keep_default_na")))
        opt.no_default_na = lt_json_number(v) == 0;
    if ((v = lt_json_get(o, "missing")))
        opt.missing = !strcmp(lt_json_string(v), "drop")   ? LT_CSV_MISSING_DROP
                      : !strcmp(lt_json_string(v), "keep") ? LT_CSV_MISSING_KEEP
                                                           : LT_CSV_MISSING_ERROR;
    opt.n_columns = strings(lt_json_get(o, "columns"), cols, 16);
    opt.columns = cols;
    opt.n_ignore = strings(lt_json_get(o, "ignore"), ign, 16);
    opt.ignore = ign;
    opt.n_na_values = strings(lt_json_get(o, "na_values"), na, 16);
    opt.na_values = na;
    return opt;
}

/* Every fixture read with every option as pandas.read_csv reads it: the same
 * names, values (NaN where pandas has NaN), classes and dropped rows, held
 * and streamed. */
static void test_pandas_cases(void)
{
    lt_diag sink = {.limit = 1};
    lt_json *ref = lt_test_reference("csv_options.json");
    const lt_json *cases = lt_json_get(ref, "cases");
    CU_ASSERT_FATAL(lt_json_size(cases) >= 8);
    for (size_t k = 0; k < lt_json_size(cases); k++) {
        const lt_json *c = lt_json_value_at(cases, k);
        printf("\n    %s", lt_json_string(lt_json_get(c, "name")));
        const char *cols[16], *ign[16], *na[16];
        lt_csv_options opt = case_options(lt_json_get(c, "options"), cols, ign, na);
        char path[4096];
        snprintf(path, sizeof path, "%s/tests/reference/%s", lt_test_root,
                 lt_json_string(lt_json_get(c, "file")));
        size_t len;
        char *text = lt_read_file(path, &len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        lt_ctx *ctx = lt_ctx_new_test();
        lt_ctx_enter(ctx, "test", 0, 0, lt_ctx_test_metrics(ctx));
        lt_data *d = NULL;
        lt_csv_counts counts;
        int rc = lt_ctx_take(ctx, &sink, lt_csv_parse(&sink, "t.csv", text, len, &opt, &d, &counts));
        if (rc != LT_OK)
            printf(": %s", lt_ctx_error(ctx));
        CU_ASSERT_EQUAL_FATAL(rc, LT_OK);
        const lt_json *x = lt_json_get(c, "x"), *names = lt_json_get(c, "feature_names");
        size_t rows = lt_json_size(x), p = lt_json_size(lt_json_value_at(x, 0));
        CU_ASSERT_EQUAL_FATAL(train(d)->rows, rows);
        CU_ASSERT_EQUAL_FATAL(train(d)->cols, p);
        CU_ASSERT_EQUAL(counts.rows_dropped,
                        (size_t)lt_json_number(lt_json_get(c, "rows_dropped")));
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < p; j++) {
                const lt_json *want = lt_json_value_at(lt_json_value_at(x, i), j);
                double got = train(d)->v[i * p + j];
                if (lt_json_is_null(want)) {
                    CU_ASSERT(isnan(got));
                } else {
                    CU_ASSERT_EQUAL(got, lt_json_number(want));
                }
            }
        if (lt_json_is_null(names)) {
            CU_ASSERT_PTR_NULL(d->feature_names);
        } else {
            CU_ASSERT_PTR_NOT_NULL_FATAL(d->feature_names);
            for (size_t j = 0; j < p; j++)
                CU_ASSERT_STRING_EQUAL(d->feature_names[j],
                                       lt_json_string(lt_json_value_at(names, j)));
        }
        const lt_json *y = lt_json_get(c, "y"), *classes = lt_json_get(c, "class_names");
        if (lt_json_is_null(y)) {
            CU_ASSERT_EQUAL(d->n_classes, 0);
        } else {
            CU_ASSERT_EQUAL_FATAL((size_t)d->n_classes, lt_json_size(classes));
            for (int m = 0; m < d->n_classes; m++)
                CU_ASSERT_STRING_EQUAL(d->class_names[m],
                                       lt_json_string(lt_json_value_at(classes, (size_t)m)));
            for (size_t i = 0; i < rows; i++)
                CU_ASSERT_EQUAL(d->split[LT_TRAIN].y[i], (int)lt_json_number(lt_json_value_at(y, i)));
        }
        /* The stream reads the same rows (check_stream compares them). */
        FILE *f = fopen("t.csv", "wb");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fwrite(text, 1, len, f);
        fclose(f);
        check_stream_file(&opt, d);
        lt_data_free(&d);
        lt_ctx_free_test(ctx);
        free(text);
    }
    lt_json_free(ref);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    /* Streams read files: work in a fresh folder, so that messages can
     * name "t.csv" as the parser's do. */
    char dir[] = "/tmp/latent-csv-XXXXXX";
    if (!mkdtemp(dir) || chdir(dir) != 0)
        return 1;
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("csv", NULL, NULL);
    CU_add_test(s, "header, quoted names, string labels, CRLF, blank lines",
                test_header_labels_crlf);
    CU_add_test(s, "numeric labels sort as numbers", test_numeric_labels_sorted_as_numbers);
    CU_add_test(s, "no labels, ';' and tab, BOM, preamble", test_no_labels_other_delimiters);
    CU_add_test(s, "values as Python's float()", test_exact_values);
    CU_add_test(s, "errors: structure", test_errors_structure);
    CU_add_test(s, "errors: values", test_errors_values);
    CU_add_test(s, "errors: labels", test_errors_labels);
    CU_add_test(s, "errors: options", test_errors_options);
    CU_add_test(s, "files", test_files);
    CU_add_test(s, "the probe of latent validate", test_probe);
    CU_add_test(s, "a streamed file that changes", test_stream_changed);
    CU_add_test(s, "messy fixtures as pandas.read_csv reads them", test_pandas_cases);
    int rc = lt_test_run();
    unlink("t.csv");
    if (chdir("/") == 0)
        rmdir(dir);
    return rc;
}
