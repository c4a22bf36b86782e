#!/usr/bin/env bash
# Rebuild the fuzz seed corpus: tiny NTFS volumes made with mkntfs and filled
# through an ntfs-3g mount (tests/fuzz/seed_populate.py), then the structure
# seeds of the narrow harnesses cut out of them (tests/fuzz/extract-seeds.py).
#
#   sudo tests/fuzz/make-seeds.sh              every seed volume, then the structure seeds
#   sudo tests/fuzz/make-seeds.sh NAME...      only the volume seeds named (seed-wof...),
#                                              leaving the others and the structure seeds
#                                              as they are (mkntfs writes a new serial and
#                                              new times each run)
#
# Writes fixtures/corpus/volume/seed-*.img.gz (the whole-volume seeds, which are
# also the base images of fuzz_volume_patch, fuzz_attr, fuzz_reparse, the
# index tree mode and tests/hostile) and fixtures/corpus/<harness>/ for the
# other harnesses. Needs root, /dev/fuse, ntfs-3g (mkntfs), python3 >= 3.9.
#
# The volume seeds are "trimmed": $LogFile (0xFF filler the core never reads)
# and the backup boot sector are zeroed, then trailing zeros are cut. The
# harnesses (and tests/hostile) serve such an image zero-extended to the size
# its boot sector declares; `fuzz_support.c` fz_dev_read() does that, and
# `truncate -s` restores a full-size image for other tools (see README.md).
# seed-4kn.img keeps its backup boot sector and is not trimmed. seed-wof (4 KiB
# clusters) holds WOF-compressed files in each algorithm, written with
# wimlib (libwim-dev, through ctypes) as fixtures/wofpack.py writes them.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
OUT=$TOP/fixtures/corpus
die() { echo "make-seeds: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (FUSE mounts)"
for t in mkntfs ntfs-3g python3 truncate; do command -v $t >/dev/null || die "$t missing"; done

WORK=$(mktemp -d /tmp/ntx-seeds.XXXXXX)
MNT=$WORK/mnt
mkdir -p "$MNT"
FUSE_PID=
cleanup() {
    set +e
    mountpoint -q "$MNT" && umount "$MNT"
    [ -n "$FUSE_PID" ] && wait "$FUSE_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

# build NAME SIZE SECTOR CLUSTER PROFILE TRIM(0/1)
ONLY=("$@")
build() {
    local name=$1 size=$2 sector=$3 cluster=$4 profile=$5 trim=$6 img=$WORK/$1.img
    if [ ${#ONLY[@]} -gt 0 ] && [[ " ${ONLY[*]} " != *" $name "* ]]; then
        return 0
    fi
    echo "== $name: $size, sector $sector, cluster $cluster, profile $profile"
    truncate -s "$size" "$img"
    mkntfs -F -Q -q -s "$sector" -c "$cluster" -p 0 -H 0 -S 0 -L "ntx-$name" "$img" >/dev/null
    local opts=no_detach,streams_interface=windows
    [ "$cluster" -le 4096 ] && opts=$opts,compression
    ntfs-3g -o "$opts" "$img" "$MNT" >"$WORK/ntfs-3g.log" 2>&1 &
    FUSE_PID=$!
    for _ in $(seq 100); do mountpoint -q "$MNT" && break; sleep 0.1; done
    mountpoint -q "$MNT" || { cat "$WORK/ntfs-3g.log"; die "mount failed"; }
    python3 "$HERE/seed_populate.py" "$profile" "$MNT"
    umount "$MNT"
    wait "$FUSE_PID" || true
    FUSE_PID=
    python3 "$HERE/extract-seeds.py" finish "$img" "$trim"
    mkdir -p "$OUT/volume"
    cp "$img" "$OUT/volume/$name.img"
}

build seed-512 1100K 512 512 small 1
build seed-4k 1100K 512 4096 small 1
build seed-dir 2M 512 4096 dir 1
build seed-4kn 1600K 4096 4096 small 0
build seed-64k 3M 512 65536 plain 1
build seed-wof 1100K 512 4096 wof 1

if [ ${#ONLY[@]} -gt 0 ]; then
    for name in "${ONLY[@]}"; do
        [ -f "$OUT/volume/$name.img" ] || die "no seed named $name"
        gzip -9 -n -f "$OUT/volume/$name.img"
    done
    echo "seeds written to $OUT/volume: ${ONLY[*]}"
    exit 0
fi
python3 "$HERE/extract-seeds.py" structures "$OUT"
# seed-dir again with $MFT's $DATA split into record 0 and extension record 16
# through an $ATTRIBUTE_LIST (VCN 40 on: records 160 and up, half the files)
python3 "$HERE/extract-seeds.py" mftlist "$OUT/volume/seed-dir.img" "$OUT/volume/seed-mftlist.img" 40 16
# The volumes are kept gzip-compressed (replay_main.c and fuzz_support.c
# inflate them; run-ci.sh unpacks them for libFuzzer).
for f in "$OUT"/volume/*.img; do gzip -9 -n -f "$f"; done
echo "seeds written to $OUT"
