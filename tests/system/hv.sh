#!/bin/sh
# hv.sh - many VMs of mixed kinds in one `cairn hv` on 2 host worker threads, each
# checking itself: Linux -smp 1 and Linux -smp 4 (consoles on unix sockets, driven by
# hvcon.py), a bare-metal SMP program (LR/SC and AMO counters across 4 harts), a bare-metal
# C program, the real-time guest with a reservation (consoles in files) and a second RT
# guest that runs until it is destroyed.  Through the control socket (cairn ctl), while the
# others run: l1 is paused (what is typed gets no answer) and resumed (then it does), reset
# (it boots again), and the long RT guest destroyed (gone from the list).  A console
# detached and attached again replays what the guest printed meanwhile.  Each Linux guest
# powers off from its shell; the others end by themselves; `cairn ctl quit` ends cairn hv
# with status 0.
set -u
CAIRN=${CAIRN:-build/cairn}
B=${BUILD:-build}
G=${LINUX_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cairn/guests/linux}
T=$(mktemp -d)
PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$T"' EXIT
bash guests/linux/build.sh >"$T/build.log" 2>&1 || { tail -20 "$T/build.log"; echo "FAIL: guest build"; exit 1; }
[ -f "$B/guests/rtos.elf" ] || { echo "FAIL: no $B/guests/rtos.elf (make test builds it)"; exit 1; }
LINUX="-M virt -m 256M -bios default -kernel $G/Image -initrd $G/initramfs.cpio.gz -append console=ttyS0"
CON=$(dirname "$0")/hvcon.py
ctl() { "$CAIRN" ctl --socket "$T/hv.sock" "$@" >"$T/ctl.out" 2>&1 || { echo "FAIL: cairn ctl $*:"; cat "$T/ctl.out"; exit 1; }; }
"$CAIRN" hv --threads 2 --control "$T/hv.sock" \
	--vm "-name l1 $LINUX -smp 1 -serial unix:$T/l1.sock,server=on,wait=off" \
	--vm "-name l4 $LINUX -smp 4 -serial unix:$T/l4.sock,server=on,wait=off" \
	--vm "-name smp -M virt -bios none -smp 4 -kernel $B/tests/riscv/t_smp.elf -serial file:$T/smp.log" \
	--vm "-name c -M virt -bios none -kernel $B/tests/riscv/t_c_program.elf -serial file:$T/c.log" \
	--vm "-name rt -M virt -bios none -kernel $B/guests/rtos.elf -append rtos.seconds=3 -serial file:$T/rt.log" \
	--vm "-name rtlong -M virt -bios none -kernel $B/guests/rtos.elf -append rtos.seconds=1000 -serial file:$T/rtlong.log" \
	--reserve rt=300us/1ms >"$T/hv.out" 2>&1 &
PID=$!
python3 "$CON" connect "$T/l1.sock" expect "cairn:~# " 300 send 'echo l1-$((6 * 7)) $(nproc)' expect "l1-42 1" 30 || exit 1
# l4 has booted meanwhile with nobody attached: attaching replays its boot.
python3 "$CON" connect "$T/l4.sock" expect "cairn-linux: kernel" 300 expect "cairn:~# " 300 \
	send 'echo l4-$((6 * 7)) $(nproc)' expect "l4-42 4" 30 detach || exit 1
# Paused, l1 answers nothing; l4 goes on; resumed, l1 answers what was typed.
ctl stop l1
ctl info l1; grep -q "paused" "$T/ctl.out" || { echo "FAIL: l1 not paused:"; cat "$T/ctl.out"; exit 1; }
python3 "$CON" connect "$T/l1.sock" send 'echo p1-$((2 + 3))' quiet "p1-5" 2 || exit 1
python3 "$CON" connect "$T/l4.sock" send 'echo p4-$((2 + 3))' expect "p4-5" 30 || exit 1
ctl cont l1
python3 "$CON" connect "$T/l1.sock" expect "p1-5" 30 || exit 1
echo "ok: l1 paused (no answer, l4 answers) and resumed (answers)"
# Reset: l1 boots again (a kernel banner after the marker it printed before), l4 is
# untouched.
python3 "$CON" connect "$T/l1.sock" send 'echo before-$((1 + 1))-reset' expect "before-2-reset" 30 || exit 1
ctl reset l1
python3 "$CON" connect "$T/l1.sock" after "before-2-reset" expect "cairn-linux: kernel" 300 expect "cairn:~# " 300 || exit 1
python3 "$CON" connect "$T/l4.sock" send 'echo r4-$((3 * 3))' expect "r4-9" 30 || exit 1
echo "ok: l1 reset and booted again beside l4"
# Destroy the long RT guest: gone from the list, the rest still listed.
ctl destroy rtlong
ctl list
grep -q "^rtlong " "$T/ctl.out" && { echo "FAIL: rtlong still listed:"; cat "$T/ctl.out"; exit 1; }
grep -q "^l4 " "$T/ctl.out" || { echo "FAIL: l4 gone:"; cat "$T/ctl.out"; exit 1; }
echo "ok: rtlong destroyed while the others run"
python3 "$CON" connect "$T/l4.sock" send poweroff expect "reboot: Power down" 60 || exit 1
python3 "$CON" connect "$T/l1.sock" send poweroff expect "reboot: Power down" 60 || exit 1
# Every VM left has ended (the control socket keeps cairn hv up): then quit.
n=0
while [ $n -lt 300 ]; do
	ctl list
	grep -Eq " (running|paused|prelaunch) " "$T/ctl.out" || break
	sleep 0.1; n=$((n + 1))
done
grep -Eq " (running|paused|prelaunch) " "$T/ctl.out" && { echo "FAIL: VMs still running:"; cat "$T/ctl.out"; exit 1; }
ctl quit
n=0
while kill -0 $PID 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
kill -0 $PID 2>/dev/null && { echo "FAIL: cairn hv still running after quit"; cat "$T/hv.out"; exit 1; }
wait $PID; rc=$?; PID=""
[ $rc -eq 0 ] || { echo "FAIL: cairn hv exit $rc"; cat "$T/hv.out"; exit 1; }
grep -q "^PASS" "$T/smp.log" || { echo "FAIL: smp guest: $(cat "$T/smp.log")"; exit 1; }
grep -q "t_c_program: PASS" "$T/c.log" || { echo "FAIL: C guest: $(cat "$T/c.log")"; exit 1; }
grep -q "rtos: done n=" "$T/rt.log" || { echo "FAIL: RT guest: $(cat "$T/rt.log")"; exit 1; }
echo "ok: cairn hv: Linux smp1 + Linux smp4 + bare-metal smp4 + C + RT guests on 2 threads, console replay, pause/resume/reset/destroy, all ended, quit (exit 0)"
