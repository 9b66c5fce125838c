/* A sweep as a Slurm job array: a batch script whose array task K runs
 * point K, with absolute paths so that it runs from any folder and node. */
#ifndef LATENT_CORE_SWEEP_SLURM_H
#define LATENT_CORE_SWEEP_SLURM_H

#include "core/pipeline.h"
#include "core/run.h"

/* What `latent sweep --emit slurm` passes on to sbatch. */
typedef struct lt_slurm_opts {
    int array_limit;       /* --array-limit N: at most N tasks at once (%N); 0: no limit */
    int cpus_per_task;     /* --cpus-per-task; 0: --threads, else 1 */
    const char *partition; /* --partition, --time, --mem: NULL leaves Slurm's default */
    const char *time;
    const char *mem;
} lt_slurm_opts;

/* Checks a --partition / --time / --mem value: NULL when it is fine, else
 * what it should look like (a static string). */
const char *lt_slurm_check_value(const char *option, const char *value);

/* Writes the job-array script for FILE's sweep to <sweep root>/slurm/sweep.sbatch
 * (the folder Slurm's per-task logs go to, made here since sbatch does not
 * make it), then prints the sbatch and --collect commands to type. LOAD's
 * --set overrides and RUN's --out and --threads go into every task's command.
 * Every point is loaded first, as a local sweep does: a bad value is found
 * here, not by the array's tasks. Returns LT_OK, LT_EINPUT (a bad point;
 * nothing written) or LT_ERUNTIME, after printing why. */
int lt_sweep_emit_slurm(const char *file, const lt_pipeline *p, const lt_load_opts *load,
                        const lt_run_opts *run, const lt_slurm_opts *slurm);

#endif
