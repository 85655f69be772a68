/* runtime.c - WebAssembly instances: linear memories (guard-region reserved
 * where the host allows), tables, globals, import matching, segment
 * initialisation, the start function and calls from the host. */
#include "wasm/interp.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#define PAGE ((uint64_t)65536)
#define RESERVE (((size_t)8 << 30) + 65536) /* any u32 index + u32 offset + 16 */
#define TABLE_LIMIT 10000000u

int wa_guard_register(void *base, size_t len, bool on);

#define TRY(x) do { int err_ = (x); if (err_) return err_; } while (0)

/* ---- threads ---- */

int wa_thread_init(wa_thread *t, size_t stack_slots, uint32_t max_depth)
{
	memset(t, 0, sizeof *t);
	t->stack = calloc(stack_slots, sizeof *t->stack);
	t->frames = calloc(max_depth + 1, sizeof *t->frames);
	if (!t->stack || !t->frames) {
		wa_thread_free(t);
		return -ERR_NOMEM;
	}
	t->stack_end = t->stack + stack_slots;
	t->max_depth = max_depth;
	t->fuel = -1;
	return 0;
}

void wa_thread_free(wa_thread *t)
{
	free(t->stack);
	free(t->frames);
	t->stack = NULL;
	t->frames = NULL;
}

void wa_thread_interrupt(wa_thread *t)
{
	__atomic_store_n(&t->interrupted, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&t->fuel, 0, __ATOMIC_RELAXED);
}

/* ---- memories ---- */

wa_memory *wa_memory_new(uint32_t pages, uint32_t max, bool has_max)
{
	wa_memory *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->pages = pages;
	m->size = pages * PAGE;
	m->max = has_max ? max : 65536;
	m->has_max = has_max;
	if (wa_guard_pages()) {
		void *p = mmap(NULL, RESERVE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED || (m->size && mprotect(p, m->size, PROT_READ | PROT_WRITE))) {
			if (p != MAP_FAILED)
				munmap(p, RESERVE);
			free(m);
			return NULL;
		}
		if (wa_guard_register(p, RESERVE, true)) { /* every slot taken */
			munmap(p, RESERVE);
			free(m);
			return NULL;
		}
		m->base = p;
		m->guarded = true;
		m->reserved = RESERVE;
		return m;
	}
	m->base = calloc(m->size ? m->size : 1, 1);
	if (!m->base) {
		free(m);
		return NULL;
	}
	return m;
}

void wa_memory_free(wa_memory *m)
{
	if (!m)
		return;
	if (m->guarded) {
		(void)wa_guard_register(m->base, m->reserved, false);
		munmap(m->base, m->reserved);
	} else {
		free(m->base);
	}
	free(m);
}

int64_t wa_memory_grow(wa_memory *m, uint32_t delta)
{
	uint64_t old = m->pages, np = old + delta;
	if (np > m->max || np > 65536)
		return -1;
	if (!delta)
		return (int64_t)old;
	if (m->guarded) {
		if (mprotect(m->base + m->size, delta * PAGE, PROT_READ | PROT_WRITE))
			return -1;
	} else {
		uint8_t *b = realloc(m->base, np * PAGE);
		if (!b)
			return -1;
		memset(b + m->size, 0, delta * PAGE);
		m->base = b;
	}
	m->pages = (uint32_t)np;
	m->size = np * PAGE;
	return (int64_t)old;
}

/* ---- tables ---- */

wa_table *wa_table_new(uint8_t elem, uint32_t size, uint32_t max, bool has_max)
{
	wa_table *t = calloc(1, sizeof *t);
	if (!t || size > TABLE_LIMIT) {
		free(t);
		return NULL;
	}
	t->elem = elem;
	t->size = size;
	t->max = has_max ? max : 0xffffffffu;
	t->has_max = has_max;
	t->elems = calloc(size ? size : 1, sizeof *t->elems);
	if (!t->elems) {
		free(t);
		return NULL;
	}
	return t;
}

void wa_table_free(wa_table *t)
{
	if (t) {
		free(t->elems);
		free(t);
	}
}

int64_t wa_table_grow(wa_table *t, uint32_t delta, uint64_t init)
{
	uint64_t old = t->size, ns = old + delta;
	if (ns > t->max || ns > TABLE_LIMIT)
		return -1;
	uint64_t *e = realloc(t->elems, (ns ? ns : 1) * sizeof *e);
	if (!e)
		return -1;
	for (uint64_t i = old; i < ns; i++)
		e[i] = init;
	t->elems = e;
	t->size = (uint32_t)ns;
	return (int64_t)old;
}

/* ---- host functions ---- */

