/* text.h - the WebAssembly text format: S-expression reader (sexpr.c),
 * literal parsers, and the .wat encoder (wat.c) that turns a (module ...)
 * into binary bytes, which then take the ordinary decode/validate path. */
#ifndef CAIRN_WASM_TEXT_H
#define CAIRN_WASM_TEXT_H

#include "wasm/module.h"

enum { WA_SX_LIST, WA_SX_ATOM, WA_SX_STR };
typedef struct wa_sx {
	uint8_t kind;
	uint32_t n;             /* items in a list, bytes in an atom or string */
	uint32_t line;
	union {
		struct wa_sx *items;
		const char *atom;   /* points into the source */
		uint8_t *str;       /* decoded string bytes (owned) */
	};
} wa_sx;

/* Parse src into a list node holding every top-level form. */
int wa_sx_parse(const char *src, size_t len, wa_sx *out, wa_err *e) MUST_CHECK;
void wa_sx_free(wa_sx *x);
bool wa_sx_is(const wa_sx *x, const char *atom);          /* atom equal to text */
bool wa_sx_head(const wa_sx *x, const char *kw);          /* list starting with kw */

/* Literals (underscores, hex, nan:0x..., inf).  0 or -1. */
int wa_lit_i32(const wa_sx *x, uint32_t *v);
int wa_lit_i64(const wa_sx *x, uint64_t *v);
int wa_lit_f32(const wa_sx *x, uint32_t *bits);
int wa_lit_f64(const wa_sx *x, uint64_t *bits);
int wa_lit_u32(const wa_sx *x, uint32_t *v);              /* plain unsigned index/number */

/* Encode a (module ...) form (text, binary or quote) to binary. */
int wa_wat_encode(const wa_sx *module, uint8_t **out, size_t *len, wa_err *e) MUST_CHECK;
/* Text to binary: src holds one (module ...) form (text, binary or quote) or
 * module fields alone (as wasmtime's wat parser takes them; no text at all
 * is the empty module).  0 with *bin malloc'ed (the caller frees it), or an
 * error in e whose offset is the line. */
int wa_wat_to_wasm(const char *src, size_t len, uint8_t **bin, size_t *blen, wa_err *e) MUST_CHECK;
/* Encode v128.const-style lanes: shape atom then lanes at items[0..]. */
int wa_lit_v128(const wa_sx *shape, const wa_sx *lanes, uint32_t n, uint8_t out[16]);

#endif
