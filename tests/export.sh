#!/bin/sh
# The export stage's per-row files, row ids included, against pandas and
# scikit-learn (tests/export_check.py). Usage: export.sh LATENT SOURCE_ROOT
set -eu
latent=$1 root=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$latent" check "$root/tests/export/wine_drop.yaml" --out "$out/run" --no-cache --quiet
/usr/bin/python3 "$root/tests/export_check.py" "$out/run" "$root/tests/reference/export.json"
