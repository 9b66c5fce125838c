/* exp over an array, four lanes at a time where the processor allows.
 *
 * On x86-64 with AVX2 and FMA (checked at run time, once per call) the
 * values go through glibc's libmvec (_ZGVdN4v_exp: within an ulp of the
 * exact value, as libm's exp, so within two of libm's; about four times
 * libm's throughput here); elsewhere, or when the build found no libmvec, through libm's
 * exp. Every element is computed the same way wherever it sits in the
 * array (a short tail goes through the same four-lane call, padded), so a
 * result does not depend on how an array is split among threads. It may
 * differ from libm's exp in the last bit, so from numpy's, which calls
 * libm on processors without AVX-512. */
#ifndef LATENT_MATH_VEXP_H
#define LATENT_MATH_VEXP_H

#include <stddef.h>

/* v[i] = exp(v[i]) for i < n. */
void lt_exp_inplace(double *v, size_t n);

#if defined(LATENT_HAVE_MVEC) && defined(__x86_64__)
#include <immintrin.h>
#include <stdbool.h>

/* For loops that keep their values in registers (kernel.c's rbf rows): the
 * four-lane call lt_exp_inplace makes, the same bits, and whether the
 * processor runs it. The declaration carries the target, as the call's
 * argument is a ymm register (clang refuses the call otherwise). */
__attribute__((target("avx2,fma"))) __m256d _ZGVdN4v_exp(__m256d x);
bool lt_exp_vector(void);
#define LT_EXP_VECTOR 1
#endif

#endif
