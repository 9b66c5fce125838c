#!/bin/sh
# A sweep on a real Slurm: starts a private single-node cluster (cluster.sh),
# submits the job array `latent sweep --emit slurm` writes, exactly as its
# printed sbatch command says, waits for it, runs the printed --collect
# command and checks that summary.csv is byte for byte the one a local
# `latent run` of the same sweep writes. Then requeues a finished task (it
# must leave its point untouched) and reruns one that was cut short (it must
# redo it). Exit 77 (skip) only when the daemons cannot start here.
# usage: sweep_array.sh LATENT SOURCE_ROOT
set -u
latent=$(realpath "$1")
src=$(realpath "$2")
file=$src/pipelines/sweep_pca_logreg.yaml
here=$(dirname "$(realpath "$0")")
. "$here/cluster.sh"

why=$(slurm_missing)
[ -z "$why" ] || { echo "SKIP: cannot start a Slurm here: $why"; exit 77; }
tmp=$(mktemp -d /tmp/latent-slurm.XXXXXX)
trap 'slurm_stop; rm -rf "$tmp"' EXIT
if ! slurm_start "$tmp/slurm"; then
  echo "SKIP: the Slurm daemons did not start (logs above)"
  exit 77
fi
export LATENT_CACHE_DIR="$tmp/cache"
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# Waits until job $1 has left the queue (60 s at most).
wait_job() {
  i=0
  while [ -n "$(squeue -h -j "$1" 2>/dev/null)" ]; do
    i=$((i + 1)); [ "$i" -lt 600 ] || { bad "job $1 still queued after 60 s"; squeue; return 1; }
    sleep 0.1
  done
}

# Four points (lr.C) with one PCA, two tasks at a time, each on one CPU.
sets="--set pca.n_components=3"
(cd "$tmp" && "$latent" sweep "$file" $sets --emit slurm --array-limit 2 --cpus-per-task 1 --time 5 \
  --out run) > "$tmp/emit.log" || bad "--emit slurm failed"
script=$tmp/run/slurm/sweep.sbatch
grep -q '^#SBATCH --array=0-3%2$' "$script" && ok || bad "the array is not 0-3 throttled to 2: $(grep array "$script")"
grep -q "^exec $latent run $file --point" "$script" && ok || bad "the script does not call latent and the file by absolute path"
grep -q "^#SBATCH --time=5$" "$script" && ok || bad "--time was not passed on"
submit=$(sed -n 's/^  \(sbatch .*\)/\1/p' "$tmp/emit.log")
collect=$(sed -n 's/^  \(.* --collect\)$/\1/p' "$tmp/emit.log")
[ "$submit" = "sbatch $script" ] && ok || bad "the printed submit command is '$submit'"
case $collect in *"--out $tmp/run"*) ok ;; *) bad "the printed collect command lacks --out: '$collect'" ;; esac

# From another folder, as a user following the printed commands would.
job=$(cd / && eval "$submit" | sed -n 's/^Submitted batch job \([0-9]*\)$/\1/p')
[ -n "$job" ] && ok || { bad "sbatch did not submit"; echo "sbatch: $(cd / && eval "$submit" 2>&1)"; exit 1; }
scontrol show job "$job" | grep -q 'ArrayTaskThrottle=2' && ok || bad "Slurm does not throttle the array to 2 tasks"
wait_job "$job"
codes=$(scontrol show job "$job" | sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p' | sort | uniq -c | tr -s ' ')
[ "$codes" = " 4 0:0" ] && ok || { bad "the array's tasks did not all exit 0: $codes"; cat "$tmp"/run/slurm/*.out; }
for k in 0 1 2 3; do
  grep -q "^point $((k + 1))/4 .*done$" "$tmp/run/slurm/${job}_$k.out" && ok ||
    bad "task $k did not run point $k: $(cat "$tmp/run/slurm/${job}_$k.out")"
done

(cd / && eval "$collect") > "$tmp/collect.log" && ok || bad "the printed --collect failed: $(cat "$tmp/collect.log")"
grep -q "4 points, 4 complete" "$tmp/collect.log" && ok || bad "collect: $(cat "$tmp/collect.log")"
"$latent" run "$file" $sets --threads 1 --out "$tmp/local" > /dev/null || bad "the local sweep failed"
cmp "$tmp/local/summary.csv" "$tmp/run/summary.csv" && ok || bad "summary.csv differs from the local run's"

# A finished task requeued: its point is up to date and not touched.
point=$(ls -d "$tmp"/run/sweep/001-*)
before=$(cd "$point" && ls -l --time-style=full-iso $(find . -type f | sort) | md5sum)
scontrol requeue "${job}_1" || bad "scontrol requeue failed"
# A requeued job waits (BeginTime) before it may start again; not here.
scontrol update JobId="${job}_1" StartTime=now || bad "cannot start the requeued task now"
wait_job "$job"
tail -n 1 "$tmp/run/slurm/${job}_1.out" | grep -q "^point 2/4 .*up to date$" && ok ||
  bad "the requeued task did not find its point up to date: $(cat "$tmp/run/slurm/${job}_1.out")"
after=$(cd "$point" && ls -l --time-style=full-iso $(find . -type f | sort) | md5sum)
[ "$before" = "$after" ] && ok || bad "the requeued task changed the finished point"

# A task cut short (killed before its commit: a staging folder of a process
# that is gone, no metrics): submitting it again redoes the point.
victim=$(ls -d "$tmp"/run/sweep/002-*)
rm "$victim/metrics.json"
mkdir "$victim/.partial-999999999" && : > "$victim/.partial-999999999/half.csv"
job2=$(sbatch --parsable --array=2 "$script")
wait_job "$job2"
grep -q "^point 3/4 .*done$" "$tmp/run/slurm/${job2}_2.out" && ok || bad "the resubmitted task did not redo point 2"
[ ! -e "$victim/.partial-999999999" ] && ok || bad "the dead task's staging folder was left behind"
(cd / && eval "$collect") > /dev/null && cmp "$tmp/local/summary.csv" "$tmp/run/summary.csv" && ok ||
  bad "after the rerun summary.csv differs from the local run's"

echo "slurm sweep: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
