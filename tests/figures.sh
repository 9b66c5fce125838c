#!/bin/sh
# Figures as png, svg and pdf: the PDF rasterised by pdftoppm (poppler) is
# the PNG's picture at the PNG's size, dpi and size set the pixels, and the
# vector files carry the PNG's provenance (PDF info dictionary, SVG
# metadata).
# usage: figures.sh LATENT FIGURE_COMPARE
set -u
latent=$1
compare=$2
command -v pdftoppm > /dev/null && command -v pdfinfo > /dev/null || { echo "no poppler-utils"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LATENT_CACHE_DIR="$tmp/cache" LATENT_NO_PLUGINS=1
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# within "mean=M far=F" MAX_MEAN MAX_FAR: true when both are at most the bounds
within() {
  echo "$1" | awk -v m="$2" -v f="$3" '{split($3, a, "="); split($4, b, "="); r = NF == 4 && a[2] <= m && b[2] <= f}
                                        END {exit !r}'
}

cat > "$tmp/f.yaml" <<'YEOF'
pipeline: figures
seed: 0
stages:
  data:  {use: dataset.gaussian, with: {n: 200, mean: [0, 0], cov: [[1, 0.5], [0.5, 1]]}}
  png:   {use: plot.scatter, input: data, with: {title: same}}
  pdf:   {use: plot.scatter, input: data, with: {title: same, format: pdf}}
  svg:   {use: plot.scatter, input: data, with: {title: same, format: svg}}
  big:   {use: plot.scatter, input: data, with: {title: same, dpi: 250}}
  bigpdf: {use: plot.scatter, input: data, with: {title: same, dpi: 250, format: pdf}}
  small: {use: plot.scatter, input: data, with: {title: same, size: [3.2, 2.4], dpi: 250}}
  axes:  {use: plot.scatter, input: data, with: {title: same, axes: true}}
  wide:  {use: plot.variance, input: data2.spectrum, with: {size: [8, 3], format: pdf}}
  data2: {use: pca, input: data}
  panels: {use: plot.embedding, input: [data, data2], with: {title: same}}
  named: {use: plot.embedding, input: [data, data2], with: {title: same, titles: "data|data2"}}
  others: {use: plot.embedding, input: [data, data2], with: {title: same, titles: "one|two"}}
YEOF
"$latent" run "$tmp/f.yaml" --out "$tmp/out" --quiet || bad "the figures pipeline failed"
p=$tmp/out/plots
for f in png.png pdf.pdf svg.svg big.png bigpdf.pdf small.png wide.pdf; do
  [ -s "$p/$f" ] && ok || bad "no $f"
done
grep -q '"file": "plots/pdf.pdf"' "$tmp/out/metrics.json" && ok || bad "the pdf stage's file metric"

# The PDF at the PNG's dpi is the PNG's picture (antialiasing aside)...
pdftoppm -r 125 "$p/pdf.pdf" "$tmp/pdf"
got=$("$compare" "$p/png.png" "$tmp/pdf-1.ppm")
case $got in "800x600 800x600 "*) ok ;; *) bad "pdf at 125 dpi vs png: $got" ;; esac
within "$got" 1.5 0.01 && ok || bad "the PDF does not render as the PNG: $got"
# ... and a different picture of the same size is far from it.
got=$("$compare" "$p/small.png" "$tmp/pdf-1.ppm")
within "$got" 5 0.05 && bad "the comparison cannot tell figures apart: $got" || ok
pdftoppm -r 250 "$p/bigpdf.pdf" "$tmp/big"
got=$("$compare" "$p/big.png" "$tmp/big-1.ppm")
case $got in "1600x1200 1600x1200 "*) ok ;; *) bad "dpi 250: $got" ;; esac
within "$got" 1.5 0.01 && ok || bad "the 250 dpi PDF does not render as its PNG: $got"
case $("$compare" "$p/small.png" "$tmp/big-1.ppm") in "800x600 "*) ok ;; *) bad "size [3.2, 2.4] at 250 dpi is not 800 x 600" ;; esac
pdfinfo "$p/wide.pdf" | grep -q '^Page size: *576 x 216 pts' && ok || bad "size [8, 3] is not 576 x 216 pt"

# Provenance: the PNG's text chunks, in the PDF's info and the SVG's metadata.
hash=$(grep -ao 'latent:config-hash.[0-9a-f]\{16\}' "$p/png.png" | tail -c 17)
[ ${#hash} -eq 16 ] && ok || bad "no config hash in the PNG"
pdfinfo "$p/pdf.pdf" > "$tmp/info"
grep -q '^Title: *figures$' "$tmp/info" && grep -q '^Creator: *latent [0-9]' "$tmp/info" &&
  grep -q "^Keywords: *Software=latent [0-9.]*; Title=figures; latent:config-hash=$hash\$" "$tmp/info" && ok ||
  bad "the PDF's info dictionary: $(cat "$tmp/info" | head -4)"
grep -q "<latent:text xmlns:latent=\"https://latent.invalid/provenance\" key=\"latent:config-hash\">$hash</latent:text>" \
  "$p/svg.svg" && ok || bad "the SVG's metadata lacks the config hash"
if command -v xmllint > /dev/null; then xmllint --noout "$p/svg.svg" && ok || bad "the SVG is not well-formed XML"; fi
grep -q 'width="460.8pt" height="345.6pt"' "$p/svg.svg" && ok || bad "the SVG is not 6.4 x 4.8 in"
# Panels without titles are named by the stages they show: the picture is
# the one with those titles given, and not the one with others.
within "$("$compare" "$p/panels.png" "$p/named.png")" 0 0 && ok ||
  bad "plot.embedding's panels are not titled by their inputs' stage names"
within "$("$compare" "$p/panels.png" "$p/others.png")" 0 0 && bad "the panel titles do not show" || ok
# Principal axes only when asked (on a PCA projection they would redraw the
# plot's own axes): the default draws none and reports none.
/usr/bin/python3 -c 'import json, sys; m = json.load(open(sys.argv[1]))
sys.exit(not ("components" not in m["png"] and len(m["axes"]["components"]) == 2))' "$tmp/out/metrics.json" &&
  ok || bad "plot.scatter draws principal axes by default (or not when asked)"
within "$("$compare" "$p/png.png" "$p/axes.png")" 0 0 && bad "axes: true draws the default picture" || ok
# The report shows the SVG inline.
grep -q 'data:image/svg+xml;base64,' "$tmp/out/report.html" && ok || bad "the report does not show the SVG"

echo "figures: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
