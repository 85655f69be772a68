#!/bin/sh
# uboot.sh - Debian's U-Boot (qemu-riscv64_smode under OpenSBI, and the M-mode
# qemu-riscv64 build as firmware) reaches its prompt, answers `version`
# typed on the console, and powers the machine off (cairn exits 0).
. "$(dirname "$0")/lib.sh"
CAIRN=${CAIRN:-build/cairn}
for mode in smode mmode; do
	if [ $mode = smode ]; then
		start "$CAIRN" vm -M virt -m 256M -nographic -bios default -kernel /usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin
	else
		start "$CAIRN" vm -M virt -m 256M -nographic -bios /usr/lib/u-boot/qemu-riscv64/u-boot.bin
	fi
	wait_for "=> " 60
	send "version"
	wait_for "U-Boot 2023" 10
	wait_for "GNU ld" 10
	send "poweroff"
	finish 20
	exec 3>&-
	echo "ok: U-Boot $mode: prompt, version, poweroff"
	: >"$OUT"
done
