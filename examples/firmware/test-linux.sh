#!/usr/bin/env bash
# Runs the no-libc Linux loader (ntx-fw-linux, one binary per profile) on
# every fixture image and checks each file it loads against the fixture
# manifest written by ntfs-3g: size and SHA-256 of every file and named
# stream up to the loader's 16 MiB buffer. A profile that leaves a feature
# out must answer NTX_E_UNSUPPORTED (-5) for exactly the files needing it.
# Where ntfscat (ntfs-3g) is installed, the printed CRC-32 of a few files is
# also checked against gzip's CRC-32 of ntfscat's output.
#
# usage: test-linux.sh FIXTURES_DIR full=BIN [boot=BIN] [minimal=BIN]...
set -euo pipefail
fixtures=$1
shift
max=$((16 * 1024 * 1024))
stack_budget=2048 # bytes: the measured stack of every profile stays below 2 KiB

work=$(mktemp -d "${TMPDIR:-/tmp}/ntx-fw-linux.XXXXXX")
trap 'rm -rf "$work"' EXIT

fail=0
crc_checked=0
note() { printf '%s\n' "$*"; }
bad() { printf 'FAIL: %s\n' "$*"; fail=1; }

# gzip's trailer holds the CRC-32 of the data: an oracle independent of ntx.
crc_of_stdin() { gzip -1 -c | tail -c 8 | od -An -tx4 -N4 | tr -d ' \n'; }

