/* compile.c - compiles each validated function once into register-style
 * internal code: every operand stack entry gets a fixed frame slot, branches
 * become precomputed offsets with the value moves they need. */
#include "wasm/interp.h"
#include "wasm/reader.h"

#include <pthread.h>
#include <stdlib.h>

#define NONE_FIX UINT32_MAX
#define LOC_K (UINT32_MAX - 1)  /* a stack entry's value is the constant kv[i] */

typedef struct cblock {
	uint16_t op;
	uint8_t single;
	uint32_t nparams, nresults;
	const uint8_t *params, *results;
	uint32_t height, base_slot, loop_start, else_fix;
	uint32_t *fix;
	uint32_t nfix, capfix;
} cblock;

typedef struct comp {
	wa_module *m;
	wa_err *e;
	wa_cell *code;
	uint32_t n, cap;
	uint8_t *tys;
	uint32_t *slots;        /* home slot of each stack entry */
	uint32_t *locs;         /* where its value is now: home, a local it aliases, or LOC_K */
	uint64_t *kv;           /* the value of a LOC_K entry */
	uint32_t ntys, captys, sp, maxsp;
	cblock *blocks;
	uint32_t nblocks, capblocks;
	uint32_t *lslot;
	uint8_t *ltype;
	uint32_t nlocals;
	bool dead;
	uint32_t dead_depth;
	uint32_t last_dst;      /* {d, a} cell of the instruction just emitted that
				 * computed a value into a home slot, or NONE_FIX */
	uint16_t last_op;       /* its opcode */
	bool last_k;            /* it was the constant-operand variant */
	bool oom;
	uint8_t *map;           /* source map: (cell delta, byte delta) LEB128 pairs */
	uint32_t nmap, capmap, map_cell;
	size_t map_pos;
	uint32_t undo_nmap, undo_cell; /* the map before its last entry */
	size_t undo_pos;
	uint32_t cut;           /* cell the current instruction cut the code back to (fused
				 * into the one before), or NONE_FIX */
} comp;

/* The generated variants of each table row (0: none), see interp.h. */
#define CHK_OF_LD(n) [WA_OP_##n] = WA_CHK_##n,
#define CHK_OF_ST(n) [WA_OP_##n] = WA_CHK_##n,
#define CHK_OF_VMEM(n) [WA_OP_##n] = WA_CHK_##n,
#define CHK_OF_BINI(n)
#define CHK_OF_BIN(n)
#define CHK_OF_UNI(n)
#define CHK_OF_X(n)
#define BRT_OF_BINI(n) [WA_OP_##n] = WA_BRT_##n,
#define BRT_OF_UNI(n) [WA_OP_##n] = WA_BRT_##n,
#define BRT_OF_BIN(n)
#define BRT_OF_LD(n)
#define BRT_OF_ST(n)
#define BRT_OF_VMEM(n)
#define BRT_OF_X(n)
#define K_OF_BINI(n) [WA_OP_##n] = WA_K_##n,
#define K_OF_BIN(n) [WA_OP_##n] = WA_K_##n,
#define K_OF_UNI(n)
#define K_OF_LD(n)
#define K_OF_ST(n)
#define K_OF_VMEM(n)
#define K_OF_X(n)
#define ADDR_OF_LD(n) [WA_OP_##n] = WA_A_##n,
#define ADDR_OF_ST(n) [WA_OP_##n] = WA_A_##n,
#define ADDR_OF_VMEM(n)
#define ADDR_OF_BINI(n)
#define ADDR_OF_BIN(n)
#define ADDR_OF_UNI(n)
#define ADDR_OF_X(n)
static const uint16_t chk_of[WA_NOPS] = { /* bounds-checked load/store */
#define X(name, pfx, code, text, imm, shape, expr) WA_BY_CLASS(CHK_OF_, shape)(name)
	WA_OPCODES(X)
#undef X
};
static const uint16_t brt_of[WA_NOPS] = { /* compare-and-branch; BRF is BRT + 1 */
#define X(name, pfx, code, text, imm, shape, expr) WA_BY_CLASS(BRT_OF_, shape)(name)
	WA_OPCODES(X)
#undef X
};
static const uint16_t k_of[WA_NOPS] = { /* constant operand; for compares BRTK, BRFK follow */
#define X(name, pfx, code, text, imm, shape, expr) WA_BY_CLASS(K_OF_, shape)(name)
	WA_OPCODES(X)
#undef X
};
static const uint16_t addr_of[WA_NOPS] = { /* address add fused in; AK is A + 1 */
#define X(name, pfx, code, text, imm, shape, expr) WA_BY_CLASS(ADDR_OF_, shape)(name)
	WA_OPCODES(X)
#undef X
};
static bool guard_mode;

/* Identities the compiler rewrites with: op(a, b) == swapped(b, a) lets a
 * constant first operand become the K operand; eqz(op(a, b)) == negated(a, b)
 * folds an i32.eqz into the compare before it (not for floats: NaN). */
