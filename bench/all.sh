#!/bin/sh
# Every latent-vs-reference benchmark in bench/ once, at a small size (about
# 8 minutes on 2 cores), then one markdown table: work, latent seconds,
# reference seconds, ratio (reference / latent time: > 1 means latent is
# faster) and, where the work is products, latent's fraction of the
# machine's measured product peak (bench/sgemm_peak: the faster of cblas_sgemm
# and nn/smallmm per shape; bench/smallmm_bench compares the two).
#
# Contract: each bench prints its usual human-readable summary; all.sh keeps
# its whole output in $LOG_DIR/NAME.log and an extractor below (one awk
# per bench, keyed on the summary lines the bench prints today) turns it
# into rows `work|latent s|ref s|ratio|peak`. A bench whose output has no
# such summary prints, at the end, one line per result
#   BENCH| work | latent s | ref s | ratio | peak |
# and all.sh takes every `^BENCH|` line of any log as a row as well. A
# value a bench does not measure is "-"; a bench that fails (a missing
# reference package: exit 3, see bench/need.sh) gives a row saying so, and
# the others still run. Changing a bench's summary wording means changing
# its extractor here.
# Not included: bench/mpi_scaling.sh (scaling over ranks, no reference) and
# the memory half of bench/pca_solvers.sh; the conv AE unless CONV=1.
# usage: [CONV=1] bench/all.sh [LOG_DIR]   (after meson setup build && ninja -C build)
set -u
cd "$(dirname "$0")/.."
logs=${1:-$(mktemp -d)}
mkdir -p "$logs"
ninja -C build > /dev/null || exit 1
rows="$logs/rows"
: > "$rows"

# run NAME CMD...: the bench's output to $logs/NAME.log; on failure a row
# naming the exit status and the log's last line.
run() {
  name=$1; shift
  echo "$(date -u +%T) $name: $*" >&2
  "$@" > "$logs/$name.log" 2>&1 && return 0
  rc=$?
  echo "$name|failed (exit $rc): $(tail -n 1 "$logs/$name.log" | tr '|' '/')|-|-|-" >> "$rows"
  return 1
}

# The summary lines' numbers, per bench (awk: n() is the first number after
# a pattern).
AWKLIB='function n(s, p,  t) { t = substr(s, index(s, p) + length(p)); match(t, /[0-9.]+/); return substr(t, RSTART, RLENGTH) + 0 }
function row(w, l, r, q, pk) { printf "%s|%.3f|%.3f|%.2fx|%s\n", w, l, r, q, pk }'

run stacked_ae bench/stacked_ae_bench.sh 1 1 && awk "$AWKLIB"'
  /^ *latent: .* s per epoch/ { l = n($0, "latent:") }
  /^ *torch [12] threads?: .* s per epoch/ { t = n($0, ":"); if (r == "" || t < r) r = t }
  /fraction of peak:/ { pk = n($0, "peak:") "% of 2-core product peak" }
  END { row("stacked AE epoch (55000 images)", l, r, r / l, pk) }' "$logs/stacked_ae.log" >> "$rows"

run denoising bench/denoising_bench.sh 1 2 && awk "$AWKLIB"'
  /^median epoch:/ { l = n($0, "latent"); r = n($0, "pytorch") }
  END { row("denoising AE epoch (55000 images)", l, r, r / l, "-") }' "$logs/denoising.log" >> "$rows"

# One conv AE epoch on 55000 images takes PyTorch minutes per thread setting
# here (over 5 minutes in all on a shared 2-core machine): only with CONV=1.
[ "${CONV:-0}" = 1 ] && run conv_ae bench/conv_ae_bench.sh 1 && awk "$AWKLIB"'
  /^ *latent: .* s per epoch wall/ { l = n($0, "latent:") }
  /^ *torch [12] threads?: .* s per epoch wall/ { t = n($0, ":"); if (r == "" || t < r) r = t }
  /GFLOP\/s wall/ { pk = sprintf("%.0f%% of 2-core sgemm floor", 100 / n($0, "wall (")) }
  END { row("conv AE epoch (55000 images)", l, r, r / l, pk) }' "$logs/conv_ae.log" >> "$rows"

