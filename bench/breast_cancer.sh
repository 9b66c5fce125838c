#!/bin/sh
# The whole breast-cancer run as a process, latent (plots included) against
# the lecture's Python cell: median wall time, peak memory, ratio.
# usage: bench/breast_cancer.sh [RUNS]   (after tools/setup.sh)
set -eu
cd "$(dirname "$0")/.."
. bench/need.sh && bench_need numpy sklearn
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
/usr/bin/python3 bench/compare_processes.py "${1:-21}" \
  latent "build/latent run pipelines/breast_cancer.yaml --quiet --threads 1 --out $out/run" \
  python "/usr/bin/python3 bench/lecture_breast_cancer.py"