#define RW(op, sw, ng) [WA_OP_##op] = { WA_OP_##sw, WA_OP_##ng },
#define RW_C(op) [WA_OP_##op] = { WA_OP_##op, 0 },
static const struct { uint16_t swapped, negated; } rewrite[WA_NOPS] = {
	RW(I32_EQ, I32_EQ, I32_NE) RW(I32_NE, I32_NE, I32_EQ)
	RW(I32_LT_S, I32_GT_S, I32_GE_S) RW(I32_LT_U, I32_GT_U, I32_GE_U)
	RW(I32_GT_S, I32_LT_S, I32_LE_S) RW(I32_GT_U, I32_LT_U, I32_LE_U)
	RW(I32_LE_S, I32_GE_S, I32_GT_S) RW(I32_LE_U, I32_GE_U, I32_GT_U)
	RW(I32_GE_S, I32_LE_S, I32_LT_S) RW(I32_GE_U, I32_LE_U, I32_LT_U)
	RW(I64_EQ, I64_EQ, I64_NE) RW(I64_NE, I64_NE, I64_EQ)
	RW(I64_LT_S, I64_GT_S, I64_GE_S) RW(I64_LT_U, I64_GT_U, I64_GE_U)
	RW(I64_GT_S, I64_LT_S, I64_LE_S) RW(I64_GT_U, I64_LT_U, I64_LE_U)
	RW(I64_LE_S, I64_GE_S, I64_GT_S) RW(I64_LE_U, I64_GE_U, I64_GT_U)
	RW(I64_GE_S, I64_LE_S, I64_LT_S) RW(I64_GE_U, I64_LE_U, I64_LT_U)
	RW(F32_LT, F32_GT, UNREACHABLE) RW(F32_GT, F32_LT, UNREACHABLE)
	RW(F32_LE, F32_GE, UNREACHABLE) RW(F32_GE, F32_LE, UNREACHABLE)
	RW(F64_LT, F64_GT, UNREACHABLE) RW(F64_GT, F64_LT, UNREACHABLE)
	RW(F64_LE, F64_GE, UNREACHABLE) RW(F64_GE, F64_LE, UNREACHABLE)
	RW_C(F32_EQ) RW_C(F32_NE) RW_C(F64_EQ) RW_C(F64_NE)
	RW_C(I32_ADD) RW_C(I32_MUL) RW_C(I32_AND) RW_C(I32_OR) RW_C(I32_XOR)
	RW_C(I64_ADD) RW_C(I64_MUL) RW_C(I64_AND) RW_C(I64_OR) RW_C(I64_XOR)
	RW_C(F32_ADD) RW_C(F32_MUL) RW_C(F64_ADD) RW_C(F64_MUL)
};

static void chk_tables(void)
{
	guard_mode = wa_guard_pages();
}

/* Once per process: an embedder may compile modules on several threads. */
static void chk_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, chk_tables);
}

static void *grow_arr(void *p, uint32_t *cap, uint32_t need, size_t sz, bool *oom)
{
	if (need <= *cap)
		return p;
	uint32_t nc = *cap ? *cap : 16;
	while (nc < need)
		nc *= 2;
	void *q = realloc(p, nc * sz);
	if (!q) {
		*oom = true;
		return p;
	}
	*cap = nc;
	return q;
}

static uint32_t emit_cell(comp *c, wa_cell v)
{
	c->code = grow_arr(c->code, &c->cap, c->n + 1, sizeof *c->code, &c->oom);
	if (c->oom)
		return 0;
	c->code[c->n] = v;
	return c->n++;
}

static uint32_t emit_op(comp *c, int op)
{
	c->last_dst = NONE_FIX;
	c->last_k = false;
	return emit_cell(c, wa_op_cell(op));
}
static uint32_t emit_ab(comp *c, uint32_t a, uint32_t b) { return emit_cell(c, (wa_cell){ .p = { a, b } }); }
static uint32_t emit_u(comp *c, uint64_t u) { return emit_cell(c, (wa_cell){ .u = u }); }

/* ---- type/slot stack ---- */

/* The four per-entry arrays grow together, geometrically: one realloc of
 * each per doubling, never one per push (under ASan every realloc copies). */
static bool grow_stack(comp *c)
{
	uint32_t nc = c->captys ? 2 * c->captys : 64;
	uint8_t *nt = realloc(c->tys, nc);
	if (nt)
		c->tys = nt;
	uint32_t *ns = nt ? realloc(c->slots, nc * sizeof *c->slots) : NULL;
	if (ns)
		c->slots = ns;
	uint32_t *nl = ns ? realloc(c->locs, nc * sizeof *c->locs) : NULL;
	if (nl)
		c->locs = nl;
	uint64_t *nk = nl ? realloc(c->kv, nc * sizeof *c->kv) : NULL;
	if (!nk)
		return false;
	c->kv = nk;
	c->captys = nc;
	return true;
}

static uint32_t push_at(comp *c, uint8_t t, uint32_t loc)
{
	if (c->ntys == c->captys && !grow_stack(c))
		c->oom = true;
	if (c->oom)
		return 0;
	c->tys[c->ntys] = t;
	c->locs[c->ntys] = loc == UINT32_MAX ? c->sp : loc;
	c->slots[c->ntys++] = c->sp;
	c->sp += (uint32_t)wa_slots(t);
	if (c->sp > c->maxsp)
		c->maxsp = c->sp;
	return c->sp - (uint32_t)wa_slots(t);
}

/* A new entry whose value is computed into its home slot. */
static uint32_t push(comp *c, uint8_t t)
{
	return push_at(c, t, UINT32_MAX);
}

static void emit_const(comp *c, uint32_t dst, uint64_t v);

/* A constant gets its value into its home slot (code at this point). */
static void materialize_k(comp *c, uint32_t i)
{
	if (c->locs[i] == LOC_K) {
		emit_const(c, c->slots[i], c->kv[i]);
		c->locs[i] = c->slots[i];
	}
}

/* Pops the top entry; returns the slot its value is read from. */
static uint32_t pop(comp *c)
{
	if (!c->ntys)
		return c->sp;
	materialize_k(c, c->ntys - 1);
	c->ntys--;
	c->sp = c->slots[c->ntys];
	return c->locs[c->ntys];
}

static uint32_t top_slot(comp *c, uint32_t k) /* value slot, k-th from top */
{
	return c->locs[c->ntys - 1 - k];
}

static void emit_mov(comp *c, uint8_t t, uint32_t dst, uint32_t src);

/* Copy an aliased entry's value into its home slot. */
static void materialize(comp *c, uint32_t i)
{
	materialize_k(c, i);
	if (c->locs[i] != c->slots[i]) {
		emit_mov(c, c->tys[i], c->slots[i], c->locs[i]);
		c->locs[i] = c->slots[i];
	}
}

static void materialize_top(comp *c, uint32_t n)
{
	for (uint32_t i = c->ntys - n; i < c->ntys; i++)
		materialize(c, i);
}

/* Before local slot ls changes, entries that alias it get their own copy. */
static void materialize_local(comp *c, uint32_t ls)
{
	for (uint32_t i = 0; i < c->ntys; i++)
		if (c->locs[i] == ls)
			materialize(c, i);
}