wa_func *wa_host_func(const wa_functype *type, wa_host_fn fn, void *env)
{
	wa_func *f = calloc(1, sizeof *f);
	if (f) {
		f->type = type;
		f->host = fn;
		f->env = env;
	}
	return f;
}

/* ---- instantiation ---- */

typedef struct owned {
	wa_table **tables;
	wa_memory **mems;
	wa_global *globals;
	uint32_t ntables, nmems;
} owned;

static bool limits_match(uint64_t have_min, uint64_t have_max, bool have_has_max, const wa_limits *want)
{
	if (have_min < want->min)
		return false;
	if (want->has_max && (!have_has_max || have_max > want->max))
		return false;
	return true;
}

static int check_import(wa_module *m, const wa_import *im, const wa_extern *x, wa_err *e)
{
	bool ok = x->kind == im->kind;
	if (ok) {
		switch (im->kind) {
		case WA_EXT_FUNC:
			ok = wa_functype_eq(x->func->type, &m->types[im->type]);
			break;
		case WA_EXT_TABLE:
			ok = x->table->elem == im->table.elem &&
			     limits_match(x->table->size, x->table->max, x->table->has_max, &im->table.lim);
			break;
		case WA_EXT_MEMORY:
			ok = limits_match(x->mem->pages, x->mem->max, x->mem->has_max, &im->mem);
			break;
		case WA_EXT_GLOBAL:
			ok = x->global->type == im->global.type && x->global->mut == im->global.mut;
			break;
		}
	}
	if (ok)
		return 0;
	return wa_fail(e, 0, ERR_INVAL, "incompatible import type (import %u: \"%.*s\" \"%.*s\")",
		       (uint32_t)(im - m->imports), (int)(im->mlen > 60 ? 60 : im->mlen), im->module,
		       (int)(im->nlen > 60 ? 60 : im->nlen), im->name);
}

static void eval_const(wa_instance *inst, const wa_const *k, uint64_t v[2])
{
	v[0] = k->v[0];
	v[1] = k->v[1];
	switch (k->op) {
	case WA_OP_REF_NULL: v[0] = 0; break;
	case WA_OP_REF_FUNC: v[0] = (uintptr_t)inst->funcs[k->idx]; break;
	case WA_OP_GLOBAL_GET:
		v[0] = inst->globals[k->idx]->v[0];
		v[1] = inst->globals[k->idx]->v[1];
		break;
	}
}

static int alloc_instance(wa_module *m, wa_instance **out)
{
	wa_instance *inst = calloc(1, sizeof *inst);
	owned *o = calloc(1, sizeof *o);
	uint32_t nf = m->nfuncs - m->nfunc_imports;
	if (!inst || !o) {
		free(inst);
		free(o);
		return -ERR_NOMEM;
	}
	inst->owned = o;
	inst->mod = m;
	inst->funcs = calloc(m->nfuncs + 1, sizeof *inst->funcs);
	inst->own_funcs = calloc(nf + 1, sizeof *inst->own_funcs);
	inst->tables = calloc(m->ntables + 1, sizeof *inst->tables);
	inst->mems = calloc(m->nmems + 1, sizeof *inst->mems);
	inst->globals = calloc(m->nglobals + 1, sizeof *inst->globals);
	inst->elem_vals = calloc(m->nelems + 1, sizeof *inst->elem_vals);
	inst->elem_lens = calloc(m->nelems + 1, sizeof *inst->elem_lens);
	inst->data_lens = calloc(m->ndatas + 1, sizeof *inst->data_lens);
	o->tables = calloc(m->ntables + 1, sizeof *o->tables);
	o->mems = calloc(m->nmems + 1, sizeof *o->mems);
	o->globals = calloc(m->nglobals + 1, sizeof *o->globals);
	*out = inst;
	if (!inst->funcs || !inst->own_funcs || !inst->tables || !inst->mems || !inst->globals ||
	    !inst->elem_vals || !inst->elem_lens || !inst->data_lens || !o->tables || !o->mems || !o->globals)
		return -ERR_NOMEM;
	return 0;
}

static int link_imports(wa_module *m, wa_instance *inst, const wa_extern *imports, wa_err *e)
{
	uint32_t nf = 0, nt = 0, nm = 0, ng = 0;
	for (uint32_t i = 0; i < m->nimports; i++) {
		const wa_extern *x = &imports[i];
		TRY(check_import(m, &m->imports[i], x, e));
		switch (x->kind) {
		case WA_EXT_FUNC: inst->funcs[nf++] = x->func; break;
		case WA_EXT_TABLE: inst->tables[nt++] = x->table; break;
		case WA_EXT_MEMORY: inst->mems[nm++] = x->mem; break;
		case WA_EXT_GLOBAL: inst->globals[ng++] = x->global; break;
		}
	}
	return 0;
}

