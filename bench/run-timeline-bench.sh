#!/usr/bin/env bash
# ntx mft and ntx timeline at scale, side by side with The Sleuth Kit's
# fls -r -m: wall time and peak memory, figures, never a test.
#
#   bench/run-timeline-bench.sh [NTX_BINARY] [RUNS]
#
# Inputs:
#   a volume    bench/cli/make-cli-bench-image.sh's 3 GiB volume (mkntfs and a
#               read-write ntfs-3g mount: 142,198 MFT records, 141,000 files
#               in 1,132 directories), built once into $NTX_BENCH_CACHE
#               (default /tmp/ntx-cli-bench; root and FUSE, a few minutes)
#   its $MFT    written out with `ntx cat IMG '$MFT'` (139 MiB)
#   1M $MFT     bench/make-mft.py: that $MFT's records copied and renumbered
#               to 1,000,000 records (977 MiB), into $NTX_TIMELINE_CACHE
#               (default /tmp/ntx-timeline-bench)
# Rows: ntx mft, ntx timeline (body file) and ntx timeline --format jsonl on
# the volume, on its $MFT and on the 1M $MFT (--mft-file); fls -r -m / on the
# volume (fls has no way to read a $MFT file alone). Each command RUNS times
# (default 3) after one warm-up run, output to /dev/null, every input in the
# page cache; /usr/bin/time -v gives the wall time (median printed) and the
# peak resident set (largest printed). "x fls" is fls's wall time over the
# row's, on the volume only.
#
# NTX_BINARY defaults to build/release/cli/ntx (a Release build:
#   cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release && cmake --build build/release).
# Needs sleuthkit and GNU time (Debian packages of those names), python3.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NTX=${1:-$HERE/build/release/cli/ntx}
RUNS=${2:-3}
CACHE=${NTX_BENCH_CACHE:-/tmp/ntx-cli-bench}
TCACHE=${NTX_TIMELINE_CACHE:-/tmp/ntx-timeline-bench}
IMG=$CACHE/bench-cli.img
RECORDS=1000000

die() { echo "run-timeline-bench: $*" >&2; exit 1; }
[ -x "$NTX" ] || die "$NTX not found: build ntx first (see the usage at the top of this script)"
for t in fls python3 /usr/bin/time; do
    command -v "$t" >/dev/null || die "$t not found (Debian packages sleuthkit, python3, time)"
done
[ -f "$IMG" ] || "$HERE/bench/cli/make-cli-bench-image.sh" "$CACHE"
mkdir -p "$TCACHE"
MFT=$TCACHE/bench-cli.mft
BIG=$TCACHE/mft-$RECORDS.bin
if [ ! -f "$MFT" ] || [ "$MFT" -ot "$IMG" ]; then
    "$NTX" cat "$IMG" '$MFT' > "$MFT.tmp" && mv "$MFT.tmp" "$MFT"
fi
if [ ! -f "$BIG" ] || [ "$BIG" -ot "$MFT" ]; then
    python3 "$HERE/bench/make-mft.py" "$MFT" "$RECORDS" "$BIG.tmp" && mv "$BIG.tmp" "$BIG"
fi
# every input in the page cache
cat "$IMG" "$MFT" "$BIG" > /dev/null

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# measure CMD...: "MEDIAN_WALL_S MAX_RSS_KB" over RUNS runs after a warm-up
measure() {
    "$@" > /dev/null 2>&1 || true
    : > "$TMP/runs"
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f "%e %M" -o "$TMP/one" "$@" > /dev/null 2> "$TMP/err" ||
            die "failed: $* ($(head -c 300 "$TMP/err"))"
        cat "$TMP/one" >> "$TMP/runs"
    done
    sort -n "$TMP/runs" | awk '{w[NR] = $1; if ($2 > m) m = $2}
        END {print w[int((NR + 1) / 2)], m}'
}

printf '%-34s %10s %10s %10s %8s\n' "" "records" "wall s" "peak MiB" "x fls"
read -r fls_w fls_m < <(measure fls -r -m / "$IMG")
nrec=$("$NTX" info --json "$IMG" | python3 -c 'import json,sys; print(json.load(sys.stdin)["mft_records"])')
row() { # LABEL RECORDS WALL RSS_KB [VS_FLS]
    printf '%-34s %10s %10.2f %10.1f %8s\n' "$1" "$2" "$3" "$(awk -v k="$4" 'BEGIN{print k/1024}')" \
        "${5:-}"
}
row "fls -r -m / (volume)" "$nrec" "$fls_w" "$fls_m"
for args in "mft" "timeline" "timeline --format jsonl"; do
    # shellcheck disable=SC2086
    read -r w m < <(measure "$NTX" $args "$IMG")
    row "ntx $args (volume)" "$nrec" "$w" "$m" "$(awk -v a="$fls_w" -v b="$w" 'BEGIN{printf "%.1f", a/b}')"
done
for f in "$MFT" "$BIG"; do
    n=$(( $(stat -c %s "$f") / 1024 ))
    for args in "mft" "timeline" "timeline --format jsonl"; do
        # shellcheck disable=SC2086
        read -r w m < <(measure "$NTX" $args -q --mft-file "$f")
        row "ntx $args --mft-file" "$n" "$w" "$m"
    done
done
echo "(median of $RUNS runs, peak of the runs; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