static void reset_stack(comp *c, cblock *b, const uint8_t *ts, uint32_t n)
{
	c->ntys = b->height;
	c->sp = b->base_slot;
	for (uint32_t i = 0; i < n; i++)
		push(c, ts[i]);
}

static const uint8_t *bres(const cblock *b) { return b->results ? b->results : &b->single; }

/* ---- branches ---- */

static void emit_mov(comp *c, uint8_t t, uint32_t dst, uint32_t src)
{
	emit_op(c, t == WA_V128 ? WA_I_MOV2 : WA_I_MOV);
	emit_ab(c, dst, src);
}

static void emit_const(comp *c, uint32_t dst, uint64_t v)
{
	emit_op(c, WA_I_CONST);
	emit_ab(c, dst, 0);
	emit_u(c, v);
}

/* Whether the top n values already sit in consecutive slots from dst. */
static bool in_place(comp *c, uint32_t n, uint32_t dst)
{
	if (!n)
		return true;
	if (c->slots[c->ntys - n] != dst)
		return false;
	for (uint32_t i = c->ntys - n; i < c->ntys; i++)
		if (c->locs[i] != c->slots[i])
			return false;
	return true;
}

/* Move the top n values (types ts) to consecutive slots from dst.  Values
 * move down the frame (dst <= source homes), so ascending order is safe; an
 * aliased value comes from a local, below every operand slot. */
static void emit_moves(comp *c, const uint8_t *ts, uint32_t n, uint32_t dst)
{
	if (in_place(c, n, dst))
		return;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t src = top_slot(c, n - 1 - i);
		if (src == LOC_K)
			emit_const(c, dst, c->kv[c->ntys - n + i]);
		else if (src != dst)
			emit_mov(c, ts[i], dst, src);
		dst += (uint32_t)wa_slots(ts[i]);
	}
}

static bool needs_moves(comp *c, const uint8_t *ts, uint32_t n, uint32_t dst)
{
	(void)ts;
	return !in_place(c, n, dst);
}

static void label_types(cblock *b, const uint8_t **ts, uint32_t *n)
{
	if (b->op == WA_OP_LOOP) {
		*ts = b->params;
		*n = b->nparams;
	} else {
		*ts = bres(b);
		*n = b->nresults;
	}
}

static void add_fix(comp *c, cblock *b, uint32_t cell)
{
	b->fix = grow_arr(b->fix, &b->capfix, b->nfix + 1, sizeof *b->fix, &c->oom);
	if (!c->oom)
		b->fix[b->nfix++] = cell;
}

/* Point the offset cell at the label's target (now for loops, at end otherwise). */
static void link_label(comp *c, cblock *b, uint32_t cell)
{
	if (b->op == WA_OP_LOOP)
		c->code[cell].s = (int64_t)b->loop_start - (int64_t)cell;
	else
		add_fix(c, b, cell);
}

/* Results go to slots 0.. which hold locals: values aliasing locals are
 * first copied to their homes (above every local), then homes move down.
 * The compiler state is left alone: this path may be a branch not taken. */
static void emit_return(comp *c)
{
	cblock *f = &c->blocks[0];
	uint32_t n = f->nresults, dst = 0;
	if (n == 1 && c->tys[c->ntys - 1] != WA_V128 && c->locs[c->ntys - 1] != LOC_K) {
		emit_op(c, WA_I_RETURN1); /* the one result moves as part of the return */
		emit_ab(c, c->locs[c->ntys - 1], 0);
		return;
	}
	for (uint32_t i = c->ntys - n; i < c->ntys; i++)
		if (c->locs[i] == LOC_K)
			emit_const(c, c->slots[i], c->kv[i]);
		else if (c->locs[i] != c->slots[i])
			emit_mov(c, c->tys[i], c->slots[i], c->locs[i]);
	for (uint32_t i = c->ntys - n; i < c->ntys; i++) {
		if (c->slots[i] != dst)
			emit_mov(c, c->tys[i], dst, c->slots[i]);
		dst += (uint32_t)wa_slots(c->tys[i]);
	}
	emit_op(c, WA_I_RETURN);
}

static void emit_br(comp *c, uint32_t depth)
{
	cblock *b = &c->blocks[c->nblocks - 1 - depth];
	const uint8_t *ts;
	uint32_t n;
	if (b == &c->blocks[0]) {
		emit_return(c);
		return;
	}
	label_types(b, &ts, &n);
	uint32_t before = c->n;
	emit_moves(c, ts, n, b->base_slot);
	if (c->n == before + 2 && c->code[before].lbl == wa_op_cell(WA_I_MOV).lbl) {
		c->code[before] = wa_op_cell(WA_I_MOV_JMP); /* a lone move joins the jump */
		c->last_dst = NONE_FIX;
	} else {
		emit_op(c, WA_I_JMP);
	}
	link_label(c, b, emit_u(c, 0));
}

/* Branch on cond (when_true: non-zero); when cond was just computed by a
 * fusable instruction, that instruction becomes the branch.  Returns the
 * offset cell to patch. */
static uint32_t emit_cond_branch(comp *c, uint32_t cond, bool when_true)
{
	if (c->last_dst != NONE_FIX && c->last_k && c->code[c->last_dst].p.a == cond && c->last_dst + 2 == c->n &&
	    wa_ops[c->last_op].sig[3] == 'i') { /* compare with a constant */
		uint32_t a = c->code[c->last_dst].p.b;
		uint64_t k = c->code[c->last_dst + 1].u;
		c->n = c->last_dst - 1;
		emit_op(c, k_of[c->last_op] + (when_true ? 1 : 2));
		emit_ab(c, 0, a);
		emit_u(c, k);
		return emit_u(c, 0);
	}
	if (c->last_dst != NONE_FIX && !c->last_k && c->last_op < WA_NOPS && brt_of[c->last_op] &&
	    c->code[c->last_dst].p.a == cond && c->last_dst + 2 == c->n) {
		uint32_t a = c->code[c->last_dst].p.b, b = c->code[c->last_dst + 1].p.a;
		int op = brt_of[c->last_op] + (when_true ? 0 : 1);
		c->n = c->last_dst - 1; /* drop the compare */
		emit_op(c, op);
		emit_ab(c, b, a);
		return emit_u(c, 0);
	}
	emit_op(c, when_true ? WA_I_BR_IF : WA_I_BR_UNLESS);
	emit_ab(c, cond, 0);
	return emit_u(c, 0);
}

