#!/bin/sh
# programs.sh - C and C++ programs under cairn run: argv, environment
# isolation, exit statuses, stdin/stdout/stderr, clocks and sleeping, memory
# growth and --max-memory, deep recursion and traps with backtraces.
. tests/wasm/wasi/lib.sh
need basics clocks memgrow recurse trap cxx
B=$WASI_OUT/basics.wasm

run 0 "$B" </dev/null
has "hello, world"
run 0 "$B" args 1 "two words" --not-for-cairn </dev/null
has "argc=5"; has "argv[0]=basics.wasm"; has "argv[2]=1"; has "argv[3]=two words"; has "argv[4]=--not-for-cairn"
run 0 --argv0 prog -- "$B" args </dev/null
has "argv[0]=prog"

# the environment: only what is asked for
export FOO=host_foo
run 0 "$B" env </dev/null
has "nenv=0"
run 0 --env A=1 --env FOO --env B=x=y --env NOT_SET_ANYWHERE "$B" env </dev/null
has "env A=1"; has "env FOO=host_foo"; has "env B=x=y"; has "nenv=3"
run 0 --inherit-env --env FOO=over "$B" env </dev/null
has "env FOO=over"; has "env PATH=$PATH"; lacks "env FOO=host_foo"
run 0 -S inherit-env "$B" env </dev/null
has "env FOO=host_foo"

# exit statuses: proc_exit's, 126 and above refused as wasmtime does
for code in 0 1 7 125; do
	run $code "$B" exit $code </dev/null
	has "exiting with $code"
done
run 1 "$B" exit 126 </dev/null
has_err "exit with invalid exit status outside of [0..126)"

# stdin from a file and from a pipe; stderr apart from stdout
printf 'line1\nline2\nline3' >"$T/in"
run 0 "$B" cat <"$T/in"
cmp -s "$OUT" "$T/in" || fail "cat changed its input"
has_err "cat: 17 bytes, 2 lines"
head -c 300000 /dev/urandom >"$T/big"
cat "$T/big" | "$CAIRN" run "$B" cat >"$OUT" 2>"$ERR" || fail "cat from a pipe failed"
cmp -s "$OUT" "$T/big" || fail "cat changed 300000 bytes from a pipe"
# a stdin closed on the host is closed for the guest, not some fd of cairn's
run 1 "$B" cat <&-
has "Bad file descriptor"
run 0 "$B" stderr </dev/null
has "to stdout"; has_err "to stderr"; lacks "to stderr"

# clocks, sleeps, poll_oneoff on stdin (a FIFO with data), random_get
mkfifo "$T/fifo"
(echo data >"$T/fifo" &)
run 0 "$WASI_OUT/clocks.wasm" <"$T/fifo"
has "clocks: all ok"

# memory growth to hundreds of MiB, and --max-memory stops it cleanly
run 0 "$WASI_OUT/memgrow.wasm" 400 </dev/null
has "allocated 400 MiB"
run 0 --max-memory 64M "$WASI_OUT/memgrow.wasm" 400 </dev/null
has "malloc failed after"
n=$(sed -n 's/^allocated \([0-9]*\) MiB.*/\1/p' "$OUT")
[ "$n" -lt 64 ] && [ "$n" -gt 32 ] || fail "--max-memory 64M let $n MiB be allocated"
run 0 -W max-memory-size=16777216 "$WASI_OUT/memgrow.wasm" 100 </dev/null
has "malloc failed after"

# the same with a plain heap memory (explicit bounds checks, a base that moves as it grows)
CAIRN_WASM_NO_GUARD=1 run 0 "$WASI_OUT/memgrow.wasm" 200 </dev/null
has "allocated 200 MiB"
CAIRN_WASM_NO_GUARD=1 run 134 "$WASI_OUT/trap.wasm" oob </dev/null
has_err "wasm trap: out of bounds memory access"

# deep recursion works up to a point, then traps cleanly (134 = 128 + SIGABRT)
run 134 "$WASI_OUT/recurse.wasm" </dev/null
has "depth 50000:"; lacks "unbounded"
has_err "wasm trap: call stack exhausted"; has_err "down (func"

# traps: message and a backtrace with the C function names, innermost first
run 134 "$WASI_OUT/trap.wasm" unreachable </dev/null
has "level3: unreachable"; lacks "not reached"
has_err "wasm trap: unreachable"
l3=$(grep -n "level3 (func" "$ERR" | cut -d: -f1)
l1=$(grep -n "level1 (func" "$ERR" | cut -d: -f1)
[ -n "$l3" ] && [ -n "$l1" ] && [ "$l3" -lt "$l1" ] || fail "backtrace lacks level3 before level1"
has_err "level2 (func"; has_err "main (func"
run 134 "$WASI_OUT/trap.wasm" oob </dev/null
has_err "wasm trap: out of bounds memory access"
run 134 "$WASI_OUT/trap.wasm" divzero </dev/null
has_err "wasm trap: integer divide by zero"

# C++ with the standard library
run 0 "$WASI_OUT/cxx.wasm" </dev/null
cat >"$T/want" <<EOT
sorted: 1 3 5 7 9
sum=25
the x3
distinct=9 len(quick)=5
rect area 6 twice 12
square area 16 twice 32
3.1416|ff
MIXED argc=1 argv0=cxx.wasm
EOT
cmp -s "$OUT" "$T/want" || { diff "$T/want" "$OUT"; fail "C++ output differs"; }
echo "programs: ok"
