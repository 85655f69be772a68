/* decode.c - the WebAssembly 2.0 binary decoder: bounds-checked LEB128 and
 * section readers producing a wa_module.  Every malformed input is rejected
 * with the spec test suite's message and its byte offset. */
#include "wasm/reader.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

const wa_opinfo wa_ops[WA_NOPS] = {
#define SIG_SP NULL
#define X(name, pfx, code, text, imm, shape, expr) { pfx, WA_IMM_##imm, code, text, SIG_##shape },
#define SIG_i_i "i:i"
#define SIG_ii_i "ii:i"
#define SIG_l_i "l:i"
#define SIG_ll_i "ll:i"
#define SIG_ff_i "ff:i"
#define SIG_dd_i "dd:i"
#define SIG_l_l "l:l"
#define SIG_ll_l "ll:l"
#define SIG_f_f "f:f"
#define SIG_ff_f "ff:f"
#define SIG_d_d "d:d"
#define SIG_dd_d "dd:d"
#define SIG_f_i "f:i"
#define SIG_d_i "d:i"
#define SIG_i_l "i:l"
#define SIG_f_l "f:l"
#define SIG_d_l "d:l"
#define SIG_i_f "i:f"
#define SIG_l_f "l:f"
#define SIG_d_f "d:f"
#define SIG_i_d "i:d"
#define SIG_l_d "l:d"
#define SIG_f_d "f:d"
#define SIG_Li "i:i"
#define SIG_Ll "i:l"
#define SIG_Lf "i:f"
#define SIG_Ld "i:d"
#define SIG_Lv "i:v"
#define SIG_LLv "iv:v"
#define SIG_Si "ii:"
#define SIG_Sl "il:"
#define SIG_Sf "if:"
#define SIG_Sd "id:"
#define SIG_Sv "iv:"
#define SIG_SLv "iv:"
#define SIG_v_v "v:v"
#define SIG_vv_v "vv:v"
#define SIG_vvv_v "vvv:v"
#define SIG_v_i "v:i"
#define SIG_v_l "v:l"
#define SIG_v_f "v:f"
#define SIG_v_d "v:d"
#define SIG_i_v "i:v"
#define SIG_l_v "l:v"
#define SIG_f_v "f:v"
#define SIG_d_v "d:v"
#define SIG_vi_v "vi:v"
#define SIG_vl_v "vl:v"
#define SIG_vf_v "vf:v"
#define SIG_vd_v "vd:v"
	WA_OPCODES(X)
#undef X
};

static uint16_t op_plain[256], op_fc[32], op_fd[256];
static void op_tables_fill(void)
{
	for (int i = 0; i < 256; i++)
		op_plain[i] = op_fd[i] = WA_NOPS;
	for (int i = 0; i < 32; i++)
		op_fc[i] = WA_NOPS;
	for (int i = 0; i < WA_NOPS; i++) {
		const wa_opinfo *o = &wa_ops[i];
		if (i == WA_OP_SELECT_T && o->prefix == 0) {
			op_plain[0x1c] = (uint16_t)i;
			continue;
		}
		if (o->prefix == 0)
			op_plain[o->code] = (uint16_t)i;
		else if (o->prefix == 0xfc)
			op_fc[o->code] = (uint16_t)i;
		else
			op_fd[o->code] = (uint16_t)i;
	}
}

/* Once per process: modules may be decoded on several threads. */
static atomic_bool op_tables_ready;
static void op_tables_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	if (likely(atomic_load_explicit(&op_tables_ready, memory_order_acquire)))
		return;
	pthread_once(&once, op_tables_fill);
	atomic_store_explicit(&op_tables_ready, true, memory_order_release);
}

int wa_op_lookup(int prefix, uint32_t code)
{
	op_tables_init();
	if (prefix == 0)
		return code < 256 ? op_plain[code] : WA_NOPS;
	if (prefix == 0xfc)
		return code < 32 ? op_fc[code] : WA_NOPS;
	return code < 256 ? op_fd[code] : WA_NOPS;
}

int wa_op_by_name(const char *name, size_t len)
{
	for (int i = 0; i < WA_NOPS; i++)
		if (strlen(wa_ops[i].name) == len && !memcmp(wa_ops[i].name, name, len))
			return i;
	return WA_NOPS;
}

int wa_fail(wa_err *e, size_t off, int code, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
		e->offset = off;
	}
	return -code;
}

static int rd_eof(wa_reader *r)
{
	return wa_fail(r->e, rd_off(r), ERR_FORMAT, "%s", r->eof_msg ? r->eof_msg : "unexpected end");
}

