/* report.html: one self-contained page per run, and one per sweep.
 *
 * The page opens from disk with no network: style and script are inline,
 * plots are embedded as base64 data URIs. Nothing here changes a run's
 * results; a report is a view of run.json, metrics.json and the plots. */
#ifndef LATENT_CORE_REPORT_H
#define LATENT_CORE_REPORT_H

#include "io/json.h"

/* Writes the report of one run to PATH.
 *   DIR          the folder holding the run's files (the PNGs in plots/ under it);
 *                the runner passes its staging folder, so the report is
 *                committed with the rest of the run.
 *   RUN          the run.json tree: pipeline, config, stage_seconds, and
 *                "cached": {stage: bool} when present.
 *   METRICS      the metrics.json tree.
 *   EXPECTATIONS the array lt_expect_check fills ({target, measured,
 *                expected, ok}), or NULL when the run was not checked.
 * All borrowed. When RUN names the pipeline file and that file still has
 * the SHA-256 recorded in RUN, its text is shown as written too.
 * Returns 0, or -1 with errno set when PATH cannot be written. */
int lt_report_write(const char *dir, const lt_json *run, const lt_json *metrics,
                    const lt_json *expectations, const char *path);

/* What a sweep's report shows. Every pointer is borrowed. */
typedef struct lt_sweep_report {
    const char *title;       /* the pipeline's name */
    const char *description; /* may be NULL */
    /* One object per point, column name -> scalar (number, string, bool or
     * null); columns appear in the order they first appear in any row. */
    const lt_json *rows;
    /* NULL-terminated names of the swept parameters ("pca.n_components"):
     * those columns come first and are marked; may be NULL. */
    const char *const *params;
    /* The column holding each point's folder (relative to the report):
     * its cells link to FOLDER/report.html; may be NULL. */
    const char *link_column;
    /* NULL-terminated paths of PNG plots, embedded in this order and
     * captioned with their file names; may be NULL. */
    const char *const *plots;
} lt_sweep_report;

/* Writes a sweep's report (the summary as a sortable table, then the
 * plots) to PATH. Returns 0, or -1 with errno set. */
int lt_report_sweep_write(const char *path, const lt_sweep_report *report);

#endif
