#!/usr/bin/env bash
# The README quick start: install the build dependencies (Debian 12), build
# ntx, and look at the bundled sample NTFS image with the `ntx` command:
# volume information, the whole tree, and one file's bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
.ci/install-deps
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DNTX_BUILD_TESTS=OFF > /dev/null
cmake --build build/release -j "$(nproc 2>/dev/null || echo 2)" > /dev/null
gzip -dc fixtures/sample.img.gz > build/sample.img
ntx=build/release/cli/ntx
set -x
"$ntx" info build/sample.img
"$ntx" ls -l -r build/sample.img
"$ntx" cat build/sample.img /README.txt
