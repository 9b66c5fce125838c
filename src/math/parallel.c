#include "math/parallel.h"

#include <pthread.h>

#define MAX_THREADS 64

struct piece {
    lt_range_fn fn;
    void *arg;
    size_t lo, hi;
};

static void *run_piece(void *p)
{
    struct piece *pc = p;
    pc->fn(pc->arg, pc->lo, pc->hi);
    return NULL;
}

void lt_parallel_for(size_t n, size_t min_per_thread, int threads, lt_range_fn fn,
                     void *arg)
{
    if (n == 0)
        return;
    size_t t = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : (size_t)threads;
    if (min_per_thread > 0 && n / min_per_thread < t)
        t = n / min_per_thread ? n / min_per_thread : 1;
    if (t == 1) {
        fn(arg, 0, n);
        return;
    }
    struct piece pieces[MAX_THREADS];
    pthread_t ids[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    for (size_t i = 0; i < t; i++)
        pieces[i] = (struct piece){fn, arg, n * i / t, n * (i + 1) / t};
    /* Piece 0 runs here, the others on new threads. */
    for (size_t i = 1; i < t; i++)
        started[i] = pthread_create(&ids[i], NULL, run_piece, &pieces[i]) == 0;
    run_piece(&pieces[0]);
    for (size_t i = 1; i < t; i++) {
        if (started[i])
            pthread_join(ids[i], NULL);
        else
            run_piece(&pieces[i]);
    }
}
