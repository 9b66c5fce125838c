/* A small pool of worker threads for data-parallel loops.
 *
 * lt_pool_for splits [0, n) into chunks that the workers (and the calling
 * thread) claim one after another. The body must write only outputs owned by
 * the items of its chunk (row i of a result, element i of a per-item partial
 * sum): then what a loop computes does not depend on which thread ran which
 * chunk, and results are identical for any number of threads. Reductions are
 * done by the caller afterwards, over the per-item partials in index order.
 *
 * The pool is meant for loops called many times over items of uneven cost
 * (t-SNE's gradient, a thousand times over points whose tree walks differ,
 * SMACOF's iterations, Dijkstra from every source): the threads are started
 * once and sleep between loops, and chunks are claimed as threads free up.
 * For a one-off loop over even items math/parallel.h's lt_parallel_for
 * (one contiguous piece per new thread) is the simpler tool. */
#ifndef LATENT_MATH_POOL_H
#define LATENT_MATH_POOL_H

#include <stddef.h>

typedef struct lt_pool lt_pool;

/* The body of a loop: handles items [begin, end) with the caller's ARG. */
typedef void (*lt_pool_fn)(void *arg, size_t begin, size_t end);

/* Returns a pool of THREADS threads in all (the caller counts as one, so
 * threads - 1 are started), or NULL when out of memory. A pool whose threads
 * could not all be started runs on those it has (at worst on the caller
 * alone): fewer threads, same results. Owned; release with lt_pool_free. */
lt_pool *lt_pool_new(int threads);

/* Runs FN over [0, n) in chunks of GRAIN items (0: picked from n and the
 * thread count) and returns when every item is done. POOL may be NULL: the
 * caller then runs the whole loop itself. Not reentrant: a body must not
 * call lt_pool_for on the same pool. */
void lt_pool_for(lt_pool *pool, size_t n, size_t grain, lt_pool_fn fn, void *arg);

/* Threads the pool runs loops on (1 for NULL). */
int lt_pool_threads(const lt_pool *pool);

/* Stops the threads and frees the pool; NULL is fine. */
void lt_pool_free(lt_pool *pool);

#endif
