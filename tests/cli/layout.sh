#!/bin/sh
# layout.sh - firmware, kernel, initrd and device tree are placed by one allocator that refuses
# overlaps: with little RAM the device tree moves instead of landing on the program (it used to
# be written over an ELF at RAM base with -m 16M), and images that would overwrite each other
# are an error instead of a silently corrupted boot.
. "$(dirname "$0")/common.inc"
for m in 16M 8M; do
	timeout 20 "$CAIRN" vm -M virt -m $m -bios none -nographic -kernel "$GOOD" </dev/null >"$TMP/out" 2>&1 ||
		{ echo "-m $m: the program did not run"; cat "$TMP/out"; exit 1; }
	echo "ok: -m $m runs"
done
# An ELF "firmware" and an ELF kernel both linked at RAM base.
expect_error -bios "$GOOD" -kernel "$GOOD"
grep -q "overlaps the firmware" "$TMP/err" || { echo "no overlap message"; exit 1; }
