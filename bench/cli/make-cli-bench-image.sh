#!/usr/bin/env bash
# Build the image of the `ntx` benchmark (run-cli-bench.sh): DIR/bench-cli.img
# (default DIR /tmp/ntx-cli-bench), and the same disk as E01, VHDX and qcow2.
#
#   sudo bench/cli/make-cli-bench-image.sh [DIR]
#
# A 3 GiB NTFS volume, 4 KiB clusters, written through a read-write ntfs-3g
# mount:
#   /dir00 .. /dir19   101,000 small files (5,050 a directory): a $MFT of
#                      more than 140,000 records for `ntx mft`
#   /wide              20,000 empty files in one directory, named so that
#                      name order is not creation order (a random hex prefix):
#                      listing them in name order visits $MFT at random
#   /tree              1,000 directories of 20 files three levels deep
#                      (21,110 entries), for recursive listings
#   /one-byte.txt      one byte: opening a volume and reading a file
#   /big-1GiB.bin      1 GiB of random data, one run
# then bench-cli.E01 (ewfacquirestream, deflate fast, 32 KiB chunks),
# bench-cli.vhdx and bench-cli.qcow2 (qemu-img convert) of the same volume.
# Needs root, /dev/fuse, mkntfs, ntfs-3g, python3, ewfacquirestream
# (ewf-tools), qemu-img (qemu-utils). A few minutes. What exists is kept.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DIR=${1:-/tmp/ntx-cli-bench}
IMG=$DIR/bench-cli.img
PROG=make-cli-bench-image
. "$HERE/../../fixtures/ntfs3g-mount.sh"

need_tools "Debian: apt-get install ntfs-3g python3 ewf-tools qemu-utils" \
    mkntfs ntfs-3g python3 ewfacquirestream qemu-img truncate mountpoint
mkdir -p "$DIR"

if [ ! -f "$IMG" ]; then
    need_root_fuse
    TMP=$IMG.tmp
    MNT=$(mktemp -d "$DIR/mnt.XXXXXX")
    trap 'unmount_all "$MNT"; rmdir "$MNT" 2>/dev/null || true' EXIT
    rm -f "$TMP"
    truncate -s 3G "$TMP"
    mkntfs -F -Q -q -s 512 -c 4096 -L ntx-cli-bench "$TMP" >/dev/null 2>&1 || die "mkntfs failed"
    mount_ntfs "$TMP" "$MNT" rw,big_writes "$DIR/ntfs-3g.log"
    echo "== building $IMG (a few minutes: 141,000 files through FUSE, 1 GiB of data)"
    python3 - "$MNT" <<'EOF'
import os, random, sys
mnt = sys.argv[1]
rnd = random.Random(20261206)
for k in range(20):
    os.mkdir("%s/dir%02d" % (mnt, k))
for i in range(101000):
    with open("%s/dir%02d/file-%06d.txt" % (mnt, i % 20, i), "wb") as f:
        f.write(b"ntx benchmark file %06d\n" % i)
os.mkdir(mnt + "/wide")
for i in range(20000):
    open("%s/wide/%010x-%05d.txt" % (mnt, rnd.getrandbits(40), i), "wb").close()
for a in range(10):
    for b in range(10):
        for c in range(10):
            p = "%s/tree/a%d/b%d/c%d" % (mnt, a, b, c)
            os.makedirs(p)
            for i in range(20):
                with open("%s/f%02d.txt" % (p, i), "wb") as f:
                    f.write(b"x" * rnd.randint(0, 600))
with open(mnt + "/one-byte.txt", "wb") as f:
    f.write(b"1")
block = os.urandom(1 << 20)
with open(mnt + "/big-1GiB.bin", "wb") as f:
    for i in range(1024):
        f.write(block[i:] + block[:i])
EOF
    sync
    unmount "$MNT"
    mv "$TMP" "$IMG"
fi
if [ ! -f "$DIR/bench-cli.E01" ]; then
    echo "== $DIR/bench-cli.E01 (ewfacquirestream)"
    ewfacquirestream -q -c deflate:fast -S 4GiB -t "$DIR/bench-cli.tmp" <"$IMG" >/dev/null
    mv "$DIR/bench-cli.tmp.E01" "$DIR/bench-cli.E01"
fi
for fmt in vhdx qcow2; do
    if [ ! -f "$DIR/bench-cli.$fmt" ]; then
        echo "== $DIR/bench-cli.$fmt (qemu-img convert)"
        qemu-img convert -O "$fmt" "$IMG" "$DIR/bench-cli.tmp.$fmt"
        mv "$DIR/bench-cli.tmp.$fmt" "$DIR/bench-cli.$fmt"
    fi
done
echo "== $IMG and its E01, VHDX and qcow2 copies are in $DIR"
