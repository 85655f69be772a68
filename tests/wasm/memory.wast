;; memory.wast - cairn's own tests of linear memory: accesses at the very end,
;; offset+address beyond 4 GiB (guard region or explicit check), growth that
;; keeps contents, and bulk operations that trap before writing.

(module
  (memory 1 3)
  (data (i32.const 0) "\01\02\03\04\05\06\07\08")
  (func (export "load") (param i32) (result i64) (i64.load (local.get 0)))
  (func (export "load-off") (param i32) (result i32) (i32.load8_u offset=0xffffffff (local.get 0)))
  (func (export "store16") (param i32 i32) (i32.store16 offset=2 (local.get 0) (local.get 1)))
  (func (export "load16") (param i32) (result i32) (i32.load16_s (local.get 0)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "v128.load") (param i32) (result v128) (v128.load (local.get 0)))
)
(assert_return (invoke "load" (i32.const 0)) (i64.const 0x0807060504030201))
(assert_return (invoke "load" (i32.const 65528)) (i64.const 0))
(assert_trap (invoke "load" (i32.const 65529)) "out of bounds memory access")
(assert_trap (invoke "load" (i32.const -1)) "out of bounds memory access")
(assert_trap (invoke "load-off" (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "load-off" (i32.const -1)) "out of bounds memory access")
(assert_return (invoke "store16" (i32.const 65532) (i32.const 0xfffe)))
(assert_return (invoke "load16" (i32.const 65534)) (i32.const -2))
(assert_trap (invoke "store16" (i32.const 65533) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "v128.load" (i32.const 65521)) "out of bounds memory access")
(assert_return (invoke "grow" (i32.const 1)) (i32.const 1))
(assert_return (invoke "load16" (i32.const 65534)) (i32.const -2))
(assert_return (invoke "load" (i32.const 131064)) (i64.const 0))
(assert_return (invoke "grow" (i32.const 2)) (i32.const -1))
(assert_return (invoke "grow" (i32.const 1)) (i32.const 2))
(assert_return (invoke "size") (i32.const 3))
(assert_trap (invoke "fill" (i32.const 196600) (i32.const 0xaa) (i32.const 100)) "out of bounds memory access")
(assert_return (invoke "load" (i32.const 196600)) (i64.const 0))
(assert_return (invoke "fill" (i32.const 8) (i32.const 0xaa) (i32.const 2)))
(assert_return (invoke "copy" (i32.const 9) (i32.const 0) (i32.const 4)))
(assert_return (invoke "load" (i32.const 8)) (i64.const 0x04030201aa))
(assert_return (invoke "v128.load" (i32.const 0)) (v128.const i64x2 0x0807060504030201 0x04030201aa))

;; A memory of size zero: every access traps.
(module
  (memory 0)
  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0))))
(assert_trap (invoke "load" (i32.const 0)) "out of bounds memory access")

;; A data segment out of bounds makes the module uninstantiable.
(assert_trap (module (memory 1) (data (i32.const 65535) "ab")) "out of bounds memory access")
