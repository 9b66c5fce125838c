/* logreg: fits scikit-learn's LogisticRegression (lbfgs) on the train split
 * and reports accuracies, log-loss, coefficients and confusion matrices.
 * The numerics live in math/logreg.c; this file maps data to a fit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dist.h"
#include "latent/stage.h"
#include "math/logreg.h"
#include "stages/logreg.h"
#include "stages/predictions.h"

enum { PENALTY_L2, PENALTY_NONE };
static const char *const penalties[] = {"l2", "none", NULL};

#define CFG struct logreg_config
static const lt_param params[] = {
    LT_REAL(CFG, C, 1.0, 0, INFINITY, LT_MIN_OPEN | LT_MAX_OPEN,
            "inverse penalty strength: minimises the summed log-loss + ||w||^2 / (2 C)"),
    LT_CHOICE(CFG, penalty, "l2", penalties,
              "l2, or none for no penalty (C is then ignored)"),
    LT_BOOL(CFG, fit_intercept, true, "fit an (unpenalised) intercept"),
    LT_INT(CFG, max_iter, 100, 1, 1000000, 0,
           "L-BFGS iterations at most; stopping there warns, as sklearn does"),
    LT_REAL(CFG, tol, 1e-4, 0, INFINITY, LT_MAX_OPEN,
            "converged when the largest gradient component is at most tol (or, as in "
            "scipy, when the objective stops decreasing)"),
};
#undef CFG

static const char *class_name(const lt_data *d, int c, char *buf, size_t size)
{
    if (d->class_names && d->class_names[c])
        return d->class_names[c];
    snprintf(buf, size, "%d", c);
    return buf;
}

/* The names of K classes of D: class ORDER[j] (class j when ORDER is NULL)
 * at j. One allocation, pointers then the numbers' text for unnamed
 * classes, that the caller frees; NULL when out of memory. */
static const char **class_names(const lt_data *d, const int *order, size_t k)
{
    enum { WIDTH = 16 };
    const char **names = malloc(k * (sizeof *names + WIDTH) + 1);
    char *text = names ? (char *)(names + k) : NULL;
    for (size_t j = 0; names && j < k; j++)
        names[j] = class_name(d, order ? order[j] : (int)j, text + j * WIDTH, WIDTH);
    return names;
}

/* The accuracy of the model on split S and its confusion matrix (true
 * class by row, predicted by column, over every class of the data) into
 * CONFUSION. Returns LT_OK or an error recorded. */
static int score_split(lt_ctx *ctx, const lt_logreg *model, const lt_data *d, int s,
                       const int *from_model, double *accuracy, double *confusion)
{
    const lt_split *sp = &d->split[s];
    size_t n = sp->x->rows, c = (size_t)d->n_classes;
    int *pred = malloc((n ? n : 1) * sizeof *pred);
    /* The confusion matrix, then the hits and rows: one sum over the ranks. */
    double *counts = malloc((c * c + 2) * sizeof *counts);
    int rc = pred && counts && lt_logreg_predict(model, sp->x, pred) == 0 ? LT_OK : LT_ERUNTIME;
    if (counts)
        memset(counts, 0, (c * c + 2) * sizeof *counts);
    for (size_t i = 0; rc == LT_OK && i < n; i++) {
        int truth = sp->y[i], guess = from_model[pred[i]];
        if (truth < 0 || truth >= d->n_classes) {
            rc = lt_fail(ctx, LT_EINPUT, "%s label %d of row %zu is not a class in "
                         "[0, %d)", lt_split_name(s), truth, i, d->n_classes);
            break;
        }
        if (guess < 0)
            continue; /* a saved model's class the data lack: a miss (n counts it) */
        counts[c * c] += truth == guess;
        counts[(size_t)truth * c + (size_t)guess] += 1;
    }
    if (counts && rc == LT_OK)
        counts[c * c + 1] = (double)n;
    if (lt_dist_rows_sum(d, rc == LT_OK ? counts : NULL, c * c + 2) != 0 && rc == LT_OK)
        rc = LT_ERUNTIME;
    if (rc == LT_OK) {
        memcpy(confusion, counts, c * c * sizeof *confusion);
        *accuracy = counts[c * c + 1] > 0 ? counts[c * c] / counts[c * c + 1] : NAN;
    }
    free(pred);
    free(counts);
    return rc == LT_ERUNTIME ? lt_fail(ctx, LT_ERUNTIME, "out of memory") : rc;
}

