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
# page cache; GNU time gives the wall time and the CPU time (user + system;
# the steadier figure on a shared machine), medians printed, and the peak
# resident set (the largest printed). "x fls" is fls's time over the row's,
# wall and CPU, on the volume only.
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

# measure CMD...: "MEDIAN_WALL_S MEDIAN_CPU_S MAX_RSS_KB" over RUNS runs after a warm-up
measure() {
    "$@" > /dev/null 2>&1 || true
    : > "$TMP/runs"
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f "%e %U %S %M" -o "$TMP/one" "$@" > /dev/null 2> "$TMP/err" ||
            die "failed: $* ($(head -c 300 "$TMP/err"))"
        cat "$TMP/one" >> "$TMP/runs"
    done
    awk '{print $1, $2 + $3, $4}' "$TMP/runs" > "$TMP/runs2"
    w=$(sort -n -k1,1 "$TMP/runs2" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
    c=$(sort -n -k2,2 "$TMP/runs2" | awk '{v[NR] = $2} END {print v[int((NR + 1) / 2)]}')
    m=$(sort -n -k3,3 "$TMP/runs2" | tail -1 | awk '{print $3}')
    echo "$w $c $m"
}

printf '%-40s %9s %8s %8s %9s %7s %7s\n' "" "records" "wall s" "CPU s" "peak MiB" "x fls" "(CPU)"
read -r fls_w fls_c fls_m < <(measure fls -r -m / "$IMG")
nrec=$("$NTX" info --json "$IMG" | python3 -c 'import json,sys; print(json.load(sys.stdin)["mft_records"])')
row() { # LABEL RECORDS WALL CPU RSS_KB [VS_FLS_WALL VS_FLS_CPU]
    printf '%-40s %9s %8.2f %8.2f %9.1f %7s %7s\n' "$1" "$2" "$3" "$4" \
        "$(awk -v k="$5" 'BEGIN{print k/1024}')" "${6:-}" "${7:-}"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", (b > 0 ? a/b : 0)}'; }
row "fls -r -m / (volume)" "$nrec" "$fls_w" "$fls_c" "$fls_m"
for args in "mft" "timeline" "timeline --format jsonl"; do
    # shellcheck disable=SC2086
    read -r w c m < <(measure "$NTX" $args "$IMG")
    row "ntx $args (volume)" "$nrec" "$w" "$c" "$m" "$(ratio "$fls_w" "$w")" "$(ratio "$fls_c" "$c")"
done
for f in "$MFT" "$BIG"; do
    n=$(( $(stat -c %s "$f") / 1024 ))
    for args in "mft" "timeline" "timeline --format jsonl"; do
        # shellcheck disable=SC2086
        read -r w c m < <(measure "$NTX" $args -q --mft-file "$f")
        row "ntx $args --mft-file" "$n" "$w" "$c" "$m"
    done
done
echo "(median of $RUNS runs, peak of the runs; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
