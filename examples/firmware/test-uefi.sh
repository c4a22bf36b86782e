#!/usr/bin/env bash
# Boots the UEFI loader (ntxload.efi) in QEMU with OVMF, under software
# emulation, from a GPT disk image built without mounting anything:
#   partition 1: FAT EFI system partition (mkfs.fat + mtools) holding
#                ntxload.efi and a startup.nsh that runs it, then "reset -s";
#   partition 2: NTFS (mkntfs on a separate file, ntfscp puts the kernel in,
#                dd conv=notrunc writes it into place).
# The serial console must show the loader's line with the size, CRC-32 and
# SHA-256 of the file, checked against sha256sum and gzip's CRC-32.
#
# usage: test-uefi.sh PATH/TO/ntxload.efi
# Exit 77 (skipped) only when QEMU, OVMF or the application (gnu-efi) is
# missing, or QEMU cannot start; it says which.
set -euo pipefail
efi=${1:-}

skip() { echo "SKIPPED: $*"; exit 77; }
[ -n "$efi" ] && [ -f "$efi" ] || skip "ntxload.efi was not built (gnu-efi missing: apt-get install gnu-efi)"
efi=$(cd "$(dirname "$efi")" && pwd)/$(basename "$efi")
qemu=$(command -v qemu-system-x86_64 || true)
[ -n "$qemu" ] || skip "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"
ovmf=""
for f in /usr/share/ovmf/OVMF.fd /usr/share/qemu/OVMF.fd /usr/share/OVMF/OVMF.fd; do
  [ -f "$f" ] && { ovmf=$f; break; }
done
[ -n "$ovmf" ] || skip "OVMF missing (apt-get install ovmf)"
"$qemu" -machine help > /dev/null 2>&1 || skip "qemu-system-x86_64 does not run here"

# The disk tools are required once QEMU is there: no silent skip for them.
missing=""
PATH=$PATH:/usr/sbin:/sbin
for t in sfdisk mkfs.fat mcopy mkntfs ntfscp sha256sum gzip; do
  command -v $t > /dev/null || missing="$missing $t"
done
if [ -n "$missing" ]; then
  echo "FAIL: missing tools:$missing (apt-get install fdisk dosfstools mtools ntfs-3g)"
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ntx-fw-uefi.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

# The "kernel": 300 KiB + 7 bytes of random data; the expected digests come
# from sha256sum and from gzip's CRC-32 (its trailer), not from ntx.
kernel_size=$((300 * 1024 + 7))
head -c $kernel_size /dev/urandom > kernel.bin
want_sha=$(sha256sum kernel.bin | cut -d' ' -f1)
want_crc=$(gzip -1 -c kernel.bin | tail -c 8 | od -An -tx4 -N4 | tr -d ' \n')

# GPT: 1 MiB gap, 16 MiB ESP, the rest NTFS (basic data).
esp_start=2048 esp_sectors=32768
ntfs_start=$((esp_start + esp_sectors)) ntfs_sectors=65536
total=$((ntfs_start + ntfs_sectors + 2048))
truncate -s $((total * 512)) disk.img
sfdisk --quiet disk.img << EOF
label: gpt
start=$esp_start, size=$esp_sectors, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="ESP"
start=$ntfs_start, size=$ntfs_sectors, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name="ntx"
EOF

truncate -s $((esp_sectors * 512)) esp.img
mkfs.fat -F 16 -n ESP esp.img > /dev/null
printf 'fs0:\r\n\\ntxload.efi /kernel.bin\r\nreset -s\r\n' > startup.nsh
mcopy -i esp.img "$efi" ::/ntxload.efi
mcopy -i esp.img startup.nsh ::/startup.nsh

truncate -s $((ntfs_sectors * 512)) ntfs.img
# (mkntfs warns that a plain file has no disk geometry for Windows to boot
# from: true and irrelevant here; its output is shown only if it fails.)
mkntfs -F -Q -q -s 512 -c 4096 -p $ntfs_start -H 255 -S 63 -L ntx-uefi ntfs.img > mkntfs.log 2>&1 ||
  { cat mkntfs.log; exit 1; }
ntfscp -q ntfs.img kernel.bin /kernel.bin
# (ntfscp cannot create directories, so the kernel sits in the root and
# startup.nsh names it; the loader's default path is /boot/kernel.bin.)
dd if=esp.img of=disk.img bs=512 seek=$esp_start conv=notrunc status=none
dd if=ntfs.img of=disk.img bs=512 seek=$ntfs_start conv=notrunc status=none

start=$(date +%s)
rc=0
timeout 150 "$qemu" -machine q35 -m 256 -bios "$ovmf" -nic none -display none -no-reboot \
  -drive file=disk.img,format=raw -serial file:serial.log -monitor none -accel tcg || rc=$?
elapsed=$(($(date +%s) - start))
tr -d '\r' < serial.log | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' > serial.txt
grep -a 'ntx-fw-efi\|kernel.bin' serial.txt || true
echo "QEMU exited with $rc after ${elapsed}s"
[ $rc -ne 124 ] || { echo "FAIL: QEMU timed out"; tail -c 2000 serial.txt; exit 1; }

line=$(grep -a -m1 'kernel.bin size=' serial.txt || true)
[ -n "$line" ] || { echo "FAIL: no loader line on the serial console"; tail -c 3000 serial.txt; exit 1; }
got_size=$(sed -n 's/.* size=\([0-9]*\) .*/\1/p' <<< "$line")
got_crc=$(sed -n 's/.* crc32=\([0-9a-f]*\) .*/\1/p' <<< "$line")
got_sha=$(sed -n 's/.* sha256=\([0-9a-f]*\).*/\1/p' <<< "$line")
fail=0
[ "$got_size" = $kernel_size ] || { echo "FAIL: size $got_size, want $kernel_size"; fail=1; }
[ "$got_crc" = "$want_crc" ] || { echo "FAIL: crc32 $got_crc, want $want_crc"; fail=1; }
[ "$got_sha" = "$want_sha" ] || { echo "FAIL: sha256 $got_sha, want $want_sha"; fail=1; }
[ $fail -eq 0 ] || exit 1
echo "UEFI loader in QEMU/OVMF: size, CRC-32 and SHA-256 match (${elapsed}s)"