static int create_objects(wa_module *m, wa_instance *inst, wa_err *e)
{
	owned *o = inst->owned;
	for (uint32_t i = m->nfunc_imports; i < m->nfuncs; i++) {
		wa_func *f = &inst->own_funcs[i - m->nfunc_imports];
		f->type = &m->types[m->func_types[i]];
		f->inst = inst;
		f->code = m->funcs[i - m->nfunc_imports].code;
		f->idx = i;
		inst->funcs[i] = f;
	}
	for (uint32_t i = m->ntable_imports; i < m->ntables; i++) {
		wa_tabletype *tt = &m->tables[i];
		wa_table *t = wa_table_new(tt->elem, (uint32_t)tt->lim.min, (uint32_t)tt->lim.max, tt->lim.has_max);
		if (!t)
			return wa_fail(e, 0, ERR_NOMEM, "out of memory (table)");
		inst->tables[i] = o->tables[o->ntables++] = t;
	}
	for (uint32_t i = m->nmem_imports; i < m->nmems; i++) {
		wa_limits *l = &m->mems[i];
		wa_memory *mm = wa_memory_new((uint32_t)l->min, (uint32_t)l->max, l->has_max);
		if (!mm)
			return wa_fail(e, 0, ERR_NOMEM, "out of memory (linear memory)");
		inst->mems[i] = o->mems[o->nmems++] = mm;
	}
	for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++) {
		wa_global *g = &o->globals[i];
		g->type = m->globals[i].type;
		g->mut = m->globals[i].mut;
		inst->globals[i] = g;
		eval_const(inst, &m->global_init[i - m->nglobal_imports], g->v);
	}
	return 0;
}

static int init_segments(wa_module *m, wa_instance *inst, wa_err *e)
{
	for (uint32_t i = 0; i < m->nelems; i++) {
		wa_elem *s = &m->elems[i];
		inst->elem_vals[i] = calloc(s->count + 1, sizeof(uint64_t));
		if (!inst->elem_vals[i])
			return -ERR_NOMEM;
		for (uint32_t k = 0; k < s->count; k++) {
			uint64_t v[2];
			eval_const(inst, &s->init[k], v);
			inst->elem_vals[i][k] = v[0];
		}
		inst->elem_lens[i] = s->mode == WA_SEG_PASSIVE ? s->count : 0;
	}
	for (uint32_t i = 0; i < m->ndatas; i++)
		inst->data_lens[i] = m->datas[i].mode == WA_SEG_PASSIVE ? m->datas[i].len : 0;
	for (uint32_t i = 0; i < m->nelems; i++) {
		wa_elem *s = &m->elems[i];
		uint64_t off[2];
		wa_table *t;
		if (s->mode != WA_SEG_ACTIVE)
			continue;
		eval_const(inst, &s->offset, off);
		t = inst->tables[s->table];
		if ((uint64_t)(uint32_t)off[0] + s->count > t->size)
			return wa_fail(e, 0, ERR_RANGE, "%s", WA_TRAP_TABLE_OOB);
		memcpy(t->elems + (uint32_t)off[0], inst->elem_vals[i], s->count * sizeof(uint64_t));
	}
	for (uint32_t i = 0; i < m->ndatas; i++) {
		wa_data *d = &m->datas[i];
		uint64_t off[2];
		wa_memory *mm;
		if (d->mode != WA_SEG_ACTIVE)
			continue;
		eval_const(inst, &d->offset, off);
		mm = inst->mems[d->mem];
		if ((uint64_t)(uint32_t)off[0] + d->len > mm->size)
			return wa_fail(e, 0, ERR_RANGE, "%s", WA_TRAP_OOB);
		memcpy(mm->base + (uint32_t)off[0], d->bytes, d->len);
	}
	return 0;
}

int wa_instantiate(wa_module *m, const wa_extern *imports, wa_thread *t, wa_instance **out, wa_err *e)
{
	return wa_instantiate_with(m, imports, t, NULL, out, e);
}

int wa_instantiate_with(wa_module *m, const wa_extern *imports, wa_thread *t, void *host_data,
			wa_instance **out, wa_err *e)
{
	wa_instance *inst = NULL;
	int err;
	*out = NULL;
	err = wa_compile(m, e);
	if (!err)
		err = alloc_instance(m, &inst);
	if (inst)
		inst->host_data = host_data;
	if (!err)
		err = link_imports(m, inst, imports, e);
	if (!err)
		err = create_objects(m, inst, e);
	if (err) {
		wa_instance_free(inst);
		return err;
	}
	err = init_segments(m, inst, e);
	if (!err && m->has_start && wa_call(t, inst->funcs[m->start], NULL, NULL))
		err = wa_fail(e, 0, ERR_RANGE, "%s", t->trap);
	/* a trap in a segment or the start function leaves the instance's
	 * functions referenced from imported tables: the caller owns it */
	*out = inst;
	return err;
}

