#!/bin/sh
# The stacked autoencoder (784-100-30-100-784 selu, sigmoid output, SGD 1.5,
# batch 32) on Fashion-MNIST: PyTorch against latent, seconds per epoch,
# ratio, peak memory, validation loss, and latent's GFLOP/s against
# cblas_sgemm's measured speed on this machine.
# usage: bench/stacked_ae_bench.sh [EPOCHS] [REPEATS]   (after a build in build/)
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2046
cc -O2 bench/sgemm_peak.c $(pkg-config --cflags --libs openblas) -o "$tmp/sgemm_peak"
/usr/bin/python3 bench/stacked_ae_bench.py build/latent "$tmp/sgemm_peak" "${1:-1}" "${2:-3}"
