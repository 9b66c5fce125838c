/* Saved models: every fitting stage of tests/models/fit.yaml is fitted in
 * run A; run B applies A's models with from: and must give A's outputs to
 * the bit; `latent apply` of A on A's own rows must too, and on held-out
 * rows it must give what scikit-learn's objects, rebuilt from the .npz
 * arrays alone, give (tests/reference/make_models.py, models.json). A
 * variational autoencoder's apply writes its codings' means, and rows of the
 * wrong width are refused naming its model file. Also the
 * .npz container itself: strings, integers and numbers round trip, and
 * damaged archives are refused with one line naming the file. */
#include <CUnit/Basic.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/apply.h"
#include "core/ctx.h"
#include "core/model.h"
#include "core/pipeline.h"
#include "core/run.h"
#include "io/npz.h"
#include "testutil.h"

const char *lt_test_root = ".";

static lt_json *ref;
static char tmp[256], run_a[512], run_b[512];

/* The fitting stages of fit.yaml: name, kind, input, and whether their
 * training rows are held to the bit when applied: not for kernel_pca and
 * isomap, whose fit embeds the training rows (transform() of them agrees
 * only to rounding, as in scikit-learn), nor for randomized PCA, whose
 * training output is randomized SVD's U S, as PCA.fit_transform gives it. */
static const struct {
    const char *name, *kind, *input;
    bool transforms, train_rows;
} fitted[] = {
    {"c", "center", "split", true, true},
    {"imp", "impute", "split", true, true},
    {"std", "scaler.standard", "split", true, true},
    {"mm", "scaler.minmax", "split", true, true},
    {"p", "pca", "std", true, true},
    {"pw", "pca", "std", true, true},
    {"pr", "pca", "std", true, false},
    {"pi", "pca", "std", true, true},
    {"kp", "kernel_pca", "std", true, false},
    {"lda", "lda", "std", true, true},
    {"lr", "logreg", "p", false, false},
    {"lr2", "logreg", "std", false, false},
    {"iso", "isomap", "std", true, false},
    {"ae", "autoencoder", "std", true, true},
    {"vae", "vae", "split", true, true},
};
#define N_FITTED (sizeof fitted / sizeof fitted[0])

static int run_file(const char *file, const char *out)
{
    lt_diag diag = {0};
    lt_load_opts lo = {.point = -1};
    lt_pipeline *p = lt_pipeline_load(file, &lo, &diag);
    lt_diag_print(&diag, stderr);
    lt_diag_clear(&diag);
    if (!p)
        return LT_EINPUT;
    lt_run_opts ro = {.out_dir = out, .threads = 1, .quiet = true, .no_cache = true};
    int rc = lt_run(p, &ro, NULL);
    lt_pipeline_free(p);
    return rc;
}

/* The numbers of a CSV latent wrote (a header, then rows of numbers),
 * skipping the first SKIP columns of each row; *n of them, owned. */
static double *read_csv_numbers(const char *path, size_t skip, size_t *n)
{
    char *text = lt_read_file(path, NULL);
    *n = 0;
    if (!text)
        return NULL;
    size_t cap = strlen(text) / 2 + 1;
    double *v = malloc(cap * sizeof *v);
    char *line = strchr(text, '\n');
    while (v && line && line[1]) {
        line++;
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        size_t col = 0;
        for (char *f = strtok(line, ","); f; f = strtok(NULL, ","), col++)
            if (col >= skip)
                v[(*n)++] = strtod(f, NULL);
        line = end;
    }
    free(text);
    return v;
}

static double *read_npy(const char *path, size_t *n)
{
    size_t len = 0;
    char *bytes = lt_read_file(path, &len);
    lt_npy info;
    char err[256];
    double *v = NULL;
    *n = 0;
    if (bytes && lt_npy_parse((unsigned char *)bytes, len, &info, err, sizeof err) == 0 &&
        (v = malloc(info.count * sizeof *v + 1)) &&
        lt_npy_values((unsigned char *)bytes, &info, v) == 0)
        *n = info.count;
    free(bytes);
    return v;
}

