#!/usr/bin/env bash
# Footprint report of the ntx core, as Markdown on stdout: code and data size
# per profile (include/ntx/config.h) and per target at -Os, the workspace and
# handle sizes, the worst-case stack, and GRUB's NTFS driver for comparison.
#
# usage: examples/firmware/footprint.sh [BUILD_DIR]
#   BUILD_DIR: a CMake build with the firmware example (default build/preset-firmware
#   or build/test-plain, whichever exists); its ntx-fw-linux-* programs give
#   the measured (painted) stack. Without one that row is left out.
# Needs gcc, binutils and awk; uses what it finds of aarch64-linux-gnu-gcc,
# riscv64-linux-gnu-gcc, arm-none-eabi-gcc (Debian: gcc-aarch64-linux-gnu,
# gcc-riscv64-linux-gnu, gcc-arm-none-eabi) and of grub-efi-amd64-bin.
#
# Sizes: .text is code only; .rodata is read-only data (string literals and
# tables); .data and .bss are mutable data (the core has none). Built with
# -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables:
#   "whole core"      every function, as a plain `ld -r` of all objects;
#   "mount+open+read" what a loader calling ntx_volume_mount,
#                     ntx_file_open_path, ntx_stream_open_data and
#                     ntx_stream_read links with --gc-sections;
#   "+LTO"            the same with -flto (x86-64 only);
#   "GRUB's set"      mount+open+read plus what GRUB's ntfs.mod offers:
#                     directory listing and the volume label.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
build=${1:-}
if [ -z "$build" ]; then
  for d in build/preset-firmware build/test-plain build/release; do
    [ -x "$d/examples/firmware/ntx-fw-linux-full" ] && { build=$d; break; }
  done
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ntx-footprint.XXXXXX")
trap 'rm -rf "$work"' EXIT
jobs=$(nproc 2> /dev/null || echo 2)
profiles="full boot minimal"
# the core's sources, as src/sources.cmake lists them; objects are named
# after their path (parse/index.c and tree/index.c are two files)
sources=$(sed -n '/set(NTX_CORE_SOURCES/,/)/p' src/sources.cmake | tr ' ()' '\n\n\n' | grep '\.c$' |
  sed 's|^|src/|')
roots_min="ntx_volume_mount_checked ntx_file_open_path ntx_stream_open_data ntx_stream_read"
roots_grub="$roots_min ntx_volume_get_info ntx_dir_iter_open ntx_dir_iter_next"

# target name, compiler prefix, extra flags
targets=("x86-64|x86_64-linux-gnu-|-fno-pie"
         "AArch64|aarch64-linux-gnu-|-fno-pie"
         "RISC-V 64|riscv64-linux-gnu-|-fno-pie"
         "Cortex-M4 (Thumb-2)|arm-none-eabi-|-mcpu=cortex-m4 -mthumb")

base_flags="-std=c11 -Os -ffreestanding -fno-builtin -fno-stack-protector -fno-common -nostdinc
  -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables
  -fno-tree-loop-distribute-patterns -Iinclude"
base_flags=$(echo $base_flags) # one line: it goes through sh -c

# sum of section sizes by kind: "text rodata data bss"
sections() {
  "$1size" -A "$2" | awk '
    $1 ~ /^\.text/ { t += $2 } $1 ~ /^\.s?rodata/ { r += $2 }
    $1 ~ /^\.s?data/ { d += $2 } $1 ~ /^\.s?bss/ { b += $2 }
    END { printf "%d %d %d %d\n", t, r, d, b }'
}

