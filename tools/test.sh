#!/bin/sh
# The whole test suite: unit, golden and bad-input tests on the release
# build, then all of them again under AddressSanitizer and UBSan.
set -eu
cd "$(dirname "$0")/.."
# --slurm: tests/slurm starts a private Slurm on localhost to submit a sweep
# to; --mpi: the MPI build and tests/mpi; --fuzz: tools/fuzz.sh.
tools/setup.sh --slurm --mpi --fuzz

meson test -C build --print-errorlogs

# Several MPI ranks, in their own build (-Dmpi=enabled), where Open MPI is
# installed (tools/setup.sh --mpi).
if command -v mpirun > /dev/null && pkg-config --exists ompi-c; then
  tests/mpi/run.sh build-mpi
fi

# -O2 so the network pipelines train at a usable speed; GCC's format-length
# checks misfire there on sanitizer-instrumented code, so they stay warnings.
[ -d build-asan ] || meson setup build-asan -Dbuildtype=debugoptimized -Db_sanitize=address,undefined \
  -Dc_args="-Wno-error=format-overflow -Wno-error=format-truncation" \
  -Db_lundef=false
ninja -C build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
LSAN_OPTIONS=suppressions="$(pwd)/tests/lsan.supp":print_suppressions=0 \
  meson test -C build-asan --print-errorlogs --timeout-multiplier 4 --no-suite slurm

# Every libFuzzer harness for 60 s under ASan+UBSan, after replaying the
# inputs that once crashed a reader (tests/fuzz/regress).
tools/fuzz.sh 60
