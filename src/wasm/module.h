/* module.h - a decoded WebAssembly module and the opcode table's metadata.
 * wa_decode() turns binary bytes into a wa_module (syntax only); wa_validate()
 * type-checks it per the spec appendix; both report the spec's messages. */
#ifndef CAIRN_WASM_MODULE_H
#define CAIRN_WASM_MODULE_H

#include "base/base.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Value types, by their binary encoding. */
enum {
	WA_I32 = 0x7f, WA_I64 = 0x7e, WA_F32 = 0x7d, WA_F64 = 0x7c, WA_V128 = 0x7b,
	WA_FUNCREF = 0x70, WA_EXTERNREF = 0x6f,
	WA_ANY = 0 /* validator: unknown type from an unreachable stack */
};
enum { WA_EXT_FUNC = 0, WA_EXT_TABLE = 1, WA_EXT_MEMORY = 2, WA_EXT_GLOBAL = 3 };

/* Immediate kinds of the opcode table. */
enum wa_imm {
	WA_IMM_NONE, WA_IMM_BLOCK, WA_IMM_LABEL, WA_IMM_BRTABLE, WA_IMM_FUNC, WA_IMM_CALLIND,
	WA_IMM_LOCAL, WA_IMM_GLOBAL, WA_IMM_TABLE, WA_IMM_MEM0, WA_IMM_I32, WA_IMM_I64,
	WA_IMM_F32, WA_IMM_F64, WA_IMM_SELT, WA_IMM_REFT, WA_IMM_TINIT, WA_IMM_TCOPY,
	WA_IMM_MINIT, WA_IMM_MCOPY, WA_IMM_DATA, WA_IMM_ELEM, WA_IMM_V128, WA_IMM_SHUF,
	WA_IMM_L16, WA_IMM_L8, WA_IMM_L4, WA_IMM_L2,
	WA_IMM_M0, WA_IMM_M1, WA_IMM_M2, WA_IMM_M3, WA_IMM_M4,
	WA_IMM_ML0, WA_IMM_ML1, WA_IMM_ML2, WA_IMM_ML3,
};

#include "wasm/opcodes.h"

enum wa_op {
#define X(name, pfx, code, text, imm, shape, expr) WA_OP_##name,
	WA_OPCODES(X)
#undef X
	WA_NOPS
};

typedef struct wa_opinfo {
	uint8_t prefix, imm;
	uint16_t code;
	const char *name;
	const char *sig; /* "ii:i"; NULL for hand-treated instructions */
} wa_opinfo;
extern const wa_opinfo wa_ops[WA_NOPS];
/* Opcode lookup: returns WA_NOPS when unknown. */
int wa_op_lookup(int prefix, uint32_t code);
int wa_op_by_name(const char *name, size_t len);
static inline int wa_imm_memalign(int imm) /* natural alignment log2, or -1 */
{
	if (imm >= WA_IMM_M0 && imm <= WA_IMM_M4) return imm - WA_IMM_M0;
	if (imm >= WA_IMM_ML0 && imm <= WA_IMM_ML3) return imm - WA_IMM_ML0;
	return -1;
}
static inline int wa_imm_lanes(int imm) /* lane count bound, or 0 */
{
	switch (imm) {
	case WA_IMM_L16: case WA_IMM_ML0: return 16;
	case WA_IMM_L8: case WA_IMM_ML1: return 8;
	case WA_IMM_L4: case WA_IMM_ML2: return 4;
	case WA_IMM_L2: case WA_IMM_ML3: return 2;
	default: return 0;
	}
}

