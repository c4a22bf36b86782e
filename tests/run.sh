#!/usr/bin/env bash
# Runs every test twice: in a plain build (warnings are errors, the core's
# 512-byte frame limit, the no-undefined-symbols check) and in an
# AddressSanitizer + UndefinedBehaviorSanitizer build.
# usage: tests/run.sh [ctest arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

mkdir -p build
for cfg in plain sanitize; do
  dir=build/test-$cfg
  args=(-DCMAKE_BUILD_TYPE=Release)
  [ "$cfg" = sanitize ] && args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
  [ "$cfg" = sanitize ] && args+=(-DNTX_SANITIZE=address,undefined)
  echo "=== $cfg build ($dir)"
  cmake -S . -B "$dir" "${args[@]}" > "$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; exit 1; }
  cmake --build "$dir" -j "$jobs"
  (cd "$dir" && ctest --output-on-failure -j "$jobs" "$@")
done
echo "=== all tests passed (plain and ASan+UBSan)"