int rd_u8(wa_reader *r, uint8_t *v)
{
	if (r->p >= r->end) {
		*v = 0;
		return rd_eof(r);
	}
	*v = *r->p++;
	return 0;
}

int rd_bytes(wa_reader *r, size_t n, const uint8_t **v)
{
	*v = r->p;
	if ((size_t)(r->end - r->p) < n)
		return rd_eof(r);
	r->p += n;
	return 0;
}

/* LEB128 of at most ceil(bits/7) bytes; the unused bits of the last byte must
 * be zero (unsigned) or the sign extension (signed). */
static int rd_leb(wa_reader *r, int bits, bool sign, uint64_t *out)
{
	uint64_t v = 0;
	int shift = 0, maxlen = (bits + 6) / 7;
	*out = 0;
	for (int i = 0;; i++) {
		uint8_t b;
		if (r->p >= r->end)
			return rd_eof(r);
		b = *r->p++;
		if (i == maxlen - 1) {
			int used = bits - shift; /* bits this byte may carry */
			if (b & 0x80)
				return wa_fail(r->e, rd_off(r) - 1, ERR_FORMAT, "integer representation too long");
			if (!sign && used < 7 && (b >> used))
				return wa_fail(r->e, rd_off(r) - 1, ERR_FORMAT, "integer too large");
			if (sign && used < 7) {
				uint8_t rest = (uint8_t)(b >> (used - 1)); /* sign bit and above */
				uint8_t all = (uint8_t)((1u << (8 - used)) - 1);
				if (rest != 0 && rest != all)
					return wa_fail(r->e, rd_off(r) - 1, ERR_FORMAT, "integer too large");
			}
		}
		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80)) {
			if (sign && shift < 64 && (b & 0x40))
				v |= ~0ull << shift;
			break;
		}
	}
	*out = v;
	return 0;
}

int rd_u32(wa_reader *r, uint32_t *v)
{
	uint64_t x;
	int err = rd_leb(r, 32, false, &x);
	*v = (uint32_t)x;
	return err;
}

int rd_s32(wa_reader *r, int32_t *v)
{
	uint64_t x;
	int err = rd_leb(r, 32, true, &x);
	*v = (int32_t)x;
	return err;
}

int rd_s33(wa_reader *r, int64_t *v)
{
	uint64_t x;
	int err = rd_leb(r, 33, true, &x);
	*v = (int64_t)x;
	return err;
}

int rd_s64(wa_reader *r, int64_t *v)
{
	uint64_t x;
	int err = rd_leb(r, 64, true, &x);
	*v = (int64_t)x;
	return err;
}

#define TRY(x) do { int err_ = (x); if (err_) return err_; } while (0)

static int rd_memarg(wa_reader *r, wa_instr *in)
{
	TRY(rd_u32(r, &in->align));
	return rd_u32(r, &in->offset);
}

static int rd_zero(wa_reader *r)
{
	uint8_t b;
	TRY(rd_u8(r, &b));
	if (b)
		return wa_fail(r->e, rd_off(r) - 1, ERR_FORMAT, "zero byte expected");
	return 0;
}

static int rd_blocktype(wa_reader *r, wa_instr *in)
{
	int64_t v;
	if (r->p < r->end && *r->p == 0x40) {
		r->p++;
		in->bt_kind = WA_BT_EMPTY;
		return 0;
	}
	TRY(rd_s33(r, &v));
	if (v < 0) {
		in->bt_kind = WA_BT_VAL;
		in->a = (uint32_t)(v & 0x7f);
		if (v < -64 || (in->a != WA_I32 && in->a != WA_I64 && in->a != WA_F32 && in->a != WA_F64 &&
				in->a != WA_V128 && in->a != WA_FUNCREF && in->a != WA_EXTERNREF))
			return wa_fail(r->e, in->pos, ERR_FORMAT, "malformed value type");
		return 0;
	}
	in->bt_kind = WA_BT_TYPE;
	in->a = (uint32_t)v;
	return 0;
}

static int rd_opcode(wa_reader *r, wa_instr *in)
{
	uint8_t b;
	uint32_t sub;
	int op;
	TRY(rd_u8(r, &b));
	if (b == 0xfc || b == 0xfd) {
		TRY(rd_u32(r, &sub));
		op = wa_op_lookup(b, sub);
	} else {
		op = wa_op_lookup(0, b);
	}
	if (op == WA_NOPS)
		return wa_fail(r->e, in->pos, ERR_FORMAT, "illegal opcode");
	in->op = (uint16_t)op;
	return 0;
}

