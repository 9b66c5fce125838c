#!/bin/sh
# The lecture's convolutional autoencoder, one epoch in latent and in
# PyTorch on the same data: per-epoch time and ratio, the FLOPs of an epoch
# and latent's time against cblas_sgemm's measured speed on the layers'
# product shapes (bench/conv_sgemm_peak.c).
# usage: bench/conv_ae_bench.sh [REPEATS] [--full]   (after meson setup build && ninja -C build)
#   --full also trains the lecture's 5 epochs once and prints val_loss.
set -eu
cd "$(dirname "$0")/.."
. bench/need.sh && bench_need numpy torch
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 bench/conv_sgemm_peak.c $(pkg-config --cflags --libs openblas) -o "$tmp/conv_sgemm_peak"
/usr/bin/python3 bench/conv_ae_bench.py build/latent "$tmp/conv_sgemm_peak" "$@"
