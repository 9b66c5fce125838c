#!/bin/sh
# Scaling over MPI ranks on this machine: PCA of Fashion-MNIST (incremental,
# covariance and randomized solvers) and one autoencoder epoch, each as 1 rank x 1 thread, 1 rank x 2
# threads and 2 ranks x 1 thread. Prints the stage's wall time (run.json),
# the speed-up over 1 x 1 and the efficiency (speed-up / cores used).
# usage: bench/mpi_scaling.sh [BUILD_DIR]   (default build-mpi, configured
# -Dmpi=enabled here when missing; needs tools/setup.sh --mpi)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build-mpi}
[ -d "$build" ] || meson setup "$build" -Dmpi=enabled > /dev/null
ninja -C "$build" > /dev/null
latent=$(realpath "$build/latent")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The seconds stage $2 took in run folder $1.
stage_seconds() {
  sed -n "/\"stage_seconds\"/,/}/s/^ *\"$2\": \([0-9.e+-]*\),\{0,1\}$/\1/p" "$1/run.json"
}

printf '%-34s %-14s %9s %9s %11s\n' "work" "layout" "seconds" "speed-up" "efficiency"
for job in "mpi_ipca:pca:incremental PCA 55000 x 784" "mpi_pca:pca:covariance PCA 55000 x 784" \
           "mpi_rpca:pca:randomized PCA 55000 x 784" \
           "mpi_ae_epoch:ae:AE epoch, 20000 images"; do
  file=bench/${job%%:*}.yaml rest=${job#*:}
  stage=${rest%%:*} what=${rest#*:}
  base=
  for layout in 1x1 1x2 2x1; do
    ranks=${layout%x*} threads=${layout#*x}
    out=$tmp/$stage.$layout
    if [ "$ranks" -eq 1 ]; then
      "$latent" run "$file" --threads "$threads" --no-cache --quiet --out "$out"
    else
      mpirun --oversubscribe -n "$ranks" "$latent" run "$file" --threads "$threads" --no-cache --quiet --out "$out"
    fi
    s=$(stage_seconds "$out" "$stage")
    [ -n "$base" ] || base=$s
    cores=$((ranks * threads))
    awk -v w="$what" -v l="$ranks rank x $threads" -v s="$s" -v b="$base" -v c="$cores" \
      'BEGIN { printf "%-34s %-14s %9.2f %8.2fx %10.0f%%\n", w, l, s, b / s, 100 * b / s / c }'
  done
done
