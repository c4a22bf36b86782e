#!/usr/bin/env bash
# The README quick start on Debian 12: install what building and running
# need (apt, as root or through sudo), build ntx and ntxfs in release mode,
# install them with their man pages (PREFIX, default /usr/local as root and
# ~/.local otherwise), and look at the bundled sample NTFS image with `ntx`:
# volume information, the whole tree, one file's bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
.ci/install-deps build
if [ -z "${PREFIX:-}" ]; then
  if [ "$(id -u)" -eq 0 ]; then PREFIX=/usr/local; else PREFIX=$HOME/.local; fi
fi
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DNTX_BUILD_TESTS=OFF \
      -DNTX_BUILD_BENCH=OFF -DCMAKE_INSTALL_PREFIX="$PREFIX" > /dev/null
cmake --build build/release -j "$(nproc 2>/dev/null || echo 2)" > /dev/null
cmake --install build/release > /dev/null
echo "installed ntx, ntxfs and their man pages under $PREFIX"
case ":$PATH:" in
  *":$PREFIX/bin:"*) ;;
  *) echo "add $PREFIX/bin to PATH: export PATH=\"$PREFIX/bin:\$PATH\""; export PATH="$PREFIX/bin:$PATH" ;;
esac
gzip -dc fixtures/sample.img.gz > build/sample.img
set -x
ntx info build/sample.img
ntx ls -l -r build/sample.img
ntx cat build/sample.img /README.txt
