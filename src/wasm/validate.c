/* validate.c - the WebAssembly 2.0 validator: module-level rules and the
 * operand/control stack algorithm of the spec's appendix for function bodies.
 * Messages are the spec test suite's ("type mismatch", "unknown local", ...). */
#include "wasm/reader.h"

#include <stdlib.h>

#define TRY(x) do { int err_ = (x); if (err_) return err_; } while (0)

typedef struct vctrl {
	uint16_t op;
	const uint8_t *params, *results;
	uint32_t nparams, nresults;
	uint32_t height;
	bool unreachable;
	uint8_t single;          /* storage for a one-value block type */
} vctrl;

static const uint8_t *ctrl_results(const vctrl *f)
{
	return f->results ? f->results : &f->single;
}

typedef struct vctx {
	wa_module *m;
	wa_err *e;
	size_t pos;
	uint8_t *vals;
	uint32_t nvals, capvals;
	vctrl *ctrls;
	uint32_t nctrls, capctrls;
	uint8_t *locals;
	uint32_t nlocals;
} vctx;

static int verr(vctx *c, const char *msg)
{
	return wa_fail(c->e, c->pos, ERR_INVAL, "%s", msg);
}

static int push(vctx *c, uint8_t t)
{
	if (c->nvals == c->capvals) {
		c->capvals = c->capvals ? 2 * c->capvals : 64;
		c->vals = realloc(c->vals, c->capvals);
		if (!c->vals)
			return -ERR_NOMEM;
	}
	c->vals[c->nvals++] = t;
	return 0;
}

static int pop(vctx *c, uint8_t *out)
{
	vctrl *f = &c->ctrls[c->nctrls - 1];
	*out = WA_ANY;
	if (c->nvals == f->height) {
		if (f->unreachable) {
			*out = WA_ANY;
			return 0;
		}
		return verr(c, "type mismatch");
	}
	*out = c->vals[--c->nvals];
	return 0;
}

static int pop_expect(vctx *c, uint8_t want, uint8_t *got)
{
	uint8_t t;
	TRY(pop(c, &t));
	if (t != want && t != WA_ANY && want != WA_ANY)
		return verr(c, "type mismatch");
	if (got)
		*got = t == WA_ANY ? want : t;
	return 0;
}

static int pops(vctx *c, const uint8_t *ts, uint32_t n)
{
	for (uint32_t i = n; i-- > 0;)
		TRY(pop_expect(c, ts[i], NULL));
	return 0;
}

static int pushes(vctx *c, const uint8_t *ts, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		TRY(push(c, ts[i]));
	return 0;
}

static int push_ctrl(vctx *c, uint16_t op, const uint8_t *in, uint32_t nin, const uint8_t *out, uint32_t nout,
		     uint8_t single)
{
	vctrl *f;
	if (c->nctrls == c->capctrls) {
		c->capctrls = c->capctrls ? 2 * c->capctrls : 16;
		c->ctrls = realloc(c->ctrls, c->capctrls * sizeof *c->ctrls);
		if (!c->ctrls)
			return -ERR_NOMEM;
	}
	f = &c->ctrls[c->nctrls++];
	*f = (vctrl){ op, in, out, nin, nout, c->nvals, false, single };
	return pushes(c, in, nin);
}

static int pop_ctrl(vctx *c, vctrl *out)
{
	vctrl *f;
	if (!c->nctrls)
		return verr(c, "type mismatch");
	f = &c->ctrls[c->nctrls - 1];
	TRY(pops(c, ctrl_results(f), f->nresults));
	if (c->nvals != f->height)
		return verr(c, "type mismatch");
	*out = *f;
	c->nctrls--;
	return 0;
}

static void set_unreachable(vctx *c)
{
	vctrl *f = &c->ctrls[c->nctrls - 1];
	c->nvals = f->height;
	f->unreachable = true;
}

static void label_types(vctrl *f, const uint8_t **ts, uint32_t *n)
{
	if (f->op == WA_OP_LOOP) {
		*ts = f->params;
		*n = f->nparams;
	} else {
		*ts = ctrl_results(f);
		*n = f->nresults;
	}
}