static bool same_file(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    char *x = lt_read_file(a, &la), *y = lt_read_file(b, &lb);
    bool same = x && y && la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

static void test_from(void)
{
    /* Run B: A's pipeline with every fitting stage reading A's model. */
    char b_yaml[600], line[2048];
    snprintf(b_yaml, sizeof b_yaml, "%s/b.yaml", tmp);
    FILE *f = fopen(b_yaml, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "pipeline: models-from\nseed: 0\nstages:\n"
            "  data: {use: dataset.csv, with: {path: %s/tests/models/train.csv, label_column: kind}}\n"
            "  split: {use: split, with: {test_size: 0.25, random_state: 0}}\n", lt_test_root);
    for (size_t i = 0; i < N_FITTED; i++)
        fprintf(f, "  %s: {use: %s, input: %s, from: %s/models/%s.npz}\n", fitted[i].name,
                fitted[i].kind, fitted[i].input, run_a, fitted[i].name);
    char fit[600];
    snprintf(fit, sizeof fit, "%s/tests/models/fit.yaml", lt_test_root);
    FILE *a = fopen(fit, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    while (fgets(line, sizeof line, a))
        if (strstr(line, "use: table") && !strstr(line, "ae_rec"))
            fputs(line, f);
    fclose(a);
    fclose(f);
    CU_ASSERT_EQUAL_FATAL(run_file(b_yaml, run_b), LT_OK);

    /* Every table of A, to the byte; every stage's metrics but kernel
     * PCA's (its training rows are transform()ed in B, not embedded by the
     * fit: the same numbers only to rounding). */
    size_t tables = 0;
    for (size_t i = 0; i < N_FITTED; i++)
        for (int s = 0; s < 2; s++) {
            if (!fitted[i].transforms || (s == 0 && !fitted[i].train_rows))
                continue;
            const char *split = s ? "test" : "train";
            char pa[900], pb[900];
            snprintf(pa, sizeof pa, "%s/t_%s_%s.%s.csv", run_a, fitted[i].name, split, split);
            snprintf(pb, sizeof pb, "%s/t_%s_%s.%s.csv", run_b, fitted[i].name, split, split);
            if (!same_file(pa, pb))
                printf("\n      %s differs from run A's", pb);
            CU_ASSERT(same_file(pa, pb));
            tables++;
        }
    printf("\n    run B (from:) reproduced %zu tables of run A byte for byte", tables);
    char ma[600], mb[600];
    snprintf(ma, sizeof ma, "%s/metrics.json", run_a);
    snprintf(mb, sizeof mb, "%s/metrics.json", run_b);
    char *ta = lt_read_file(ma, NULL), *tb = lt_read_file(mb, NULL);
    lt_json *ja = ta ? lt_json_parse(ta) : NULL, *jb = tb ? lt_json_parse(tb) : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(ja);
    CU_ASSERT_PTR_NOT_NULL_FATAL(jb);
    for (size_t i = 0; i < N_FITTED; i++) {
        /* The autoencoders of B train nothing, so they report the loss of
         * the weights they apply instead of A's training history. */
        if (!strcmp(fitted[i].name, "kp") || !strcmp(fitted[i].name, "ae") ||
            !strcmp(fitted[i].name, "vae"))
            continue;
        lt_json *ma_i = lt_json_get(ja, fitted[i].name), *mb_i = lt_json_get(jb, fitted[i].name);
        /* A randomized fit reports the error of its SVD's U S, as
         * scikit-learn's fit_transform does; a from: run can only project,
         * X V', which is U S to rounding. That one number is held to 1e-12
         * relative, and then every other metric must be the same bits. */
        if (!strcmp(fitted[i].name, "pr")) {
            double ea = lt_json_number(lt_json_get(ma_i, "reconstruction_mse"));
            double eb = lt_json_number(lt_json_get(mb_i, "reconstruction_mse"));
            printf("\n      pr.reconstruction_mse: run A %.17g, run B %.17g", ea, eb);
            CU_ASSERT(ea > 0 && fabs(ea - eb) <= 1e-12 * ea);
            lt_json_set(mb_i, "reconstruction_mse", lt_json_num(ea));
        }
        char *sa = NULL, *sb = NULL;
        size_t la = 0, lb = 0;
        FILE *fa = open_memstream(&sa, &la), *fb = open_memstream(&sb, &lb);
        lt_json_write_compact(ma_i, fa);
        lt_json_write_compact(mb_i, fb);
        fclose(fa);
        fclose(fb);
        if (strcmp(sa, sb) != 0)
            printf("\n      metrics of %s differ:\n        %s\n        %s", fitted[i].name, sa, sb);
        CU_ASSERT_STRING_EQUAL(sa, sb);
        free(sa);
        free(sb);
    }
    /* B passes A's models on unchanged. */
    for (size_t i = 0; i < N_FITTED; i++) {
        char pa[900], pb[900];
        snprintf(pa, sizeof pa, "%s/models/%s.npz", run_a, fitted[i].name);
        snprintf(pb, sizeof pb, "%s/models/%s.npz", run_b, fitted[i].name);
        CU_ASSERT(same_file(pa, pb));
    }
    lt_json_free(ja);
    lt_json_free(jb);
    free(ta);
    free(tb);
}

/* `latent apply` of run A on DATA up to STAGE into OUT; the values it wrote. */
static double *apply(const char *data, const char *stage, const char *out, size_t *n)
{
    lt_apply_opts o = {.run_dir = run_a, .data = data, .stage = stage, .out_dir = out,
                       .quiet = true};
    int rc = lt_apply(&o);
    CU_ASSERT_EQUAL(rc, 0);
    char path[1200];
    snprintf(path, sizeof path, "%s/%s.npy", out, stage);
    return rc == 0 ? read_npy(path, n) : NULL;
}

static void test_apply_own_rows(void)
{
    size_t checked = 0;
    for (size_t i = 0; i < N_FITTED; i++)
        for (int s = 0; s < 2; s++) {
            /* lda: `latent apply --stage lda` gives its class probabilities,
             * checked against scikit-learn below; its projection is held to
             * run A by run B's tables. */
            if (!fitted[i].transforms || (s == 0 && !fitted[i].train_rows) ||
                !strcmp(fitted[i].kind, "lda"))
                continue;
            const char *split = s ? "test" : "train";
            char data[900], table[900], out[900];
            snprintf(data, sizeof data, "%s/raw_%s.%s.csv", run_a, split, split);
            snprintf(table, sizeof table, "%s/t_%s_%s.%s.csv", run_a, fitted[i].name, split, split);
            snprintf(out, sizeof out, "%s/apply-%s-%s", tmp, fitted[i].name, split);
            size_t n = 0, m = 0;
            double *got = apply(data, fitted[i].name, out, &n);
            double *want = read_csv_numbers(table, 0, &m);
            CU_ASSERT_FATAL(got && want);
            CU_ASSERT_EQUAL(n, m);
            bool same = n == m && memcmp(got, want, n * sizeof *got) == 0;
            if (!same)
                printf("\n      apply %s on A's %s rows differs from run A", fitted[i].name, split);
            CU_ASSERT(same);
            checked += same;
            free(got);
            free(want);
        }
    printf("\n    latent apply reproduced %zu outputs of run A on its own rows bit for bit", checked);
}

/* The autoencoder's per-row reconstruction error: the mean over features of
 * (x - x_hat)^2, with x_hat the reconstructions run A's twin network gave. */
static void test_apply_reconstruction_error(void)
{
    char data[900], path[900];
    snprintf(data, sizeof data, "%s/raw_train.train.csv", run_a);
    snprintf(path, sizeof path, "%s/apply-ae-train/ae.csv", tmp);
    size_t n_rows = 0, n_x = 0, n_rec = 0;
    double *got = read_csv_numbers(path, 0, &n_rows); /* row, z1, z2, error */
    snprintf(path, sizeof path, "%s/t_std_train.train.csv", run_a);
    double *x = read_csv_numbers(path, 0, &n_x);
    snprintf(path, sizeof path, "%s/t_ae_rec_train.train.csv", run_a);
    double *rec = read_csv_numbers(path, 0, &n_rec);
    CU_ASSERT_FATAL(got && x && rec && n_x == n_rec && n_x % 8 == 0 && n_rows == n_x / 8 * 4);
    size_t same = 0, n = n_x / 8;
    for (size_t i = 0; i < n; i++) {
        double sum = 0;
        for (size_t j = 0; j < 8; j++)
            sum += (x[i * 8 + j] - rec[i * 8 + j]) * (x[i * 8 + j] - rec[i * 8 + j]);
        same += got[i * 4 + 3] == sum / 8;
    }
    printf("\n    per-row reconstruction error equal for %zu of %zu rows", same, n);
    CU_ASSERT_EQUAL(same, n);
    free(got);
    free(x);
    free(rec);
}

/* The variational autoencoder's codings as `latent apply` writes them: the
 * .csv holds a row number and the .npy's values (the means, which run A's
 * table of its codings holds too, so no eps is drawn), and the metrics
 * count the rows. test_apply_own_rows holds the .npy to run A's table. */
static void test_apply_vae_files(void)
{
    char path[900];
    snprintf(path, sizeof path, "%s/apply-vae-train/vae.csv", tmp);
    char *text = lt_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT(!strncmp(text, "row,z1,z2\n", 10));
    free(text);
    size_t n_csv = 0, n_npy = 0, n_table = 0;
    double *csv = read_csv_numbers(path, 0, &n_csv); /* row, z1, z2 */
    snprintf(path, sizeof path, "%s/apply-vae-train/vae.npy", tmp);
    double *npy = read_npy(path, &n_npy);
    snprintf(path, sizeof path, "%s/t_vae_train.train.csv", run_a);
    double *table = read_csv_numbers(path, 0, &n_table);
    CU_ASSERT_FATAL(csv && npy && table && n_npy == n_table && n_npy % 2 == 0 && n_npy > 0);
    size_t rows = n_npy / 2, same = 0;
    CU_ASSERT_EQUAL_FATAL(n_csv, rows * 3);
    for (size_t i = 0; i < rows; i++)
        same += csv[i * 3] == (double)i && csv[i * 3 + 1] == npy[i * 2] &&
                csv[i * 3 + 2] == npy[i * 2 + 1] && npy[i * 2] == table[i * 2];
    printf("\n    vae.csv: row numbers and the .npy's codings to the bit for %zu of %zu rows",
           same, rows);
    CU_ASSERT_EQUAL(same, rows);
    snprintf(path, sizeof path, "%s/apply-vae-train/metrics.json", tmp);
    text = lt_read_file(path, NULL);
    lt_json *m = text ? lt_json_parse(text) : NULL;
    CU_ASSERT_EQUAL(lt_json_number(lt_json_get(lt_json_get(m, "vae"), "rows")), (double)rows);
    lt_json_free(m);
    free(text);
    free(csv);
    free(npy);
    free(table);
}

/* Rows with one feature too few for the variational autoencoder, which reads
 * the split's rows with no model before it: exit 2, one line naming its
 * model file, and no output folder. */
static void test_apply_vae_width(void)
{
    char data[900], out[900], log[900];
    snprintf(data, sizeof data, "%s/seven.csv", tmp);
    snprintf(out, sizeof out, "%s/apply-vae-seven", tmp);
    snprintf(log, sizeof log, "%s/seven.log", tmp);
    FILE *f = fopen(data, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("f1,f2,f3,f4,f5,f6,f7\n1,2,3,4,5,6,7\n8,9,10,11,12,13,14\n", f);
    fclose(f);
    fflush(stderr);
    int saved = dup(2), to = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CU_ASSERT_FATAL(saved >= 0 && to >= 0);
    dup2(to, 2);
    lt_apply_opts o = {.run_dir = run_a, .data = data, .stage = "vae", .out_dir = out,
                       .quiet = true};
    int rc = lt_apply(&o);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(to);
    CU_ASSERT_EQUAL(rc, 2);
    struct stat st;
    CU_ASSERT(stat(out, &st) != 0);
    char *text = lt_read_file(log, NULL), want[1400];
    snprintf(want, sizeof want, "stage 'vae': %s/models/vae.npz: the model was fitted on 8 "
             "features (f1, f2, f3, f4, f5, f6, f7, f8), but the input has 7 (f1, f2, f3, f4, "
             "f5, f6, f7)\n", run_a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    MESSAGE_IS(text, want);
    free(text);
}

static void test_apply_sklearn(void)
{
    char data[600];
    snprintf(data, sizeof data, "%s/tests/models/heldout.csv", lt_test_root);
    const lt_json *labels = lt_json_get(ref, "heldout_labels");
    for (size_t i = 0; i < N_FITTED; i++) {
        const char *name = fitted[i].name;
        const lt_json *r = lt_json_get(ref, name);
        if (!r)
            continue; /* isomap: scikit-learn's Isomap is not rebuilt */
        bool classifier = !strcmp(fitted[i].kind, "logreg") || !strcmp(fitted[i].kind, "lda");
        const lt_json *want = lt_json_get(r, classifier ? "proba" : "values");
        char out[900];
        snprintf(out, sizeof out, "%s/heldout-%s", tmp, name);
        size_t n = 0;
        double *got = apply(data, name, out, &n);
        CU_ASSERT_PTR_NOT_NULL_FATAL(got);
        size_t rows = lt_json_size(want), cols = lt_json_size(lt_json_value_at(want, 0));
        double worst = rows * cols == n ? 0 : INFINITY;
        for (size_t k = 0; k < n && rows * cols == n; k++) {
            double d = fabs(got[k] - lt_json_number(lt_json_value_at(lt_json_value_at(want, k / cols), k % cols)));
            worst = d > worst ? d : worst;
        }
        char label[128];
        snprintf(label, sizeof label, "%s (%s) on held-out rows vs scikit-learn from the .npz", name,
                 fitted[i].kind);
        NEAR(label, worst, 1e-10);
        if (classifier) {
            /* Accuracy as the reference probabilities and labels give it. */
            const lt_json *classes = lt_json_get(ref, "classes");
            size_t hits = 0;
            for (size_t row = 0; row < rows; row++) {
                const lt_json *p = lt_json_value_at(want, row);
                size_t best = 0;
                for (size_t c = 1; c < cols; c++)
                    if (lt_json_number(lt_json_value_at(p, c)) > lt_json_number(lt_json_value_at(p, best)))
                        best = c;
                hits += !strcmp(lt_json_string(lt_json_value_at(classes, best)),
                                lt_json_string(lt_json_value_at(labels, row)));
            }
            char path[1000];
            snprintf(path, sizeof path, "%s/metrics.json", out);
            char *text = lt_read_file(path, NULL);
            lt_json *m = text ? lt_json_parse(text) : NULL;
            double acc = lt_json_number(lt_json_get(lt_json_get(m, name), "accuracy"));
            CU_ASSERT_DOUBLE_EQUAL(acc, (double)hits / (double)rows, 1e-15);
            CU_ASSERT(lt_json_number(lt_json_get(lt_json_get(m, name), "log_loss")) > 0);
            lt_json_free(m);
            free(text);
        }
        free(got);
    }
}

/* Rows that do not fit the run: exit 2, and nothing left behind. */
static void test_apply_bad_rows(void)
{
    static const char *const files[] = {"tests/bad/models/renamed.csv", "tests/models/nosuch.csv",
                                        "tests/models/fit.yaml"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char data[900], out[900];
        snprintf(data, sizeof data, "%s/%s", lt_test_root, files[i]);
        snprintf(out, sizeof out, "%s/bad-%zu", tmp, i);
        lt_apply_opts o = {.run_dir = run_a, .data = data, .stage = "p", .out_dir = out,
                           .quiet = true};
        CU_ASSERT_EQUAL(lt_apply(&o), 2);
        struct stat st;
        CU_ASSERT(stat(out, &st) != 0);
    }
    lt_apply_opts o = {.run_dir = run_a, .data = "x.csv", .stage = "t_p_test",
                       .out_dir = tmp, .quiet = true};
    CU_ASSERT_EQUAL(lt_apply(&o), 2); /* a table saved no model */
}

static void test_npz_round_trip(void)
{
    lt_model *m = lt_model_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    const char *names[] = {"alpha", "b\xc3\xa9ta", "\xce\xb3\xce\xac\xce\xbc\xce\xbc\xce\xb1", ""};
    double v[6] = {1.5, -2.25, 1e-300, 3, 4, 5};
    lt_model_put_strs(m, "names", names, 4);
    lt_model_put_str(m, "one", "x");
    lt_model_put_mat(m, "mat", v, 2, 3);
    lt_model_put_int(m, "count", 123456789012LL);
    lt_model_put_num(m, "num", -0.125);
    char path[600], err[512];
    snprintf(path, sizeof path, "%s/round.npz", tmp);
    lt_model_put_int(m, LT_MODEL_FORMAT_KEY, LT_MODEL_FORMAT);
    lt_model_put_str(m, LT_MODEL_KIND_KEY, "center");
    CU_ASSERT_EQUAL_FATAL(lt_model_write(m, path, err, sizeof err), 0);
    lt_model_free(m);
    m = lt_model_read(path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    lt_ctx *ctx = lt_ctx_new_test();
    size_t n = 0, rows = 2, cols = 3;
    char *const *back = lt_model_strs(ctx, m, "names", &n);
    CU_ASSERT_EQUAL_FATAL(n, 4);
    for (size_t i = 0; i < 4; i++)
        CU_ASSERT_STRING_EQUAL(back[i], names[i]);
    const double *mat = lt_model_get(ctx, m, "mat", &rows, &cols);
    CU_ASSERT(mat && memcmp(mat, v, sizeof v) == 0);
    double x = 0;
    CU_ASSERT_EQUAL(lt_model_num(ctx, m, "count", &x), LT_OK);
    CU_ASSERT_EQUAL(x, 123456789012.0);
    CU_ASSERT_EQUAL(lt_model_num(ctx, m, "num", &x), LT_OK);
    CU_ASSERT_EQUAL(x, -0.125);
    CU_ASSERT_STRING_EQUAL(lt_model_text(m, "one"), "x");
    /* A shape other than the one asked for is an error naming the file. */
    rows = 3;
    CU_ASSERT_PTR_NULL(lt_model_get(ctx, m, "mat", &rows, &cols));
    char want[800];
    snprintf(want, sizeof want, "stage 'test': %s: member 'mat.npy' has shape (2, 3); expected (3, 3)", path);
    MESSAGE_IS(lt_ctx_error(ctx), want);
    lt_ctx_free_test(ctx);
    lt_model_free(m);
}

static void test_npz_damaged(void)
{
    static const struct {
        const char *file, *message;
    } cases[] = {
        {"truncated.npz", "not an .npz archive: no zip directory at its end (truncated, or another kind of file)"},
        {"foreign.npz", "member 'notes.txt' is not a .npy array; not an .npz archive"},
        {"future_version.npz", "model format version 99 (written by latent 0.1.0); this latent (" LATENT_VERSION ") reads version 1"},
        {"nosuch.npz", "cannot read: No such file or directory"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[600], err[1024], want[1400];
        snprintf(path, sizeof path, "%s/tests/bad/models/%s", lt_test_root, cases[i].file);
        lt_model *m = lt_model_read(path, err, sizeof err);
        CU_ASSERT_PTR_NULL(m);
        lt_model_free(m);
        snprintf(want, sizeof want, "%s: %s", path, cases[i].message);
        MESSAGE_IS(err, want);
    }
}

int main(int argc, char **argv)
{
    /* Absolute: run B's pipeline file lives in a temporary folder. */
    char *root = realpath(argc > 1 ? argv[1] : ".", NULL);
    if (!root)
        return 1;
    lt_test_root = root;
    ref = lt_test_reference("models.json");
    snprintf(tmp, sizeof tmp, "/tmp/latent-models-XXXXXX");
    if (!mkdtemp(tmp))
        return 1;
    snprintf(run_a, sizeof run_a, "%s/a", tmp);
    snprintf(run_b, sizeof run_b, "%s/b", tmp);
    char fit[600];
    snprintf(fit, sizeof fit, "%s/tests/models/fit.yaml", lt_test_root);
    if (run_file(fit, run_a) != LT_OK) {
        fprintf(stderr, "run A (%s) failed\n", fit);
        return 1;
    }
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("saved models", NULL, NULL);
    CU_add_test(s, "from: reproduces run A to the bit", test_from);
    CU_add_test(s, "latent apply on run A's own rows reproduces its outputs", test_apply_own_rows);
    CU_add_test(s, "latent apply: an autoencoder's per-row reconstruction error",
                test_apply_reconstruction_error);
    CU_add_test(s, "latent apply: a variational autoencoder's .csv, .npy and metrics",
                test_apply_vae_files);
    CU_add_test(s, "latent apply: rows too narrow for a variational autoencoder",
                test_apply_vae_width);
    CU_add_test(s, "latent apply on held-out rows equals scikit-learn rebuilt from the .npz",
                test_apply_sklearn);
    CU_add_test(s, "latent apply on rows that do not fit the run", test_apply_bad_rows);
    CU_add_test(s, ".npz round trip: strings, int64, float64", test_npz_round_trip);
    CU_add_test(s, "damaged archives name the file", test_npz_damaged);
    int rc = lt_test_run();
    lt_json_free(ref);
    lt_remove_tree(tmp);
    free(root);
    return rc;
}
