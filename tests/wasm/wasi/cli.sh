#!/bin/sh
# cli.sh - cairn run's own options (tests/wasm/wasi/cli.wat): --invoke with
# typed arguments and printed results, --fuel, --timeout (in a loop, in a
# sleep, in a read of stdin), --max-memory, wasmtime's -W forms, bad options
# and bad files.
. tests/wasm/wasi/lib.sh
M=$W/cli.wat

invoke() { # invoke NAME ARGS... -- EXPECTED_LINES...
	name=$1
	shift
	args=""
	while [ "$1" != -- ]; do args="$args $1"; shift; done
	shift
	# shellcheck disable=SC2086
	run 0 --invoke "$name" "$M" $args </dev/null
	printf '%s\n' "$@" >"$T/want"
	cmp -s "$OUT" "$T/want" || fail "--invoke $name$args printed $(cat "$OUT")"
}
invoke add 2 -5 -- -3
invoke add 0xffffffff 2 -- 1
invoke sub64 1 0x8000000000000000 -- -9223372036854775807
invoke halve 0.3 -- 0.15
invoke third 1 -- 0.33333334
invoke halve inf -- inf
invoke pair 21 -- 21 -42
invoke grow 1 -- 1
"$CAIRN" run --invoke=add -- "$M" 40 2 >"$OUT" 2>"$ERR" </dev/null && has 42 || fail "--invoke=add --"

# limits: fuel, memory, time (134 like any trap)
run 134 --fuel 10000 --invoke spin "$M" </dev/null
has_err "wasm trap: fuel exhausted"
run 134 -W fuel=5000 --invoke spin "$M" </dev/null
has_err "fuel exhausted"
run 0 --max-memory 2M --invoke grow "$M" 100 </dev/null
has -1
run 0 --max-memory 2M --invoke grow "$M" 1 </dev/null
has 1
printf '(module (memory 40))' >"$T/big.wat"
run 1 --max-memory 1M "$T/big.wat" </dev/null
has_err "above --max-memory"
for what in spin nap; do
	start=$(date +%s%N)
	run 134 --timeout 300ms --invoke $what "$M" </dev/null
	ms=$((($(date +%s%N) - start) / 1000000))
	has_err "wasm trap: interrupted (--timeout reached)"
	[ $ms -ge 250 ] && [ $ms -lt 5000 ] || fail "--timeout 300ms ($what) took $ms ms"
done
run 134 -W timeout=0.2s --invoke spin "$M" </dev/null
mkfifo "$T/fifo"
sleep 10 >"$T/fifo" &
holder=$!
start=$(date +%s%N)
run 134 --timeout 200ms --invoke readin "$M" <"$T/fifo"
ms=$((($(date +%s%N) - start) / 1000000))
kill $holder 2>/dev/null
[ $ms -lt 5000 ] || fail "--timeout did not stop a read of stdin ($ms ms)"
has_err "interrupted"
# a large fd_write to a pipe whose reader stalls: writes go in pieces that
# cannot block (RWF_NOWAIT, or PIPE_BUF bytes: CAIRN_WASI_NO_NOWAIT=1), so
# the watchdog still ends it
mkfifo "$T/stall"
for nowait in "" 1; do
	sleep 10 <"$T/stall" &
	holder=$!
	start=$(date +%s%N)
	CAIRN_WASI_NO_NOWAIT=$nowait "$CAIRN" run --timeout 300ms --invoke bigwrite "$M" >"$T/stall" 2>"$ERR" </dev/null
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	kill $holder 2>/dev/null
	wait $holder 2>/dev/null
	[ $rc = 134 ] || fail "--timeout in a stalled write ($nowait): exit $rc"
	[ $ms -lt 3000 ] || fail "--timeout did not stop a write to a stalled pipe ($nowait, $ms ms)"
	has_err "interrupted (--timeout reached)"
	# ... while a reader that reads gets all of it (and the result line)
	n=$(CAIRN_WASI_NO_NOWAIT=$nowait "$CAIRN" run --invoke bigwrite "$M" </dev/null | wc -c)
	[ "$n" = $((8388608 + 8)) ] || fail "bigwrite through a pipe ($nowait): $n bytes"
done
# poll_oneoff: 65,536 subscriptions whatever RLIMIT_NOFILE says, one more is EINVAL
(ulimit -n 32 && run 0 --invoke manypoll "$M" 65536 </dev/null) || exit 1
printf '0\n65536\n' >"$T/want"
cmp -s "$OUT" "$T/want" || fail "manypoll 65536 under ulimit -n 32: $(cat "$OUT")"
run 0 --invoke manypoll "$M" 65537 </dev/null
printf '28\n0\n' >"$T/want"
cmp -s "$OUT" "$T/want" || fail "manypoll 65537: $(cat "$OUT")"

# mistakes: usage errors are 2, unloadable modules 1, each with one message
run 2 --bogus "$M" </dev/null
has_err "unknown option '--bogus'"
run 2 --timeout soon "$M" </dev/null
run 2 --max-memory lots "$M" </dev/null
run 2 -W nonsense=1 "$M" </dev/null
run 2 --dir </dev/null
run 2 </dev/null
run 0 --help </dev/null
has "usage: cairn run"
run 1 "$T/missing.wasm" </dev/null
has_err "cannot read"
echo garbage >"$T/g.wasm"
run 1 "$T/g.wasm" </dev/null
has_err "expected one (module ...)"
printf '\0asm\1\0\0\0\1' >"$T/t.wasm"
run 1 "$T/t.wasm" </dev/null
printf '(module (func (export "_start") (i32.add)))' >"$T/bad.wat"
run 1 "$T/bad.wat" </dev/null
has_err "type mismatch"
run 1 --invoke nope "$M" </dev/null
has_err "no exported function 'nope'"
run 1 --invoke add "$M" 1 </dev/null
has_err "takes 2 arguments"
run 1 --invoke add "$M" 1 x </dev/null
has_err "bad argument 'x'"
run 1 --dir "$T/nonexistent" "$M" </dev/null
has_err "cannot open directory"
# --tcplisten: ports are decimal 0-65535 (99999 once wrapped to 34463), an
# address is required, bad ones are named; each is a usage error (2) with one line
for bad in 127.0.0.1:99999 127.0.0.1:65536 127.0.0.1:http 127.0.0.1: 127.0.0.1:-1 \
	127.0.0.1:0x50 :8080 8080 '[::1:80' '[::1]' 300.1.2.3:80; do
	run 2 --tcplisten "$bad" "$M" </dev/null
	has_err "run: --tcplisten $bad: "
	[ "$(wc -l <"$ERR")" = 1 ] || fail "--tcplisten $bad: more than one line"
done
run 2 -S "tcplisten=127.0.0.1:99999" "$M" </dev/null
has_err "the port must be a number from 0 to 65535"
! grep -q "bad or unknown option" "$ERR" || fail "--tcplisten: two messages"
run 0 --tcplisten 127.0.0.1:0 "$M" </dev/null
# a module without _start only instantiates; a start function runs
printf '(module (func $s (unreachable)) (start $s))' >"$T/st.wat"
run 134 "$T/st.wat" </dev/null
has_err "wasm trap: unreachable"
run 0 "$M" </dev/null
echo "cli: ok"
