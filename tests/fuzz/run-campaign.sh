#!/usr/bin/env bash
# The long fuzzing campaign: every harness for a given time with one
# libFuzzer worker per CPU sharing a corpus, restarted after each crash,
# timeout or OOM (all kept in artifacts/), the corpus kept between runs, and
# a summary of the figures docs/fuzzing.md records
# (executions, coverage of the final corpus in edges and features, findings).
#
#   tests/fuzz/run-campaign.sh SECONDS [HARNESS...]
#   NTX_FUZZ_JOBS=1 tests/fuzz/run-campaign.sh 3600        # 1 CPU-hour per harness
#   tests/fuzz/run-campaign.sh --stop                      # end early, rows kept
#
# SECONDS is CPU time (user + system) per worker, NTX_FUZZ_JOBS workers per
# harness (default: the CPUs): a worker restarts libFuzzer until its runs have
# had that much CPU, so a busy machine stretches the wall time instead of
# shortening the campaign. (libFuzzer's -fork mode restarts its jobs every
# few seconds, which the volume harnesses' large seeds make slow.)
# --stop ends the running harness at once (libFuzzer prints its final stats on
# SIGTERM), records its row with the CPU it had, and runs no further harness;
# run the harness again later to top it up: --report adds the rows.
# Working state lives in $NTX_FUZZ_CAMPAIGN (default build/fuzz-campaign):
# corpus/<h> (grows run after run), artifacts/<h> (crash-*, timeout-*,
# oom-*), logs/<h>.*. The record is tracked, not in build/, because a campaign
# spans sessions and machines: tests/fuzz/campaign.tsv ($NTX_FUZZ_SUMMARY), one
# row per harness and run; cpu_s is the CPU time the fuzzers really had; "-"
# marks a figure that was not recorded. Commit it with the merged corpus.
#   tests/fuzz/run-campaign.sh --report    # campaign.tsv as a Markdown table
# Then minimize what it found into the repository, so that the next session's
# run goes on from there instead of from the seeds, and CI's short runs and
# the replay tests start from it too:
#   tests/fuzz/run-campaign.sh --merge HARNESS...
# (libFuzzer -merge=1 over the seeds, the reproducers, the kept campaign
# inputs and the campaign corpus; fixtures/corpus/campaign/<h>/ receives what
# adds coverage beyond the seeds and reproducers, which make-seeds.sh and the
# regressions own. Review the size before committing.)
set -euo pipefail
cd "$(dirname "$0")/../.."
TOP=$PWD
JOBS=${NTX_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
CAMP=${NTX_FUZZ_CAMPAIGN:-build/fuzz-campaign}
BUILD=${NTX_FUZZ_BUILD:-build/fuzz}
CORPUS=$TOP/fixtures/corpus
DICT=$TOP/tests/fuzz/ntfs.dict
TABLE=$TOP/tests/fuzz/harnesses.txt
ALL=$(grep -v '^#' "$TABLE" | awk '{print $1}' | tr '\n' ' ')
maxlen() { awk -v h="$1" '$1 == h {print $2}' "$TABLE"; }
SUMMARY=${NTX_FUZZ_SUMMARY:-$TOP/tests/fuzz/campaign.tsv}

# --report: campaign.tsv as the Markdown table docs/fuzzing.md shows,
# one row per harness (runs added up; coverage of the latest run that
# recorded it). Executions are a lower bound ("at least") when a run's count
# was not recorded.
if [ "${1:-}" = "--report" ]; then
    awk -F'\t' 'NR > 1 && $1 !~ /^#/ {
        h = $2; if (!(h in seen)) { seen[h] = 1; order[++n] = h }
        if ($5 == "-") part[h] = 1; else execs[h] += $5
        cpu[h] += $12
        if ($6 != "-") { cov[h] = $6; ft[h] = $7; corp[h] = $8 }
        crash[h] += $9; tmo[h] += $10; oom[h] += $11
    } END {
        print "| harness | CPU hours | executions | edges | features | corpus | crashes | timeouts | OOMs |"
        print "|---|---|---|---|---|---|---|---|---|"
        for (i = 1; i <= n; i++) { h = order[i]
            x = execs[h] + 0 == 0 && part[h] ? "-" : (part[h] ? "≥ " : "") execs[h] + 0
            printf "| %s | %.2f | %s | %s | %s | %s | %d | %d | %d |\n", h, cpu[h] / 3600,
                x, cov[h] == "" ? "-" : cov[h], ft[h] == "" ? "-" : ft[h],
                corp[h] == "" ? "-" : corp[h], crash[h], tmo[h], oom[h] }
    }' "$SUMMARY"
    exit 0
