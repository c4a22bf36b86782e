# lib.sh - what the QEMU tests of the UEFI driver share (sourced):
# finding QEMU and OVMF (exit 77 when they are missing), building a GPT
# disk image from partition images without mounting anything, running QEMU
# with a timeout and cleaning its serial log.
#
# The scripts take: DRIVER.efi CHECK.efi HELLO.efi NTFS-PUT FIXTURES_DIR [...]

skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

uefi_setup() {
  drv=${1:-} check=${2:-} hello=${3:-} put=${4:-} fixtures=${5:-}
  for f in "$drv" "$check" "$hello"; do
    [ -n "$f" ] && [ -f "$f" ] ||
      skip "the driver or a test application was not built (needs gnu-efi and GNU ld with i386pep)"
  done
  [ -n "$put" ] && [ -x "$put" ] || skip "ntxefi-put was not built (needs libntfs-3g-dev)"
  qemu=$(command -v qemu-system-x86_64 || true)
  [ -n "$qemu" ] || skip "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"
  ovmf="" ovmf_code="" ovmf_vars=""
  for f in /usr/share/ovmf/OVMF.fd /usr/share/qemu/OVMF.fd /usr/share/OVMF/OVMF.fd; do
    [ -f "$f" ] && { ovmf=$f; break; }
  done
  for d in /usr/share/OVMF /usr/share/ovmf; do
    if [ -f "$d/OVMF_CODE.fd" ] && [ -f "$d/OVMF_VARS.fd" ]; then
      ovmf_code=$d/OVMF_CODE.fd ovmf_vars=$d/OVMF_VARS.fd
      break
    fi
  done
  [ -n "$ovmf" ] || skip "OVMF missing (apt-get install ovmf)"
  "$qemu" -machine help > /dev/null 2>&1 || skip "qemu-system-x86_64 does not run here"
  PATH=$PATH:/usr/sbin:/sbin
  local missing=""
  for t in sfdisk mkfs.fat mcopy mkntfs ntfscat sha256sum gzip /usr/bin/python3; do
    command -v $t > /dev/null || missing="$missing $t"
  done
  [ -z "$missing" ] || fail "missing tools:$missing (apt-get install fdisk dosfstools mtools ntfs-3g python3)"
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  work=$(mktemp -d "${TMPDIR:-/tmp}/ntx-uefi.XXXXXX")
  # NTXEFI_KEEP=1 keeps the disks and serial logs (the path is printed).
  if [ "${NTXEFI_KEEP:-0}" = 1 ]; then
    trap 'echo "kept: $work"' EXIT
  else
    trap 'rm -rf "$work"' EXIT
  fi
  cd "$work"
}

# esp_image FILE NSH [HOST_FILE NAME]...: a 16 MiB FAT16 ESP labelled ESP
# (esp_mb=N: N MiB, FAT32 from 64 MiB on).
esp_image() {
  local img=$1 nsh=$2 mb=${esp_mb:-16} fat=16
  shift 2
  [ "$mb" -lt 64 ] || fat=32
  rm -f "$img"
  truncate -s "${mb}M" "$img"
  mkfs.fat -F $fat -n ESP "$img" > /dev/null
  printf '%s' "$nsh" | sed 's/$/\r/' > startup.nsh
  mcopy -i "$img" startup.nsh ::/startup.nsh
  while [ $# -ge 2 ]; do
    mcopy -i "$img" "$1" "::/$2"
    shift 2
  done
}

# gpt_disk OUT PART.img... : a GPT disk, the first partition an ESP, the
# others basic data (NTFS), each the size of its image (rounded up to
# 1 MiB), 1 MiB aligned.
gpt_disk() {
  local out=$1
  shift
  local start=2048 script="label: gpt" n=0 types=() starts=() sizes=()
  for p in "$@"; do
    local bytes sectors
    bytes=$(stat -c %s "$p")
    sectors=$(( (bytes + 1048575) / 1048576 * 2048 ))
    local type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7
    [ $n -eq 0 ] && type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B
    script="$script
start=$start, size=$sectors, type=$type"
    starts+=($start)
    start=$((start + sectors))
    n=$((n + 1))
  done
  rm -f "$out"
  truncate -s $(( (start + 2048) * 512 )) "$out"
  echo "$script" | sfdisk --quiet "$out"
  local i=0
  for p in "$@"; do
    dd if="$p" of="$out" bs=1M seek=$((starts[i] / 2048)) conv=notrunc,sparse status=none
    i=$((i + 1))
  done
}

# run_qemu SECONDS SERIAL_LOG [QEMU ARGS...]: boot, wait for power-off;
# the cleaned log goes to SERIAL_LOG.txt. Sets qemu_rc and qemu_secs.
run_qemu() {
  local secs=$1 log=$2
  shift 2
  local t0
  t0=$(date +%s%N)
  qemu_rc=0
  timeout "$secs" "$qemu" -machine q35 -m 512 -nic none -display none -vga none -no-reboot \
    -monitor none -serial "file:$log" -accel tcg "$@" || qemu_rc=$?
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  qemu_secs=$((ms / 1000)).$(printf '%03d' $((ms % 1000)))
  tr -d '\r' < "$log" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g; s/\x1b[()][A-Z0-9]//g' > "$log.txt"
}

# The firmware's exception handler prints this on the serial port.
no_crash() {
  if grep -a -q "X64 Exception Type\|!!!! " "$1"; then
    grep -a -A12 "X64 Exception Type\|!!!! " "$1" | head -30
    fail "the firmware reported a CPU exception"
  fi
}