# The measuring build: a copy of src/ in which a failure that only corrupt or
# hostile metadata causes is unreachable, so the compiler drops every check
# leading to one (and, in the full profile, the recording of diagnostics,
# which serves the checks alone). A lower bound of what the checks cost;
# never a build to run, and not a mode of the core: only this copy has it.
# the codes only damaged metadata yields (include/ntx/error.h)
corruption_codes="NTX_E_CORRUPT NTX_E_RANGE NTX_E_LIMIT"
make_unchecked_copy() {
  local dst=$work/unchecked-src cond="" c
  [ -d "$dst" ] && return 0
  cp -r src "$dst"
  for c in $corruption_codes; do
    grep -q "\b$c\b" include/ntx/error.h && cond="$cond || (e) == $c"
  done
  # error.c's definition of ntx_fail() would meet the macro below: renamed
  sed -i 's/^ntx_err ntx_fail(ntx_volume \*vol/ntx_err ntx_fail_unused(ntx_volume *vol/' "$dst/base/error.c"
  sed -i '$ d' "$dst/base/diag.h" # its final #endif
  cat >> "$dst/base/diag.h" << EOF
#define NTX_CORRUPTION_(e) (0 $cond)
#undef ntx_fail
#define ntx_fail(vol, err, check, mft_no, offset) \\
    ((void)(vol), (void)(check), (void)(mft_no), (void)(offset), \\
     NTX_CORRUPTION_(err) ? (__builtin_unreachable(), (ntx_err)(err)) : (ntx_err)(err))
#undef ntx_invalid
#define ntx_invalid(check, which, err) \\
    (NTX_CORRUPTION_(err) ? (__builtin_unreachable(), (ntx_err)(err)) \\
                          : (*(check) = (which), (ntx_err)(err)))
#endif
EOF
}

