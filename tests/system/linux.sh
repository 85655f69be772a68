#!/bin/sh
# linux.sh - boots the Linux guest (OpenSBI + Linux 6.1 + busybox initramfs,
# built by guests/linux/build.sh into the cache) with 1 and with 4 harts and
# checks, from the guest's own output: harts online, memory size, the RTC's
# date against the host's, a command typed on the console, `reboot` (with 1
# hart) and `poweroff` typed in the shell, which must end cairn with status 0.
. "$(dirname "$0")/lib.sh"
CAIRN=${CAIRN:-build/cairn}
G=${LINUX_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cairn/guests/linux}
bash guests/linux/build.sh >"$T/build.log" 2>&1 || { tail -20 "$T/build.log"; fail "guests/linux/build.sh failed"; }
# The last boot puts 4 harts on one host worker thread: time-sharing, IPIs and
# remote fences between harts that never run at once.
for run in 1 4 "4 --threads 1"; do
	smp=${run%% *}
	: >"$OUT"
	# shellcheck disable=SC2086
	start "$CAIRN" vm -M virt -m 256M -smp $run -nographic -bios default \
		-kernel "$G/Image" -initrd "$G/initramfs.cpio.gz" -append "console=ttyS0"
	wait_for "cairn-linux: kernel" 300
	wait_for "cairn:~# " 60
	send "echo cpus=\$(nproc) mem=\$(awk '/MemTotal/ { print int(\$2 / 1024) }' /proc/meminfo) year=\$(date +%Y)"
	wait_for "cpus=$smp mem=" 30
	mem=$(tr -d '\r' <"$OUT" | sed -n 's/.*cpus=[0-9]* mem=\([0-9]*\) .*/\1/p' | tail -1)
	[ "${mem:-0}" -gt 200 ] && [ "$mem" -le 256 ] || fail "guest sees $mem MiB of 256"
	wait_for "year=$(date +%Y)" 5
	send "echo typed-\$((6 * 7))"
	wait_for "typed-42" 10
	# No NIC: /init does not wait for one.
	grep -aqF "cairn-linux: eth0" "$OUT" && fail "eth0 configured without a NIC"
	what=""
	if [ $smp = 1 ]; then
		# `reboot` in the shell (busybox signals PID 1) restarts the guest in the same cairn.
		prompts=$(grep -acF "cairn:~# " "$OUT")
		send "reboot"
		wait_for "cairn-linux: kernel" 300 2
		wait_for "cairn:~# " 60 $((prompts + 1))
		what=", reboot"
	fi
	send "poweroff"
	finish 60
	exec 3>&-
	echo "ok: Linux -smp $run: $smp harts online, $mem MiB, RTC year, console input$what, poweroff (exit 0)"
done
