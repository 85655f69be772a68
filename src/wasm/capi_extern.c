/* capi_extern.c - wasm.h globals, tables and memories (made by the
 * embedder or exported by instances) and the extern conversions.  Bad
 * kinds, other stores' references and out-of-range indices give NULL or
 * false, never a write outside the object. */
#include "wasm/capi.h"

#include <stdlib.h>

/* ---- globals ---- */

wasm_global_t *wasm_global_new(wasm_store_t *store, const wasm_globaltype_t *gt, const wasm_val_t *val)
{
	capi_hostglobal *g;
	uint64_t slot;
	uint8_t ty;
	if (!store || !gt || !gt->content || !val)
		return NULL;
	ty = capi_type_of(gt->content->kind);
	if (ty == 0xff || ty == WA_V128 || capi_val_to_slot(store, ty, val, &slot))
		return NULL;
	g = capi_obj_new(store, sizeof *g, OBJ_GLOBAL, 1);
	if (!g)
		return NULL;
	g->g.type = ty;
	g->g.mut = gt->mut == WASM_VAR;
	g->g.v[0] = slot;
	g->global.ext.x.kind = WA_EXT_GLOBAL;
	g->global.ext.x.global = &g->g;
	return &g->global;
}

wasm_globaltype_t *wasm_global_type(const wasm_global_t *g)
{
	return g ? capi_globaltype_from(g->ext.x.global->type, g->ext.x.global->mut) : NULL;
}

void wasm_global_get(const wasm_global_t *g, wasm_val_t *out)
{
	if (!out)
		return;
	if (!g) {
		memset(out, 0, sizeof *out);
		return;
	}
	capi_val_from_slot(g->ext.x.global->type, g->ext.x.global->v[0], out, true);
}

bool cairn_global_set(wasm_global_t *g, const wasm_val_t *val)
{
	uint64_t slot;
	wa_global *wg;
	if (!g || !val)
		return false;
	wg = g->ext.x.global;
	if (!wg->mut || capi_val_to_slot(g->ext.ref.store, wg->type, val, &slot))
		return false;
	wg->v[0] = slot;
	return true;
}

void wasm_global_set(wasm_global_t *g, const wasm_val_t *val)
{
	(void)cairn_global_set(g, val); /* wasm.h has no way to say no */
}

/* ---- tables ---- */

static bool ref_slot(wasm_store_t *store, uint8_t elem, wasm_ref_t *ref, uint64_t *slot)
{
	wasm_val_t v = { .kind = capi_kind_of(elem), .of = { .ref = ref } };
	return !capi_val_to_slot(store, elem, &v, slot);
}

wasm_table_t *wasm_table_new(wasm_store_t *store, const wasm_tabletype_t *tt, wasm_ref_t *init)
{
	wasm_extern_t *x;
	wa_table *t;
	uint64_t slot;
	uint8_t elem;
	bool has_max;
	if (!store || !tt || !tt->elem)
		return NULL;
	elem = capi_type_of(tt->elem->kind);
	has_max = tt->limits.max != wasm_limits_max_default;
	if ((elem != WA_FUNCREF && elem != WA_EXTERNREF) || (has_max && tt->limits.max < tt->limits.min) ||
	    !ref_slot(store, elem, init, &slot))
		return NULL;
	t = wa_table_new(elem, tt->limits.min, tt->limits.max, has_max);
	if (!t)
		return NULL;
	for (uint32_t i = 0; i < t->size; i++)
		t->elems[i] = slot;
	x = capi_obj_new(store, sizeof(wasm_table_t), OBJ_TABLE, 1 + t->size / 64);
	if (!x) {
		wa_table_free(t);
		return NULL;
	}
	x->x.kind = WA_EXT_TABLE;
	x->x.table = t;
	return (wasm_table_t *)x;
}

wasm_tabletype_t *wasm_table_type(const wasm_table_t *t)
{
	const wa_table *wt;
	if (!t)
		return NULL;
	wt = t->ext.x.table;
	return capi_tabletype_from(wt->elem, wt->size, wt->max, wt->has_max);
}

wasm_ref_t *wasm_table_get(const wasm_table_t *t, wasm_table_size_t index)
{
	const wa_table *wt;
	wasm_val_t v;
	if (!t || index >= t->ext.x.table->size)
		return NULL;
	wt = t->ext.x.table;
	capi_val_from_slot(wt->elem, wt->elems[index], &v, true);
	return v.of.ref;
}

