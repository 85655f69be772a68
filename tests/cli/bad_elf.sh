#!/bin/sh
# bad_elf.sh - cairn must reject malformed ELF kernels with a one-line "cairn:" error.
# Inputs: empty file, garbage, truncated header, truncated program headers, corrupt magic/class/machine,
# overlapping segments (65,535 of them spanning RAM, and two ordinary ones); and one that
# must load: headers at odd offsets.
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

# le64 N: N as 8 little-endian bytes; at OFF FILE: read a little-endian field.
le64() { v=$1; s=""; for _ in 1 2 3 4 5 6 7 8; do s="$s\\$(printf %03o $((v & 255)))"; v=$((v >> 8)); done; printf "$s"; }
at() { od -An -tu"$2" -j"$1" -N"$2" "$3" | tr -d ' '; }
poke() { dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }

# Program and section headers at odd offsets must load as well (read field by
# field, never through a misaligned struct pointer: UBSan under make SAN=1 test).
phoff=$(at 32 8 "$GOOD"); phnum=$(at 56 2 "$GOOD"); shoff=$(at 40 8 "$GOOD"); shnum=$(at 60 2 "$GOOD")
size=$(wc -c <"$GOOD")
{ cat "$GOOD"; printf 'x'; dd if="$GOOD" bs=1 skip="$phoff" count=$((phnum * 56)) 2>/dev/null
  dd if="$GOOD" bs=1 skip="$shoff" count=$((shnum * 64)) 2>/dev/null; } >"$TMP/odd"
le64 $((size + 1)) | poke "$TMP/odd" 32
le64 $((size + 1 + phnum * 56)) | poke "$TMP/odd" 40
timeout 20 "$CAIRN" vm -M virt -bios none -nographic -kernel "$GOOD" </dev/null >"$TMP/want" 2>&1
timeout 20 "$CAIRN" vm -M virt -bios none -nographic -kernel "$TMP/odd" </dev/null >"$TMP/got" 2>&1
rc=$?
if [ $rc -ne 0 ] || ! cmp -s "$TMP/want" "$TMP/got"; then
	echo "headers at odd offsets: exit $rc, output differs from the original's:"; cat "$TMP/got"; exit 1
fi
echo "ok: headers at odd offsets load and run"

# 65,535 PT_LOAD headers, each the whole of RAM: refused at once as overlapping
# (no memset of RAM per header: that took minutes).
head -c 64 "$GOOD" >"$TMP/many"
le64 64 | poke "$TMP/many" 32; le64 0 | poke "$TMP/many" 40
printf '\377\377\000\000' | poke "$TMP/many" 56   # e_phnum 65535, e_shentsize 0
printf '\000\000\000\000' | poke "$TMP/many" 60   # e_shnum 0, e_shstrndx 0
{ printf '\001\000\000\000\007\000\000\000'; le64 0; le64 2147483648; le64 2147483648; le64 0
  le64 $((128 << 20)); le64 4096; } >"$TMP/ph1"
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do cat "$TMP/ph1" "$TMP/ph1" >"$TMP/ph2"; mv "$TMP/ph2" "$TMP/ph1"; done
head -c $((65535 * 56)) "$TMP/ph1" >>"$TMP/many"
start=$(date +%s)
expect_error -m 128M -kernel "$TMP/many"
grep -q "overlap" "$TMP/err" || { echo "want an 'overlap' message"; exit 1; }
[ $(($(date +%s) - start)) -le 5 ] || { echo "took more than 5 s to refuse"; exit 1; }
# Two ordinary segments at the same address: every program header a copy of
# the PT_LOAD one.
cp "$GOOD" "$TMP/two"
load=$(for k in $(seq 0 $((phnum - 1))); do [ "$(at $((phoff + k * 56)) 4 "$GOOD")" = 1 ] && echo $k; done | head -n 1)
for k in $(seq 0 $((phnum - 1))); do
	dd if="$GOOD" bs=1 skip=$((phoff + load * 56)) count=56 2>/dev/null | poke "$TMP/two" $((phoff + k * 56))
done
expect_error -kernel "$TMP/two"
grep -q "overlap" "$TMP/err" || { echo "want an 'overlap' message"; exit 1; }
