#!/usr/bin/env bash
# Build the libFuzzer harnesses with clang (ASan + UBSan) and run each for a
# bounded time from the seed corpus and the regression reproducers. Any crash,
# sanitizer report, leak, timeout or out-of-memory fails the run.
#
#   tests/fuzz/run-ci.sh [SECONDS]          # default 20 s per harness
#   NTX_FUZZ_SECONDS=60 NTX_FUZZ_JOBS=2 tests/fuzz/run-ci.sh
#   tests/fuzz/run-ci.sh 20 record runlist   # only these harnesses
#   tests/fuzz/run-ci.sh 0                   # build only
#
# Environment: NTX_FUZZ_SECONDS (per harness), NTX_FUZZ_JOBS (harnesses run
# at once; default: the number of CPUs), NTX_FUZZ_BUILD (build directory,
# default build/fuzz), NTX_FUZZ_SRC (CMake source directory, default the
# top of the tree), NTX_WERROR (ON: the core's warnings are errors under
# clang too, as tests/run.sh asks; default OFF). Crash inputs land in
# $NTX_FUZZ_BUILD/artifacts/<harness>/; to keep one as a regression case,
# copy it to fixtures/corpus/regress/<harness>/ (or known-bug/<harness>/
# until the core is fixed) and replay it with
#   $NTX_FUZZ_BUILD/tests/fuzz/fuzz_<harness> FILE   or   replay_<harness> FILE
set -euo pipefail
cd "$(dirname "$0")/../.."
TOP=$PWD
SECONDS_EACH=${1:-${NTX_FUZZ_SECONDS:-20}}
[ $# -gt 0 ] && shift
JOBS=${NTX_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
BUILD=${NTX_FUZZ_BUILD:-build/fuzz}
CORPUS=$TOP/fixtures/corpus
DICT=$TOP/tests/fuzz/ntfs.dict

# harness  max_len  timeout(s), one line each
TABLE=$(grep -v '^#' "$TOP/tests/fuzz/harnesses.txt")

command -v clang >/dev/null || { echo "run-ci: clang not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
mkdir -p "$BUILD"
echo "=== building the fuzz harnesses ($BUILD)"
# The sanitizers in CMAKE_C_FLAGS (as OSS-Fuzz gives them); NTX_SANITIZE=
# clears the shorthand an older build directory may cache.
cmake -S "${NTX_FUZZ_SRC:-.}" -B "$BUILD" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
      -DNTX_SANITIZE= -DNTX_FUZZ=ON -DNTX_WERROR="${NTX_WERROR:-OFF}" \
      -DNTX_BUILD_BENCH=OFF -DNTX_BUILD_EXAMPLES=OFF > "$BUILD/configure.log" 2>&1 ||
    { cat "$BUILD/configure.log"; exit 1; }
targets=()
while read -r h _ _; do targets+=("fuzz_$h"); done <<< "$TABLE"
cmake --build "$BUILD" -j "$JOBS" --target "${targets[@]}" > "$BUILD/build.log" 2>&1 ||
    { tail -50 "$BUILD/build.log"; exit 1; }
BIN=$(dirname "$(find "$BUILD" -name fuzz_volume -type f -perm -u+x | head -1)")
if [ "$SECONDS_EACH" = 0 ]; then
    echo "=== built in $BIN (0 seconds: no fuzzing)"
    exit 0
fi

export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:allocator_may_return_null=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

run_one() { # run_one HARNESS MAXLEN TIMEOUT
    local h=$1 maxlen=$2 to=$3
    local work=$BUILD/corpus/$h art=$BUILD/artifacts/$h log=$BUILD/logs/$h.log
    # libFuzzer keeps its corpus in memory: the volume harness's inputs are
    # images of a few MiB, so its corpus alone passes 2 GiB within the hour.
    local rss=2048
    [ "$h" = volume ] && rss=8192
    rm -rf "$work"
    mkdir -p "$work" "$art" "$(dirname "$log")"
    # libFuzzer writes new inputs into the first directory: a scratch copy.
    local seeds=()
    for d in "$CORPUS/$h" "$CORPUS/regress/$h" "$CORPUS/campaign/$h"; do
        [ -d "$d" ] || continue
        if [ "$h" = volume ]; then # the volume seeds are gzip-compressed
            for f in "$d"/*; do
                case $f in *.gz) gzip -dc "$f" > "$work/$(basename "${f%.gz}")";; *) cp "$f" "$work/";; esac
            done
        else
            seeds+=("$d")
        fi
    done
    local rc=0
    "$BIN/fuzz_$h" -dict="$DICT" -max_total_time="$SECONDS_EACH" -timeout="$to" \
        -rss_limit_mb="$rss" -malloc_limit_mb=1024 -max_len="$maxlen" -use_value_profile=1 \
        -artifact_prefix="$art/" -print_final_stats=1 "$work" "${seeds[@]}" > "$log" 2>&1 || rc=$?
    local execs cov
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
    if [ $rc -ne 0 ]; then
        echo "FAIL $h (rc $rc): $(grep -m1 -E 'ERROR:|runtime error|fuzz contract|timeout|out-of-memory' "$log" || true)"
        ls "$art" | sed "s|^|     artifact: $art/|"
        # CI keeps no files: the report itself, without libFuzzer's chatter
        grep -v -E '^(#[0-9]+|INFO:|MERGE|\*\*\*)' "$log" | head -60 | sed "s|^|     $h: |"
        return 1
    fi
    echo "ok   $h: ${execs:-?} runs in ${SECONDS_EACH}s, $cov"
}

want=("$@")
failed=0
pids=()
names=()
start=$(date +%s)
while read -r h maxlen to; do
    if [ ${#want[@]} -gt 0 ] && [[ ! " ${want[*]} " =~ " $h " ]]; then continue; fi
    run_one "$h" "$maxlen" "$to" &
    pids+=($!)
    names+=("$h")
    if [ ${#pids[@]} -ge "$JOBS" ]; then
        wait "${pids[0]}" || failed=1
        pids=("${pids[@]:1}")
    fi
done <<< "$TABLE"
for p in "${pids[@]}"; do wait "$p" || failed=1; done
echo "=== fuzzing took $(( $(date +%s) - start )) s"
if [ $failed -ne 0 ]; then
    echo "=== FAILED: see $BUILD/logs/ and $BUILD/artifacts/" >&2
    exit 1
fi
echo "=== every harness ran clean"
