#!/bin/sh
# run.sh - cairn's test runner behind `make test`: unit binaries, guest programs, CLI scripts.
# Env: BUILD (default build), RUNNER (guest launcher; default cairn, may be qemu-system-riscv64),
# WASI_OUT (the WASI test programs, default build/wasm32).
# Prints "ok NAME" / "FAIL NAME" per test and ends with "N passed, M failed"; exit 1 on failures.
BUILD=${BUILD:-build}
RUNNER=${RUNNER:-"$BUILD/cairn vm -M virt -bios none -nographic -kernel"}
CAIRN=${CAIRN:-$BUILD/cairn}
WASI_OUT=${WASI_OUT:-build/wasm32}
export BUILD CAIRN WASI_OUT
passed=0
failed=0
xfailed=0
is_qemu=0
case $RUNNER in *qemu*) is_qemu=1 ;; esac
out=$(mktemp)
trap 'rm -f "$out"' EXIT

ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() {
	failed=$((failed + 1)); echo "FAIL $1 ($2)"
	tail -n 15 "$out" | cut -c 1-200 | sed 's/^/    | /'
}

# Unit tests: one binary each, pass = exit 0.
for t in "$BUILD"/tests/unit/test_*; do
	[ -x "$t" ] || continue
	if "$t" >"$out" 2>&1; then ok "unit/${t##*/}"; else bad "unit/${t##*/}" "exit $?"; fi
done

# Guest programs: pass = exit 0 and every line of NAME.expect appears in the output.
# Under cairn each runs on 1 and on 2 host worker threads (harts time-shared, or not).
THREADS=${THREADS:-"1 2"}
[ $is_qemu = 1 ] && THREADS=qemu
for th in $THREADS; do
for elf in "$BUILD"/tests/riscv/*.elf; do
	[ -f "$elf" ] || continue
	name=${elf##*/}; name=${name%.elf}
	# Extra options (e.g. -smp 4) from tests/riscv/NAME.args.
	args=""
	[ -f "tests/riscv/$name.args" ] && args=$(cat "tests/riscv/$name.args")
	tag=riscv/$name
	if [ "$th" != qemu ]; then args="$args --threads $th"; tag="$tag (threads=$th)"; fi
	# shellcheck disable=SC2086
	timeout 60 $RUNNER "$elf" $args </dev/null >"$out" 2>&1
	rc=$?
	if [ $rc -ne 0 ] && [ $is_qemu = 1 ] && grep -qx "$name" tests/riscv/qemu-xfail; then
		xfailed=$((xfailed + 1)); echo "xfail $tag (known QEMU 7.2 deviation, exit $rc)"; continue
	fi
	if [ $rc -ne 0 ]; then bad "$tag" "exit $rc"; continue; fi
	exp=tests/riscv/$name.expect
	missing=""
	if [ -f "$exp" ]; then
		while IFS= read -r line || [ -n "$line" ]; do
			grep -qF -- "$line" "$out" || missing="$line"
		done <"$exp"
	fi
	if [ -n "$missing" ]; then bad "$tag" "missing output: $missing"; else ok "$tag"; fi
done
done

