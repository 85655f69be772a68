/* capi_store.c - engines and stores of the wasm.h API, the reference
 * protocol shared by every runtime object (handles, copy/same, host info,
 * finalizers), reachability-based freeing, foreign objects, traps, frames.
 *
 * A store owns its objects.  An object is freed when nothing can reach it:
 * no handle, no table or global or instance referring to it; collection runs
 * when a handle is released and enough garbage may have piled up, never
 * while wasm runs in the store.  Deleting the store frees everything. */
#include "wasm/capi.h"
#include "wasm/interp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define STACK_SLOTS ((size_t)1 << 20)  /* 8 MiB of value stack (lazily backed) */
#define MAX_DEPTH 20000                /* wasm call depth */
#define MAX_NESTING 256                /* host -> wasm re-entries: ~1.5 KiB of C stack each
					* (wa_call also checks the stack that is left) */
#define GC_MIN 1024                    /* weight below which nothing is collected */

/* ---- engine and config: nothing global to configure ---- */

wasm_config_t *wasm_config_new(void)
{
	return calloc(1, sizeof(wasm_config_t));
}

void wasm_config_delete(wasm_config_t *c)
{
	free(c);
}

wasm_engine_t *wasm_engine_new(void)
{
	/* the engine's process-wide set-up (signal handler, tables) is
	 * idempotent and thread-safe: do it before any store exists */
	(void)wa_guard_pages();
	return calloc(1, sizeof(wasm_engine_t));
}

wasm_engine_t *wasm_engine_new_with_config(wasm_config_t *c)
{
	wasm_config_delete(c);
	return wasm_engine_new();
}

void wasm_engine_delete(wasm_engine_t *e)
{
	free(e);
}

/* ---- stores ---- */

wasm_store_t *wasm_store_new(wasm_engine_t *engine)
{
	wasm_store_t *s;
	if (!engine)
		return NULL;
	s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	if (wa_thread_init(&s->thread, STACK_SLOTS, MAX_DEPTH)) {
		free(s);
		return NULL;
	}
	s->gc_next = GC_MIN;
	s->max_calls = MAX_NESTING;
	return s;
}

static void run_finalizers(wasm_ref_t *r);
static void free_obj(wasm_ref_t *r);

static void store_destroy(wasm_store_t *s)
{
	wasm_ref_t *r, *next;
	s->collecting = true; /* handle releases from finalizers change nothing now */
	for (r = s->objs; r; r = r->next)
		run_finalizers(r);
	for (r = s->objs; r; r = next) {
		next = r->next;
		free_obj(r);
	}
	wa_thread_free(&s->thread);
	free(s);
}

void wasm_store_delete(wasm_store_t *s)
{
	if (!s)
		return;
	if (s->calls) { /* from a callback: finish when the outermost call returns */
		s->deleting = true;
		return;
	}
	store_destroy(s);
}

void cairn_store_set_fuel(wasm_store_t *s, int64_t fuel)
{
	if (s)
		s->thread.fuel = fuel < 0 ? -1 : fuel;
}

int64_t cairn_store_get_fuel(const wasm_store_t *s)
{
	return s ? s->thread.fuel : -1;
}

void cairn_store_set_max_nesting(wasm_store_t *s, uint32_t depth)
{
	if (s)
		s->max_calls = depth ? depth : 1;
}

const char *capi_enter(wasm_store_t *s)
{
	if (s->deleting)
		return "store is being deleted";
	if (s->calls >= s->max_calls)
		return WA_TRAP_EXHAUSTED;
	s->calls++;
	return NULL;
}

bool capi_leaving_destroys(const wasm_store_t *s)
{
	return s->deleting && s->calls == 1;
}

wasm_trap_t *capi_trap_detach(wasm_trap_t *t)
{
	wasm_trap_t *copy = capi_trap(NULL, t->msg ? t->msg : "", NULL);
	if (copy) {
		copy->exited = t->exited;
		copy->exit_code = t->exit_code;
	}
	capi_release(&t->ref);
	return copy;
}