/* Error report: the spec's message text and the byte offset. */
typedef struct wa_err {
	char msg[200];
	size_t offset;
} wa_err;
int wa_fail(wa_err *e, size_t off, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

typedef struct wa_functype {
	uint32_t nparams, nresults;
	uint8_t *types;       /* params then results */
	uint32_t param_slots, result_slots; /* 8-byte slots: v128 takes two */
	uint64_t hash;
} wa_functype;
static inline const uint8_t *wa_ft_results(const wa_functype *t) { return t->types + t->nparams; }
bool wa_functype_eq(const wa_functype *a, const wa_functype *b);
void wa_functype_init(wa_functype *t); /* slots and hash from types/nparams/nresults */
static inline int wa_slots(uint8_t t) { return t == WA_V128 ? 2 : 1; }

typedef struct wa_limits {
	uint64_t min, max;
	bool has_max;
} wa_limits;
typedef struct wa_tabletype {
	uint8_t elem;
	wa_limits lim;
} wa_tabletype;
typedef struct wa_globaltype {
	uint8_t type, mut;
} wa_globaltype;

/* A constant expression of 2.0: one instruction and end. */
typedef struct wa_const {
	uint16_t op;      /* WA_OP_I32_CONST ... WA_OP_GLOBAL_GET, REF_NULL, REF_FUNC */
	uint32_t idx;     /* global or function index */
	uint64_t v[2];
} wa_const;

typedef struct wa_import {
	char *module, *name;
	uint32_t mlen, nlen;
	uint8_t kind;
	uint32_t type;          /* function type index */
	wa_tabletype table;
	wa_limits mem;
	wa_globaltype global;
} wa_import;

typedef struct wa_export {
	char *name;
	uint32_t len;
	uint8_t kind;
	uint32_t idx;
} wa_export;

enum { WA_SEG_ACTIVE, WA_SEG_PASSIVE, WA_SEG_DECLARATIVE };
typedef struct wa_elem {
	uint8_t mode, type;
	uint32_t table;
	wa_const offset;
	uint32_t count;
	wa_const *init;
} wa_elem;
typedef struct wa_data {
	uint8_t mode;
	uint32_t mem;
	wa_const offset;
	const uint8_t *bytes;
	uint32_t len;
} wa_data;

struct wa_code;
typedef struct wa_funcdef {
	uint32_t type;
	uint32_t nlocals;       /* declared locals, not params */
	uint8_t *locals;
	const uint8_t *body, *end; /* instructions, end points past the final 0x0b */
	const uint8_t *start;   /* the code entry after its size: locals, then body */
	struct wa_code *code;   /* compiled */
} wa_funcdef;

typedef struct wa_custom {
	char *name;
	const uint8_t *data;
	uint32_t len;
} wa_custom;

typedef struct wa_module {
	uint8_t *bytes;
	size_t len;
	wa_functype *types;
	uint32_t ntypes;
	wa_import *imports;
	uint32_t nimports;
	uint32_t *func_types;   /* type index of every function, imports first */
	uint32_t nfuncs, nfunc_imports;
	wa_funcdef *funcs;      /* defined functions: funcs[i - nfunc_imports] */
	wa_tabletype *tables;
	uint32_t ntables, ntable_imports;
	wa_limits *mems;
	uint32_t nmems, nmem_imports;
	wa_globaltype *globals;
	wa_const *global_init;  /* for defined globals */
	uint32_t nglobals, nglobal_imports;
	wa_export *exports;
	uint32_t nexports;
	bool has_start;
	uint32_t start;
	wa_elem *elems;
	uint32_t nelems;
	wa_data *datas;
	uint32_t ndatas;
	bool has_datacount;
	uint32_t datacount;
	uint8_t *declared_refs; /* per function: may be named by ref.func */
	char **func_names;      /* from the name section, may be NULL */
	uint32_t nfunc_names;   /* entries in func_names */
	wa_custom *customs;
	uint32_t ncustoms;
} wa_module;

/* Decode (copies the bytes).  On failure *out is NULL and e says why. */
int wa_decode(const uint8_t *bytes, size_t len, wa_module **out, wa_err *e) MUST_CHECK;
int wa_validate(wa_module *m, wa_err *e) MUST_CHECK;
void wa_module_free(wa_module *m);
const char *wa_func_name(const wa_module *m, uint32_t idx);

/* The value type of a letter in opcodes.h's type signatures (i l f d, else v128). */
static inline uint8_t wa_letter_type(char ch)
{
	switch (ch) {
	case 'i': return WA_I32;
	case 'l': return WA_I64;
	case 'f': return WA_F32;
	case 'd': return WA_F64;
	default: return WA_V128;
	}
}

#endif
