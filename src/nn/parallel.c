#include "nn/parallel.h"

#include <cblas.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define MAX_THREADS 64

/* How long a waiting thread checks for its signal before it sleeps. A
 * dense layer's products at batch 32 take tens of microseconds, and a
 * sleeping thread takes as long again to wake, so a spin that outlasts the
 * caller's own work between two batches (gathering the next one) is what
 * lets two threads share them; after it, a waiting thread sleeps on a
 * condition variable and costs the machine nothing. Timed rather than
 * counted: a pause takes 11 ns on one x86 processor and several times
 * that on another. */
#define SPIN_SECONDS 1e-4
#define SPINS_PER_CLOCK 64

/* On a machine busier than its cores, a worker may lose its core while it
 * holds a block, and the caller then waits for the scheduler instead of
 * working. When a job's wait for the workers exceeds the caller's own
 * time on it by more than PREEMPTED (a scheduler's time slice is some
 * milliseconds, while blocks of unequal work leave the caller waiting tens
 * of microseconds), the next jobs run on the caller alone, first 1, then
 * twice as many after each such job in a row (up to BACKOFF_MAX), before
 * the workers are tried again. Blocks are the same either way, so this
 * changes the time only, never a number. */
#define PREEMPTED 1e-3
#define BACKOFF_MAX 4096

/* A job's blocks are claimed through one word: the job's generation and
 * the unclaimed blocks [lo, hi). The caller claims from the bottom (lo
 * up) and the workers from the top (hi down), each with a
 * compare-and-swap, which fails once the word belongs to another job; a
 * claim can succeed only while the job has blocks left, so the caller,
 * which rewrites the job's fields only after every block is done, never
 * does so under a thread that is about to run one. A worker that wakes
 * late (a loaded machine) thus never takes a block of a job that is over,
 * and the caller waits only for blocks, not for workers: never for a
 * thread that is not scheduled unless that thread holds a block.
 *
 * Why two ends: on two threads, block 0 of every job goes to the caller
 * and the last block to the worker unless one of them falls behind. A
 * job whose block b works on the same data every time (a dense layer's
 * part of its weights, nn/dense_shares.h) then keeps that data in one
 * core's caches, instead of moving it to the other core whenever the
 * worker, spinning on the word, claims block 0 first. */
#define FIELD_BITS 16
#define FIELD_MASK ((UINT64_C(1) << FIELD_BITS) - 1)

static inline uint64_t generation_of(uint64_t word)
{
    return word >> (2 * FIELD_BITS);
}

static inline size_t hi_of(uint64_t word)
{
    return (size_t)((word >> FIELD_BITS) & FIELD_MASK);
}

static inline size_t lo_of(uint64_t word)
{
    return (size_t)(word & FIELD_MASK);
}

static struct {
    pthread_mutex_t lock;
    pthread_cond_t start, done;
    pthread_t workers[MAX_THREADS];
    int threads;           /* the caller's included */
    atomic_uint_fast64_t claim; /* generation, hi, lo */
    atomic_size_t finished; /* blocks of the current job done */
    atomic_bool stopping;
    uint64_t born; /* the claim's generation when the workers were started */
    /* The current job: written before claim moves to its generation and
     * left alone until all its blocks are finished. */
    void (*task)(void *, size_t);
    void *arg;
    size_t n_blocks;
    unsigned backoff;   /* jobs to run alone after the next slow one */
    unsigned alone;     /* jobs still to run alone */
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER,
          .start = PTHREAD_COND_INITIALIZER,
          .done = PTHREAD_COND_INITIALIZER,
          .threads = 1,
          .backoff = 1};

/* True on a thread while it runs a block: a lt_nn_parallel_for called
 * from inside a block (a dense layer inside a sub-batch's whole pass,
 * nn/train.c) runs its blocks on that thread. */
static _Thread_local bool in_block;

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Runs blocks of job GEN until none is left, or the job is another's,
 * from the top or the bottom. Blocks go to whichever thread asks first,
 * so a thread the system does not schedule for a while leaves its blocks
 * to the others. */
static void take_blocks(uint64_t gen, bool top)
{
    uint64_t word = atomic_load_explicit(&pool.claim, memory_order_acquire);
    for (;;) {
        size_t lo = lo_of(word), hi = hi_of(word);
        if (generation_of(word) != gen || lo >= hi)
            return;
        /* Taking block hi - 1 lowers hi by one; taking block lo raises lo. */
        uint64_t taken = top ? word - (UINT64_C(1) << FIELD_BITS) : word + 1;
        if (!atomic_compare_exchange_weak_explicit(&pool.claim, &word, taken,
                                                   memory_order_acq_rel, memory_order_acquire))
            continue;
        /* The block is ours, so the job's fields stay put until it is done. */
        size_t n_blocks = pool.n_blocks;
        in_block = true;
        pool.task(pool.arg, top ? hi - 1 : lo);
        in_block = false;
        if (atomic_fetch_add_explicit(&pool.finished, 1, memory_order_acq_rel) + 1 == n_blocks) {
            pthread_mutex_lock(&pool.lock);
            pthread_cond_signal(&pool.done);
            pthread_mutex_unlock(&pool.lock);
        }
        word = atomic_load_explicit(&pool.claim, memory_order_acquire);
    }
}

