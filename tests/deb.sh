#!/bin/sh
# The Debian package: builds it with `dpkg-buildpackage -us -uc -b` from a
# copy of the working tree (so nothing lands beside the checkout), checks
# the .deb's contents with dpkg-deb, unpacks it into a throw-away root and
# runs `latent --version` and a pipeline from there, and asks apt whether it
# would install (simulated; no root needed). A full build: minutes, so it is
# not part of the suite; tools/setup.sh --deb installs what it needs and
# runs it.
# usage: tests/deb.sh [KEEP_DIR]   (KEEP_DIR receives the .deb)
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
keep=${1:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
tree=$tmp/latent-$version
mkdir "$tree"
(cd "$src" && git ls-files -co --exclude-standard -z | xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$tree"
echo "deb: building latent $version in $tree (log: $tmp/build.log)"
if (cd "$tree" && dpkg-buildpackage -us -uc -b > "$tmp/build.log" 2>&1); then ok; else
  bad "dpkg-buildpackage failed:"; grep -E 'error|FAILED|FAIL:' "$tmp/build.log" | cut -c1-300 | tail -20
  echo "deb: $pass passed, $fail failed"; exit 1
fi
deb=$(ls "$tmp"/latent_"$version"_*.deb)
[ -n "$keep" ] && cp "$deb" "$keep/"

dpkg-deb -c "$deb" | awk '{print $6}' > "$tmp/contents"
for f in ./usr/bin/latent ./usr/share/man/man1/latent.1.gz ./usr/share/bash-completion/completions/latent \
         ./usr/share/zsh/vendor-completions/_latent ./usr/include/latent/stage.h ./usr/include/latent/data.h \
         ./usr/lib/pkgconfig/latent.pc ./usr/share/latent/pipeline.schema.json; do
  grep -qx "$f" "$tmp/contents" && ok || bad "the .deb lacks $f"
done
dpkg-deb -f "$deb" Depends | grep -q 'libopenblas' && ok || bad "Depends lacks OpenBLAS: $(dpkg-deb -f "$deb" Depends)"

root=$tmp/root
dpkg-deb -x "$deb" "$root"
latent=$root/usr/bin/latent
"$latent" --version > "$tmp/version" && grep -q "^latent $version" "$tmp/version" && ok ||
  bad "latent --version from the .deb: $(cat "$tmp/version")"
# lib/latent/plugins of the package's prefix is /usr/lib/latent/plugins.
strings "$latent" | grep -qx '/usr/lib/latent/plugins' && ok || bad "the packaged latent looks for plugins elsewhere"
export LATENT_CACHE_DIR=$tmp/cache
"$latent" check "$src/pipelines/breast_cancer.yaml" --out "$tmp/run" > "$tmp/check.out" 2>&1 && ok ||
  bad "a pipeline run by the packaged latent: $(tail -3 "$tmp/check.out")"
grep -q '7 expectations, 7 ok' "$tmp/check.out" && ok || bad "expectations: $(tail -1 "$tmp/check.out")"
man -l "$root/usr/share/man/man1/latent.1.gz" > /dev/null 2> "$tmp/man.err" && [ ! -s "$tmp/man.err" ] && ok ||
  bad "the packaged man page: $(head -2 "$tmp/man.err")"
if apt-get install -s "$deb" > "$tmp/apt.out" 2>&1; then
  grep -q "^Inst latent " "$tmp/apt.out" && ok || bad "apt would not install it: $(tail -3 "$tmp/apt.out")"
else
  bad "apt-get install -s: $(tail -3 "$tmp/apt.out")"
fi

echo "deb: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