static void emit_br_if(comp *c, uint32_t depth, uint32_t cond)
{
	cblock *b = &c->blocks[c->nblocks - 1 - depth];
	const uint8_t *ts;
	uint32_t n, skip;
	label_types(b, &ts, &n);
	if (b != &c->blocks[0] && !needs_moves(c, ts, n, b->base_slot)) {
		link_label(c, b, emit_cond_branch(c, cond, true));
		return;
	}
	skip = emit_cond_branch(c, cond, false);
	emit_br(c, depth);
	c->code[skip].s = (int64_t)c->n - (int64_t)skip;
}

static int emit_br_table(comp *c, wa_instr *in, uint32_t idx)
{
	wa_reader r = { in->brt, c->m->bytes + c->m->len, c->m->bytes, c->e, NULL };
	uint32_t n = in->a, first;
	uint32_t *labels = malloc((n + 1) * sizeof *labels);
	if (!labels)
		return -ERR_NOMEM;
	for (uint32_t i = 0; i <= n; i++)
		if (rd_u32(&r, &labels[i])) {
			free(labels);
			return -ERR_FORMAT;
		}
	emit_op(c, WA_I_BR_TABLE);
	emit_ab(c, idx, n);
	first = c->n;
	for (uint32_t i = 0; i <= n; i++)
		emit_u(c, 0);
	for (uint32_t i = 0; i <= n && !c->oom; i++) {
		cblock *b = &c->blocks[c->nblocks - 1 - labels[i]];
		const uint8_t *ts;
		uint32_t cnt;
		label_types(b, &ts, &cnt);
		if (b != &c->blocks[0] && !needs_moves(c, ts, cnt, b->base_slot)) {
			link_label(c, b, first + i);
			continue;
		}
		c->code[first + i].s = (int64_t)c->n - (int64_t)(first + i);
		emit_br(c, labels[i]);
	}
	free(labels);
	return 0;
}

/* ---- blocks ---- */

static void push_block(comp *c, wa_instr *in)
{
	cblock *b;
	c->blocks = grow_arr(c->blocks, &c->capblocks, c->nblocks + 1, sizeof *c->blocks, &c->oom);
	if (c->oom)
		return;
	b = &c->blocks[c->nblocks++];
	memset(b, 0, sizeof *b);
	b->op = in->op;
	b->else_fix = NONE_FIX;
	if (in->bt_kind == WA_BT_VAL) {
		b->nresults = 1;
		b->single = (uint8_t)in->a;
	} else if (in->bt_kind == WA_BT_TYPE) {
		wa_functype *t = &c->m->types[in->a];
		b->params = t->types;
		b->nparams = t->nparams;
		b->results = wa_ft_results(t);
		b->nresults = t->nresults;
	}
	b->height = c->ntys - b->nparams;
	b->base_slot = b->nparams ? c->slots[b->height] : c->sp;
	b->loop_start = c->n;
}

static void do_block(comp *c, wa_instr *in)
{
	uint32_t cond = 0, fix = NONE_FIX;
	if (in->op == WA_OP_IF) {
		cond = pop(c);
		if (c->ntys == 0 || in->bt_kind != WA_BT_TYPE || !c->m->types[in->a].nparams) {
			bool clean = true; /* nothing to materialize: branch right away */
			for (uint32_t i = 0; i < c->ntys; i++)
				clean &= c->locs[i] == c->slots[i];
			if (clean)
				fix = emit_cond_branch(c, cond, false);
		}
	}
	c->last_dst = NONE_FIX;
	/* invariant: no entry aliases a local across a block boundary, so a
	 * copy made inside one arm never stands for the other arm */
	materialize_top(c, c->ntys);
	push_block(c, in);
	if (c->oom)
		return;
	if (in->op == WA_OP_IF)
		c->blocks[c->nblocks - 1].else_fix = fix != NONE_FIX ? fix : emit_cond_branch(c, cond, false); else if (in->op == WA_OP_LOOP) { /* loop heads count fuel (and see wa_thread_interrupt) */
		emit_op(c, WA_I_FUEL);
	}
}

static void do_else(comp *c)
{
	cblock *b = &c->blocks[c->nblocks - 1];
	c->last_dst = NONE_FIX;
	if (!c->dead) {
		materialize_top(c, c->ntys - b->height);
		emit_op(c, WA_I_JMP);
		add_fix(c, b, emit_u(c, 0));
	}
	if (b->else_fix != NONE_FIX)
		c->code[b->else_fix].s = (int64_t)c->n - (int64_t)b->else_fix;
	b->else_fix = NONE_FIX;
	b->op = WA_OP_ELSE;
	reset_stack(c, b, b->params, b->nparams);
	c->dead = false;
}

static void do_end(comp *c)
{
	cblock *b = &c->blocks[c->nblocks - 1];
	c->last_dst = NONE_FIX;
	if (c->nblocks == 1) {
		if (!c->dead)
			emit_return(c);
		c->nblocks--;
		return;
	}
	if (!c->dead)
		materialize_top(c, c->ntys - b->height);
	if (b->else_fix != NONE_FIX)
		c->code[b->else_fix].s = (int64_t)c->n - (int64_t)b->else_fix;
	for (uint32_t i = 0; i < b->nfix; i++)
		c->code[b->fix[i]].s = (int64_t)c->n - (int64_t)b->fix[i];
	reset_stack(c, b, bres(b), b->nresults);
	free(b->fix);
	c->nblocks--;
	c->dead = false;
}

/* ---- instructions ---- */

/* i32.eqz of the compare just emitted: the compare is negated instead. */
static bool negate_last(comp *c)
{
	uint32_t top = c->ntys - 1;
	uint16_t neg = c->last_dst != NONE_FIX && c->last_op < WA_NOPS ? rewrite[c->last_op].negated : 0;
	if (!neg || c->last_dst + 2 != c->n || c->locs[top] != c->slots[top] || c->code[c->last_dst].p.a != c->slots[top])
		return false;
	c->code[c->last_dst - 1] = wa_op_cell(c->last_k ? k_of[neg] : neg);
	c->last_op = neg;
	return true;
}

