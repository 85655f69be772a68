/* wat.c - the .wat encoder: a (module ...) S-expression (with names, folded
 * expressions, inline imports/exports/elem/data and implicit types) becomes
 * binary WebAssembly.  Validation is left to the binary path. */
#include "wasm/text.h"

#include <stdlib.h>

typedef struct buf {
	uint8_t *p;
	size_t n, cap;
	bool oom;
} buf;

static void put(buf *b, const void *src, size_t n)
{
	if (!n)
		return;
	if (b->n + n > b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 64;
		while (nc < b->n + n)
			nc *= 2;
		uint8_t *q = realloc(b->p, nc);
		if (!q) {
			b->oom = true;
			return;
		}
		b->p = q;
		b->cap = nc;
	}
	memcpy(b->p + b->n, src, n);
	b->n += n;
}
static void put8(buf *b, uint8_t v) { put(b, &v, 1); }
static void putu(buf *b, uint64_t v)
{
	do {
		uint8_t c = v & 0x7f;
		v >>= 7;
		put8(b, (uint8_t)(c | (v ? 0x80 : 0)));
	} while (v);
}
static void puts_(buf *b, int64_t v)
{
	for (;;) {
		uint8_t c = v & 0x7f;
		v >>= 7;
		if ((v == 0 && !(c & 0x40)) || (v == -1 && (c & 0x40))) {
			put8(b, c);
			return;
		}
		put8(b, c | 0x80);
	}
}
static void putname(buf *b, const uint8_t *s, uint32_t n)
{
	putu(b, n);
	put(b, s, n);
}

typedef struct name { const char *s; uint32_t n; } name;
typedef struct space {
	name *v;
	uint32_t n, cap;
	uint32_t nimports;
} space;

typedef struct ftype {
	uint8_t t[512];
	uint32_t np, nr;
} ftype;

enum { SP_TYPE, SP_FUNC, SP_TABLE, SP_MEM, SP_GLOBAL, SP_ELEM, SP_DATA, SP_N };

typedef struct wat {
	wa_err *e;
	space sp[SP_N];
	ftype *ft;
	uint32_t nft, capft;
	buf imp, func, table, mem, global, exp, start, elem, code, data;
	uint32_t nimp, nfunc, ntable, nmem, nglobal, nexp, nelem, ndata;
	bool has_start, data_ops;
	/* per function */
	space locals;
	name labels[4096];
	uint32_t nlabels;
	const wa_sx *curf;
} wat;

#define TRY(x) do { int err_ = (x); if (err_) return err_; } while (0)

static int fail(wat *w, const wa_sx *at, const char *msg)
{
	return wa_fail(w->e, at ? at->line : 0, ERR_FORMAT, "%s", msg);
}

static bool is_id(const wa_sx *x) { return x && x->kind == WA_SX_ATOM && x->n > 1 && x->atom[0] == '$'; }
static bool is_kw(const wa_sx *x)
{
	return x && x->kind == WA_SX_ATOM && x->atom[0] >= 'a' && x->atom[0] <= 'z';
}

static int add_name(wat *w, space *s, const wa_sx *id)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = realloc(s->v, s->cap * sizeof *s->v);
		if (!s->v)
			return -ERR_NOMEM;
	}
	s->v[s->n].s = is_id(id) ? id->atom : NULL;
	s->v[s->n].n = is_id(id) ? id->n : 0;
	if (is_id(id))
		for (uint32_t i = 0; i < s->n; i++)
			if (s->v[i].n == id->n && !memcmp(s->v[i].s, id->atom, id->n))
				return fail(w, id, "duplicate identifier");
	s->n++;
	return 0;
}

/* An index: a number or a $name bound in space s. */
static int resolve(wat *w, space *s, const wa_sx *x, uint32_t *idx)
{
	if (x && x->kind == WA_SX_ATOM && x->atom[0] == '$') {
		for (uint32_t i = 0; i < s->n; i++)
			if (s->v[i].n == x->n && !memcmp(s->v[i].s, x->atom, x->n)) {
				*idx = i;
				return 0;
			}
		return fail(w, x, "unknown identifier");
	}
	if (wa_lit_u32(x, idx))
		return fail(w, x, "unexpected token");
	return 0;
}

static bool is_index(const wa_sx *x)
{
	uint32_t v;
	return x && x->kind == WA_SX_ATOM && (x->atom[0] == '$' || !wa_lit_u32(x, &v));
}

static int valtype(wat *w, const wa_sx *x, uint8_t *t)
{
	static const struct { const char *n; uint8_t t; } vt[] = {
		{ "i32", WA_I32 }, { "i64", WA_I64 }, { "f32", WA_F32 }, { "f64", WA_F64 },
		{ "v128", WA_V128 }, { "funcref", WA_FUNCREF }, { "externref", WA_EXTERNREF },
	};
	for (size_t i = 0; i < ARRAY_SIZE(vt); i++)
		if (wa_sx_is(x, vt[i].n)) {
			*t = vt[i].t;
			return 0;
		}
	return fail(w, x, "unexpected token");
}

static int reftype(wat *w, const wa_sx *x, uint8_t *t)
{
	TRY(valtype(w, x, t));
	return (*t == WA_FUNCREF || *t == WA_EXTERNREF) ? 0 : fail(w, x, "unexpected token");
}

/* ---- function types ---- */

static int add_ftype(wat *w, const ftype *f)
{
	if (w->nft == w->capft) {
		w->capft = w->capft ? w->capft * 2 : 16;
		w->ft = realloc(w->ft, w->capft * sizeof *w->ft);
		if (!w->ft)
			return -ERR_NOMEM;
	}
	w->ft[w->nft++] = *f;
	return 0;
}

static bool ftype_eq(const ftype *a, const ftype *b)
{
	return a->np == b->np && a->nr == b->nr && !memcmp(a->t, b->t, a->np + a->nr);
}

/* (param ...)* (result ...)* starting at items[*i]; names of params go to
 * locals when names != NULL. */
static int parse_sig(wat *w, const wa_sx *l, uint32_t *i, ftype *f, space *names)
{
	f->np = f->nr = 0;
	while (*i < l->n && wa_sx_head(&l->items[*i], "param")) {
		const wa_sx *p = &l->items[(*i)++];
		if (f->nr)
			return fail(w, p, "unexpected token");
		if (p->n >= 2 && is_id(&p->items[1])) {
			if (p->n != 3)
				return fail(w, p, "unexpected token");
			TRY(valtype(w, &p->items[2], &f->t[f->np]));
			f->np++;
			if (names)
				TRY(add_name(w, names, &p->items[1]));
			continue;
		}
		for (uint32_t k = 1; k < p->n; k++) {
			if (f->np >= 255)
				return fail(w, p, "too many parameters");
			TRY(valtype(w, &p->items[k], &f->t[f->np++]));
			if (names)
				TRY(add_name(w, names, NULL));
		}
	}
	while (*i < l->n && wa_sx_head(&l->items[*i], "result")) {
		const wa_sx *p = &l->items[(*i)++];
		for (uint32_t k = 1; k < p->n; k++) {
			if (f->np + f->nr >= 510)
				return fail(w, p, "too many results");
			TRY(valtype(w, &p->items[k], &f->t[f->np + f->nr++]));
		}
	}
	return 0;
}

