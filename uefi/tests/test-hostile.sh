#!/usr/bin/env bash
# uefi.hostile: the firmware with the driver neither hangs nor crashes on
# the hostile corpus, and the shell still answers afterwards.
#
# Every image tests/fuzz/export-images.sh writes (the crafted malformations
# of tests/hostile, and the fuzz reproducers) becomes one partition of a GPT
# disk, after an ESP with the driver and ntxefi-check.efi. The shell loads
# the driver (Start() mounts what it can, refuses the rest), remaps, lists
# the roots of the first file systems (the shell's ls takes about a second
# a volume under emulation), ntxefi-check.efi walks every volume and reads
# its files within a budget, the shell remaps again and echoes a marker. Pass: the marker within the timeout, no CPU exception reported.
#
# usage: test-hostile.sh DRIVER CHECK HELLO PUT FIXTURES EXPORT_SCRIPT BUILD_DIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"
export_sh=${6:-} build=${7:-}
uefi_setup "$@"
[ -n "$(find "$build" -name test_hostile -type f -perm -u+x 2>/dev/null | head -1)" ] ||
  skip "test_hostile was not built (NTX_BUILD_TESTS)"

"$export_sh" "$build" corpus > export.log 2>&1 || { cat export.log; fail "export-images.sh failed"; }
tail -1 export.log
all=(corpus/repro/*.img corpus/hostile/*.img)
[ ${#all[@]} -ge 20 ] || fail "only ${#all[@]} hostile images exported"
# Every reproducer and an evenly spread choice of the crafted cases (in name
# order, so every class of malformation keeps some): 40 by default, about
# 35 s in QEMU; NTXEFI_HOSTILE_MAX=120 attaches nearly all (a GPT table
# holds 128 entries, the ESP one of them), about 2 minutes.
max=${NTXEFI_HOSTILE_MAX:-40}
[ "$max" -le 120 ] || fail "NTXEFI_HOSTILE_MAX=$max: a GPT table holds 120 volumes after the ESP"
imgs=()
for i in "${!all[@]}"; do
  [ $(( i * max / ${#all[@]} )) -ne $(( (i - 1) * max / ${#all[@]} )) ] || [ "$i" -eq 0 ] &&
    imgs+=("${all[$i]}")
done
n=${#imgs[@]}
echo "$n of ${#all[@]} exported images, one partition each"

esp_image esp.img '@echo -off
echo NTXEFI-STEP load
load fs0:\ntx_x64.efi
echo NTXEFI-STEP map
map -r
fs0:
echo NTXEFI-STEP ls
for %a run (1 8)
  ls fs%a:\
endfor
echo NTXEFI-STEP walk
ntxefi-check.efi walkall
map -r
echo NTXEFI-ALIVE
reset -s' "$drv" ntx_x64.efi "$check" ntxefi-check.efi
gpt_disk disk.img esp.img "${imgs[@]}"
rm -rf corpus

run_qemu ${NTXEFI_HOSTILE_TIMEOUT:-240} serial.log -bios "$ovmf" -drive file=disk.img,format=raw,if=ide
echo "QEMU exited with $qemu_rc after ${qemu_secs}s ($n hostile volumes)"
[ $qemu_rc -ne 124 ] || { tail -c 3000 serial.log.txt; fail "QEMU timed out: the firmware hung"; }
no_crash serial.log.txt
grep -a -q "^NTXEFI-ALIVE" serial.log.txt || { tail -c 3000 serial.log.txt; fail "the shell did not answer after map -r"; }
grep -a "^V " serial.log.txt | sort -t= -k7 -n | tail -8
mounted=$(grep -a -c "^V [0-9]* label=" serial.log.txt || true)
refused=$(grep -a -c "^V [0-9]* open=" serial.log.txt || true)
errors=$(grep -a "^V [0-9]* label=" serial.log.txt | sed -n 's/.* errors=\([0-9]*\) .*/\1/p' | awk '{s+=$1} END {print s+0}')
echo "hostile: $n images; $mounted volumes mounted and walked ($errors errors answered), $refused refused at OpenVolume, the rest refused by Start()"
echo "firmware and shell survived every hostile volume (${qemu_secs}s in QEMU)"