static int rd_imm(wa_reader *r, wa_instr *in, int imm)
{
	const uint8_t *p;
	int32_t s32;
	int64_t s64;
	switch (imm) {
	case WA_IMM_NONE: return 0;
	case WA_IMM_BLOCK: return rd_blocktype(r, in);
	case WA_IMM_LABEL: case WA_IMM_FUNC: case WA_IMM_LOCAL: case WA_IMM_GLOBAL:
	case WA_IMM_TABLE: case WA_IMM_DATA: case WA_IMM_ELEM:
		return rd_u32(r, &in->a);
	case WA_IMM_BRTABLE:
		TRY(rd_u32(r, &in->a));
		in->brt = r->p;
		for (uint32_t i = 0; i <= in->a; i++)
			TRY(rd_u32(r, &in->b));
		return 0; /* b = default label */
	case WA_IMM_CALLIND: case WA_IMM_TINIT: case WA_IMM_TCOPY:
		TRY(rd_u32(r, &in->a));
		return rd_u32(r, &in->b);
	case WA_IMM_MEM0: return rd_zero(r);
	case WA_IMM_MINIT: TRY(rd_u32(r, &in->a)); return rd_zero(r);
	case WA_IMM_MCOPY: TRY(rd_zero(r)); return rd_zero(r);
	case WA_IMM_I32: TRY(rd_s32(r, &s32)); in->v[0] = (uint32_t)s32; return 0;
	case WA_IMM_I64: TRY(rd_s64(r, &s64)); in->v[0] = (uint64_t)s64; return 0;
	case WA_IMM_F32: TRY(rd_bytes(r, 4, &p)); in->v[0] = ld_le32(p); return 0;
	case WA_IMM_F64: TRY(rd_bytes(r, 8, &p)); in->v[0] = ld_le64(p); return 0;
	case WA_IMM_V128: case WA_IMM_SHUF:
		TRY(rd_bytes(r, 16, &p));
		memcpy(in->v, p, 16);
		return 0;
	case WA_IMM_SELT:
		TRY(rd_u32(r, &in->a));
		for (uint32_t i = 0; i < in->a; i++) {
			uint8_t t;
			TRY(rd_u8(r, &t));
			in->b = t;
		}
		return 0;
	case WA_IMM_REFT: {
		uint8_t t;
		TRY(rd_u8(r, &t));
		if (t != WA_FUNCREF && t != WA_EXTERNREF)
			return wa_fail(r->e, rd_off(r) - 1, ERR_FORMAT, "malformed reference type");
		in->a = t;
		return 0;
	}
	case WA_IMM_L16: case WA_IMM_L8: case WA_IMM_L4: case WA_IMM_L2: {
		uint8_t l;
		TRY(rd_u8(r, &l));
		in->a = l;
		return 0;
	}
	default:
		TRY(rd_memarg(r, in));
		if (imm >= WA_IMM_ML0) {
			uint8_t l;
			TRY(rd_u8(r, &l));
			in->a = l;
		}
		return 0;
	}
}

int wa_read_instr(wa_reader *r, wa_instr *in)
{
	in->pos = rd_off(r);
	TRY(rd_opcode(r, in));
	return rd_imm(r, in, wa_ops[in->op].imm);
}

/* ---- module structure ---- */

static int rd_valtype(wa_reader *r, uint8_t *t)
{
	TRY(rd_u8(r, t));
	switch (*t) {
	case WA_I32: case WA_I64: case WA_F32: case WA_F64: case WA_V128:
	case WA_FUNCREF: case WA_EXTERNREF:
		return 0;
	}
	return wa_fail(r->e, rd_off(r) - 1, ERR_FORMAT, "malformed value type");
}

static int rd_reftype(wa_reader *r, uint8_t *t)
{
	TRY(rd_u8(r, t));
	if (*t != WA_FUNCREF && *t != WA_EXTERNREF)
		return wa_fail(r->e, rd_off(r) - 1, ERR_FORMAT, "malformed reference type");
	return 0;
}

static int utf8_ok(const uint8_t *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint8_t c = s[i];
		int len;
		uint32_t cp;
		if (c < 0x80) { i++; continue; }
		if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
		else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
		else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
		else return 0;
		if (i + (size_t)len > n)
			return 0;
		for (int k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		i += (size_t)len;
	}
	return 1;
}

static int rd_name(wa_reader *r, char **out, uint32_t *lenp)
{
	uint32_t n;
	const uint8_t *p;
	TRY(rd_u32(r, &n));
	if ((size_t)(r->end - r->p) < n)
		return wa_fail(r->e, rd_off(r), ERR_FORMAT, "length out of bounds");
	TRY(rd_bytes(r, n, &p));
	if (!utf8_ok(p, n))
		return wa_fail(r->e, rd_off(r), ERR_FORMAT, "malformed UTF-8 encoding");
	*out = malloc(n + 1);
	if (!*out)
		return -ERR_NOMEM;
	memcpy(*out, p, n);
	(*out)[n] = 0;
	if (lenp)
		*lenp = n;
	return 0;
}

