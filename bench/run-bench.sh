#!/usr/bin/env bash
# Build the bench image if needed, build ntx in Release and run ntx_bench_read
# on the three files of the image. Prints figures only, never asserts them.
#
#   sudo bench/run-bench.sh [DIR] [-- extra ntx_bench_read options]
#
# Runs the benchmark twice: with the default 512-byte device block and with
# --block 4096.
#
# DIR holds bench.img (default /tmp/ntx-bench; see make-bench-image.sh). The
# build goes to build-bench/ in the repository root. Building the image needs
# root; running the benchmark on an existing image does not.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
DIR=/tmp/ntx-bench
if [ $# -gt 0 ] && [ "$1" != -- ]; then DIR=$1; shift; fi
[ $# -gt 0 ] && [ "$1" = -- ] && shift
IMG=$DIR/bench.img

[ -f "$IMG" ] || "$HERE/make-bench-image.sh" "$DIR"

cd "$ROOT"
# NTX_WERROR=OFF: gcc -O3 reports -Wmaybe-uninitialized false positives that
# -O2 does not; a benchmark build must not stop on them.
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DNTX_BUILD_TESTS=OFF -DNTX_WERROR=OFF \
    >build-bench.log 2>&1 || { cat build-bench.log >&2; exit 1; }
cmake --build build-bench --target ntx_bench_read -j "$(nproc)" >>build-bench.log 2>&1 ||
    { cat build-bench.log >&2; exit 1; }
rm -f build-bench.log

echo "== machine"
echo "cpu:    $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1) ($(nproc) CPUs online)"
echo "kernel: $(uname -srm)"
echo "memory: $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
echo "cc:     $(${CC:-cc} --version | head -1)"
echo "date:   $(date -u +%Y-%m-%dT%H:%MZ)"
echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src include 2>/dev/null || echo ' (src/include modified)')"
echo
BENCH=build-bench/bench/ntx_bench_read
echo "== ntx_bench_read, device block 512 (the ntx_io default)"
"$BENCH" "$IMG" /big.bin /fragmented.bin /c/text.bin "$@"
echo
echo "== ntx_bench_read, device block 4096 (fewer, larger callback calls for unaligned reads)"
"$BENCH" "$IMG" /big.bin /fragmented.bin /c/text.bin --block 4096 "$@" | sed -n '/^path/,$p'
