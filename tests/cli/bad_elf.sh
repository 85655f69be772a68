#!/bin/sh
# bad_elf.sh - cairn must reject malformed ELF kernels with a one-line "cairn:" error.
# Inputs: empty file, garbage, truncated header, truncated program headers, corrupt magic/class/machine.
. "$(dirname "$0")/common.inc"
: >"$TMP/empty";                       expect_error -kernel "$TMP/empty"
printf 'hello, world\n' >"$TMP/text";  expect_error -kernel "$TMP/text"
head -c 20 "$GOOD" >"$TMP/hdr20";      expect_error -kernel "$TMP/hdr20"
head -c 64 "$GOOD" >"$TMP/hdr64";      expect_error -kernel "$TMP/hdr64"
head -c 100 "$GOOD" >"$TMP/ph";        expect_error -kernel "$TMP/ph"
# ELF with its segments cut off (headers intact, file data missing)
head -c 300 "$GOOD" >"$TMP/seg";       expect_error -kernel "$TMP/seg"
patch() { cp "$GOOD" "$2"; printf "$3" | dd of="$2" bs=1 seek="$1" conv=notrunc 2>/dev/null; }
patch 1 "$TMP/magic" 'XLF';            expect_error -kernel "$TMP/magic"
patch 4 "$TMP/class32" '\001';         expect_error -kernel "$TMP/class32"
patch 5 "$TMP/bigend" '\002';          expect_error -kernel "$TMP/bigend"
patch 18 "$TMP/x86" '\076\000';        expect_error -kernel "$TMP/x86"
# e_phoff (offset 32) pointing far past the end of the file
patch 32 "$TMP/phoff" '\377\377\377\377\000\000\000\000'; expect_error -kernel "$TMP/phoff"
# e_phnum (offset 56) huge
patch 56 "$TMP/phnum" '\377\377';      expect_error -kernel "$TMP/phnum"