/* Drops the instruction just emitted: the one being compiled absorbs it and
 * takes its place in the source map (the dropped ones never trap). */
static void cut_last(comp *c)
{
	c->n = c->last_dst - 1;
	c->cut = c->n;
}

/* Whether the instruction just emitted is an i32.shl by a constant whose
 * result is stack entry i (a temporary: read only by the one being compiled). */
static bool last_is_shl_k(comp *c, uint32_t i)
{
	return c->last_dst != NONE_FIX && c->last_k && c->last_op == WA_OP_I32_SHL && c->last_dst + 2 == c->n &&
	       c->locs[i] == c->slots[i] && c->code[c->last_dst].p.a == c->slots[i];
}

/* Emits internal op {d, a} {x, shift of the shl just emitted}, the shl dropped. */
static void emit_with_shl(comp *c, int op, uint32_t a, uint32_t x, uint32_t d)
{
	uint32_t shift = (uint32_t)c->code[c->last_dst + 1].u & 31;
	cut_last(c);
	emit_op(c, op);
	c->last_dst = emit_ab(c, d, a);
	c->last_op = (uint16_t)op;
	emit_ab(c, x, shift);
}

static const struct { uint16_t first, second, op; } pairs[] = {
#define X(name, first, second, t, e1, e2) { WA_OP_##first, WA_OP_##second, WA_PA_##name },
	WA_PAIRS(X)
#undef X
};

/* A binary op one of whose operands the previous binary op just computed
 * (a temporary read only here): one fused instruction when the pair is in
 * WA_PAIRS. */
static bool fuse_pair(comp *c, int op)
{
	uint32_t top = c->ntys - 1, a1, b1, other;
	bool is_b;
	size_t i;
	if (c->last_dst == NONE_FIX || c->last_k || c->last_dst + 2 != c->n || c->last_op >= WA_NOPS)
		return false;
	for (i = 0; i < ARRAY_SIZE(pairs); i++)
		if (pairs[i].first == c->last_op && pairs[i].second == op)
			break;
	if (i == ARRAY_SIZE(pairs))
		return false;
	is_b = c->locs[top] == c->slots[top] && c->code[c->last_dst].p.a == c->slots[top];
	if (!is_b && !(c->locs[top - 1] == c->slots[top - 1] && c->code[c->last_dst].p.a == c->slots[top - 1]))
		return false;
	other = c->locs[is_b ? top - 1 : top];
	if (other == LOC_K)
		return false;
	a1 = c->code[c->last_dst].p.b;
	b1 = c->code[c->last_dst + 1].p.a;
	cut_last(c); /* drop the first op */
	c->ntys -= 2;
	c->sp = c->slots[c->ntys];
	emit_op(c, pairs[i].op + (is_b ? 1 : 0));
	c->last_dst = emit_ab(c, push(c, c->tys[c->ntys]), a1);
	c->last_op = pairs[i].op; /* an internal op: nothing fuses with it */
	emit_ab(c, b1, other);
	return true;
}

/* x op constant: the constant is an immediate of the K variant. */
static void do_binary_k(comp *c, int op, char result)
{
	uint64_t k = c->kv[--c->ntys];
	uint32_t a, d;
	c->sp = c->slots[c->ntys];
	if (op == WA_OP_I32_ADD && last_is_shl_k(c, c->ntys - 1)) { /* (x << s) + k */
		uint32_t x = c->code[c->last_dst].p.b;
		pop(c);
		emit_with_shl(c, WA_I_SHL_ADDK, x, (uint32_t)k, push(c, WA_I32));
		return;
	}
	a = pop(c);
	d = push(c, wa_letter_type(result));
	emit_op(c, k_of[op]);
	c->last_dst = emit_ab(c, d, a);
	c->last_op = (uint16_t)op;
	c->last_k = true;
	emit_u(c, k);
}

/* A scalar load/store whose address the previous instruction computed with
 * i32.add (a temporary, read only here): the add becomes part of the access. */
static bool fuse_addr(comp *c, wa_instr *in, bool store, char result)
{
	uint32_t ai = c->ntys - (store ? 2 : 1), a, x, y, s, v = 0, mode;
	uint16_t lo = c->last_op;
	if (c->locs[ai] == LOC_K) { /* a constant address: absolute (AA) */
		uint64_t ea = (uint64_t)(uint32_t)c->kv[ai] + in->offset;
		if (store)
			v = pop(c);
		c->sp = c->slots[--c->ntys];
		emit_op(c, addr_of[in->op] + 4);
		if (store) {
			emit_ab(c, v, 0);
		} else {
			c->last_dst = emit_ab(c, push(c, wa_letter_type(result)), 0);
			c->last_op = (uint16_t)in->op;
		}
		emit_u(c, ea);
		return true;
	}
	if (c->last_dst == NONE_FIX || c->last_dst + 2 != c->n || c->locs[ai] != c->slots[ai] ||
	    c->code[c->last_dst].p.a != c->slots[ai])
		return false;
	a = c->code[c->last_dst].p.b;
	y = c->code[c->last_dst + 1].p.a;
	s = c->code[c->last_dst + 1].p.b;
	if (lo == WA_OP_I32_ADD) { /* A or AK */
		mode = c->last_k;
		x = y;
	} else if (lo == WA_I_ADD_SHL && !(y >> WA_ADDR_SHIFT)) {
		mode = 2;
		x = y | s << WA_ADDR_SHIFT;
	} else if (lo == WA_I_SHL_ADDK && !(a >> WA_ADDR_SHIFT)) {
		mode = 3;
		a |= s << WA_ADDR_SHIFT;
		x = y;
	} else {
		return false;
	}
	if (store && c->locs[ai + 1] == LOC_K && /* its constant goes to a slot the add reads */
	    (c->slots[ai + 1] == (a & ((1u << WA_ADDR_SHIFT) - 1)) ||
	     (!(mode & 1) && c->slots[ai + 1] == (x & ((1u << WA_ADDR_SHIFT) - 1)))))
		return false;
	cut_last(c); /* drop the add */
	if (store)
		v = pop(c);
	pop(c);
	if (store) {
		emit_op(c, addr_of[in->op] + mode);
		emit_ab(c, x, a);
		emit_ab(c, v, in->offset);
		return true;
	}
	uint32_t d = push(c, wa_letter_type(result));
	emit_op(c, addr_of[in->op] + mode);
	c->last_dst = emit_ab(c, d, a);
	c->last_op = (uint16_t)in->op;
	emit_ab(c, x, in->offset);
	return true;
}

