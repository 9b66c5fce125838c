#!/bin/sh
# run.json's resolved config is a pipeline of its own: fed back to
# `latent run`, it gives the same metrics.json, byte for byte. Both runs skip
# the cache, so that the first one's stages resolve their data-dependent
# defaults (pca's batch_size, ...) and the second reads them as given.
# usage: resolved.sh LATENT SOURCE_ROOT NAME... (pipelines/NAME.yaml)
set -u
latent=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$2" && pwd)
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for name in "$@"; do
  file="$root/pipelines/$name.yaml"
  if ! "$latent" run "$file" --out "$tmp/$name" --quiet --no-cache > "$tmp/$name.log" 2>&1; then
    echo "FAIL $name: the pipeline itself fails"
  # JSON is YAML: the config goes back as it is.
  elif ! /usr/bin/python3 -c 'import json, sys; json.dump(json.load(open(sys.argv[1]))["config"], open(sys.argv[2], "w"), indent=1)' \
      "$tmp/$name/run.json" "$tmp/$name.resolved.yaml" 2>> "$tmp/$name.log"; then
    echo "FAIL $name: run.json has no config"
  elif ! "$latent" run "$tmp/$name.resolved.yaml" --out "$tmp/$name.again" --quiet --no-cache >> "$tmp/$name.log" 2>&1; then
    echo "FAIL $name: its resolved config does not run"
  elif ! cmp -s "$tmp/$name/metrics.json" "$tmp/$name.again/metrics.json"; then
    echo "FAIL $name: its resolved config gives other metrics"
    diff "$tmp/$name/metrics.json" "$tmp/$name.again/metrics.json" | head -20 >> "$tmp/$name.log"
  else
    pass=$((pass + 1))
    continue
  fi
  sed 's/^/    /' "$tmp/$name.log"
  [ -f "$tmp/$name.resolved.yaml" ] && sed 's/^/    | /' "$tmp/$name.resolved.yaml" | head -60
  fail=$((fail + 1))
done
echo "resolved configs: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
