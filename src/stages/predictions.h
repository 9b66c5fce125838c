/* The predictions output of the classifiers (logreg, lda): an LT_PREDICTIONS
 * value (see latent/data.h) built from a fitted model's class
 * probabilities. */
#ifndef LATENT_STAGES_PREDICTIONS_H
#define LATENT_STAGES_PREDICTIONS_H

#include "latent/stage.h"

/* Fills PROBA (x->rows x the model's classes, row-major) with MODEL's class
 * probabilities of the rows of X. Returns 0, or -1 when out of memory. */
typedef int (*predict_proba_fn)(const void *model, const lt_mat *x, double *proba);

/* The predictions of MODEL for every split of D into *OUT (owned): one
 * column per class of D, named by class, in D's class order; FROM_MODEL
 * maps the model's K classes to D's (a class the model never saw gets
 * probability 0); labels and per-row values as in D. Returns LT_OK or an
 * out-of-memory error recorded in ctx. */
int predictions_make(lt_ctx *ctx, const lt_data *d, const void *model, int k, const int *from_model,
                     predict_proba_fn proba, lt_data **out);

/* The classes present in the train labels, in order: the model's classes
 * (sklearn fits on np.unique(y_train)). Fills to_model[class] with the
 * model's index of each class, or -1, and FROM_MODEL (when not NULL) with
 * the class of each model index; returns how many are present, or
 * minus the status after recording an error (-LT_EINPUT for a label out of
 * range, -LT_ERUNTIME when out of memory). */
int predictions_classes(lt_ctx *ctx, const lt_data *d, int *to_model, int *from_model);

#endif
