#!/bin/sh
# Peak memory of a Fashion-MNIST PCA against the images' own size, latent
# against numpy + scikit-learn (see pca_memory.py).
# usage: bench/pca_memory.sh [RUNS]   (after building into build/)
set -eu
cd "$(dirname "$0")/.."
. bench/need.sh && bench_need numpy sklearn
exec /usr/bin/python3 bench/pca_memory.py build/latent "${1:-2}"
