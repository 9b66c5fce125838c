/* Which OpenBLAS kernels the process runs.
 *
 * Debian's OpenBLAS (0.3.21, DYNAMIC_ARCH) picks its kernels when it loads,
 * from the processor's model number. It does not know AMD's Zen 4 and
 * Zen 5, which have AVX-512, and gives them its AVX2 (Haswell) kernels:
 * sgemm then runs at about 0.6x of what the same core does with the
 * AVX-512 (SkylakeX) kernels. The choice can only be changed before the
 * library loads, through OPENBLAS_CORETYPE, so latent sets it and starts
 * itself again once, at the top of main. A user's own OPENBLAS_CORETYPE
 * is left as it is. */
#ifndef LATENT_CORE_BLAS_KERNELS_H
#define LATENT_CORE_BLAS_KERNELS_H

/* When OpenBLAS runs AVX2 kernels on a processor with AVX-512 (F, DQ, CD,
 * BW, VL: what the SkylakeX kernels use) and OPENBLAS_CORETYPE is unset,
 * sets OPENBLAS_CORETYPE=SkylakeX and replaces the process by a fresh
 * start of the same program with ARGV. Returns only when it does not (no
 * need, or the restart failed: then the process goes on as it was). */
void lt_blas_pick_kernels(char **argv);

#endif
