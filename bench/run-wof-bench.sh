#!/usr/bin/env bash
# Build ntx_bench_wof (Release) and print the WOF decompression table: ntx,
# wimlib and libfwnt side by side on text, x86-64 code and word salad.
#
#   bench/run-wof-bench.sh [BUILD_DIR] [-- ntx_bench_wof options]
#   bench/run-wof-bench.sh build/bench -- --mib 16 --repeat 15
#
# Needs libwim-dev; libfwnt-dev adds the libfwnt column (apt-get install
# libwim-dev libfwnt-dev). On a busy machine, raise --repeat: each cell is
# the fastest of the passes.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/bench-wof}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DNTX_BUILD_TESTS=OFF -DNTX_BUILD_FUSE=OFF \
      -DNTX_BUILD_CLI=OFF -DNTX_BUILD_EXAMPLES=OFF > "$BUILD.configure.log" 2>&1 ||
    { cat "$BUILD.configure.log"; exit 1; }
cmake --build "$BUILD" -j2 --target ntx_bench_wof > "$BUILD.build.log" 2>&1 ||
    { tail -30 "$BUILD.build.log"; exit 1; }
exec "$BUILD/bench/ntx_bench_wof" "$@"
