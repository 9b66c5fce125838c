#include "core/blas_kernels.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The processor runs OpenBLAS's SkylakeX kernels. */
static int has_avx512(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl");
#else
    return 0;
#endif
}

void lt_blas_pick_kernels(char **argv)
{
    if (getenv("OPENBLAS_CORETYPE"))
        return;
    const char *core = openblas_get_corename();
    /* Only the AVX2 families are upgraded: a core OpenBLAS knows better
     * (SkylakeX, Cooperlake, Sapphire Rapids) keeps its own choice. */
    if (!core || (strcmp(core, "Haswell") && strcmp(core, "Zen")) || !has_avx512())
        return;
    /* Set even if the restart fails, so that a child process (a sweep's
     * worker) does not try again. */
    if (setenv("OPENBLAS_CORETYPE", "SkylakeX", 1) != 0)
        return;
    execv("/proc/self/exe", argv);
}