static int find_or_add_type(wat *w, const ftype *f, uint32_t *idx)
{
	for (uint32_t i = 0; i < w->nft; i++)
		if (ftype_eq(&w->ft[i], f)) {
			*idx = i;
			return 0;
		}
	TRY(add_ftype(w, f));
	TRY(add_name(w, &w->sp[SP_TYPE], NULL));
	*idx = w->nft - 1;
	return 0;
}

/* typeuse: (type x)? (param)* (result)*.  *has tells whether anything was there. */
static int typeuse(wat *w, const wa_sx *l, uint32_t *i, uint32_t *idx, space *names, ftype *sig)
{
	ftype f;
	uint32_t start = *i;
	bool explicit_type = false;
	if (*i < l->n && wa_sx_head(&l->items[*i], "type")) {
		const wa_sx *t = &l->items[(*i)++];
		if (t->n != 2)
			return fail(w, t, "unexpected token");
		TRY(resolve(w, &w->sp[SP_TYPE], &t->items[1], idx));
		explicit_type = true;
	}
	TRY(parse_sig(w, l, i, &f, names));
	if (explicit_type) {
		if (*idx >= w->nft) { /* left to the validator unless needed here */
			if (f.np || f.nr)
				return fail(w, &l->items[start], "unknown type");
			return 0;
		}
		if ((f.np || f.nr) && !ftype_eq(&f, &w->ft[*idx]))
			return fail(w, &l->items[start], "inline function type");
		if (names && !f.np) /* unnamed params from the referenced type */
			for (uint32_t k = 0; k < w->ft[*idx].np; k++)
				TRY(add_name(w, names, NULL));
		if (sig)
			*sig = w->ft[*idx];
		return 0;
	}
	if (sig)
		*sig = f;
	return find_or_add_type(w, &f, idx);
}

/* ---- instructions ---- */

static int instrs(wat *w, const wa_sx *l, uint32_t *i, buf *b);
static int folded(wat *w, const wa_sx *x, buf *b);

static int label_idx(wat *w, const wa_sx *x, uint32_t *depth)
{
	if (is_id(x)) {
		for (uint32_t k = w->nlabels; k-- > 0;)
			if (w->labels[k].n == x->n && !memcmp(w->labels[k].s, x->atom, x->n)) {
				*depth = w->nlabels - 1 - k;
				return 0;
			}
		return fail(w, x, "unknown label");
	}
	if (wa_lit_u32(x, depth))
		return fail(w, x, "unexpected token");
	return 0;
}

static int push_label(wat *w, const wa_sx *id)
{
	if (w->nlabels >= ARRAY_SIZE(w->labels))
		return fail(w, id, "nesting too deep");
	w->labels[w->nlabels].s = is_id(id) ? id->atom : NULL;
	w->labels[w->nlabels].n = is_id(id) ? id->n : 0;
	w->nlabels++;
	return 0;
}

static int blocktype(wat *w, const wa_sx *l, uint32_t *i, buf *b)
{
	ftype f;
	uint32_t save = *i, idx;
	if (*i < l->n && wa_sx_head(&l->items[*i], "type"))
		return typeuse(w, l, i, &idx, NULL, NULL) ? -ERR_FORMAT : (puts_(b, idx), 0);
	TRY(parse_sig(w, l, i, &f, NULL));
	for (uint32_t k = save; k < *i; k++) /* params in a block may not be named */
		if (wa_sx_head(&l->items[k], "param") && l->items[k].n > 1 && is_id(&l->items[k].items[1]))
			return fail(w, &l->items[k], "unexpected token");
	if (f.np == 0 && f.nr == 0)
		put8(b, 0x40);
	else if (f.np == 0 && f.nr == 1)
		put8(b, f.t[0]);
	else {
		TRY(find_or_add_type(w, &f, &idx));
		puts_(b, idx);
	}
	return 0;
}

static int memarg(wat *w, const wa_sx *l, uint32_t *i, int natural, buf *b)
{
	uint64_t offset = 0, align = 1u << natural;
	if (*i < l->n && l->items[*i].kind == WA_SX_ATOM && !strncmp(l->items[*i].atom, "offset=", 7)) {
		wa_sx num = l->items[*i];
		bool neg, sign;
		num.atom += 7;
		num.n -= 7;
		uint32_t v;
		(void)neg;
		(void)sign;
		if (wa_lit_u32(&num, &v))
			return fail(w, &l->items[*i], "i32 constant");
		offset = v;
		(*i)++;
	}
	if (*i < l->n && l->items[*i].kind == WA_SX_ATOM && !strncmp(l->items[*i].atom, "align=", 6)) {
		wa_sx num = l->items[*i];
		uint32_t v;
		num.atom += 6;
		num.n -= 6;
		if (wa_lit_u32(&num, &v) || v == 0 || (v & (v - 1)))
			return fail(w, &l->items[*i], "alignment");
		align = v;
		(*i)++;
	}
	putu(b, (uint64_t)__builtin_ctzll(align));
	putu(b, offset);
	return 0;
}

static int need(wat *w, const wa_sx *l, uint32_t i, const wa_sx *at)
{
	return i < l->n ? 0 : fail(w, at, "unexpected end");
}

static int imm_const(wat *w, const wa_sx *l, uint32_t *i, int imm, buf *b, const wa_sx *at)
{
	const wa_sx *x;
	TRY(need(w, l, *i, at));
	x = &l->items[(*i)++];
	switch (imm) {
	case WA_IMM_I32: {
		uint32_t v;
		if (wa_lit_i32(x, &v))
			return fail(w, x, "constant out of range");
		puts_(b, (int32_t)v);
		return 0;
	}
	case WA_IMM_I64: {
		uint64_t v;
		if (wa_lit_i64(x, &v))
			return fail(w, x, "constant out of range");
		puts_(b, (int64_t)v);
		return 0;
	}
	case WA_IMM_F32: {
		uint32_t v;
		uint8_t o[4];
		if (wa_lit_f32(x, &v))
			return fail(w, x, "constant out of range");
		st_le32(o, v);
		put(b, o, 4);
		return 0;
	}
	default: {
		uint64_t v;
		uint8_t o[8];
		if (wa_lit_f64(x, &v))
			return fail(w, x, "constant out of range");
		st_le64(o, v);
		put(b, o, 8);
		return 0;
	}
	}
}

static int imm_v128(wat *w, const wa_sx *l, uint32_t *i, buf *b, const wa_sx *at)
{
	uint8_t o[16];
	const wa_sx *shape;
	uint32_t n;
	TRY(need(w, l, *i, at));
	shape = &l->items[(*i)++];
	n = wa_sx_is(shape, "i8x16") ? 16 : wa_sx_is(shape, "i16x8") ? 8 :
	    (wa_sx_is(shape, "i32x4") || wa_sx_is(shape, "f32x4")) ? 4 : 2;
	if (*i + n > l->n || wa_lit_v128(shape, &l->items[*i], n, o))
		return fail(w, shape, "constant out of range");
	*i += n;
	put(b, o, 16);
	return 0;
}

