/* lda: linear discriminant analysis fitted on train, as scikit-learn
 * 1.2.1's LinearDiscriminantAnalysis (see math/lda.h): outputs every split
 * projected on the discriminant directions, and reports the classifier's
 * accuracy on every labelled split. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "latent/stage.h"
#include "math/lda.h"
#include "stages/embedding.h"
#include "stages/lda.h"
#include "stages/predictions.h"

static const char *const solver_choices[] = {"svd", "eigen", NULL};

#define CFG struct lda_config
static const lt_param params[] = {
    LT_CHOICE(CFG, solver, "svd", solver_choices,
              "svd: whitening by SVD (works with collinear features); eigen: the "
              "generalised eigenproblem of the between- and within-class covariances"),
    LT_INT(CFG, n_components, 0, 0, 1000000, 0,
           "discriminant directions to keep, at most min(classes - 1, features); "
           "0: that maximum"),
};
#undef CFG

/* The share of rows of split S whose predicted class is their label. */
static int accuracy(lt_ctx *ctx, const lt_lda *m, const lt_split *sp, const int *from_model,
                    double *acc)
{
    size_t n = sp->x->rows, hits = 0;
    int *pred = malloc((n ? n : 1) * sizeof *pred);
    if (!pred)
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    lt_lda_predict(m, sp->x->v, n, pred);
    for (size_t i = 0; i < n; i++)
        hits += from_model[pred[i]] == sp->y[i]; /* -1: a class the data lack */
    free(pred);
    *acc = n ? (double)hits / (double)n : NAN;
    return LT_OK;
}

static int fail_fit(lt_ctx *ctx, int status)
{
    switch (status) {
    case LT_LDA_ESINGULAR:
        return lt_fail(ctx, LT_EINPUT,
                       "the within-class covariance is singular (constant or collinear "
                       "features); use solver: svd");
    case LT_LDA_ETOOBIG:
        return lt_fail(ctx, LT_ERUNTIME, "the data are too large for BLAS");
    case LT_LDA_ENOCONV:
        return lt_fail(ctx, LT_ERUNTIME, "LAPACK did not converge");
    default:
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    }
}

static int report(lt_ctx *ctx, const lt_lda *m, const lt_data *in, const int *from_model)
{
    double acc[LT_N_SPLITS];
    for (int s = 0; s < LT_N_SPLITS; s++) {
        const lt_split *sp = &in->split[s];
        int rc = sp->x && sp->y ? accuracy(ctx, m, sp, from_model, &acc[s]) : LT_OK;
        if (rc != LT_OK)
            return rc;
    }
    for (int s = 0; s < LT_N_SPLITS; s++)
        if (in->split[s].x && in->split[s].y) {
            char name[64];
            snprintf(name, sizeof name, "%s_accuracy", lt_split_name(s));
            lt_report_num(ctx, name, acc[s]);
        }
    lt_report_int(ctx, "n_components", (long long)m->n_components);
    lt_report_vec(ctx, "explained_variance_ratio", m->explained_variance_ratio,
                  m->n_components);
    lt_report_vec(ctx, "priors", m->priors, (size_t)m->n_classes);
    return LT_OK;
}

static int lda_proba(const void *model, const lt_mat *x, double *proba)
{
    lt_lda_proba(model, x->v, x->rows, proba);
    return 0;
}

static const char *class_name(const lt_data *d, int c, char *buf, size_t size)
{
    if (d->class_names && d->class_names[c])
        return d->class_names[c];
    snprintf(buf, size, "%d", c);
    return buf;
}

/* Saves the model with scikit-learn's names; coef_ and intercept_ folded to
 * one row for two classes, as sklearn keeps them, and latent's unfolded
 * rows for load(). */
static void save(lt_ctx *ctx, const lt_lda *m, const lt_data *in, const int *from_model)
{
    lt_model *o = lt_ctx_model_out(ctx);
    size_t k = (size_t)m->n_classes, p = m->n_features;
    lt_model_put_mat(o, "scalings_", m->scalings, p, m->n_scalings);
    lt_model_put_vec(o, "xbar_", m->xbar, p);
    lt_model_put_vec(o, "priors_", m->priors, k);
    lt_model_put_mat(o, "means_", m->means, k, p);
    lt_model_put_vec(o, "explained_variance_ratio_", m->explained_variance_ratio, m->n_components);
    if (k == 2) {
        double *coef = malloc(p * sizeof *coef + 1);
        if (coef)
            for (size_t j = 0; j < p; j++)
                coef[j] = m->coef[p + j] - m->coef[j];
        double icpt = m->intercept[1] - m->intercept[0];
        lt_model_put_mat(o, "coef_", coef, coef ? 1 : 0, coef ? p : 1);
        lt_model_put_vec(o, "intercept_", &icpt, 1);
        free(coef);
    } else {
        lt_model_put_mat(o, "coef_", m->coef, k, p);
        lt_model_put_vec(o, "intercept_", m->intercept, k);
    }
    lt_model_put_mat(o, "latent.coef", m->coef, k, p);
    lt_model_put_vec(o, "latent.intercept", m->intercept, k);
    lt_model_put_int(o, "latent.n_components", (long long)m->n_components);
    lt_model_put_int(o, "latent.solver", (long long)m->solver);
    char (*bufs)[16] = malloc(k * sizeof *bufs);
    const char **names = malloc(k * sizeof *names);
    for (size_t c = 0; bufs && names && c < k; c++)
        names[c] = class_name(in, from_model[c], bufs[c], sizeof bufs[c]);
    lt_model_put_strs(o, "classes_", bufs && names ? names : NULL, k);
    free(bufs);
    free(names);
}

