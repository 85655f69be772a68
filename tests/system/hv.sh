#!/bin/sh
# hv.sh - many VMs of mixed kinds in one `cairn hv` on 2 host worker threads, each
# checking itself: Linux -smp 1 and Linux -smp 4 (consoles on unix sockets, driven by
# hvcon.py), a bare-metal SMP program (LR/SC and AMO counters across 4 harts) and a
# bare-metal C program (consoles in files).  A console detached and attached again
# replays what the guest printed meanwhile.  Each Linux guest powers off from its shell;
# cairn hv ends, with status 0, once all four have.
set -u
CAIRN=${CAIRN:-build/cairn}
B=${BUILD:-build}
G=${LINUX_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cairn/guests/linux}
T=$(mktemp -d)
PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$T"' EXIT
bash guests/linux/build.sh >"$T/build.log" 2>&1 || { tail -20 "$T/build.log"; echo "FAIL: guest build"; exit 1; }
LINUX="-M virt -m 256M -bios default -kernel $G/Image -initrd $G/initramfs.cpio.gz -append console=ttyS0"
CON=$(dirname "$0")/hvcon.py
"$CAIRN" hv --threads 2 \
	--vm "-name l1 $LINUX -smp 1 -serial unix:$T/l1.sock,server=on,wait=off" \
	--vm "-name l4 $LINUX -smp 4 -serial unix:$T/l4.sock,server=on,wait=off" \
	--vm "-name smp -M virt -bios none -smp 4 -kernel $B/tests/riscv/t_smp.elf -serial file:$T/smp.log" \
	--vm "-name c -M virt -bios none -kernel $B/tests/riscv/t_c_program.elf -serial file:$T/c.log" \
	>"$T/hv.out" 2>&1 &
PID=$!
python3 "$CON" connect "$T/l1.sock" expect "cairn:~# " 300 send 'echo l1-$((6 * 7)) $(nproc)' expect "l1-42 1" 30 || exit 1
# l4 has booted meanwhile with nobody attached: attaching replays its boot.
python3 "$CON" connect "$T/l4.sock" expect "cairn-linux: kernel" 300 expect "cairn:~# " 300 \
	send 'echo l4-$((6 * 7)) $(nproc)' expect "l4-42 4" 30 detach || exit 1
python3 "$CON" connect "$T/l4.sock" expect "l4-42 4" 10 send poweroff expect "reboot: Power down" 60 || exit 1
python3 "$CON" connect "$T/l1.sock" send poweroff expect "reboot: Power down" 60 || exit 1
n=0
while kill -0 $PID 2>/dev/null && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
kill -0 $PID 2>/dev/null && { echo "FAIL: cairn hv still running after every guest powered off"; cat "$T/hv.out"; exit 1; }
wait $PID; rc=$?; PID=""
[ $rc -eq 0 ] || { echo "FAIL: cairn hv exit $rc"; cat "$T/hv.out"; exit 1; }
grep -q "^PASS" "$T/smp.log" || { echo "FAIL: smp guest: $(cat "$T/smp.log")"; exit 1; }
grep -q "t_c_program: PASS" "$T/c.log" || { echo "FAIL: C guest: $(cat "$T/c.log")"; exit 1; }
echo "ok: cairn hv: Linux smp1 + Linux smp4 + bare-metal smp4 + bare-metal C on 2 threads, console replay, all powered off (exit 0)"
