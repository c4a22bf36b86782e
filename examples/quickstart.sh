#!/usr/bin/env bash
# The README quick start: install the build dependencies (Debian 12), build
# ntx, and list the bundled sample NTFS image and print a file from it.
set -euo pipefail
cd "$(dirname "$0")/.."
.ci/install-deps
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DNTX_BUILD_TESTS=OFF > /dev/null
cmake --build build/release -j "$(nproc 2>/dev/null || echo 2)" > /dev/null
gzip -dc fixtures/sample.img.gz > build/sample.img
exec build/release/examples/ntx-demo build/sample.img /README.txt
