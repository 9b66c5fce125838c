#!/bin/sh
# One epoch (training on 55000 Fashion-MNIST images, then validation on
# 5000) of the lecture's Gaussian denoising autoencoder: latent against
# PyTorch on the same data and settings, both with THREADS threads (default
# 2; PyTorch with OPENBLAS_NUM_THREADS=1 so its threads don't fight
# OpenBLAS's). Runs them alternately RUNS times and prints the median epoch
# time of each and the ratio. Times are the epoch's alone: loading and
# start-up excluded. On a busy machine PyTorch's OpenMP threads spin and wait
# for each other: the script prints the load average first, and the timings
# mean little unless it is well below the core count.
# usage: bench/denoising_bench.sh [RUNS] [THREADS]   (after meson setup build && ninja -C build)
set -eu
cd "$(dirname "$0")/.."
. bench/need.sh && bench_need numpy torch
runs=${1:-3}
threads=${2:-2}
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $threads threads each"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
: > "$out/latent"
: > "$out/torch"
i=0
while [ "$i" -lt "$runs" ]; do
  build/latent run bench/denoising_epoch.yaml --threads "$threads" --no-cache --out "$out/run" \
    2> "$out/log" > /dev/null
  line=$(grep '^epoch 1/1' "$out/log")
  echo "latent:  $line"
  echo "$line" | awk '{print $5}' >> "$out/latent"
  rm -rf "$out/run"
  line=$(OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/denoising_torch.py "$threads")
  echo "pytorch: $line s"
  echo "$line" | awk '{print $1}' >> "$out/torch"
  i=$((i + 1))
done
/usr/bin/python3 - "$out/latent" "$out/torch" <<'PY'
import statistics, sys
latent, torch = ([float(v) for v in open(p)] for p in sys.argv[1:3])
l, t = statistics.median(latent), statistics.median(torch)
print(f"median epoch: latent {l:.2f} s, pytorch {t:.2f} s over {len(latent)} runs; "
      f"pytorch / latent = {t / l:.2f}x")
PY