void capi_leave(wasm_store_t *s)
{
	if (--s->calls)
		return;
	if (s->host_trap) { /* a callback's trap that no call returned */
		wasm_trap_t *t = s->host_trap;
		s->host_trap = NULL;
		capi_release(&t->ref);
	}
	if (s->deleting)
		store_destroy(s);
	else if (s->weight >= s->gc_next)
		capi_collect(s);
}

/* ---- objects and handles ---- */

void *capi_obj_new(wasm_store_t *store, size_t size, uint8_t kind, size_t weight)
{
	wasm_ref_t *r = calloc(1, size);
	if (!r)
		return NULL;
	r->kind = kind;
	r->handles = 1;
	r->store = store;
	if (store) {
		r->next = store->objs;
		store->objs = r;
		store->weight += weight;
	}
	return r;
}

static bool owned_extern(const wasm_ref_t *r)
{
	return r->kind <= OBJ_MEMORY && ((const wasm_extern_t *)r)->owner;
}

void capi_hold(wasm_ref_t *r)
{
	r->handles++;
	if (owned_extern(r))
		((wasm_extern_t *)r)->owner->ext_handles++;
}

void capi_release(wasm_ref_t *r)
{
	wasm_store_t *s = r->store;
	if (!r->handles) /* deleted more often than held: ignore */
		return;
	r->handles--;
	if (owned_extern(r))
		((wasm_extern_t *)r)->owner->ext_handles--;
	if (!s) { /* a trap no store owns */
		if (!r->handles)
			free_obj(r);
		return;
	}
	if (!s->calls && !s->collecting && s->weight >= s->gc_next)
		capi_collect(s);
}

/* ---- reachability ---- */

typedef struct marker {
	wasm_ref_t **stack;
	size_t n, cap;
	bool oom;
} marker;

static void mark(marker *k, wasm_ref_t *r)
{
	if (!r)
		return;
	if (owned_extern(r)) /* lives as long as its instance */
		r = &((wasm_extern_t *)r)->owner->ref;
	if (r->marked)
		return;
	r->marked = true;
	if (k->n == k->cap) {
		size_t nc = k->cap ? 2 * k->cap : 64;
		wasm_ref_t **ns = realloc(k->stack, nc * sizeof *ns);
		if (!ns) {
			k->oom = true;
			return;
		}
		k->stack = ns;
		k->cap = nc;
	}
	k->stack[k->n++] = r;
}

/* A reference value as the engine holds it: a wa_func * (funcref) or a
 * wasm_ref_t * (externref). */
static void mark_value(marker *k, uint8_t type, uint64_t v)
{
	wa_func *f;
	if (!v)
		return;
	if (type == WA_EXTERNREF) {
		mark(k, (wasm_ref_t *)(uintptr_t)v);
		return;
	}
	f = (wa_func *)(uintptr_t)v;
	if (f->inst)
		mark(k, f->inst->host_data);
	else
		mark(k, &container_of(f, capi_hostfunc, wf)->func.ext.ref);
}

static void mark_table(marker *k, const wa_table *t)
{
	for (uint32_t i = 0; i < t->size; i++)
		mark_value(k, t->elem, t->elems[i]);
}

static void mark_instance(marker *k, wasm_instance_t *in)
{
	const wa_instance *wi = in->inst;
	const wa_module *m = in->cm->m;
	for (uint32_t i = 0; i < in->nimports; i++)
		mark(k, &in->imports[i]->ref);
	if (!wi)
		return;
	for (uint32_t i = m->ntable_imports; i < m->ntables; i++)
		if (wi->tables[i])
			mark_table(k, wi->tables[i]);
	for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++)
		if (wi->globals[i])
			mark_value(k, wi->globals[i]->type, wi->globals[i]->v[0]);
	for (uint32_t i = 0; i < m->nelems; i++)
		for (uint32_t j = 0; wi->elem_vals[i] && j < m->elems[i].count; j++)
			mark_value(k, m->elems[i].type, wi->elem_vals[i][j]);
}

