#!/bin/sh
# The `latent diff` corpus: for every tests/diff/cases/NAME.args, runs
# `latent diff ARGS` from tests/diff and compares the exit status and stdout
# with NAME.out ("exit N", then the exact stdout) and stderr with NAME.err
# (empty when there is none).
# usage: diff_cli.sh LATENT SOURCE_ROOT
set -u
latent=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$2/tests/diff" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for args_file in cases/*.args; do
  name=$(basename "$args_file" .args)
  want_exit=$(head -n 1 "cases/$name.out" | sed -n 's/^exit \([0-9]*\)$/\1/p')
  tail -n +2 "cases/$name.out" > "$tmp/want.out"
  if [ -f "cases/$name.err" ]; then cp "cases/$name.err" "$tmp/want.err"; else : > "$tmp/want.err"; fi
  # shellcheck disable=SC2046
  "$latent" diff $(cat "$args_file") > "$tmp/got.out" 2> "$tmp/got.err"
  got_exit=$?
  problems=""
  [ "$got_exit" = "$want_exit" ] || problems="exit $got_exit, expected ${want_exit:-?}"
  cmp -s "$tmp/want.out" "$tmp/got.out" || problems="$problems; stdout differs"
  cmp -s "$tmp/want.err" "$tmp/got.err" || problems="$problems; stderr differs"
  if [ -n "$problems" ]; then
    fail=$((fail + 1))
    echo "FAIL $name: $problems"
    diff "$tmp/want.out" "$tmp/got.out" | sed 's/^/    /'
    diff "$tmp/want.err" "$tmp/got.err" | sed 's/^/    /'
  else
    pass=$((pass + 1))
  fi
done
# End to end: two runs of one pipeline agree; a changed parameter shows.
pipeline="$2/pipelines/breast_cancer.yaml"
"$latent" run "$pipeline" --out "$tmp/run1" --quiet 2> /dev/null
"$latent" run "$pipeline" --out "$tmp/run2" --quiet 2> /dev/null
"$latent" run "$pipeline" --out "$tmp/run3" --quiet --set pca_lr.C=0.01 2> /dev/null
"$latent" diff "$tmp/run1" "$tmp/run2/metrics.json" > "$tmp/same.out"
got=$?
if [ "$got" = 0 ] && grep -q ' 0 changed, 0 only in A, 0 only in B' "$tmp/same.out"; then
  pass=$((pass + 1))
else
  fail=$((fail + 1))
  echo "FAIL two runs of $pipeline: exit $got, expected 0"
fi
"$latent" diff "$tmp/run1" "$tmp/run3" --json > "$tmp/changed.json"
got=$?
if [ "$got" = 1 ] && grep -q '"name": "pca_lr.train_accuracy"' "$tmp/changed.json" &&
   ! grep -q '"verdict": "only_' "$tmp/changed.json"; then
  pass=$((pass + 1))
else
  fail=$((fail + 1))
  echo "FAIL runs with pca_lr.C=1 and 0.01: exit $got, expected 1"
fi
echo "latent diff: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
