#!/bin/sh
# qmp.sh - the control plane against real processes (tests/cli/qmp_client.py is the client):
#  - cairn vm -qmp unix:...,server,nowait: QEMU 7.2's protocol, every command, events in order,
#    hostile clients (malformed JSON, 64 MiB line, 50 clients, one that never reads, clients that
#    vanish mid-command), quit -> SHUTDOWN and exit 0, the socket file removed;
#  - cairn vm -monitor unix:...: the human monitor; -qmp ...,server (waits for its client) and tcp:;
#  - cairn hv --control: the control socket's commands, cairn ctl's tables and errors;
#  - bad -qmp specs: one "cairn:" line.
. "$(dirname "$0")/common.inc"
IDLE=${BUILD:-build}/tests/guests/idle.elf
[ -f "$IDLE" ] || { echo "no $IDLE (make test-riscv)"; exit 1; }
command -v python3 >/dev/null || { echo "skip: no python3"; exit 0; }
PY="python3 $(dirname "$0")/qmp_client.py"

wait_sock() {
	i=0
	while [ ! -S "$1" ]; do
		i=$((i + 1))
		[ $i -gt 200 ] && { echo "no socket $1"; cat "$TMP/vm.err" 2>/dev/null; exit 1; }
		sleep 0.05
	done
}

# The process must end by itself (quit) with exit code 0.
wait_exit() {
	i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 200 ] && { echo "$2 did not exit after quit"; kill "$1"; exit 1; }
		sleep 0.05
	done
	wait "$1"
	rc=$?
	[ $rc -eq 0 ] || { echo "$2 exited $rc after quit"; cat "$TMP/vm.err"; exit 1; }
	echo "ok: $2 exits 0 after quit"
}

# ---- cairn vm -qmp -monitor ----
"$CAIRN" vm -M virt -bios none -nographic -smp 2 -m 64M -name qmpvm -kernel "$IDLE" -serial null \
	-qmp "unix:$TMP/q.sock,server,nowait" -monitor "unix:$TMP/m.sock,server=on,wait=off" \
	</dev/null >"$TMP/vm.out" 2>"$TMP/vm.err" &
pid=$!
wait_sock "$TMP/q.sock"
wait_sock "$TMP/m.sock"
$PY vm "$TMP/q.sock" || { kill $pid; cat "$TMP/vm.err"; exit 1; }
$PY monitor "$TMP/m.sock" || { kill $pid; exit 1; }
$PY quit "$TMP/q.sock" || { kill $pid; exit 1; }
wait_exit $pid "cairn vm -qmp"
[ ! -e "$TMP/q.sock" ] || { echo "q.sock left behind"; exit 1; }
[ -s "$TMP/vm.err" ] && { echo "stderr not empty:"; cat "$TMP/vm.err"; exit 1; }
echo "ok: sockets removed, nothing on stderr"

# -qmp ...,server without nowait: the VM waits for its first client (QEMU's behaviour).
"$CAIRN" vm -M virt -bios none -nographic -kernel "$IDLE" -serial null -qmp "unix:$TMP/w.sock,server" \
	</dev/null >"$TMP/vm.out" 2>"$TMP/vm.err" &
pid=$!
wait_sock "$TMP/w.sock"
grep -q "waiting for a connection" "$TMP/vm.err" || { echo "no waiting note: $(cat "$TMP/vm.err")"; exit 1; }
$PY greet "$TMP/w.sock" || { kill $pid; exit 1; }
wait_exit $pid "cairn vm -qmp unix:...,server"

# tcp: on a free port.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$CAIRN" vm -M virt -bios none -nographic -kernel "$IDLE" -serial null -qmp "tcp:127.0.0.1:$port,server,nowait" \
	</dev/null >"$TMP/vm.out" 2>"$TMP/vm.err" &
pid=$!
i=0
until $PY greet "tcp:127.0.0.1:$port" >"$TMP/greet.out" 2>&1; do
	i=$((i + 1)); [ $i -gt 50 ] && { cat "$TMP/greet.out"; kill $pid; exit 1; }; sleep 0.1
done
cat "$TMP/greet.out"
wait_exit $pid "cairn vm -qmp tcp:"

