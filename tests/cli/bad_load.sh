#!/bin/sh
# bad_load.sh - kernels that are valid ELF but cannot be placed in guest RAM must be rejected:
# a kernel larger than RAM (-m 1M), a segment whose address lies outside RAM, a raw blob too big.
. "$(dirname "$0")/common.inc"
expect_error -m 1M -kernel "$GOOD"
# Move the first program header's p_paddr and p_vaddr (phoff 64: +16 vaddr, +24 paddr) to 0x1000.
cp "$GOOD" "$TMP/low"
phoff=64
printf '\000\020\000\000\000\000\000\000' | dd of="$TMP/low" bs=1 seek=$((phoff + 16)) conv=notrunc 2>/dev/null
printf '\000\020\000\000\000\000\000\000' | dd of="$TMP/low" bs=1 seek=$((phoff + 24)) conv=notrunc 2>/dev/null
expect_error -kernel "$TMP/low"
# ... and far above RAM (0x4000000000)
cp "$GOOD" "$TMP/high"
printf '\000\000\000\000\100\000\000\000' | dd of="$TMP/high" bs=1 seek=$((phoff + 16)) conv=notrunc 2>/dev/null
printf '\000\000\000\000\100\000\000\000' | dd of="$TMP/high" bs=1 seek=$((phoff + 24)) conv=notrunc 2>/dev/null
expect_error -kernel "$TMP/high"
# A 3 MiB non-ELF (raw) image does not fit 2 MiB of RAM.
dd if=/dev/zero of="$TMP/big.bin" bs=1024 count=3072 2>/dev/null
expect_error -m 2M -kernel "$TMP/big.bin"