static int imm_index(wat *w, const wa_sx *l, uint32_t *i, space *s, buf *b, const wa_sx *at)
{
	uint32_t idx;
	TRY(need(w, l, *i, at));
	TRY(resolve(w, s, &l->items[(*i)++], &idx));
	putu(b, idx);
	return 0;
}

static int imm_opt_index(wat *w, const wa_sx *l, uint32_t *i, space *s, uint32_t *idx)
{
	*idx = 0;
	if (*i < l->n && is_index(&l->items[*i]))
		return resolve(w, s, &l->items[(*i)++], idx);
	return 0;
}

static int imm_lane(wat *w, const wa_sx *l, uint32_t *i, buf *b, const wa_sx *at)
{
	uint32_t v;
	TRY(need(w, l, *i, at));
	if (wa_lit_u32(&l->items[*i], &v) || v > 255)
		return fail(w, &l->items[*i], "malformed lane index");
	(*i)++;
	put8(b, (uint8_t)v);
	return 0;
}

static int immediates(wat *w, int op, const wa_sx *l, uint32_t *i, buf *b, const wa_sx *at)
{
	int imm = op == WA_OP_SELECT ? WA_IMM_SELT : wa_ops[op].imm;
	uint32_t idx, idx2;
	switch (imm) {
	case WA_IMM_NONE: return 0;
	case WA_IMM_LABEL:
		TRY(need(w, l, *i, at));
		TRY(label_idx(w, &l->items[(*i)++], &idx));
		putu(b, idx);
		return 0;
	case WA_IMM_BRTABLE: {
		uint32_t start = *i, n = 0;
		while (*i < l->n && is_index(&l->items[*i]))
			(*i)++, n++;
		if (!n)
			return fail(w, at, "unexpected token");
		putu(b, n - 1);
		for (uint32_t k = start; k < *i; k++) {
			TRY(label_idx(w, &l->items[k], &idx));
			putu(b, idx);
		}
		return 0;
	}
	case WA_IMM_FUNC: return imm_index(w, l, i, &w->sp[SP_FUNC], b, at);
	case WA_IMM_LOCAL: return imm_index(w, l, i, &w->locals, b, at);
	case WA_IMM_GLOBAL: return imm_index(w, l, i, &w->sp[SP_GLOBAL], b, at);
	case WA_IMM_DATA: w->data_ops = true; return imm_index(w, l, i, &w->sp[SP_DATA], b, at);
	case WA_IMM_ELEM: return imm_index(w, l, i, &w->sp[SP_ELEM], b, at);
	case WA_IMM_TABLE:
		TRY(imm_opt_index(w, l, i, &w->sp[SP_TABLE], &idx));
		putu(b, idx);
		return 0;
	case WA_IMM_CALLIND: {
		uint32_t from;
		TRY(imm_opt_index(w, l, i, &w->sp[SP_TABLE], &idx2));
		from = *i;
		TRY(typeuse(w, l, i, &idx, NULL, NULL));
		for (uint32_t k = from; k < *i; k++)
			if (wa_sx_head(&l->items[k], "param") && l->items[k].n > 1 && is_id(&l->items[k].items[1]))
				return fail(w, &l->items[k], "unexpected token");
		putu(b, idx);
		putu(b, idx2);
		return 0;
	}
	case WA_IMM_MEM0: put8(b, 0); return 0;
	case WA_IMM_MINIT:
		w->data_ops = true;
		TRY(imm_index(w, l, i, &w->sp[SP_DATA], b, at));
		put8(b, 0);
		return 0;
	case WA_IMM_MCOPY: put8(b, 0); put8(b, 0); return 0;
	case WA_IMM_TINIT:
		if (*i + 1 < l->n && is_index(&l->items[*i]) && is_index(&l->items[*i + 1])) {
			TRY(resolve(w, &w->sp[SP_TABLE], &l->items[(*i)++], &idx));
		} else {
			idx = 0;
		}
		TRY(need(w, l, *i, at));
		TRY(resolve(w, &w->sp[SP_ELEM], &l->items[(*i)++], &idx2));
		putu(b, idx2);
		putu(b, idx);
		return 0;
	case WA_IMM_TCOPY:
		TRY(imm_opt_index(w, l, i, &w->sp[SP_TABLE], &idx));
		TRY(imm_opt_index(w, l, i, &w->sp[SP_TABLE], &idx2));
		putu(b, idx);
		putu(b, idx2);
		return 0;
	case WA_IMM_I32: case WA_IMM_I64: case WA_IMM_F32: case WA_IMM_F64:
		return imm_const(w, l, i, imm, b, at);
	case WA_IMM_V128: return imm_v128(w, l, i, b, at);
	case WA_IMM_SHUF:
		for (int k = 0; k < 16; k++)
			TRY(imm_lane(w, l, i, b, at));
		return 0;
	case WA_IMM_SELT: {
		uint8_t ts[64];
		uint32_t n = 0;
		bool any = false;
		while (*i < l->n && wa_sx_head(&l->items[*i], "result")) {
			const wa_sx *r = &l->items[(*i)++];
			any = true;
			for (uint32_t k = 1; k < r->n && n < 64; k++)
				TRY(valtype(w, &r->items[k], &ts[n++]));
		}
		if (!any)
			return 0;
		b->p[b->n - 1] = 0x1c;
		putu(b, n);
		put(b, ts, n);
		return 0;
	}
	case WA_IMM_REFT: {
		uint8_t t;
		TRY(need(w, l, *i, at));
		if (wa_sx_is(&l->items[*i], "func"))
			t = WA_FUNCREF;
		else if (wa_sx_is(&l->items[*i], "extern"))
			t = WA_EXTERNREF;
		else
			return fail(w, &l->items[*i], "unexpected token");
		(*i)++;
		put8(b, t);
		return 0;
	}
	case WA_IMM_L16: case WA_IMM_L8: case WA_IMM_L4: case WA_IMM_L2:
		return imm_lane(w, l, i, b, at);
	default:
		TRY(memarg(w, l, i, wa_imm_memalign(imm), b));
		if (imm >= WA_IMM_ML0)
			return imm_lane(w, l, i, b, at);
		return 0;
	}
}

static void put_op(buf *b, int op)
{
	const wa_opinfo *o = &wa_ops[op];
	if (o->prefix) {
		put8(b, o->prefix);
		putu(b, o->code);
	} else {
		put8(b, (uint8_t)o->code);
	}
}

static int lookup_op(wat *w, const wa_sx *x, int *op)
{
	if (!is_kw(x))
		return fail(w, x, "unexpected token");
	*op = wa_op_by_name(x->atom, x->n);
	if (*op == WA_NOPS)
		return fail(w, x, "unknown operator");
	if (*op == WA_OP_SELECT_T)
		*op = WA_OP_SELECT;
	return 0;
}

