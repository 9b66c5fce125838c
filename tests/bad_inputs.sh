#!/bin/sh
# The bad-input corpus: every tests/bad/NAME.yaml runs with `latent run` and
# must print exactly NAME.err on stderr, exit with the code NAME.err's first
# line gives ("exit N"), and leave no run folder behind.
# usage: bad_inputs.sh LATENT SOURCE_ROOT
set -u
latent=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$2/tests/bad" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for yaml in *.yaml; do
  name=${yaml%.yaml}
  want_exit=$(head -n 1 "$name.err" | sed -n 's/^exit \([0-9]*\)$/\1/p')
  tail -n +2 "$name.err" > "$tmp/want"
  args=""
  [ -f "$name.args" ] && args=$(cat "$name.args")
  # shellcheck disable=SC2086
  "$latent" run "$yaml" --out "$tmp/out" --quiet $args 2> "$tmp/got" > /dev/null
  got_exit=$?
  problems=""
  [ "$got_exit" = "$want_exit" ] || problems="exit $got_exit, expected $want_exit"
  cmp -s "$tmp/want" "$tmp/got" || problems="$problems; stderr differs"
  [ -e "$tmp/out" ] && problems="$problems; left outputs behind"
  if [ -n "$problems" ]; then
    fail=$((fail + 1))
    echo "FAIL $name: $problems"
    diff "$tmp/want" "$tmp/got" | sed 's/^/    /'
  else
    pass=$((pass + 1))
  fi
  rm -rf "$tmp/out"
done
echo "bad inputs: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