static void trace(marker *k, wasm_ref_t *r)
{
	switch (r->kind) {
	case OBJ_INSTANCE:
		mark_instance(k, (wasm_instance_t *)r);
		break;
	case OBJ_TABLE:
		mark_table(k, ((wasm_extern_t *)r)->x.table);
		break;
	case OBJ_GLOBAL: {
		const wa_global *g = ((wasm_extern_t *)r)->x.global;
		mark_value(k, g->type, g->v[0]);
		break;
	}
	case OBJ_TRAP: {
		const wasm_trap_t *t = (const wasm_trap_t *)r;
		for (uint32_t i = 0; i < t->nframes; i++)
			mark(k, &t->frames[i].inst->ref);
		break;
	}
	}
}

static size_t obj_weight(const wasm_ref_t *r)
{
	if (r->kind == OBJ_INSTANCE) {
		const wa_module *m = ((const wasm_instance_t *)r)->cm->m;
		return 4 + 64 * (m->nmems - m->nmem_imports);
	}
	return r->kind == OBJ_MEMORY ? 64 : 1;
}

void capi_collect(wasm_store_t *s)
{
	marker k = { 0 };
	wasm_ref_t *r, **pp, *dead = NULL;
	size_t live = 0;
	s->collecting = true;
	for (r = s->objs; r; r = r->next)
		if (r->handles || (r->kind == OBJ_INSTANCE && ((wasm_instance_t *)r)->ext_handles))
			mark(&k, r);
	if (s->host_trap)
		mark(&k, &s->host_trap->ref);
	while (k.n && !k.oom)
		trace(&k, k.stack[--k.n]);
	free(k.stack);
	for (pp = &s->objs; (r = *pp);) {
		if (r->marked || k.oom) { /* out of memory while marking: keep all */
			r->marked = false;
			live += obj_weight(r);
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		r->next = dead;
		dead = r;
	}
	/* finalizers first, so that one may still read objects freed with it */
	for (r = dead; r; r = r->next)
		run_finalizers(r);
	while ((r = dead)) {
		dead = r->next;
		free_obj(r);
	}
	s->weight = live;
	s->gc_next = 2 * live > GC_MIN ? 2 * live : GC_MIN;
	s->collecting = false;
}

/* ---- freeing ---- */

static void finalize(wasm_ref_t *r)
{
	void (*fin)(void *) = r->finalizer;
	r->finalizer = NULL;
	if (fin)
		fin(r->info);
}

static void run_finalizers(wasm_ref_t *r)
{
	if (r->kind == OBJ_INSTANCE) {
		wasm_instance_t *in = (wasm_instance_t *)r;
		const wa_module *m = in->cm->m;
		for (uint32_t i = 0; in->funcs && i < m->nfuncs; i++)
			if (in->funcs[i])
				finalize(&in->funcs[i]->ref);
		for (uint32_t i = 0; in->tables && i < m->ntables; i++)
			if (in->tables[i])
				finalize(&in->tables[i]->ref);
		for (uint32_t i = 0; in->mems && i < m->nmems; i++)
			if (in->mems[i])
				finalize(&in->mems[i]->ref);
		for (uint32_t i = 0; in->globals && i < m->nglobals; i++)
			if (in->globals[i])
				finalize(&in->globals[i]->ref);
	}
	if (r->kind == OBJ_FUNC) {
		capi_hostfunc *h = container_of(r, capi_hostfunc, func.ext.ref);
		void (*fin)(void *) = h->env_finalizer;
		h->env_finalizer = NULL;
		if (fin)
			fin(h->env);
	}
	finalize(r);
}

void capi_module_unref(capi_module *cm);

static void free_cache(wasm_extern_t **c, uint32_t n)
{
	for (uint32_t i = 0; c && i < n; i++)
		free(c[i]);
	free(c);
}

static void free_instance(wasm_instance_t *in)
{
	const wa_module *m = in->cm->m;
	free_cache(in->funcs, m->nfuncs);
	free_cache(in->tables, m->ntables);
	free_cache(in->mems, m->nmems);
	free_cache(in->globals, m->nglobals);
	wa_instance_free(in->inst);
	free(in->imports);
	capi_module_unref(in->cm);
}

/* Objects in a store's list: host externs, instances, modules, foreign
 * objects, traps (instance-owned externs go with their instance). */
static void free_obj(wasm_ref_t *r)
{
	switch (r->kind) {
	case OBJ_FUNC: {
		capi_hostfunc *h = container_of(r, capi_hostfunc, func.ext.ref);
		free(h->type.types);
		break;
	}
	case OBJ_TABLE: wa_table_free(((wasm_extern_t *)r)->x.table); break;
	case OBJ_MEMORY: wa_memory_free(((wasm_extern_t *)r)->x.mem); break;
	case OBJ_INSTANCE: free_instance((wasm_instance_t *)r); break;
	case OBJ_MODULE: capi_module_unref(((wasm_module_t *)r)->cm); break;
	case OBJ_TRAP:
		free(((wasm_trap_t *)r)->msg);
		free(((wasm_trap_t *)r)->frames);
		break;
	}
	free(r);
}

/* ---- the reference protocol, for every reference-like type ---- */

#define REF_BASE(name, refexpr) \
	void wasm_##name##_delete(wasm_##name##_t *x) \
	{ \
		if (x) \
			capi_release(refexpr); \
	} \
	wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *x) \
	{ \
		if (x) \
			capi_hold((wasm_ref_t *)(refexpr)); \
		return (wasm_##name##_t *)x; \
	} \
	bool wasm_##name##_same(const wasm_##name##_t *a, const wasm_##name##_t *b) \
	{ \
		return a == b; \
	} \
	void *wasm_##name##_get_host_info(const wasm_##name##_t *x) \
	{ \
		return x ? ((const wasm_ref_t *)(refexpr))->info : NULL; \
	} \
	void wasm_##name##_set_host_info(wasm_##name##_t *x, void *info) \
	{ \
		wasm_##name##_set_host_info_with_finalizer(x, info, NULL); \
	} \
	void wasm_##name##_set_host_info_with_finalizer(wasm_##name##_t *x, void *info, void (*fin)(void *)) \
	{ \
		if (!x) \
			return; \
		((wasm_ref_t *)(refexpr))->info = info; \
		((wasm_ref_t *)(refexpr))->finalizer = fin; \
	}

/* Conversions to and from wasm_ref_t: the header comes first, so these are
 * casts guarded by the kind. */
#define REF_CONV(name, kindtest) \
	wasm_ref_t *wasm_##name##_as_ref(wasm_##name##_t *x) \
	{ \
		return (wasm_ref_t *)x; \
	} \
	const wasm_ref_t *wasm_##name##_as_ref_const(const wasm_##name##_t *x) \
	{ \
		return (const wasm_ref_t *)x; \
	} \
	wasm_##name##_t *wasm_ref_as_##name(wasm_ref_t *r) \
	{ \
		return r && (kindtest) ? (wasm_##name##_t *)r : NULL; \
	} \
	const wasm_##name##_t *wasm_ref_as_##name##_const(const wasm_ref_t *r) \
	{ \
		return r && (kindtest) ? (const wasm_##name##_t *)r : NULL; \
	}

REF_BASE(ref, (wasm_ref_t *)x)
REF_BASE(func, (wasm_ref_t *)x)
REF_BASE(global, (wasm_ref_t *)x)
REF_BASE(table, (wasm_ref_t *)x)
REF_BASE(memory, (wasm_ref_t *)x)
REF_BASE(extern, (wasm_ref_t *)x)
REF_BASE(instance, (wasm_ref_t *)x)
REF_BASE(module, (wasm_ref_t *)x)
REF_BASE(foreign, (wasm_ref_t *)x)
REF_BASE(trap, (wasm_ref_t *)x)

REF_CONV(func, r->kind == OBJ_FUNC)
REF_CONV(global, r->kind == OBJ_GLOBAL)
REF_CONV(table, r->kind == OBJ_TABLE)
REF_CONV(memory, r->kind == OBJ_MEMORY)
REF_CONV(extern, r->kind <= OBJ_MEMORY)
REF_CONV(instance, r->kind == OBJ_INSTANCE)
REF_CONV(module, r->kind == OBJ_MODULE)
REF_CONV(foreign, r->kind == OBJ_FOREIGN)
REF_CONV(trap, r->kind == OBJ_TRAP)

/* ---- foreign objects ---- */

wasm_foreign_t *wasm_foreign_new(wasm_store_t *store)
{
	return store ? capi_obj_new(store, sizeof(wasm_foreign_t), OBJ_FOREIGN, 1) : NULL;
}

/* ---- traps and frames ---- */

static wasm_trap_t *trap_new(wasm_store_t *store, const char *msg, size_t len)
{
	wasm_trap_t *t = capi_obj_new(store, sizeof *t, OBJ_TRAP, 1);
	if (!t)
		return NULL;
	t->msg = malloc(len + 1);
	if (!t->msg) {
		t->msg = NULL;
		t->len = 0;
		return t; /* still a trap: message reads as empty */
	}
	memcpy(t->msg, msg, len);
	t->msg[len] = 0;
	t->len = len + 1;
	return t;
}

/* The engine's record of the last trap: wasm functions, innermost first. */
void capi_trap_frames(wasm_trap_t *trap, const wa_thread *t)
{
	free(trap->frames);
	trap->nframes = 0;
	trap->frames = calloc(t->ntrace + 1, sizeof *trap->frames);
	if (!trap->frames)
		return;
	for (uint32_t i = 0; i < t->ntrace; i++) {
		const wa_func *f = t->trace[i];
		capi_frame *fr = &trap->frames[trap->nframes];
		const wa_module *m;
		if (!f || !f->inst || !f->inst->host_data)
			continue;
		m = f->inst->mod;
		fr->inst = f->inst->host_data;
		fr->func_index = f->idx;
		fr->module_offset = wa_code_offset(f, t->trace_pc[i]);
		/* from the start of the function's code entry, as other engines */
		fr->func_offset = fr->module_offset -
				  (size_t)(m->funcs[f->idx - m->nfunc_imports].start - m->bytes);
		trap->nframes++;
	}
}

wasm_trap_t *capi_trap(wasm_store_t *store, const char *msg, const wa_thread *t)
{
	wasm_trap_t *trap = trap_new(store, msg, strlen(msg));
	if (trap && t)
		capi_trap_frames(trap, t);
	return trap;
}

wasm_trap_t *capi_trapf(wasm_store_t *store, const char *fmt, ...)
{
	char buf[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return capi_trap(store, buf, NULL);
}

wasm_trap_t *wasm_trap_new(wasm_store_t *store, const wasm_message_t *message)
{
	size_t len = message && message->data ? message->size : 0;
	if (len && message->data[len - 1] == 0) /* the message's own NUL */
		len--;
	return trap_new(store, len ? message->data : "", len);
}

void wasm_trap_message(const wasm_trap_t *t, wasm_message_t *out)
{
	if (!out)
		return;
	if (!t || !t->msg) {
		wasm_byte_vec_new(out, 1, "");
		return;
	}
	wasm_byte_vec_new(out, t->len, t->msg);
}

static wasm_frame_t *frame_new(const capi_frame *f)
{
	wasm_frame_t *fr = malloc(sizeof *fr);
	if (fr) {
		fr->f = *f;
		capi_hold(&f->inst->ref);
	}
	return fr;
}

wasm_frame_t *wasm_trap_origin(const wasm_trap_t *t)
{
	return t && t->nframes ? frame_new(&t->frames[0]) : NULL;
}

void wasm_trap_trace(const wasm_trap_t *t, wasm_frame_vec_t *out)
{
	if (!out)
		return;
	wasm_frame_vec_new_uninitialized(out, t ? t->nframes : 0);
	for (size_t i = 0; i < out->size; i++)
		out->data[i] = frame_new(&t->frames[i]);
}

void wasm_frame_delete(wasm_frame_t *f)
{
	if (!f)
		return;
	capi_release(&f->f.inst->ref);
	free(f);
}

wasm_frame_t *wasm_frame_copy(const wasm_frame_t *f)
{
	return f ? frame_new(&f->f) : NULL;
}

wasm_instance_t *wasm_frame_instance(const wasm_frame_t *f)
{
	return f ? f->f.inst : NULL;
}

uint32_t wasm_frame_func_index(const wasm_frame_t *f)
{
	return f ? f->f.func_index : 0;
}

size_t wasm_frame_func_offset(const wasm_frame_t *f)
{
	return f ? f->f.func_offset : 0;
}

size_t wasm_frame_module_offset(const wasm_frame_t *f)
{
	return f ? f->f.module_offset : 0;
}
