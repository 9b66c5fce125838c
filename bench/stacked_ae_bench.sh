#!/bin/sh
# The stacked autoencoder (784-100-30-100-784 selu, sigmoid output, SGD 1.5,
# batch 32) on Fashion-MNIST: PyTorch against latent, seconds per epoch (wall
# and CPU), ratio, peak memory, validation loss, and latent's GFLOP/s against
# cblas_sgemm's measured speed on this machine.
# usage: bench/stacked_ae_bench.sh [EPOCHS] [REPEATS]   (after a build in build/)
set -eu
cd "$(dirname "$0")/.."
. bench/need.sh && bench_need numpy torch
ninja -C build latent bench/sgemm_peak > /dev/null
/usr/bin/python3 bench/stacked_ae_bench.py build/latent build/bench/sgemm_peak "${1:-1}" "${2:-3}"
