#!/bin/sh
# Loading Fashion-MNIST (all 70000 images, float32 in [0, 1], valid split
# from the end) as a whole process: latent against numpy reading the same
# gzip files the way Keras does. Both are bound by zlib's inflate.
# usage: bench/fashion_mnist_load.sh [RUNS]   (after tools/setup.sh)
set -eu
cd "$(dirname "$0")/.."
. bench/need.sh && bench_need numpy
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
/usr/bin/python3 bench/compare_processes.py "${1:-11}" \
  latent "build/latent run bench/fashion_mnist_load.yaml --quiet --threads 1 --out $out/run" \
  python "/usr/bin/python3 bench/fashion_mnist_load.py"
