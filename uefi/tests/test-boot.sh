#!/usr/bin/env bash
# uefi.boot: the firmware's boot manager starts \EFI\BOOT\BOOTX64.EFI from an
# NTFS partition through the driver, with no shell involved.
#
# Disk (GPT): an ESP holding only the driver, and the sample fixture with
# \EFI\BOOT\BOOTX64.EFI (ntxefi-hello.efi) added by libntfs-3g. OVMF runs
# with its variables in a flash image kept between two boots:
#  1. the shell registers the driver as a Driver#### load option
#     (bcfg driver add) and powers off;
#  2. the ESP's startup.nsh is replaced by one that only prints a marker:
#     the firmware loads the driver from its load option, connects it, and
#     its boot option for the disk finds \EFI\BOOT\BOOTX64.EFI on the NTFS
#     partition (the ESP has none). The application prints the label of
#     the file system it was loaded from, then powers off. Reaching the
#     shell instead prints the marker, and fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
uefi_setup "$@"
[ -n "$ovmf_code" ] || skip "OVMF_CODE.fd and OVMF_VARS.fd missing (apt-get install ovmf)"

gzip -dc "$fixtures/sample.img.gz" > sample.img
"$put" sample.img /EFI/BOOT/BOOTX64.EFI "$hello" > /dev/null
cp "$ovmf_vars" vars.fd
flash=(-drive "if=pflash,format=raw,readonly=on,file=$ovmf_code" -drive "if=pflash,format=raw,file=vars.fd")

esp_image esp.img '@echo -off
bcfg driver add 0 fs0:\ntx_x64.efi "ntx NTFS driver"
bcfg driver dump
echo NTXEFI-REGISTERED
reset -s' "$drv" ntx_x64.efi
gpt_disk disk.img esp.img sample.img
run_qemu 120 serial1.log "${flash[@]}" -drive file=disk.img,format=raw,if=ide
echo "boot 1 (shell, bcfg): QEMU exited with $qemu_rc after ${qemu_secs}s"
secs1=$qemu_secs
[ $qemu_rc -ne 124 ] || { tail -c 3000 serial1.log.txt; fail "QEMU timed out"; }
grep -a -q "^NTXEFI-REGISTERED" serial1.log.txt || { tail -c 3000 serial1.log.txt; fail "bcfg did not run"; }
grep -a "Driver\|ntx NTFS" serial1.log.txt | head -5 || true

# Boot 2: the same disk, with a startup.nsh that only says the shell was reached.
printf 'echo NTXEFI-FELL-TO-SHELL\r\nreset -s\r\n' > startup.nsh
dd if=disk.img of=esp.img bs=1M skip=1 count=16 status=none
mcopy -o -i esp.img startup.nsh ::/startup.nsh
dd if=esp.img of=disk.img bs=1M seek=1 conv=notrunc status=none
run_qemu 120 serial2.log "${flash[@]}" -drive file=disk.img,format=raw,if=ide
echo "boot 2 (boot manager): QEMU exited with $qemu_rc after ${qemu_secs}s"
grep -a "NTXEFI\|BdsDxe" serial2.log.txt || true
[ $qemu_rc -ne 124 ] || { tail -c 3000 serial2.log.txt; fail "QEMU timed out"; }
no_crash serial2.log.txt
grep -a -q "NTXEFI-FELL-TO-SHELL" serial2.log.txt && fail "the boot manager fell through to the shell"
grep -a -q "^NTXEFI-HELLO loaded-from-label=ntx sample" serial2.log.txt ||
  { tail -c 3000 serial2.log.txt; fail "BOOTX64.EFI did not start from the NTFS partition"; }
echo "boot manager started \\EFI\\BOOT\\BOOTX64.EFI from NTFS (boots: ${secs1}s + ${qemu_secs}s)"
