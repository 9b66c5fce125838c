#!/bin/sh
# PCA benchmark: latent vs scikit-learn (svd_solver='full') vs numpy's
# covariance + eigh route, same data, same OpenBLAS thread count.
#   bench/run_pca.sh [THREADS] [extra pca_bench.py options]
# Run from the source root; builds build/bench/pca_bench first.
set -eu
. bench/need.sh && bench_need numpy sklearn
threads=${1:-2}
[ $# -gt 0 ] && shift
[ -d build ] || meson setup build
ninja -C build bench/pca_bench
export OPENBLAS_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads"
exec /usr/bin/python3 bench/pca_bench.py --exe build/bench/pca_bench "$@"
