/* capi.c - the wasm.h runtime objects over the wa_ engine: modules (shared
 * across stores, serializable), instances, functions (host callbacks and
 * calls into wasm), globals, tables, memories, and cairn.h's additions.
 * Every embedder mistake (NULL, wrong count or kind, another store's
 * object, out of range) gives a trap, NULL or false, never undefined
 * behaviour. */
#include "wasm/capi.h"
#include "wasm/text.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_SLOTS 32 /* values passed without a heap allocation */

/* ---- values ---- */

static bool is_ref_type(uint8_t ty)
{
	return ty == WA_FUNCREF || ty == WA_EXTERNREF;
}

const char *capi_val_to_slot(wasm_store_t *store, uint8_t ty, const wasm_val_t *v, uint64_t *slot)
{
	wasm_ref_t *r;
	uint32_t u32;
	if (is_ref_type(ty)) {
		/* either ref kind is accepted: WASM_REF_VAL/WASM_INIT_VAL say externref */
		if (!wasm_valkind_is_ref(v->kind))
			return "a reference was expected";
		r = v->of.ref;
		if (!r) {
			*slot = 0;
			return NULL;
		}
		if (r->store != store)
			return "the reference belongs to another store";
		if (ty == WA_FUNCREF) {
			if (r->kind != OBJ_FUNC)
				return "funcref needs a function";
			*slot = (uintptr_t)((wasm_extern_t *)r)->x.func;
		} else {
			*slot = (uintptr_t)r;
		}
		return NULL;
	}
	if (v->kind != capi_kind_of(ty))
		return "wrong value kind";
	switch (ty) {
	case WA_I32: *slot = (uint32_t)v->of.i32; break;
	case WA_I64: *slot = (uint64_t)v->of.i64; break;
	case WA_F32: memcpy(&u32, &v->of.f32, 4); *slot = u32; break;
	case WA_F64: memcpy(slot, &v->of.f64, 8); break;
	default: return "v128 values cannot pass through wasm.h";
	}
	return NULL;
}

void capi_val_from_slot(uint8_t ty, uint64_t slot, wasm_val_t *v, bool own_ref)
{
	uint32_t u32 = (uint32_t)slot;
	memset(v, 0, sizeof *v);
	v->kind = capi_kind_of(ty);
	switch (ty) {
	case WA_I32: v->of.i32 = (int32_t)u32; return;
	case WA_I64: v->of.i64 = (int64_t)slot; return;
	case WA_F32: memcpy(&v->of.f32, &u32, 4); return;
	case WA_F64: memcpy(&v->of.f64, &slot, 8); return;
	case WA_FUNCREF: {
		wasm_func_t *f = slot ? capi_func_obj((wa_func *)(uintptr_t)slot) : NULL;
		v->of.ref = f ? &f->ext.ref : NULL;
		break;
	}
	case WA_EXTERNREF: v->of.ref = (wasm_ref_t *)(uintptr_t)slot; break;
	default: return; /* v128: no payload */
	}
	if (own_ref && v->of.ref)
		capi_hold(v->of.ref);
}

/* ---- modules ---- */

void capi_module_unref(capi_module *cm);
void capi_module_unref(capi_module *cm)
{
	if (cm && atomic_fetch_sub(&cm->refs, 1) == 1) {
		wa_module_free(cm->m);
		free(cm);
	}
}

static wasm_module_t *module_obj(wasm_store_t *store, capi_module *cm)
{
	wasm_module_t *mo = capi_obj_new(store, sizeof *mo, OBJ_MODULE, 1);
	if (!mo) {
		capi_module_unref(cm);
		return NULL;
	}
	mo->cm = cm;
	return mo;
}

/* Decode, validate and compile once: instances on any thread then only read
 * the compiled code. */
