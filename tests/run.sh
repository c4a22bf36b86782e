#!/usr/bin/env bash
# Runs every test twice: in a plain build (the core's 512-byte frame limit,
# the no-undefined-symbols check) and in an AddressSanitizer +
# UndefinedBehaviorSanitizer build, given in CMAKE_C_FLAGS as OSS-Fuzz and
# most CI do; warnings are errors in both (NTX_WERROR, off by default for
# those who only build the library). Then every libFuzzer harness for a
# bounded time (clang, ASan + UBSan; NTX_FUZZ_SECONDS each, default 15; 0
# skips that stage).
# usage: tests/run.sh [ctest arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# how long each stage took, printed at the end (CI must stay well under 15 min)
stages=()
stage_done() { stages+=("$(printf '%5d s  %s' $((SECONDS - t0)) "$1")"); t0=$SECONDS; }
t0=$SECONDS

mkdir -p build
for cfg in plain sanitize; do
  dir=build/test-$cfg
  # NTX_SANITIZE= clears the shorthand a build directory may still cache.
  # Both builds share the unpacked Windows disks (30 s to unpack).
  args=(-DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS= -DNTX_SANITIZE= -DNTX_WERROR=ON
    "-DNTX_REALWORLD_IMAGES=$PWD/build/realworld-images")
  [ "$cfg" = sanitize ] && args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DNTX_SANITIZE= -DNTX_WERROR=ON
    "-DNTX_REALWORLD_IMAGES=$PWD/build/realworld-images"
    "-DCMAKE_C_FLAGS=-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer")
  echo "=== $cfg build ($dir)"
  cmake -S . -B "$dir" "${args[@]}" > "$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; exit 1; }
  cmake --build "$dir" -j "$jobs"
  stage_done "$cfg build"
  (cd "$dir" && ctest --output-on-failure -j "$jobs" "$@")
  stage_done "$cfg tests"
done
fuzz_secs=${NTX_FUZZ_SECONDS:-15}
if [ "$fuzz_secs" != 0 ]; then
  echo "=== fuzz: every harness ${fuzz_secs} s from its corpus (build/test-fuzz)"
  NTX_FUZZ_BUILD=build/test-fuzz NTX_WERROR=ON tests/fuzz/run-ci.sh "$fuzz_secs"
  stage_done "fuzz (build and runs)"
fi
printf '%s\n' "${stages[@]}"
echo "=== all tests passed (plain, ASan+UBSan, fuzz) in $SECONDS s"