/* A vector count, sanity-checked against the bytes left (each item >= 1 byte). */
static int rd_count(wa_reader *r, uint32_t *n)
{
	TRY(rd_u32(r, n));
	if (*n > (size_t)(r->end - r->p))
		return wa_fail(r->e, rd_off(r), ERR_FORMAT, "%s", r->eof_msg ? r->eof_msg : "unexpected end");
	return 0;
}

static void *grow(void *p, uint32_t n, size_t sz)
{
	return realloc(p, (n ? n : 1) * sz);
}

/* Room for entry n of an array grown one entry at a time: the capacity is
 * implicitly the power of two at or above n, so a realloc happens only when
 * n is 0 or a power of two (one per doubling; under ASan each one copies). */
#define APPEND(arr, n) do { \
	if (!((n) & ((n) - 1))) { \
		void *q_ = realloc((arr), ((n) ? 2 * (size_t)(n) : 1) * sizeof *(arr)); \
		if (!q_) \
			return -ERR_NOMEM; \
		(arr) = q_; \
	} \
} while (0)

static int rd_limits(wa_reader *r, wa_limits *l)
{
	uint8_t flag;
	uint32_t v;
	TRY(rd_u8(r, &flag));
	if (flag > 1)
		return wa_fail(r->e, rd_off(r) - 1, ERR_FORMAT, "integer too large");
	TRY(rd_u32(r, &v));
	l->min = v;
	l->has_max = flag == 1;
	l->max = 0;
	if (l->has_max) {
		TRY(rd_u32(r, &v));
		l->max = v;
	}
	return 0;
}

static int rd_tabletype(wa_reader *r, wa_tabletype *t)
{
	TRY(rd_reftype(r, &t->elem));
	return rd_limits(r, &t->lim);
}

static int rd_globaltype(wa_reader *r, wa_globaltype *g)
{
	TRY(rd_valtype(r, &g->type));
	TRY(rd_u8(r, &g->mut));
	if (g->mut > 1)
		return wa_fail(r->e, rd_off(r) - 1, ERR_FORMAT, "malformed mutability");
	return 0;
}

static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

bool wa_functype_eq(const wa_functype *a, const wa_functype *b)
{
	return a == b || (a->hash == b->hash && a->nparams == b->nparams && a->nresults == b->nresults &&
			  !memcmp(a->types, b->types, a->nparams + a->nresults));
}

void wa_functype_init(wa_functype *t)
{
	uint32_t np = t->nparams, nr = t->nresults;
	t->param_slots = t->result_slots = 0;
	for (uint32_t i = 0; i < np; i++)
		t->param_slots += (uint32_t)wa_slots(t->types[i]);
	for (uint32_t i = 0; i < nr; i++)
		t->result_slots += (uint32_t)wa_slots(t->types[np + i]);
	t->hash = hash_bytes(t->types, np + nr) ^ np;
}

static int rd_functype(wa_reader *r, wa_functype *t)
{
	uint8_t form;
	uint32_t np, nr;
	TRY(rd_u8(r, &form));
	if (form != 0x60)
		return wa_fail(r->e, rd_off(r) - 1, ERR_FORMAT, "integer representation too long");
	TRY(rd_count(r, &np));
	t->types = malloc(np + 1);
	if (!t->types)
		return -ERR_NOMEM;
	for (uint32_t i = 0; i < np; i++)
		TRY(rd_valtype(r, &t->types[i]));
	TRY(rd_count(r, &nr));
	t->types = realloc(t->types, np + nr + 1);
	for (uint32_t i = 0; i < nr; i++)
		TRY(rd_valtype(r, &t->types[np + i]));
	t->nparams = np;
	t->nresults = nr;
	wa_functype_init(t);
	return 0;
}

static int sec_type(wa_reader *r, wa_module *m)
{
	uint32_t n;
	TRY(rd_count(r, &n));
	m->types = calloc(n + 1, sizeof *m->types);
	if (!m->types)
		return -ERR_NOMEM;
	m->ntypes = n;
	for (uint32_t i = 0; i < m->ntypes; i++)
		TRY(rd_functype(r, &m->types[i]));
	return 0;
}

