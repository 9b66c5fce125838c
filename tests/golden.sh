#!/bin/sh
# Golden pipeline tests: `latent check` on every file in pipelines/ (each
# file's expect: block holds the reference tools' numbers), then a second
# run of each to show metrics.json is byte-identical for the same config.
# usage: golden.sh LATENT SOURCE_ROOT
set -u
latent=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for file in "$root"/pipelines/*.yaml; do
  name=$(basename "$file" .yaml)
  if "$latent" check "$file" --out "$tmp/$name" --quiet > "$tmp/$name.log" 2>&1; then
    # A full-length training run is checked once; its short twin (same
    # model, fewer epochs) shows the determinism.
    if grep -q '^# golden: once' "$file"; then
      pass=$((pass + 1))
      continue
    fi
    "$latent" run "$file" --out "$tmp/$name.again" --quiet --no-cache 2>> "$tmp/$name.log"
    # A sweep's results are summed up in summary.json, a run's in metrics.json.
    result=metrics.json
    [ -f "$tmp/$name/summary.json" ] && result=summary.json
    if cmp -s "$tmp/$name/$result" "$tmp/$name.again/$result"; then
      pass=$((pass + 1))
      continue
    fi
    echo "FAIL $name: $result differs between two identical runs"
  else
    echo "FAIL $name:"
  fi
  sed 's/^/    /' "$tmp/$name.log"
  fail=$((fail + 1))
done
echo "golden pipelines: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
