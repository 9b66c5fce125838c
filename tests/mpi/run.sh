#!/bin/sh
# latent on several MPI ranks (Open MPI, a build configured -Dmpi=enabled):
# every distributed stage's metrics at 2 and 3 ranks against the one-rank
# run's, sources cut into blocks (CSV, streamed NPY, Fashion-MNIST), the
# stages that run on rank 0 listed in run.json, bad data stopping every
# rank with exit 2 and no outputs, and a sweep shared out over the ranks;
# pca's randomized and full solvers and their projections; srun's tasks
# refused without MPI and, in a private Slurm, joined as ranks by PMIx.
# usage: tests/mpi/run.sh [BUILD_DIR]   (default build-mpi, configured here
# when missing; tools/setup.sh --mpi installs Open MPI)
set -u
cd "$(dirname "$0")/../.."
build=${1:-build-mpi}
command -v mpirun > /dev/null || { echo "SKIP: no mpirun (tools/setup.sh --mpi installs Open MPI)"; exit 77; }
if [ ! -d "$build" ]; then
  meson setup "$build" -Dmpi=enabled > /dev/null || { echo "FAIL: meson setup -Dmpi=enabled"; exit 1; }
fi
ninja -C "$build" > /dev/null || { echo "FAIL: the MPI build does not build"; exit 1; }
latent=$(realpath "$build/latent")
"$latent" --version | grep -q '(MPI)' || { echo "FAIL: $build is not configured -Dmpi=enabled"; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Open MPI's shared-memory transport wants to know it may oversubscribe.
export OMPI_MCA_rmaps_base_oversubscribe=1
tmp=$(mktemp -d)
. tests/slurm/cluster.sh # slurm_start, for srun as the launcher
trap 'slurm_stop; rm -rf "$tmp"' EXIT
export LATENT_CACHE_DIR="$tmp/cache"
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
here=tests/mpi
mpi() { n=$1; shift; timeout 120 mpirun --oversubscribe -n "$n" "$latent" "$@"; }

# Every pipeline at 1, 2 and 3 ranks, one thread each; TOL is the rtol and
# atol its metrics must keep to the one-rank run's.
# logreg after 50 L-BFGS steps (fmnist) and a network trained in float32
# (autoencoder, vae) amplify the order of the sums: there the bound is
# looser (the vae's own losses keep to 1e-7; its logreg on the codings
# after 30 steps to 1e-5). PCA's randomized and full solvers keep to
# ~1e-13 (randomized PCA's total variance, one long sum, moves most).
for case in table:1e-12 npy_stream:1e-12 fmnist:1e-9 autoencoder:1e-4 vae:1e-4 impute:1e-12 \
            randomized:1e-12 full:1e-12; do
  name=${case%%:*} tol=${case#*:}
  "$latent" run "$here/$name.yaml" --threads 1 --quiet --out "$tmp/$name.plain" || bad "$name: the plain run failed"
  for n in 1 2 3; do
    mpi "$n" run "$here/$name.yaml" --threads 1 --quiet --out "$tmp/$name.$n" || bad "$name: $n ranks failed"
  done
  # One rank is a plain run, to the bit.
  "$latent" diff "$tmp/$name.plain" "$tmp/$name.1" > /dev/null && ok || bad "$name: 1 rank differs from a plain run"
  for n in 2 3; do
    "$latent" diff "$tmp/$name.1" "$tmp/$name.$n" --rtol "$tol" --atol "$tol" > "$tmp/diff" && ok ||
      { bad "$name: $n ranks differ from 1 beyond $tol:"; grep changed "$tmp/diff"; }
    grep -q "\"ranks\": $n" "$tmp/$name.$n/run.json" && ok || bad "$name: run.json does not say $n ranks"
  done
  # Not everything may be equal to the bit, or nothing was summed over ranks.
  "$latent" diff "$tmp/$name.1" "$tmp/$name.3" > /dev/null && bad "$name: 3 ranks equal 1 to the bit" || ok
done
grep -q '"gathered_to_rank_0": \["stats", "view"\]' "$tmp/table.3/run.json" && ok ||
  bad "run.json does not list stats and view as run on rank 0: $(grep -A2 gathered "$tmp/table.3/run.json")"
[ -f "$tmp/table.3/plots/view.png" ] && ok || bad "the plot that ran on rank 0 is missing"
[ -z "$(ls -d /tmp/latent-rank-* 2>/dev/null)" ] && ok || bad "the other ranks left their temporary folders"
# The ranks' losses follow the one-rank run's to float rounding, and the
# 3-rank run did train on every row (the same number of batches' worth).
grep -q '"ranks": 3' "$tmp/autoencoder.3/run.json" && ok || bad "the autoencoder did not run on 3 ranks"
# impute's median and most frequent value are fitted on rank 0 from the
# gathered rows: equal to the bit (the mean, summed over the ranks, is not).
"$latent" diff "$tmp/impute.1" "$tmp/impute.3" > "$tmp/diff"
changed=$(grep -E '^(median|frequent|constant)\.' "$tmp/diff" | grep -v ' same$')
[ -z "$changed" ] && ok || bad "impute at 3 ranks: median/most_frequent differ from 1 rank: $changed"
grep -q '^mean\.statistics.* changed$' "$tmp/diff" && ok || bad "impute's mean at 3 ranks equals 1 rank's to the bit"
# The rounded column's most frequent value is 1 (38 of 101 rows).
grep -A1 '"frequent": {' "$tmp/impute.3/metrics.json" | grep -q ', 1\],$' && ok ||
  bad "impute at 3 ranks: most_frequent of the rounded column is not 1"
# The vae's samples are the same images on every rank: plotted on rank 0.
[ -f "$tmp/vae.3/plots/samples.png" ] && ok || bad "the vae's samples plot is missing at 3 ranks"

# PCA's projections (each rank's rows from its own copy of the model,
# gathered to rank 0 by export; randomized PCA's are its U S) to 1e-12.
close() { # A.csv B.csv TOL: same shape, every number within TOL (1 + |a|)
  [ "$(wc -l < "$1")" -eq "$(wc -l < "$2")" ] &&
    awk -F, -v tol="$3" 'NR == FNR { a[FNR] = $0; next }
      { n = split(a[FNR], x, ","); if (n != NF) bad = 1
        for (i = 1; i <= NF; i++) { d = x[i] - $i; m = x[i] < 0 ? -x[i] : x[i]
          if ((d < 0 ? -d : d) > tol * (1 + m)) bad = 1 } }
      END { exit bad }' "$1" "$2"
}
for n in 2 3; do
  for rows in randomized/rows randomized/wide_rows full/rows full/wide_rows; do
    name=${rows%/*} rows=${rows#*/}
    close "$tmp/$name.1/$rows.train.csv" "$tmp/$name.$n/$rows.train.csv" 1e-12 && ok ||
      bad "$name PCA's projection ($rows) at $n ranks differs from 1 rank's"
  done
done
grep -q '"solver": "full"' "$tmp/full.3/metrics.json" && ! grep -q '"solver": "covariance"' "$tmp/full.3/metrics.json" &&
  ok || bad "at 3 ranks, auto on 101 x 6 did not pick the full solver as 1 rank does"

# Bad data: every rank stops, exit 2, the message once, nothing written.
for name in bad_csv nan dropout; do
  for n in 2 3; do
    mpi "$n" run "$here/$name.yaml" --quiet --out "$tmp/$name.$n" > "$tmp/out" 2> "$tmp/err"
    rc=$?
    [ "$rc" -eq 2 ] && ok || bad "$name at $n ranks: exit $rc, expected 2"
    [ ! -e "$tmp/$name.$n" ] && ok || bad "$name at $n ranks left $(ls -A "$tmp/$name.$n")"
    msgs=$(grep -c '^tests/mpi/.*:[0-9]*:[0-9]*: ' "$tmp/err")
    [ "$name" = nan ] && cp "$tmp/err" "$tmp/nan.err"
    [ "$msgs" -eq 1 ] && ok || { bad "$name at $n ranks printed $msgs messages:"; cat "$tmp/err"; }
  done
done
grep -q '^tests/mpi/table_nan.npy:96:3: NaN is not allowed' "$tmp/nan.err" && ok || bad "the NaN is not named at row 96, column 3"

# Rank 0 cannot have the run folder: every rank stops (no rank waits for it).
: > "$tmp/a-file"
mpi 3 run "$here/table.yaml" --quiet --out "$tmp/a-file" 2> "$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q 'exists and is not a folder' "$tmp/err" && ok ||
  bad "an output path that is a file: exit $rc (124: the ranks hung)"

# Tasks that srun started without MPI (SLURM_STEP_NUM_TASKS but no PMIx)
# cannot be ranks: each would run the whole pipeline into the same folder.
SLURM_STEP_NUM_TASKS=2 "$latent" run "$here/table.yaml" --quiet --out "$tmp/lone" 2> "$tmp/err"
rc=$?
[ "$rc" -eq 3 ] && [ ! -e "$tmp/lone" ] && grep -q 'use srun --mpi=pmix' "$tmp/err" && ok ||
  { bad "a task of srun without MPI: exit $rc (expected 3, naming srun --mpi=pmix):"; cat "$tmp/err"; }
SLURM_STEP_NUM_TASKS=1 "$latent" run "$here/table.yaml" --quiet --out "$tmp/lone" > /dev/null && ok ||
  bad "srun's single task was refused"

# A sweep shared out over 3 ranks gives the one-process summary.
"$latent" sweep "$here/sweep.yaml" --threads 1 --out "$tmp/sweep.plain" > /dev/null || bad "the plain sweep failed"
mpi 3 sweep "$here/sweep.yaml" --threads 1 --out "$tmp/sweep.3" > "$tmp/sweep.log" || bad "the sweep on 3 ranks failed"
cmp -s "$tmp/sweep.plain/summary.csv" "$tmp/sweep.3/summary.csv" && ok || bad "the 3-rank sweep's summary differs"
[ "$(grep -c ' done$' "$tmp/sweep.log")" -eq 8 ] && ok || bad "the ranks did not run each of the 8 points once"

# srun as the launcher, in a private Slurm on localhost: 2 ranks joined
# through PMIx give mpirun -n 2's run to the bit.
why=$(slurm_missing)
if [ -n "$why" ]; then
  echo "note: srun not tried: $why"
elif slurm_start "$tmp/slurm" > "$tmp/slurm.log" 2>&1; then
  timeout 120 srun --mpi=pmix -n 2 "$latent" run "$here/randomized.yaml" --threads 1 --quiet \
    --out "$tmp/srun.2" 2> "$tmp/err" && grep -q '"ranks": 2' "$tmp/srun.2/run.json" &&
    "$latent" diff "$tmp/randomized.2" "$tmp/srun.2" > /dev/null && ok ||
    { bad "srun --mpi=pmix -n 2 did not give mpirun -n 2's run:"; cat "$tmp/err"; }
  slurm_stop
else
  echo "note: srun not tried: the private Slurm did not start: $(tail -n 3 "$tmp/slurm.log")"
fi

echo "mpi: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
