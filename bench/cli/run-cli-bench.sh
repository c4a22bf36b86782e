#!/usr/bin/env bash
# The `ntx` command against the fastest peers, each row run in the same
# session with the same image from the page cache: figures, never a test.
#
#   bench/cli/run-cli-bench.sh [NTX_BINARY] [RUNS]
#
# Rows (make-cli-bench-image.sh describes the image):
#   ls        ntx ls IMG /wide                 ntfsls -p /wide IMG        20,000 entries
#   ls -l     ntx ls -l IMG /wide              ntfsls -l -p /wide IMG
#   ls -r     ntx ls -r IMG /tree              ntfsls -R -p /tree IMG     21,110 entries
#   floor     ntx_bench_replay (bench/bench_replay.c) reading again only the
#             bytes `ntx ls` and `ntx ls -r` read (their NTX_HOST_TRACE logs),
#             out of a mapping and with pread: no program that reads those
#             bytes can take less CPU
#   1 byte    ntx cat IMG /one-byte.txt        ntfscat IMG /one-byte.txt  a whole process
#             (and /bin/true: what starting any process costs here)
#   mft       ntx mft IMG                      fls -r -m / IMG            142,198 records
#   cat       ntx cat IMG /big-1GiB.bin        icat, ntfscat
#   E01, VHDX, qcow2: ntx cat of the 1 GiB file and ntx mft through each
#             container against the same on the raw image; for the E01 also
#             icat and fls reading it (The Sleuth Kit with libewf)
# Each command: hyperfine, RUNS runs (default 10) after 2 warm-up runs,
# output to /dev/null. Printed: the median wall time and the mean CPU time
# (user + system; the steadier figure on a shared machine) of each side,
# and ratio = ntx / peer (below 1: ntx is faster).
#
# The floor rows need ntx_bench_replay from the same build (NTX_BINARY's
# ../bench/); they are left out without it.
# NTX_BINARY defaults to build/release/cli/ntx (a Release build:
#   cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release && cmake --build build/release).
# The image is built once (root, FUSE; a few minutes) into $NTX_BENCH_CACHE
# (default /tmp/ntx-cli-bench) by make-cli-bench-image.sh and reused.
# Needs hyperfine, sleuthkit, ntfs-3g (Debian packages of the same names).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NTX=${1:-$HERE/build/release/cli/ntx}
RUNS=${2:-10}
CACHE=${NTX_BENCH_CACHE:-/tmp/ntx-cli-bench}
IMG=$CACHE/bench-cli.img

die() { echo "run-cli-bench: $*" >&2; exit 1; }
[ -x "$NTX" ] || die "$NTX not found: build ntx first (see the usage at the top of this script)"
for t in hyperfine fls icat ntfscat ntfsls python3; do
    command -v "$t" >/dev/null || die "$t not found (Debian packages hyperfine, sleuthkit, ntfs-3g)"
done
if [ ! -f "$IMG" ] || [ ! -f "$CACHE/bench-cli.E01" ] || [ ! -f "$CACHE/bench-cli.vhdx" ] ||
    [ ! -f "$CACHE/bench-cli.qcow2" ]; then
    "$HERE/bench/cli/make-cli-bench-image.sh" "$CACHE"
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# measure NAME CMD...: "MEDIAN_WALL_S MEAN_CPU_S" of the command
measure() {
    local name=$1
    shift
    hyperfine -N -w 2 -r "$RUNS" --export-json "$TMP/$name.json" -- "$*" >/dev/null 2>&1 ||
        die "hyperfine failed on: $*"
    python3 - "$TMP/$name.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.4f %.4f" % (r["median"], r["user"] + r["system"]))
EOF
}

row() { # LABEL NTX_NAME PEER_LABEL PEER_NAME
    local aw ac bw bc
    read -r aw ac < "$TMP/$2.txt"
    read -r bw bc < "$TMP/$4.txt"
    printf '%-22s %9.1f %9.1f   %-26s %9.1f %9.1f   %6.2f %6.2f\n' "$1" \
        "$(awk -v x="$aw" 'BEGIN{print x*1000}')" "$(awk -v x="$ac" 'BEGIN{print x*1000}')" "$3" \
        "$(awk -v x="$bw" 'BEGIN{print x*1000}')" "$(awk -v x="$bc" 'BEGIN{print x*1000}')" \
        "$(awk -v a="$aw" -v b="$bw" 'BEGIN{printf "%.2f", a/b}')" \
        "$(awk -v a="$ac" -v b="$bc" 'BEGIN{printf "%.2f", a/b}')"
}

