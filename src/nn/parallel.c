#include "nn/parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#define MAX_THREADS 64

/* The pool: one job at a time, published under the lock with a new
 * generation number; every worker takes part in every generation (taking
 * blocks until none is left) and reports back before the next starts. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t start, done;
    pthread_t workers[MAX_THREADS];
    int threads;       /* the caller's included */
    unsigned long generation;
    unsigned long first;  /* the generation new workers start after */
    int busy;          /* workers still on the current generation */
    bool stopping;
    void (*task)(void *, size_t);
    void *arg;
    size_t n_blocks;
    atomic_size_t next; /* the next block anyone may take */
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER,
          .start = PTHREAD_COND_INITIALIZER,
          .done = PTHREAD_COND_INITIALIZER,
          .threads = 1};

/* Takes blocks until none is left. Blocks go to whichever thread asks
 * first, so a thread the system does not schedule for a while (a loaded
 * machine) leaves its blocks to the others instead of holding them up. */
static void take_blocks(void (*task)(void *, size_t), void *arg, size_t n_blocks)
{
    for (;;) {
        size_t b = atomic_fetch_add(&pool.next, 1);
        if (b >= n_blocks)
            return;
        task(arg, b);
    }
}

static void *worker(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&pool.lock);
    /* Not pool.generation: a job may already have been published. */
    unsigned long seen = pool.first;
    for (;;) {
        while (pool.generation == seen && !pool.stopping)
            pthread_cond_wait(&pool.start, &pool.lock);
        if (pool.stopping)
            break;
        seen = pool.generation;
        void (*task)(void *, size_t) = pool.task;
        void *arg = pool.arg;
        size_t n_blocks = pool.n_blocks;
        pthread_mutex_unlock(&pool.lock);
        take_blocks(task, arg, n_blocks);
        pthread_mutex_lock(&pool.lock);
        if (--pool.busy == 0)
            pthread_cond_signal(&pool.done);
    }
    pthread_mutex_unlock(&pool.lock);
    return NULL;
}

static void stop_workers(void)
{
    pthread_mutex_lock(&pool.lock);
    pool.stopping = true;
    pthread_cond_broadcast(&pool.start);
    pthread_mutex_unlock(&pool.lock);
    for (int i = 1; i < pool.threads; i++)
        pthread_join(pool.workers[i], NULL);
    pool.stopping = false;
    pool.threads = 1;
}

int lt_nn_parallel_set_threads(int n)
{
    n = n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : n;
    if (n == pool.threads)
        return n;
    stop_workers();
    pool.first = pool.generation; /* no job runs until this returns */
    int started = 1;
    while (started < n &&
           pthread_create(&pool.workers[started], NULL, worker, NULL) == 0)
        started++;
    pthread_mutex_lock(&pool.lock);
    pool.threads = started;
    pthread_mutex_unlock(&pool.lock);
    return started;
}

int lt_nn_parallel_threads(void)
{
    return pool.threads;
}

void lt_nn_parallel_for(void (*task)(void *arg, size_t block), void *arg, size_t n_blocks)
{
    int threads = pool.threads;
    if (threads == 1 || n_blocks < 2) {
        for (size_t b = 0; b < n_blocks; b++)
            task(arg, b);
        return;
    }
    pthread_mutex_lock(&pool.lock);
    pool.task = task;
    pool.arg = arg;
    pool.n_blocks = n_blocks;
    atomic_store(&pool.next, 0);
    pool.busy = threads - 1;
    pool.generation++;
    pthread_cond_broadcast(&pool.start);
    pthread_mutex_unlock(&pool.lock);
    take_blocks(task, arg, n_blocks);
    pthread_mutex_lock(&pool.lock);
    while (pool.busy > 0)
        pthread_cond_wait(&pool.done, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
}
