#!/bin/bash
# The command line's comforts: --help for every command, --version, stages
# PREFIX, init (its pipeline runs unchanged), the bash completion (sourced and
# driven as bash would), and the messages of common slips. Bash for the
# completion's arrays.
# usage: cli.sh LATENT SOURCE_ROOT
set -u
latent=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LATENT_CACHE_DIR="$tmp/cache" LATENT_NO_PLUGINS=1
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# is WHAT EXPECTED GOT
is() { if [ "$3" = "$2" ]; then ok; else bad "$1: got '$3', expected '$2'"; fi; }

for c in run check validate sweep stages schema cache diff apply init man completion; do
  out=$("$latent" "$c" --help) && ok || bad "$c --help failed"
  case $out in "usage: latent $c"*) ok ;; *) bad "$c --help does not start with its usage" ;; esac
  echo "$out" | grep -q '^options:$' && echo "$out" | grep -q "^  latent $c" && ok ||
    bad "$c --help lacks options or an example"
done
is "run -h, first line" \
  "usage: latent run FILE [--set STAGE.PARAM=VALUE]... [--out DIR] [--threads N] [--no-cache] [--point K] [--jobs N] [--quiet] [--format text|json|github]" \
  "$("$latent" run -h | head -n 1)"
"$latent" --help | grep -q '^  init  *write a starter pipeline' && ok || bad "--help lacks init"

"$latent" --version > "$tmp/v"
is "--version lines" 3 "$(wc -l < "$tmp/v")"
grep -q '^latent [0-9][0-9.]*$' "$tmp/v" && grep -q '^git: ' "$tmp/v" && grep -q '^openblas: OpenBLAS [0-9]' "$tmp/v" &&
  ok || bad "--version: $(cat "$tmp/v")"

is "stages scaler" "scaler.minmax scaler.standard" "$("$latent" stages scaler | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//')"
is "stages plot" 8 "$("$latent" stages plot | grep -c '^  plot\.')"
is "stages PCA" "latent: unknown stage kind 'PCA'; did you mean 'pca'?" "$("$latent" stages PCA 2>&1)"
is "stages xyz" "latent: unknown stage kind 'xyz' (\`latent stages\` lists them)" "$("$latent" stages xyz 2>&1)"
# Papercut: an empty default is shown as "", not as nothing.
is "empty default" '    label_column       a string; default ""' \
  "$("$latent" stages dataset.csv | grep '^    label_column')"
"$latent" stages | grep -q 'default $' && bad "a default with nothing after it" || ok

# Slips on the command line.
is "--set with a space" "latent: --set pca.n_components: expected STAGE.PARAM=VALUE; write --set pca.n_components=3" \
  "$("$latent" run x.yaml --set pca.n_components 3 2>&1)"
is "--max-points out of range" "latent: --max-points: expected an integer in [1, 100000000], got \"0\"" \
  "$("$latent" run x.yaml --max-points 0 2>&1)"
is "--max-points above the limit" "latent: --max-points: expected an integer in [1, 100000000], got \"100000001\"" \
  "$("$latent" run x.yaml --max-points 100000001 2>&1)"
is "unknown command" "latent: unknown command 'chek'; did you mean 'check'? (\`latent --help\` lists them)" \
  "$("$latent" chek 2>&1)"
is "unknown option" "latent: unknown option '--outt' (\`latent run --help\` lists the options)" \
  "$("$latent" run x.yaml --outt d 2>&1)"
