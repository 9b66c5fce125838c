#include "core/dist.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef LATENT_MPI
#include <mpi.h>
#endif

static int world_rank, world_size = 1;
static bool mpi_up, local_only;
static bool failed_elsewhere; /* a collective failed because another rank did */

bool lt_dist_built_with_mpi(void)
{
#ifdef LATENT_MPI
    return true;
#else
    return false;
#endif
}

/* Whether a launcher (mpirun, or srun with --mpi=pmix or pmi2) told this
 * process how to join an MPI job. */
static bool launched_as_rank(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_SIZE");
}

/* Several processes started for one run that cannot become its ranks (srun
 * without MPI support, or any launcher and a build without MPI) would be
 * separate runs of the whole pipeline into one folder: one wins, the others
 * fail, and nothing is distributed. Returns -1 after saying so. */
static int refuse_lone_tasks(void)
{
    const char *tasks = getenv("SLURM_STEP_NUM_TASKS"), *ompi = getenv("OMPI_COMM_WORLD_SIZE");
    const char *pmi = getenv("PMI_SIZE");
    long n = tasks ? atol(tasks) : 0, m = ompi ? atol(ompi) : pmi ? atol(pmi) : 0;
    if (lt_dist_built_with_mpi() ? launched_as_rank() || n <= 1 : (n <= 1 && m <= 1))
        return 0;
    if (lt_dist_built_with_mpi())
        fprintf(stderr, "latent: srun started %ld tasks without MPI, so they cannot be the ranks of "
                        "one run; use srun --mpi=pmix (or mpirun), or one task\n", n);
    else
        fprintf(stderr, "latent: started as %ld processes, but this latent is built without MPI; "
                        "build it with meson setup -Dmpi=enabled, or start one process\n", n > m ? n : m);
    return -1;
}

int lt_dist_init(int *argc, char ***argv)
{
    if (refuse_lone_tasks() != 0)
        return -1;
#ifdef LATENT_MPI
    /* Only a process that a launcher started as a rank joins: MPI_Init in a
     * plain `latent run` would make Open MPI start a singleton runtime. */
    if (!launched_as_rank())
        return 0;
    if (MPI_Init(argc, argv) != MPI_SUCCESS) {
        fprintf(stderr, "latent: MPI_Init failed\n");
        return -1;
    }
    mpi_up = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &world_size);
#else
    (void)argc;
    (void)argv;
#endif
    return 0;
}

void lt_dist_finalize(void)
{
#ifdef LATENT_MPI
    if (mpi_up)
        MPI_Finalize();
#endif
    mpi_up = false;
}

int lt_dist_rank(void) { return local_only ? 0 : world_rank; }
int lt_dist_size(void) { return local_only ? 1 : world_size; }
void lt_dist_local(bool local) { local_only = local; }

void lt_dist_block(size_t n, size_t *first, size_t *count)
{
    size_t p = (size_t)lt_dist_size(), r = (size_t)lt_dist_rank();
    size_t base = n / p, extra = n % p;
    *first = r * base + (r < extra ? r : extra);
    *count = base + (r < extra ? 1 : 0);
}

#ifdef LATENT_MPI
static bool distributed(void) { return mpi_up && !local_only && world_size > 1; }
#endif
static bool all_ok_any(bool ok);
static int gather_bytes(const void *local, size_t count, size_t width, size_t size, void **all,
                        size_t *total);