/* Table-driven instructions: pop the operand letters, push the results. */
static int check_sig(vctx *c, const char *sig)
{
	const char *colon = strchr(sig, ':');
	for (const char *p = colon; p-- > sig;)
		TRY(pop_expect(c, wa_letter_type(*p), NULL));
	for (const char *p = colon + 1; *p; p++)
		TRY(push(c, wa_letter_type(*p)));
	return 0;
}

static int blocktype(vctx *c, wa_instr *in, const uint8_t **pin, uint32_t *nin, const uint8_t **pout,
		     uint32_t *nout)
{
	*pin = NULL;
	*nin = 0;
	*pout = NULL;
	*nout = 0;
	if (in->bt_kind == WA_BT_VAL) {
		*nout = 1;
	} else if (in->bt_kind == WA_BT_TYPE) {
		if (in->a >= c->m->ntypes)
			return verr(c, "unknown type");
		wa_functype *t = &c->m->types[in->a];
		*pin = t->types;
		*nin = t->nparams;
		*pout = wa_ft_results(t);
		*nout = t->nresults;
	}
	return 0;
}

static int check_block(vctx *c, wa_instr *in)
{
	const uint8_t *pin, *pout;
	uint32_t nin, nout;
	TRY(blocktype(c, in, &pin, &nin, &pout, &nout));
	if (in->op == WA_OP_IF)
		TRY(pop_expect(c, WA_I32, NULL));
	TRY(pops(c, pin, nin));
	return push_ctrl(c, in->op, pin, nin, pout, nout, (uint8_t)in->a);
}

static int check_br_table(vctx *c, wa_instr *in)
{
	wa_reader r = { in->brt, c->m->bytes + c->m->len, c->m->bytes, c->e, NULL };
	const uint8_t *ts;
	uint32_t n, arity = 0, l;
	uint8_t got[64];
	TRY(pop_expect(c, WA_I32, NULL));
	if (in->b >= c->nctrls)
		return verr(c, "unknown label");
	label_types(&c->ctrls[c->nctrls - 1 - in->b], &ts, &arity);
	for (uint32_t i = 0; i <= in->a; i++) {
		TRY(rd_u32(&r, &l));
		if (l >= c->nctrls)
			return verr(c, "unknown label");
		label_types(&c->ctrls[c->nctrls - 1 - l], &ts, &n);
		if (n != arity)
			return verr(c, "type mismatch");
		if (n > sizeof got)
			return verr(c, "type mismatch");
		/* pop and push back what was there (unknown stays unknown) */
		for (uint32_t k = n; k-- > 0;) {
			TRY(pop(c, &got[k]));
			if (got[k] != ts[k] && got[k] != WA_ANY)
				return verr(c, "type mismatch");
		}
		for (uint32_t k = 0; k < n; k++)
			TRY(push(c, got[k]));
	}
	label_types(&c->ctrls[c->nctrls - 1 - in->b], &ts, &n);
	TRY(pops(c, ts, n));
	set_unreachable(c);
	return 0;
}

static int check_memarg(vctx *c, wa_instr *in, int imm)
{
	int nat = wa_imm_memalign(imm);
	if (c->m->nmems == 0)
		return verr(c, "unknown memory 0");
	if (in->align > (uint32_t)nat)
		return verr(c, "alignment must not be larger than natural");
	if (imm >= WA_IMM_ML0 && in->a >= (uint32_t)wa_imm_lanes(imm))
		return verr(c, "invalid lane index");
	return 0;
}

static uint8_t local_type(vctx *c, uint32_t idx)
{
	return idx < c->nlocals ? c->locals[idx] : 0;
}

static int check_table_op(vctx *c, wa_instr *in)
{
	wa_module *m = c->m;
	uint8_t et;
	if (in->a >= m->ntables)
		return verr(c, "unknown table");
	et = m->tables[in->a].elem;
	switch (in->op) {
	case WA_OP_TABLE_GET:
		TRY(pop_expect(c, WA_I32, NULL));
		return push(c, et);
	case WA_OP_TABLE_SET:
		TRY(pop_expect(c, et, NULL));
		return pop_expect(c, WA_I32, NULL);
	case WA_OP_TABLE_SIZE:
		return push(c, WA_I32);
	case WA_OP_TABLE_GROW:
		TRY(pop_expect(c, WA_I32, NULL));
		TRY(pop_expect(c, et, NULL));
		return push(c, WA_I32);
	default: /* fill */
		TRY(pop_expect(c, WA_I32, NULL));
		TRY(pop_expect(c, et, NULL));
		return pop_expect(c, WA_I32, NULL);
	}
}