/* Opcode-table instruction: operands popped, result pushed at the first
 * operand's slot; layout {d, a} {b, imm} [lane]. */
static void do_generic(comp *c, wa_instr *in)
{
	const wa_opinfo *o = &wa_ops[in->op];
	const char *colon = strchr(o->sig, ':');
	uint32_t nops = (uint32_t)(colon - o->sig), s[3] = { 0, 0, 0 }, d = 0;
	int align = wa_imm_memalign(o->imm);
	int op = in->op;
	if (nops == 2 && rewrite[op].swapped && c->locs[c->ntys - 2] == LOC_K && c->locs[c->ntys - 1] != LOC_K) {
		uint32_t i = c->ntys - 2; /* k op x: swap the operands' values */
		c->locs[i] = c->locs[i + 1];
		c->locs[i + 1] = LOC_K;
		c->kv[i + 1] = c->kv[i];
		op = rewrite[op].swapped;
	}
	if (nops == 2 && k_of[op] && c->locs[c->ntys - 1] == LOC_K && c->locs[c->ntys - 2] != LOC_K) {
		do_binary_k(c, op, colon[1]);
		return;
	}
	if (op == WA_OP_I32_EQZ && negate_last(c))
		return;
	if (nops == 2 && fuse_pair(c, op))
		return;
	if (op == WA_OP_I32_ADD && (last_is_shl_k(c, c->ntys - 1) || last_is_shl_k(c, c->ntys - 2))) {
		bool b_shifted = last_is_shl_k(c, c->ntys - 1); /* a + (x << s), either order */
		uint32_t x = c->code[c->last_dst].p.b, top = pop(c), second = pop(c);
		emit_with_shl(c, WA_I_ADD_SHL, b_shifted ? second : top, x, push(c, WA_I32));
		return;
	}
	if (addr_of[op] && guard_mode && fuse_addr(c, in, nops == 2, colon[1]))
		return;
	for (uint32_t i = nops; i-- > 0;)
		s[i] = pop(c);
	if (colon[1])
		d = push(c, wa_letter_type(colon[1]));
	if (align >= 0 && !guard_mode)
		op = chk_of[op];
	emit_op(c, op);
	uint32_t first_cell = emit_ab(c, d, s[0]);
	if (align >= 0)
		emit_ab(c, s[1], in->offset);
	else if (nops == 3)
		emit_ab(c, s[1], s[2]);
	else if (nops == 2)
		emit_ab(c, s[1], in->a);
	else
		emit_ab(c, in->a, 0);
	if (o->imm >= WA_IMM_ML0 && o->imm <= WA_IMM_ML3)
		emit_ab(c, in->a, 0);
	if (colon[1]) {
		c->last_dst = first_cell;
		c->last_op = (uint16_t)in->op;
	}
}

/* local.set/tee right after the instruction that computed the value: make
 * that instruction write the local, unless another entry still reads it. */
static bool retarget(comp *c, uint32_t ls)
{
	uint32_t top = c->ntys - 1;
	if (c->last_dst == NONE_FIX || !c->ntys || c->locs[top] != c->slots[top] ||
	    c->code[c->last_dst].p.a != c->slots[top])
		return false;
	for (uint32_t i = 0; i < top; i++)
		if (c->locs[i] == ls)
			return false;
	c->code[c->last_dst].p.a = ls;
	c->last_dst = NONE_FIX;
	return true;
}

static void do_local(comp *c, wa_instr *in)
{
	uint8_t t = c->ltype[in->a];
	uint32_t ls = c->lslot[in->a];
	if (in->op == WA_OP_LOCAL_GET) { /* no code: the entry reads the local */
		push_at(c, t, ls);
		return;
	}
	if (c->locs[c->ntys - 1] == LOC_K) { /* the constant goes straight to the local */
		materialize_local(c, ls);
		emit_const(c, ls, c->kv[c->ntys - 1]);
		if (in->op == WA_OP_LOCAL_SET) { /* a tee's entry stays the constant */
			c->ntys--;
			c->sp = c->slots[c->ntys];
		}
		return;
	}
	if (retarget(c, ls)) { /* the producer writes the local directly */
		if (in->op == WA_OP_LOCAL_SET)
			pop(c);
		else
			c->locs[c->ntys - 1] = ls;
		return;
	}
	materialize_local(c, ls);
	if (top_slot(c, 0) != ls)
		emit_mov(c, t, ls, top_slot(c, 0));
	if (in->op == WA_OP_LOCAL_SET)
		pop(c);
}

static void do_global(comp *c, wa_instr *in)
{
	uint8_t t = c->m->globals[in->a].type;
	bool wide = t == WA_V128;
	if (in->op == WA_OP_GLOBAL_GET) {
		emit_op(c, wide ? WA_I_GLOBAL_GET2 : WA_I_GLOBAL_GET);
		emit_ab(c, push(c, t), in->a);
	} else {
		uint32_t v = pop(c); /* before the op: a constant is materialized here */
		emit_op(c, wide ? WA_I_GLOBAL_SET2 : WA_I_GLOBAL_SET);
		emit_ab(c, v, in->a);
	}
}