/* Optional label after end/else must repeat the block's label. */
static int end_label(wat *w, const wa_sx *l, uint32_t *i)
{
	if (*i < l->n && is_id(&l->items[*i])) {
		name *lb = &w->labels[w->nlabels - 1];
		const wa_sx *x = &l->items[*i];
		if (lb->n != x->n || memcmp(lb->s, x->atom, x->n))
			return fail(w, x, "mismatching label");
		(*i)++;
	}
	return 0;
}

/* One flat instruction at items[*i] (a keyword). */
static int plain(wat *w, const wa_sx *l, uint32_t *i, buf *b)
{
	const wa_sx *kw = &l->items[(*i)++];
	int op;
	TRY(lookup_op(w, kw, &op));
	if (op == WA_OP_END || op == WA_OP_ELSE)
		return fail(w, kw, "unexpected token");
	put_op(b, op);
	if (op == WA_OP_BLOCK || op == WA_OP_LOOP || op == WA_OP_IF) {
		const wa_sx *id = *i < l->n && is_id(&l->items[*i]) ? &l->items[(*i)++] : NULL;
		TRY(blocktype(w, l, i, b));
		TRY(push_label(w, id));
		TRY(instrs(w, l, i, b));
		if (op == WA_OP_IF && *i < l->n && wa_sx_is(&l->items[*i], "else")) {
			(*i)++;
			TRY(end_label(w, l, i));
			put8(b, 0x05);
			TRY(instrs(w, l, i, b));
		}
		if (*i >= l->n || !wa_sx_is(&l->items[*i], "end"))
			return fail(w, kw, "unexpected end");
		(*i)++;
		TRY(end_label(w, l, i));
		w->nlabels--;
		put8(b, 0x0b);
		return 0;
	}
	return immediates(w, op, l, i, b, kw);
}

/* (if label? bt cond* (then instr*) (else instr*)?) */
static int folded_if(wat *w, const wa_sx *x, buf *b)
{
	uint32_t i = 1, k;
	const wa_sx *id = i < x->n && is_id(&x->items[i]) ? &x->items[i++] : NULL;
	buf bt = { 0 };
	int err = blocktype(w, x, &i, &bt);
	while (!err && i < x->n && x->items[i].kind == WA_SX_LIST && !wa_sx_head(&x->items[i], "then"))
		err = folded(w, &x->items[i++], b);
	if (!err) {
		put_op(b, WA_OP_IF);
		put(b, bt.p, bt.n);
	}
	free(bt.p);
	TRY(err);
	TRY(push_label(w, id));
	if (i >= x->n || !wa_sx_head(&x->items[i], "then"))
		return fail(w, x, "unexpected token");
	k = 1;
	TRY(instrs(w, &x->items[i], &k, b));
	if (k != x->items[i].n)
		return fail(w, x, "unexpected token");
	i++;
	if (i < x->n && wa_sx_head(&x->items[i], "else")) {
		put8(b, 0x05);
		k = 1;
		TRY(instrs(w, &x->items[i], &k, b));
		if (k != x->items[i].n)
			return fail(w, x, "unexpected token");
		i++;
	}
	if (i != x->n)
		return fail(w, x, "unexpected token");
	w->nlabels--;
	put8(b, 0x0b);
	return 0;
}

/* A folded instruction (op imm* folded*) or block form. */
static int folded(wat *w, const wa_sx *x, buf *b)
{
	uint32_t i = 1;
	int op;
	if (!x->n)
		return fail(w, x, "unexpected token");
	TRY(lookup_op(w, &x->items[0], &op));
	if (op == WA_OP_BLOCK || op == WA_OP_LOOP) {
		const wa_sx *id = i < x->n && is_id(&x->items[i]) ? &x->items[i++] : NULL;
		put_op(b, op);
		TRY(blocktype(w, x, &i, b));
		TRY(push_label(w, id));
		TRY(instrs(w, x, &i, b));
		if (i != x->n)
			return fail(w, &x->items[i], "unexpected token");
		w->nlabels--;
		put8(b, 0x0b);
		return 0;
	}
	if (op == WA_OP_IF)
		return folded_if(w, x, b);
	buf ops = { 0 };
	put_op(&ops, op);
	int err = immediates(w, op, x, &i, &ops, &x->items[0]);
	while (!err && i < x->n) {
		if (x->items[i].kind != WA_SX_LIST)
			err = fail(w, &x->items[i], "unexpected token");
		else
			err = folded(w, &x->items[i++], b);
	}
	if (!err)
		put(b, ops.p, ops.n);
	free(ops.p);
	return err;
}

/* Instructions until end/else/close of list. */
static int instrs(wat *w, const wa_sx *l, uint32_t *i, buf *b)
{
	while (*i < l->n) {
		const wa_sx *x = &l->items[*i];
		if (x->kind == WA_SX_LIST) {
			TRY(folded(w, x, b));
			(*i)++;
		} else if (wa_sx_is(x, "end") || wa_sx_is(x, "else")) {
			return 0;
		} else {
			TRY(plain(w, l, i, b));
		}
	}
	return 0;
}

static int expr(wat *w, const wa_sx *l, uint32_t i, buf *b)
{
	TRY(instrs(w, l, &i, b));
	if (i != l->n)
		return fail(w, &l->items[i], "unexpected token");
	put8(b, 0x0b);
	return 0;
}

/* ---- module fields ---- */

static int inline_exports(wat *w, const wa_sx *f, uint32_t *i, uint8_t kind, uint32_t idx)
{
	while (*i < f->n && wa_sx_head(&f->items[*i], "export")) {
		const wa_sx *x = &f->items[(*i)++];
		if (x->n != 2 || x->items[1].kind != WA_SX_STR)
			return fail(w, x, "unexpected token");
		putname(&w->exp, x->items[1].str, x->items[1].n);
		put8(&w->exp, kind);
		putu(&w->exp, idx);
		w->nexp++;
	}
	return 0;
}

static int limits(wat *w, const wa_sx *f, uint32_t *i, buf *b)
{
	uint32_t mn, mx;
	if (*i >= f->n || wa_lit_u32(&f->items[*i], &mn))
		return fail(w, f, "unexpected token");
	(*i)++;
	if (*i < f->n && !wa_lit_u32(&f->items[*i], &mx)) {
		(*i)++;
		put8(b, 1);
		putu(b, mn);
		putu(b, mx);
	} else {
		put8(b, 0);
		putu(b, mn);
	}
	return 0;
}

static int globaltype(wat *w, const wa_sx *f, uint32_t *i, buf *b)
{
	uint8_t t;
	if (*i >= f->n)
		return fail(w, f, "unexpected end");
	if (wa_sx_head(&f->items[*i], "mut")) {
		if (f->items[*i].n != 2)
			return fail(w, f, "unexpected token");
		TRY(valtype(w, &f->items[*i].items[1], &t));
		put8(b, t);
		put8(b, 1);
	} else {
		TRY(valtype(w, &f->items[*i], &t));
		put8(b, t);
		put8(b, 0);
	}
	(*i)++;
	return 0;
}

