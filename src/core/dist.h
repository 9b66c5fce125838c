/* The processes of one run. Built with -Dmpi=enabled and started by mpirun
 * (or srun), a run is P MPI ranks; otherwise it is one process, and every
 * call here is a no-op that returns what a single process would see, so
 * stages call these unconditionally. All communication of latent goes
 * through this module.
 *
 * Every reduction is in a fixed order (rank 0's part, then rank 1's, ...),
 * so a run's numbers depend on the rank count but never on timing.
 *
 * How a stage takes part: a source whose descriptor sets .distributed has
 * its rows cut into one block per rank by the runner (lt_dist_shard: dense
 * rows copied, a stream wrapped to read only its block); a new source, such
 * as an HDF5 reader, joins by setting it. A transform or model that sets it
 * runs on every rank and calls lt_dist_rows_sum where it sums over rows;
 * every other stage runs on rank 0 after lt_dist_gather_data (run_dist.c). */
#ifndef LATENT_CORE_DIST_H
#define LATENT_CORE_DIST_H

#include <stdbool.h>
#include <stddef.h>

#include "latent/stage.h"

/* Joins the MPI job when this process was started as one of its ranks
 * (mpirun's or srun's environment); otherwise stays a single process.
 * Returns 0, or -1 after printing why MPI could not start. */
int lt_dist_init(int *argc, char ***argv);
/* Leaves the job; call once, before exit. */
void lt_dist_finalize(void);

/* This process's rank and the number of ranks: 0 and 1 without MPI, and
 * inside lt_dist_local. */
int lt_dist_rank(void);
int lt_dist_size(void);
/* Whether this build can run on several processes (-Dmpi=enabled). */
bool lt_dist_built_with_mpi(void);

/* Makes this process act alone (rank 0 of 1) while LOCAL is true: what a
 * sweep's point does when the ranks share out the points. */
void lt_dist_local(bool local);

/* Rows [*first, *first + *count) of N rows: this rank's contiguous block
 * (the first N % P ranks hold one row more). */
void lt_dist_block(size_t n, size_t *first, size_t *count);

/* Replaces V (N doubles) on every rank by the sum over the ranks, added in
 * rank order. Returns 0, or -1 when out of memory (on any rank: every rank
 * then returns -1). A rank that failed before it could sum calls it with V
 * NULL, so that the others fail too instead of waiting for it. */
int lt_dist_sum(double *v, size_t n);
/* The largest of every rank's V, on every rank: how the ranks agree on a
 * status (LT_OK < LT_MISS < LT_EINPUT < LT_ERUNTIME). */
int lt_dist_max(int v);
/* Sends BYTES bytes of rank 0's BUF to every other rank's. */
void lt_dist_bcast(void *buf, size_t bytes);

/* Rank 0 receives every rank's LOCAL (COUNT items of WIDTH doubles, or ints
 * for the _int form) one after the other in rank order, into a new array
 * of *TOTAL items owned by the caller. The other ranks get NULL and 0.
 * Returns 0, or -1 when out of memory or over MPI's size limits (on every
 * rank). */
int lt_dist_gather(const double *local, size_t count, size_t width, double **all, size_t *total);
int lt_dist_gather_f32(const float *local, size_t count, size_t width, float **all, size_t *total);
int lt_dist_gather_int(const int *local, size_t count, int **all, size_t *total);

/* Whether a collective since the last call failed on this rank only
 * because another rank had failed; clears it. Such a rank's own failure is
 * an echo, and the runner prints the first rank's that is not. */
bool lt_dist_take_failed_elsewhere(void);

/* As lt_dist_gather and lt_dist_gather_f32, but every rank receives all the rows. */
int lt_dist_allgather(const double *local, size_t count, size_t width, double **all, size_t *total);
int lt_dist_allgather_f32(const float *local, size_t count, size_t width, float **all, size_t *total);

/* Stops every rank at once with exit status CODE (after a failure that the
 * others cannot learn of in time, such as one inside a collective). */
_Noreturn void lt_dist_abort(int code);

/* ---- data values across ranks (dist_data.c) ------------------------------ */

/* Keeps only this rank's block of every split of D (dense rows are copied,
 * a stream is wrapped to read its block) and marks D as row blocks. A
 * no-op on one rank. Returns 0, or -1 when out of memory. */
int lt_dist_shard(lt_data *d);
/* Gathers a value held in row blocks to rank 0: *whole receives the
 * complete value there (owned; float64 or float32 as held, streams read in
 * full) and NULL on the other ranks. Returns 0, or -1 with the reason in
 * ERR (every rank returns -1 when one fails). */
int lt_dist_gather_data(const lt_data *d, lt_data **whole, char *err, size_t err_size);

/* Sums V (N doubles) over the ranks when D is held in row blocks; leaves it
 * as it is otherwise. The one call a stage makes where it sums over rows.
 * Returns 0 or -1 (out of memory). */
int lt_dist_rows_sum(const lt_data *d, double *v, size_t n);



/* For a stage whose input D is held in row blocks, after a step that may
 * fail on some ranks only (checks of its own rows): every rank learns
 * whether any failed. Returns RC, or a recorded failure when only another
 * rank failed. A no-op returning RC when D is whole. */
int lt_dist_check(lt_ctx *ctx, const lt_data *d, int rc);

/* Rows of X (a split of D) over all ranks: the sum of the blocks when D is
 * held in row blocks, else X's own. */
size_t lt_dist_rows(const lt_data *d, const lt_mat *x);
/* MEAN (X's cols) = the column means of X, a float64 split of D, over all
 * its rows: lt_col_means of X itself when D is whole, else the blocks'
 * column sums added in rank order over the total rows. Returns 0, or -1
 * when out of memory. */
int lt_dist_col_means(const lt_data *d, const lt_mat *x, double *mean);

#endif
