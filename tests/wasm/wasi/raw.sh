#!/bin/sh
# raw.sh - WASI called from hand-written .wat: the rarely used calls
# (rare.wat), hostile arguments (hostile.wat: bad pointers, huge lengths,
# bad fds, whence and flags), and modules WASI cannot serve.  Needs no
# compiler: cairn run reads the text format itself.
. tests/wasm/wasi/lib.sh

for env in "" CAIRN_WASI_NO_OPENAT2=1; do
	rm -rf "$T/d"
	mkdir "$T/d"
	env $env "$CAIRN" run --dir "$T/d::/d" $W/rare.wat >"$OUT" 2>"$ERR" </dev/null || fail "rare.wat: check $? failed ($env)"
	[ "$(cat "$OUT")" = "rare: all ok" ] || fail "rare.wat output"
	[ -z "$(ls "$T/d")" ] || fail "rare.wat left $(ls "$T/d")"
done

mkdir -p "$T/h"
"$CAIRN" run --dir "$T/h::/h" $W/hostile.wat >"$OUT" 2>"$ERR" </dev/null || fail "hostile.wat: check $? failed"
[ "$(cat "$OUT")" = "hostile: all ok" ] || fail "hostile.wat wrote more than its last line"
[ ! -s "$ERR" ] || fail "hostile.wat: stderr not empty"
[ -z "$(ls "$T/h")" ] || fail "hostile.wat created $(ls "$T/h")"

# modules WASI cannot serve: clear errors, status 1; a call without memory traps
printf '(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32) (result i32))))' >"$T/sig.wat"
run 1 "$T/sig.wat" </dev/null
has_err "incompatible import type: wasi_snapshot_preview1.fd_write"
printf '(module (import "env" "foo" (func)))' >"$T/unk.wat"
run 1 "$T/unk.wat" </dev/null
has_err "unknown import: env.foo"
printf '(module (import "wasi_snapshot_preview1" "no_such_call" (func)))' >"$T/unk2.wat"
run 1 "$T/unk2.wat" </dev/null
has_err "unknown import: wasi_snapshot_preview1.no_such_call"
printf '(module (import "wasi_snapshot_preview1" "memory" (memory 1)))' >"$T/mem.wat"
run 1 "$T/mem.wat" </dev/null
has_err "unknown import"
cat >"$T/nomem.wat" <<'EOT'
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (func (export "_start") (drop (call $w (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))))
EOT
run 134 "$T/nomem.wat" </dev/null
has_err "wasm trap: WASI call without an exported memory"
# proc_exit from a start function (before cairn binds the memory)
cat >"$T/start.wat" <<'EOT'
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sz (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func $start (drop (call $sz (i32.const 0) (i32.const 4))) (call $exit (i32.load (i32.const 0))))
  (start $start))
EOT
run 3 "$T/start.wat" a b </dev/null
echo "raw: ok"