/* Import description for kind at f->items[*i...]. */
static int import_desc(wat *w, uint8_t kind, const wa_sx *f, uint32_t *i, buf *b)
{
	uint32_t idx;
	uint8_t t;
	put8(b, kind);
	switch (kind) {
	case WA_EXT_FUNC:
		TRY(typeuse(w, f, i, &idx, NULL, NULL));
		putu(b, idx);
		return 0;
	case WA_EXT_TABLE:
		{
			buf lim = { 0 };
			int err = limits(w, f, i, &lim);
			if (!err && (*i >= f->n || reftype(w, &f->items[*i], &t)))
				err = fail(w, f, "unexpected token");
			if (!err) {
				(*i)++;
				put8(b, t);
				put(b, lim.p, lim.n);
			}
			free(lim.p);
			return err;
		}
	case WA_EXT_MEMORY: return limits(w, f, i, b);
	default: return globaltype(w, f, i, b);
	}
}

static int kind_of(const wa_sx *kw, uint8_t *kind)
{
	static const char *const names[] = { "func", "table", "memory", "global" };
	for (uint8_t k = 0; k < 4; k++)
		if (wa_sx_is(kw, names[k])) {
			*kind = k;
			return 0;
		}
	return -1;
}

static const int kind_space[4] = { SP_FUNC, SP_TABLE, SP_MEM, SP_GLOBAL };

/* The first item of a list, NULL when it is empty (its items pointer is
 * NULL then: no &items[0]). */
static const wa_sx *head_of(const wa_sx *l)
{
	return l->kind == WA_SX_LIST && l->n ? &l->items[0] : NULL;
}

static int field_import(wat *w, const wa_sx *f)
{
	const wa_sx *d;
	uint8_t kind;
	uint32_t i = 1;
	if (f->n != 4 || f->items[1].kind != WA_SX_STR || f->items[2].kind != WA_SX_STR ||
	    f->items[3].kind != WA_SX_LIST || kind_of(head_of(&f->items[3]), &kind))
		return fail(w, f, "unexpected token");
	d = &f->items[3];
	putname(&w->imp, f->items[1].str, f->items[1].n);
	putname(&w->imp, f->items[2].str, f->items[2].n);
	if (i < d->n && is_id(&d->items[i]))
		i++;
	TRY(import_desc(w, kind, d, &i, &w->imp));
	if (i != d->n)
		return fail(w, d, "unexpected token");
	w->nimp++;
	return 0;
}

/* (func ...) (table ...) (memory ...) (global ...) with an inline import. */
static int inline_import(wat *w, const wa_sx *f, uint32_t i, uint8_t kind, uint32_t idx)
{
	const wa_sx *im = &f->items[i++];
	if (im->n != 3 || im->items[1].kind != WA_SX_STR || im->items[2].kind != WA_SX_STR)
		return fail(w, im, "unexpected token");
	putname(&w->imp, im->items[1].str, im->items[1].n);
	putname(&w->imp, im->items[2].str, im->items[2].n);
	TRY(import_desc(w, kind, f, &i, &w->imp));
	if (i != f->n)
		return fail(w, f, "unexpected token");
	w->nimp++;
	(void)idx;
	return 0;
}

static int locals(wat *w, const wa_sx *f, uint32_t *i, buf *b)
{
	uint8_t ts[50001];
	uint32_t n = 0, groups = 0;
	buf tmp = { 0 };
	while (*i < f->n && wa_sx_head(&f->items[*i], "local")) {
		const wa_sx *lc = &f->items[(*i)++];
		if (lc->n >= 2 && is_id(&lc->items[1])) {
			if (lc->n != 3)
				return fail(w, lc, "unexpected token");
			TRY(valtype(w, &lc->items[2], &ts[n++]));
			TRY(add_name(w, &w->locals, &lc->items[1]));
		} else {
			for (uint32_t k = 1; k < lc->n && n < 50000; k++) {
				TRY(valtype(w, &lc->items[k], &ts[n++]));
				TRY(add_name(w, &w->locals, NULL));
			}
		}
	}
	for (uint32_t k = 0; k < n;) {
		uint32_t run = 1;
		while (k + run < n && ts[k + run] == ts[k])
			run++;
		putu(&tmp, run);
		put8(&tmp, ts[k]);
		groups++;
		k += run;
	}
	putu(b, groups);
	put(b, tmp.p, tmp.n);
	free(tmp.p);
	return 0;
}

static int field_func(wat *w, const wa_sx *f, uint32_t idx)
{
	uint32_t i = 1, tidx;
	buf body = { 0 };
	int err;
	if (i < f->n && is_id(&f->items[i]))
		i++;
	TRY(inline_exports(w, f, &i, WA_EXT_FUNC, idx));
	if (i < f->n && wa_sx_head(&f->items[i], "import"))
		return inline_import(w, f, i, WA_EXT_FUNC, idx);
	w->locals.n = 0;
	w->nlabels = 0;
	TRY(typeuse(w, f, &i, &tidx, &w->locals, NULL));
	putu(&w->func, tidx);
	w->nfunc++;
	err = locals(w, f, &i, &body);
	if (!err)
		err = expr(w, f, i, &body);
	if (!err) {
		putu(&w->code, body.n);
		put(&w->code, body.p, body.n);
	}
	free(body.p);
	return err;
}

static int elem_list(wat *w, const wa_sx *f, uint32_t *i, buf *b, bool *exprs, uint8_t *type, uint32_t *count)
{
	buf items = { 0 };
	uint32_t n = 0;
	int err = 0;
	*exprs = false;
	*type = WA_FUNCREF;
	if (*i < f->n && wa_sx_is(&f->items[*i], "func")) {
		(*i)++;
	} else if (*i < f->n && (wa_sx_is(&f->items[*i], "funcref") || wa_sx_is(&f->items[*i], "externref"))) {
		TRY(reftype(w, &f->items[(*i)++], type));
		*exprs = true;
	}
	while (!err && *i < f->n) {
		const wa_sx *x = &f->items[(*i)++];
		uint32_t idx;
		if (*exprs) {
			if (wa_sx_head(x, "item"))
				err = expr(w, x, 1, &items);
			else if (x->kind == WA_SX_LIST)
				err = folded(w, x, &items), put8(&items, 0x0b);
			else
				err = fail(w, x, "unexpected token");
		} else {
			err = resolve(w, &w->sp[SP_FUNC], x, &idx);
			putu(&items, idx);
		}
		n++;
	}
	if (!err) {
		putu(b, n);
		put(b, items.p, items.n);
	}
	*count = n;
	free(items.p);
	return err;
}

static int offset_expr(wat *w, const wa_sx *x, buf *b)
{
	if (wa_sx_head(x, "offset"))
		return expr(w, x, 1, b);
	TRY(folded(w, x, b));
	put8(b, 0x0b);
	return 0;
}