static int check_select(vctx *c, wa_instr *in)
{
	uint8_t t1, t2;
	TRY(pop_expect(c, WA_I32, NULL));
	if (in->op == WA_OP_SELECT_T) {
		if (in->a != 1)
			return verr(c, "invalid result arity");
		TRY(pop_expect(c, (uint8_t)in->b, NULL));
		TRY(pop_expect(c, (uint8_t)in->b, NULL));
		return push(c, (uint8_t)in->b);
	}
	TRY(pop(c, &t1));
	TRY(pop(c, &t2));
	if (t1 == WA_FUNCREF || t1 == WA_EXTERNREF || t2 == WA_FUNCREF || t2 == WA_EXTERNREF)
		return verr(c, "type mismatch");
	if (t1 != t2 && t1 != WA_ANY && t2 != WA_ANY)
		return verr(c, "type mismatch");
	return push(c, t1 == WA_ANY ? t2 : t1);
}

static int check_call(vctx *c, const wa_functype *t)
{
	TRY(pops(c, t->types, t->nparams));
	return pushes(c, wa_ft_results(t), t->nresults);
}

static int check_control(vctx *c, wa_instr *in)
{
	vctrl f;
	const uint8_t *ts;
	uint32_t n;
	switch (in->op) {
	case WA_OP_UNREACHABLE: set_unreachable(c); return 0;
	case WA_OP_NOP: return 0;
	case WA_OP_BLOCK: case WA_OP_LOOP: case WA_OP_IF: return check_block(c, in);
	case WA_OP_ELSE:
		if (c->ctrls[c->nctrls - 1].op != WA_OP_IF)
			return verr(c, "else without if");
		TRY(pop_ctrl(c, &f));
		return push_ctrl(c, WA_OP_ELSE, f.params, f.nparams, f.results, f.nresults, f.single);
	case WA_OP_END:
		TRY(pop_ctrl(c, &f));
		if (f.op == WA_OP_IF && (f.nparams != f.nresults ||
					 (f.nparams && memcmp(f.params, ctrl_results(&f), f.nparams))))
			return verr(c, "type mismatch");
		return pushes(c, ctrl_results(&f), f.nresults);
	case WA_OP_BR:
		if (in->a >= c->nctrls)
			return verr(c, "unknown label");
		label_types(&c->ctrls[c->nctrls - 1 - in->a], &ts, &n);
		TRY(pops(c, ts, n));
		set_unreachable(c);
		return 0;
	case WA_OP_BR_IF:
		if (in->a >= c->nctrls)
			return verr(c, "unknown label");
		TRY(pop_expect(c, WA_I32, NULL));
		label_types(&c->ctrls[c->nctrls - 1 - in->a], &ts, &n);
		TRY(pops(c, ts, n));
		return pushes(c, ts, n);
	case WA_OP_BR_TABLE: return check_br_table(c, in);
	case WA_OP_RETURN:
		TRY(pops(c, ctrl_results(&c->ctrls[0]), c->ctrls[0].nresults));
		set_unreachable(c);
		return 0;
	}
	return 1; /* not a control instruction */
}

static int check_variable(vctx *c, wa_instr *in)
{
	wa_module *m = c->m;
	uint8_t t;
	switch (in->op) {
	case WA_OP_LOCAL_GET: case WA_OP_LOCAL_SET: case WA_OP_LOCAL_TEE:
		if (!(t = local_type(c, in->a)))
			return verr(c, "unknown local");
		if (in->op == WA_OP_LOCAL_GET)
			return push(c, t);
		TRY(pop_expect(c, t, NULL));
		return in->op == WA_OP_LOCAL_TEE ? push(c, t) : 0;
	case WA_OP_GLOBAL_GET: case WA_OP_GLOBAL_SET:
		if (in->a >= m->nglobals)
			return verr(c, "unknown global");
		if (in->op == WA_OP_GLOBAL_GET)
			return push(c, m->globals[in->a].type);
		if (!m->globals[in->a].mut)
			return verr(c, "global is immutable");
		return pop_expect(c, m->globals[in->a].type, NULL);
	}
	return 1;
}

