#!/bin/sh
# `latent validate`: every file is checked (not just up to the first bad
# one), exit 2 when any is bad, and --format json|github prints the problems
# on stdout for programs and CI runners.
# usage: validate_cli.sh LATENT SOURCE_ROOT
set -u
latent=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$2/tests/bad" || exit 1
fail=0
check() { # NAME WANT_EXIT GOT_EXIT WANT GOT
  if [ "$2" != "$3" ] || [ "$4" != "$5" ]; then
    printf 'FAIL %s: exit %s (expected %s)\n--- expected\n%s\n--- got\n%s\n' "$1" "$3" "$2" "$4" "$5"
    fail=1
  fi
}
got=$("$latent" validate bad_seed.yaml ../../pipelines/breast_cancer.yaml unknown_param.yaml --format github 2>&1)
check github 2 $? '::error file=bad_seed.yaml,line=2,col=7,title=param.value::seed: expected an integer in [0, 4294967295], got "-1"
::error file=unknown_param.yaml,line=7,col=7,title=key.unknown::stage '"'pca'"': unknown parameter '"'n_compnents'"'; did you mean '"'n_components'"'?' "$got"
got=$("$latent" validate bad_seed.yaml --format json 2>&1)
check json 2 $? '{"severity": "error", "code": "param.value", "file": "bad_seed.yaml", "line": 2, "column": 7, "path": "seed", "message": "seed: expected an integer in [0, 4294967295], got \"-1\""}' "$got"
got=$("$latent" validate ../../pipelines/breast_cancer.yaml --format json 2>&1)
check json-clean 0 $? '' "$got"
got=$("$latent" validate bad_seed.yaml ../../pipelines/breast_cancer.yaml 2>&1)
check text 2 $? 'bad_seed.yaml:2:7: seed: expected an integer in [0, 4294967295], got "-1"
../../pipelines/breast_cancer.yaml: ok (10 stages)' "$got"
# Top-level, expect, sweep and stage keys carry their config path too.
got=$("$latent" validate unknown_top_key.yaml unknown_stage_kind.yaml input_twice.yaml --format json 2>&1)
check paths-top 2 $? '{"severity": "error", "code": "key.unknown", "file": "unknown_top_key.yaml", "line": 2, "column": 1, "path": "stage", "message": "unknown top-level key '"'stage'"'; did you mean '"'stages'"'?"}
{"severity": "error", "code": "key.missing", "file": "unknown_top_key.yaml", "line": 1, "column": 1, "path": "stages", "message": "missing '"'stages'"' (a mapping of stage names to {use, with, input})"}
{"severity": "error", "code": "stage.kind", "file": "unknown_stage_kind.yaml", "line": 4, "column": 14, "path": "stages.pca.use", "message": "stage '"'pca'"': unknown stage kind '"'pcaa'"'; did you mean '"'pca'"'?"}
{"severity": "error", "code": "input", "file": "input_twice.yaml", "line": 7, "column": 16, "path": "stages.ae.input", "message": "stage '"'ae'"': input: '"'a'"' is listed twice; name each input once"}' "$got"
out=$("$latent" validate bad_expect.yaml sweep_unknown_param.yaml --format json 2>&1)
rc=$?
got=$(printf '%s\n' "$out" | sed 's/.*"path": \("[^"]*"\).*/\1/')
check paths-expect-sweep 2 $rc '"expect.pca.n_components"
"expect.pcaa.n_components"
"expect.pca.explained_variance_ratio[0]"
"sweep.pca.n_compnents"' "$got"
# Every bad value of a sweep, once each, at its own place.
got=$("$latent" validate sweep_bad_values.yaml 2>&1)
check sweep-values 2 $? "sweep_bad_values.yaml:6:25: stage 'pca': n_components: expected an integer >= 1, a number in (0, 1), or all, got \"two\"
sweep_bad_values.yaml:6:33: stage 'pca': n_components: expected an integer >= 1, a number in (0, 1), or all, got \"three\"
sweep_bad_values.yaml:9:7: stage 'pca': solver: expected one of auto, full, covariance, randomized, incremental, got \"bogus\"" "$got"
# A network layer that cannot take its input: the path and place of the
# layer's parameter at fault (reshape's shape), or of the layer.
got=$("$latent" validate ae_reshape_mismatch.yaml --format json 2>&1)
check layer-json 2 $? '{"severity": "error", "code": "param.value", "file": "ae_reshape_mismatch.yaml", "line": 10, "column": 29, "path": "stages.ae.with.decoder[1].shape", "message": "stage '"'ae'"': decoder[1] reshape: cannot reshape input [100] (100 values) to [28, 28] (784 values)"}' "$got"
got=$("$latent" validate conv_no_channels.yaml --format github 2>&1)
check layer-github 2 $? "::error file=conv_no_channels.yaml,line=9,col=12,title=param.value::stage 'ae': encoder[1] conv2d: expected [height, width, channels] images (channels last), got [28, 28]; add {reshape: {shape: [28, 28, 1]}} before it for one channel" "$got"
# latent apply and latent sweep print through the same formatter.
got=$("$latent" apply /nonexistent/run x.csv --format json 2>&1)
check apply-json 2 $? '{"severity": "error", "code": "input", "file": "/nonexistent/run", "line": 0, "column": 0, "path": null, "message": "not a finished run: cannot read run.json: No such file or directory"}' "$got"
got=$("$latent" apply /nonexistent/run x.csv 2>&1)
check apply-text 2 $? '/nonexistent/run: not a finished run: cannot read run.json: No such file or directory' "$got"
got=$("$latent" sweep ../../pipelines/breast_cancer.yaml --format github 2>&1)
check sweep-github 2 $? '::error file=../../pipelines/breast_cancer.yaml,title=sweep::the file has no sweep: block' "$got"
# The data files, from their first lines: a CSV that is missing, one whose
# header lacks the label column, one whose delimiter leaves one column.
got=$("$latent" validate csv_missing_file.yaml csv_unknown_label.yaml csv_one_column_hint.yaml \
      ../../pipelines/own_csv.yaml 2>&1)