static capi_module *compile(const wasm_byte_vec_t *binary, wa_err *e)
{
	capi_module *cm;
	wa_module *m = NULL;
	e->msg[0] = 0;
	e->offset = 0;
	if (!binary || (binary->size && !binary->data)) {
		snprintf(e->msg, sizeof e->msg, "no module bytes");
		return NULL;
	}
	if (wa_decode((const uint8_t *)binary->data, binary->size, &m, e) || wa_validate(m, e) ||
	    wa_compile(m, e)) {
		wa_module_free(m);
		return NULL;
	}
	cm = calloc(1, sizeof *cm);
	if (!cm) {
		snprintf(e->msg, sizeof e->msg, "out of memory");
		wa_module_free(m);
		return NULL;
	}
	atomic_init(&cm->refs, 1);
	cm->m = m;
	return cm;
}

static void set_message(wasm_message_t *out, const char *msg)
{
	if (out)
		wasm_byte_vec_new(out, strlen(msg) + 1, msg);
}

wasm_module_t *cairn_module_new(wasm_store_t *store, const wasm_byte_vec_t *binary, wasm_message_t *error)
{
	wa_err e;
	capi_module *cm;
	char buf[260];
	if (error)
		wasm_byte_vec_new_empty(error);
	if (!store) {
		set_message(error, "no store");
		return NULL;
	}
	cm = compile(binary, &e);
	if (!cm) {
		snprintf(buf, sizeof buf, "%s (at byte %zu)", e.msg, e.offset);
		set_message(error, buf);
		return NULL;
	}
	return module_obj(store, cm);
}

wasm_module_t *wasm_module_new(wasm_store_t *store, const wasm_byte_vec_t *binary)
{
	return cairn_module_new(store, binary, NULL);
}

bool wasm_module_validate(wasm_store_t *store, const wasm_byte_vec_t *binary)
{
	wa_module *m = NULL;
	wa_err e;
	bool ok;
	if (!store || !binary || (binary->size && !binary->data))
		return false;
	ok = !wa_decode((const uint8_t *)binary->data, binary->size, &m, &e) && !wa_validate(m, &e);
	wa_module_free(m);
	return ok;
}

static wasm_externtype_t *import_type(const wa_module *m, const wa_import *im)
{
	switch (im->kind) {
	case WA_EXT_FUNC: return (wasm_externtype_t *)capi_functype_from(&m->types[im->type]);
	case WA_EXT_TABLE:
		return (wasm_externtype_t *)capi_tabletype_from(im->table.elem, im->table.lim.min,
								im->table.lim.max, im->table.lim.has_max);
	case WA_EXT_MEMORY:
		return (wasm_externtype_t *)capi_memorytype_from(im->mem.min, im->mem.max, im->mem.has_max);
	default: return (wasm_externtype_t *)capi_globaltype_from(im->global.type, im->global.mut);
	}
}

static wasm_externtype_t *export_type(const wa_module *m, const wa_export *x)
{
	switch (x->kind) {
	case WA_EXT_FUNC: return (wasm_externtype_t *)capi_functype_from(&m->types[m->func_types[x->idx]]);
	case WA_EXT_TABLE: {
		const wa_tabletype *t = &m->tables[x->idx];
		return (wasm_externtype_t *)capi_tabletype_from(t->elem, t->lim.min, t->lim.max, t->lim.has_max);
	}
	case WA_EXT_MEMORY: {
		const wa_limits *l = &m->mems[x->idx];
		return (wasm_externtype_t *)capi_memorytype_from(l->min, l->max, l->has_max);
	}
	default: return (wasm_externtype_t *)capi_globaltype_from(m->globals[x->idx].type, m->globals[x->idx].mut);
	}
}

void wasm_module_imports(const wasm_module_t *mo, wasm_importtype_vec_t *out)
{
	const wa_module *m;
	if (!out)
		return;
	wasm_importtype_vec_new_empty(out);
	if (!mo)
		return;
	m = mo->cm->m;
	wasm_importtype_vec_new_uninitialized(out, m->nimports);
	for (size_t i = 0; i < out->size; i++) {
		const wa_import *im = &m->imports[i];
		wasm_name_t mod, name;
		wasm_name_new(&mod, im->mlen, im->module);
		wasm_name_new(&name, im->nlen, im->name);
		out->data[i] = wasm_importtype_new(&mod, &name, import_type(m, im));
	}
}