static int check_other(vctx *c, wa_instr *in)
{
	wa_module *m = c->m;
	uint8_t t;
	switch (in->op) {
	case WA_OP_CALL:
		if (in->a >= m->nfuncs)
			return verr(c, "unknown function");
		return check_call(c, &m->types[m->func_types[in->a]]);
	case WA_OP_CALL_INDIRECT:
		if (in->b >= m->ntables)
			return verr(c, "unknown table");
		if (in->a >= m->ntypes)
			return verr(c, "unknown type");
		if (m->tables[in->b].elem != WA_FUNCREF)
			return verr(c, "type mismatch");
		TRY(pop_expect(c, WA_I32, NULL));
		return check_call(c, &m->types[in->a]);
	case WA_OP_DROP: return pop(c, &t);
	case WA_OP_SELECT: case WA_OP_SELECT_T: return check_select(c, in);
	case WA_OP_TABLE_GET: case WA_OP_TABLE_SET: case WA_OP_TABLE_SIZE: case WA_OP_TABLE_GROW:
	case WA_OP_TABLE_FILL:
		return check_table_op(c, in);
	case WA_OP_MEMORY_SIZE: case WA_OP_MEMORY_GROW: case WA_OP_MEMORY_FILL: case WA_OP_MEMORY_COPY:
		if (!m->nmems)
			return verr(c, "unknown memory 0");
		if (in->op == WA_OP_MEMORY_SIZE)
			return push(c, WA_I32);
		if (in->op == WA_OP_MEMORY_GROW)
			return check_sig(c, "i:i");
		return check_sig(c, "iii:");
	case WA_OP_MEMORY_INIT: case WA_OP_DATA_DROP:
		if (!m->has_datacount)
			return wa_fail(c->e, c->pos, ERR_FORMAT, "data count section required");
		if (in->op == WA_OP_MEMORY_INIT && !m->nmems)
			return verr(c, "unknown memory 0");
		if (in->a >= m->datacount)
			return verr(c, "unknown data segment");
		return in->op == WA_OP_DATA_DROP ? 0 : check_sig(c, "iii:");
	case WA_OP_TABLE_INIT:
		if (in->b >= m->ntables)
			return verr(c, "unknown table");
		if (in->a >= m->nelems)
			return verr(c, "unknown elem segment");
		if (m->elems[in->a].type != m->tables[in->b].elem)
			return verr(c, "type mismatch");
		return check_sig(c, "iii:");
	case WA_OP_ELEM_DROP:
		return in->a >= m->nelems ? verr(c, "unknown elem segment") : 0;
	case WA_OP_TABLE_COPY:
		if (in->a >= m->ntables || in->b >= m->ntables)
			return verr(c, "unknown table");
		if (m->tables[in->a].elem != m->tables[in->b].elem)
			return verr(c, "type mismatch");
		return check_sig(c, "iii:");
	case WA_OP_I32_CONST: return push(c, WA_I32);
	case WA_OP_I64_CONST: return push(c, WA_I64);
	case WA_OP_F32_CONST: return push(c, WA_F32);
	case WA_OP_F64_CONST: return push(c, WA_F64);
	case WA_OP_V128_CONST: return push(c, WA_V128);
	case WA_OP_I8X16_SHUFFLE:
		for (int i = 0; i < 16; i++)
			if (((uint8_t *)in->v)[i] >= 32)
				return verr(c, "invalid lane index");
		return check_sig(c, "vv:v");
	case WA_OP_REF_NULL: return push(c, (uint8_t)in->a);
	case WA_OP_REF_IS_NULL:
		TRY(pop(c, &t));
		if (t != WA_ANY && t != WA_FUNCREF && t != WA_EXTERNREF)
			return verr(c, "type mismatch");
		return push(c, WA_I32);
	case WA_OP_REF_FUNC:
		if (in->a >= m->nfuncs)
			return verr(c, "unknown function");
		if (!m->declared_refs[in->a])
			return verr(c, "undeclared function reference");
		return push(c, WA_FUNCREF);
	}
	return verr(c, "illegal opcode");
}