# WebAssembly scripts of the project's own: one test per file (all its assertions), which
# also fails when a module is rejected with another message than the script expects.
# Scripts with a memory run a second time with explicit bounds checks instead of guard pages.
wast() {
	timeout 120 env "$@" >"$out" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then echo "exit $rc"
	elif grep -q "rejections with a message other" "$out"; then echo "unexpected rejection message"
	fi
}
if [ $is_qemu = 0 ]; then
	for w in tests/wasm/*.wast; do
		[ -f "$w" ] || continue
		r=$(wast "$CAIRN" wast -v -v "$w")
		if [ -z "$r" ]; then ok "wasm/${w##*/}"; else bad "wasm/${w##*/}" "$r"; fi
		grep -q "(memory" "$w" || continue
		r=$(wast CAIRN_WASM_NO_GUARD=1 "$CAIRN" wast -v "$w")
		if [ -z "$r" ]; then ok "wasm/${w##*/} (bounds checks)"; else bad "wasm/${w##*/} (bounds checks)" "$r"; fi
	done
	# Checks on the scripts themselves (generated files up to date, oracle cross-checks).
	for s in tests/wasm/*.sh; do
		[ -f "$s" ] || continue
		if sh "$s" >"$out" 2>&1; then ok "wasm/${s##*/}"; else bad "wasm/${s##*/}" "exit $?"; fi
	done
fi

# Embedding examples: each examples/NAME.c is built against the staged install
# ($STAGE, from `make test`) with pkg-config, once linked to libcairn.so and once
# to libcairn.a; both runs must print exactly examples/NAME.expect.
if [ -n "${STAGE:-}" ] && [ $is_qemu = 0 ]; then
	PKG="env PKG_CONFIG_PATH=$STAGE/lib/pkgconfig pkg-config"
	CFLAGS_PKG=$($PKG --cflags cairn)
	LIBS_SHARED=$($PKG --libs cairn)
	LIBS_STATIC=$($PKG --static --libs cairn | sed 's/-lcairn/-Wl,-Bstatic -lcairn -Wl,-Bdynamic/')
	mkdir -p "$BUILD/examples"
	for c in examples/*.c; do
		[ -f "$c" ] || continue
		name=${c##*/}; name=${name%.c}
		for link in shared static; do
			exe=$BUILD/examples/$name-$link
			if [ $link = shared ]; then libs=$LIBS_SHARED; else libs=$LIBS_STATIC; fi
			# shellcheck disable=SC2086
			if ! ${CC:-cc} ${EXAMPLE_CFLAGS:-} -Wall -Wextra -Werror -o "$exe" "$c" $CFLAGS_PKG $libs >"$out" 2>&1; then
				bad "example/$name ($link)" "build"; continue
			fi
			if ! LD_LIBRARY_PATH=$STAGE/lib timeout 60 "$exe" >"$out" 2>&1; then
				bad "example/$name ($link)" "exit $?"; continue
			fi
			if diff -u "examples/$name.expect" "$out" >"$out.diff" 2>&1; then
				ok "example/$name ($link)"
			else
				cp "$out.diff" "$out"; bad "example/$name ($link)" "output differs"
			fi
		done
	done
	rm -f "$out.diff"
fi

# WASI programs under cairn run (tests/wasm/wasi/*.sh; lib.sh is their helper).
# Exit 77 = skipped (only when clang-19 is missing).
if [ $is_qemu = 0 ]; then
	for s in tests/wasm/wasi/*.sh; do
		[ -f "$s" ] && [ "${s##*/}" != lib.sh ] || continue
		timeout 300 sh "$s" >"$out" 2>&1
		rc=$?
		if [ $rc = 0 ]; then ok "wasi/${s##*/}"
		elif [ $rc = 77 ]; then echo "skip wasi/${s##*/}: $(tail -n 1 "$out")"
		else bad "wasi/${s##*/}" "exit $rc"; fi
	done
fi

# CLI scripts test cairn itself, so they are skipped when validating against QEMU.
if [ $is_qemu = 1 ]; then
	echo "(skipping tests/cli: RUNNER is qemu; $xfailed expected failure(s) not counted)"
else
	for s in tests/cli/*.sh; do
		[ -f "$s" ] || continue
		if sh "$s" >"$out" 2>&1; then ok "cli/${s##*/}"; else bad "cli/${s##*/}" "exit $?"; fi
	done
	# System tests boot firmware and guests on the whole board (lib.sh is their helper).
	for s in tests/system/*.sh; do
		[ -f "$s" ] && [ "${s##*/}" != lib.sh ] || continue
		if timeout 600 sh "$s" >"$out" 2>&1; then ok "system/${s##*/}"; else bad "system/${s##*/}" "exit $?"; fi
	done
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
