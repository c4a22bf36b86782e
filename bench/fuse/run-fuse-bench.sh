#!/usr/bin/env bash
# ntxfs against ntfs-3g -o ro on the same image, same machine: figures, not a
# timed test.
#
#   sudo bench/fuse/run-fuse-bench.sh [DIR]        # default DIR /tmp/ntx-fuse-bench
#
# Rows (RUNS runs each, default 5, ntxfs and ntfs-3g alternating; every run
# on a fresh mount after `sync; echo 3 > /proc/sys/vm/drop_caches`, so
# neither the page cache of the mount nor that of the image file stands in
# for the driver):
#   seq-read   cat /big.bin > /dev/null           1 GiB in one piece on disk
#   small      cat of /small/*/* (5,000 files of 100 B - 32 KiB, 50 directories)
#   ls-f       ls -f /wide                        names only, 20,000 entries
#   ls-l       ls -l /wide                        the same directory, every entry stat'ed
#   find       find /tree                         1,111 directories, 20,000 files
# Printed: the median and the best run of each, and the ratio of the medians,
# ntfs-3g / ntxfs: above 1, ntxfs is faster.
#
# Then the same image in containers (CONTAINERS, default "qcow2 e01"; made
# once next to the image with qemu-img and ewfacquirestream -c deflate:fast,
# skipped when the tool is missing): ntxfs on the container against ntxfs on
# the raw image, rows CROWS (default "seq-read small ls-l"); ratio = raw /
# container, below 1 the container costs. ntfs-3g reads no container. The drivers and the commands run
# at nice -10 (NICE=0 to turn off), which keeps other work on the machine from
# standing in for either of them.
#
# DIR/fuse-bench.img is built once with mkntfs and a read-write ntfs-3g mount
# (about 2 minutes; delete it to rebuild). ntxfs: $NTXFS if set, else built
# here in Release mode (build-fuse-bench/). Needs root, /dev/fuse, ntfs-3g,
# mkntfs, python3.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DIR=${1:-/tmp/ntx-fuse-bench}
IMG=$DIR/fuse-bench.img
RUNS=${RUNS:-5}
NICE=${NICE:--10}
ROWS=${ROWS:-seq-read small ls-f ls-l find}
CONTAINERS=${CONTAINERS-qcow2 e01}
CROWS=${CROWS:-seq-read small ls-l}

die() { echo "run-fuse-bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (mounts, drop_caches)"
[ -c /dev/fuse ] || die "/dev/fuse is missing"
for t in mkntfs ntfs-3g python3 mountpoint fusermount3; do
    command -v "$t" >/dev/null 2>&1 || die "$t not found (Debian: apt-get install ntfs-3g fuse3 python3)"
done
mkdir -p "$DIR"
MNT=$DIR/mnt
mkdir -p "$MNT"
FUSE_PID=

cleanup() {
    set +e
    if mountpoint -q "$MNT"; then fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT"; fi
    [ -n "$FUSE_PID" ] && wait "$FUSE_PID" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_mounted() {
    for _ in $(seq 200); do
        mountpoint -q "$MNT" && return 0
        kill -0 "$FUSE_PID" 2>/dev/null || break
        sleep 0.05
    done
    die "mount failed: $*"
}
unmount() {
    if mountpoint -q "$MNT"; then fusermount3 -u "$MNT" || umount "$MNT"; fi
    [ -n "$FUSE_PID" ] && wait "$FUSE_PID" 2>/dev/null || true
    FUSE_PID=
}

# ---- the image ----
if [ ! -f "$IMG" ]; then
    echo "== building $IMG (2 GiB volume, 4 KiB clusters)"
    TMP=$IMG.tmp
    rm -f "$TMP"
    truncate -s 2G "$TMP"
    mkntfs -F -Q -q -c 4096 -L ntx-fuse-bench "$TMP" >/dev/null
    ntfs-3g -o no_detach,rw,big_writes "$TMP" "$MNT" &
    FUSE_PID=$!
    wait_mounted "ntfs-3g rw $TMP"
    echo "   /big.bin: 1 GiB of /dev/urandom"
    head -c 1G /dev/urandom >"$MNT/big.bin"
    echo "   /small, /wide, /tree"
    python3 - "$MNT" <<'EOF'
import os, random, sys
root = sys.argv[1]
rnd = random.Random(20261123)
for d in range(50):                      # 5,000 small files in 50 directories
    p = f"{root}/small/d{d:02d}"
    os.makedirs(p)
    for i in range(100):
        with open(f"{p}/file-{i:03d}.dat", "wb") as f:
            f.write(rnd.randbytes(rnd.randint(100, 32768)))
os.makedirs(f"{root}/wide")              # one directory of 20,000 entries
for i in range(20000):
    open(f"{root}/wide/entry-{i:05d}-{rnd.randint(0, 1 << 30):x}.txt", "wb").close()
for a in range(10):                      # 1,111 directories, 20,000 files
    for b in range(10):
        for c in range(10):
            p = f"{root}/tree/a{a}/b{b}/c{c}"
            os.makedirs(p)
            for i in range(20):
                with open(f"{p}/f{i:02d}.txt", "wb") as f:
                    f.write(b"x" * rnd.randint(0, 600))
EOF
    sync
    unmount
    mv "$TMP" "$IMG"
fi

# ---- ntxfs ----
if [ -z "${NTXFS:-}" ]; then
    B=$ROOT/build/fuse-bench
    echo "== building ntxfs (Release) in $B"
    cmake -S "$ROOT" -B "$B" -DCMAKE_BUILD_TYPE=Release -DNTX_BUILD_TESTS=OFF \
        -DNTX_BUILD_BENCH=OFF -DNTX_BUILD_EXAMPLES=OFF -DNTX_WERROR=OFF >"$B.log" 2>&1 ||
        { cat "$B.log"; die "cmake failed"; }
    cmake --build "$B" -j "$(nproc)" --target ntxfs >>"$B.log" 2>&1 || { cat "$B.log"; die "build failed"; }
    NTXFS=$B/fuse/ntxfs
fi
[ -x "$NTXFS" ] || die "no ntxfs at $NTXFS"

mount_driver() { # ntxfs | ntfs-3g [IMAGE]
    local img=${2:-$IMG}
    if [ "$1" = ntxfs ]; then
        nice -n "$NICE" "$NTXFS" "$img" "$MNT" -f >>"$DIR/driver.log" 2>&1 &
    else
        nice -n "$NICE" ntfs-3g -o ro,no_detach "$img" "$MNT" >>"$DIR/driver.log" 2>&1 &
    fi
    FUSE_PID=$!
    wait_mounted "$1 $img"
}

drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }

workload() { # row -> runs the row's commands on $MNT
    case $1 in
    seq-read) nice -n "$NICE" cat "$MNT/big.bin" >/dev/null ;;
    small) nice -n "$NICE" sh -c 'for d in "$1"/small/*/; do cat "$d"* >/dev/null; done' - "$MNT" ;;
    ls-f) nice -n "$NICE" ls -f "$MNT/wide" >/dev/null ;;
    ls-l) nice -n "$NICE" ls -l "$MNT/wide" >/dev/null ;;
    find) nice -n "$NICE" find "$MNT/tree" >/dev/null ;;
    esac
}