static int rd_import(wa_reader *r, wa_module *m, wa_import *im)
{
	TRY(rd_name(r, &im->module, &im->mlen));
	TRY(rd_name(r, &im->name, &im->nlen));
	TRY(rd_u8(r, &im->kind));
	switch (im->kind) {
	case WA_EXT_FUNC:
		TRY(rd_u32(r, &im->type));
		APPEND(m->func_types, m->nfuncs);
		m->func_types[m->nfuncs++] = im->type;
		m->nfunc_imports++;
		return 0;
	case WA_EXT_TABLE:
		TRY(rd_tabletype(r, &im->table));
		APPEND(m->tables, m->ntables);
		m->tables[m->ntables++] = im->table;
		m->ntable_imports++;
		return 0;
	case WA_EXT_MEMORY:
		TRY(rd_limits(r, &im->mem));
		APPEND(m->mems, m->nmems);
		m->mems[m->nmems++] = im->mem;
		m->nmem_imports++;
		return 0;
	case WA_EXT_GLOBAL:
		TRY(rd_globaltype(r, &im->global));
		APPEND(m->globals, m->nglobals);
		m->globals[m->nglobals++] = im->global;
		m->nglobal_imports++;
		return 0;
	}
	return wa_fail(r->e, rd_off(r) - 1, ERR_FORMAT, "malformed import kind");
}

static int sec_import(wa_reader *r, wa_module *m)
{
	uint32_t n;
	TRY(rd_count(r, &n));
	m->imports = calloc(n + 1, sizeof *m->imports);
	if (!m->imports)
		return -ERR_NOMEM;
	m->nimports = n;
	for (uint32_t i = 0; i < m->nimports; i++)
		TRY(rd_import(r, m, &m->imports[i]));
	return 0;
}

static int sec_function(wa_reader *r, wa_module *m)
{
	uint32_t n;
	TRY(rd_count(r, &n));
	m->func_types = grow(m->func_types, m->nfuncs + n, sizeof(uint32_t));
	m->funcs = calloc(n + 1, sizeof *m->funcs);
	for (uint32_t i = 0; i < n; i++) {
		TRY(rd_u32(r, &m->func_types[m->nfuncs + i]));
		m->funcs[i].type = m->func_types[m->nfuncs + i];
	}
	m->nfuncs += n;
	return 0;
}

static int sec_table(wa_reader *r, wa_module *m)
{
	uint32_t n;
	TRY(rd_count(r, &n));
	m->tables = grow(m->tables, m->ntables + n, sizeof *m->tables);
	for (uint32_t i = 0; i < n; i++)
		TRY(rd_tabletype(r, &m->tables[m->ntables++]));
	return 0;
}

static int sec_memory(wa_reader *r, wa_module *m)
{
	uint32_t n;
	TRY(rd_count(r, &n));
	m->mems = grow(m->mems, m->nmems + n, sizeof *m->mems);
	for (uint32_t i = 0; i < n; i++)
		TRY(rd_limits(r, &m->mems[m->nmems++]));
	return 0;
}

/* Constant expressions: decoded one instruction + end; anything else is kept
 * as an "unknown" op for the validator to reject. */
static int rd_const(wa_reader *r, wa_const *c)
{
	wa_instr in;
	int n = 0;
	bool nonconst = false;
	c->op = WA_NOPS;
	for (;;) {
		TRY(wa_read_instr(r, &in));
		if (in.op == WA_OP_END)
			break;
		n++;
		switch (in.op) {
		case WA_OP_I32_CONST: case WA_OP_I64_CONST: case WA_OP_F32_CONST: case WA_OP_F64_CONST:
		case WA_OP_V128_CONST: case WA_OP_REF_NULL: case WA_OP_REF_FUNC: case WA_OP_GLOBAL_GET:
			c->op = in.op;
			c->idx = in.a;
			c->v[0] = in.v[0];
			c->v[1] = in.v[1];
			break;
		default:
			nonconst = true;
		}
	}
	if (nonconst)
		c->op = (uint16_t)(WA_NOPS + 1); /* constant expression required */
	else if (n != 1)
		c->op = (uint16_t)(WA_NOPS + 2); /* type mismatch */
	return 0;
}

static int sec_global(wa_reader *r, wa_module *m)
{
	uint32_t n;
	TRY(rd_count(r, &n));
	m->globals = grow(m->globals, m->nglobals + n, sizeof *m->globals);
	m->global_init = calloc(n + 1, sizeof *m->global_init);
	for (uint32_t i = 0; i < n; i++) {
		TRY(rd_globaltype(r, &m->globals[m->nglobals + i]));
		TRY(rd_const(r, &m->global_init[i]));
	}
	m->nglobals += n;
	return 0;
}