static int check_instr(vctx *c, wa_instr *in)
{
	const wa_opinfo *o = &wa_ops[in->op];
	int r;
	if (o->sig) {
		if (wa_imm_memalign(o->imm) >= 0)
			TRY(check_memarg(c, in, o->imm));
		else if (wa_imm_lanes(o->imm) && in->a >= (uint32_t)wa_imm_lanes(o->imm))
			return verr(c, "invalid lane index");
		return check_sig(c, o->sig);
	}
	if ((r = check_control(c, in)) <= 0)
		return r;
	if ((r = check_variable(c, in)) <= 0)
		return r;
	return check_other(c, in);
}

static int check_func(wa_module *m, uint32_t fi, wa_err *e)
{
	wa_funcdef *f = &m->funcs[fi];
	const wa_functype *t = &m->types[f->type];
	wa_reader r = { f->body, f->end, m->bytes, e, "unexpected end of section or function" };
	vctx c = { .m = m, .e = e };
	wa_instr in;
	int err = 0;
	c.nlocals = t->nparams + f->nlocals;
	c.locals = malloc(c.nlocals + 1);
	if (!c.locals)
		return -ERR_NOMEM;
	memcpy(c.locals, t->types, t->nparams);
	memcpy(c.locals + t->nparams, f->locals, f->nlocals);
	err = push_ctrl(&c, WA_OP_BLOCK, NULL, 0, wa_ft_results(t), t->nresults, 0);
	while (!err && c.nctrls > 0) {
		if (r.p >= r.end) {
			err = wa_fail(e, rd_off(&r), ERR_FORMAT, "unexpected end of section or function");
			break;
		}
		err = wa_read_instr(&r, &in);
		if (err)
			break;
		c.pos = in.pos;
		err = check_instr(&c, &in);
	}
	if (!err && r.p != r.end)
		err = wa_fail(e, rd_off(&r), ERR_FORMAT, "section size mismatch");
	free(c.locals);
	free(c.vals);
	free(c.ctrls);
	return err;
}

/* ---- module-level rules ---- */

static uint8_t const_type(wa_module *m, const wa_const *k, wa_err *e, int *err, uint32_t nglobals)
{
	switch (k->op) {
	case WA_OP_I32_CONST: return WA_I32;
	case WA_OP_I64_CONST: return WA_I64;
	case WA_OP_F32_CONST: return WA_F32;
	case WA_OP_F64_CONST: return WA_F64;
	case WA_OP_V128_CONST: return WA_V128;
	case WA_OP_REF_NULL: return (uint8_t)k->idx;
	case WA_OP_REF_FUNC:
		if (k->idx >= m->nfuncs)
			*err = wa_fail(e, 0, ERR_INVAL, "unknown function %u", k->idx);
		return WA_FUNCREF;
	case WA_OP_GLOBAL_GET:
		if (k->idx >= nglobals) {
			*err = wa_fail(e, 0, ERR_INVAL, "unknown global %u", k->idx);
			return 0;
		}
		if (m->globals[k->idx].mut)
			*err = wa_fail(e, 0, ERR_INVAL, "constant expression required");
		return m->globals[k->idx].type;
	case WA_NOPS + 2:
		*err = wa_fail(e, 0, ERR_INVAL, "type mismatch");
		return 0;
	}
	*err = wa_fail(e, 0, ERR_INVAL, "constant expression required");
	return 0;
}

static int check_const(wa_module *m, const wa_const *k, uint8_t want, wa_err *e)
{
	int err = 0;
	uint8_t t = const_type(m, k, e, &err, m->nglobal_imports);
	if (err)
		return err;
	if (t != want)
		return wa_fail(e, 0, ERR_INVAL, "type mismatch");
	return 0;
}

static int check_limits(const wa_limits *l, uint64_t bound, const char *msg, wa_err *e)
{
	if (l->min > bound || (l->has_max && l->max > bound))
		return wa_fail(e, 0, ERR_INVAL, "%s", msg);
	if (l->has_max && l->min > l->max)
		return wa_fail(e, 0, ERR_INVAL, "size minimum must not be greater than maximum");
	return 0;
}

