#!/bin/sh
# boot.sh - time from start to a guest's first prompt, cairn against
# qemu-system-riscv64 in the same run (same firmware, kernel and initramfs),
# best of RUNS, plus the peak RSS of each.  Env: BUILD, RUNS, LINUX_DIR.
BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# time_to_prompt PATTERN CMD...: seconds until PATTERN shows, then kill; prints "secs rss_kb"
time_to_prompt() {
	pat=$1; shift
	mkfifo "$T/in" 2>/dev/null
	t0=$(date +%s.%N)
	/usr/bin/time -f "%M" -o "$T/rss" "$@" <"$T/in" >"$T/out" 2>&1 &
	pid=$!
	exec 3>"$T/in"
	n=0
	while ! grep -qF -- "$pat" "$T/out" && [ $n -lt 3000 ]; do sleep 0.02; n=$((n + 1)); done
	t1=$(date +%s.%N)
	printf '\001x' >&3           # cairn's and QEMU's Ctrl-A x (needs a tty: kill as well)
	exec 3>&-
	pkill -P $pid 2>/dev/null; wait $pid 2>/dev/null   # time(1) reports RSS when its child ends
	grep -qF -- "$pat" "$T/out" || { echo "fail 0"; return; }
	echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') $(tail -1 "$T/rss" 2>/dev/null || echo 0)"
}

best() { # best PATTERN CMD... -> "secs rss"
	b=""; r=0
	i=0
	while [ $i -lt "$RUNS" ]; do
		set -- "$@"
		res=$(time_to_prompt "$@")
		s=${res% *}
		if [ "$s" != fail ] && { [ -z "$b" ] || awk -v a="$s" -v b="$b" 'BEGIN { exit !(a < b) }'; }; then b=$s; r=${res#* }; fi
		i=$((i + 1))
	done
	echo "${b:-fail} $r"
}

row() { # row NAME PATTERN ARGS... (same args for both)
	name=$1; pat=$2; shift 2
	c=$(best "$pat" "$BUILD/cairn" vm "$@")
	q=$(best "$pat" qemu-system-riscv64 "$@")
	awk -v n="$name" -v c="$c" -v q="$q" 'BEGIN { split(c, a, " "); split(q, b, " ");
		r = (a[1] > 0 && b[1] > 0) ? sprintf("%.2f", a[1] / b[1]) : "-";
		printf "%-16s %9s %9s %8s %10s %10s\n", n, a[1], b[1], r, a[2], b[2] }'
}

printf '%-16s %9s %9s %8s %10s %10s\n' guest cairn_s qemu_s ratio cairn_kB qemu_kB
row "U-Boot (S-mode)" "Hit any key" -M virt -m 256M -nographic -bios default -kernel /usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin
row "U-Boot (M-mode)" "Hit any key" -M virt -m 256M -nographic -bios /usr/lib/u-boot/qemu-riscv64/u-boot.bin
L=${LINUX_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cairn/guests/linux}
if [ -f "$L/Image" ] && [ -f "$L/initramfs.cpio.gz" ]; then
	row "Linux shell" "cairn:~#" -M virt -m 256M -nographic -bios default -kernel "$L/Image" -initrd "$L/initramfs.cpio.gz" -append "console=ttyS0"
	row "Linux -smp 4" "cairn:~#" -M virt -m 256M -smp 4 -nographic -bios default -kernel "$L/Image" -initrd "$L/initramfs.cpio.gz" -append "console=ttyS0"
else
	echo "(no Linux guest in $L: sh guests/linux/build.sh builds it)"
fi
echo "(seconds to the first prompt, best of $RUNS; ratio = cairn / qemu, lower is better; peak RSS)"
