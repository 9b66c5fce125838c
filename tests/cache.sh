#!/bin/sh
# The stage cache: a second run reads every non-source stage back with
# identical metrics and plots; a damaged entry (an output or its entry.json)
# is detected, warned about and recomputed;
# --no-cache neither reads nor writes it.
# usage: cache.sh LATENT SOURCE_ROOT
set -u
latent=$1
pipeline=$2/pipelines/breast_cancer.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LATENT_CACHE_DIR="$tmp/cache"
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
cached() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['cached'][sys.argv[2]])" "$1/run.json" "$2"; }

"$latent" run "$pipeline" --out "$tmp/a" --quiet || bad "first run failed"
[ "$(cached "$tmp/a" pca2)" = False ] && ok || bad "first run claims pca2 came from the cache"
"$latent" run "$pipeline" --out "$tmp/b" --quiet || bad "second run failed"
for s in split scaled pca2 pca_lr view spectrum; do
  [ "$(cached "$tmp/b" $s)" = True ] && ok || bad "second run recomputed $s"
done
[ "$(cached "$tmp/b" cancer)" = False ] && ok || bad "a source stage was cached"
cmp -s "$tmp/a/metrics.json" "$tmp/b/metrics.json" && ok || bad "cached metrics differ"
cmp -s "$tmp/a/plots/view.png" "$tmp/b/plots/view.png" && ok || bad "cached plot differs"

# The key names the outputs a run reads: one more reader of pca2's
# reconstruction is a new entry, computed once and then read back.
"$latent" run "$pipeline" --out "$tmp/r1" --quiet --set view.input=pca2.reconstruction || bad "run reading pca2.reconstruction failed"
[ "$(cached "$tmp/r1" pca2)" = False ] && ok || bad "an entry without the reconstruction served a run that reads it"
"$latent" run "$pipeline" --out "$tmp/r2" --quiet --set view.input=pca2.reconstruction || bad "second run reading pca2.reconstruction failed"
[ "$(cached "$tmp/r2" pca2)" = True ] && ok || bad "the entry with the reconstruction was not read back"
cmp -s "$tmp/r1/metrics.json" "$tmp/r2/metrics.json" && ok || bad "cached metrics differ (reconstruction read)"
ls "$tmp"/cache/*/*/output-1.data > /dev/null 2>&1 && ok || bad "no entry stores output 1 (pca2's reconstruction) in a file of its own"

# Damage every stored output: truncate data files, flip a byte in metrics.
find "$tmp/cache" -name 'output-*' | while read -r f; do
  head -c 100 "$f" > "$f.cut" && mv "$f.cut" "$f"
done
"$latent" run "$pipeline" --out "$tmp/c" 2> "$tmp/c.err" || bad "run over a damaged cache failed"
grep -q "warning: stage 'pca2': its stage cache entry [0-9a-f]* was damaged" "$tmp/c.err" && ok ||
  bad "no warning named the damaged entry: $(cat "$tmp/c.err")"
[ "$(cached "$tmp/c" pca2)" = False ] && ok || bad "a truncated entry was trusted"
cmp -s "$tmp/a/metrics.json" "$tmp/c/metrics.json" && ok || bad "recomputed metrics differ"
"$latent" run "$pipeline" --out "$tmp/d" --quiet
[ "$(cached "$tmp/d" pca2)" = True ] && ok || bad "the recomputed entry was not stored again"
# A damaged entry.json: warned about and replaced, as a damaged output is.
find "$tmp/cache" -name entry.json | while read -r f; do echo '{"sha' > "$f"; done
"$latent" run "$pipeline" --out "$tmp/j" 2> "$tmp/j.err" || bad "run over damaged entry.json files failed"
grep -q "warning: stage 'pca2': its stage cache entry [0-9a-f]* was damaged" "$tmp/j.err" && ok ||
  bad "no warning named the entry whose entry.json was damaged: $(cat "$tmp/j.err")"
grep -q "its stage cache entry [0-9a-f]* was damaged" "$tmp/j/run.json" && ok || bad "run.json lacks the damaged-entry warning"
"$latent" run "$pipeline" --out "$tmp/k" --quiet
[ "$(cached "$tmp/k" pca2)" = True ] && ok || bad "the entry with a damaged entry.json was not replaced"

export LATENT_CACHE_DIR="$tmp/cache2"
"$latent" run "$pipeline" --out "$tmp/e" --quiet --no-cache || bad "--no-cache run failed"
[ ! -e "$tmp/cache2" ] && ok || bad "--no-cache wrote to the cache"

# Two runs never write one folder at once: the second is refused while the
# first holds the folder's lock.
mkdir -p "$tmp/locked"
flock "$tmp/locked/.lock" sleep 3 &
sleep 0.5
if "$latent" run "$pipeline" --out "$tmp/locked" --quiet 2> "$tmp/lock.err"; then
  bad "a run wrote a folder another run holds"
else
  grep -q "another latent run is writing this folder" "$tmp/lock.err" && ok || bad "unclear lock message: $(cat "$tmp/lock.err")"
fi
wait
[ ! -e "$tmp/locked/metrics.json" ] && ok || bad "the refused run left files"

echo "cache: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