static int field_elem(wat *w, const wa_sx *f)
{
	uint32_t i = 1, table = 0, n;
	bool active = false, declare = false, has_table = false, exprs;
	uint8_t type;
	buf off = { 0 }, list = { 0 };
	int err = 0;
	if (i < f->n && is_id(&f->items[i]))
		i++;
	if (i < f->n && wa_sx_is(&f->items[i], "declare")) {
		declare = true;
		i++;
	}
	if (i < f->n && wa_sx_head(&f->items[i], "table")) {
		if (f->items[i].n != 2)
			return fail(w, f, "unexpected token");
		TRY(resolve(w, &w->sp[SP_TABLE], &f->items[i].items[1], &table));
		has_table = true;
		i++;
	}
	if (!declare && i < f->n && f->items[i].kind == WA_SX_LIST && !wa_sx_head(&f->items[i], "item")) {
		active = true;
		err = offset_expr(w, &f->items[i++], &off);
	}
	if (!err)
		err = elem_list(w, f, &i, &list, &exprs, &type, &n);
	if (!err) {
		uint32_t flags;
		if (declare)
			flags = 3;
		else if (!active)
			flags = 1;
		else if (table == 0 && !has_table && type == WA_FUNCREF)
			flags = 0;
		else
			flags = 2;
		if (exprs)
			flags |= 4;
		putu(&w->elem, flags);
		if (flags & 2 && !(flags & 1))
			putu(&w->elem, table);
		if (active)
			put(&w->elem, off.p, off.n);
		if (flags & 3)
			put8(&w->elem, exprs ? type : 0);
		put(&w->elem, list.p, list.n);
		w->nelem++;
	}
	free(off.p);
	free(list.p);
	return err;
}

static int field_table(wat *w, const wa_sx *f, uint32_t idx)
{
	uint32_t i = 1;
	uint8_t t;
	if (i < f->n && is_id(&f->items[i]))
		i++;
	TRY(inline_exports(w, f, &i, WA_EXT_TABLE, idx));
	if (i < f->n && wa_sx_head(&f->items[i], "import"))
		return inline_import(w, f, i, WA_EXT_TABLE, idx);
	if (i < f->n && (wa_sx_is(&f->items[i], "funcref") || wa_sx_is(&f->items[i], "externref"))) {
		/* (table reftype (elem ...)): size from the inline segment */
		const wa_sx *el;
		uint32_t k = 1, n;
		bool exprs;
		buf list = { 0 };
		TRY(reftype(w, &f->items[i++], &t));
		if (i + 1 != f->n || !wa_sx_head(&f->items[i], "elem"))
			return fail(w, f, "unexpected token");
		el = &f->items[i];
		if (el->n > 1 && el->items[1].kind == WA_SX_LIST) {
			exprs = true;
			for (uint32_t q = 1; q < el->n; q++) {
				if (wa_sx_head(&el->items[q], "item"))
					TRY(expr(w, &el->items[q], 1, &list));
				else {
					TRY(folded(w, &el->items[q], &list));
					put8(&list, 0x0b);
				}
			}
			n = el->n - 1;
		} else {
			uint8_t dummy;
			buf tmp = { 0 };
			int err = elem_list(w, el, &k, &tmp, &exprs, &dummy, &n);
			if (!err) { /* drop the count elem_list wrote */
				buf cnt = { 0 };
				putu(&cnt, n);
				put(&list, tmp.p + cnt.n, tmp.n - cnt.n);
				free(cnt.p);
			}
			free(tmp.p);
			if (err) {
				free(list.p);
				return err;
			}
		}
		put8(&w->table, t);
		put8(&w->table, 1);
		putu(&w->table, n);
		putu(&w->table, n);
		w->ntable++;
		putu(&w->elem, exprs ? 6 : 2);
		putu(&w->elem, idx);
		put8(&w->elem, 0x41);
		put8(&w->elem, 0);
		put8(&w->elem, 0x0b);
		put8(&w->elem, exprs ? t : 0);
		putu(&w->elem, n);
		put(&w->elem, list.p, list.n);
		free(list.p);
		w->nelem++;
		return 0;
	}
	buf lim = { 0 };
	int err = limits(w, f, &i, &lim);
	if (!err && (i >= f->n || reftype(w, &f->items[i], &t)))
		err = fail(w, f, "unexpected token");
	if (!err && i + 1 != f->n)
		err = fail(w, f, "unexpected token");
	if (!err) {
		put8(&w->table, t);
		put(&w->table, lim.p, lim.n);
		w->ntable++;
	}
	free(lim.p);
	return err;
}

static void data_strings(const wa_sx *f, uint32_t i, buf *b)
{
	uint32_t total = 0;
	for (uint32_t k = i; k < f->n; k++)
		total += f->items[k].n;
	putu(b, total);
	for (uint32_t k = i; k < f->n; k++)
		put(b, f->items[k].str, f->items[k].n);
}

static int check_strings(wat *w, const wa_sx *f, uint32_t i)
{
	for (uint32_t k = i; k < f->n; k++)
		if (f->items[k].kind != WA_SX_STR)
			return fail(w, &f->items[k], "unexpected token");
	return 0;
}

static int field_memory(wat *w, const wa_sx *f, uint32_t idx)
{
	uint32_t i = 1;
	if (i < f->n && is_id(&f->items[i]))
		i++;
	TRY(inline_exports(w, f, &i, WA_EXT_MEMORY, idx));
	if (i < f->n && wa_sx_head(&f->items[i], "import"))
		return inline_import(w, f, i, WA_EXT_MEMORY, idx);
	if (i < f->n && wa_sx_head(&f->items[i], "data")) {
		const wa_sx *d = &f->items[i];
		uint64_t total = 0, pages;
		TRY(check_strings(w, d, 1));
		for (uint32_t k = 1; k < d->n; k++)
			total += d->items[k].n;
		pages = (total + 65535) / 65536;
		put8(&w->mem, 1);
		putu(&w->mem, pages);
		putu(&w->mem, pages);
		w->nmem++;
		putu(&w->data, idx ? 2 : 0);
		if (idx)
			putu(&w->data, idx);
		put8(&w->data, 0x41);
		put8(&w->data, 0);
		put8(&w->data, 0x0b);
		data_strings(d, 1, &w->data);
		w->ndata++;
		return 0;
	}
	TRY(limits(w, f, &i, &w->mem));
	if (i != f->n)
		return fail(w, f, "unexpected token");
	w->nmem++;
	return 0;
}

static int field_data(wat *w, const wa_sx *f)
{
	uint32_t i = 1, mem = 0;
	buf off = { 0 };
	bool active = false;
	int err = 0;
	if (i < f->n && is_id(&f->items[i]))
		i++;
	if (i < f->n && wa_sx_head(&f->items[i], "memory")) {
		if (f->items[i].n != 2)
			return fail(w, f, "unexpected token");
		TRY(resolve(w, &w->sp[SP_MEM], &f->items[i].items[1], &mem));
		i++;
		active = true;
		if (i >= f->n || f->items[i].kind != WA_SX_LIST)
			return fail(w, f, "unexpected token");
	}
	if (i < f->n && f->items[i].kind == WA_SX_LIST) {
		active = true;
		err = offset_expr(w, &f->items[i++], &off);
	}
	if (!err)
		err = check_strings(w, f, i);
	if (!err) {
		putu(&w->data, !active ? 1 : mem ? 2 : 0);
		if (active && mem)
			putu(&w->data, mem);
		put(&w->data, off.p, off.n);
		data_strings(f, i, &w->data);
		w->ndata++;
	}
	free(off.p);
	return err;
}

