#!/bin/sh
# wasm-spec-tests.sh - run `cairn wast` over every core .wast file of the
# WebAssembly 2.0 spec test suite (incl. simd_*) and print per-file counts.
# The suite is never committed: WASM_TESTSUITE=DIR names a checkout of the
# WebAssembly/testsuite repository at commit 16a839d (the last 2.0 layout).
#   WASM_TESTSUITE=DIR sh scripts/wasm-spec-tests.sh [--markdown]
set -u
BUILD=${BUILD:-build}
CAIRN=${CAIRN:-$BUILD/cairn}
DIR=${WASM_TESTSUITE:-}
if [ -z "$DIR" ] || [ ! -f "$DIR/i32.wast" ]; then
	echo "usage: WASM_TESTSUITE=DIR $0 [--markdown]" >&2
	echo "DIR: a checkout of WebAssembly/testsuite at commit 16a839d (top-level *.wast)" >&2
	exit 2
fi
[ -x "$CAIRN" ] || { echo "build $CAIRN first (make)" >&2; exit 2; }
md=0
[ "${1:-}" = "--markdown" ] && md=1
tp=0; tf=0; sp=0; sf=0
[ $md = 1 ] && { echo "| file | passed | failed |"; echo "| --- | ---: | ---: |"; }
for f in "$DIR"/*.wast; do
	name=$(basename "$f")
	line=$(timeout 300 "$CAIRN" wast "$f" 2>/dev/null | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
	[ -n "$line" ] || line="0 passed, 1 failed"
	p=${line%% passed*}
	rest=${line#*passed, }
	fl=${rest%% failed*}
	tp=$((tp + p)); tf=$((tf + fl))
	case $name in simd_*) sp=$((sp + p)); sf=$((sf + fl));; esac
	if [ $md = 1 ]; then echo "| $name | $p | $fl |"; else echo "$name: $p passed, $fl failed"; fi
done
np=$((tp - sp)); nf=$((tf - sf))
if [ $md = 1 ]; then
	echo "| **non-SIMD total** | **$np** | **$nf** |"
	echo "| **SIMD total** | **$sp** | **$sf** |"
	echo "| **all** | **$tp** | **$tf** |"
else
	echo "non-SIMD: $np passed, $nf failed; SIMD: $sp passed, $sf failed"
	echo "$tp passed, $tf failed"
fi
[ "$tf" = 0 ]