# Bad specs: one "cairn:" line each.
expect_error -kernel "$GOOD" -qmp "unix:$TMP/nodir/q.sock,server,nowait"
expect_error -kernel "$GOOD" -qmp "unix:$TMP/q.sock"
expect_error -kernel "$GOOD" -qmp "foo"
expect_error -kernel "$GOOD" -qmp "unix:$TMP/q.sock,server,nowait,bogus=on"
expect_error -kernel "$GOOD" -monitor stdio
expect_error -kernel "$GOOD" -serial null -qmp stdio -monitor stdio

# ---- cairn hv --control and cairn ctl ----
"$CAIRN" hv --threads 2 --control "$TMP/c.sock" --weight a=300 \
	--vm "-name a -M virt -m 16M -bios none -kernel $IDLE -serial null" \
	--vm "-name b -M virt -m 16M -bios none -smp 2 -kernel $IDLE -serial null" \
	</dev/null >"$TMP/vm.out" 2>"$TMP/vm.err" &
pid=$!
wait_sock "$TMP/c.sock"
$PY control "$TMP/c.sock" "$IDLE" || { kill $pid; cat "$TMP/vm.err"; exit 1; }
ctl() { "$CAIRN" ctl --socket "$TMP/c.sock" "$@" >"$TMP/ctl.out" 2>&1; }
ctl list || { cat "$TMP/ctl.out"; kill $pid; exit 1; }
head -n 1 "$TMP/ctl.out" | grep -q "^NAME  *STATE  *HARTS  *RAM  *CPU  *SLICES  *WAKEUPS  *WEIGHT  *CAP  *RESERVATION" &&
	grep -q "^a  *running  *1  *16M " "$TMP/ctl.out" && grep -q "^b  *running  *2  *16M " "$TMP/ctl.out" ||
	{ echo "ctl list:"; cat "$TMP/ctl.out"; kill $pid; exit 1; }
echo "ok: cairn ctl list"
ctl stop a && ctl info a && grep -q "^state:       paused" "$TMP/ctl.out" || { cat "$TMP/ctl.out"; kill $pid; exit 1; }
ctl cont a && ctl stats a && grep -q "^slices:   [0-9]" "$TMP/ctl.out" || { cat "$TMP/ctl.out"; kill $pid; exit 1; }
ctl set b weight=20 cap=10 period=1ms budget=200us && ctl list &&
	grep -q "^b .* 20  *10% 200.000us/1.000ms" "$TMP/ctl.out" || { cat "$TMP/ctl.out"; kill $pid; exit 1; }
ctl hmp b "info cpus" && grep -q "^\* CPU #0: thread_id=[0-9]" "$TMP/ctl.out" || { cat "$TMP/ctl.out"; kill $pid; exit 1; }
ctl qmp '{"execute":"query-name","vm":"b"}' && grep -qx '{"return": {"name": "b"}}' "$TMP/ctl.out" ||
	{ cat "$TMP/ctl.out"; kill $pid; exit 1; }
ctl create c "-M virt -m 16M -bios none -kernel '$IDLE' -serial null" && grep -qx "c: running" "$TMP/ctl.out" &&
	ctl destroy c || { cat "$TMP/ctl.out"; kill $pid; exit 1; }
echo "ok: cairn ctl stop, cont, info, stats, set, hmp, qmp, create, destroy"
for bad in "stop nope" "info nope" "set a weight=0" "destroy nope"; do
	# shellcheck disable=SC2086
	if ctl $bad; then echo "ctl $bad: exit 0"; kill $pid; exit 1; fi
	[ "$(wc -l <"$TMP/ctl.out")" -eq 1 ] && grep -q "^cairn: ctl: " "$TMP/ctl.out" ||
		{ echo "ctl $bad:"; cat "$TMP/ctl.out"; kill $pid; exit 1; }
	echo "ok: ctl $bad: $(cat "$TMP/ctl.out")"
done
if "$CAIRN" ctl --socket "$TMP/none.sock" list >"$TMP/ctl.out" 2>&1; then echo "no socket: exit 0"; exit 1; fi
grep -q "^cairn: ctl: cannot connect to" "$TMP/ctl.out" || { cat "$TMP/ctl.out"; exit 1; }
$PY quit "$TMP/c.sock" a || { kill $pid; exit 1; }
ctl quit || { cat "$TMP/ctl.out"; wait $pid; echo "hv exit $?"; cat "$TMP/vm.err"; exit 1; }
wait_exit $pid "cairn hv --control"
