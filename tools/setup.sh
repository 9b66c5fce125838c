#!/bin/sh
# Installs what latent needs from Debian's archive, then builds it in build/.
# Safe to run again: apt and meson skip what is already done.
# --deb: also what building the Debian package takes, then tests/deb.sh
# (builds the .deb in a temporary copy, checks it, copies it here).
set -eu
cd "$(dirname "$0")/.."
deb=false
for arg in "$@"; do
  case $arg in
    --deb) deb=true ;;
  esac
done

packages="build-essential meson ninja-build pkg-config
  libyaml-dev libopenblas-dev liblapacke-dev libpng-dev libcunit1-dev zlib1g-dev
  libcairo2-dev fonts-dejavu-core liblbfgs-dev libarpack2-dev libhdf5-dev libzip-dev dataset-fashion-mnist
  python3-jsonschema python3-yaml python3-h5py chromium poppler-utils"
if $deb; then packages="$packages debhelper dpkg-dev git"; fi

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
