#!/bin/sh
# assemblyscript.sh - an AssemblyScript program (hello.ts) compiled by npm's
# assemblyscript compiler with @assemblyscript/wasi-shim (pinned in
# scripts/npm/, installed by scripts/npm-deps.sh into ~/.cache/cairn/npm)
# and run by cairn.  Without npm or its registry this fails: never a skip.
. tests/wasm/wasi/lib.sh
npm_dir=$(sh scripts/npm-deps.sh) || fail "scripts/npm-deps.sh could not install the AssemblyScript compiler"
prog=$WASI_OUT/as_hello.wasm
if [ ! -f "$prog" ] || [ $W/hello.ts -nt "$prog" ] || [ scripts/npm/package-lock.json -nt "$prog" ]; then
	mkdir -p "$WASI_OUT"
	src=$PWD/$W/hello.ts
	# the shim's asconfig.json names its library relative to the working directory
	(cd "$npm_dir" && node node_modules/assemblyscript/bin/asc.js "$src" \
		--config node_modules/@assemblyscript/wasi-shim/asconfig.json -O2 -o "$prog.tmp") >"$ERR" 2>&1 ||
		fail "asc could not compile hello.ts"
	mv "$prog.tmp" "$prog"
fi
run 7 --env GREETING=hi "$prog" 7 "two words" </dev/null
cat >"$T/want" <<EOT
hello from AssemblyScript, argc=3
arg 1: 7
arg 2: two words
words: to=2 be=2 distinct=4
closest 5,5 fib(80)=23416728348467685
sqrt2=1.4142135623730952
GREETING=hi
clock ok
random ok
EOT
cmp -s "$OUT" "$T/want" || { diff "$T/want" "$OUT"; fail "AssemblyScript output differs"; }
has_err "to stderr"
run 0 "$prog" </dev/null
has "GREETING=(unset)"
echo "assemblyscript: ok"