/* Everything the stage reports once the model is fitted: accuracies, the
 * model, then confusion matrices, each for every labelled split. */
static int report(lt_ctx *ctx, const lt_logreg *model, const lt_data *d,
                  const int *y, const int *from_model)
{
    size_t c = (size_t)d->n_classes;
    double accuracy[LT_N_SPLITS];
    double *confusion = malloc(LT_N_SPLITS * c * c * sizeof *confusion);
    const lt_mat *train = d->split[LT_TRAIN].x;
    /* The mean log-loss over every rank's rows: the ranks' totals, summed. */
    double mean_loss = lt_logreg_log_loss(model, train, y);
    double loss[2] = {train->rows ? mean_loss * (double)train->rows : 0, (double)train->rows};
    if (lt_dist_rows_sum(d, confusion && !isnan(loss[0]) ? loss : NULL, 2) != 0 || !confusion ||
        isnan(loss[0])) {
        free(confusion);
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    }
    bool scored[LT_N_SPLITS];
    for (int s = 0; s < LT_N_SPLITS; s++) {
        scored[s] = d->split[s].x && d->split[s].y;
        int rc = scored[s] ? score_split(ctx, model, d, s, from_model, &accuracy[s],
                                         confusion + (size_t)s * c * c)
                           : LT_OK;
        if (rc != LT_OK) {
            free(confusion);
            return rc;
        }
    }
    char name[64];
    for (int s = 0; s < LT_N_SPLITS; s++)
        if (scored[s]) {
            snprintf(name, sizeof name, "%s_accuracy", lt_split_name(s));
            lt_report_num(ctx, name, accuracy[s]);
        }
    lt_report_num(ctx, "log_loss", d->row_blocks ? loss[0] / loss[1] : mean_loss);
    lt_report_int(ctx, "n_iter", model->n_iter);
    lt_report_bool(ctx, "converged", model->converged);
    if (model->n_rows == 1) {
        lt_report_vec(ctx, "coef", model->coef, model->n_features);
        lt_report_num(ctx, "intercept", model->intercept[0]);
    } else {
        lt_report_mat(ctx, "coef", model->coef, (size_t)model->n_rows,
                      model->n_features);
        lt_report_vec(ctx, "intercept", model->intercept, (size_t)model->n_rows);
    }
    const char **classes = class_names(d, NULL, c);
    lt_report_strs(ctx, "classes", classes, c);
    free(classes);
    for (int s = 0; s < LT_N_SPLITS; s++)
        if (scored[s]) {
            snprintf(name, sizeof name, "%s_confusion_matrix", lt_split_name(s));
            lt_report_mat(ctx, name, confusion + (size_t)s * c * c, c, c);
        }
    free(confusion);
    return LT_OK;
}

static const lt_output outputs_table[] = {
    {"predictions", LT_PREDICTIONS,
     "for every split, each row's probability of each class (predict_proba; the predicted class is "
     "the most probable), with the rows' labels"},
};

static int logreg_proba(const void *model, const lt_mat *x, double *proba)
{
    return lt_logreg_proba(model, x, proba);
}

/* Saves MODEL with scikit-learn's names: coef_, intercept_, classes_ (the
 * class names, as sklearn keeps the labels it was fitted on), n_iter_. */
static void save(lt_ctx *ctx, const lt_logreg *model, const lt_data *d, const int *from_model)
{
    lt_model *o = lt_ctx_model_out(ctx);
    size_t k = (size_t)model->n_classes;
    const char **classes = class_names(d, from_model, k);
    lt_model_put_mat(o, "coef_", model->coef, (size_t)model->n_rows, model->n_features);
    lt_model_put_vec(o, "intercept_", model->intercept, (size_t)model->n_rows);
    /* Without its classes the model is incomplete: a NULL list fails the save. */
    lt_model_put_strs(o, "classes_", classes, classes ? k : 1);
    lt_model_put_ints(o, "n_iter_", &model->n_iter, 1);
    lt_model_put_int(o, "latent.converged", model->converged);
    free(classes);
}

