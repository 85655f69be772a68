#!/bin/sh
# run.sh - guest benchmarks: each bench/riscv program under cairn and qemu-system-riscv64,
# wall time best of RUNS (3), MIPS = instructions / time, and the cairn/qemu speed ratio.
# Env: BUILD (default build), RUNS, CAIRN, QEMU. The instruction count comes from QEMU -icount.
BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
CAIRN=${CAIRN:-"$BUILD/cairn vm -M virt -bios none -nographic -kernel"}
QEMU=${QEMU:-"qemu-system-riscv64 -M virt -bios none -nographic -kernel"}
make -s BUILD="$BUILD" bench-riscv || exit 1
out=$(mktemp)
trap 'rm -f "$out"' EXIT

now() { date +%s.%N; }
# best LAUNCHER ELF -> prints best wall seconds of RUNS, or "fail"
best() {
	b=""
	i=0
	while [ $i -lt "$RUNS" ]; do
		t0=$(now)
		# shellcheck disable=SC2086
		if ! timeout 600 $1 "$2" </dev/null >"$out" 2>&1; then echo fail; return; fi
		t1=$(now)
		b=$(awk -v a="$t0" -v z="$t1" -v b="$b" 'BEGIN { t = z - a; if (b == "" || t < b) b = t; printf "%.3f", b }')
		i=$((i + 1))
	done
	echo "$b"
}
mips() { awk -v n="$1" -v t="$2" 'BEGIN { if (t == "fail" || t <= 0) print "-"; else printf "%.0f", n / t / 1e6 }'; }

printf '%-8s %12s %9s %8s %9s %8s %7s\n' program instret cairn_s cairn qemu_s qemu ratio
for elf in "$BUILD"/bench/riscv/b_*.elf; do
	name=${elf##*/}; name=${name%.elf}
	# QEMU's instret is host ticks unless -icount is on: one untimed exact run gives the count.
	# shellcheck disable=SC2086
	n=$(qemu-system-riscv64 -M virt -bios none -nographic -icount shift=0 -kernel "$elf" </dev/null 2>&1 |
		sed -n 's/^instret: \([0-9]*\).*/\1/p')
	[ -n "$n" ] || { echo "$name: could not count instructions"; continue; }
	ct=$(best "$CAIRN" "$elf")
	note=""; [ "$ct" = fail ] && note=$(tail -n 1 "$out" | cut -c 1-100)
	qt=$(best "$QEMU" "$elf")
	cm=$(mips "$n" "$ct"); qm=$(mips "$n" "$qt")
	ratio=$(awk -v c="$cm" -v q="$qm" 'BEGIN { if (c == "-" || q == "-" || q == 0) print "-"; else printf "%.2f", c / q }')
	printf '%-8s %12s %9s %8s %9s %8s %7s\n' "$name" "$n" "$ct" "$cm" "$qt" "$qm" "$ratio"
	[ -n "$note" ] && echo "    cairn failed: $note"
done
echo "(MIPS = instret / best-of-$RUNS wall time; ratio = cairn MIPS / qemu MIPS)"
