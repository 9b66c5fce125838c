/* Training progress, said through the run's context (lt_progress_say): on a
 * terminal a bar redrawn in place while an epoch runs (batch, running loss
 * and metrics, rate, ETA) and left as the epoch's summary line; elsewhere (a
 * log, a pipe) only that line per epoch; nothing under --quiet or a machine
 * --format. */
#ifndef LATENT_NN_PROGRESS_H
#define LATENT_NN_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "latent/stage.h"

typedef struct lt_progress {
    lt_ctx *ctx;               /* borrowed: where lines are said */
    bool enabled;
    bool live;                 /* redraw a bar in place (a terminal) */
    int epochs;                /* of the whole run, for "epoch 3/20" */
    size_t batches;            /* per epoch */
    size_t n_metrics;
    const char *const *metric_names; /* borrowed */
    int epoch;                 /* the one running, 1-based */
    double started, drawn;     /* seconds (monotonic) */
} lt_progress;

/* Sets up P to say its lines through CTX (borrowed). metric_names
 * (n_metrics entries) are borrowed. */
void lt_progress_init(lt_progress *p, lt_ctx *ctx, int epochs, size_t batches,
                      const char *const *metric_names, size_t n_metrics);
void lt_progress_epoch(lt_progress *p, int epoch);
/* After batch DONE (1-based) with the epoch's running means so far. */
void lt_progress_batch(lt_progress *p, size_t done, double loss, const double *metrics);
/* The epoch's summary: training means, and validation values when
 * val_metrics is not NULL (val_loss is then read too). */
void lt_progress_end(lt_progress *p, double loss, const double *metrics, double val_loss,
                     const double *val_metrics);

#endif
