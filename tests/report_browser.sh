#!/bin/sh
# report.html in a real browser: runs pipelines/breast_cancer.yaml, opens its
# report in headless Chromium and checks that it rendered with no console
# message and every plot decoded (the page's own script marks
# <html data-render="ok images:N/M">); keeps a screenshot in the build folder.
# Then the same for a sweep report written from a hand-made summary, and a
# click on a column's name to check that its table sorts.
# Skips (exit 77) only when chromium is not installed.
# usage: report_browser.sh LATENT SWEEP_DEMO SOURCE_ROOT BUILD_ROOT
set -u
if ! command -v chromium > /dev/null 2>&1; then
  echo "chromium is not installed (tools/setup.sh installs it): skipped"
  exit 77
fi
latent=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
demo=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
root=$(cd "$3" && pwd)
build=$(cd "$4" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
  echo "FAIL $*"
  failures=$((failures + 1))
}

# chromium OUT ARGS...: stdout to OUT.out, stderr (console messages
# included) to OUT.log. No network, no profile left behind.
chromium_run() {
  out=$1
  shift
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$tmp/profile" --enable-logging=stderr --v=0 "$@" > "$out.out" 2> "$out.log"
}

# check_page NAME URL IMAGES SCREENSHOT: renders, no console output, IMAGES images.
check_page() {
  name=$1 url=$2 images=$3 shot=$4
  chromium_run "$tmp/$name" --virtual-time-budget=10000 --dump-dom "$url" ||
    fail "$name: chromium exited with $?"
  want="data-render=\"ok images:$images/$images\""
  got=$(grep -o 'data-render="[^"]*"' "$tmp/$name.out" | head -n 1)
  [ "$got" = "$want" ] || fail "$name: expected $want, got ${got:-no mark (the page's script did not run)}"
  if grep -q 'CONSOLE' "$tmp/$name.log"; then
    fail "$name: console messages:"
    grep 'CONSOLE' "$tmp/$name.log" | sed 's/^/    /'
  fi
  rm -f "$shot"
  chromium_run "$tmp/$name-shot" --hide-scrollbars --window-size=1280,2000 --screenshot="$shot" "$url"
  if [ -s "$shot" ] && [ "$(head -c 4 "$shot" | tail -c 3)" = "PNG" ]; then
    echo "$name: screenshot in $shot"
  else
    fail "$name: no screenshot written to $shot"
  fi
}

# The run report.
run="$tmp/run"
"$latent" run "$root/pipelines/breast_cancer.yaml" --out "$run" --quiet || fail "latent run exited with $?"
[ -f "$run/report.html" ] || fail "no report.html in the run folder"
grep -q '"report.html"' "$run/run.json" || fail "run.json does not list report.html"
if grep -Eq '(src|href)="(https?:)?//' "$run/report.html"; then
  fail "report.html refers to the network"
fi
plots=$(find "$run/plots" -name '*.png' | wc -l)
[ "$plots" -gt 0 ] || fail "the run drew no plots"
check_page run "file://$run/report.html" "$plots" "$build/report-screenshot.png"
for png in "$run"/plots/*.png; do
  name=$(basename "$png")
  grep -q "plots/$name</figcaption>" "$tmp/run.out" || fail "run: no figure captioned plots/$name"
done
grep -q '<span class="verdict ok">ok</span>' "$tmp/run.out" || fail "run: no expectation verdicts"

# The sweep report, and sorting its table by a click on a column's name.
"$demo" "$root/tests/report/sweep_summary.json" "$tmp/sweep.html" "$run"/plots/*.png ||
  fail "sweep_report_demo exited with $?"
check_page sweep "file://$tmp/sweep.html" "$plots" "$build/report-sweep-screenshot.png"
chromium_run "$tmp/sort" --allow-file-access-from-files --virtual-time-budget=10000 --dump-dom \
  "file://$root/tests/report/sort_check.html?column=logreg.test_accuracy&report=file://$tmp/sweep.html"
# Ascending, then descending; the point without a value stays last.
up="0.916083916083916,0.9230769230769231,0.9300699300699301,0.9370629370629371,0.951048951048951,0.958041958041958,0.965034965034965, (ascending)"
down="0.965034965034965,0.958041958041958,0.951048951048951,0.9370629370629371,0.9300699300699301,0.9230769230769231,0.916083916083916, (descending)"
got=$(sed -n 's/.*data-result="\([^"]*\)".*/\1/p' "$tmp/sort.out")
[ "$got" = "up:$up down:$down" ] || fail "sweep: sorting by logreg.test_accuracy gave '$got'"

if [ "$failures" -eq 0 ]; then
  echo "report in the browser: ok"
fi
[ "$failures" -eq 0 ]
