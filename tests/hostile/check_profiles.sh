#!/usr/bin/env bash
# The firmware profiles against the hostile corpus: every image of
# tests/hostile and every image-level fuzz reproducer (export-images.sh),
# replayed through the volume harness built over a boot-profile and a
# minimal-profile core (replay_volume_boot, replay_volume_minimal). Those
# profiles record no diagnostic, so the exact checks test_hostile asserts do
# not apply; what is asserted is what a boot loader needs: each image ends
# in an answer (no crash, no sanitizer report, no hang past 60 s an image).
# The harness takes inputs of at most 4 MiB; hostile_walk_<profile>
# (profile_walk.c) walks every hostile image whole, the ones built on the
# larger fixtures included, and checks what opening each file's data gives
# in that profile (the minimal one refuses any file with a reparse point,
# a build with WOF refuses data stored outside the volume).
#
# usage: check_profiles.sh EXPORT_SCRIPT BUILD_DIR REPLAY_BOOT REPLAY_MINIMAL WALK_BOOT WALK_MINIMAL
set -euo pipefail
export_script=$1 build=$2
replays=("$3" "$4") walks=("$5" "$6")
work=$(mktemp -d "${TMPDIR:-/tmp}/ntx-hostile-profiles.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$export_script" "$build" "$work" > /dev/null
n=$(ls "$work"/hostile/*.img "$work"/repro/*.img | wc -l)
[ "$n" -ge 80 ] || { echo "only $n images exported"; exit 1; }
for bin in "${replays[@]}"; do
  "$bin" -t 60 "$work"/hostile/*.img "$work"/repro/*.img
  echo "$(basename "$bin"): $n images, each ended in an answer"
done
for bin in "${walks[@]}"; do
  echo "$(basename "$bin"): $("$bin" "$work"/hostile/*.img)"
done
