#!/usr/bin/env bash
# The `ntx` command against The Sleuth Kit and ntfs-3g's tools, on a volume
# with more than 100,000 MFT records and a 1 GiB file:
#
#   ntx mft        vs  fls -r -m /   (and fls -r -p)
#   ntx timeline   vs  fls -r -m /
#   ntx cat        vs  icat, ntfscat   (the 1 GiB file)
#
# usage: sudo bench/cli/run-cli-bench.sh [NTX_BINARY] [RUNS]
#
# NTX_BINARY defaults to build/release/cli/ntx (a Release build:
#   cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release && cmake --build build/release).
# The image is built once with mkntfs and an ntfs-3g mount (a few minutes:
# 101,000 files created through FUSE) and kept in $NTX_BENCH_CACHE
# (default /tmp/ntx-cli-bench); later runs reuse it. Root and /dev/fuse are
# needed only to build it. Every command runs RUNS times (default 5) after
# one warm-up run, output to /dev/null, from the page cache; the medians are
# printed, with the ratio "other tool's time / ntx's time" (> 1: ntx faster).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NTX=${1:-$HERE/build/release/cli/ntx}
RUNS=${2:-5}
CACHE=${NTX_BENCH_CACHE:-/tmp/ntx-cli-bench}
IMG=$CACHE/bench-100k.img
NFILES=101000
NDIRS=20

die() { echo "run-cli-bench: $*" >&2; exit 1; }
[ -x "$NTX" ] || die "$NTX not found: build ntx first (see the usage at the top of this script)"
for t in fls icat ntfscat; do
    command -v "$t" >/dev/null || die "$t not found (Debian packages sleuthkit, ntfs-3g)"
done

build_image() {
    [ "$(id -u)" = 0 ] || die "building the image needs root (FUSE mount); run with sudo once"
    command -v mkntfs >/dev/null && command -v ntfs-3g >/dev/null || die "ntfs-3g not installed"
    mkdir -p "$CACHE"
    local mnt=$CACHE/mnt
    mkdir -p "$mnt"
    rm -f "$IMG" "$IMG.done"
    truncate -s 2G "$IMG"
    mkntfs -F -Q -q -c 4096 -L ntx-bench "$IMG" >/dev/null 2>&1 || die "mkntfs failed"
    ntfs-3g -o no_detach,big_writes "$IMG" "$mnt" &
    local pid=$!
    for _ in $(seq 100); do mountpoint -q "$mnt" && break; sleep 0.1; done
    mountpoint -q "$mnt" || die "ntfs-3g did not mount $IMG"
    echo "building $IMG: $NFILES files in $NDIRS directories and a 1 GiB file (a few minutes)..."
    python3 - "$mnt" "$NFILES" "$NDIRS" <<'PYEOF'
import os, sys
mnt, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for k in range(d):
    os.mkdir("%s/dir%02d" % (mnt, k))
for i in range(n):
    with open("%s/dir%02d/file-%06d.txt" % (mnt, i % d, i), "wb") as f:
        f.write(b"ntx benchmark file %06d\n" % i)
block = os.urandom(1 << 20)
with open(mnt + "/big-1GiB.bin", "wb") as f:
    for i in range(1024):
        f.write(block[i:] + block[:i])
PYEOF
    umount "$mnt"
    wait "$pid" || true
    touch "$IMG.done"
}

[ -f "$IMG.done" ] || build_image

# "WALL CPU": medians over RUNS runs of "$@" > /dev/null (after a warm-up) of
# the elapsed time and of user + system CPU time, in seconds. On a shared
# machine the CPU time is the steadier figure; both are printed.
measure() {
    "$@" >/dev/null 2>&1 || true
    local f
    f=$(mktemp)
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f "%e %U %S" -a -o "$f" "$@" >/dev/null 2>/dev/null || true
    done
    local w c
    w=$(awk '{print $1}' "$f" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    c=$(awk '{print $2 + $3}' "$f" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf '%.3f %.3f\n' "$w" "$c"
    rm -f "$f"
}
command -v /usr/bin/time >/dev/null || die "/usr/bin/time not found (Debian package time)"

records=$("$NTX" info --json "$IMG" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["mft_records"], d["mft_records_in_use"])')
big=$("$NTX" ls --json "$IMG" / | python3 -c 'import json,sys
for l in sys.stdin:
    d = json.loads(l)
    if d["name"] == "big-1GiB.bin": print(d["mft"])')
echo "image: $IMG ($(stat -c %s "$IMG") bytes; MFT records, in use: $records); big file: record $big"
echo "ntx: $NTX; $RUNS runs each, medians; $(nproc) CPUs; $(uname -r)"
echo

t_mft=$(measure "$NTX" mft "$IMG")
t_mftj=$(measure "$NTX" mft --json "$IMG")
t_tl=$(measure "$NTX" timeline "$IMG")
t_flsm=$(measure fls -r -m / "$IMG")
t_flsp=$(measure fls -r -p "$IMG")
t_cat=$(measure "$NTX" cat "$IMG" /big-1GiB.bin)
t_icat=$(measure icat "$IMG" "$big")
t_ntfscat=$(measure ntfscat "$IMG" /big-1GiB.bin)

echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }
row() { # LABEL NTX_PAIR OTHER_LABEL OTHER_PAIR
    set -- "$1" $2 "$3" $4
    printf '%-18s %7s %7s   %-14s %7s %7s   %9s %9s\n' "$1" "$2" "$3" "$4" "$5" "$6" \
        "$(ratio "$5" "$2")" "$(ratio "$6" "$3")"
}
printf '%-18s %7s %7s   %-14s %7s %7s   %9s %9s\n' "ntx" "wall s" "cpu s" "other" "wall s" \
    "cpu s" "wall x" "cpu x"
row "ntx mft" "$t_mft" "fls -r -m /" "$t_flsm"
row "ntx mft" "$t_mft" "fls -r -p" "$t_flsp"
row "ntx mft --json" "$t_mftj" "fls -r -m /" "$t_flsm"
row "ntx timeline" "$t_tl" "fls -r -m /" "$t_flsm"
row "ntx cat 1 GiB" "$t_cat" "icat" "$t_icat"
row "ntx cat 1 GiB" "$t_cat" "ntfscat" "$t_ntfscat"
echo "(x: the other tool's time divided by ntx's; above 1, ntx is faster)"
