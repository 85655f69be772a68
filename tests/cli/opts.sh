#!/bin/sh
# opts.sh - QEMU-style option lists: ",," escapes a comma in a path, long
# paths are never cut, read-only=on (QEMU's block-layer spelling) is honoured,
# unknown keys and malformed numbers are refused with QEMU's wording.
. "$(dirname "$0")/common.inc"
BLKW=${BUILD:-build}/tests/guests/blkw.elf
[ -f "$BLKW" ] || { echo "no $BLKW (make test-riscv)"; exit 1; }
run_blkw() { timeout 20 "$CAIRN" vm -M virt -bios none -nographic -kernel "$BLKW" "$@" </dev/null 2>&1; }
fresh() { rm -f "$1"; truncate -s 64K "$1"; }

# ",," is a literal comma: file=a,,b.img opens "a,b.img".
fresh "$TMP/a,b.img"
out=$(run_blkw -drive file="$TMP/a,,b.img",format=raw,if=virtio)
echo "$out" | grep -q "write status 0" || { echo "a,b.img: $out"; exit 1; }
head -c 17 "$TMP/a,b.img" | grep -q cairn-guest-wrote || { echo "a,b.img not written"; exit 1; }
echo "ok: file=a,,b.img"

# The same escaping in -serial unix: and -chardev path=: the socket is "s,x", not "s".
for form in "-serial unix:$TMP/s,,x,server=on,wait=off" "-chardev socket,id=c0,path=$TMP/s,,x,server=on,wait=off -serial chardev:c0"; do
	rm -f "$TMP/s,x" "$TMP/s"
	# shellcheck disable=SC2086
	timeout 20 "$CAIRN" vm -M virt -bios none -nographic -kernel "$GOOD" $form </dev/null >"$TMP/out" 2>&1 &&
		[ -S "$TMP/s,x" ] && [ ! -e "$TMP/s" ] || { echo "$form: $(cat "$TMP/out")"; ls "$TMP"; exit 1; }
	echo "ok: $form"
done

# read-only=on and readonly=on both make the disk read-only.
for key in readonly read-only; do
	fresh "$TMP/ro.img"
	out=$(run_blkw -drive file="$TMP/ro.img",format=raw,if=virtio,$key=on)
	echo "$out" | grep -q "write status 1" || { echo "$key=on: guest write not refused: $out"; exit 1; }
	[ "$(head -c 17 "$TMP/ro.img" | tr -d '\0')" = "" ] || { echo "$key=on: image written"; exit 1; }
	echo "ok: $key=on"
done

# A path longer than 511 bytes is used whole: the guest writes the long
# path's file, never a file named by a prefix of it.
d=$TMP
while [ ${#d} -lt 700 ]; do d=$d/dddddddddddddddddddddddddddddddddddddddddddddddddd; done
mkdir -p "$d"
fresh "$d/long.img"
out=$(run_blkw -drive file="$d/long.img",format=raw,if=virtio)
echo "$out" | grep -q "write status 0" && head -c 17 "$d/long.img" | grep -q cairn-guest-wrote ||
	{ echo "long path: $out"; exit 1; }
echo "ok: ${#d}-byte path"

grep_err() { # ARGS... -- PATTERN: one cairn: line containing PATTERN
	pat=$1; shift
	expect_error "$@" >/dev/null || exit 1
	grep -qF -- "$pat" "$TMP/err" || { echo "want '$pat', got: $(cat "$TMP/err")"; exit 1; }
	echo "ok: $(cat "$TMP/err")"
}
fresh "$TMP/d.img"
grep_err "Invalid parameter 'bogus'" -kernel "$GOOD" -drive file="$TMP/d.img",format=raw,bogus=1
grep_err "Parameter 'readonly' expects 'on' or 'off'" -kernel "$GOOD" -drive file="$TMP/d.img",readonly=maybe
grep_err "Parameter 'if' expects 'virtio' or 'none'" -kernel "$GOOD" -drive file="$TMP/d.img",if=scsi
grep_err "Invalid parameter 'restrictt'" -kernel "$GOOD" -netdev user,id=n0,restrictt=on
grep_err "Parameter 'restrict' expects 'on' or 'off'" -kernel "$GOOD" -netdev user,id=n0,restrict=maybe
grep_err "Parameter 'id' is missing" -kernel "$GOOD" -netdev user
grep_err "Duplicate ID 'n0' for netdev" -kernel "$GOOD" -netdev user,id=n0 -netdev user,id=n0
grep_err "Property 'virtio-rng-device.foo' not found" -kernel "$GOOD" -device virtio-rng-device,foo=1
grep_err "Property 'virt-machine.foo' not found" -kernel "$GOOD" -M virt,foo=bar
grep_err "Invalid parameter 'bar'" -kernel "$GOOD" -chardev socket,id=c0,path="$TMP/s",server=on,bar=1
grep_err "Invalid parameter 'bar'" -kernel "$GOOD" -serial unix:"$TMP/s",server=on,bar=1
grep_err "Parameter 'size' expects a non-negative number" -kernel "$GOOD" -m nan
grep_err "Parameter 'size' expects a non-negative number" -kernel "$GOOD" -m 4abc
grep_err "Parameter 'size' expects a non-negative number" -kernel "$GOOD" -m 256MB
grep_err "Parameter 'cpus' expects a number" -kernel "$GOOD" -smp 4abc
grep_err "Invalid CPU topology" -kernel "$GOOD" -smp cpus=2,sockets=1,cores=3
grep_err "The max CPUs supported by machine 'virt' is 8" -kernel "$GOOD" -smp 2,maxcpus=16
grep_err "unsupported -d item 'int'" -kernel "$GOOD" -d in_asm,int

# Accepted forms run the guest: QEMU's sizes and -smp topologies.
for a in "-m 1.5G" "-m size=64M" "-m 131072K" "-smp cpus=2" "-smp sockets=2,cores=2" "-smp 2,maxcpus=4"; do
	# shellcheck disable=SC2086
	timeout 20 "$CAIRN" vm -M virt -bios none -nographic -kernel "$GOOD" $a </dev/null >"$TMP/out" 2>&1 ||
		{ echo "$a refused: $(cat "$TMP/out")"; exit 1; }
	echo "ok: $a"
done