static int field_global(wat *w, const wa_sx *f, uint32_t idx)
{
	uint32_t i = 1;
	if (i < f->n && is_id(&f->items[i]))
		i++;
	TRY(inline_exports(w, f, &i, WA_EXT_GLOBAL, idx));
	if (i < f->n && wa_sx_head(&f->items[i], "import"))
		return inline_import(w, f, i, WA_EXT_GLOBAL, idx);
	TRY(globaltype(w, f, &i, &w->global));
	TRY(expr(w, f, i, &w->global));
	w->nglobal++;
	return 0;
}

static int field_export(wat *w, const wa_sx *f)
{
	uint8_t kind;
	uint32_t idx;
	if (f->n != 3 || f->items[1].kind != WA_SX_STR || f->items[2].kind != WA_SX_LIST ||
	    f->items[2].n != 2 || kind_of(head_of(&f->items[2]), &kind))
		return fail(w, f, "unexpected token");
	TRY(resolve(w, &w->sp[kind_space[kind]], &f->items[2].items[1], &idx));
	putname(&w->exp, f->items[1].str, f->items[1].n);
	put8(&w->exp, kind);
	putu(&w->exp, idx);
	w->nexp++;
	return 0;
}

static int field_start(wat *w, const wa_sx *f)
{
	uint32_t idx;
	if (f->n != 2)
		return fail(w, f, "unexpected token");
	if (w->has_start)
		return fail(w, f, "multiple start sections");
	TRY(resolve(w, &w->sp[SP_FUNC], &f->items[1], &idx));
	putu(&w->start, idx);
	w->has_start = true;
	return 0;
}

static int field_type(wat *w, const wa_sx *f)
{
	ftype ft;
	uint32_t i = 1, k = 1;
	const wa_sx *fn;
	if (i < f->n && is_id(&f->items[i]))
		i++;
	if (i + 1 != f->n || !wa_sx_head(&f->items[i], "func"))
		return fail(w, f, "unexpected token");
	fn = &f->items[i];
	TRY(parse_sig(w, fn, &k, &ft, NULL));
	if (k != fn->n)
		return fail(w, fn, "unexpected token");
	return add_ftype(w, &ft);
}

/* Pass 1: names and index spaces (imports first), explicit types. */
static int is_import_field(const wa_sx *f, uint8_t *kind)
{
	if (wa_sx_head(f, "import")) {
		if (f->n < 4 || f->items[3].kind != WA_SX_LIST || kind_of(head_of(&f->items[3]), kind))
			return -1;
		return 1;
	}
	if (f->kind != WA_SX_LIST || !f->n || kind_of(&f->items[0], kind))
		return 0;
	for (uint32_t i = 1; i < f->n; i++) {
		if (wa_sx_head(&f->items[i], "import"))
			return 1;
		if (!is_id(&f->items[i]) && !wa_sx_head(&f->items[i], "export"))
			break;
	}
	return 0;
}

static const wa_sx *field_id(const wa_sx *f, uint8_t kind, bool imp)
{
	if (imp && wa_sx_head(f, "import")) {
		const wa_sx *d = &f->items[3];
		return d->n > 1 && is_id(&d->items[1]) ? &d->items[1] : NULL;
	}
	(void)kind;
	return f->n > 1 && is_id(&f->items[1]) ? &f->items[1] : NULL;
}

static int pass1(wat *w, const wa_sx *m, uint32_t first, uint32_t *idx)
{
	uint8_t kind;
	bool seen_def[4] = { 0 };
	for (uint32_t i = first; i < m->n; i++) { /* imports */
		const wa_sx *f = &m->items[i];
		int r = is_import_field(f, &kind);
		if (r < 0)
			return fail(w, f, "unexpected token");
		if (r == 0 && f->kind == WA_SX_LIST && f->n && !kind_of(&f->items[0], &kind))
			seen_def[kind] = true;
		if (r == 1) {
			for (int k = 0; k < 4; k++)
				if (seen_def[k])
					return fail(w, f, "import after definition");
			idx[i] = w->sp[kind_space[kind]].n;
			TRY(add_name(w, &w->sp[kind_space[kind]], field_id(f, kind, true)));
		}
	}
	for (uint32_t i = first; i < m->n; i++) {
		const wa_sx *f = &m->items[i];
		if (f->kind != WA_SX_LIST || !f->n)
			return fail(w, f, "unexpected token");
		if (wa_sx_head(f, "type")) {
			TRY(add_name(w, &w->sp[SP_TYPE], field_id(f, 0, false)));
			TRY(field_type(w, f));
		} else if (wa_sx_head(f, "elem")) {
			TRY(add_name(w, &w->sp[SP_ELEM], field_id(f, 0, false)));
		} else if (wa_sx_head(f, "data")) {
			TRY(add_name(w, &w->sp[SP_DATA], field_id(f, 0, false)));
		} else if (!is_import_field(f, &kind) && !kind_of(&f->items[0], &kind)) {
			idx[i] = w->sp[kind_space[kind]].n;
			TRY(add_name(w, &w->sp[kind_space[kind]], field_id(f, kind, false)));
			/* inline (elem ...) in a table / (data ...) in a memory */
			if (kind == WA_EXT_TABLE || kind == WA_EXT_MEMORY)
				for (uint32_t k = 1; k < f->n; k++)
					if (wa_sx_head(&f->items[k], kind == WA_EXT_TABLE ? "elem" : "data"))
						TRY(add_name(w, &w->sp[kind == WA_EXT_TABLE ? SP_ELEM : SP_DATA], NULL));
		} else if (!wa_sx_head(f, "import") && !wa_sx_head(f, "export") && !wa_sx_head(f, "start") &&
			   kind_of(&f->items[0], &kind)) {
			return fail(w, f, "unexpected token");
		}
	}
	return 0;
}

static int pass2(wat *w, const wa_sx *m, uint32_t first, const uint32_t *idx)
{
	for (uint32_t i = first; i < m->n; i++) {
		const wa_sx *f = &m->items[i];
		const wa_sx *h = &f->items[0];
		if (wa_sx_is(h, "type")) continue;
		else if (wa_sx_is(h, "import")) TRY(field_import(w, f));
		else if (wa_sx_is(h, "func")) TRY(field_func(w, f, idx[i]));
		else if (wa_sx_is(h, "table")) TRY(field_table(w, f, idx[i]));
		else if (wa_sx_is(h, "memory")) TRY(field_memory(w, f, idx[i]));
		else if (wa_sx_is(h, "global")) TRY(field_global(w, f, idx[i]));
		else if (wa_sx_is(h, "export")) TRY(field_export(w, f));
		else if (wa_sx_is(h, "start")) TRY(field_start(w, f));
		else if (wa_sx_is(h, "elem")) TRY(field_elem(w, f));
		else if (wa_sx_is(h, "data")) TRY(field_data(w, f));
		else return fail(w, h, "unexpected token");
	}
	return 0;
}

