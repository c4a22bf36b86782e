#!/usr/bin/env bash
# The core needs nothing from outside on a strict-alignment 64-bit target and
# a 32-bit microcontroller too: unaligned copies and struct assignments turn
# into memcpy calls there, 64-bit divisions into libgcc calls, which x86-64
# never shows. Compiles every core source with each cross compiler found
# (riscv64-linux-gnu-gcc, arm-none-eabi-gcc), partially links them and
# fails if anything is left undefined. Exit 77 (skipped) without any.
set -u
src=$1/src
inc=$1/include
# the core's sources (relative to src/), as src/sources.cmake lists them
sources=$(sed -n '/set(NTX_CORE_SOURCES/,/)/p' "$src/sources.cmake" | tr ' ()' '\n\n\n' | grep '\.c$')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
found=0 failed=0
for cc in riscv64-linux-gnu-gcc "arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb"; do
  set -- $cc
  command -v "$1" >/dev/null 2>&1 || continue
  found=1
  for opt in -Os -O2; do
    rm -f "$tmp"/*.o
    for f in $sources; do
      $cc -std=c11 $opt -ffreestanding -fno-builtin -nostdinc -isystem "$($1 -print-file-name=include)" \
        -I"$inc" -fno-tree-loop-distribute-patterns -c "$src/$f" -o "$tmp/${f//\//_}.o" || failed=1
    done
    ld=${1%gcc}ld
    "$ld" -r -o "$tmp/core.o.all" "$tmp"/*.o || failed=1
    und=$(nm -u "$tmp/core.o.all" | awk '{print $2}' | tr '\n' ' ')
    if [ -n "$und" ]; then
      echo "$cc $opt: the core needs: $und"
      failed=1
    else
      echo "$cc $opt: nothing undefined"
    fi
  done
done
[ $found -eq 1 ] || { echo "no cross compiler (gcc-riscv64-linux-gnu, gcc-arm-none-eabi): skipped"; exit 77; }
exit $failed
