#!/bin/sh
# simd-oracle.sh - the SIMD scripts are what their generator writes (nobody edited
# them by hand or forgot to regenerate), and the generator's Python oracle agrees
# with V8 on every case (node's WebAssembly; NaN lanes per the spec's rules).
set -eu
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 scripts/gen-wasm-simd-tests.py --out "$tmp" --json "$tmp/simd.json"
for f in "$tmp"/simd_*.wast; do
	cmp "$f" "tests/wasm/${f##*/}" || { echo "tests/wasm/${f##*/} differs from the generator's output"; exit 1; }
done
node scripts/simd-crosscheck.mjs "$tmp/simd.json"
