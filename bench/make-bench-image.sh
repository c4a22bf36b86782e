#!/usr/bin/env bash
# Build the ntx benchmark image: DIR/bench.img (default DIR /tmp/ntx-bench).
#
#   sudo bench/make-bench-image.sh [DIR]
#
# A 1.5 GiB NTFS volume, 4 KiB clusters, written through a read-write
# ntfs-3g mount:
#   /big.bin         1 GiB from /dev/urandom (a few runs, incompressible)
#   /c/text.bin      256 MiB of generated log text in a directory marked
#                    compressed (mount -o compression): LZNT1, about 4:1
#   /fragmented.bin  64 MiB in 16 KiB runs (about 4096 of them, through an
#                    $ATTRIBUTE_LIST): written into the holes left by
#                    deleting every other 16 KiB filler of a full volume, in
#                    on-disk order (bench-image.py explains why interleaved
#                    appends to two files do not fragment under ntfs-3g).
# The content is not fixed: the benchmark needs none. If DIR/bench.img
# exists nothing is done; delete it to rebuild. Needs root, /dev/fuse,
# mkntfs, ntfs-3g, ntfsinfo, setfattr, python3. Takes about 3 minutes.
#
# The sizes can be overridden for a quick trial (MiB): VOL_MIB, BIG_MIB,
# TEXT_MIB, FRAG_MIB; FRAG_UNIT (bytes per fragment). KEEP_FAILED=1 keeps
# DIR/bench.img.tmp after a failure, for a look with ntfsinfo.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DIR=${1:-/tmp/ntx-bench}
IMG=$DIR/bench.img
VOL_MIB=${VOL_MIB:-1536}
BIG_MIB=${BIG_MIB:-1024}
TEXT_MIB=${TEXT_MIB:-256}
FRAG_MIB=${FRAG_MIB:-64}
FRAG_UNIT=${FRAG_UNIT:-16384}

PROG=make-bench-image
. "$HERE/../fixtures/ntfs3g-mount.sh"

if [ -f "$IMG" ]; then
    echo "make-bench-image: $IMG exists, nothing to do (delete it to rebuild)"
    exit 0
fi
need_root_fuse
need_tools "Debian: apt-get install ntfs-3g attr python3" \
    mkntfs ntfs-3g ntfsinfo setfattr python3 truncate mountpoint umount

mkdir -p "$DIR"
TMP=$IMG.tmp
MNT=$(mktemp -d "$DIR/mnt.XXXXXX")
LOG=$DIR/ntfs-3g.log
cleanup() {
    local rc=$?
    set +e
    unmount_all "$MNT"
    rmdir "$MNT" 2>/dev/null
    if [ $rc != 0 ]; then
        [ -n "${KEEP_FAILED:-}" ] || rm -f "$TMP"
        echo "make-bench-image: FAILED (rc $rc); see $LOG" >&2
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mount_rw() {
    mount_ntfs "$TMP" "$MNT" rw,big_writes,compression "$LOG"
}

echo "== $IMG: ${VOL_MIB} MiB volume, 4 KiB clusters"
rm -f "$TMP"
truncate -s "${VOL_MIB}M" "$TMP"
mkntfs -F -Q -q -s 512 -c 4096 -L ntx-bench "$TMP" >"$DIR/mkntfs.log" 2>&1 ||
    { cat "$DIR/mkntfs.log" >&2; die "mkntfs failed"; }
mount_rw

echo "   /big.bin: ${BIG_MIB} MiB of /dev/urandom"
head -c "${BIG_MIB}M" /dev/urandom >"$MNT/big.bin"

echo "   /c/text.bin: ${TEXT_MIB} MiB of log text, compressed directory"
mkdir "$MNT/c"
# FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_COMPRESSED: new files inherit LZNT1
setfattr -n system.ntfs_attrib_be -v 0x00000810 "$MNT/c"
python3 "$HERE/bench-image.py" text "$MNT/c/text.bin" "$TEXT_MIB"

echo "   /fragmented.bin: ${FRAG_MIB} MiB in ${FRAG_UNIT}-byte runs (filling the volume...)"
NEED=$(( (FRAG_MIB << 20) / FRAG_UNIT ))
python3 "$HERE/bench-image.py" fill "$MNT" "$FRAG_UNIT" "$NEED"
unmount "$MNT"
python3 "$HERE/bench-image.py" order "$TMP" >"$DIR/filler-order.txt"
mount_rw
python3 "$HERE/bench-image.py" finish "$MNT" "$FRAG_UNIT" "$NEED" "$DIR/filler-order.txt"
rm -f "$DIR/filler-order.txt"
sync
unmount "$MNT"

# Check what the benchmark relies on.
# (whole outputs captured first: grep -q closing a pipe early fails it under pipefail)
text_info=$(ntfsinfo -v -F /c/text.bin "$TMP" 2>/dev/null | sed -n '/Dumping attribute \$DATA/,$p')
grep -q 'Attribute flags:[[:space:]]*0x0001' <<<"$text_info" ||
    die "/c/text.bin: \$DATA is not compressed"
frag_info=$(ntfsinfo -v -F /fragmented.bin "$TMP" 2>/dev/null)
runs=$(sed -n 's/^Total runs: \([0-9]*\).*/\1/p' <<<"$frag_info" | tail -1)
[ "${runs:-0}" -ge 1000 ] || die "/fragmented.bin has only ${runs:-0} runs"
echo "   checked: /c/text.bin \$DATA has the compressed flag (0x0001); /fragmented.bin has $runs runs"
mv "$TMP" "$IMG"
echo "== done: $IMG"
