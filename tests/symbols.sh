#!/bin/sh
# Every global symbol of the latent library is defined once. Two files
# that define the same name link by luck of which object the linker pulls
# first (nn's thread pool once shadowed kernel PCA's lt_parallel_for that
# way), so a clash is a failure here, not a surprise at run time.
# usage: symbols.sh LIBLATENT.a
set -eu
dups=$(nm -g --defined-only "$1" | awk 'NF == 3 && $2 ~ /[TDBRC]/ {print $3}' | sort | uniq -d)
if [ -n "$dups" ]; then
  echo "defined more than once in $1:"
  echo "$dups" | sed 's/^/  /'
  exit 1
fi
echo "$(nm -g --defined-only "$1" | awk 'NF == 3 && $2 ~ /[TDBRC]/' | wc -l) global symbols, each defined once"
