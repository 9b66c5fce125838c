#!/bin/sh
# Runs every libFuzzer harness (tests/fuzz) for SECONDS each under
# AddressSanitizer and UBSan, from seed corpora made of the project's own
# pipelines, bad-input cases and fixtures, after replaying every committed
# regression input (tests/fuzz/regress/HARNESS/). Exits 1 on the first crash,
# leak or sanitizer report, leaving the input in build-fuzz/crashes/.
# usage: tools/fuzz.sh [SECONDS]   (default 60)
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-60}
for need in clang:clang /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a:libclang-rt-14-dev; do
  file=${need%%:*}
  if ! command -v "$file" >/dev/null 2>&1 && [ ! -e "$file" ]; then
    echo "fuzz.sh: $file is missing; run tools/setup.sh --fuzz (Debian package ${need##*:})" >&2
    exit 2
  fi
done

build=build-fuzz
[ -d $build ] || CC=clang meson setup $build -Dfuzz=true -Dbuildtype=debugoptimized \
  -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
harnesses="pipeline csv npy idx json npz hdf5"
targets=""
for h in $harnesses; do targets="$targets tests/fuzz/fuzz_$h"; done
ninja -C $build $targets >/dev/null

# Seeds: what the project already knows to be interesting input.
seeds=$build/seeds
rm -rf $seeds
for h in $harnesses; do mkdir -p $seeds/$h; done
cp pipelines/*.yaml tests/bad/*.yaml $seeds/pipeline/
for f in tests/bad/data/*.csv data/*.csv; do
  [ -f "$f" ] || continue
  # Two option bytes first (see fuzz_csv.c): with and without a header and a label.
  { printf '\001\000'; cat "$f"; } > "$seeds/csv/h-$(basename "$f")"
  { printf '\006\000'; cat "$f"; } > "$seeds/csv/l-$(basename "$f")"
done
cp tests/reference/npy/*.npy $seeds/npy/
cp tests/bad/models/*.npz $seeds/npz/
# IDX: a 2 x 2 x 2 image file, plain and gzipped, and a 3-item label file;
# the first byte asks for 3 and 1 dimensions (see fuzz_idx.c).
printf '\002\000\000\010\003\000\000\000\002\000\000\000\002\000\000\000\002\001\002\003\004\005\006\007\010' > $seeds/idx/images
{ printf '\002'; printf '\000\000\010\003\000\000\000\002\000\000\000\002\000\000\000\002\001\002\003\004\005\006\007\010' | gzip -c; } > $seeds/idx/images.gz
printf '\000\000\000\010\001\000\000\000\003\000\001\002' > $seeds/idx/labels
# HDF5: the input is a recipe for a valid file, not the file (see
# fuzz_hdf5.c). One float32 table of 5 x 3, chunked and compressed, with
# feature_names (ab, c, ab: a repeat) and int32 labels, then read as /x
# with columns by name and labels; and one of 4 x 2 x 2 variable-length
# strings, which the reader must refuse by name.
z20='\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000'
{ printf '\000\002\005\003\001\000\001\001\000\001\000'; printf "$z20$z20$z20"
  printf '\001\001\001\002\000\001\001\002\002\000\001'
  printf '\001\001\001\000\000'; printf "$z20"
  printf '\001\001\001\002\001\001\002\002\000\001\001\001\001'; } > $seeds/hdf5/table
printf '\003\003\004\002\002\000\012\000\002\001\002\002\003\001\003\000\001\002' > $seeds/hdf5/strings
for f in tests/reference/*.json tests/diff/*.json; do
  [ -f "$f" ] && [ "$(wc -c < "$f")" -lt 65536 ] && cp "$f" $seeds/json/
done

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
mkdir -p $build/crashes
status=0
printf '| harness | seconds | executions | corpus | result |\n|---|---|---|---|---|\n'
for h in $harnesses; do
  exe=$build/tests/fuzz/fuzz_$h
  log=$build/fuzz_$h.log
  regress=tests/fuzz/regress/$h
  # Every input that once crashed a reader must keep passing.
  if [ -d $regress ] && [ -n "$(ls $regress)" ]; then
    if ! $exe $regress/* > $log 2>&1; then
      printf '| %s | - | - | - | regression input fails: see %s |\n' $h $log
      status=1
      continue
    fi
  fi
  corpus=$build/corpus/$h
  mkdir -p $corpus
  if $exe -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=20 \
       -print_final_stats=1 -artifact_prefix=$build/crashes/$h- \
       $corpus $seeds/$h > $log 2>&1; then
    result=clean
  else
    result="FAILED: see $log and $build/crashes/"
    status=1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' $log | tail -n 1)
  printf '| %s | %s | %s | %s | %s |\n' $h "$seconds" "${execs:-?}" "$(ls $corpus | wc -l)" "$result"
done
exit $status