static int sec_export(wa_reader *r, wa_module *m)
{
	uint32_t n;
	TRY(rd_count(r, &n));
	m->exports = calloc(n + 1, sizeof *m->exports);
	if (!m->exports)
		return -ERR_NOMEM;
	m->nexports = n;
	for (uint32_t i = 0; i < m->nexports; i++) {
		wa_export *x = &m->exports[i];
		TRY(rd_name(r, &x->name, &x->len));
		TRY(rd_u8(r, &x->kind));
		if (x->kind > WA_EXT_GLOBAL)
			return wa_fail(r->e, rd_off(r) - 1, ERR_FORMAT, "malformed export kind");
		TRY(rd_u32(r, &x->idx));
	}
	return 0;
}

static int sec_start(wa_reader *r, wa_module *m)
{
	m->has_start = true;
	return rd_u32(r, &m->start);
}

static int rd_elem(wa_reader *r, wa_elem *s)
{
	uint32_t flags;
	uint8_t kind;
	TRY(rd_u32(r, &flags));
	if (flags > 7)
		return wa_fail(r->e, rd_off(r) - 1, ERR_FORMAT, "malformed elements segment kind");
	s->mode = (flags & 1) ? ((flags & 2) ? WA_SEG_DECLARATIVE : WA_SEG_PASSIVE) : WA_SEG_ACTIVE;
	s->type = WA_FUNCREF;
	if (flags & 2 && !(flags & 1))
		TRY(rd_u32(r, &s->table));
	if (!(flags & 1))
		TRY(rd_const(r, &s->offset));
	if (flags & 4) {
		if (flags & 3)
			TRY(rd_reftype(r, &s->type));
	} else if (flags & 3) {
		TRY(rd_u8(r, &kind));
		if (kind != 0)
			return wa_fail(r->e, rd_off(r) - 1, ERR_FORMAT, "malformed element kind");
	}
	TRY(rd_count(r, &s->count));
	s->init = calloc(s->count + 1, sizeof *s->init);
	for (uint32_t i = 0; i < s->count; i++) {
		if (flags & 4) {
			TRY(rd_const(r, &s->init[i]));
		} else {
			s->init[i].op = WA_OP_REF_FUNC;
			TRY(rd_u32(r, &s->init[i].idx));
		}
	}
	return 0;
}

static int sec_elem(wa_reader *r, wa_module *m)
{
	uint32_t n;
	TRY(rd_count(r, &n));
	m->elems = calloc(n + 1, sizeof *m->elems);
	if (!m->elems)
		return -ERR_NOMEM;
	m->nelems = n;
	for (uint32_t i = 0; i < m->nelems; i++)
		TRY(rd_elem(r, &m->elems[i]));
	return 0;
}

static int sec_datacount(wa_reader *r, wa_module *m)
{
	m->has_datacount = true;
	return rd_u32(r, &m->datacount);
}

static int rd_func_body(wa_reader *r, wa_funcdef *f)
{
	uint32_t groups, total = 0;
	const uint8_t *save = r->p;
	f->start = save;
	TRY(rd_count(r, &groups));
	for (uint32_t g = 0; g < groups; g++) { /* first pass: count */
		uint32_t n;
		uint8_t t;
		TRY(rd_u32(r, &n));
		TRY(rd_valtype(r, &t));
		if ((uint64_t)total + n > 50000)
			return wa_fail(r->e, rd_off(r), ERR_FORMAT, "too many locals");
		total += n;
	}
	f->locals = malloc(total + 1);
	f->nlocals = total;
	r->p = save;
	TRY(rd_count(r, &groups));
	for (uint32_t g = 0, k = 0; g < groups; g++) {
		uint32_t n;
		uint8_t t;
		TRY(rd_u32(r, &n));
		TRY(rd_valtype(r, &t));
		memset(f->locals + k, t, n);
		k += n;
	}
	f->body = r->p;
	f->end = r->end;
	r->p = r->end;
	return 0;
}

/* Syntax of a body: every instruction decodes and the blocks nest. */
static int scan_body(wa_reader *r, wa_module *m)
{
	uint32_t depth = 1;
	wa_instr in;
	while (depth) {
		if (r->p >= r->end)
			return wa_fail(r->e, rd_off(r), ERR_FORMAT, "unexpected end of section or function");
		TRY(wa_read_instr(r, &in));
		if (in.op == WA_OP_BLOCK || in.op == WA_OP_LOOP || in.op == WA_OP_IF)
			depth++;
		else if (in.op == WA_OP_END)
			depth--;
		else if ((in.op == WA_OP_MEMORY_INIT || in.op == WA_OP_DATA_DROP) && !m->has_datacount)
			return wa_fail(r->e, in.pos, ERR_FORMAT, "data count section required");
	}
	if (r->p != r->end)
		return wa_fail(r->e, rd_off(r), ERR_FORMAT, "section size mismatch");
	return 0;
}

