#!/bin/sh
# `meson install --destdir`: every installed file is there, the installed
# latent runs, the example plugin builds out of tree against the installed
# header through pkg-config and gives scikit-learn's numbers, and bad
# plugins are refused with the documented messages.
# usage: install.sh BUILD_DIR SOURCE_ROOT PREFIX
set -u
build=$1
src=$(cd "$2" && pwd)
prefix=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LATENT_CACHE_DIR="$tmp/cache"
unset LATENT_PLUGIN_PATH LATENT_NO_PLUGINS
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
same() { # same FILE EXPECTED-TEXT WHAT
  if [ "$(cat "$1")" = "$2" ]; then ok; else bad "$3: got '$(cat "$1")', expected '$2'"; fi
}

dest=$tmp/root
meson install -C "$build" --destdir "$dest" --no-rebuild --quiet > "$tmp/install.log" 2>&1 ||
  { bad "meson install failed: $(tail -5 "$tmp/install.log")"; echo "install: $pass passed, $fail failed"; exit 1; }
root=$dest$prefix
for f in bin/latent share/man/man1/latent.1 share/bash-completion/completions/latent \
         share/zsh/site-functions/_latent include/latent/stage.h include/latent/data.h \
         lib/pkgconfig/latent.pc share/latent/pipeline.schema.json; do
  [ -s "$root/$f" ] && ok || bad "not installed: $f"
done
latent=$root/bin/latent
"$latent" --version > "$tmp/version" 2>&1 && ok || bad "installed latent --version failed"
grep -q '^latent [0-9]' "$tmp/version" && grep -q '^openblas: OpenBLAS' "$tmp/version" && ok ||
  bad "--version lacks the version or the OpenBLAS line: $(cat "$tmp/version")"
# The man page has a section for every command and every stage kind.
for c in run check validate sweep stages schema cache diff init man completion; do
  grep -q "^\.SS \"latent $c" "$root/share/man/man1/latent.1" && ok || bad "man page lacks command $c"
done
"$latent" stages | awk '{print $1}' > "$tmp/kinds"
while read -r k; do
  grep -qx "\.SS $k" "$root/share/man/man1/latent.1" && ok || bad "man page lacks stage kind $k"
done < "$tmp/kinds"
man -l "$root/share/man/man1/latent.1" > /dev/null 2> "$tmp/man.err" && [ ! -s "$tmp/man.err" ] && ok ||
  bad "man -l warns: $(head -3 "$tmp/man.err")"
# The installed pipeline runs (outputs outside the read-only-looking root).
cp "$src/pipelines/breast_cancer.yaml" "$tmp/bc.yaml"
sed -i 's|\$schema=.*|$schema=none|' "$tmp/bc.yaml"
"$latent" check "$tmp/bc.yaml" --out "$tmp/bc" --quiet > "$tmp/bc.out" 2>&1 && ok ||
  bad "installed latent check failed: $(tail -3 "$tmp/bc.out")"

# The plugin, out of tree, against the installed header only.
export PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_PATH=$root/lib/pkgconfig PKG_CONFIG_LIBDIR=$root/lib/pkgconfig
cp -r "$src/examples/plugin" "$tmp/plugin"
if meson setup "$tmp/plugin/build" "$tmp/plugin" > "$tmp/plugin.log" 2>&1 &&
   ninja -C "$tmp/plugin/build" >> "$tmp/plugin.log" 2>&1; then ok; else
  bad "the example plugin does not build: $(tail -5 "$tmp/plugin.log")"
fi
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH PKG_CONFIG_LIBDIR
so=$tmp/plugin/build/scaler_robust.so
export LATENT_PLUGIN_PATH=$tmp/nothing-here:$tmp/plugin/build
"$latent" stages scaler > "$tmp/scalers" 2>&1
grep -q '^  scaler.robust ' "$tmp/scalers" && ok || bad "latent stages scaler lacks the plugin: $(cat "$tmp/scalers")"
"$latent" stages scaler.robust | grep -qx "  plugin: $so" && ok || bad "latent stages scaler.robust does not name the plugin"
"$latent" schema | grep -q '"scaler.robust"' && ok || bad "the schema lacks the plugin's kind"
"$latent" man | grep -qx '\.SS scaler\.robust' && ok || bad "the man page lacks the plugin's kind"
"$latent" completion bash | grep -q '^    scaler.robust) echo .with_centering with_scaling quantile_range' && ok ||
  bad "the completion lacks the plugin's parameters"
