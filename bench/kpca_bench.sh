#!/bin/sh
# Kernel PCA (rbf, 2 components) of 5000 swiss-roll points, latent against
# scikit-learn in one session: median times and the ratio (see kpca_bench.py).
# usage: bench/kpca_bench.sh [RUNS]   (after building into build/)
set -eu
cd "$(dirname "$0")/.."
. bench/need.sh && bench_need numpy sklearn
exec /usr/bin/python3 bench/kpca_bench.py build/latent "${1:-7}"
