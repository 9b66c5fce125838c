#!/bin/sh
# Randomized and incremental PCA of Fashion-MNIST, latent against
# scikit-learn in one session, and incremental PCA's peak memory as the rows
# grow, streamed and held (see pca_solvers.py).
# usage: bench/pca_solvers.sh [RUNS [speed | memory]]   (after building into build/)
set -eu
cd "$(dirname "$0")/.."
. bench/need.sh && bench_need numpy sklearn
exec /usr/bin/python3 -u bench/pca_solvers.py build/latent "${1:-3}" ${2:-}
