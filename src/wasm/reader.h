/* reader.h - bounds-checked readers of the WebAssembly binary format and the
 * one instruction reader (immediates per the opcode table) shared by the
 * decoder, validator and compiler. */
#ifndef CAIRN_WASM_READER_H
#define CAIRN_WASM_READER_H

#include "wasm/module.h"

typedef struct wa_reader {
	const uint8_t *p, *end, *base; /* base: offset 0 of the module */
	wa_err *e;
	const char *eof_msg;           /* message when reading past end */
} wa_reader;

static inline size_t rd_off(const wa_reader *r) { return (size_t)(r->p - r->base); }
int rd_u8(wa_reader *r, uint8_t *v) MUST_CHECK;
int rd_u32(wa_reader *r, uint32_t *v) MUST_CHECK;
int rd_s32(wa_reader *r, int32_t *v) MUST_CHECK;
int rd_s33(wa_reader *r, int64_t *v) MUST_CHECK;
int rd_s64(wa_reader *r, int64_t *v) MUST_CHECK;
int rd_bytes(wa_reader *r, size_t n, const uint8_t **v) MUST_CHECK;

enum { WA_BT_EMPTY, WA_BT_VAL, WA_BT_TYPE };
typedef struct wa_instr {
	uint16_t op;
	uint8_t bt_kind;        /* block type */
	uint32_t a, b;          /* first and second index immediate, lane */
	uint32_t align;
	uint32_t offset;        /* memarg */
	uint64_t v[2];          /* constants, v128 and shuffle lanes */
	const uint8_t *brt;     /* br_table: first LEB target, a = count */
	size_t pos;             /* offset of the opcode */
} wa_instr;
int wa_read_instr(wa_reader *r, wa_instr *in) MUST_CHECK;

#endif
