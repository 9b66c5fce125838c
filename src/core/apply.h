/* `latent apply RUN_DIR DATA [--stage NAME] [--out DIR]`: a finished run's
 * fitted chain replayed on new rows, without refitting.
 *
 * From run.json it takes the stages, their inputs and the dataset options;
 * from models/ the saved models. DATA (a .csv or .npy file) is read with the
 * options the run's dataset had, its label column optional; the chain from
 * the dataset to NAME (following each stage's first input) runs with every
 * fitting stage applying its saved model; split and other stages that fit
 * nothing pass the rows through. NAME defaults to the run's last stage that
 * saved a model. What lands in DIR:
 *   NAME.npy      the values per row (for logreg and lda, the class probabilities)
 *   NAME.csv      row, label (when DATA has one), predicted (logreg, lda), the values
 *   metrics.json  {"NAME": {"rows", the stage's own metrics on DATA, and, for a
 *                 labelled DATA and a classifier, "accuracy" and "log_loss"}}
 * The files are written to a staging folder in DIR and moved into place
 * only when everything succeeded. */
#ifndef LATENT_CORE_APPLY_H
#define LATENT_CORE_APPLY_H

#include <stdbool.h>

#include "util/diag.h"

typedef struct lt_apply_opts {
    const char *run_dir;
    const char *data;
    const char *stage;   /* NULL: the last stage with a model */
    const char *out_dir; /* NULL: RUN_DIR/apply */
    bool quiet;
    lt_diag_format format; /* --format: how errors and warnings print */
} lt_apply_opts;

/* Runs it. Prints any error (one line) in FORMAT (text: to stderr). Returns 0, 2 for bad
 * input (a run, model or data file that does not fit), 3 otherwise. */
int lt_apply(const lt_apply_opts *opts);

#endif
