#!/bin/sh
# Sweeps: listing, one point, collecting with points missing, resuming,
# parallel jobs giving the sequential results, and the Slurm script.
# usage: sweep.sh LATENT SOURCE_ROOT
set -u
latent=$1
file=$2/pipelines/sweep_pca_logreg.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LATENT_CACHE_DIR="$tmp/cache"
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

n=$("$latent" sweep "$file" --list | wc -l)
[ "$n" -eq 40 ] && ok || bad "--list printed $n points, expected 40"
"$latent" sweep "$file" --list | sed -n 6p | grep -q "005-n_components=2-C=0.1 *pca.n_components=2,lr.C=0.1" && ok ||
  bad "point 5 is not n_components=2, C=0.1"

"$latent" run "$file" --point 5 --out "$tmp/s" --quiet > /dev/null || bad "--point 5 failed"
[ -f "$tmp/s/sweep/005-n_components=2-C=0.1/metrics.json" ] && ok || bad "--point 5 wrote no metrics"
[ "$(ls "$tmp/s/sweep" | wc -l)" -eq 1 ] && ok || bad "--point 5 ran more than one point"
"$latent" sweep "$file" --collect --out "$tmp/s" > /dev/null
[ $? -eq 2 ] && ok || bad "--collect with 39 points missing should exit 2"
grep -c ',,' "$tmp/s/summary.csv" | grep -q 39 && ok || bad "summary.csv should show 39 empty rows"

"$latent" run "$file" --out "$tmp/s" > "$tmp/run.log" || bad "the sweep failed"
grep -c "up to date" "$tmp/run.log" | grep -q '^1$' && ok || bad "the finished point was not kept"
"$latent" run "$file" --out "$tmp/s" > "$tmp/again.log"
grep -c "up to date" "$tmp/again.log" | grep -q '^40$' && ok || bad "a second run did not resume"

# Results are reproducible for a given thread count; two jobs sharing two
# threads run one thread each, so they must match a one-thread sequential run.
"$latent" sweep "$file" --threads 1 --out "$tmp/q" --no-cache > /dev/null || bad "the one-thread sweep failed"
"$latent" sweep "$file" --jobs 2 --threads 2 --out "$tmp/p" --no-cache > /dev/null || bad "--jobs 2 failed"
cmp -s "$tmp/q/summary.json" "$tmp/p/summary.json" && ok || bad "--jobs 2 gives other results"

# The summaries a reader loads: no column named twice (pca reports the
# n_components it kept, told apart from the swept one), swept numbers as
# numbers, no plot of a swept parameter against itself, no lock files left.
head -n 1 "$tmp/q/summary.csv" | tr ',' '\n' | sort | uniq -d | grep -q . && bad "summary.csv names a column twice" || ok
head -n 1 "$tmp/q/summary.csv" | grep -q ',pca.n_components,lr.C,.*,pca.n_components (metric),' && ok ||
  bad "summary.csv's header does not tell the swept n_components from the metric"
grep -q '"lr.C": 0.01' "$tmp/q/summary.json" && ok || bad "summary.json keeps a swept number as text"
[ ! -e "$tmp/q/plots/sweep-pca.n_components.png" ] && [ -e "$tmp/q/plots/sweep-lr.test_accuracy.png" ] && ok ||
  bad "the sweep plots a swept parameter against itself (or forgot the metrics)"
[ -z "$(find "$tmp/q" -name .lock)" ] && ok || bad "run folders keep their .lock file"

# The Slurm script (tests/slurm/ submits one to a real Slurm).
"$latent" sweep "$file" --emit slurm --out "$tmp/e" > "$tmp/emit.log" || bad "--emit slurm failed"
job=$tmp/e/slurm/sweep.sbatch
grep -q '^#SBATCH --array=0-39$' "$job" && ok || bad "the Slurm array does not cover points 0-39"
grep -q -- '--point "$SLURM_ARRAY_TASK_ID"' "$job" && ok || bad "Slurm tasks do not run their point"
grep -q -- '--threads "${SLURM_CPUS_PER_TASK:-1}"' "$job" && ok || bad "Slurm tasks do not use their CPUs"
sh -n "$job" && ok || bad "the Slurm script is not valid sh"
grep -q "^  sbatch $job\$" "$tmp/emit.log" && ok || bad "no sbatch command printed"
grep -q -- "--out $tmp/e --collect\$" "$tmp/emit.log" && ok || bad "the printed --collect forgets --out"
"$latent" sweep "$file" --emit slurm --array-limit 3 --partition short --mem 2G --cpus-per-task 4 \
  --out "$tmp/e" > /dev/null || bad "--emit slurm with Slurm options failed"
for want in '--array=0-39%3' '--partition=short' '--mem=2G' '--cpus-per-task=4'; do
  grep -q -- "^#SBATCH $want\$" "$job" && ok || bad "#SBATCH $want missing"
done
"$latent" sweep "$file" --emit slurm --time 'x y' 2> "$tmp/err"
[ $? -eq 2 ] && grep -q 'expected a Slurm time' "$tmp/err" && ok || bad "a bad --time was not refused"
"$latent" sweep "$file" --array-limit 2 2> "$tmp/err"
[ $? -eq 2 ] && grep -q 'needs --emit slurm' "$tmp/err" && ok || bad "--array-limit without --emit was not refused"

# --emit slurm checks every point as a local sweep does: a bad value is exit
# 2 with the same message, and no script (nor its folder) is written.
printf 'pipeline: bad\nstages:\n  data: {use: dataset.randn, with: {rows: 20, cols: 4}}\n  pca: {use: pca}\nsweep:\n  pca.n_components: [1, 2.5]\n' \
  > "$tmp/badsweep.yaml"
"$latent" sweep "$tmp/badsweep.yaml" --out "$tmp/local" 2> "$tmp/local.err" > /dev/null
"$latent" sweep "$tmp/badsweep.yaml" --emit slurm --out "$tmp/bademit" 2> "$tmp/emit.err" > /dev/null
[ $? -eq 2 ] && ok || bad "--emit slurm with a bad point value should exit 2"
[ "$(cat "$tmp/emit.err")" = "$tmp/badsweep.yaml:6:25: stage 'pca': n_components: expected an integer >= 1, a number in (0, 1), or all, got \"2.5\"" ] &&
  cmp -s "$tmp/local.err" "$tmp/emit.err" && ok || bad "--emit slurm's message for a bad value: $(cat "$tmp/emit.err")"
[ ! -e "$tmp/bademit" ] && ok || bad "--emit slurm wrote $(find "$tmp/bademit") for a bad sweep"

"$latent" run "$file" --set pca.n_components=3 --out "$tmp/narrow" > "$tmp/narrow.log"
[ "$(ls "$tmp/narrow/sweep" | wc -l)" -eq 4 ] && ok || bad "--set on a swept parameter should leave 4 points"

echo "sweep: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