/* A copy of saved array NAME (ROWS x COLS; COLS 0 for a vector) into *out. */
static int copy_saved(lt_ctx *ctx, const lt_model *saved, const char *name, size_t rows,
                      size_t cols, double **out)
{
    const double *v = lt_model_get(ctx, saved, name, &rows, &cols);
    size_t count = rows * (cols ? cols : 1);
    if (!v)
        return LT_EINPUT;
    if (!(*out = malloc(count * sizeof **out + 1)))
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    memcpy(*out, v, count * sizeof **out);
    return LT_OK;
}

/* The model save() wrote, and the maps between its classes and the data's
 * by name (-1 where one side lacks a class). */
static int load(lt_ctx *ctx, const lt_model *saved, const lt_data *in, lt_lda *m,
                int **to_model, int **from_model)
{
    size_t k = 0, p = in->n_features;
    char *const *classes = lt_model_strs(ctx, saved, "classes_", &k);
    double comps = 0, solver = 0;
    if (!classes || lt_model_num(ctx, saved, "latent.n_components", &comps) != LT_OK ||
        lt_model_num(ctx, saved, "latent.solver", &solver) != LT_OK)
        return LT_EINPUT;
    size_t rows = p, cols = LT_ANY;
    if (!lt_model_get(ctx, saved, "scalings_", &rows, &cols))
        return LT_EINPUT;
    m->solver = (lt_lda_solver)solver;
    m->n_features = p;
    m->n_classes = (int)k;
    m->n_components = (size_t)comps;
    m->n_scalings = cols;
    int rc = copy_saved(ctx, saved, "scalings_", p, cols, &m->scalings);
    if (rc == LT_OK)
        rc = copy_saved(ctx, saved, "xbar_", p, 0, &m->xbar);
    if (rc == LT_OK)
        rc = copy_saved(ctx, saved, "priors_", k, 0, &m->priors);
    if (rc == LT_OK)
        rc = copy_saved(ctx, saved, "means_", k, p, &m->means);
    if (rc == LT_OK)
        rc = copy_saved(ctx, saved, "latent.coef", k, p, &m->coef);
    if (rc == LT_OK)
        rc = copy_saved(ctx, saved, "latent.intercept", k, 0, &m->intercept);
    if (rc == LT_OK)
        rc = copy_saved(ctx, saved, "explained_variance_ratio_", m->n_components, 0,
                        &m->explained_variance_ratio);
    if (rc != LT_OK)
        return rc;
    *to_model = malloc(((size_t)in->n_classes + 1) * sizeof **to_model);
    *from_model = malloc((k + 1) * sizeof **from_model);
    if (!*to_model || !*from_model)
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    for (size_t j = 0; j < k; j++)
        (*from_model)[j] = -1;
    for (int c = 0; c < in->n_classes; c++) {
        char buf[16];
        const char *name = class_name(in, c, buf, sizeof buf);
        (*to_model)[c] = -1;
        for (size_t j = 0; j < k; j++)
            if (strcmp(classes[j], name) == 0) {
                (*to_model)[c] = (int)j;
                (*from_model)[j] = c;
            }
    }
    return LT_OK;
}

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs,
               int n_inputs, lt_value *outputs)
{
    (void)n_inputs;
    const struct lda_config *cfg = config;
    const lt_data *in = inputs[0].data;
    const lt_mat *train = embed_rows(ctx, in, LT_TRAIN, 2);
    if (!train)
        return LT_EINPUT;
    const lt_model *saved = lt_ctx_model_in(ctx);
    if (!saved && (!in->split[LT_TRAIN].y || in->n_classes < 1))
        return lt_fail(ctx, LT_EINPUT, "the input has no labels; lda needs a labelled "
                       "dataset (dataset.csv: set label_column)");
    for (int s = LT_TRAIN + 1; s < LT_N_SPLITS; s++)
        if (in->split[s].x && !embed_rows(ctx, in, s, 0))
            return LT_EINPUT;
    size_t n = train->rows, p = train->cols;
    int *to_model = NULL, *from_model = NULL, *y = NULL;
    lt_lda m = {0};
    lt_data *d = NULL;
    int status = LT_OK;
    if (saved) {
        if ((status = load(ctx, saved, in, &m, &to_model, &from_model)) != LT_OK)
            goto done;
        goto apply;
    }
    to_model = malloc((size_t)in->n_classes * sizeof *to_model);
    from_model = malloc((size_t)in->n_classes * sizeof *from_model);
    y = malloc(n * sizeof *y);
    if (!to_model || !from_model || !y) {
        status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    int k = predictions_classes(ctx, in, to_model, from_model);
    if (k < 0) {
        status = -k;
        goto done;
    }
    if (k < 2) {
        const char *name = in->class_names ? in->class_names[from_model[0]] : NULL;
        status = name ? lt_fail(ctx, LT_EINPUT, "the train split holds only class '%s'; "
                                "lda needs at least two classes", name)
                      : lt_fail(ctx, LT_EINPUT, "the train split holds only class %d; "
                                "lda needs at least two classes", from_model[0]);
        goto done;
    }
    if (n <= (size_t)k) {
        status = lt_fail(ctx, LT_EINPUT, "the train split has %zu rows for %d classes; "
                         "lda needs more rows than classes", n, k);
        goto done;
    }
    size_t most = (size_t)k - 1 < p ? (size_t)k - 1 : p;
    if ((size_t)cfg->n_components > most) {
        status = lt_fail(ctx, LT_EINPUT,
                         "n_components is %d but lda allows at most %zu "
                         "(min(classes - 1, features) with %d classes and %zu features)",
                         cfg->n_components, most, k, p);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        y[i] = to_model[in->split[LT_TRAIN].y[i]];
    status = lt_lda_fit(&m, train->v, y, n, p, k, (lt_lda_solver)cfg->solver,
                        (size_t)cfg->n_components);
    if (status != LT_LDA_OK) {
        status = fail_fit(ctx, status);
        goto done;
    }
    size_t asked = cfg->n_components ? (size_t)cfg->n_components : most;
    if (m.n_components < asked)
        lt_warn(ctx, "the class centres span only %zu direction%s; the output has %zu "
                "column%s", m.n_components, m.n_components == 1 ? "" : "s",
                m.n_components, m.n_components == 1 ? "" : "s");
    save(ctx, &m, in, from_model);
apply:
    if (!(d = embed_new(in, "ld", m.n_components))) {
        status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    for (int s = 0; s < LT_N_SPLITS && status == LT_OK; s++) {
        const lt_mat *x = in->split[s].x;
        if (!x)
            continue;
        lt_mat *e = lt_mat_new(x->rows, m.n_components);
        if (!e) {
            status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
            break;
        }
        lt_lda_transform(&m, x->v, x->rows, e->v);
        status = embed_put(ctx, d, in, s, e);
    }
    if (status == LT_OK)
        status = report(ctx, &m, in, from_model);
    if (status == LT_OK && lt_ctx_wants(ctx, 1))
        status = predictions_make(ctx, in, &m, m.n_classes, from_model, lda_proba, &outputs[1].data);
done:
    lt_lda_free(&m);
    free(to_model);
    free(from_model);
    free(y);
    if (status != LT_OK) {
        lt_data_free(&d);
        return status;
    }
    outputs[0].data = d;
    return LT_OK;
}

static const lt_output outputs_table[] = {
    {"projection", LT_DATASET, "every split projected on the discriminant directions"},
    {"predictions", LT_PREDICTIONS,
     "for every split, each row's probability of each class (predict_proba; the predicted class is "
     "the most probable), with the rows' labels"},
};

static const lt_metric lda_metrics[] = {
    {"{split}_accuracy", "share of the split's rows classified right"},
    {"n_components", "discriminant axes kept"},
    {"explained_variance_ratio", "variance share of each discriminant axis"},
    {"priors", "class shares in the train split"},
};

const lt_stage_def lda_stage = {
    .abi = LT_ABI_VERSION,
    .name = "lda",
    .summary = "linear discriminant analysis fitted on train, as scikit-learn's "
               "LinearDiscriminantAnalysis: projection of every split, accuracies",
    .params = params,
    .n_params = LT_COUNT(params),
    .config_size = sizeof(struct lda_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .fits = true,
    .run = run,
    .metrics = lda_metrics,
    .n_metrics = LT_COUNT(lda_metrics),
};