void wa_instance_free(wa_instance *inst)
{
	owned *o;
	if (!inst)
		return;
	o = inst->owned;
	if (o) {
		for (uint32_t i = 0; i < o->ntables; i++)
			wa_table_free(o->tables[i]);
		for (uint32_t i = 0; i < o->nmems; i++)
			wa_memory_free(o->mems[i]);
		free(o->tables);
		free(o->mems);
		free(o->globals);
		free(o);
	}
	for (uint32_t i = 0; inst->elem_vals && i < inst->mod->nelems; i++)
		free(inst->elem_vals[i]);
	free(inst->elem_vals);
	free(inst->elem_lens);
	free(inst->data_lens);
	free(inst->funcs);
	free(inst->own_funcs);
	free(inst->tables);
	free(inst->mems);
	free(inst->globals);
	free(inst);
}

int wa_instance_export(wa_instance *inst, const char *name, size_t len, wa_extern *out)
{
	wa_module *m = inst->mod;
	for (uint32_t i = 0; i < m->nexports; i++) {
		wa_export *x = &m->exports[i];
		if (len != x->len || memcmp(name, x->name, x->len))
			continue;
		out->kind = x->kind;
		switch (x->kind) {
		case WA_EXT_FUNC: out->func = inst->funcs[x->idx]; break;
		case WA_EXT_TABLE: out->table = inst->tables[x->idx]; break;
		case WA_EXT_MEMORY: out->mem = inst->mems[x->idx]; break;
		case WA_EXT_GLOBAL: out->global = inst->globals[x->idx]; break;
		}
		return 0;
	}
	return -ERR_NOENT;
}

/* The calling thread's stack, [lo, hi), found once per thread; lo = hi = 0
 * when the system does not say. */
static _Thread_local uintptr_t stack_lo, stack_hi;
static _Thread_local bool stack_known;

size_t wa_stack_left(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	if (!stack_known) {
		pthread_attr_t a;
		void *lo;
		size_t size;
		stack_known = true;
		if (!pthread_getattr_np(pthread_self(), &a)) {
			if (!pthread_attr_getstack(&a, &lo, &size)) {
				stack_lo = (uintptr_t)lo;
				stack_hi = stack_lo + size;
			}
			pthread_attr_destroy(&a);
		}
	}
	if (sp <= stack_lo || sp >= stack_hi)
		return SIZE_MAX; /* unknown, or another stack (a coroutine's): not ours to judge */
	return sp - stack_lo;
}

int wa_call(wa_thread *t, wa_func *f, const uint64_t *args, uint64_t *results)
{
	uint32_t np = f->type->param_slots, nr = f->type->result_slots;
	uint64_t *sp = t->depth ? t->host_top : t->stack; /* re-entered from a host function */
	/* Wasm calls wasm without using the C stack, but every entry from the
	 * host (a host function calling back in) nests a few frames; the
	 * last entries must leave room for what runs inside them. */
	if (sp + np + nr > t->stack_end || wa_stack_left() < WA_STACK_RESERVE) {
		t->trap = WA_TRAP_EXHAUSTED;
		t->ntrace = 0;
		return -1;
	}
	if (np)
		memcpy(sp, args, np * sizeof *sp);
	if (wa_exec(t, f, sp))
		return -1;
	if (nr)
		memcpy(results, sp, nr * sizeof *sp);
	return 0;
}

/* The compiler's source map: LEB128 (cell delta, byte delta) pairs, one per
 * instruction that emitted code.  Read only when a trap is reported. */
static uint64_t map_get(const uint8_t **p, const uint8_t *end)
{
	uint64_t v = 0;
	for (int sh = 0; *p < end && sh < 64; sh += 7) {
		uint8_t b = *(*p)++;
		v |= (uint64_t)(b & 0x7f) << sh;
		if (!(b & 0x80))
			break;
	}
	return v;
}

size_t wa_code_offset(const wa_func *f, const wa_cell *pc)
{
	const wa_code *c = f && !f->host ? f->code : NULL;
	if (!c)
		return 0;
	size_t pos = c->map_base, best = c->map_base;
	uint64_t cell = 0;
	if (!pc || pc < c->cells || pc >= c->cells + c->ncells)
		return best;
	const uint8_t *p = (const uint8_t *)(c->cells + c->ncells), *end = p + c->nmap;
	uint64_t want = (uint64_t)(pc - c->cells);
	while (p < end) {
		cell += map_get(&p, end);
		pos += map_get(&p, end);
		if (cell > want)
			break;
		best = pos;
	}
	return best;
}