# Its numbers: the expect block holds scikit-learn's (make_plugin_robust.py).
sed "s|\.\./\.\./pipelines/data/wine.csv|$src/pipelines/data/wine.csv|" "$src/examples/plugin/robust_wine.yaml" \
  > "$tmp/robust.yaml"
"$latent" check "$tmp/robust.yaml" --out "$tmp/r1" --quiet > "$tmp/r1.out" 2>&1 && ok ||
  bad "the plugin's pipeline misses: $(tail -5 "$tmp/r1.out")"
grep -q '19 expectations, 19 ok' "$tmp/r1.out" && ok || bad "not every expectation checked: $(tail -1 "$tmp/r1.out")"
# The cache key holds the plugin's identity: a rebuilt plugin recomputes.
"$latent" run "$tmp/robust.yaml" --out "$tmp/r2" --quiet
grep -q '"robust": true' "$tmp/r2/run.json" && ok || bad "the plugin's stage was not cached"
touch -d '2001-01-01' "$so"
"$latent" run "$tmp/robust.yaml" --out "$tmp/r3" --quiet
grep -q '"robust": false' "$tmp/r3/run.json" && ok || bad "a changed plugin file reused the cache"
# A misspelt plugin kind gets a did-you-mean.
sed 's/use: scaler.robust}/use: scaler.robus}/' "$tmp/robust.yaml" > "$tmp/typo.yaml"
"$latent" validate "$tmp/typo.yaml" 2> "$tmp/typo.err"
grep -q "unknown stage kind 'scaler.robus'; did you mean 'scaler.robust'?" "$tmp/typo.err" && ok ||
  bad "no did-you-mean for a plugin kind: $(cat "$tmp/typo.err")"

# Bad plugins: each refused with one line, the others still load.
mkdir "$tmp/bad"
cat > "$tmp/bad/stub.c" <<'CEOF'
#include <latent/stage.h>
static int run(lt_ctx *c, const void *k, const lt_data *const *in, int n, lt_data **o)
{ (void)c; (void)k; (void)in; (void)n; (void)o; return LT_OK; }
static const lt_stage_def def = {.abi = ABI, .name = NAME, .summary = "x", .run = run};
LT_PLUGIN_STAGES(&def);
CEOF
cc -std=c11 -shared -fPIC -I"$root/include" -DABI=99 -DNAME='"old.kind"' -o "$tmp/bad/a_abi.so" "$tmp/bad/stub.c" &&
cc -std=c11 -shared -fPIC -I"$root/include" -DABI=LT_ABI_VERSION -DNAME='"pca"' -o "$tmp/bad/b_clash.so" "$tmp/bad/stub.c" &&
head -c 4096 /dev/zero | tr "\\0" x > "$tmp/bad/c_broken.so" &&
cc -std=c11 -shared -fPIC -o "$tmp/bad/d_nosym.so" -x c /dev/null || bad "cannot build the bad plugins"
abi=$(sed -n 's/^#define LT_ABI_VERSION \([0-9]*\)/\1/p' "$root/include/latent/stage.h")
LATENT_PLUGIN_PATH=$tmp/bad:$tmp/plugin/build "$latent" stages scaler.robust > "$tmp/bad.out" 2> "$tmp/bad.err" &&
  ok || bad "good plugin not loaded beside bad ones"
cat > "$tmp/bad.want" <<WEOF
latent: plugin $tmp/bad/a_abi.so: built for stage ABI version 99, this latent has version $abi; rebuild it against this latent's headers
latent: plugin $tmp/bad/b_clash.so: stage kind 'pca' is built into latent; plugin not loaded
latent: plugin: $tmp/bad/c_broken.so: invalid ELF header
latent: plugin $tmp/bad/d_nosym.so: exports no lt_plugin_stages (see include/latent/stage.h)
WEOF
cmp -s "$tmp/bad.err" "$tmp/bad.want" && ok || { bad "messages about bad plugins differ:"; diff "$tmp/bad.want" "$tmp/bad.err"; }
LATENT_NO_PLUGINS=1 "$latent" stages scaler.robust > /dev/null 2>&1 && bad "LATENT_NO_PLUGINS loaded plugins" || ok

echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
