# Sourced by the benches (after `cd` to the repository root): bench_need
# MODULE... checks that Debian's /usr/bin/python3 can import each reference
# module, and if one is missing says which Debian package installs it and
# exits 3, so a machine without the reference tools gets one line, not a
# Python traceback. `tools/setup.sh --bench` installs them all.
bench_need() {
  for m in "$@"; do
    /usr/bin/python3 -c "import $m" 2>/dev/null && continue
    case $m in
      sklearn) p=python3-sklearn ;; torch) p=python3-torch ;;
      threadpoolctl) p=python3-threadpoolctl ;; numpy) p=python3-numpy ;;
      *) p=python3-$m ;;
    esac
    echo "$0: the reference needs Python module '$m': apt-get install $p (or tools/setup.sh --bench)" >&2
    exit 3
  done
}
