#!/usr/bin/env bash
# Regenerates golden.txt from llama.cpp's prebuilt CPU libraries, as shipped
# in node-llama-cpp (../shared/peer). Development only; needs gcc and npm.
#   internal/tensor/testdata/ggml/gen.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shared=${ATELIER_SHARED:-$here/../../../../../shared}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$shared/peer/." "$tmp"
(cd "$tmp" && npm install --no-audit --no-fund >/dev/null)
lib="$tmp/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"
gcc -O1 -o "$tmp/gen" "$here/gen.c" -ldl
"$tmp/gen" "$lib" "$here/golden.txt"
echo "wrote $here/golden.txt"
