;; binary.wast - cairn's own decoder tests: padded LEB128 (as clang-19 and
;; wasm-ld emit them), over-long and over-large integers, section errors.

;; call_indirect with padded type and table indices, i32.const padded.
(module binary
  "\00asm\01\00\00\00"
  "\01\05\01\60\00\01\7f"                   ;; type 0: [] -> [i32]
  "\03\03\02\00\00"                         ;; two functions of type 0
  "\04\04\01\70\00\01"                      ;; table: funcref min 1
  "\07\05\01\01\66\00\01"                   ;; export "f" = func 1
  "\09\07\01\00\41\00\0b\01\00"             ;; elem: table[0] = func 0
  "\0a\1a\02"
  "\08\00\41\ab\80\80\80\00\0b"             ;; func 0: i32.const 43 (padded)
  "\0f\00\41\00\11\80\80\80\80\00\80\80\80\80\00\0b" ;; func 1: call_indirect padded
)
(assert_return (invoke "f") (i32.const 43))

(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\05\01\60\00\01\7f" "\03\02\01\00"
    "\0a\0b\01\09\00\41\80\80\80\80\80\00\0b")
  "integer representation too long")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\05\01\60\00\01\7f" "\03\02\01\00"
    "\0a\0a\01\08\00\41\80\80\80\80\70\0b")
  "integer too large")
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_malformed (module binary "\00asn\01\00\00\00") "magic header not detected")
(assert_malformed (module binary "\00asm\01\00\00\00" "\0e\00") "malformed section id")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\01\00\00") "section size mismatch")
(assert_malformed (module binary "\00asm\01\00\00\00" "\03\02\01\00") "function and code section have inconsistent lengths")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00"
  "\0a\05\01\03\00\fc\09") "unexpected end")

;; A name section before the function section (custom sections go anywhere).
(module binary
  "\00asm\01\00\00\00"
  "\00\0b\04name\01\04\01\00\01f"
  "\01\04\01\60\00\00"
  "\03\02\01\00"
  "\07\05\01\01f\00\00"
  "\0a\04\01\02\00\0b"
)
(assert_return (invoke "f"))