void wasm_module_exports(const wasm_module_t *mo, wasm_exporttype_vec_t *out)
{
	const wa_module *m;
	if (!out)
		return;
	wasm_exporttype_vec_new_empty(out);
	if (!mo)
		return;
	m = mo->cm->m;
	wasm_exporttype_vec_new_uninitialized(out, m->nexports);
	for (size_t i = 0; i < out->size; i++) {
		wasm_name_t name;
		wasm_name_new(&name, m->exports[i].len, m->exports[i].name);
		out->data[i] = wasm_exporttype_new(&name, export_type(m, &m->exports[i]));
	}
}

wasm_shared_module_t *wasm_module_share(const wasm_module_t *mo)
{
	wasm_shared_module_t *s = mo ? malloc(sizeof *s) : NULL;
	if (s) {
		s->cm = mo->cm;
		atomic_fetch_add(&s->cm->refs, 1);
	}
	return s;
}

wasm_module_t *wasm_module_obtain(wasm_store_t *store, const wasm_shared_module_t *s)
{
	if (!store || !s)
		return NULL;
	atomic_fetch_add(&s->cm->refs, 1);
	return module_obj(store, s->cm);
}

void wasm_shared_module_delete(wasm_shared_module_t *s)
{
	if (s) {
		capi_module_unref(s->cm);
		free(s);
	}
}

/* Serialized form: a header, then the module's binary, which is decoded,
 * validated and compiled again on load (the compiled code holds label
 * addresses of this process).  A corrupt blob fails the hash or the
 * validation, never the loader. */
#define SER_MAGIC "CAIRNMOD"
#define SER_VERSION 1u
#define SER_HEADER 32 /* magic 8, version 4, reserved 4, length 8, hash 8 */

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

void wasm_module_serialize(const wasm_module_t *mo, wasm_byte_vec_t *out)
{
	const wa_module *m;
	uint8_t *p;
	if (!out)
		return;
	wasm_byte_vec_new_empty(out);
	if (!mo)
		return;
	m = mo->cm->m;
	wasm_byte_vec_new_uninitialized(out, SER_HEADER + m->len);
	if (!out->size)
		return;
	p = (uint8_t *)out->data;
	memcpy(p, SER_MAGIC, 8);
	st_le32(p + 8, SER_VERSION);
	st_le32(p + 12, 0);
	st_le64(p + 16, m->len);
	st_le64(p + 24, fnv1a(m->bytes, m->len));
	memcpy(p + SER_HEADER, m->bytes, m->len);
}

wasm_module_t *wasm_module_deserialize(wasm_store_t *store, const wasm_byte_vec_t *blob)
{
	const uint8_t *p;
	wasm_byte_vec_t bin;
	if (!store || !blob || !blob->data || blob->size < SER_HEADER)
		return NULL;
	p = (const uint8_t *)blob->data;
	if (memcmp(p, SER_MAGIC, 8) || ld_le32(p + 8) != SER_VERSION || ld_le32(p + 12) ||
	    ld_le64(p + 16) != blob->size - SER_HEADER ||
	    ld_le64(p + 24) != fnv1a(p + SER_HEADER, blob->size - SER_HEADER))
		return NULL;
	bin.size = blob->size - SER_HEADER;
	bin.data = (wasm_byte_t *)(uintptr_t)(p + SER_HEADER);
	return wasm_module_new(store, &bin);
}

/* ---- instances ---- */

