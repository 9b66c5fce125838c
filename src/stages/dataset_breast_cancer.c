/* dataset.breast_cancer: the Wisconsin diagnostic table, as scikit-learn's
 * load_breast_cancer() gives it, compiled into the binary (data/README). */
#include <stdlib.h>
#include <string.h>

#include "io/csv.h"
#include "core/ctx.h"
#include "latent/stage.h"

/* data/breast_cancer.csv, embedded at build time by tools/embed.c. */
extern const unsigned char lt_breast_cancer_csv[];
extern const size_t lt_breast_cancer_csv_len;

/* The name messages give the embedded file. */
#define SOURCE "data/breast_cancer.csv (embedded)"

/* scikit-learn's names for the 30 columns, in file order. */
static const char *const feature_names[] = {
    "mean radius", "mean texture", "mean perimeter", "mean area",
    "mean smoothness", "mean compactness", "mean concavity",
    "mean concave points", "mean symmetry", "mean fractal dimension",
    "radius error", "texture error", "perimeter error", "area error",
    "smoothness error", "compactness error", "concavity error",
    "concave points error", "symmetry error", "fractal dimension error",
    "worst radius", "worst texture", "worst perimeter", "worst area",
    "worst smoothness", "worst compactness", "worst concavity",
    "worst concave points", "worst symmetry", "worst fractal dimension",
};
#define N_FEATURES (sizeof feature_names / sizeof feature_names[0])
#define N_SAMPLES 569

/* Replaces names[0..n) (each owned, may be NULL) with copies of src. */
static int set_names(char **names, const char *const *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
        if (!(names[i] = strdup(src[i])))
            return -1;
    }
    return 0;
}

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs,
               int n_inputs, lt_value *outputs)
{
    lt_diag sink = {.limit = 1}; /* what the reader reports, for lt_ctx_take */
    (void)config, (void)inputs, (void)n_inputs;
    const char *text = (const char *)lt_breast_cancer_csv;
    /* Line 1 is sklearn's preamble, "569,30,malignant,benign": the class
     * names come from it; the rows follow, labels in the last column. */
    static const char preamble[] = "569,30,malignant,benign\n";
    if (strncmp(text, preamble, sizeof preamble - 1) != 0)
        return lt_fail_at(ctx, LT_ERUNTIME, SOURCE, 1, 0,
                          "the embedded table does not start with \"569,30,malignant,benign\"");
    static const char *const class_names[] = {"malignant", "benign"};

    lt_csv_options opt = {.header = false, .label_column = "-1", .delimiter = ',',
                          .skip_lines = 1};
    lt_data *d = NULL;
    int rc = lt_csv_parse(&sink, SOURCE, text, lt_breast_cancer_csv_len, &opt, &d, NULL);
    rc = lt_ctx_take(ctx, &sink, rc);
    if (rc != LT_OK)
        return rc;
    if (lt_data_rows(d, LT_TRAIN) != N_SAMPLES || d->n_features != N_FEATURES ||
        d->n_classes != 2) {
        lt_data_free(&d);
        return lt_fail(ctx, LT_ERUNTIME, "the embedded breast-cancer table is not "
                       "569 x 30 with 2 classes; the build is broken");
    }
    /* The labels 0 and 1 are the classes as they are; only names change. */
    if (!(d->feature_names = calloc(N_FEATURES, sizeof *d->feature_names)) ||
        set_names(d->feature_names, feature_names, N_FEATURES) != 0 ||
        set_names(d->class_names, class_names, 2) != 0) {
        lt_data_free(&d);
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    }
    outputs[0].data = d;
    return LT_OK;
}

static const lt_output outputs_table[] = {
    {"data", LT_DATASET, "the table, all rows train"},
};

const lt_stage_def dataset_breast_cancer_stage = {
    .abi = LT_ABI_VERSION,
    .name = "dataset.breast_cancer",
    .summary = "Wisconsin diagnostic breast-cancer table (569 x 30, 2 classes), "
               "as sklearn's load_breast_cancer",
    .min_inputs = 0,
    .max_inputs = 0,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .run = run,
};
