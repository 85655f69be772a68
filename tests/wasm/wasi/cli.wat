;; cli.wat - exports for cairn run's own options: --invoke with typed
;; arguments and results, --fuel and --timeout (a loop, a long sleep in
;; poll_oneoff, a read from stdin that never completes), --max-memory.
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "sub64") (param i64 i64) (result i64) (i64.sub (local.get 0) (local.get 1)))
  (func (export "halve") (param f64) (result f64) (f64.mul (local.get 0) (f64.const 0.5)))
  (func (export "third") (param f32) (result f32) (f32.div (local.get 0) (f32.const 3)))
  (func (export "pair") (param i32) (result i32 i64)
    (local.get 0) (i64.extend_i32_s (i32.mul (local.get 0) (i32.const -2))))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "spin") (loop (br 0)))
  (func $deep (export "deep") (call $deep))
  ;; one clock subscription of 60 s
  (func (export "nap") (result i32)
    (i64.store (i32.const 0) (i64.const 1))
    (i32.store8 (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.const 60000000000))
    (call $poll_oneoff (i32.const 0) (i32.const 100) (i32.const 1) (i32.const 200)))
  (func (export "readin") (result i32)
    (i32.store (i32.const 300) (i32.const 400))
    (i32.store (i32.const 304) (i32.const 16))
    (drop (call $fd_read (i32.const 0) (i32.const 300) (i32.const 1) (i32.const 308)))
    (i32.load (i32.const 308)))
)