/* Waits until a job after generation SEEN is published, or the pool stops;
 * returns the generation of the claim word then. */
static uint64_t wait_for_job(uint64_t seen)
{
    for (double until = seconds() + SPIN_SECONDS; seconds() < until;)
        for (int i = 0; i < SPINS_PER_CLOCK; i++) {
            uint64_t g = generation_of(atomic_load_explicit(&pool.claim, memory_order_acquire));
            if (g != seen || atomic_load(&pool.stopping))
                return g;
            relax();
        }
    pthread_mutex_lock(&pool.lock);
    while (generation_of(atomic_load(&pool.claim)) == seen && !atomic_load(&pool.stopping))
        pthread_cond_wait(&pool.start, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
    return generation_of(atomic_load_explicit(&pool.claim, memory_order_acquire));
}

static void *worker(void *unused)
{
    (void)unused;
    /* The generation before the first job this worker is to take: written
     * before the thread was created, not read here from the claim, for the
     * thread may first run after lt_nn_parallel_set_threads has returned
     * and the next job has been published, which it would then take for
     * one already seen and leave to the caller alone. */
    uint64_t seen = pool.born;
    for (;;) {
        seen = wait_for_job(seen);
        if (atomic_load(&pool.stopping))
            break;
        take_blocks(seen, true);
    }
    return NULL;
}

static void stop_workers(void)
{
    pthread_mutex_lock(&pool.lock);
    atomic_store(&pool.stopping, true);
    pthread_cond_broadcast(&pool.start);
    pthread_mutex_unlock(&pool.lock);
    for (int i = 1; i < pool.threads; i++)
        pthread_join(pool.workers[i], NULL);
    atomic_store(&pool.stopping, false);
    pool.threads = 1;
}

int lt_nn_parallel_set_threads(int n)
{
    n = n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : n;
    if (n == pool.threads)
        return n;
    stop_workers();
    /* pthread_create orders this before the workers' first read. */
    pool.born = generation_of(atomic_load(&pool.claim));
    int started = 1;
    while (started < n && pthread_create(&pool.workers[started], NULL, worker, NULL) == 0)
        started++;
    pool.threads = started;
    return started;
}

int lt_nn_parallel_threads(void)
{
    return pool.threads;
}

bool lt_nn_parallel_nested(void)
{
    return in_block;
}

void lt_nn_parallel_for(void (*task)(void *arg, size_t block), void *arg, size_t n_blocks)
{
    if (in_block) {
        for (size_t b = 0; b < n_blocks; b++)
            task(arg, b);
        return;
    }
    if (pool.threads == 1 || n_blocks < 2 || n_blocks > FIELD_MASK || pool.alone) {
        if (pool.alone)
            pool.alone--;
        /* Nested calls see the same flag whichever way the blocks run, so
         * that they compute the same products. */
        in_block = true;
        for (size_t b = 0; b < n_blocks; b++)
            task(arg, b);
        in_block = false;
        return;
    }
    pool.task = task;
    pool.arg = arg;
    pool.n_blocks = n_blocks;
    atomic_store_explicit(&pool.finished, 0, memory_order_relaxed);
    uint64_t gen = generation_of(atomic_load(&pool.claim)) + 1;
    /* Under the lock, so that a worker about to sleep either sees the new
     * generation or is woken by the broadcast. */
    pthread_mutex_lock(&pool.lock);
    atomic_store_explicit(&pool.claim, gen << (2 * FIELD_BITS) | (uint64_t)n_blocks << FIELD_BITS,
                          memory_order_release);
    pthread_cond_broadcast(&pool.start);
    pthread_mutex_unlock(&pool.lock);
    double t0 = seconds();
    take_blocks(gen, false);
    double t1 = seconds();
    for (double until = t1 + SPIN_SECONDS;
         atomic_load(&pool.finished) < n_blocks && seconds() < until;)
        for (int i = 0; i < SPINS_PER_CLOCK && atomic_load(&pool.finished) < n_blocks; i++)
            relax();
    if (atomic_load(&pool.finished) < n_blocks) {
        pthread_mutex_lock(&pool.lock);
        while (atomic_load(&pool.finished) < n_blocks)
            pthread_cond_wait(&pool.done, &pool.lock);
        pthread_mutex_unlock(&pool.lock);
    }
    if (seconds() - t1 > t1 - t0 + PREEMPTED) {
        pool.alone = pool.backoff;
        pool.backoff = pool.backoff < BACKOFF_MAX ? 2 * pool.backoff : BACKOFF_MAX;
    } else {
        pool.backoff = 1;
    }
}

lt_nn_threads lt_nn_own_threads(int threads)
{
    lt_nn_threads before = {openblas_get_num_threads(), lt_nn_parallel_threads()};
    openblas_set_num_threads(1);
    lt_nn_parallel_set_threads(threads);
    return before;
}

void lt_nn_restore_threads(lt_nn_threads before)
{
    lt_nn_parallel_set_threads(before.pool);
    openblas_set_num_threads(before.blas);
}