static int sec_code(wa_reader *r, wa_module *m)
{
	uint32_t n;
	TRY(rd_count(r, &n));
	if (n != m->nfuncs - m->nfunc_imports)
		return wa_fail(r->e, rd_off(r), ERR_FORMAT, "function and code section have inconsistent lengths");
	for (uint32_t i = 0; i < n; i++) {
		uint32_t size;
		wa_reader sub;
		TRY(rd_u32(r, &size));
		if ((size_t)(r->end - r->p) < size)
			return wa_fail(r->e, rd_off(r), ERR_FORMAT, "unexpected end of section or function");
		sub = *r;
		sub.end = r->p + size;
		sub.eof_msg = "unexpected end of section or function";
		TRY(rd_func_body(&sub, &m->funcs[i]));
		sub.p = m->funcs[i].body;
		TRY(scan_body(&sub, m));
		r->p += size;
	}
	return 0;
}

static int rd_data(wa_reader *r, wa_data *d)
{
	uint32_t flags;
	TRY(rd_u32(r, &flags));
	if (flags > 2)
		return wa_fail(r->e, rd_off(r) - 1, ERR_FORMAT, "malformed data segment kind");
	d->mode = flags == 1 ? WA_SEG_PASSIVE : WA_SEG_ACTIVE;
	if (flags == 2)
		TRY(rd_u32(r, &d->mem));
	if (flags != 1)
		TRY(rd_const(r, &d->offset));
	TRY(rd_u32(r, &d->len));
	if ((size_t)(r->end - r->p) < d->len)
		return wa_fail(r->e, rd_off(r), ERR_FORMAT, "unexpected end of section or function");
	return rd_bytes(r, d->len, &d->bytes);
}

static int sec_data(wa_reader *r, wa_module *m)
{
	uint32_t n;
	TRY(rd_count(r, &n));
	if (m->has_datacount && m->datacount != n)
		return wa_fail(r->e, rd_off(r), ERR_FORMAT, "data count and data section have inconsistent lengths");
	m->datas = calloc(n + 1, sizeof *m->datas);
	if (!m->datas)
		return -ERR_NOMEM;
	m->ndatas = n;
	for (uint32_t i = 0; i < m->ndatas; i++)
		TRY(rd_data(r, &m->datas[i]));
	return 0;
}

/* The name section is advisory: a malformed one is ignored. */
static void read_names(wa_module *m, const uint8_t *p, const uint8_t *end)
{
	wa_err dummy;
	wa_reader r = { p, end, p, &dummy, NULL };
	while (r.p < r.end) {
		uint8_t id;
		uint32_t size, n;
		if (rd_u8(&r, &id) || rd_u32(&r, &size) || size > (size_t)(r.end - r.p))
			return;
		wa_reader sub = r;
		sub.end = r.p + size;
		r.p += size;
		if (id != 1 || rd_u32(&sub, &n))
			continue;
		if (!m->func_names) {
			m->func_names = calloc(m->nfuncs + 1, sizeof(char *));
			if (!m->func_names)
				return;
			m->nfunc_names = m->nfuncs;
		}
		for (uint32_t i = 0; i < n; i++) {
			uint32_t idx;
			char *name;
			if (rd_u32(&sub, &idx) || rd_name(&sub, &name, NULL))
				return;
			if (idx < m->nfunc_names && !m->func_names[idx])
				m->func_names[idx] = name;
			else
				free(name);
		}
	}
}

static int sec_custom(wa_reader *r, wa_module *m)
{
	wa_custom c;
	TRY(rd_name(r, &c.name, NULL));
	c.data = r->p;
	c.len = (uint32_t)(r->end - r->p);
	r->p = r->end;
	APPEND(m->customs, m->ncustoms);
	m->customs[m->ncustoms++] = c;
	return 0;
}

/* Section ids in their required order (datacount sits before code). */
static int section_rank(uint8_t id)
{
	static const int8_t rank[13] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10 };
	return id <= 12 ? rank[id] : -1;
}

