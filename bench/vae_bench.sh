#!/bin/sh
# One epoch of pipelines/vae_fashion.yaml's model (Geron's VAE, batch 128,
# Nadam, 55000 images) in latent and in PyTorch on the same data, run
# alternately REPEATS times: median seconds per epoch, their ratio, and
# latent's GFLOP/s against cblas_sgemm alone on the same products.
# usage: bench/vae_bench.sh [REPEATS]   (after a build in build/)
set -eu
cd "$(dirname "$0")/.."
. bench/need.sh && bench_need numpy torch
ninja -C build latent bench/vae_sgemm > /dev/null
/usr/bin/python3 bench/vae_bench.py build/latent build/bench/vae_sgemm "${1:-3}"
