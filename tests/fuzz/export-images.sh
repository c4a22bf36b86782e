#!/usr/bin/env bash
# Write every hostile image as a plain, full-size NTFS image file, for the
# FUSE mount and the CLI to replay (they must survive each one: a clear
# error, no crash of the daemon, no hang):
#
#   tests/fuzz/export-images.sh BUILD_DIR OUT_DIR
#
#   OUT_DIR/hostile/<case>.img      every case of tests/hostile (test_hostile --export),
#   OUT_DIR/hostile/expected.tsv    with the call, path and the core's expected error
#   OUT_DIR/repro/<harness>-<name>.img
#                                   the image each regression and known-bug fuzz
#                                   input builds (volume, volume_patch, attr,
#                                   reparse, index in tree mode), via NTX_FUZZ_DUMP;
#                                   boot and partition inputs copied as they are
# BUILD_DIR is a build with tests (test_hostile, replay_*), e.g. build/test-plain.
# Narrow-harness reproducers (record, runlist, lznt1, ...) exercise one parser
# without an image; the volume-level harnesses cover the same code.
set -euo pipefail
BUILD=${1:?usage: export-images.sh BUILD_DIR OUT_DIR}
OUT=${2:?usage: export-images.sh BUILD_DIR OUT_DIR}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
find_bin() { find "$BUILD" -name "$1" -type f -perm -u+x | head -1; }
mkdir -p "$OUT/hostile" "$OUT/repro"
"$(find_bin test_hostile)" --export "$OUT/hostile"
n=0
for h in volume volume_patch attr reparse index; do
    replay=$(find_bin "replay_$h")
    for d in "$TOP/fixtures/corpus/regress/$h" "$TOP/fixtures/corpus/known-bug/$h"; do
        [ -d "$d" ] || continue
        for f in "$d"/*; do
            [ -f "$f" ] || continue
            img=$OUT/repro/$h-$(basename "${f%.gz}").img
            # the replay may crash on a known bug: the image is written before the mount
            NTX_FUZZ_DUMP=$img "$replay" "$f" >/dev/null 2>&1 || true
            [ -s "$img" ] && n=$((n + 1))
        done
    done
done
# boot and partition inputs are the first bytes of a device: images as they are
for h in boot partition; do
    for d in "$TOP/fixtures/corpus/regress/$h" "$TOP/fixtures/corpus/known-bug/$h"; do
        [ -d "$d" ] || continue
        for f in "$d"/*; do
            [ -f "$f" ] || continue
            cp "$f" "$OUT/repro/$h-$(basename "$f").img"
            n=$((n + 1))
        done
    done
done
echo "exported $n fuzz reproducer images to $OUT/repro"
