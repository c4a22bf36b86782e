#!/usr/bin/env bash
# Every function the public headers declare is defined by the core in every
# profile: a profile leaves a feature out by answering NTX_E_UNSUPPORTED,
# never by leaving a symbol undefined, which would break the link of a
# program written against the headers (include/ntx/config.h).
#
# usage: check-api.sh INCLUDE_DIR NM PROFILE=OBJ:OBJ:... [PROFILE=...]
set -euo pipefail
inc=$1 nm=$2
shift 2
work=$(mktemp -d "${TMPDIR:-/tmp}/ntx-api.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Declarations start a line with their return type: "ntx_err ntx_x(", "size_t ntx_y(".
grep -hE '^(ntx_err|const char|size_t|bool|void|u?int[0-9]*_t|int|const ntx_[a-z_]+|ntx_[a-z_]+)[ *]+ntx_[a-z0-9_]+\(' \
  "$inc"/ntx.h "$inc"/ntx/*.h | grep -oE 'ntx_[a-z0-9_]+\(' | tr -d '(' | sort -u > "$work/declared"
count=$(wc -l < "$work/declared")
[ "$count" -ge 30 ] || { echo "only $count declarations found in $inc: the pattern is stale"; exit 1; }

fail=0
for spec in "$@"; do
  profile=${spec%%=*}
  IFS=: read -r -a objs <<< "${spec#*=}"
  "$nm" -g --defined-only "${objs[@]}" | awk '$2 == "T" { print $3 }' | sort -u > "$work/defined"
  missing=$(comm -23 "$work/declared" "$work/defined" | tr '\n' ' ')
  if [ -n "$missing" ]; then
    echo "FAIL: $profile: declared but not defined: $missing"
    fail=1
  else
    echo "$profile: all $count public functions defined"
  fi
done
exit $fail