static wasm_extern_t ***cache_of(wasm_instance_t *in, uint8_t wa_kind, uint32_t *n)
{
	const wa_module *m = in->cm->m;
	switch (wa_kind) {
	case WA_EXT_FUNC: *n = m->nfuncs; return &in->funcs;
	case WA_EXT_TABLE: *n = m->ntables; return &in->tables;
	case WA_EXT_MEMORY: *n = m->nmems; return &in->mems;
	default: *n = m->nglobals; return &in->globals;
	}
}

static const uint8_t obj_kind_of[4] = {
	[WA_EXT_FUNC] = OBJ_FUNC, [WA_EXT_TABLE] = OBJ_TABLE,
	[WA_EXT_MEMORY] = OBJ_MEMORY, [WA_EXT_GLOBAL] = OBJ_GLOBAL,
};

/* Own items are cached by index (made on first use); imported items are
 * the objects the instance was linked with. */
wasm_extern_t *capi_instance_extern(wasm_instance_t *in, uint8_t wa_kind, uint32_t idx)
{
	const wa_module *m = in->cm->m;
	uint32_t nimp = wa_kind == WA_EXT_FUNC ? m->nfunc_imports : wa_kind == WA_EXT_TABLE ? m->ntable_imports :
			wa_kind == WA_EXT_MEMORY ? m->nmem_imports : m->nglobal_imports;
	uint32_t n, k = 0;
	wasm_extern_t ***cache = cache_of(in, wa_kind, &n), *x;
	if (idx < nimp) { /* the idx-th import of this kind */
		for (uint32_t i = 0; i < m->nimports; i++)
			if (m->imports[i].kind == wa_kind && k++ == idx)
				return in->imports[i];
		return NULL;
	}
	if (!*cache && !(*cache = calloc(n + 1, sizeof **cache)))
		return NULL;
	if ((x = (*cache)[idx]))
		return x;
	x = calloc(1, sizeof *x);
	if (!x)
		return NULL;
	x->ref.kind = obj_kind_of[wa_kind];
	x->ref.store = in->ref.store;
	x->owner = in;
	x->x.kind = wa_kind;
	switch (wa_kind) {
	case WA_EXT_FUNC: x->x.func = in->inst->funcs[idx]; break;
	case WA_EXT_TABLE: x->x.table = in->inst->tables[idx]; break;
	case WA_EXT_MEMORY: x->x.mem = in->inst->mems[idx]; break;
	default: x->x.global = in->inst->globals[idx]; break;
	}
	(*cache)[idx] = x;
	return x;
}

wasm_func_t *capi_func_obj(wa_func *wf)
{
	if (!wf->inst)
		return &container_of(wf, capi_hostfunc, wf)->func;
	return (wasm_func_t *)capi_instance_extern(wf->inst->host_data, WA_EXT_FUNC, wf->idx);
}

/* The embedder's imports, checked for what the engine cannot see. */
static wasm_trap_t *check_imports(wasm_store_t *store, const wa_module *m, const wasm_extern_vec_t *imports,
				  wa_extern *out)
{
	size_t n = imports ? imports->size : 0;
	if (n != m->nimports || (n && !imports->data))
		return capi_trapf(store, "module needs %u imports, got %zu", m->nimports, n);
	for (uint32_t i = 0; i < m->nimports; i++) {
		const wa_import *im = &m->imports[i];
		const wasm_extern_t *x = imports->data[i];
		if (!x || x->ref.store != store || x->x.kind != im->kind)
			return capi_trapf(store, "import %u (\"%.*s\" \"%.*s\"): %s", i, (int)im->mlen, im->module,
					  (int)im->nlen, im->name,
					  !x ? "is NULL" : x->ref.store != store ? "belongs to another store" :
					  x->x.kind == WA_EXT_FUNC ? "a function was given" :
					  x->x.kind == WA_EXT_TABLE ? "a table was given" :
					  x->x.kind == WA_EXT_MEMORY ? "a memory was given" : "a global was given");
		out[i] = x->x;
	}
	return NULL;
}

