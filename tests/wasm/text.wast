;; text.wast - cairn's own .wat encoder tests: malformed fields whose lists
;; are empty (an empty list has no items array: under clang's UBSan, taking
;; its first item's address was "applying zero offset to null pointer").

(assert_malformed (module quote "(import \"a\" \"b\" ())") "unexpected token")
(assert_malformed (module quote "(import \"a\" \"b\" () )" "(func)") "unexpected token")
(assert_malformed (module quote "(export \"a\" ())") "unexpected token")
(assert_malformed (module quote "(export \"a\" () ())") "unexpected token")
(assert_malformed (module quote "(func ())") "unexpected token")
(assert_malformed (module quote "()") "unexpected token")

;; no imports, no fields at all, and one import of each kind
(module)
(module $empty)
(module
  (import "spectest" "print_i32" (func (param i32)))
  (import "spectest" "global_i32" (global i32))
  (import "spectest" "table" (table 10 funcref))
  (import "spectest" "memory" (memory 1)))