run() { # NAME CMD...
    local name=$1
    shift
    measure "$name" "$@" > "$TMP/$name.txt"
}

big=$("$NTX" ls --json "$IMG" / | python3 -c 'import json,sys
for l in sys.stdin:
    d = json.loads(l)
    if d["name"] == "big-1GiB.bin": print(d["mft"])')
echo "== $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) CPUs, $(uname -sr)"
echo "== ntx: $NTX (commit $(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo '?')); $(ntfscat --version 2>&1 | head -1); $(fls -V)"
echo "== $IMG: $("$NTX" info "$IMG" | sed -n 's/^\$MFT: *//p'); $RUNS runs each after 2 warm-up runs, page cache warm"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

run ls "$NTX" ls "$IMG" /wide
run ntfsls ntfsls -p /wide "$IMG"
run lsl "$NTX" ls -l "$IMG" /wide
run ntfslsl ntfsls -l -p /wide "$IMG"
run lsr "$NTX" ls -r "$IMG" /tree
run ntfslsr ntfsls -R -p /tree "$IMG"
run true /bin/true
REPLAY=$(dirname "$NTX")/../bench/ntx_bench_replay
if [ -x "$REPLAY" ]; then
    NTX_HOST_TRACE="$TMP/ls.trace" "$NTX" ls "$IMG" /wide >/dev/null
    NTX_HOST_TRACE="$TMP/lsr.trace" "$NTX" ls -r "$IMG" /tree >/dev/null
    for how in mmap pread; do
        run "floor-ls-$how" "$REPLAY" "$IMG" "$TMP/ls.trace" "$how"
        run "floor-lsr-$how" "$REPLAY" "$IMG" "$TMP/lsr.trace" "$how"
    done
fi
run cat1 "$NTX" cat "$IMG" /one-byte.txt
run ntfscat1 ntfscat "$IMG" /one-byte.txt
run mft "$NTX" mft "$IMG"
run fls fls -r -m / "$IMG"
run cat "$NTX" cat "$IMG" /big-1GiB.bin
run icat icat "$IMG" "$big"
run ntfscat ntfscat "$IMG" /big-1GiB.bin
for fmt in E01 vhdx qcow2; do
    run "cat-$fmt" "$NTX" cat "$CACHE/bench-cli.$fmt" /big-1GiB.bin
    run "mft-$fmt" "$NTX" mft "$CACHE/bench-cli.$fmt"
done
run icat-E01 icat -i ewf "$CACHE/bench-cli.E01" "$big"
run fls-E01 fls -i ewf -r -m / "$CACHE/bench-cli.E01"

echo
printf '%-22s %9s %9s   %-26s %9s %9s   %6s %6s\n' "ntx" "wall ms" "cpu ms" "peer" "wall ms" \
    "cpu ms" "wall x" "cpu x"
row "ls /wide (20,000)" ls "ntfsls" ntfsls
row "ls -l /wide" lsl "ntfsls -l" ntfslsl
row "ls -r /tree (21,110)" lsr "ntfsls -R" ntfslsr
if [ -x "$REPLAY" ]; then
    for how in mmap pread; do
        row "ls's reads alone, $how" "floor-ls-$how" "ntfsls" ntfsls
        row "ls -r's reads, $how" "floor-lsr-$how" "ntfsls -R" ntfslsr
    done
fi
row "cat 1 byte (process)" cat1 "ntfscat" ntfscat1
row "cat 1 byte (process)" cat1 "/bin/true" true
row "mft (142,198 records)" mft "fls -r -m /" fls
row "cat 1 GiB" cat "icat" icat
row "cat 1 GiB" cat "ntfscat" ntfscat
for fmt in E01 vhdx qcow2; do
    row "cat 1 GiB, $fmt" "cat-$fmt" "ntx cat 1 GiB, raw" cat
    row "mft, $fmt" "mft-$fmt" "ntx mft, raw" mft
done
row "cat 1 GiB, E01" cat-E01 "icat -i ewf, E01" icat-E01
row "mft, E01" mft-E01 "fls -i ewf -r -m /, E01" fls-E01
echo "(x: ntx's time divided by the peer's; below 1, ntx is faster)"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