# Both thread counts: on a busy machine PyTorch's 2-thread epoch can take many
# times its 1-thread one (spinning OpenMP threads), so each has its row.
run vae bench/vae_bench.sh 1 && awk "$AWKLIB"'
  /^ *latent [12] threads?: / { l[$2] = n($0, ":") }
  /^ *torch [12] threads?: / { r[$2] = n($0, ":") }
  /^ *GFLOP\/s: / { g[1] = n($0, "latent"); g[2] = n($0, "(1 thread),"); c = n($0, "same shapes") }
  END { for (t = 1; t <= 2; t++)
          row("VAE epoch, " t " thread" (t > 1 ? "s" : "") " (55000 images)", l[t], r[t], r[t] / l[t],
              sprintf("%.0f%% of %d x 1-thread sgemm", 100 * g[t] / (t * c), t)) }' \
  "$logs/vae.log" >> "$rows"

run recurrent_ae bench/recurrent_ae_bench.sh 1 2 5000 && awk "$AWKLIB"'
  /^one epoch on/ { l = n($0, "latent"); r = n($0, "pytorch") }
  END { row("recurrent AE epoch (5000 images)", l, r, r / l, "-") }' "$logs/recurrent_ae.log" >> "$rows"

run manifolds /usr/bin/python3 bench/manifolds.py 1 tsne mds isomap && awk "$AWKLIB"'
  /^[^ ].*: latent median/ { w = $0; sub(/: latent median.*/, "", w)
    row(w, n($0, "latent median"), n($0, "scikit-learn median"),
        n($0, "scikit-learn median") / n($0, "latent median"), "-") }' "$logs/manifolds.log" >> "$rows"

run kpca bench/kpca_bench.sh 3 && awk "$AWKLIB"'
  /scikit-learn: median/ { r = n($0, "median") / 1000 }
  /latent .*: median/ && l == "" { l = n($0, "median") / 1000 }
  END { row("kernel PCA rbf 5000", l, r, r / l, "-") }' "$logs/kpca.log" >> "$rows"

run pca bench/run_pca.sh 2 --reps 3 --latent auto && awk "$AWKLIB"'
  /^[0-9]+ x [0-9]+/ { size = $1 " x " $3 }
  /^  latent auto/ { l = n($0, ")") }
  /^  sklearn full/ { s = n($0, "full") }
  /^  numpy cov\+eigh/ { m = n($0, "eigh") }
  /^  numpy +\/ latent auto/ {
    row("PCA " size " vs scikit-learn full", l, s, s / l, "-")
    row("PCA " size " vs numpy cov+eigh", l, m, m / l, "-") }' "$logs/pca.log" >> "$rows"

run pca_solvers bench/pca_solvers.sh 1 speed && awk "$AWKLIB"'
  /^ *(randomized|incremental): latent/ { w = $1; sub(/:/, "", w)
    row(w " PCA 60000 x 784, k=30", n($0, "latent"), n($0, "scikit-learn"), n($0, "scikit-learn") / n($0, "latent"), "-") }' \
  "$logs/pca_solvers.log" >> "$rows"

run pca_memory bench/pca_memory.sh 1

for b in breast_cancer fashion_mnist_load; do
  run "$b" "bench/$b.sh" 3 && awk "$AWKLIB"'
    /^ *latent: median/ { l = n($0, "median") / 1000 }
    /^ *python: median/ { r = n($0, "median") / 1000 }
    END { row(W " (whole process)", l, r, r / l, "-") }' W="$b" "$logs/$b.log" >> "$rows"
done

# Any bench's own BENCH| lines.
cat "$logs"/*.log | sed -n 's/^BENCH| *\(.*[^ ]\) *| *$/\1/p' | sed 's/ *| */|/g' >> "$rows"

echo "| work | latent s | reference s | ratio (ref / latent) | fraction of peak |"
echo "|---|---|---|---|---|"
awk -F'|' '{ printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5 }' "$rows"
echo "logs: $logs" >&2
