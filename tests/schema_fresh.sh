#!/bin/sh
# schemas/pipeline.schema.json must be exactly what `latent schema` prints:
# the committed schema is generated, never edited by hand.
# usage: schema_fresh.sh LATENT SOURCE_ROOT
set -u
if "$1" schema | cmp -s - "$2/schemas/pipeline.schema.json"; then
  echo "schema: 1 passed, 0 failed"
else
  echo "schemas/pipeline.schema.json is stale: run 'build/latent schema > schemas/pipeline.schema.json'"
  echo "schema: 0 passed, 1 failed"
  exit 1
fi
