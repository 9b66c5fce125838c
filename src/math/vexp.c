#include "math/vexp.h"

#include <math.h>
#include <string.h>

#if defined(LATENT_HAVE_MVEC) && defined(__x86_64__)
#include <immintrin.h>

/* _ZGVdN4v_exp (declared in vexp.h) is libmvec's AVX2 exp, part of
 * glibc's ABI (the name the vector-function ABI gives exp's 4-lane ymm
 * variant); no system header declares it without -ffast-math. */

__attribute__((target("avx2,fma"))) static void exp_avx2(double *v, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        _mm256_storeu_pd(v + i, _ZGVdN4v_exp(_mm256_loadu_pd(v + i)));
    if (i < n) {
        double pad[4] = {0, 0, 0, 0};
        memcpy(pad, v + i, (n - i) * sizeof *v);
        _mm256_storeu_pd(pad, _ZGVdN4v_exp(_mm256_loadu_pd(pad)));
        memcpy(v + i, pad, (n - i) * sizeof *v);
    }
}

static int vector_exp(void)
{
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

bool lt_exp_vector(void)
{
    return vector_exp();
}
#else
static void exp_avx2(double *v, size_t n)
{
    (void)v;
    (void)n;
}

static int vector_exp(void)
{
    return 0;
}
#endif

void lt_exp_inplace(double *v, size_t n)
{
    if (vector_exp()) {
        exp_avx2(v, n);
        return;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = exp(v[i]);
}