static wasm_instance_t *instance_obj(wasm_store_t *store, const wasm_module_t *mo, const wasm_extern_vec_t *imports)
{
	const wa_module *m = mo->cm->m;
	wasm_instance_t *in = capi_obj_new(store, sizeof *in, OBJ_INSTANCE, 4 + 64 * (m->nmems - m->nmem_imports));
	if (!in)
		return NULL;
	in->cm = mo->cm;
	atomic_fetch_add(&in->cm->refs, 1);
	in->imports = calloc(m->nimports + 1, sizeof *in->imports);
	if (!in->imports) {
		capi_release(&in->ref); /* not linked yet: freed by a collection */
		return NULL;
	}
	in->nimports = m->nimports;
	for (uint32_t i = 0; i < m->nimports; i++)
		in->imports[i] = imports->data[i];
	return in;
}

static int instantiate(wasm_store_t *store, wasm_instance_t *in, const wa_extern *ext, wasm_trap_t **trap)
{
	wa_thread *t = &store->thread;
	wa_module *m = in->cm->m;
	wa_err e;
	const char *busy = capi_enter(store);
	int err;
	if (busy) {
		*trap = capi_trap(store, busy, NULL);
		return -1;
	}
	t->trap = NULL;
	t->ntrace = 0;
	err = wa_instantiate_with(m, ext, t, in, &in->inst, &e);
	if (err) {
		/* a trap of the start function has frames; a link error or a
		 * segment out of bounds has none */
		*trap = t->trap ? capi_call_trap(store) : capi_trap(store, e.msg, NULL);
		if (!in->inst) { /* nothing of it exists in the engine */
			free(in->imports);
			in->imports = NULL;
			in->nimports = 0;
		}
	}
	if (capi_leaving_destroys(store)) { /* the start function's callee deleted the store */
		*trap = *trap ? capi_trap_detach(*trap) : capi_trap(NULL, "store deleted during instantiation", NULL);
		capi_leave(store);
		return -2; /* in is gone */
	}
	capi_leave(store);
	return err ? -1 : 0;
}

wasm_instance_t *wasm_instance_new(wasm_store_t *store, const wasm_module_t *mo, const wasm_extern_vec_t *imports,
				   wasm_trap_t **trap)
{
	wa_extern *ext;
	wasm_instance_t *in;
	wasm_trap_t *err = NULL;
	if (trap)
		*trap = NULL;
	if (!store)
		err = capi_trap(NULL, "wasm_instance_new: no store", NULL);
	else if (!mo)
		err = capi_trap(store, "wasm_instance_new: no module", NULL);
	if (err) {
		if (trap)
			*trap = err;
		else
			wasm_trap_delete(err);
		return NULL;
	}
	ext = calloc(mo->cm->m->nimports + 1, sizeof *ext);
	err = ext ? check_imports(store, mo->cm->m, imports, ext) : capi_trap(store, "out of memory", NULL);
	in = err ? NULL : instance_obj(store, mo, imports);
	if (!err && !in)
		err = capi_trap(store, "out of memory", NULL);
	if (in) {
		int rc = instantiate(store, in, ext, &err);
		if (rc == -1)
			capi_release(&in->ref); /* a partial instance stays while its tables need it */
		if (rc)
			in = NULL;
	}
	free(ext);
	if (trap)
		*trap = err;
	else if (err)
		wasm_trap_delete(err);
	return in;
}

void wasm_instance_exports(const wasm_instance_t *cin, wasm_extern_vec_t *out)
{
	wasm_instance_t *in = (wasm_instance_t *)cin;
	const wa_module *m;
	if (!out)
		return;
	wasm_extern_vec_new_empty(out);
	if (!in || !in->inst)
		return;
	m = in->cm->m;
	wasm_extern_vec_new_uninitialized(out, m->nexports);
	for (size_t i = 0; i < out->size; i++) {
		wasm_extern_t *x = capi_instance_extern(in, m->exports[i].kind, m->exports[i].idx);
		if (x)
			capi_hold(&x->ref);
		out->data[i] = x;
	}
}
