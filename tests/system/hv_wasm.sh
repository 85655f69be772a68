#!/bin/sh
# hv_wasm.sh - WebAssembly programs beside VMs in one `cairn hv`, on 1 and on 2
# worker threads: a bare-metal SMP guest (4 harts, LR/SC and AMO counters), a
# bare-metal C program and two wasm programs (spin.wasm: rounds of a hash chain,
# CPU-bound, one of them napping between rounds) share the workers.  Each VM must
# pass, each program must print exactly what `cairn run` prints for it (no work
# lost or repeated across its many slices), into its --stdout file and nowhere
# else; cairn hv ends with status 0 once all have ended.  Then the exit-status
# rules: a program's proc_exit status when it ends last, 134 and a
# "cairn: hv: wasm 'NAME': wasm trap: ..." message after a trap, and a bad
# --wasm refused before anything starts.
set -u
CAIRN=${CAIRN:-build/cairn}
B=${BUILD:-build}
WASI_OUT=${WASI_OUT:-build/wasm32}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; for f in "$T"/*.out "$T"/*.err; do [ -f "$f" ] && sed "s|^|  ${f##*/}: |" "$f" | tail -20; done; exit 1; }
for p in spin basics trap; do
	[ -f "$WASI_OUT/$p.wasm" ] || { command -v clang-19 >/dev/null || { echo "skip: no clang-19"; exit 0; }; fail "$WASI_OUT/$p.wasm not built"; }
done
SPIN=$WASI_OUT/spin.wasm
"$CAIRN" run "$SPIN" 3 40000000 >"$T/want_a" || fail "cairn run spin (a)"
"$CAIRN" run "$SPIN" 5 8000000 0 40 >"$T/want_b" || fail "cairn run spin (b)"

for th in 1 2; do
	rm -f "$T"/*.log "$T"/*.out "$T"/*.err
	start=$(date +%s%N)
	"$CAIRN" hv --threads $th \
		--vm "-name smp -M virt -bios none -smp 4 -kernel $B/tests/riscv/t_smp.elf -serial file:$T/smp.log" \
		--wasm "--name a --stdout $T/a.txt $SPIN 3 40000000" \
		--vm "-name c -M virt -bios none -kernel $B/tests/riscv/t_c_program.elf -serial file:$T/c.log" \
		--wasm "--name b --stdout $T/b.txt $SPIN 5 8000000 0 40" \
		--weight a=200 --cap b=80 \
		>"$T/hv.out" 2>"$T/hv.err" </dev/null
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	[ $rc -eq 0 ] || fail "threads=$th: cairn hv exit $rc"
	grep -q "^PASS" "$T/smp.log" || fail "threads=$th: smp guest: $(cat "$T/smp.log")"
	grep -q "t_c_program: PASS" "$T/c.log" || fail "threads=$th: C guest: $(cat "$T/c.log")"
	cmp -s "$T/a.txt" "$T/want_a" || fail "threads=$th: program a printed $(cat "$T/a.txt")"
	cmp -s "$T/b.txt" "$T/want_b" || fail "threads=$th: program b printed $(cat "$T/b.txt")"
	! grep -q "spin" "$T/hv.out" || fail "threads=$th: --stdout output also on the hypervisor's stdout"
	[ ! -s "$T/hv.err" ] || fail "threads=$th: messages: $(cat "$T/hv.err")"
	echo "ok: threads=$th: 2 bare-metal VMs + 2 wasm programs, outputs as cairn run's ($ms ms)"
done

# the program's stdout and stderr are the hypervisor's by default
"$CAIRN" hv --wasm "--name s $WASI_OUT/basics.wasm stderr" >"$T/s.out" 2>"$T/s.err" </dev/null || fail "basics stderr"
grep -qx "to stdout" "$T/s.out" && grep -qx "to stderr" "$T/s.err" || fail "stdout/stderr not the hypervisor's"

# exit statuses: the last to end gives cairn hv's
"$CAIRN" hv --threads 2 --vm "-M virt -bios none -kernel $B/tests/riscv/t_c_program.elf -serial null" \
	--wasm "--name late $SPIN 2 4000000 5 300" >"$T/x.out" 2>"$T/x.err" </dev/null
rc=$?
[ $rc -eq 5 ] || fail "a program exiting 5 last: cairn hv exit $rc"
"$CAIRN" hv --wasm "--name t $WASI_OUT/trap.wasm unreachable" >"$T/t.out" 2>"$T/t.err" </dev/null
rc=$?
[ $rc -eq 134 ] || fail "a trapping program: cairn hv exit $rc"
grep -q "level3: unreachable" "$T/t.out" || fail "the trapping program's output"
grep -q "^cairn: hv: wasm 't': wasm trap: unreachable" "$T/t.err" || fail "no trap message"
grep -q "level3" "$T/t.err" || fail "no backtrace"
"$CAIRN" hv --wasm "--name late --timeout 200ms $SPIN 1000 100000000" >"$T/to.out" 2>"$T/to.err" </dev/null
rc=$?
[ $rc -eq 134 ] && grep -q "wasm 'late': wasm trap: interrupted (--timeout reached)" "$T/to.err" || fail "--timeout: exit $rc"

# a bad --wasm stops everything before it starts, naming it
"$CAIRN" hv --vm "-M virt -bios none -kernel $B/tests/riscv/t_c_program.elf -serial file:$T/n.log" \
	--wasm "--bogus $SPIN" >"$T/bad.out" 2>"$T/bad.err" </dev/null
rc=$?
[ $rc -eq 1 ] && grep -q "VM 2 (--wasm \"--bogus" "$T/bad.err" && [ ! -s "$T/n.log" ] || fail "bad --wasm: exit $rc"
"$CAIRN" hv --wasm "--dir $T/nonexistent $SPIN 1 1" >"$T/bad.out" 2>"$T/bad.err" </dev/null
[ $? -eq 1 ] && grep -q "cannot open directory" "$T/bad.err" || fail "a missing --dir"
"$CAIRN" hv --wasm "--name x $SPIN 1 1" --wasm "--name x $SPIN 1 1" >"$T/bad.out" 2>"$T/bad.err" </dev/null
[ $? -eq 1 ] && grep -q "exists already" "$T/bad.err" || fail "a duplicate name"
echo "ok: exit statuses (proc_exit, trap, --timeout), stdio, bad --wasm refused"
