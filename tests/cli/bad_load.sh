#!/bin/sh
# bad_load.sh - kernels that are valid ELF but cannot be placed in guest RAM must be rejected:
# a kernel larger than RAM, a segment whose address lies outside RAM, a raw blob too big.
. "$(dirname "$0")/common.inc"
# Find the first PT_LOAD header (e_phoff at 32, e_phnum at 56, 56-byte entries), then move its
# p_vaddr (+16) and p_paddr (+24) to 0x1000.
u() { od -An -t u"$2" -j "$1" -N "$2" "$GOOD" | tr -d ' '; }
ph=$(u 32 8); n=$(u 56 2); i=0; phoff=""
while [ $i -lt "$n" ]; do
	[ "$(u $((ph + i * 56)) 4)" = 1 ] && { phoff=$((ph + i * 56)); break; }
	i=$((i + 1))
done
[ -n "$phoff" ] || { echo "no PT_LOAD in $GOOD"; exit 1; }
cp "$GOOD" "$TMP/low"
printf '\000\020\000\000\000\000\000\000' | dd of="$TMP/low" bs=1 seek=$((phoff + 16)) conv=notrunc 2>/dev/null
printf '\000\020\000\000\000\000\000\000' | dd of="$TMP/low" bs=1 seek=$((phoff + 24)) conv=notrunc 2>/dev/null
expect_error -kernel "$TMP/low"
# A segment whose memory size (256 MiB) exceeds RAM (128 MiB): p_memsz at +40.
cp "$GOOD" "$TMP/huge"
printf '\000\000\000\020\000\000\000\000' | dd of="$TMP/huge" bs=1 seek=$((phoff + 40)) conv=notrunc 2>/dev/null
expect_error -m 128M -kernel "$TMP/huge"
# ... and far above RAM (0x4000000000)
cp "$GOOD" "$TMP/high"
printf '\000\000\000\000\100\000\000\000' | dd of="$TMP/high" bs=1 seek=$((phoff + 16)) conv=notrunc 2>/dev/null
printf '\000\000\000\000\100\000\000\000' | dd of="$TMP/high" bs=1 seek=$((phoff + 24)) conv=notrunc 2>/dev/null
expect_error -kernel "$TMP/high"
# A 3 MiB non-ELF (raw) image does not fit 2 MiB of RAM.
dd if=/dev/zero of="$TMP/big.bin" bs=1024 count=3072 2>/dev/null
expect_error -m 2M -kernel "$TMP/big.bin"
