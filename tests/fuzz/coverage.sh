#!/usr/bin/env bash
# Line, function and region coverage of the core (src/) reached by fuzz
# corpora: a clang source-based coverage build of the replay programs, run
# over the seed corpus plus any corpus directories given (for example a
# campaign's build/fuzz-campaign/corpus), then llvm-cov report on src/.
#
#   tests/fuzz/coverage.sh [CORPUS_ROOT...]
#
# Each CORPUS_ROOT holds <harness>/ directories. NTX_FUZZ_COV_BUILD sets the
# build directory (default build/fuzz-cov); NTX_FUZZ_SRC the CMake source.
set -euo pipefail
cd "$(dirname "$0")/../.."
TOP=$PWD
BUILD=${NTX_FUZZ_COV_BUILD:-build/fuzz-cov}
ROOTS=("$TOP/fixtures/corpus" "$TOP/fixtures/corpus/regress" "$@")
HARNESSES=$(grep -v "^#" "$TOP/tests/fuzz/harnesses.txt" | awk "{print \$1}")
cmake -S "${NTX_FUZZ_SRC:-.}" -B "$BUILD" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_FLAGS="-fprofile-instr-generate -fcoverage-mapping" \
      -DCMAKE_EXE_LINKER_FLAGS="-fprofile-instr-generate" -DNTX_WERROR=OFF \
      -DNTX_BUILD_BENCH=OFF -DNTX_BUILD_EXAMPLES=OFF > "$BUILD.configure.log" 2>&1 ||
    { cat "$BUILD.configure.log"; exit 1; }
targets=()
for h in $HARNESSES; do targets+=("replay_$h"); done
cmake --build "$BUILD" -j "$(nproc)" --target "${targets[@]}" > "$BUILD.build.log" 2>&1 ||
    { tail -30 "$BUILD.build.log"; exit 1; }
rm -rf "$BUILD/prof"
mkdir -p "$BUILD/prof"
objs=()
for h in $HARNESSES; do
    bin=$(find "$BUILD" -name "replay_$h" -type f -perm -u+x | head -1)
    objs+=(-object "$bin")
    dirs=()
    for r in "${ROOTS[@]}"; do [ -d "$r/$h" ] && dirs+=("$r/$h"); done
    [ ${#dirs[@]} -gt 0 ] || continue
    LLVM_PROFILE_FILE="$BUILD/prof/$h-%p.profraw" "$bin" "${dirs[@]}" 2>&1 | tail -1 | sed "s/^/$h: /"
done
llvm-profdata merge -sparse "$BUILD"/prof/*.profraw -o "$BUILD/fuzz.profdata"
first=${objs[1]}
llvm-cov report -instr-profile="$BUILD/fuzz.profdata" "$first" "${objs[@]:2}" \
    -ignore-filename-regex='(tests/|/usr/)' | tee "$BUILD/coverage.txt"