static void do_call(comp *c, const wa_functype *t, int op, uint32_t a, uint32_t table)
{
	uint32_t idx = 0, base;
	if (op == WA_I_CALL_INDIRECT)
		idx = pop(c);
	materialize_top(c, t->nparams);
	for (uint32_t i = 0; i < t->nparams; i++)
		pop(c);
	base = c->sp;
	for (uint32_t i = 0; i < t->nresults; i++)
		push(c, wa_ft_results(t)[i]);
	/* the callee's frame starts at base: keep room for its results */
	if (base + t->result_slots > c->maxsp)
		c->maxsp = base + t->result_slots;
	emit_op(c, op);
	emit_ab(c, base, a);
	if (op == WA_I_CALL_INDIRECT)
		emit_ab(c, table, idx);
}

static void do_const(comp *c, uint8_t t, const uint64_t *v)
{
	uint32_t d = push(c, t);
	uint32_t cell;
	if (c->oom)
		return;
	if (t == WA_V128) {
		emit_op(c, WA_I_CONST2);
		cell = emit_ab(c, d, 0);
		emit_u(c, v[0]);
		emit_u(c, v[1]);
		c->last_dst = cell;
		c->last_op = WA_NOPS;
	} else { /* no code until a consumer needs the value in a slot */
		c->locs[c->ntys - 1] = LOC_K;
		c->kv[c->ntys - 1] = v[0];
	}
}

/* Pops n operands and emits op {base, a} [{b}]. */
static uint32_t emit_nary(comp *c, int op, uint32_t n, uint32_t a)
{
	uint32_t base;
	materialize_top(c, n);
	for (uint32_t i = 0; i < n; i++)
		pop(c);
	base = c->sp;
	emit_op(c, op);
	emit_ab(c, base, a);
	return base;
}

static void do_memory_table(comp *c, wa_instr *in)
{
	uint32_t s, d;
	switch (in->op) {
	case WA_OP_MEMORY_SIZE: emit_op(c, WA_I_MEMORY_SIZE); emit_ab(c, push(c, WA_I32), 0); break;
	case WA_OP_MEMORY_GROW: s = pop(c); emit_op(c, WA_I_MEMORY_GROW); emit_ab(c, push(c, WA_I32), s); break;
	case WA_OP_MEMORY_FILL: emit_nary(c, WA_I_MEMORY_FILL, 3, 0); break;
	case WA_OP_MEMORY_COPY: emit_nary(c, WA_I_MEMORY_COPY, 3, 0); break;
	case WA_OP_MEMORY_INIT: emit_nary(c, WA_I_MEMORY_INIT, 3, in->a); break;
	case WA_OP_DATA_DROP: emit_op(c, WA_I_DATA_DROP); emit_ab(c, in->a, 0); break;
	case WA_OP_TABLE_GET:
		s = pop(c);
		d = push(c, c->m->tables[in->a].elem);
		emit_op(c, WA_I_TABLE_GET);
		emit_ab(c, d, s);
		emit_ab(c, in->a, 0);
		break;
	case WA_OP_TABLE_SET: emit_nary(c, WA_I_TABLE_SET, 2, in->a); break;
	case WA_OP_TABLE_SIZE: emit_op(c, WA_I_TABLE_SIZE); emit_ab(c, push(c, WA_I32), in->a); break;
	case WA_OP_TABLE_GROW: emit_nary(c, WA_I_TABLE_GROW, 2, in->a); push(c, WA_I32); break;
	case WA_OP_TABLE_FILL: emit_nary(c, WA_I_TABLE_FILL, 3, in->a); break;
	case WA_OP_TABLE_COPY: emit_nary(c, WA_I_TABLE_COPY, 3, in->a); emit_ab(c, in->b, 0); break;
	case WA_OP_TABLE_INIT: emit_nary(c, WA_I_TABLE_INIT, 3, in->b); emit_ab(c, in->a, 0); break;
	case WA_OP_ELEM_DROP: emit_op(c, WA_I_ELEM_DROP); emit_ab(c, in->a, 0); break;
	}
}

static void do_select(comp *c)
{
	uint32_t cond = pop(c), b = pop(c), a = pop(c), d;
	uint8_t t = c->tys[c->ntys];
	d = push(c, t);
	emit_op(c, t == WA_V128 ? WA_I_SELECT2 : WA_I_SELECT);
	emit_ab(c, d, a);
	emit_ab(c, b, cond);
}

static int do_instr(comp *c, wa_instr *in)
{
	wa_module *m = c->m;
	uint32_t s, d;
	if (wa_ops[in->op].sig) {
		do_generic(c, in);
		return 0;
	}
	switch (in->op) {
	case WA_OP_UNREACHABLE: emit_op(c, WA_I_UNREACHABLE); c->dead = true; break;
	case WA_OP_NOP: break;
	case WA_OP_BLOCK: case WA_OP_LOOP: case WA_OP_IF: do_block(c, in); break;
	case WA_OP_ELSE: do_else(c); break;
	case WA_OP_END: do_end(c); break;
	case WA_OP_BR: emit_br(c, in->a); c->dead = true; break;
	case WA_OP_BR_IF: emit_br_if(c, in->a, pop(c)); break;
	case WA_OP_BR_TABLE: c->dead = true; return emit_br_table(c, in, pop(c));
	case WA_OP_RETURN: emit_return(c); c->dead = true; break;
	case WA_OP_CALL: do_call(c, &m->types[m->func_types[in->a]], WA_I_CALL, in->a, 0); break;
	case WA_OP_CALL_INDIRECT: do_call(c, &m->types[in->a], WA_I_CALL_INDIRECT, in->a, in->b); break;
	case WA_OP_DROP: c->sp = c->slots[--c->ntys]; break; /* a dropped constant needs no code */
	case WA_OP_SELECT: case WA_OP_SELECT_T: do_select(c); break;
	case WA_OP_LOCAL_GET: case WA_OP_LOCAL_SET: case WA_OP_LOCAL_TEE: do_local(c, in); break;
	case WA_OP_GLOBAL_GET: case WA_OP_GLOBAL_SET: do_global(c, in); break;
	case WA_OP_I32_CONST: do_const(c, WA_I32, in->v); break;
	case WA_OP_I64_CONST: do_const(c, WA_I64, in->v); break;
	case WA_OP_F32_CONST: do_const(c, WA_F32, in->v); break;
	case WA_OP_F64_CONST: do_const(c, WA_F64, in->v); break;
	case WA_OP_V128_CONST: do_const(c, WA_V128, in->v); break;
	case WA_OP_REF_NULL: in->v[0] = 0; do_const(c, (uint8_t)in->a, in->v); break;
	case WA_OP_REF_IS_NULL:
		s = pop(c);
		emit_op(c, WA_I_REF_IS_NULL);
		emit_ab(c, push(c, WA_I32), s);
		break;
	case WA_OP_REF_FUNC: emit_op(c, WA_I_REF_FUNC); emit_ab(c, push(c, WA_FUNCREF), in->a); break;
	case WA_OP_I8X16_SHUFFLE:
		s = pop(c);
		d = pop(c);
		emit_op(c, WA_I_SHUFFLE);
		emit_ab(c, push(c, WA_V128), d);
		emit_ab(c, s, 0);
		emit_u(c, in->v[0]);
		emit_u(c, in->v[1]);
		break;
	default: do_memory_table(c, in); break;
	}
	return 0;
}

