#!/usr/bin/env bash
# The firmware profiles against the hostile corpus: every image of
# tests/hostile and every image-level fuzz reproducer (export-images.sh),
# replayed through the volume harness built over a boot-profile and a
# minimal-profile core (replay_volume_boot, replay_volume_minimal). Those
# profiles record no diagnostic, so the exact checks test_hostile asserts do
# not apply; what is asserted is what a boot loader needs: each image ends
# in an answer (no crash, no sanitizer report, no hang past 60 s an image).
#
# usage: check_profiles.sh EXPORT_SCRIPT BUILD_DIR REPLAY_BIN...
set -euo pipefail
export_script=$1 build=$2
shift 2
work=$(mktemp -d "${TMPDIR:-/tmp}/ntx-hostile-profiles.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$export_script" "$build" "$work" > /dev/null
n=$(ls "$work"/hostile/*.img "$work"/repro/*.img | wc -l)
[ "$n" -ge 80 ] || { echo "only $n images exported"; exit 1; }
for bin in "$@"; do
  "$bin" -t 60 "$work"/hostile/*.img "$work"/repro/*.img
  echo "$(basename "$bin"): $n images, each ended in an answer"
done
