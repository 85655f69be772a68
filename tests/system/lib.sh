# lib.sh - helpers for system tests that drive a guest's console (sourced).
# start CMD...: runs CMD with stdin from a FIFO and output to $OUT; wait_for
# waits for a pattern in the output; send types text; finish waits for exit.
set -u
T=$(mktemp -d)
OUT=$T/out
FIFO=$T/in
mkfifo "$FIFO"
PID=""
: >"$OUT"
KILL=""   # more background pids to end on exit
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; [ -n "$KILL" ] && kill $KILL 2>/dev/null; exec 3>&- 2>/dev/null; rm -rf "$T"' EXIT

start() {
	"$@" <"$FIFO" >"$OUT" 2>&1 &
	PID=$!
	exec 3>"$FIFO"
}

# wait_for PATTERN SECONDS [COUNT]: fixed-string match anywhere in the output so far (on COUNT
# lines, default 1)
seen() { [ "$(grep -acF -- "$1" "$OUT")" -ge "${2:-1}" ]; }
wait_for() {
	n=0
	while [ $n -lt $(($2 * 10)) ]; do
		seen "$1" "${3:-1}" && return 0
		kill -0 $PID 2>/dev/null || { seen "$1" "${3:-1}" && return 0; fail "guest exited before '$1'"; }
		sleep 0.1
		n=$((n + 1))
	done
	fail "timed out after $2 s waiting for '$1'"
}

send() { printf '%s\r' "$1" >&3; }

# finish SECONDS: the guest must exit by itself, with status 0
finish() {
	n=0
	while kill -0 $PID 2>/dev/null && [ $n -lt $(($1 * 10)) ]; do sleep 0.1; n=$((n + 1)); done
	kill -0 $PID 2>/dev/null && fail "guest did not exit within $1 s"
	wait $PID
	rc=$?
	[ $rc -eq 0 ] || fail "guest exited with status $rc"
}

fail() {
	echo "FAIL: $*"
	echo "--- guest output (last 30 lines) ---"
	tail -n 30 "$OUT" | tr -d '\r'
	exit 1
}