bool wasm_table_set(wasm_table_t *t, wasm_table_size_t index, wasm_ref_t *ref)
{
	uint64_t slot;
	if (!t || index >= t->ext.x.table->size || !ref_slot(t->ext.ref.store, t->ext.x.table->elem, ref, &slot))
		return false;
	t->ext.x.table->elems[index] = slot;
	return true;
}

wasm_table_size_t wasm_table_size(const wasm_table_t *t)
{
	return t ? t->ext.x.table->size : 0;
}

bool wasm_table_grow(wasm_table_t *t, wasm_table_size_t delta, wasm_ref_t *init)
{
	uint64_t slot;
	if (!t || !ref_slot(t->ext.ref.store, t->ext.x.table->elem, init, &slot))
		return false;
	return wa_table_grow(t->ext.x.table, delta, slot) >= 0;
}

/* ---- memories ---- */

wasm_memory_t *wasm_memory_new(wasm_store_t *store, const wasm_memorytype_t *mt)
{
	wasm_extern_t *x;
	wa_memory *m;
	bool has_max;
	if (!store || !mt)
		return NULL;
	has_max = mt->limits.max != wasm_limits_max_default;
	if (mt->limits.min > 65536 || (has_max && (mt->limits.max < mt->limits.min || mt->limits.max > 65536)))
		return NULL;
	m = wa_memory_new(mt->limits.min, mt->limits.max, has_max);
	if (!m)
		return NULL;
	x = capi_obj_new(store, sizeof(wasm_memory_t), OBJ_MEMORY, 64);
	if (!x) {
		wa_memory_free(m);
		return NULL;
	}
	x->x.kind = WA_EXT_MEMORY;
	x->x.mem = m;
	return (wasm_memory_t *)x;
}

wasm_memorytype_t *wasm_memory_type(const wasm_memory_t *m)
{
	const wa_memory *wm;
	if (!m)
		return NULL;
	wm = m->ext.x.mem;
	return capi_memorytype_from(wm->pages, wm->max, wm->has_max);
}

byte_t *wasm_memory_data(wasm_memory_t *m)
{
	return m ? (byte_t *)m->ext.x.mem->base : NULL;
}

size_t wasm_memory_data_size(const wasm_memory_t *m)
{
	return m ? m->ext.x.mem->size : 0;
}

wasm_memory_pages_t wasm_memory_size(const wasm_memory_t *m)
{
	return m ? m->ext.x.mem->pages : 0;
}

bool wasm_memory_grow(wasm_memory_t *m, wasm_memory_pages_t delta)
{
	return m && wa_memory_grow(m->ext.x.mem, delta) >= 0;
}

/* ---- externs ---- */

wasm_externkind_t wasm_extern_kind(const wasm_extern_t *x)
{
	return x ? x->ref.kind : WASM_EXTERN_FUNC;
}

wasm_externtype_t *wasm_extern_type(const wasm_extern_t *x)
{
	if (!x)
		return NULL;
	switch (x->ref.kind) {
	case OBJ_FUNC: return (wasm_externtype_t *)wasm_func_type((const wasm_func_t *)x);
	case OBJ_GLOBAL: return (wasm_externtype_t *)wasm_global_type((const wasm_global_t *)x);
	case OBJ_TABLE: return (wasm_externtype_t *)wasm_table_type((const wasm_table_t *)x);
	default: return (wasm_externtype_t *)wasm_memory_type((const wasm_memory_t *)x);
	}
}

#define EXTERN_CONV(name, KIND) \
	wasm_extern_t *wasm_##name##_as_extern(wasm_##name##_t *x) \
	{ \
		return x ? &x->ext : NULL; \
	} \
	const wasm_extern_t *wasm_##name##_as_extern_const(const wasm_##name##_t *x) \
	{ \
		return x ? &x->ext : NULL; \
	} \
	wasm_##name##_t *wasm_extern_as_##name(wasm_extern_t *x) \
	{ \
		return x && x->ref.kind == KIND ? (wasm_##name##_t *)x : NULL; \
	} \
	const wasm_##name##_t *wasm_extern_as_##name##_const(const wasm_extern_t *x) \
	{ \
		return x && x->ref.kind == KIND ? (const wasm_##name##_t *)x : NULL; \
	}

EXTERN_CONV(func, OBJ_FUNC)
EXTERN_CONV(global, OBJ_GLOBAL)
EXTERN_CONV(table, OBJ_TABLE)
EXTERN_CONV(memory, OBJ_MEMORY)