for img_gz in "$fixtures"/*.img.gz; do
  name=$(basename "$img_gz" .img.gz)
  manifest="$fixtures/$name.manifest"
  [ -f "$manifest" ] || continue
  img="$work/$name.img"
  gzip -dc "$img_gz" > "$img"
  # expected: PATH<TAB>SIZE<TAB>SHA256<TAB>KIND (f file, s named stream)
  awk -F'\t' -v max=$max '($1 == "f" || $1 == "s") && $3 + 0 <= max { print $7 "\t" $3 "\t" $5 "\t" $1 }' \
    "$manifest" > "$work/expect"
  if [ ! -s "$work/expect" ]; then
    # An empty volume: mounting must still work.
    for spec in "$@"; do
      bin=${spec#*=}
      "$bin" "$img" /nonexistent > "$work/out" || true
      grep -q '^/nonexistent error=-6 ' "$work/out" || bad "$name ${spec%%=*}: $(head -1 "$work/out")"
    done
    rm -f "$img"
    continue
  fi
  cut -f1 "$work/expect" > "$work/paths"
  # WOF-compressed files (the minimal profile may refuse them) from the notes
  awk -F'\t' '$1 == "# wof" { print $2 }' "$manifest" > "$work/wof"
  for spec in "$@"; do
    profile=${spec%%=*}
    bin=${spec#*=}
    rc=0
    xargs -d '\n' "$bin" "$img" < "$work/paths" > "$work/out" || rc=$?
    # xargs reports 123 when the loader exited 1 (some file failed); judged below.
    [ $rc -eq 0 ] || [ $rc -eq 123 ] || bad "$name $profile: loader exit status $rc"
    result=$(awk -F'\t' -v profile="$profile" '
      FILENAME == ARGV[1] { size[$1] = $2; sha[$1] = $3; kind[$1] = $4; n++; next }
      FILENAME == ARGV[2] { wof[$1] = 1; next }
      /^stack=/ { sub(/^stack=/, ""); if ($0 + 0 > stack) stack = $0 + 0; next }
      {
        line = $0
        if (match(line, / size=[0-9]+ crc32=[0-9a-f]+ sha256=[0-9a-f]+$/)) {
          path = substr(line, 1, RSTART - 1); rest = substr(line, RSTART + 1)
          split(rest, f, /[ =]/)
          seen[path] = 1
          if (!(path in size)) { printf "unexpected line: %s\n", line; bad++; next }
          if (f[2] != size[path] || f[6] != sha[path]) {
            printf "%s: got size %s sha256 %s, manifest %s %s\n", path, f[2], f[6], size[path], sha[path]; bad++
          }
          ok++
          next
        }
        if (match(line, / error=-?[0-9]+ \(.*\)$/)) {
          path = substr(line, 1, RSTART - 1); code = substr(line, RSTART + 7); sub(/ .*/, "", code)
          seen[path] = 1
          # What a profile may refuse (NTX_E_UNSUPPORTED = -5), and nothing else:
          #  boot:    named streams (NTX_WITH_NAMED_STREAMS 0)
          #  minimal: named streams, LZNT1-compressed files (/compressed), files
          #           with an $ATTRIBUTE_LIST (/frag: 1000 fragments; /hardlinks/forty:
          #           40 names), paths with a non-ASCII byte (NTX_WITH_UNICODE_PATHS 0)
          allowed = 0
          if (code == "-5" && profile != "full" && kind[path] == "s") allowed = 1
          if (code == "-5" && profile == "minimal" && path ~ /^\/(compressed|frag|hardlinks\/forty|controls\/lznt1)\//) allowed = 1
          if (code == "-5" && profile == "minimal" && path ~ /[^\001-\177]/) allowed = 1
          #  minimal: WOF-compressed files (NTX_WITH_WOF 0)
          if (code == "-5" && profile == "minimal" && (path in wof)) allowed = 1
          #  minimal: any file with a reparse point, data elsewhere included
          #           (it does not read reparse data to tell where data is)
          if (code == "-5" && profile == "minimal" && sha[path] == "-") allowed = 1
          # every profile: data stored outside the file (the manifest has no
          # digest for it) is refused as such (NTX_E_EXTERNAL = -17), never read
          if (code == "-17" && sha[path] == "-") { external++; next }
          if (!allowed) { printf "%s: %s\n", profile, line; bad++ } else refused++
          next
        }
        printf "unparsed: %s\n", line; bad++
      }
      END {
        for (p in size) if (!(p in seen)) { printf "no output for %s\n", p; bad++ }
        printf "RESULT %d %d %d %d %d %d\n", n, ok, refused + 0, bad + 0, stack, external + 0
      }' "$work/expect" "$work/wof" "$work/out")
    printf '%s\n' "$result" | grep -av '^RESULT' | head -20 || true
    read -r _ n ok refused nbad stack external <<< "$(printf '%s\n' "$result" | grep -a '^RESULT')"
    note "$name $profile: $ok of $n loaded and matched the manifest, $refused refused as unsupported, $external as stored outside, stack=$stack"
    [ "$nbad" -eq 0 ] || bad "$name $profile: $nbad mismatches"
    [ "$stack" -gt 0 ] && [ "$stack" -lt $stack_budget ] || bad "$name $profile: stack $stack not below $stack_budget"
    if [ "$profile" = full ] && [ $((ok + external)) -ne "$n" ]; then bad "$name full: not every file loaded"; fi
    if [ "$profile" = minimal ] && [ "$name" = ntfs-4k ] && [ "$refused" -eq 0 ]; then
      bad "minimal refused nothing: are its switches off?"
    fi
  done

  # CRC-32 against an oracle outside ntx, on a few files.
  if command -v ntfscat > /dev/null; then
    first=${1#*=}
    awk -F'\t' '$4 == "f" && $2 > 0 && n++ < 3 { print $1 }' "$work/expect" > "$work/crcpaths"
    while IFS= read -r p; do
      want=$(ntfscat "$img" "$p" 2> /dev/null | crc_of_stdin) || continue
      got=$("$first" "$img" "$p" | sed -n 's/.* crc32=\([0-9a-f]*\) .*/\1/p')
      [ "$want" = "$got" ] || bad "$name $p: crc32 $got, gzip says $want"
      crc_checked=$((crc_checked + 1))
    done < "$work/crcpaths"
  fi
  rm -f "$img"
done

if [ $fail -ne 0 ]; then
  echo "firmware Linux loader: FAILED"
  exit 1
fi
[ $crc_checked -gt 0 ] && note "CRC-32 of $crc_checked files matched gzip's CRC-32 of ntfscat's output"
echo "firmware Linux loader: every profile loaded every file it supports, byte for byte"
