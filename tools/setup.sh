#!/bin/sh
# Installs what latent needs from Debian's archive, then builds it in build/.
# Safe to run again: apt and meson skip what is already done.
# Optional parts, each with what it adds:
#   --slurm  slurm-wlm and munge, for tests/slurm (a private Slurm on localhost)
#   --mpi    Open MPI, for -Dmpi=enabled and tests/mpi
#   --fuzz   clang's libFuzzer runtime, for tools/fuzz.sh
#   --bench  the reference tools the benchmarks in bench/ run beside latent
#   --deb    what building the Debian package takes, then tests/deb.sh
#            (builds the .deb in a temporary copy, checks it, copies it here)
set -eu
cd "$(dirname "$0")/.."

packages="build-essential meson ninja-build pkg-config
  libyaml-dev libopenblas-dev liblapacke-dev libpng-dev libcunit1-dev zlib1g-dev
  libcairo2-dev fonts-dejavu-core liblbfgs-dev libarpack2-dev libhdf5-dev libzip-dev libfftw3-dev
  dataset-fashion-mnist python3-jsonschema python3-yaml python3-h5py chromium poppler-utils"
deb=false
for opt in "$@"; do
  case $opt in
    --slurm) packages="$packages slurm-wlm munge" ;;
    --mpi) packages="$packages libopenmpi-dev openmpi-bin" ;;
    --fuzz) packages="$packages clang libclang-rt-14-dev" ;;
    --bench) packages="$packages python3-sklearn python3-torch python3-threadpoolctl python3-numpy python3-pandas linux-perf" ;;
    --deb) packages="$packages debhelper dpkg-dev git"; deb=true ;;
    *) echo "setup.sh: unknown option $opt (known: --slurm --mpi --fuzz --bench --deb)" >&2; exit 2 ;;
  esac
done

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi

[ -d build ] || meson setup build
ninja -C build
if $deb; then tests/deb.sh .; fi