fi

# --stop: see above. The stop file is removed by the next campaign's start.
if [ "${1:-}" = "--stop" ]; then
    touch "$CAMP/stop"
    pkill -TERM -f "fuzz_[a-z_0-9]+ .*-artifact_prefix=$CAMP/" || true
    exit 0
fi

merge=0
if [ "${1:-}" = "--merge" ]; then
    merge=1
    shift
else
    SECS=${1:?usage: run-campaign.sh SECONDS [HARNESS...] | --merge HARNESS...}
    shift
fi
HARNESSES=${*:-$ALL}

# Build the harnesses (run-ci.sh with 0 seconds only builds).
NTX_FUZZ_BUILD=$BUILD tests/fuzz/run-ci.sh 0 >/dev/null
BIN=$(dirname "$(find "$BUILD" -name fuzz_volume -type f | head -1)")
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
mkdir -p "$CAMP"

if [ $merge = 1 ]; then
    for h in $HARNESSES; do
        out=$CAMP/merged/$h known=$CAMP/merged/$h.known keep=$CORPUS/campaign/$h
        rm -rf "$out" "$known"
        mkdir -p "$out" "$known" "$CAMP/logs"
        # What the repository already has, inflated (the volume inputs are gzipped).
        for d in "$CORPUS/$h" "$CORPUS/regress/$h" "$keep"; do
            [ -d "$d" ] || continue
            for f in "$d"/*; do
                case $f in *.gz) gzip -dc "$f" > "$known/$(basename "${f%.gz}")";; *) cp "$f" "$known/";; esac
            done
        done
        "$BIN/fuzz_$h" -merge=1 -max_len="$(maxlen "$h")" "$out" "$known" "$CAMP/corpus/$h" \
            > "$CAMP/logs/merge-$h.log" 2>&1
        # The seeds and reproducers stay where they are: keep only what the
        # campaign found (libFuzzer names merged inputs by their SHA-1).
        for f in "$CORPUS/$h"/* "$CORPUS/regress/$h"/*; do
            [ -f "$f" ] || continue
            case $f in *.gz) sum=$(gzip -dc "$f" | sha1sum);; *) sum=$(sha1sum < "$f");; esac
            rm -f "$out/${sum%% *}"
        done
        if [ "$h" = volume ]; then gzip -9n "$out"/*; fi
        rm -rf "$keep" "$known"
        mkdir -p "$keep"
        cp "$out"/* "$keep"/ 2> /dev/null || true
        echo "$h: seeds + campaign -> $(ls "$keep" | wc -l) inputs beyond the seeds in $keep," \
            "$(du -sh --apparent-size "$keep" | cut -f1)"
    done
    exit 0
fi

rm -f "$CAMP/stop"
[ -f "$SUMMARY" ] || printf 'date\tharness\tseconds\tjobs\texecs\tcov\tft\tcorpus\tcrashes\ttimeouts\tooms\tcpu_s\n' > "$SUMMARY"

# One worker: libFuzzer again and again until its runs have had SECS of CPU,
# so a crash (kept in artifacts/) does not end the campaign. Shares the corpus
# directory. The CPU seconds (user + system) of each run go to
# logs/<h>.<id>.cpu: on a busy machine wall time overstates what it got.
worker() { # worker HARNESS ID SEED_DIRS...
    local h=$1 id=$2 n=0 rss=2048 left TIMEFORMAT='%U %S'
    shift 2
    # libFuzzer keeps its corpus in memory: the volume harness's inputs are
    # images of a few MiB, so its corpus alone passes 2 GiB within the hour.
    [ "$h" = volume ] && rss=8192
    while [ ! -e "$CAMP/stop" ]; do
        left=$(awk -v t="$SECS" '{s += $1 + $2} END {printf "%d", t - s + 1}' "$CAMP/logs/$h.$id.cpu")
        [ "$left" -gt 0 ] || break
        # Wall time bounds each run: at least the CPU still owed (a run that
        # got less because the machine was busy is followed by another), and
        # a minute at least, so the corpus is not reloaded for a few seconds.
        [ "$left" -ge 60 ] || left=60
        { time "$BIN/fuzz_$h" -dict="$DICT" -max_total_time="$left" -timeout=10 \
            -rss_limit_mb="$rss" -malloc_limit_mb=1024 -max_len="$(maxlen "$h")" -use_value_profile=1 \
            -artifact_prefix="$CAMP/artifacts/$h/" -print_final_stats=1 -reload=60 \
            "$CAMP/corpus/$h" "$@" > "$CAMP/logs/$h.$id.$n.log" 2>&1; } 2>> "$CAMP/logs/$h.$id.cpu" || true
        n=$((n + 1))
    done
}

for h in $HARNESSES; do
    work=$CAMP/corpus/$h art=$CAMP/artifacts/$h
    mkdir -p "$work" "$art" "$CAMP/logs"
    rm -f "$CAMP/logs/$h".*.log "$CAMP/logs/$h".*cpu
    [ -e "$CAMP/stop" ] && break
    seeds=()
    for d in "$CORPUS/$h" "$CORPUS/regress/$h" "$CORPUS/campaign/$h"; do
        [ -d "$d" ] || continue
        if [ "$h" = volume ]; then
            for f in "$d"/*; do
                case $f in *.gz) gzip -dc "$f" > "$work/$(basename "${f%.gz}")";; *) cp "$f" "$work/";; esac
            done
        else
            seeds+=("$d")
        fi
    done
    echo "=== $h: ${SECS} CPU-seconds x $JOBS workers"
    # Findings of this run only (artifacts/ keeps those of earlier runs).
    touch "$CAMP/logs/$h.start"
    started=$(date +%s)
    pids=()
    for j in $(seq "$JOBS"); do
        : > "$CAMP/logs/$h.$j.cpu"
        worker "$h" "$j" "${seeds[@]}" &
        pids+=($!)
    done
    wait "${pids[@]}"
    execs=$(cat "$CAMP/logs/$h".*.log | sed -n 's/^stat::number_of_executed_units: *//p' | awk '{s += $1} END {print s + 0}')
    # coverage of the whole corpus: load it once without fuzzing
    "$BIN/fuzz_$h" -runs=0 -max_len="$(maxlen "$h")" "$work" > "$CAMP/logs/$h.cov.log" 2>&1 || true
    cov=$(grep -oE 'INITED cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$CAMP/logs/$h.cov.log" | tail -1)
    read -r _ _ c _ f _ k <<< "${cov:-x x ? x ? x ?}"
    new=$(find "$art" -type f -newer "$CAMP/logs/$h.start" -printf '%f\n')
    crashes=$(grep -c '^crash-' <<< "$new" || true)
    timeouts=$(grep -c '^timeout-' <<< "$new" || true)
    ooms=$(grep -c -E '^(oom|slow-unit)-' <<< "$new" || true)
    cpu=$(cat "$CAMP/logs/$h".*.cpu | awk '{s += $1 + $2} END {printf "%.0f", s}')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$h" "$(( $(date +%s) - started ))" "$JOBS" \
        "$execs" "$c" "$f" "$k" "$crashes" "$timeouts" "$ooms" "$cpu" | tee -a "$SUMMARY"
    [ -z "$new" ] || sed "s|^|    artifact: $art/|" <<< "$new"
done
