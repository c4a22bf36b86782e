#!/usr/bin/env bash
# uefi.media: the driver notices a change of medium. A removable USB disk
# (qemu-xhci, usb-storage removable=on) holds medium A, the sample fixture;
# medium B is the empty fixture, each a whole-disk NTFS volume (no
# partition table, as "superfloppy" USB sticks are), each with a
# /media.txt of its own (libntfs-3g): same size, other bytes. EDK2's USB
# mass storage driver tests the unit at every read and, on a new medium,
# reinstalls Block I/O (Stop() and Start() of this driver, from inside the
# read that noticed). QEMU's monitor changes the medium while the shell
# runs (conduct.py):
#  1. ntxefi-check.efi opens "ntx sample" and its /media.txt, reads it, and
#     waits; the medium becomes B (monitor "change"); the handles opened on
#     A must answer EFI_MEDIA_CHANGED or EFI_NO_MEDIA, no file system may
#     answer to A's label any more, and B's /media.txt must read as B's;
#  2. map -r, and a walk of B: every name, size and SHA-256 of B's manifest;
#  3. the medium is taken out (monitor "eject"): no file system answers to
#     B's label;
#  4. A goes back in; map -r and a walk of A against A's manifest.
# Oracles: the fixtures' manifests (ntfs-3g), the /media.txt files written
# here, the UEFI specification's status codes. No stale byte may survive a
# change: A's file and its walk are read again after B was mounted.
#
# Why USB and no partition table: with this OVMF (EDK2 2022.11) the SCSI
# disk driver (virtio-scsi, ATAPI) answers the first read after a change
# with EFI_DEVICE_ERROR and bumps MediaId without reinstalling Block I/O,
# so partitions and their file systems are never rebuilt; and the USB
# driver reinstalls Block I/O before it bumps MediaId, so the partitions it
# rebuilds copy the old MediaId and every read through them answers
# EFI_MEDIA_CHANGED (seen with plain Block I/O reads). A whole-disk volume on USB
# is read through the disk's own, current Block I/O.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
uefi_setup "$@"

gzip -dc "$fixtures/sample.img.gz" > a.img
gzip -dc "$fixtures/ntfs-empty.img.gz" > b.img
# Same name, same size, other bytes: only a read of the right medium matches.
printf 'medium A: ntx sample\n%.0s' $(seq 64) > media-a.txt
printf 'medium B: ntx-empty!\n%.0s' $(seq 64) > media-b.txt
"$put" a.img /media.txt media-a.txt > /dev/null
"$put" b.img /media.txt media-b.txt > /dev/null

esp_image esp.img '@echo -off
load fs0:\ntx_x64.efi
map -r
fs0:
echo NTXEFI-STEP change
ntxefi-check.efi media "ntx sample" /media.txt ntx-empty
map -r
ntxefi-check.efi walk ntx-empty
echo NTXEFI-STEP eject
ntxefi-check.efi pause eject
ntxefi-check.efi gone ntx-empty
ntxefi-check.efi pause insert
map -r
ntxefi-check.efi walk "ntx sample"
echo NTXEFI-SHELL-END
reset -s' "$drv" ntx_x64.efi "$check" ntxefi-check.efi
gpt_disk disk.img esp.img

t0=$(date +%s%N)
qemu_rc=0
/usr/bin/python3 "$here/conduct.py" 180 serial.log \
  "NTXEFI-PAUSE change|change rm b.img raw" \
  "NTXEFI-PAUSE eject|eject -f rm" \
  "NTXEFI-PAUSE insert|change rm a.img raw" -- \
  "$qemu" -machine q35 -m 512 -nic none -display none -vga none -no-reboot -accel tcg \
  -bios "$ovmf" -drive file=disk.img,format=raw,if=ide \
  -device qemu-xhci,id=xhci -drive if=none,id=rm,file=a.img,format=raw \
  -device usb-storage,bus=xhci.0,drive=rm,removable=on || qemu_rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
secs=$((ms / 1000)).$(printf '%03d' $((ms % 1000)))
tr -d '\r' < serial.log | sed 's/\x1b\[[0-9;]*[A-Za-z]//g; s/\x1b[()][A-Z0-9]//g' > serial.log.txt
echo "QEMU exited with $qemu_rc after ${secs}s"
grep -a "^NTXEFI\|^PASS\|^FAIL\|^M \|^O \|^N \|^T " serial.log.txt || true
[ $qemu_rc -ne 124 ] || { tail -c 3000 serial.log.txt; fail "QEMU timed out"; }
no_crash serial.log.txt
grep -a -q "^NTXEFI-SHELL-END" serial.log.txt || { tail -c 3000 serial.log.txt; fail "the shell script did not finish"; }

bad=0
line() { echo "$1 $(stat -c %s "$2") $(sha256sum < "$2" | cut -d' ' -f1) /media.txt"; }
grep -a -q -x "$(line O media-a.txt)" serial.log.txt || { echo "FAIL: medium A's /media.txt before the change"; bad=1; }
grep -a -q -x "$(line N media-b.txt)" serial.log.txt || { echo "FAIL: medium B's /media.txt after the change"; bad=1; }
for c in media-first-open media-old-handle-fails media-old-root-fails media-old-label-gone \
         media-new-volume media-new-file media-ejected-gone; do
  grep -a -q "^PASS $c\$" serial.log.txt || { echo "FAIL: check $c did not pass"; bad=1; }
done
/usr/bin/python3 "$here/compare.py" serial.log.txt "$fixtures/ntfs-empty.manifest" ntx-empty \
  /media.txt media-b.txt || bad=1
/usr/bin/python3 "$here/compare.py" serial.log.txt "$fixtures/sample.manifest" "ntx sample" \
  /media.txt media-a.txt || bad=1
grep -a -q "^FAIL" serial.log.txt && bad=1
[ $bad -eq 0 ] || fail "see above"
echo "media changes A -> B -> none -> A noticed; each medium read as its manifest says (${secs}s in QEMU)"
