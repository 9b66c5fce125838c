#include "math/pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct lt_pool {
    pthread_mutex_t lock;
    pthread_cond_t work;  /* a new loop was posted, or stop */
    pthread_cond_t done;  /* the last busy worker left the current loop */
    pthread_t *threads;
    int n_started;        /* worker threads running (the caller is extra) */

    /* The current loop; guarded by lock. */
    unsigned long generation; /* bumped for each loop */
    lt_pool_fn fn;
    void *arg;
    size_t n, grain, next; /* items, chunk size, first unclaimed item */
    int busy;              /* workers still inside the current loop */
    bool stop;
};

/* Claims and runs chunks until none is left. Called with lock held; returns
 * with it held. */
static void drain(lt_pool *p)
{
    while (p->next < p->n) {
        size_t begin = p->next;
        size_t end = begin + p->grain < p->n ? begin + p->grain : p->n;
        p->next = end;
        lt_pool_fn fn = p->fn;
        void *arg = p->arg;
        pthread_mutex_unlock(&p->lock);
        fn(arg, begin, end);
        pthread_mutex_lock(&p->lock);
    }
}

static void *worker(void *self)
{
    lt_pool *p = self;
    unsigned long seen = 0;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->stop && p->generation == seen)
            pthread_cond_wait(&p->work, &p->lock);
        if (p->stop)
            break;
        seen = p->generation;
        p->busy++;
        drain(p);
        if (--p->busy == 0)
            pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

lt_pool *lt_pool_new(int threads)
{
    lt_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    if (pthread_mutex_init(&p->lock, NULL) != 0) {
        free(p);
        return NULL;
    }
    if (pthread_cond_init(&p->work, NULL) != 0) {
        pthread_mutex_destroy(&p->lock);
        free(p);
        return NULL;
    }
    if (pthread_cond_init(&p->done, NULL) != 0) {
        pthread_cond_destroy(&p->work);
        pthread_mutex_destroy(&p->lock);
        free(p);
        return NULL;
    }
    int want = threads > 1 ? threads - 1 : 0;
    if (want && (p->threads = malloc((size_t)want * sizeof *p->threads)))
        while (p->n_started < want &&
               pthread_create(&p->threads[p->n_started], NULL, worker, p) == 0)
            p->n_started++;
    return p;
}

int lt_pool_threads(const lt_pool *pool)
{
    return pool ? pool->n_started + 1 : 1;
}

void lt_pool_for(lt_pool *pool, size_t n, size_t grain, lt_pool_fn fn, void *arg)
{
    if (n == 0)
        return;
    int threads = lt_pool_threads(pool);
    if (grain == 0) {
        /* About 8 chunks per thread: enough to even out uneven items
         * without paying the lock for every few of them. */
        grain = n / ((size_t)threads * 8);
        if (grain == 0)
            grain = 1;
    }
    if (threads == 1) {
        fn(arg, 0, n);
        return;
    }
    pthread_mutex_lock(&pool->lock);
    pool->fn = fn;
    pool->arg = arg;
    pool->n = n;
    pool->grain = grain;
    pool->next = 0;
    pool->generation++;
    pthread_cond_broadcast(&pool->work);
    drain(pool);
    /* Workers that woke late find nothing left and leave at once; wait for
     * those still running a chunk. */
    while (pool->busy > 0)
        pthread_cond_wait(&pool->done, &pool->lock);
    pool->n = 0;
    pool->next = 0;
    pthread_mutex_unlock(&pool->lock);
}

void lt_pool_free(lt_pool *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->stop = true;
    pthread_cond_broadcast(&pool->work);
    pthread_mutex_unlock(&pool->lock);
    for (int i = 0; i < pool->n_started; i++)
        pthread_join(pool->threads[i], NULL);
    free(pool->threads);
    pthread_cond_destroy(&pool->done);
    pthread_cond_destroy(&pool->work);
    pthread_mutex_destroy(&pool->lock);
    free(pool);
}
