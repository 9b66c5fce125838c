/* A parallel loop over an index range for the elementwise work BLAS does
 * not do (kernel functions, centring): the range is cut into one contiguous
 * piece per thread and each piece runs on its own POSIX thread.
 *
 * Results do not depend on the number of threads as long as FN computes
 * each index independently of the others, which is how every caller here
 * uses it. FN must not call BLAS (OpenBLAS runs its own threads). */
#ifndef LATENT_MATH_PARALLEL_H
#define LATENT_MATH_PARALLEL_H

#include <stddef.h>

/* Handles indices [lo, hi) of the range. */
typedef void (*lt_range_fn)(void *arg, size_t lo, size_t hi);

/* Runs FN over [0, n) in up to THREADS pieces (threads < 1 counts as 1).
 * Small ranges (under MIN_PER_THREAD indices a piece) use fewer threads.
 * When a thread cannot be started its piece runs in the caller, so this
 * never fails. */
void lt_parallel_for(size_t n, size_t min_per_thread, int threads, lt_range_fn fn,
                     void *arg);

#endif
