/* Running a sweep: every point in its own run folder, resumable, optionally
 * in parallel processes, then a summary of all points (summary.json,
 * summary.csv and a plot of each varying metric against the swept values). */
#ifndef LATENT_CORE_SWEEP_RUN_H
#define LATENT_CORE_SWEEP_RUN_H

#include <stdbool.h>
#include <stdio.h>

#include "core/pipeline.h"
#include "core/run.h"

/* The folder that holds a sweep's points and summary: RUN->out_dir, else
 * outputs/<pipeline>. Owned string. */
char *lt_sweep_root(const lt_pipeline *p, const lt_run_opts *run);

/* Runs every point of FILE's sweep that is not already complete with the
 * same configuration, JOBS at a time, then writes the summary. With CHECK,
 * each point's expectations are evaluated. Returns the worst status. */
int lt_sweep_run(const char *file, const lt_load_opts *load, const lt_run_opts *run, bool check,
                 int jobs);

/* Loads each of the N points of FILE's sweep (with CHECK, runs the stages'
 * checks on each too) and prints in FORMAT every problem they have, once
 * each and in the file's order: a list with two bad values shows both.
 * Returns how many points are bad. */
size_t lt_sweep_check_points(const char *file, const lt_load_opts *load, size_t n, bool check,
                             lt_diag_format format);

/* Runs point K alone, into its folder under the sweep's root (what a Slurm
 * task does). Returns its status. */
int lt_sweep_run_point(const char *file, const lt_load_opts *load, const lt_run_opts *run, size_t k,
                       bool check);

/* Prints each point's index, folder and values. */
void lt_sweep_list(const lt_pipeline *p, FILE *out);

/* Builds the summary from the points' folders as they are. Returns LT_OK, or
 * LT_EINPUT when some point has no results yet (the summary still lists it). */
int lt_sweep_collect(const char *file, const lt_load_opts *load, const lt_run_opts *run);

#endif
