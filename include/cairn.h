/* cairn.h - what cairn's embedding API adds to the standard wasm.h: the
 * text format, error messages for failed compilations, fuel (a bound on
 * execution), v128 in reflected types, and WASI.  Link with libcairn
 * (`pkg-config --cflags --libs cairn`); docs/EMBEDDING.md has the details. */
#ifndef CAIRN_H
#define CAIRN_H

#include "wasm.h"

#ifdef __cplusplus
extern "C" {
#endif

#define own

#define CAIRN_VERSION "0.1.0"
WASM_API_EXTERN const char *cairn_version(void);

/* The value kind of v128 in types reflected from modules (wasm.h has no
 * v128 value: calls whose signature has one trap, such globals read as 0). */
enum { CAIRN_V128 = 4 };

/* The text format: a (module ...) form, or module fields without it, to
 * binary.  On failure returns false and, if error is not NULL, sets it to a
 * NUL-terminated message with the line number. */
WASM_API_EXTERN bool cairn_wat2wasm(const char *text, size_t len, own wasm_byte_vec_t *out,
				    own wasm_message_t *error);

/* wasm_module_new with the reason for a failure: the decoder's or the
 * validator's message and byte offset (NUL-terminated) in *error. */
WASM_API_EXTERN own wasm_module_t *cairn_module_new(wasm_store_t *, const wasm_byte_vec_t *binary,
						    own wasm_message_t *error);

/* wasm_global_set that tells whether it happened: false for a constant
 * global, a value of the wrong kind or a reference from another store. */
WASM_API_EXTERN bool cairn_global_set(wasm_global_t *, const wasm_val_t *);

/* Fuel: with fuel >= 0 every call and loop iteration in the store costs 1
 * and running out traps "fuel exhausted"; a negative value (the default)
 * means no limit.  get returns what is left (negative if unlimited). */
WASM_API_EXTERN void cairn_store_set_fuel(wasm_store_t *, int64_t fuel);
WASM_API_EXTERN int64_t cairn_store_get_fuel(const wasm_store_t *);

/* How deeply calls into wasm may nest in a store (host -> wasm -> host ->
 * wasm ...) before they trap "call stack exhausted": protects the host's C
 * stack, which each level uses about 1.5 KiB of.  Default 256. */
WASM_API_EXTERN void cairn_store_set_max_nesting(wasm_store_t *, uint32_t depth);

#undef own

#ifdef __cplusplus
}
#endif

#endif