check csv-probe 2 $? "data/no_such_file.csv: cannot read: No such file or directory
data/good.csv:1: label column 'clas' is not in the header (columns: 'a', 'b', 'class'); did you mean 'class'?
data/european.csv:1:1: one column found; the lines hold ';': set delimiter: ';'
../../pipelines/own_csv.yaml: ok (12 stages)" "$got"
got=$("$latent" validate csv_one_column_hint.yaml --format json 2>&1)
check csv-probe-json 2 $? '{"severity": "error", "code": "data", "file": "data/european.csv", "line": 1, "column": 1, "path": "stages.table", "message": "one column found; the lines hold '"';'"': set delimiter: '"';'"'"}' "$got"
# A run prints its stage's runtime error through the same formatter, with
# the code and the config path of the value at fault, and writes nothing.
tmp=$(mktemp -d)
got=$("$latent" run split_test_size_position.yaml --format json --out "$tmp/run" 2>&1)
check run-json 2 $? '{"severity": "error", "code": "param.value", "file": "split_test_size_position.yaml", "line": 8, "column": 18, "path": "stages.split.with.test_size", "message": "stage '"'split'"': test_size is 1.5; expected a fraction in (0, 1) or a whole number of rows"}' "$got"
[ -e "$tmp/run" ] && { echo "FAIL run-json: left $tmp/run behind"; fail=1; }
got=$("$latent" run hdf5_columns_name.yaml --format github --out "$tmp/run" 2>&1)
check run-github 2 $? "::error file=../reference/hdf5/events.h5%3A/events/features,title=data::columns: no column is named 'energy'; its feature_names attribute names pt, eta, phi" "$got"
# A warning is kept in run.json and shown in the report, --quiet or not.
"$latent" run ../../pipelines/breast_cancer.yaml --quiet --no-cache --out "$tmp/bc" 2>/dev/null
got=$(grep -A2 '"code": "warning"' "$tmp/bc/run.json" | grep -c '"path": "stages.raw"')
check run-json-warning 0 $? 1 "$got"
got=$(grep -c "<section id=\"warnings\"><h2>Warnings<span class=\"count\">1</span>" "$tmp/bc/report.html")
check report-warning 0 $? 1 "$got"
# apply on that run: a file it cannot read, a stage the run lacks.
got=$("$latent" apply "$tmp/bc" new_rows.dat --format json 2>&1)
check apply-data-json 2 $? '{"severity": "error", "code": "data", "file": "new_rows.dat", "line": 0, "column": 0, "path": null, "message": "latent apply reads a .csv or .npy file"}' "$got"
got=$("$latent" apply "$tmp/bc" ../../data/breast_cancer.csv --stage nosuch --format github 2>&1)
check apply-stage-github 2 $? "::error file=$tmp/bc/run.json,title=input::the run has no stage named 'nosuch'" "$got"
[ -e "$tmp/bc/apply" ] && { echo "FAIL apply: left $tmp/bc/apply behind"; fail=1; }
rm -rf "$tmp"
got=$("$latent" validate bad_seed.yaml --format xml 2>&1)
check bad-format 2 $? "latent: --format takes text, json or github, got 'xml'" "$got"
[ $fail -eq 0 ] && echo "validate cli: ok"
exit $fail