static void section(buf *out, uint8_t id, uint32_t count, const buf *b, bool always)
{
	buf tmp = { 0 };
	if (!count && !always)
		return;
	putu(&tmp, count);
	put(&tmp, b->p, b->n);
	put8(out, id);
	putu(out, tmp.n);
	put(out, tmp.p, tmp.n);
	free(tmp.p);
}

/* Function names ($ids, without the '$') for trap traces. */
static void name_section(wat *w, buf *out)
{
	space *f = &w->sp[SP_FUNC];
	buf names = { 0 }, sub = { 0 }, sec = { 0 };
	uint32_t n = 0;
	for (uint32_t i = 0; i < f->n; i++)
		if (f->v[i].n > 1) {
			putu(&names, i);
			putname(&names, (const uint8_t *)f->v[i].s + 1, f->v[i].n - 1);
			n++;
		}
	if (n) {
		putu(&sub, n);
		put(&sub, names.p, names.n);
		putname(&sec, (const uint8_t *)"name", 4);
		put8(&sec, 1);
		putu(&sec, sub.n);
		put(&sec, sub.p, sub.n);
		put8(out, 0);
		putu(out, sec.n);
		put(out, sec.p, sec.n);
	}
	free(names.p);
	free(sub.p);
	free(sec.p);
}

static void assemble(wat *w, buf *out)
{
	buf types = { 0 };
	put(out, "\0asm\1\0\0\0", 8);
	for (uint32_t i = 0; i < w->nft; i++) {
		put8(&types, 0x60);
		putu(&types, w->ft[i].np);
		put(&types, w->ft[i].t, w->ft[i].np);
		putu(&types, w->ft[i].nr);
		put(&types, w->ft[i].t + w->ft[i].np, w->ft[i].nr);
	}
	section(out, 1, w->nft, &types, false);
	section(out, 2, w->nimp, &w->imp, false);
	section(out, 3, w->nfunc, &w->func, false);
	section(out, 4, w->ntable, &w->table, false);
	section(out, 5, w->nmem, &w->mem, false);
	section(out, 6, w->nglobal, &w->global, false);
	section(out, 7, w->nexp, &w->exp, false);
	if (w->has_start) {
		put8(out, 8);
		putu(out, w->start.n);
		put(out, w->start.p, w->start.n);
	}
	section(out, 9, w->nelem, &w->elem, false);
	if (w->data_ops || w->ndata) {
		buf dc = { 0 };
		putu(&dc, w->ndata);
		put8(out, 12);
		putu(out, dc.n);
		put(out, dc.p, dc.n);
		free(dc.p);
	}
	section(out, 10, w->nfunc, &w->code, false);
	section(out, 11, w->ndata, &w->data, false);
	name_section(w, out);
	free(types.p);
}

static void wat_free(wat *w)
{
	buf *bufs[] = { &w->imp, &w->func, &w->table, &w->mem, &w->global, &w->exp, &w->start,
			&w->elem, &w->code, &w->data };
	for (size_t i = 0; i < ARRAY_SIZE(bufs); i++)
		free(bufs[i]->p);
	for (int i = 0; i < SP_N; i++)
		free(w->sp[i].v);
	free(w->locals.v);
	free(w->ft);
}

static int encode_text(const wa_sx *m, uint32_t first, buf *out, wa_err *e)
{
	wat *w = calloc(1, sizeof *w);
	uint32_t *idx = calloc(m->n + 1, sizeof *idx);
	int err;
	if (!w || !idx) {
		free(w);
		free(idx);
		return -ERR_NOMEM;
	}
	w->e = e;
	err = pass1(w, m, first, idx);
	if (!err)
		err = pass2(w, m, first, idx);
	if (!err)
		assemble(w, out);
	wat_free(w);
	free(w);
	free(idx);
	return err;
}

static int concat_strings(const wa_sx *m, uint32_t i, buf *b, wa_err *e)
{
	for (; i < m->n; i++) {
		if (m->items[i].kind != WA_SX_STR)
			return wa_fail(e, m->items[i].line, ERR_FORMAT, "unexpected token");
		put(b, m->items[i].str, m->items[i].n);
	}
	return 0;
}

int wa_wat_encode(const wa_sx *m, uint8_t **out, size_t *len, wa_err *e)
{
	uint32_t i = 1;
	buf b = { 0 };
	int err;
	if (!wa_sx_head(m, "module"))
		return wa_fail(e, m->line, ERR_FORMAT, "unexpected token");
	if (i < m->n && is_id(&m->items[i]))
		i++;
	if (i < m->n && wa_sx_is(&m->items[i], "binary")) {
		err = concat_strings(m, i + 1, &b, e);
	} else if (i < m->n && wa_sx_is(&m->items[i], "quote")) {
		buf src = { 0 };
		wa_sx top;
		put(&src, "(module ", 8);
		err = concat_strings(m, i + 1, &src, e);
		put(&src, ")", 1);
		if (!err)
			err = wa_sx_parse((const char *)src.p, src.n, &top, e);
		if (!err) {
			if (top.n != 1)
				err = wa_fail(e, 0, ERR_FORMAT, "unexpected token");
			else
				err = wa_wat_encode(&top.items[0], out, len, e);
			wa_sx_free(&top);
		}
		free(src.p);
		return err;
	} else {
		err = encode_text(m, i, &b, e);
	}
	if (!err && b.oom)
		err = -ERR_NOMEM;
	if (err) {
		free(b.p);
		return err;
	}
	*out = b.p;
	*len = b.n;
	return 0;
}

int wa_wat_to_wasm(const char *src, size_t len, uint8_t **bin, size_t *blen, wa_err *e)
{
	static const char module_kw[] = "module";
	wa_sx top;
	uint32_t modules = 0, atom = 0;
	int err;
	*bin = NULL;
	*blen = 0;
	if ((err = wa_sx_parse(src ? src : "", src ? len : 0, &top, e)))
		return err;
	for (uint32_t i = top.n; i-- > 0;) {
		modules += wa_sx_head(&top.items[i], "module");
		if (top.items[i].kind != WA_SX_LIST)
			atom = i + 1; /* the first one */
	}
	if (modules == 1 && top.n == 1) {
		err = wa_wat_encode(&top.items[0], bin, blen, e);
	} else if (!modules && !atom) { /* fields alone: as if inside (module ...) */
		wa_sx m = { .kind = WA_SX_LIST, .n = top.n + 1, .line = top.n ? top.items[0].line : 1 };
		if (!(m.items = malloc(((size_t)top.n + 1) * sizeof *m.items))) {
			err = wa_fail(e, 0, ERR_NOMEM, "out of memory");
		} else {
			m.items[0] = (wa_sx){ .kind = WA_SX_ATOM, .n = 6, .line = m.line, .atom = module_kw };
			if (top.n)
				memcpy(m.items + 1, top.items, top.n * sizeof *m.items);
			err = wa_wat_encode(&m, bin, blen, e);
			free(m.items); /* the items themselves belong to top */
		}
	} else {
		err = wa_fail(e, top.items[atom ? atom - 1 : top.n - 1].line, ERR_FORMAT,
			      "expected one (module ...) form or module fields");
	}
	wa_sx_free(&top);
	return err;
}