# build PREFIX FLAGS PROFILE OUTDIR [unchecked]: the core's objects, core.o,
# and gc'd links (of the measuring copy with "unchecked")
build_core() {
  local prefix=$1 flags=$2 profile=$3 out=$4 list=$sources
  local P
  P=$(tr a-z A-Z <<< "$profile")
  mkdir -p "$out"
  if [ "${5:-}" = unchecked ]; then
    make_unchecked_copy
    list=$(printf '%s\n' $sources | sed "s|^src/|$work/unchecked-src/|")
  fi
  local inc
  inc=$("${prefix}gcc" -print-file-name=include)
  printf '%s\n' $list | xargs -P "$jobs" -I{} sh -c \
    "${prefix}gcc $base_flags -isystem $inc $flags -DNTX_PROFILE=NTX_PROFILE_$P -c {} -o $out/\$(echo {} | sed 's|.*/src/||; s|^src/||' | tr / _).o" \
    || return 1
  "${prefix}ld" -r -o "$out/core.o" $(ls "$out"/*.o | grep -v '/core.o$')
  local u
  for set in min grub; do
    local roots=roots_$set
    u=""
    for r in ${!roots}; do u="$u -u $r"; done
    "${prefix}ld" -r --gc-sections $u -e ntx_volume_mount_checked -o "$out/gc_$set.o" "$out/core.o"
  done
}

referenced_undef() {
  local names
  names=$("$1nm" -u "$2" | awk '{ print $2 }')
  [ -n "$names" ] || return 0
  "$1objdump" -r "$2" | awk 'NF >= 3 { sub(/[-+].*$/, "", $3); print $3 }' | sort -u |
    { grep -Fx -f <(printf '%s\n' $names) || true; } | tr '\n' ' ' | sed 's/ $//'
}

kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1000 }'; }

# static_stack PROFILE DIR [FLAGS]: "BYTES|CHAIN", the deepest static call
# chain of the core (GCC -fcallgraph-info=su, x86-64 -Os, tests/stack.awk)
static_stack() {
  local P d=$2 inc s
  P=$(tr a-z A-Z <<< "$1")
  mkdir -p "$d"
  inc=$(gcc -print-file-name=include)
  for s in $sources; do
    (cd "$d" && gcc $base_flags -I"$root/include" -isystem "$inc" -fno-pie -DNTX_PROFILE=NTX_PROFILE_$P \
      ${3:-} -fcallgraph-info=su -c "$root/$s" -o "$(echo "$s" | tr / _).o")
  done
  printf '%s|%s\n' "$(awk -f tests/stack.awk "$d"/*.ci | awk '/^deepest/ { print $4 }')" \
    "$(awk -f tests/stack.awk "$d"/*.ci | awk 'NR > 1 && NF == 2 { printf "%s%s", sep, $2; sep = " → " }')"
}

# painted_stack PROFILE FIXTURE: the most stack the Linux loader used reading
# every file and stream of fixtures/FIXTURE.img.gz up to 16 MiB whose bytes
# are on the volume ("" without a build)
painted_stack() {
  local bin="$build/examples/firmware/ntx-fw-linux-$1"
  [ -n "$build" ] && [ -x "$bin" ] || return 0
  gzip -dc "fixtures/$2.img.gz" > "$work/$2.img"
  awk -F'\t' '($1 == "f" || $1 == "s") && $3 + 0 <= 16777216 && $5 != "-" { print $7 }' \
    "fixtures/$2.manifest" > "$work/paths"
  # (the loader exits non-zero when a profile refuses some files: fine here)
  (xargs -d '\n' "$bin" "$work/$2.img" < "$work/paths" || true) |
    awk -F= '/^stack=/ { if ($2 > m) m = $2 } END { print m }'
  rm -f "$work/$2.img"
}

echo "## ntx footprint"
echo
echo "Generated by \`examples/firmware/footprint.sh\` on $(date -u +%Y-%m-%d) from $(git rev-parse --short HEAD 2> /dev/null || echo 'a work tree')$(git diff --quiet 2> /dev/null || echo ' with local changes'); $(gcc --version | head -1)."
echo "Bytes; 1 KB = 1,000 bytes. The core has no \`.data\` and no \`.bss\` in any build (no mutable globals)."
echo
echo "### Code size per profile and target (-Os)"
echo
echo "| target | profile | whole core .text | .rodata | mount+open+read .text | .rodata | +LTO .text | GRUB's set .text | needs from outside: whole core / mount+open+read |"
echo "|---|---|---|---|---|---|---|---|---|"
for t in "${targets[@]}"; do
  IFS='|' read -r tname prefix tflags <<< "$t"
  if [ "$tname" = x86-64 ] && ! command -v "${prefix}gcc" > /dev/null; then prefix=""; fi
  if ! command -v "${prefix}gcc" > /dev/null; then
    echo "| $tname | — | (${prefix}gcc not installed) | | | | | | |"
    continue
  fi
  for p in $profiles; do
    out="$work/$prefix$p"
    if ! build_core "$prefix" "$tflags" "$p" "$out" > "$out.log" 2>&1; then
      echo "| $tname | $p | build failed: $(head -c 200 "$out.log" | tr '\n|' '  ') | | | | | | |"
      continue
    fi
    read -r wt wr wd wb <<< "$(sections "$prefix" "$out/core.o")"
    read -r mt mr _ _ <<< "$(sections "$prefix" "$out/gc_min.o")"
    read -r gt _ _ _ <<< "$(sections "$prefix" "$out/gc_grub.o")"
    # Undefined symbols that some relocation really uses (ld -r keeps the
    # names of those only the discarded sections referenced).
    undef_whole=$(referenced_undef "$prefix" "$out/core.o")
    undef=$(referenced_undef "$prefix" "$out/gc_min.o")
    lto="—"
    if [ "$tname" = x86-64 ]; then
      # LTO: a stub caller, so the link sees real arguments (a loader's view).
      P=$(tr a-z A-Z <<< "$p")
      mkdir -p "$out/lto"
      cat > "$out/lto/stub.c" << 'EOF'
#include "ntx.h"
static ntx_volume vol; static unsigned char ws[NTX_WORKSPACE_MAX]; static ntx_file f;
static ntx_stream s; static unsigned char buf[1 << 20]; static ntx_io io; static size_t got;
int fw_stub(const char *path, size_t len);
int fw_stub(const char *path, size_t len)
{
    int rc = ntx_volume_mount(&vol, &io, ws, sizeof ws);
    if (rc == 0) rc = ntx_file_open_path(&f, &vol, path, len);
    if (rc == 0) rc = ntx_stream_open_data(&s, &f, 0, 0);
    if (rc == 0) rc = ntx_stream_read(&s, 0, buf, sizeof buf, &got);
    return rc;
}
EOF
      inc=$(gcc -print-file-name=include)
      stubflags="$base_flags -isystem $inc $tflags -DNTX_PROFILE=NTX_PROFILE_$P"
      if gcc $stubflags -flto -c "$out/lto/stub.c" -o "$out/lto/stub.o" 2> /dev/null &&
         gcc $stubflags -c "$out/lto/stub.c" -o "$out/lto/stub-nolto.o" 2> /dev/null; then
        for s in $sources; do gcc $stubflags -flto -c "$s" -o "$out/lto/$(echo "$s" | tr / _).o"; done
        gcc $stubflags -flto -nostdlib -static -no-pie -Wl,--gc-sections -Wl,-e,fw_stub \
          -o "$out/lto/a.out" $(ls "$out"/lto/*.o | grep -v stub-nolto) 2> /dev/null
        gcc $stubflags -nostdlib -static -no-pie -Wl,--gc-sections -Wl,-e,fw_stub \
          -o "$out/lto/b.out" "$out/lto/stub-nolto.o" "$out/core.o" 2> /dev/null
        read -r a _ _ _ <<< "$(sections "" "$out/lto/a.out")"
        read -r b _ _ _ <<< "$(sections "" "$out/lto/b.out")"
        read -r c _ _ _ <<< "$(sections "" "$out/lto/stub-nolto.o")"
        # the stub's own code, measured without LTO, is taken off
        lto=$((a - c))
        [ $((b - c)) -eq "$mt" ] || lto="$lto (check: $((b - c)) vs $mt)"
      fi
    fi
    [ -n "$undef" ] || undef="none"
    [ -n "$undef_whole" ] || undef_whole="none"
    [ "$wd" -eq 0 ] && [ "$wb" -eq 0 ] || undef="$undef; .data $wd .bss $wb"
    echo "| $tname | $p | $wt | $wr | **$mt** | $mr | $lto | $gt | $undef_whole / $undef |"
  done
done

echo
echo "### GRUB's NTFS driver (grub-efi-amd64-bin, x86-64)"
echo
grub=""
for d in /usr/lib/grub/x86_64-efi; do [ -f "$d/ntfs.mod" ] && grub=$d; done
if [ -n "$grub" ]; then
  echo "| module | .text | .rodata | .data | .bss |"
  echo "|---|---|---|---|---|"
  tt=0 tr=0 td=0
  for m in ntfs ntfscomp; do
    read -r t r d b <<< "$(sections "" "$grub/$m.mod")"
    echo "| $m.mod | $t | $r | $d | $b |"
    tt=$((tt + t)) tr=$((tr + r)) td=$((td + d))
  done
  echo "| together | **$tt** | $tr | $td | |"
  # ntfs.mod cannot load without fshelp.mod (moddep.lst: "ntfs: fshelp"),
  # which walks the path and folds case for it; ntx does both itself.
  read -r t r d b <<< "$(sections "" "$grub/fshelp.mod")"
  echo "| fshelp.mod (path walk; ntfs.mod needs it) | $t | $r | $d | $b |"
  grub_fshelp_text=$((tt + t))
  echo "| with fshelp.mod | **$grub_fshelp_text** | $((tr + r)) | $((td + d)) | |"
  echo
  echo "ntfs.mod and ntfscomp.mod: text, read-only and initialized data together $((tt + tr + td)) bytes ($(kb $((tt + tr + td))) KB)."
  echo "GRUB's driver also leans on GRUB's kernel (malloc, disk cache), which is not counted."
  gv=$(dpkg-query -W -f '${Version}' grub-efi-amd64-bin 2> /dev/null || true)
  # Debian 12's 2.06-13+deb12u2 dropped the NTFS fixes of deb12u1 (its changelog:
  # "Drop NTFS patches that seem to be causing regressions") and took NTFS out of the
  # signed image instead.
  [ -n "$gv" ] && echo "Measured: grub-efi-amd64-bin $gv."
else
  echo "(grub-efi-amd64-bin not installed: apt-get install grub-efi-amd64-bin)"
fi

echo
echo "### What each feature switch costs (x86-64, full profile)"
echo
echo "The full profile built with one NTX_WITH_ switch of include/ntx/config.h set to 0; the last rows"
echo "leave out every feature GRUB's driver lacks: diagnostics (where a failure was detected),"
echo "recovery (backup boot sector, \$MFTMirr), named streams, error texts, \$UpCase collation"
echo "(GRUB folds ASCII letters only), deleted files and WOF compression. The last row also leaves out the checks"
echo "of on-disk data that GRUB lacks (its CVE-2023-4692/4693): a measuring build, never one to run, in which every failure"
echo "only corrupt metadata causes is unreachable (ntx_fail() and the validators' ntx_invalid(), src/base/diag.h),"
echo "so the compiler drops the checks leading to it. A lower bound: checks answering otherwise stay (the"
echo "boot sector's, for one). It drops also the few checks GRUB has (record and index magics, the fixup"
echo "count and sequence): their cost stays in GRUB's figure. What stays in every row and GRUB also"
echo "lacks: the B+tree descent of lookups (GRUB reads a directory's entries one after another)."
echo
echo "| switch set to 0 | mount+open+read .text | saved | GRUB's set .text | saved |"
echo "|---|---|---|---|---|"
fprefix=x86_64-linux-gnu-
command -v "${fprefix}gcc" > /dev/null || fprefix=""
fout="$work/feat-full"
if build_core "$fprefix" "-fno-pie" full "$fout" > "$fout.log" 2>&1; then
  read -r fmt _ _ _ <<< "$(sections "$fprefix" "$fout/gc_min.o")"
  read -r fgt _ _ _ <<< "$(sections "$fprefix" "$fout/gc_grub.o")"
  echo "| (none: the full profile) | $fmt | | $fgt | |"
  grub_lacks="NTX_WITH_DIAG NTX_WITH_RECOVERY NTX_WITH_NAMED_STREAMS NTX_WITH_STRERROR NTX_WITH_UPCASE NTX_WITH_DELETED NTX_WITH_WOF"
  # The last row also drops the checks of on-disk data (the measuring copy,
  # make_unchecked_copy: a build to measure, never to run).
  for sw in NTX_WITH_LZNT1 NTX_WITH_ATTRLIST NTX_WITH_RECOVERY NTX_WITH_DIAG NTX_WITH_STRERROR \
            NTX_WITH_DOTDOT NTX_WITH_NAMED_STREAMS NTX_WITH_UNICODE_PATHS NTX_WITH_UPCASE \
            NTX_WITH_WORD_MEM NTX_WITH_DELETED NTX_WITH_WOF NTX_WITH_MFT_FILE \
            "$grub_lacks" "$grub_lacks unchecked"; do
    defs="" how=""
    for d in $sw; do
      case $d in unchecked) how=unchecked;; *) defs="$defs -D$d=0";; esac
    done
    o="$work/feat-$(tr ' ' _ <<< "$sw")"
    if build_core "$fprefix" "-fno-pie$defs" full "$o" $how > "$o.log" 2>&1; then
      read -r mt _ _ _ <<< "$(sections "$fprefix" "$o/gc_min.o")"
      read -r gt _ _ _ <<< "$(sections "$fprefix" "$o/gc_grub.o")"
      label=$sw
      [ "$sw" = "$grub_lacks" ] && label="all GRUB lacks: ${sw// /, }"
      [ "$sw" = "$grub_lacks unchecked" ] &&
        label="all GRUB lacks, and the checks of on-disk data (lower bound: the measuring copy)"
      echo "| $label | $mt | $((fmt - mt)) | $gt | $((fgt - gt)) |"
      [ "$sw" = "$grub_lacks" ] && grub_lacks_text=$gt
      [ "$sw" = "$grub_lacks unchecked" ] && { unchecked_text=$gt; unchecked_dir=$o; }
    else
      echo "| $sw | build failed | | | |"
    fi
  done
else
  echo "| (full build failed) | | | | |"
fi

# .text of the named functions in a gc'd object (nm -S; static ones too).
fn_text() {
  local obj=$1; shift
  "${fprefix}nm" -S -t d "$obj" |
    awk -v want=" $* " '$3 ~ /^[tT]$/ && index(want, " " $4 " ") { t += $2 } END { print t + 0 }'
}

if [ -n "${unchecked_dir:-}" ] && [ -n "${grub_fshelp_text:-}" ]; then
  # What GRUB's ntfs.mod calls in GRUB's kernel instead of carrying: grub_utf8_to_utf16
  # (charset), grub_memcpy and grub_memset, and grub_disk_read, which reads any byte range
  # through the kernel's disk cache (ntx_dev_read and ntx_dev_block do that job here).
  kernel_fns="ntx_utf8_to_utf16 ntx_mem_copy ntx_mem_zero ntx_dev_read ntx_dev_block"
  # What GRUB does without: it reads a directory's entries one after another,
  # where a lookup here descends the B+tree.
  descent_fns="dir_descend ntx_dir_find"
  kernel=$(fn_text "$unchecked_dir/gc_grub.o" $kernel_fns)
  descent=$(fn_text "$unchecked_dir/gc_grub.o" $descent_fns)
  left=$((unchecked_text - kernel - descent))
  echo
  echo "### The full core against GRUB's driver (x86-64)"
  echo
  echo "GRUB's set of the full profile, taken apart: the features GRUB lacks by switch, then the checks"
  echo "of on-disk data (the measuring build of the last row above: a lower bound), then, by function"
  echo "size in that build (\`nm -S\`), the code doing what GRUB takes from its kernel and the B+tree"
  echo "descent GRUB does without. What is left does what GRUB's three modules do."
  echo
  echo "| | .text |"
  echo "|---|---|"
  echo "| GRUB's set, full profile | $fgt |"
  echo "| without the switchable features GRUB lacks | $grub_lacks_text |"
  echo "| and without the checks of on-disk data (lower bound) | $unchecked_text |"
  echo "| less what GRUB takes from its kernel: ${kernel_fns// /, } | -$kernel |"
  echo "| less the B+tree descent of lookups: ${descent_fns// /, } | -$descent |"
  echo "| **left: what GRUB's modules do** | **$left** |"
  echo "| GRUB: ntfs.mod + ntfscomp.mod + fshelp.mod | $grub_fshelp_text |"
  if [ "$left" -le "$grub_fshelp_text" ]; then
    echo "| the full core is below GRUB plus the features GRUB lacks by | $((grub_fshelp_text - left)) |"
  else
    echo "| the full core is above GRUB plus the features GRUB lacks by | $((left - grub_fshelp_text)) |"
  fi
fi

echo
echo "### What the checks of on-disk data cost, per profile (x86-64)"
echo
echo "Each profile built from a measuring copy of src/ that footprint.sh makes: a failure that"
echo "only corrupt or hostile metadata causes is unreachable, so the compiler drops the checks leading"
echo "to it (in the full profile the recording of diagnostics goes too: it serves the checks alone)."
echo "A lower bound of what the checks cost; never a build to run, and not a mode of the core."
echo
echo "| profile | mount+open+read .text | without the checks | the checks cost at least |"
echo "|---|---|---|---|"
for p in $profiles; do
  o="$work/unchecked-$p"
  read -r mt _ _ _ <<< "$(sections "$fprefix" "$work/${fprefix}$p/gc_min.o" 2> /dev/null || echo "0 0 0 0")"
  if build_core "$fprefix" "-fno-pie" "$p" "$o" unchecked > "$o.log" 2>&1; then
    read -r ut _ _ _ <<< "$(sections "$fprefix" "$o/gc_min.o")"
    echo "| $p | $mt | $ut | $((mt - ut)) |"
  else
    echo "| $p | $mt | build failed | |"
  fi
done

echo
echo "### What WOF costs (x86-64)"
echo
echo "NTX_WITH_WOF (files Windows compresses with the Windows Overlay Filter: the XPRESS Huffman and"
echo "LZX chunk decoders, the chunk table, and the reparse data that says where a file's data is) is on"
echo "in the full and boot profiles and off in the minimal one. Each of the two built again with"
echo "-DNTX_WITH_WOF=0, which takes WOF out at its entry point: mount+open+read then no longer links the"
echo "decoders (the whole core, an ld -r of every object, keeps them either way, so it is not shown);"
echo "the workspace for 1 KiB records, 4 KiB index blocks and 512-byte device blocks; the static stack"
echo "as in the Stack section below."
echo
echo "| profile | mount+open+read .text | without WOF | WOF adds | .rodata | without WOF | workspace | without WOF | WOF adds | deepest static stack | without WOF |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
cat > "$work/wsw.c" << 'EOF'
#include <stdio.h>
#include "ntx.h"
int main(void) { printf("%zu\n", (size_t)NTX_WORKSPACE_SIZE(1024, 4096, 512)); return 0; }
EOF
for p in full boot; do
  P=$(tr a-z A-Z <<< "$p")
  o="$work/nowof-$p"
  if [ -f "$work/${fprefix}$p/core.o" ] &&
     build_core "$fprefix" "-fno-pie -DNTX_WITH_WOF=0" "$p" "$o" > "$o.log" 2>&1; then
    read -r mt mr _ _ <<< "$(sections "$fprefix" "$work/${fprefix}$p/gc_min.o")"
    read -r nmt nmr _ _ <<< "$(sections "$fprefix" "$o/gc_min.o")"
    gcc -Iinclude -DNTX_PROFILE=NTX_PROFILE_$P "$work/wsw.c" -o "$work/wsw" && ws=$("$work/wsw")
    gcc -Iinclude -DNTX_PROFILE=NTX_PROFILE_$P -DNTX_WITH_WOF=0 "$work/wsw.c" -o "$work/wsw" &&
      nws=$("$work/wsw")
    IFS='|' read -r st _ <<< "$(static_stack "$p" "$work/cgw-$p")"
    IFS='|' read -r nst _ <<< "$(static_stack "$p" "$work/cgnw-$p" -DNTX_WITH_WOF=0)"
    echo "| $p | $mt | $nmt | **$((mt - nmt))** | $mr | $nmr | $ws | $nws | **$((ws - nws))** | $st | $nst |"
  else
    echo "| $p | build failed | | | | | | | | | |"
  fi
done

echo
echo "### Workspace and handles (x86-64)"
echo
cat > "$work/ws.c" << 'EOF'
#include <stdio.h>
#include "ntx.h"
int main(void)
{
    printf("| %s | %zu | %zu | %zu | %zu | %zu | %zu | %zu |\n", PROFILE,
           (size_t)NTX_WORKSPACE_SIZE(1024, 4096, 512), (size_t)NTX_WORKSPACE_SIZE(1024, 4096, 4096),
           (size_t)NTX_WORKSPACE_SIZE(4096, 4096, 4096), sizeof(ntx_volume), sizeof(ntx_file),
           sizeof(ntx_stream), sizeof(ntx_dir_iter));
    return 0;
}
EOF
echo "NTX_WORKSPACE_SIZE(record, index block, device block): the same for 4 KiB and 64 KiB clusters"
echo "(the cluster size does not enter it; compression, whose buffers LZNT1 adds, exists only with"
echo "clusters up to 4 KiB). NTX_WORKSPACE_MAX is the 4 KiB/4 KiB/4 KiB column."
echo
echo "| profile | 1 KiB records, 512 B blocks (4 KiB or 64 KiB clusters) | 1 KiB records, 4 KiB blocks | 4 KiB records and blocks | ntx_volume | ntx_file | ntx_stream | ntx_dir_iter |"
echo "|---|---|---|---|---|---|---|---|"
for p in $profiles; do
  P=$(tr a-z A-Z <<< "$p")
  gcc -Iinclude -DNTX_PROFILE=NTX_PROFILE_$P -DPROFILE="\"$p\"" "$work/ws.c" -o "$work/ws" && "$work/ws"
done

echo
echo "### Stack"
echo
echo "| profile | deepest static call chain (GCC -fcallgraph-info=su, x86-64 -Os) | measured: painted stack of the Linux loader, whole program, every file of ntfs-4k | the same, every file of wof |"
echo "|---|---|---|---|"
for p in $profiles; do
  IFS='|' read -r static chain <<< "$(static_stack "$p" "$work/cg-$p")"
  measured=$(painted_stack "$p" ntfs-4k)
  wofm=$(painted_stack "$p" wof)
  measured=${measured:+$measured bytes}
  wofm=${wofm:+$wofm bytes}
  [ "$p" = minimal ] && [ -n "$wofm" ] && wofm="$wofm (WOF off: its files refused)"
  echo "| $p | $static bytes | ${measured:-(no build)} | ${wofm:-(no build)} |"
  echo "$p: $chain" >> "$work/chains"
done
echo
echo "Deepest static chains:"
echo
sed 's/^/- /' "$work/chains"