static int rd_section(wa_reader *r, wa_module *m, uint8_t id)
{
	switch (id) {
	case 0: return sec_custom(r, m);
	case 1: return sec_type(r, m);
	case 2: return sec_import(r, m);
	case 3: return sec_function(r, m);
	case 4: return sec_table(r, m);
	case 5: return sec_memory(r, m);
	case 6: return sec_global(r, m);
	case 7: return sec_export(r, m);
	case 8: return sec_start(r, m);
	case 9: return sec_elem(r, m);
	case 10: return sec_code(r, m);
	case 11: return sec_data(r, m);
	case 12: return sec_datacount(r, m);
	}
	return wa_fail(r->e, rd_off(r), ERR_FORMAT, "malformed section id");
}

static int decode_sections(wa_reader *r, wa_module *m)
{
	int last = 0;
	bool have_code = false;
	while (r->p < r->end) {
		uint8_t id;
		uint32_t size;
		size_t at = rd_off(r);
		TRY(rd_u8(r, &id));
		if (id > 12)
			return wa_fail(r->e, at, ERR_FORMAT, "malformed section id");
		TRY(rd_u32(r, &size));
		if ((size_t)(r->end - r->p) < size)
			return wa_fail(r->e, rd_off(r), ERR_FORMAT, "length out of bounds");
		if (id) {
			if (section_rank(id) <= last)
				return wa_fail(r->e, at, ERR_FORMAT, "unexpected content after last section");
			last = section_rank(id);
		}
		wa_reader sub = *r;
		sub.end = r->p + size;
		sub.eof_msg = "unexpected end of section or function";
		TRY(rd_section(&sub, m, id));
		if (sub.p != sub.end)
			return wa_fail(r->e, rd_off(&sub), ERR_FORMAT, "section size mismatch");
		if (id == 0 && !strcmp(m->customs[m->ncustoms - 1].name, "name"))
			read_names(m, m->customs[m->ncustoms - 1].data, sub.end);
		have_code |= id == 10;
		r->p = sub.end;
	}
	if (!have_code && m->nfuncs > m->nfunc_imports)
		return wa_fail(r->e, rd_off(r), ERR_FORMAT, "function and code section have inconsistent lengths");
	if (m->has_datacount && m->datacount != m->ndatas)
		return wa_fail(r->e, rd_off(r), ERR_FORMAT, "data count and data section have inconsistent lengths");
	return 0;
}

int wa_decode(const uint8_t *bytes, size_t len, wa_module **out, wa_err *e)
{
	wa_module *m = calloc(1, sizeof *m);
	wa_reader r;
	int err;
	*out = NULL;
	if (!m)
		return -ERR_NOMEM;
	m->bytes = malloc(len + 1);
	if (!m->bytes) {
		free(m);
		return -ERR_NOMEM;
	}
	if (len)
		memcpy(m->bytes, bytes, len);
	m->len = len;
	r = (wa_reader){ m->bytes, m->bytes + len, m->bytes, e, NULL };
	if (len < 4 || memcmp(m->bytes, "\0asm", 4))
		err = wa_fail(e, 0, ERR_FORMAT, "magic header not detected");
	else if (len < 8 || ld_le32(m->bytes + 4) != 1)
		err = wa_fail(e, 4, ERR_FORMAT, "unknown binary version");
	else {
		r.p += 8;
		err = decode_sections(&r, m);
	}
	if (err) {
		wa_module_free(m);
		return err;
	}
	*out = m;
	return 0;
}

const char *wa_func_name(const wa_module *m, uint32_t idx)
{
	if (m->func_names && idx < m->nfunc_names && m->func_names[idx])
		return m->func_names[idx];
	return NULL;
}

void wa_module_free(wa_module *m)
{
	if (!m)
		return;
	for (uint32_t i = 0; i < m->ntypes; i++)
		free(m->types[i].types);
	for (uint32_t i = 0; i < m->nimports; i++) {
		free(m->imports[i].module);
		free(m->imports[i].name);
	}
	for (uint32_t i = 0; i < m->nexports; i++)
		free(m->exports[i].name);
	for (uint32_t i = 0; i < m->nelems; i++)
		free(m->elems[i].init);
	for (uint32_t i = 0; m->funcs && i < m->nfuncs - m->nfunc_imports; i++) {
		free(m->funcs[i].locals);
		free(m->funcs[i].code);
	}
	for (uint32_t i = 0; m->func_names && i < m->nfunc_names; i++)
		free(m->func_names[i]);
	for (uint32_t i = 0; i < m->ncustoms; i++)
		free(m->customs[i].name);
	free(m->func_names);
	free(m->customs);
	free(m->types);
	free(m->imports);
	free(m->func_types);
	free(m->funcs);
	free(m->tables);
	free(m->mems);
	free(m->globals);
	free(m->global_init);
	free(m->exports);
	free(m->elems);
	free(m->datas);
	free(m->declared_refs);
	free(m->bytes);
	free(m);
}
