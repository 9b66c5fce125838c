/* The threads a network's layers share their batch among.
 *
 * A layer that splits its batch into blocks of samples (the convolutions,
 * nn/patches.h) hands the blocks to lt_nn_parallel_for, which runs them on the
 * calling thread and up to threads - 1 workers, each taking the next block
 * not yet taken. Every block writes only its own outputs; what blocks add
 * up (a kernel's gradient) is added in block order afterwards, so the
 * numbers depend neither on the thread count nor on which thread ran what.
 *
 * Like OpenBLAS's thread count, the setting is the process's: the
 * network stages hand it the run's --threads for the time they train
 * (lt_nn_own_threads) and set it back after. Workers wait on a condition
 * variable, not spinning, so a loaded machine costs them nothing while
 * they wait. Not reentrant: one lt_nn_parallel_for at a time, from one thread. */
#ifndef LATENT_NN_PARALLEL_H
#define LATENT_NN_PARALLEL_H

#include <stdbool.h>
#include <stddef.h>

/* Uses N threads (the caller's included) from now on: starts or stops
 * workers. Returns the number in use, which is less than N (down to 1) when
 * the system refuses to start a thread. N < 1 counts as 1. */
int lt_nn_parallel_set_threads(int n);

/* The process's two thread settings: OpenBLAS's and this pool's. */
typedef struct lt_nn_threads {
    int blas, pool;
} lt_nn_threads;

/* Hands the threads from OpenBLAS to the pool: OpenBLAS on one thread, the
 * pool on THREADS, for work split among threads above the products (small
 * batches' blocks, shared batches). Returns the settings it replaced, for
 * lt_nn_restore_threads. Calls may nest. */
lt_nn_threads lt_nn_own_threads(int threads);
void lt_nn_restore_threads(lt_nn_threads before);

/* The number of threads lt_nn_parallel_for uses. */
int lt_nn_parallel_threads(void);

/* True while the calling thread runs a block of lt_nn_parallel_for: a
 * lt_nn_parallel_for called then runs all its blocks on that thread, in
 * order (a block may run a whole network's pass, whose layers would
 * otherwise share their products among the threads themselves). */
bool lt_nn_parallel_nested(void);

/* Calls task(arg, b) for every b in [0, n_blocks), spread over the threads,
 * and returns when all have returned. */
void lt_nn_parallel_for(void (*task)(void *arg, size_t block), void *arg, size_t n_blocks);

#endif
