#!/bin/sh
# One epoch of the lecture's recurrent autoencoder (bench/recurrent_ae.yaml:
# 55000 training images as sequences of 28 rows, validation on 5000) in
# latent and in PyTorch (bench/recurrent_ae_torch.py, same architecture,
# initialisers and settings), both on THREADS threads (PyTorch with
# OPENBLAS_NUM_THREADS=1 so its threads and OpenBLAS's don't fight). The
# runs alternate; it prints each epoch time (training plus validation, as
# both report it), the medians and their ratio. TRAIN_ROWS > 0 trains on
# that many images only, for a quicker comparison.
# usage: bench/recurrent_ae_bench.sh [RUNS] [THREADS] [TRAIN_ROWS]   (after tools/setup.sh)
set -eu
cd "$(dirname "$0")/.."
. bench/need.sh && bench_need numpy torch
runs=${1:-1}
threads=${2:-2}
rows=${3:-0}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for i in $(seq "$runs"); do
  build/latent run bench/recurrent_ae.yaml --set ae.epochs=1 --set fashion.train_rows="$rows" \
    --threads "$threads" --no-cache --out "$out/run" 2> "$out/latent.log"
  sed -n 's/^epoch 1\/1 .* batches  \([0-9.]*\) s .*/\1/p' "$out/latent.log" >> "$out/latent.times"
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/recurrent_ae_torch.py 1 "$threads" "$rows" \
    > "$out/torch.log"
  sed -n 's/.*"seconds": \([0-9.]*\),.*/\1/p' "$out/torch.log" >> "$out/torch.times"
  echo "run $i: latent $(tail -n 1 "$out/latent.times") s, pytorch $(tail -n 1 "$out/torch.times") s"
  grep '^epoch' "$out/latent.log" | sed 's/^/  latent  /'
  sed 's/^/  pytorch /' "$out/torch.log"
done
/usr/bin/python3 - "$out/latent.times" "$out/torch.times" "$threads" <<'PY'
import statistics, sys
latent, torch = ([float(v) for v in open(p).read().split()] for p in sys.argv[1:3])
ml, mt = statistics.median(latent), statistics.median(torch)
print(f"one epoch on {sys.argv[3]} threads: latent {ml:.1f} s, pytorch {mt:.1f} s "
      f"(medians of {len(latent)}); pytorch / latent = {mt / ml:.2f}x")
PY
