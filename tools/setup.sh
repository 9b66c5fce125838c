#!/bin/sh
# Installs what latent needs from Debian's archive, then builds it in build/.
# Safe to run again: apt and meson skip what is already done.
#   --slurm  also slurm-wlm and munge, for tests/slurm (a private Slurm on localhost)
#   --mpi    also Open MPI, for -Dmpi=enabled and tests/mpi
set -eu
cd "$(dirname "$0")/.."

packages="build-essential meson ninja-build pkg-config
  libyaml-dev libopenblas-dev liblapacke-dev libpng-dev libcunit1-dev zlib1g-dev
  libcairo2-dev fonts-dejavu-core liblbfgs-dev libarpack2-dev dataset-fashion-mnist
  python3-jsonschema python3-yaml chromium"
for opt in "$@"; do
  case $opt in
    --slurm) packages="$packages slurm-wlm munge" ;;
    --mpi) packages="$packages libopenmpi-dev openmpi-bin" ;;
    *) echo "setup.sh: unknown option $opt" >&2; exit 2 ;;
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
