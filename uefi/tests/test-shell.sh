#!/usr/bin/env bash
# uefi.shell: the UEFI shell loads the driver, remaps, lists the NTFS
# volumes, starts an application stored on NTFS, and ntxefi-check.efi reads
# three fixtures through the Simple File System protocol.
#
# Disk (GPT, made without mounting anything): an ESP with the driver, the
# check application, startup.nsh and a copy of one NTFS file (for the read
# benchmark against the firmware's FAT driver); then ntfs-512 (LZNT1 with
# 512-byte clusters, a fragmented file, a 5 GiB sparse file) with
# \EFI\ntx\hello.efi and \EFI\BOOT\BOOTX64.EFI added by libntfs-3g; wof
# (WOF: XPRESS and LZX, data kept outside the volume); sample (a symbolic
# link, a label with a space).
#
# Oracles: each fixture's manifest (ntfs-3g) for every directory, size and
# SHA-256; libntfs-3g's free cluster count and the manifest's cluster count
# for EFI_FILE_SYSTEM_INFO; the UEFI specification for the status codes
# (ntxefi-check.efi "checks"); the marker of the application started from
# NTFS; no CPU exception on the serial console.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
uefi_setup "$@"

for f in ntfs-512 wof sample; do
  gzip -dc "$fixtures/$f.img.gz" > $f.img
done
free=$("$put" ntfs-512.img /EFI/ntx/hello.efi "$hello" /EFI/BOOT/BOOTX64.EFI "$hello" |
  sed -n 's/^free_clusters //p')
[ -n "$free" ] || fail "ntxefi-put did not write to the image"
manifest_value() { sed -n "s/^# $2: //p" "$fixtures/$1.manifest"; }
csize=$(manifest_value ntfs-512 cluster_size)
total=$(manifest_value ntfs-512 total_clusters)
ntfscat -q ntfs-512.img /sizes/big-3MiB-plus-123.bin > bench.bin

nsh='@echo -off
echo NTXEFI-STEP load
load fs0:\ntx_x64.efi
map -r
fs0:
echo NTXEFI-STEP ls
for %a run (1 4)
  ls fs%a:\
endfor
echo NTXEFI-STEP hello
for %a run (1 4)
  if exist fs%a:\efi\NTX\HELLO.EFI then
    fs%a:\efi\NTX\HELLO.EFI stay
  endif
endfor
echo NTXEFI-STEP walk
ntxefi-check.efi walk ntx-512
ntxefi-check.efi walk ntx-wof
ntxefi-check.efi walk "ntx sample"
ntxefi-check.efi checks ntx-512 /compressed/sub/inner.txt 9000 '$((total * csize))' '$((free * csize))'
ntxefi-check.efi bench ntx-512 /sizes/big-3MiB-plus-123.bin ESP /bench.bin
ntxefi-check.efi names ntx-512
ntxefi-check.efi memory ntx-512 /hello.txt
echo NTXEFI-SHELL-END
reset -s'
esp_image esp.img "$nsh" "$drv" ntx_x64.efi "$check" ntxefi-check.efi bench.bin bench.bin
gpt_disk disk.img esp.img ntfs-512.img wof.img sample.img
rm -f ntfs-512.img wof.img sample.img

run_qemu 240 serial.log -bios "$ovmf" -drive file=disk.img,format=raw,if=ide
echo "QEMU exited with $qemu_rc after ${qemu_secs}s"
grep -a "^NTXEFI\|^PASS\|^FAIL\|^M \|^B \|^T \|Directory of\|NTXEFI-HELLO" serial.log.txt || true
[ $qemu_rc -ne 124 ] || { tail -c 3000 serial.log.txt; fail "QEMU timed out"; }
no_crash serial.log.txt
grep -a -q "^NTXEFI-SHELL-END" serial.log.txt || { tail -c 3000 serial.log.txt; fail "the shell script did not finish"; }

bad=0
# The shell listed every volume's root: each top-level name of each manifest.
for f in ntfs-512 wof sample; do
  for name in $(awk -F'\t' '/^[dfl]\t/ && $7 ~ /^\/[^\/ ]+$/ {print substr($7, 2)}' "$fixtures/$f.manifest"); do
    grep -a -q " ${name}\$" serial.log.txt || { echo "FAIL: ls did not show /$name of $f"; bad=1; }
  done
done
grep -a -q "^NTXEFI-HELLO loaded-from-label=ntx-512" serial.log.txt ||
  { echo "FAIL: the application on NTFS did not run"; bad=1; }
/usr/bin/python3 "$here/compare.py" serial.log.txt "$fixtures/ntfs-512.manifest" ntx-512 \
  /EFI/ntx/hello.efi "$hello" /EFI/BOOT/BOOTX64.EFI "$hello" || bad=1
/usr/bin/python3 "$here/compare.py" serial.log.txt "$fixtures/wof.manifest" ntx-wof || bad=1
/usr/bin/python3 "$here/compare.py" serial.log.txt "$fixtures/sample.manifest" "ntx sample" || bad=1
grep -a -q "^FAIL" serial.log.txt && bad=1
[ "$(grep -a -c '^PASS' serial.log.txt)" -ge 30 ] || { echo "FAIL: too few checks ran"; bad=1; }
[ $bad -eq 0 ] || fail "see above"
echo "UEFI shell, NTFS driver: listings, files and protocol answers match (${qemu_secs}s in QEMU)"
