#!/bin/sh
# riscv-tests.sh - conformance run of the official riscv-tests (rv64ui/um/ua/uf/ud/uc -p/-v,
# rv64mi/si -p: 244 programs) under cairn, optionally also under QEMU (COMPARE=qemu).
# Env: RISCV_TESTS_SRC (riscv-tests checkout with env/), BUILD, COMPARE, TIMEOUT. See docs/TESTING.md.
set -u
SRC=${RISCV_TESTS_SRC:-${RISCV_TESTS:-}}
BUILD=${BUILD:-build}
CAIRN=${CAIRN:-$BUILD/cairn}
TIMEOUT=${TIMEOUT:-30}
COMPARE=${COMPARE:-}
PREFIX=${RISCV_PREFIX:-riscv64-unknown-elf-}
# env/v includes <string.h>/<stdint.h>: headers only, from picolibc.
PICOLIBC_INC=${PICOLIBC_INC:-/usr/lib/picolibc/riscv64-unknown-elf/include}
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/cairn/riscv-tests
SUITES="rv64ui rv64um rv64ua rv64uf rv64ud rv64uc rv64mi rv64si"
# QEMU runs HTIF (tohost) programs only on its spike board.
QEMU="qemu-system-riscv64 -M spike -bios none -nographic -kernel"

if [ -z "$SRC" ] || [ ! -f "$SRC/isa/Makefile" ] || [ ! -f "$SRC/env/p/riscv_test.h" ]; then
	echo "riscv-tests.sh: set RISCV_TESTS_SRC to a riscv-tests checkout with env/ (see docs/TESTING.md)" >&2
	exit 2
fi
mkdir -p "$CACHE" || exit 2
ISA=$SRC/isa
ENV=$SRC/env

# Test names of a suite, from its Makefrag's "<suite>_sc_tests = ..." block.
names() {
	awk -v s="$1_sc_tests" '$1 == s { f = 1; next } f && NF == 0 { f = 0 }
		f { for (i = 1; i <= NF; i++) if ($i != "\\") print $i }' "$ISA/$1/Makefrag"
}

# build SUITE VARIANT NAME -> $CACHE/SUITE-VARIANT-NAME (only when missing); same flags as isa/Makefile.
build() {
	out=$CACHE/$1-$2-$3
	[ -f "$out" ] && return 0
	march=rv64g_zicsr_zifencei
	cc="${PREFIX}gcc -march=$march -mabi=lp64d -static -mcmodel=medany -fvisibility=hidden -nostdlib -nostartfiles"
	if [ "$2" = p ]; then
		$cc -I"$ENV/p" -I"$ISA/macros/scalar" -T"$ENV/p/link.ld" "$ISA/$1/$3.S" -o "$out.tmp"
	else
		entropy=0x$(echo "$1-v-$3" | md5sum | cut -c 1-7)
		$cc -DENTROPY="$entropy" -std=gnu99 -O2 -isystem "$PICOLIBC_INC" -I"$ENV/v" -I"$ISA/macros/scalar" -T"$ENV/v/link.ld" \
			"$ENV/v/entry.S" "$ENV"/v/*.c "$ISA/$1/$3.S" -o "$out.tmp"
	fi >"$CACHE/build.log" 2>&1 && mv "$out.tmp" "$out" || { echo "build failed: $1-$2-$3" >&2; cat "$CACHE/build.log" >&2; return 1; }
}

run() { # run LAUNCHER ELF -> exit code
	# shellcheck disable=SC2086
	timeout "$TIMEOUT" $1 "$2" </dev/null >/dev/null 2>&1
}

total=0; cpass=0; qpass=0; failed_list=""
for s in $SUITES; do
	case $s in rv64mi|rv64si) variants=p ;; *) variants="p v" ;; esac
	n=0; c=0; q=0
	for v in $variants; do
		for t in $(names "$s"); do
			build "$s" "$v" "$t" || continue
			elf=$CACHE/$s-$v-$t
			n=$((n + 1))
			if run "$CAIRN vm -M virt -bios none -nographic -kernel" "$elf"; then c=$((c + 1)); else
				failed_list="$failed_list $s-$v-$t(cairn:$?)"; fi
			if [ "$COMPARE" = qemu ]; then
				if run "$QEMU" "$elf"; then q=$((q + 1)); else failed_list="$failed_list $s-$v-$t(qemu:$?)"; fi
			fi
		done
	done
	if [ "$COMPARE" = qemu ]; then echo "$s: cairn $c/$n  qemu $q/$n"; else echo "$s: cairn $c/$n"; fi
	total=$((total + n)); cpass=$((cpass + c)); qpass=$((qpass + q))
done
[ -n "$failed_list" ] && echo "failed:$failed_list" | fold -s -w 100
[ "$COMPARE" = qemu ] && echo "qemu: $qpass/$total passed"
echo "cairn: $cpass/$total passed"
[ "$cpass" -eq "$total" ]