/* The saved model, and the map between its classes and the data's (by
 * name): to_model[data class] (-1 for a class the model lacks) and
 * from_model[model class] (-1 for one the data lack). */
static int load(lt_ctx *ctx, const lt_model *saved, const lt_data *d, lt_logreg *model,
                int **to_model, int **from_model)
{
    size_t p = d->n_features, k = 0, rows = LT_ANY, cols = p;
    char *const *classes = lt_model_strs(ctx, saved, "classes_", &k);
    const double *coef = classes ? lt_model_get(ctx, saved, "coef_", &rows, &cols) : NULL;
    const double *icpt = coef ? lt_model_vec(ctx, saved, "intercept_", rows) : NULL;
    double n_iter = 0, converged = 0;
    if (!icpt || lt_model_num(ctx, saved, "latent.converged", &converged) != LT_OK)
        return LT_EINPUT;
    size_t n_iter_rows = 1, zero = 0;
    const double *iters = lt_model_get(ctx, saved, "n_iter_", &n_iter_rows, &zero);
    if (!iters)
        return LT_EINPUT;
    n_iter = iters[0];
    if (k < 2 || rows != (k == 2 ? 1 : k))
        return lt_model_fail(ctx, saved,
                          "coef_ has %zu rows for %zu classes; expected %zu", rows, k,
                          k == 2 ? (size_t)1 : k);
    model->n_features = p;
    model->n_classes = (int)k;
    model->n_rows = (int)rows;
    model->n_iter = (int)n_iter;
    model->converged = converged != 0;
    model->coef = malloc(rows * p * sizeof *model->coef + 1);
    model->intercept = malloc(rows * sizeof *model->intercept + 1);
    *to_model = malloc(((size_t)d->n_classes + 1) * sizeof **to_model);
    *from_model = malloc((k + 1) * sizeof **from_model);
    if (!model->coef || !model->intercept || !*to_model || !*from_model)
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    memcpy(model->coef, coef, rows * p * sizeof *model->coef);
    memcpy(model->intercept, icpt, rows * sizeof *model->intercept);
    for (size_t j = 0; j < k; j++)
        (*from_model)[j] = -1;
    for (int c = 0; c < d->n_classes; c++) {
        char buf[16];
        const char *name = class_name(d, c, buf, sizeof buf);
        (*to_model)[c] = -1;
        for (size_t j = 0; j < k; j++)
            if (strcmp(classes[j], name) == 0) {
                (*to_model)[c] = (int)j;
                (*from_model)[j] = c;
            }
    }
    return LT_OK;
}