/* In dead code only nesting matters until the matching else/end. */
static int skip_dead(comp *c, wa_instr *in)
{
	switch (in->op) {
	case WA_OP_BLOCK: case WA_OP_LOOP: case WA_OP_IF:
		c->dead_depth++;
		return 1;
	case WA_OP_ELSE:
		return c->dead_depth ? 1 : 0;
	case WA_OP_END:
		if (c->dead_depth) {
			c->dead_depth--;
			return 1;
		}
		return 0;
	}
	return 1;
}

/* Source map entry for an instruction that emitted code from cell `cell`:
 * traps and call sites map back to module byte offsets (wasm_frame_t). */
static void map_put(comp *c, uint64_t v)
{
	do {
		c->map[c->nmap++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
}

static void map_instr(comp *c, uint32_t cell, size_t pos)
{
	c->map = grow_arr(c->map, &c->capmap, c->nmap + 20, 1, &c->oom); /* two LEB128s */
	if (c->oom)
		return;
	c->undo_nmap = c->nmap;
	c->undo_cell = c->map_cell;
	c->undo_pos = c->map_pos;
	map_put(c, cell - c->map_cell);
	map_put(c, pos - c->map_pos);
	c->map_cell = cell;
	c->map_pos = pos;
}

static void setup_locals(comp *c, const wa_functype *t, wa_funcdef *f)
{
	uint32_t s = 0;
	c->nlocals = t->nparams + f->nlocals;
	c->lslot = malloc((c->nlocals + 1) * sizeof *c->lslot);
	c->ltype = malloc(c->nlocals + 1);
	if (!c->lslot || !c->ltype) {
		c->oom = true;
		return;
	}
	for (uint32_t i = 0; i < c->nlocals; i++) {
		c->ltype[i] = i < t->nparams ? t->types[i] : f->locals[i - t->nparams];
		c->lslot[i] = s;
		s += (uint32_t)wa_slots(c->ltype[i]);
	}
	c->sp = c->maxsp = s;
}

static int finish(comp *c, const wa_functype *t, wa_funcdef *f)
{
	wa_code *code = malloc(sizeof *code + c->n * sizeof(wa_cell) + c->nmap);
	if (!code)
		return -ERR_NOMEM;
	code->ncells = c->n;
	code->nmap = c->nmap;
	code->map_base = (uint32_t)(f->body - c->m->bytes);
	if (c->nmap)
		memcpy(code->cells + c->n, c->map, c->nmap);
	code->param_slots = t->param_slots;
	code->local_slots = c->nlocals ? c->lslot[c->nlocals - 1] + (uint32_t)wa_slots(c->ltype[c->nlocals - 1]) : 0;
	code->nslots = c->maxsp > t->result_slots ? c->maxsp : t->result_slots;
	memcpy(code->cells, c->code, c->n * sizeof(wa_cell));
	f->code = code;
	return 0;
}

static int compile_func(wa_module *m, wa_funcdef *f, wa_err *e)
{
	const wa_functype *t = &m->types[f->type];
	wa_reader r = { f->body, f->end, m->bytes, e, NULL };
	comp c = { .m = m, .e = e, .last_dst = NONE_FIX, .map_pos = (size_t)(f->body - m->bytes) };
	wa_instr in = { 0 };
	int err = 0;
	setup_locals(&c, t, f);
	in.bt_kind = WA_BT_EMPTY;
	in.op = WA_OP_BLOCK;
	push_block(&c, &in);
	if (c.oom)
		return -ERR_NOMEM;
	c.blocks[0].results = wa_ft_results(t);
	c.blocks[0].nresults = t->nresults;
	while (!err && !c.oom && c.nblocks > 0 && r.p < r.end) {
		err = wa_read_instr(&r, &in);
		if (err)
			break;
		if (c.dead && skip_dead(&c, &in))
			continue;
		uint32_t start = c.n;
		c.cut = NONE_FIX;
		err = do_instr(&c, &in);
		if (c.cut != NONE_FIX && c.cut < start) { /* the entry of the instruction absorbed */
			if (c.nmap != c.undo_nmap && c.map_cell >= c.cut) {
				c.nmap = c.undo_nmap;
				c.map_cell = c.undo_cell;
				c.map_pos = c.undo_pos;
			}
			start = c.cut;
		}
		if (c.n != start)
			map_instr(&c, start, in.pos);
	}
	if (!err && c.oom)
		err = -ERR_NOMEM;
	if (!err)
		err = finish(&c, t, f);
	for (uint32_t i = 0; i < c.nblocks; i++)
		free(c.blocks[i].fix);
	free(c.blocks);
	free(c.code);
	free(c.map);
	free(c.tys);
	free(c.slots);
	free(c.locs);
	free(c.kv);
	free(c.lslot);
	free(c.ltype);
	return err;
}

int wa_compile(wa_module *m, wa_err *e)
{
	chk_init();
	for (uint32_t i = 0; i < m->nfuncs - m->nfunc_imports; i++) {
		if (m->funcs[i].code)
			continue;
		int err = compile_func(m, &m->funcs[i], e);
		if (err)
			return err;
	}
	return 0;
}
