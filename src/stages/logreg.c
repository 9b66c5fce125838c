/* logreg: fits scikit-learn's LogisticRegression (lbfgs) on the train split
 * and reports accuracies, log-loss, coefficients and confusion matrices.
 * The numerics live in math/logreg.c; this file maps data to a fit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    LT_INT(CFG, max_iter, 100, 1, 1000000,
           "L-BFGS iterations at most; stopping there warns, as sklearn does"),
    LT_REAL(CFG, tol, 1e-4, 0, INFINITY, LT_MAX_OPEN,
            "converged when the largest gradient component is at most tol (or, as in "
            "scipy, when the objective stops decreasing)"),
};
#undef CFG

/* The classes present in the train labels, in order: the model's classes
 * (sklearn fits on np.unique(y_train)). Fills to_model[class] with the
 * model's index of each class, or -1, and returns how many are present, or
 * -1 after recording an error for a label out of range. */
static int present_classes(lt_ctx *ctx, const lt_data *d, int *to_model)
{
    const lt_split *train = &d->split[LT_TRAIN];
    for (int c = 0; c < d->n_classes; c++)
        to_model[c] = -1;
    for (size_t i = 0; i < train->x->rows; i++) {
        int c = train->y[i];
        if (c < 0 || c >= d->n_classes) {
            lt_fail(ctx, LT_EINPUT, "train label %d of row %zu is not a class in [0, %d)",
                    c, i, d->n_classes);
            return -1;
        }
        to_model[c] = 0;
    }
    int n = 0;
    for (int c = 0; c < d->n_classes; c++)
        if (to_model[c] == 0)
            to_model[c] = n++;
    return n;
}

static const char *class_name(const lt_data *d, int c, char *buf, size_t size)
{
    if (d->class_names && d->class_names[c])
        return d->class_names[c];
    snprintf(buf, size, "%d", c);
    return buf;
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
    if (!pred || lt_logreg_predict(model, sp->x, pred) != 0) {
        free(pred);
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    }
    memset(confusion, 0, c * c * sizeof *confusion);
    size_t hits = 0;
    for (size_t i = 0; i < n; i++) {
        int truth = sp->y[i], guess = from_model[pred[i]];
        if (truth < 0 || truth >= d->n_classes) {
            free(pred);
            return lt_fail(ctx, LT_EINPUT, "%s label %d of row %zu is not a class in "
                           "[0, %d)", lt_split_name(s), truth, i, d->n_classes);
        }
        hits += truth == guess;
        confusion[(size_t)truth * c + (size_t)guess] += 1;
    }
    free(pred);
    *accuracy = n ? (double)hits / (double)n : NAN;
    return LT_OK;
}

/* Everything the stage reports once the model is fitted: accuracies, the
 * model, then confusion matrices, each for every labelled split. */
static int report(lt_ctx *ctx, const lt_logreg *model, const lt_data *d,
                  const int *y, const int *from_model)
{
    size_t c = (size_t)d->n_classes;
    double accuracy[LT_N_SPLITS];
    double *confusion = malloc(LT_N_SPLITS * c * c * sizeof *confusion);
    double loss = lt_logreg_log_loss(model, d->split[LT_TRAIN].x, y);
    if (!confusion || isnan(loss)) {
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
    lt_report_num(ctx, "log_loss", loss);
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

/* Refuses a train split the fit cannot use; LT_OK when it is fine. */
static int check_train(lt_ctx *ctx, const lt_data *d)
{
    const lt_split *train = &d->split[LT_TRAIN];
    if (!train->x || train->x->rows == 0)
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
    int rc = check_train(ctx, d);
    if (rc != LT_OK)
        return rc;

    const lt_split *train = &d->split[LT_TRAIN];
    size_t n = train->x->rows;
    int *to_model = malloc((size_t)d->n_classes * sizeof *to_model);
    int *from_model = malloc((size_t)d->n_classes * sizeof *from_model);
    int *y = malloc(n * sizeof *y);
    lt_logreg model = {0};
    if (!to_model || !from_model || !y) {
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    int n_present = present_classes(ctx, d, to_model);
    if (n_present < 0) {
        rc = LT_EINPUT;
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
    };
    if (lt_logreg_fit(train->x, y, n_present, &opt, &model) != 0) {
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    if (!model.converged)
        lt_warn(ctx, "lbfgs did not converge (%s after %d iterations); raise "
                "max_iter or scale the data", model.stop, model.n_iter);
    rc = report(ctx, &model, d, y, from_model);
    if (rc == LT_OK)
        rc = predictions_make(ctx, d, &model, model.n_classes, from_model, logreg_proba, &outputs[0].data);
done:
    lt_logreg_free(&model);
    free(to_model);
    free(from_model);
    free(y);
    return rc;
}

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
    .run = run,
};