int lt_dist_max(int v)
{
#ifdef LATENT_MPI
    if (distributed()) {
        int out = v;
        MPI_Allreduce(&v, &out, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        return out;
    }
#endif
    return v;
}

/* Every rank learns whether all of them could go on (ok on each). */
static bool all_ok_any(bool ok)
{
    bool all = lt_dist_max(ok ? 0 : 1) == 0;
    failed_elsewhere |= ok && !all;
    return all;
}
#ifdef LATENT_MPI
static bool all_ok(bool ok) { return all_ok_any(ok); }
#endif

int lt_dist_sum(double *v, size_t n)
{
#ifdef LATENT_MPI
    if (!distributed())
        return 0;
    /* MPI_Allreduce may add in any order (and Open MPI's order depends on
     * the message sizes); gathering the parts and adding them in rank order
     * on rank 0 gives the same bits every time. */
    double *parts = NULL;
    bool ok = v && n <= (size_t)INT_MAX / (size_t)world_size; /* v NULL: this rank failed */
    if (ok && world_rank == 0)
        ok = (parts = malloc(n * (size_t)world_size * sizeof *parts)) != NULL;
    if (!all_ok(ok)) {
        free(parts);
        return -1;
    }
    MPI_Gather(v, (int)n, MPI_DOUBLE, parts, (int)n, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (world_rank == 0)
        for (size_t i = 0; i < n; i++) {
            double s = parts[i];
            for (int r = 1; r < world_size; r++)
                s += parts[(size_t)r * n + i];
            v[i] = s;
        }
    free(parts);
    MPI_Bcast(v, (int)n, MPI_DOUBLE, 0, MPI_COMM_WORLD);
#else
    (void)v;
    (void)n;
#endif
    return 0;
}

void lt_dist_bcast(void *buf, size_t bytes)
{
#ifdef LATENT_MPI
    for (size_t done = 0; distributed() && done < bytes;) {
        size_t chunk = bytes - done < (size_t)INT_MAX ? bytes - done : (size_t)INT_MAX;
        MPI_Bcast((char *)buf + done, (int)chunk, MPI_BYTE, 0, MPI_COMM_WORLD);
        done += chunk;
    }
#else
    (void)buf;
    (void)bytes;
#endif
}

/* The gathers share one body: items of SIZE bytes, WIDTH per row. */
static int gather_bytes(const void *local, size_t count, size_t width, size_t size, void **all,
                        size_t *total)
{
    *all = NULL;
    *total = 0;
#ifdef LATENT_MPI
    if (distributed()) {
        unsigned long long mine = count, *counts = NULL;
        bool ok = world_rank != 0 || (counts = malloc((size_t)world_size * sizeof *counts));
        if (!all_ok(ok))
            return -1;
        MPI_Gather(&mine, 1, MPI_UNSIGNED_LONG_LONG, counts, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
        int *bytes = NULL, *displs = NULL;
        size_t rows = 0;
        ok = true;
        if (world_rank == 0) {
            bytes = malloc((size_t)world_size * sizeof *bytes);
            displs = malloc((size_t)world_size * sizeof *displs);
            ok = bytes && displs;
            for (int r = 0; ok && r < world_size; r++) {
                size_t b = (size_t)counts[r] * width * size, at = rows * width * size;
                ok = b <= (size_t)INT_MAX && at <= (size_t)INT_MAX;
                bytes[r] = (int)b;
                displs[r] = (int)at;
                rows += (size_t)counts[r];
            }
            if (ok)
                ok = (*all = malloc(rows * width * size + 1)) != NULL;
        }
        free(counts);
        ok = ok && count * width * size <= (size_t)INT_MAX;
        if (!all_ok(ok)) {
            free(bytes);
            free(displs);
            free(*all);
            *all = NULL;
            return -1;
        }
        MPI_Gatherv(local, (int)(count * width * size), MPI_BYTE, *all, bytes, displs, MPI_BYTE, 0,
                    MPI_COMM_WORLD);
        free(bytes);
        free(displs);
        *total = world_rank == 0 ? rows : 0;
        return 0;
    }
#endif
    /* One process: a copy, so the caller owns the result either way. */
    if (!(*all = malloc(count * width * size + 1)))
        return -1;
    if (count)
        memcpy(*all, local, count * width * size);
    *total = count;
    return 0;
}

int lt_dist_gather(const double *local, size_t count, size_t width, double **all, size_t *total)
{
    void *p;
    int rc = gather_bytes(local, count, width, sizeof(double), &p, total);
    *all = p;
    return rc;
}

int lt_dist_gather_f32(const float *local, size_t count, size_t width, float **all, size_t *total)
{
    void *p;
    int rc = gather_bytes(local, count, width, sizeof(float), &p, total);
    *all = p;
    return rc;
}

int lt_dist_gather_int(const int *local, size_t count, int **all, size_t *total)
{
    void *p;
    int rc = gather_bytes(local, count, 1, sizeof(int), &p, total);
    *all = p;
    return rc;
}

/* Every rank receives what gather_bytes gives rank 0. */
static int allgather_bytes(const void *local, size_t count, size_t width, size_t size, void **all,
                           size_t *total)
{
    if (gather_bytes(local, count, width, size, all, total) != 0)
        return -1;
    unsigned long long n = *total;
    lt_dist_bcast(&n, sizeof n);
    if (lt_dist_rank() != 0)
        *all = malloc((size_t)n * width * size + 1);
    if (!all_ok_any(*all != NULL)) {
        free(*all);
        *all = NULL;
        return -1;
    }
    lt_dist_bcast(*all, (size_t)n * width * size);
    *total = (size_t)n;
    return 0;
}

int lt_dist_allgather_f32(const float *local, size_t count, size_t width, float **all, size_t *total)
{
    void *p;
    int rc = allgather_bytes(local, count, width, sizeof(float), &p, total);
    *all = p;
    return rc;
}

int lt_dist_allgather(const double *local, size_t count, size_t width, double **all, size_t *total)
{
    void *p;
    int rc = allgather_bytes(local, count, width, sizeof(double), &p, total);
    *all = p;
    return rc;
}

bool lt_dist_take_failed_elsewhere(void)
{
    bool was = failed_elsewhere;
    failed_elsewhere = false;
    return was;
}

_Noreturn void lt_dist_abort(int code)
{
    fflush(stdout);
    fflush(stderr);
#ifdef LATENT_MPI
    if (mpi_up)
        MPI_Abort(MPI_COMM_WORLD, code);
#endif
    exit(code);
}