static void mark_refs(wa_module *m)
{
	m->declared_refs = calloc(m->nfuncs + 1, 1);
	for (uint32_t i = 0; i < m->nelems; i++)
		for (uint32_t k = 0; k < m->elems[i].count; k++)
			if (m->elems[i].init[k].op == WA_OP_REF_FUNC && m->elems[i].init[k].idx < m->nfuncs)
				m->declared_refs[m->elems[i].init[k].idx] = 1;
	for (uint32_t i = 0; i < m->nexports; i++)
		if (m->exports[i].kind == WA_EXT_FUNC && m->exports[i].idx < m->nfuncs)
			m->declared_refs[m->exports[i].idx] = 1;
	for (uint32_t i = 0; i < m->nglobals - m->nglobal_imports; i++)
		if (m->global_init[i].op == WA_OP_REF_FUNC && m->global_init[i].idx < m->nfuncs)
			m->declared_refs[m->global_init[i].idx] = 1;
}

static int check_types_and_imports(wa_module *m, wa_err *e)
{
	for (uint32_t i = 0; i < m->nfuncs; i++)
		if (m->func_types[i] >= m->ntypes)
			return wa_fail(e, 0, ERR_INVAL, "unknown type");
	for (uint32_t i = 0; i < m->ntables; i++)
		TRY(check_limits(&m->tables[i].lim, 0xffffffffu, "table size", e));
	if (m->nmems > 1)
		return wa_fail(e, 0, ERR_INVAL, "multiple memories");
	for (uint32_t i = 0; i < m->nmems; i++)
		TRY(check_limits(&m->mems[i], 65536, "memory size must be at most 65536 pages (4GiB)", e));
	return 0;
}

static int check_exports(wa_module *m, wa_err *e)
{
	for (uint32_t i = 0; i < m->nexports; i++) {
		wa_export *x = &m->exports[i];
		static const char *const unk[] = { "unknown function", "unknown table", "unknown memory",
						   "unknown global" };
		uint32_t lim[] = { m->nfuncs, m->ntables, m->nmems, m->nglobals };
		if (x->idx >= lim[x->kind])
			return wa_fail(e, 0, ERR_INVAL, "%s", unk[x->kind]);
		for (uint32_t k = 0; k < i; k++)
			if (m->exports[k].len == x->len && !memcmp(m->exports[k].name, x->name, x->len))
				return wa_fail(e, 0, ERR_INVAL, "duplicate export name");
	}
	return 0;
}

static int check_segments(wa_module *m, wa_err *e)
{
	for (uint32_t i = 0; i < m->nelems; i++) {
		wa_elem *s = &m->elems[i];
		if (s->mode == WA_SEG_ACTIVE) {
			if (s->table >= m->ntables)
				return wa_fail(e, 0, ERR_INVAL, "unknown table");
			TRY(check_const(m, &s->offset, WA_I32, e));
			if (m->tables[s->table].elem != s->type)
				return wa_fail(e, 0, ERR_INVAL, "type mismatch");
		}
		for (uint32_t k = 0; k < s->count; k++)
			TRY(check_const(m, &s->init[k], s->type, e));
	}
	for (uint32_t i = 0; i < m->ndatas; i++) {
		wa_data *d = &m->datas[i];
		if (d->mode != WA_SEG_ACTIVE)
			continue;
		if (d->mem >= m->nmems)
			return wa_fail(e, 0, ERR_INVAL, "unknown memory %u", d->mem);
		TRY(check_const(m, &d->offset, WA_I32, e));
	}
	return 0;
}

int wa_validate(wa_module *m, wa_err *e)
{
	TRY(check_types_and_imports(m, e));
	for (uint32_t i = 0; i < m->nglobals - m->nglobal_imports; i++)
		TRY(check_const(m, &m->global_init[i], m->globals[m->nglobal_imports + i].type, e));
	TRY(check_exports(m, e));
	if (m->has_start) {
		if (m->start >= m->nfuncs)
			return wa_fail(e, 0, ERR_INVAL, "unknown function");
		const wa_functype *t = &m->types[m->func_types[m->start]];
		if (t->nparams || t->nresults)
			return wa_fail(e, 0, ERR_INVAL, "start function");
	}
	TRY(check_segments(m, e));
	mark_refs(m);
	for (uint32_t i = 0; i < m->nfuncs - m->nfunc_imports; i++)
		TRY(check_func(m, i, e));
	return 0;
}
