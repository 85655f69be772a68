#!/bin/sh
# hv_wasm.sh - a wasm program and a Linux guest sharing 2 worker threads of one
# cairn hv by weight.  The guest (-smp 2) boots to a shell command that keeps both
# its harts busy; the program (tests/wasm/wasi/spin.c) never stops computing.  So
# three units want two workers, and the weights decide: for each weight pair
# (wasm:Linux) bench/hv/share.c prints the CPU time each got over MEASURE_MS, as
# the scheduler counted it (vm_stats), beside the share its weight entitles it to
# (a group uses at most one worker per unit: the program at most one).  Figures in
# $BUILD/bench/hv_wasm.txt too.  Env: BUILD, WASI_OUT, LINUX_DIR, MEASURE_MS (5000),
# WEIGHTS ("100:300 100:100 300:100").
BUILD=${BUILD:-build}
WASI_OUT=${WASI_OUT:-build/wasm32}
G=${LINUX_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cairn/guests/linux}
MEASURE_MS=${MEASURE_MS:-5000}
WEIGHTS=${WEIGHTS:-"100:300 100:100 300:100"}
OUT=$BUILD/bench/hv_wasm.txt
SHARE=$BUILD/bench/hv/share
[ -x "$SHARE" ] && [ -f "$WASI_OUT/spin.wasm" ] || { echo "hv_wasm: build first (make bench-hv-wasm)"; exit 1; }
bash guests/linux/build.sh >/dev/null 2>&1 || { echo "hv_wasm: the Linux guest did not build (bash guests/linux/build.sh)"; exit 1; }
BUSY='mount -t devtmpfs dev /dev; echo BUSY-START; while :; do :; done & while :; do :; done'
LINUX="-name linux -M virt -m 256M -smp 2 -bios default -kernel $G/Image -initrd $G/initramfs.cpio.gz -serial null"
LINUX="$LINUX -append 'console=ttyS0 quiet rdinit=/bin/sh -- -c \"$BUSY\"'"
WASM="--name spin --stdout /dev/null $WASI_OUT/spin.wasm 1000000000 1000000000"
mkdir -p "$(dirname "$OUT")"
{
	echo "# cairn hv --threads 2: spin.wasm beside Linux -smp 2 (both harts busy), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) host CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
	for w in $WEIGHTS; do
		echo
		echo "## weights wasm:linux = $w"
		"$SHARE" 2 "$MEASURE_MS" BUSY-START wasm "${w%:*}" "$WASM" vm "${w#*:}" "$LINUX" || echo "(run failed)"
	done
} | tee "$OUT"