time_row() { # driver row [IMAGE] -> seconds on stdout
    local t0 t1
    drop_caches
    mount_driver "$1" "${3:-}"
    t0=$EPOCHREALTIME
    workload "$2"
    t1=$EPOCHREALTIME
    unmount
    python3 -c "print(f'{$t1 - $t0:.3f}')"
}

median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.3f}')" "$@"; }
best() { python3 -c "import sys; print(f'{min(map(float, sys.argv[1:])):.3f}')" "$@"; }

echo "== $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) CPUs, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== $("$NTXFS" --version | grep -m1 ntxfs); $(ntfs-3g --version 2>&1 | head -1)"
echo "== commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%Y-%m-%d), $RUNS runs, fresh mounts, caches dropped, nice $NICE"
printf '%-9s %10s %10s %12s %12s %7s\n' row ntxfs_med ntxfs_best ntfs-3g_med ntfs-3g_best ratio
for row in $ROWS; do
    a=() b=()
    for _ in $(seq "$RUNS"); do
        a+=("$(time_row ntxfs "$row")")
        b+=("$(time_row ntfs-3g "$row")")
    done
    ma=$(median "${a[@]}")
    mb=$(median "${b[@]}")
    printf '%-9s %10s %10s %12s %12s %7s\n' "$row" "$ma" "$(best "${a[@]}")" "$mb" \
        "$(best "${b[@]}")" "$(python3 -c "print(f'{$mb / $ma:.2f}')")"
    echo "$row runs: ntxfs ${a[*]} | ntfs-3g ${b[*]}" >>"$DIR/runs.log"
done

# ---- containers of the same image ----
container() { # format -> path of the container, made once
    case $1 in
    qcow2)
        command -v qemu-img >/dev/null 2>&1 || return 1
        [ -f "$DIR/fuse-bench.qcow2" ] ||
            { qemu-img convert -O qcow2 "$IMG" "$DIR/tmp.qcow2" && mv "$DIR/tmp.qcow2" "$DIR/fuse-bench.qcow2"; }
        echo "$DIR/fuse-bench.qcow2" ;;
    e01)
        command -v ewfacquirestream >/dev/null 2>&1 || return 1
        [ -f "$DIR/fuse-bench.E01" ] ||
            { ewfacquirestream -q -c deflate:fast -t "$DIR/tmp" <"$IMG" >/dev/null &&
              mv "$DIR/tmp.E01" "$DIR/fuse-bench.E01"; }
        echo "$DIR/fuse-bench.E01" ;;
    *) return 1 ;;
    esac
}
for fmt in $CONTAINERS; do
    if ! C=$(container "$fmt"); then
        echo "== $fmt: the tool to make it is missing; skipped"
        continue
    fi
    echo "== ntxfs on $fmt ($(du -h --apparent-size "$C" | cut -f1)) against ntxfs on the raw image"
    printf '%-9s %10s %10s %12s %12s %7s\n' row raw_med raw_best "${fmt}_med" "${fmt}_best" ratio
    for row in $CROWS; do
        a=() b=()
        for _ in $(seq "$RUNS"); do
            a+=("$(time_row ntxfs "$row")")
            b+=("$(time_row ntxfs "$row" "$C")")
        done
        ma=$(median "${a[@]}")
        mb=$(median "${b[@]}")
        printf '%-9s %10s %10s %12s %12s %7s\n' "$row" "$ma" "$(best "${a[@]}")" "$mb" \
            "$(best "${b[@]}")" "$(python3 -c "print(f'{$ma / $mb:.2f}')")"
        echo "$row $fmt runs: raw ${a[*]} | $fmt ${b[*]}" >>"$DIR/runs.log"
    done
done
echo "== every run: $DIR/runs.log; load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