printf 'pipeline: one\nstages:\n  data: {use: dataset.randn, with: {rows: 4, cols: 2}}\n' > "$tmp/one.yaml"
is "validate, one stage" "$tmp/one.yaml: ok (1 stage)" "$("$latent" validate "$tmp/one.yaml")"
# A full disk names the file that failed. The run stages its files in
# DIR/.partial-PID; exec keeps the shell's PID, so its metrics.json (written
# through .tmp.json) goes to /dev/full, which answers ENOSPC.
if [ -c /dev/full ]; then
  got=$(sh -c 'mkdir -p "$1/.partial-$$" && ln -s /dev/full "$1/.partial-$$/.tmp.json" &&
               exec "$0" run "$2" --out "$1" --quiet --no-cache' "$latent" "$tmp/full" "$tmp/one.yaml" 2>&1)
  is "full disk, exit" 3 $?
  is "full disk" "$tmp/full/metrics.json: cannot write the run's outputs: No space left on device" "$got"
  [ -z "$(ls -A "$tmp/full")" ] && ok || bad "a run that could not write left $(ls -A "$tmp/full")"
else
  echo "SKIP full disk: no /dev/full"
fi

# init: the starter pipeline runs unchanged, with and without a label.
cp "$src/pipelines/data/wine.csv" "$tmp/wine.csv"
(cd "$tmp" && "$latent" init wine.csv --label class > init.out) && ok || bad "init failed"
is "init says" "wrote wine.yaml; run it with: latent run wine.yaml" "$(cat "$tmp/init.out")"
grep -q '^# yaml-language-server: \$schema=' "$tmp/wine.yaml" && grep -q 'use: logreg' "$tmp/wine.yaml" && ok ||
  bad "the starter pipeline lacks the \$schema line or the logreg"
(cd "$tmp" && "$latent" run wine.yaml --out run --quiet) && ok || bad "the starter pipeline does not run"
[ -f "$tmp/run/plots/view.png" ] && [ -f "$tmp/run/plots/spectrum.png" ] && ok || bad "the starter made no plots"
grep -q '"train_accuracy"' "$tmp/run/metrics.json" && ok || bad "the starter's logreg reported nothing"
(cd "$tmp" && "$latent" init wine.csv --label class 2> again.err) && bad "init overwrote a pipeline" || ok
is "init refuses to overwrite" "wine.yaml: cannot create: File exists (choose another name with --out)" \
  "$(cat "$tmp/again.err")"
mkdir "$tmp/sub"
is "init, a text column" "$tmp/wine.csv:2:14: column 'class' holds text (\"class_0\"): name it with --label class" \
  "$("$latent" init "$tmp/wine.csv" --out "$tmp/x.yaml" 2>&1)"
cut -d, -f1-13 "$tmp/wine.csv" > "$tmp/plain.csv"
"$latent" init "$tmp/plain.csv" --out "$tmp/sub/plain.yaml" > /dev/null && ok || bad "init --out failed"
grep -q 'use: logreg' "$tmp/sub/plain.yaml" && bad "a logreg without a label" || ok
"$latent" run "$tmp/sub/plain.yaml" --out "$tmp/run2" --quiet && ok || bad "the unlabelled starter does not run"
is "init, unknown label" "$tmp/wine.csv:1:1: no column named 'klass' in the header" \
  "$("$latent" init "$tmp/wine.csv" --label klass --out "$tmp/x.yaml" 2>&1)"

# sweep --point K runs point K alone.
"$latent" sweep "$src/pipelines/sweep_pca_logreg.yaml" --point 5 --out "$tmp/sw" --quiet > /dev/null &&
  ok || bad "sweep --point 5 failed"
is "sweep --point 5 ran" "005-n_components=2-C=0.1" "$(ls "$tmp/sw/sweep" | tr '\n' ' ' | sed 's/ $//')"

# The bash completion, driven as bash drives it.
PATH=$(dirname "$latent"):$PATH
export PATH
# shellcheck disable=SC1090
source <("$latent" completion bash)
complete_words() { # the words typed; prints COMPREPLY space-separated
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _latent
  echo "${COMPREPLY[*]}"
}
is "complete a command" "sweep stages schema" "$(complete_words latent s)"
is "complete an option" "--no-cache" "$(complete_words latent run x.yaml --no)"
cd "$src/pipelines" || exit 1
is "complete a stage after --set" "split. scaled. scaled_lr. spectrum. seed=" "$(complete_words latent run breast_cancer.yaml --set s)"
is "complete a parameter after STAGE." "pca2.n_components= pca2.n_oversamples=" \
  "$(complete_words latent run breast_cancer.yaml --set pca2.n_)"
is "complete a pipeline file" "breast_cancer.yaml" "$(complete_words latent check brea)"
is "complete a stage kind" "scaler.minmax scaler.standard" "$(complete_words latent stages sca)"
cd "$tmp" || exit 1
# The zsh completion, with zsh's completion builtins stubbed to print what
# they are offered (zsh itself then keeps those matching the word typed).
if command -v zsh > /dev/null; then
  "$latent" completion zsh > "$tmp/_latent" && zsh -n "$tmp/_latent" && ok || bad "the zsh completion does not parse"
  cat > "$tmp/drive.zsh" <<'ZEOF'
compadd() {
  local pre="" suf=""
  while [[ $1 == -* ]]; do
    case $1 in -S) suf=$2; shift 2 ;; -p) pre=$2; shift 2 ;; --) shift; break ;; *) shift ;; esac
  done
  local w; for w in "$@"; do print -r -- "$pre$w$suf"; done
}
_describe() { local -a c; c=(${(P)2}); print -rl -- ${c%%:*}; }
_files() { print -r -- "files $*"; }
source "$1" > /dev/null 2>&1
shift
words=("$@"); CURRENT=$#words; _latent | tr '\n' ' ' | sed 's/ $//'
ZEOF
  cd "$src/pipelines" || exit 1
  z() { zsh "$tmp/drive.zsh" "$tmp/_latent" "$@"; }
  is "zsh: commands" "run check validate sweep stages schema cache diff apply init man completion" "$(z latent s)"
  is "zsh: stages after --set" "cancer. split. raw. scaled. scaled_lr. pca2. pca_lr. view. spectrum. seed=" \
    "$(z latent run breast_cancer.yaml --set s)"
  z latent run breast_cancer.yaml --set pca2.n | grep -q '^pca2.n_components= pca2.solver= ' && ok ||
    bad "zsh: parameters after STAGE."
  is "zsh: pipeline files" "files -g *.(yaml|yml)" "$(z latent check bre)"
  is "zsh: options of run" "--set --out --threads --no-cache --point --jobs --quiet --help" "$(z latent run x.yaml --no)"
  cd "$tmp" || exit 1
fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