/* Refuses a train split the fit cannot use; LT_OK when it is fine. */
static int check_train(lt_ctx *ctx, const lt_data *d)
{
    const lt_split *train = &d->split[LT_TRAIN];
    if (!train->x || lt_dist_rows(d, train->x) == 0)
        return lt_fail(ctx, LT_EINPUT, "the input has no train rows to fit on");
    if (!train->y || d->n_classes < 1)
        return lt_fail(ctx, LT_EINPUT, "the input has no labels; logreg needs a "
                       "labelled dataset (dataset.csv: set label_column)");
    size_t cols = train->x->cols;
    for (size_t i = 0; i < train->x->rows * cols; i++)
        if (!isfinite(train->x->v[i]))
            return lt_fail(ctx, LT_EINPUT, "train row %zu, feature %zu is %g; logreg "
                           "needs finite values", i / cols, i % cols, train->x->v[i]);
    return LT_OK;
}

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs,
               int n_inputs, lt_value *outputs)
{
    (void)n_inputs;
    const struct logreg_config *cfg = config;
    const lt_data *d = inputs[0].data;
    int rc = lt_dist_check(ctx, d, check_train(ctx, d));
    if (rc != LT_OK)
        return rc;

    const lt_split *train = &d->split[LT_TRAIN];
    size_t n = train->x->rows;
    int *to_model = NULL, *from_model = NULL;
    int *y = malloc(n * sizeof *y);
    lt_logreg model = {0};
    const lt_model *saved = lt_ctx_model_in(ctx);
    if (saved) {
        if (!y) {
            rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
            goto done;
        }
        if ((rc = load(ctx, saved, d, &model, &to_model, &from_model)) != LT_OK)
            goto done;
        for (size_t i = 0; i < n; i++) {
            int c = train->y[i];
            if (c < 0 || c >= d->n_classes || to_model[c] < 0) {
                char buf[16];
                rc = lt_fail(ctx, LT_EINPUT, "train row %zu has class '%s', which the model "
                             "saved in %s was not fitted on", i,
                             c >= 0 && c < d->n_classes ? class_name(d, c, buf, sizeof buf) : "?",
                             lt_model_path(saved));
                goto done;
            }
            y[i] = to_model[c];
        }
        rc = report(ctx, &model, d, y, from_model);
        goto predict;
    }
    to_model = malloc((size_t)d->n_classes * sizeof *to_model);
    from_model = malloc((size_t)d->n_classes * sizeof *from_model);
    if (!to_model || !from_model || !y) {
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    int n_present = predictions_classes(ctx, d, to_model, NULL);
    if (n_present < 0) {
        rc = -n_present;
        goto done;
    }
    if (n_present < 2) {
        char buf[16];
        rc = lt_fail(ctx, LT_EINPUT, "the train split holds only class '%s'; logreg "
                     "needs at least two classes", class_name(d, train->y[0], buf, sizeof buf));
        goto done;
    }
    for (int c = 0; c < d->n_classes; c++)
        if (to_model[c] >= 0)
            from_model[to_model[c]] = c;
    for (size_t i = 0; i < n; i++)
        y[i] = to_model[train->y[i]];

    lt_logreg_options opt = {
        .l2 = cfg->penalty == PENALTY_NONE ? 0.0 : 1.0 / cfg->C,
        .fit_intercept = cfg->fit_intercept,
        .max_iter = cfg->max_iter,
        .gtol = cfg->tol,
        .ftol = LT_LOGREG_FTOL,
        .sum = d->row_blocks ? lt_dist_sum : NULL,
    };
    if (lt_logreg_fit(train->x, y, n_present, &opt, &model) != 0) {
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    if (!model.converged)
        lt_warn(ctx, "lbfgs did not converge (%s after %d iterations); raise "
                "max_iter or scale the data", model.stop, model.n_iter);
    save(ctx, &model, d, from_model);
    rc = report(ctx, &model, d, y, from_model);
predict:
    if (rc == LT_OK)
        rc = predictions_make(ctx, d, &model, model.n_classes, from_model, logreg_proba, &outputs[0].data);
done:
    lt_logreg_free(&model);
    free(to_model);
    free(from_model);
    free(y);
    return rc;
}

static const lt_metric logreg_metrics[] = {
    {"{split}_accuracy", "share of the split's rows classified right"},
    {"log_loss", "mean log-loss on the train split"},
    {"n_iter", "L-BFGS iterations"},
    {"converged", "whether L-BFGS met its tolerance within max_iter"},
    {"coef", "the weights (a list for two classes, classes x features otherwise)"},
    {"intercept", "the intercepts (a number for two classes, one per class otherwise)"},
    {"{split}_confusion_matrix", "rows: true class, columns: predicted class, in the order of classes"},
    {"classes", "the data's class names, in the confusion matrices' order"},
};

const lt_stage_def logreg_stage = {
    .abi = LT_ABI_VERSION,
    .name = "logreg",
    .summary = "logistic regression as scikit-learn's (L2, lbfgs): accuracy, "
               "log-loss, coefficients",
    .params = params,
    .n_params = LT_COUNT(params),
    .config_size = sizeof(struct logreg_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .fits = true,
    .distributed = true,
    .run = run,
    .metrics = logreg_metrics,
    .n_metrics = LT_COUNT(logreg_metrics),
};
