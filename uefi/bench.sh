#!/usr/bin/env bash
# bench.sh - the time to read one large file in QEMU through ntx_x64.efi,
# beside the firmware's own FAT driver reading the same bytes from the ESP
# (a benchmark: it prints figures, it asserts nothing but equal bytes).
#
#   uefi/bench.sh BUILD_DIR [MIB]        (default 64 MiB)
#
# One QEMU boot (OVMF, TCG, q35, the disk on AHCI): an ESP (FAT32) holding
# the driver, ntxefi-check.efi and a copy of the file; an NTFS partition
# (mkntfs, 4 KiB clusters) holding the file, written by libntfs-3g
# (ntxefi-put). ntxefi-check.efi "bench" opens each file, reads it whole
# in 64 KiB Read() calls, best of 3, then checks that both read the same
# SHA-256. Emulated, so the figures compare the two drivers on the same
# emulated disk; they say nothing of real hardware's speed.
set -euo pipefail
build=$(cd "${1:?usage: bench.sh BUILD_DIR [MIB]}" && pwd)
mib=${2:-64}
set -- "$build/uefi/ntx_x64.efi" "$build/uefi/ntxefi-check.efi" "$build/uefi/ntxefi-hello.efi" \
  "$build/uefi/ntxefi-put" "$(cd "$(dirname "$0")/.." && pwd)/fixtures"
. "$(dirname "$0")/tests/lib.sh"
uefi_setup "$@"

head -c $((mib * 1048576)) /dev/urandom > big.bin
truncate -s $((mib + 32))M ntfs.img
mkntfs -F -Q -q -c 4096 -L ntx-bench ntfs.img > /dev/null 2>&1
"$put" ntfs.img /big.bin big.bin > /dev/null
esp_mb=$((mib + 48)) esp_image esp.img '@echo -off
load fs0:\ntx_x64.efi
map -r
fs0:
ntxefi-check.efi bench ntx-bench /big.bin ESP /big.bin
reset -s' "$drv" ntx_x64.efi "$check" ntxefi-check.efi big.bin big.bin
gpt_disk disk.img esp.img ntfs.img
rm -f esp.img ntfs.img

run_qemu 900 serial.log -bios "$ovmf" -drive file=disk.img,format=raw,if=ide
no_crash serial.log.txt
grep -a "^B \|^PASS\|^FAIL" serial.log.txt || true
line=$(grep -a "^B read" serial.log.txt) || { tail -c 2000 serial.log.txt; fail "no figures"; }
grep -a -q "^PASS bench-same-bytes" serial.log.txt || fail "the two drivers read different bytes"
bytes=$(sed 's/.*bytes=\([0-9]*\).*/\1/' <<< "$line")
val() { sed "s/.* $1=\([0-9]*\).*/\1/" <<< "$line"; }
ntfs=$(val ntfs_us) fat=$(val fat_us) ntfs1=$(val ntfs_first_us) fat1=$(val fat_first_us)
size=$(stat -c %s "$drv")
awk -v b="$bytes" -v n="$ntfs" -v f="$fat" -v n1="$ntfs1" -v f1="$fat1" -v s="$size" 'BEGIN {
  m = b / 1048576
  printf "read %.1f MiB in QEMU (TCG), 64 KiB Read() calls; first read, then best of 3:\n", m
  printf "  %-36s %8.0f ms %7.1f MiB/s   %8.0f ms %7.1f MiB/s\n", "NTFS, ntx_x64.efi (" s " bytes)",
         n1 / 1000, m / (n1 / 1e6), n / 1000, m / (n / 1e6)
  printf "  %-36s %8.0f ms %7.1f MiB/s   %8.0f ms %7.1f MiB/s\n", "FAT32, the firmware'\''s own driver",
         f1 / 1000, m / (f1 / 1e6), f / 1000, m / (f / 1e6)
  printf "  NTFS speed / FAT speed: %.2f first, %.2f best\n", f1 / n1, f / n
}'
