/* capi_types.c - wasm.h vectors and type objects (value, function, global,
 * table, memory, extern, import and export types) and their conversion
 * from and to the engine's types.  Plain heap objects: no store involved. */
#include "wasm/capi.h"

#include <stdlib.h>

/* ---- vectors ---- */

/* Byte and value vectors hold values; the others hold own pointers whose
 * elements are copied with _copy and freed with _delete. */
#define VEC_COMMON(name, T) \
	void wasm_##name##_vec_new_empty(wasm_##name##_vec_t *out) \
	{ \
		out->size = 0; \
		out->data = NULL; \
	} \
	void wasm_##name##_vec_new_uninitialized(wasm_##name##_vec_t *out, size_t n) \
	{ \
		out->data = n ? calloc(n, sizeof(T)) : NULL; \
		out->size = out->data ? n : 0; \
	} \
	void wasm_##name##_vec_new(wasm_##name##_vec_t *out, size_t n, T const data[]) \
	{ \
		wasm_##name##_vec_new_uninitialized(out, data ? n : 0); \
		if (out->size) \
			memcpy(out->data, data, n * sizeof(T)); \
	}

#define VEC_PLAIN(name, T) \
	VEC_COMMON(name, T) \
	void wasm_##name##_vec_copy(wasm_##name##_vec_t *out, const wasm_##name##_vec_t *v) \
	{ \
		wasm_##name##_vec_new(out, v ? v->size : 0, v ? v->data : NULL); \
	} \
	void wasm_##name##_vec_delete(wasm_##name##_vec_t *v) \
	{ \
		if (!v) \
			return; \
		free(v->data); \
		v->data = NULL; \
		v->size = 0; \
	}

#define VEC_OWN(name) \
	VEC_COMMON(name, wasm_##name##_t *) \
	void wasm_##name##_vec_copy(wasm_##name##_vec_t *out, const wasm_##name##_vec_t *v) \
	{ \
		wasm_##name##_vec_new_uninitialized(out, v && v->data ? v->size : 0); \
		for (size_t i = 0; i < out->size; i++) \
			out->data[i] = v->data[i] ? wasm_##name##_copy(v->data[i]) : NULL; \
	} \
	void wasm_##name##_vec_delete(wasm_##name##_vec_t *v) \
	{ \
		if (!v) \
			return; \
		for (size_t i = 0; v->data && i < v->size; i++) \
			if (v->data[i]) \
				wasm_##name##_delete(v->data[i]); \
		free(v->data); \
		v->data = NULL; \
		v->size = 0; \
	}

VEC_PLAIN(byte, wasm_byte_t)
VEC_OWN(valtype)
VEC_OWN(functype)
VEC_OWN(globaltype)
VEC_OWN(tabletype)
VEC_OWN(memorytype)
VEC_OWN(externtype)
VEC_OWN(importtype)
VEC_OWN(exporttype)
VEC_OWN(frame)
VEC_OWN(extern)

/* Values own their references. */
VEC_COMMON(val, wasm_val_t)

void wasm_val_vec_copy(wasm_val_vec_t *out, const wasm_val_vec_t *v)
{
	wasm_val_vec_new_uninitialized(out, v && v->data ? v->size : 0);
	for (size_t i = 0; i < out->size; i++)
		wasm_val_copy(&out->data[i], &v->data[i]);
}

void wasm_val_vec_delete(wasm_val_vec_t *v)
{
	if (!v)
		return;
	for (size_t i = 0; v->data && i < v->size; i++)
		wasm_val_delete(&v->data[i]);
	free(v->data);
	v->data = NULL;
	v->size = 0;
}

void wasm_val_delete(wasm_val_t *v)
{
	if (v && wasm_valkind_is_ref(v->kind) && v->of.ref) {
		wasm_ref_delete(v->of.ref);
		v->of.ref = NULL;
	}
}

void wasm_val_copy(wasm_val_t *out, const wasm_val_t *v)
{
	if (!out)
		return;
	if (!v) {
		memset(out, 0, sizeof *out);
		return;
	}
	*out = *v;
	if (wasm_valkind_is_ref(v->kind) && v->of.ref)
		out->of.ref = wasm_ref_copy(v->of.ref);
}

/* ---- value types ---- */

static bool kind_ok(wasm_valkind_t k)
{
	return k <= WASM_F64 || k == CAIRN_V128 || k == WASM_EXTERNREF || k == WASM_FUNCREF;
}

wasm_valtype_t *wasm_valtype_new(wasm_valkind_t kind)
{
	wasm_valtype_t *t = kind_ok(kind) ? malloc(sizeof *t) : NULL;
	if (t)
		t->kind = kind;
	return t;
}

void wasm_valtype_delete(wasm_valtype_t *t)
{
	free(t);
}

wasm_valtype_t *wasm_valtype_copy(const wasm_valtype_t *t)
{
	return t ? wasm_valtype_new(t->kind) : NULL;
}

wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t *t)
{
	return t ? t->kind : WASM_I32;
}

wasm_valkind_t capi_kind_of(uint8_t wa_type)
{
	switch (wa_type) {
	case WA_I32: return WASM_I32;
	case WA_I64: return WASM_I64;
	case WA_F32: return WASM_F32;
	case WA_F64: return WASM_F64;
	case WA_V128: return CAIRN_V128;
	case WA_FUNCREF: return WASM_FUNCREF;
	default: return WASM_EXTERNREF;
	}
}

uint8_t capi_type_of(wasm_valkind_t kind)
{
	switch (kind) {
	case WASM_I32: return WA_I32;
	case WASM_I64: return WA_I64;
	case WASM_F32: return WA_F32;
	case WASM_F64: return WA_F64;
	case CAIRN_V128: return WA_V128;
	case WASM_FUNCREF: return WA_FUNCREF;
	case WASM_EXTERNREF: return WA_EXTERNREF;
	default: return 0xff;
	}
}

const char *capi_kind_name(wasm_valkind_t kind)
{
	switch (kind) {
	case WASM_I32: return "i32";
	case WASM_I64: return "i64";
	case WASM_F32: return "f32";
	case WASM_F64: return "f64";
	case CAIRN_V128: return "v128";
	case WASM_FUNCREF: return "funcref";
	case WASM_EXTERNREF: return "externref";
	default: return "an unknown kind";
	}
}

/* ---- function types ---- */

wasm_functype_t *wasm_functype_new(wasm_valtype_vec_t *params, wasm_valtype_vec_t *results)
{
	wasm_functype_t *t = calloc(1, sizeof *t);
	if (!t) {
		wasm_valtype_vec_delete(params);
		wasm_valtype_vec_delete(results);
		return NULL;
	}
	t->ext.kind = WASM_EXTERN_FUNC;
	/* the vectors are moved in: the caller's become empty */
	if (params) {
		t->params = *params;
		params->size = 0;
		params->data = NULL;
	}
	if (results) {
		t->results = *results;
		results->size = 0;
		results->data = NULL;
	}
	return t;
}

void wasm_functype_delete(wasm_functype_t *t)
{
	if (!t)
		return;
	wasm_valtype_vec_delete(&t->params);
	wasm_valtype_vec_delete(&t->results);
	free(t);
}

wasm_functype_t *wasm_functype_copy(const wasm_functype_t *t)
{
	wasm_valtype_vec_t p, r;
	if (!t)
		return NULL;
	wasm_valtype_vec_copy(&p, &t->params);
	wasm_valtype_vec_copy(&r, &t->results);
	return wasm_functype_new(&p, &r);
}

static const wasm_valtype_vec_t empty_types;

const wasm_valtype_vec_t *wasm_functype_params(const wasm_functype_t *t)
{
	return t ? &t->params : &empty_types;
}

const wasm_valtype_vec_t *wasm_functype_results(const wasm_functype_t *t)
{
	return t ? &t->results : &empty_types;
}

static bool types_vec(wasm_valtype_vec_t *v, const uint8_t *types, uint32_t n)
{
	wasm_valtype_vec_new_uninitialized(v, n);
	if (v->size != n)
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (!(v->data[i] = wasm_valtype_new(capi_kind_of(types[i]))))
			return false;
	return true;
}

wasm_functype_t *capi_functype_from(const wa_functype *t)
{
	wasm_valtype_vec_t p = { 0, NULL }, r = { 0, NULL };
	if (!types_vec(&p, t->types, t->nparams) || !types_vec(&r, wa_ft_results(t), t->nresults)) {
		wasm_valtype_vec_delete(&p);
		wasm_valtype_vec_delete(&r);
		return NULL;
	}
	return wasm_functype_new(&p, &r);
}

int capi_functype_to(const wasm_functype_t *ft, wa_functype *t)
{
	size_t np = ft->params.size, nr = ft->results.size;
	memset(t, 0, sizeof *t);
	if (np > 1000 || nr > 1000 || (np && !ft->params.data) || (nr && !ft->results.data))
		return -1;
	t->types = malloc(np + nr + 1);
	if (!t->types)
		return -1;
	for (size_t i = 0; i < np + nr; i++) {
		const wasm_valtype_t *v = i < np ? ft->params.data[i] : ft->results.data[i - np];
		uint8_t ty = v ? capi_type_of(v->kind) : 0xff;
		if (ty == 0xff || ty == WA_V128) { /* no v128 in wasm_val_t */
			free(t->types);
			t->types = NULL;
			return -1;
		}
		t->types[i] = ty;
	}
	t->nparams = (uint32_t)np;
	t->nresults = (uint32_t)nr;
	wa_functype_init(t);
	return 0;
}

/* ---- global, table and memory types ---- */

wasm_globaltype_t *wasm_globaltype_new(wasm_valtype_t *content, wasm_mutability_t mut)
{
	wasm_globaltype_t *t = content && mut <= WASM_VAR ? calloc(1, sizeof *t) : NULL;
	if (!t) {
		wasm_valtype_delete(content);
		return NULL;
	}
	t->ext.kind = WASM_EXTERN_GLOBAL;
	t->content = content;
	t->mut = mut;
	return t;
}

void wasm_globaltype_delete(wasm_globaltype_t *t)
{
	if (t) {
		wasm_valtype_delete(t->content);
		free(t);
	}
}

wasm_globaltype_t *wasm_globaltype_copy(const wasm_globaltype_t *t)
{
	return t ? wasm_globaltype_new(wasm_valtype_copy(t->content), t->mut) : NULL;
}

const wasm_valtype_t *wasm_globaltype_content(const wasm_globaltype_t *t)
{
	return t ? t->content : NULL;
}

wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t *t)
{
	return t ? t->mut : WASM_CONST;
}

wasm_globaltype_t *capi_globaltype_from(uint8_t type, uint8_t mut)
{
	return wasm_globaltype_new(wasm_valtype_new(capi_kind_of(type)), mut ? WASM_VAR : WASM_CONST);
}

wasm_tabletype_t *wasm_tabletype_new(wasm_valtype_t *elem, const wasm_limits_t *limits)
{
	wasm_tabletype_t *t = elem && limits ? calloc(1, sizeof *t) : NULL;
	if (!t) {
		wasm_valtype_delete(elem);
		return NULL;
	}
	t->ext.kind = WASM_EXTERN_TABLE;
	t->elem = elem;
	t->limits = *limits;
	return t;
}

void wasm_tabletype_delete(wasm_tabletype_t *t)
{
	if (t) {
		wasm_valtype_delete(t->elem);
		free(t);
	}
}

wasm_tabletype_t *wasm_tabletype_copy(const wasm_tabletype_t *t)
{
	return t ? wasm_tabletype_new(wasm_valtype_copy(t->elem), &t->limits) : NULL;
}

const wasm_valtype_t *wasm_tabletype_element(const wasm_tabletype_t *t)
{
	return t ? t->elem : NULL;
}

static const wasm_limits_t no_limits = { 0, 0xffffffff };

const wasm_limits_t *wasm_tabletype_limits(const wasm_tabletype_t *t)
{
	return t ? &t->limits : &no_limits;
}

static wasm_limits_t limits_from(uint64_t min, uint64_t max, bool has_max)
{
	wasm_limits_t l = { (uint32_t)min, has_max ? (uint32_t)max : wasm_limits_max_default };
	return l;
}

wasm_tabletype_t *capi_tabletype_from(uint8_t elem, uint64_t min, uint64_t max, bool has_max)
{
	wasm_limits_t l = limits_from(min, max, has_max);
	return wasm_tabletype_new(wasm_valtype_new(capi_kind_of(elem)), &l);
}

wasm_memorytype_t *wasm_memorytype_new(const wasm_limits_t *limits)
{
	wasm_memorytype_t *t = limits ? calloc(1, sizeof *t) : NULL;
	if (t) {
		t->ext.kind = WASM_EXTERN_MEMORY;
		t->limits = *limits;
	}
	return t;
}

void wasm_memorytype_delete(wasm_memorytype_t *t)
{
	free(t);
}

wasm_memorytype_t *wasm_memorytype_copy(const wasm_memorytype_t *t)
{
	return t ? wasm_memorytype_new(&t->limits) : NULL;
}

const wasm_limits_t *wasm_memorytype_limits(const wasm_memorytype_t *t)
{
	return t ? &t->limits : &no_limits;
}

wasm_memorytype_t *capi_memorytype_from(uint64_t min, uint64_t max, bool has_max)
{
	wasm_limits_t l = limits_from(min, max, has_max);
	return wasm_memorytype_new(&l);
}

/* ---- extern types: one of the four, told apart by ext.kind ---- */

wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t *t)
{
	return t ? t->kind : WASM_EXTERN_FUNC;
}

void wasm_externtype_delete(wasm_externtype_t *t)
{
	if (!t)
		return;
	switch (t->kind) {
	case WASM_EXTERN_FUNC: wasm_functype_delete((wasm_functype_t *)t); break;
	case WASM_EXTERN_GLOBAL: wasm_globaltype_delete((wasm_globaltype_t *)t); break;
	case WASM_EXTERN_TABLE: wasm_tabletype_delete((wasm_tabletype_t *)t); break;
	default: wasm_memorytype_delete((wasm_memorytype_t *)t); break;
	}
}

wasm_externtype_t *wasm_externtype_copy(const wasm_externtype_t *t)
{
	if (!t)
		return NULL;
	switch (t->kind) {
	case WASM_EXTERN_FUNC: return (wasm_externtype_t *)wasm_functype_copy((const wasm_functype_t *)t);
	case WASM_EXTERN_GLOBAL: return (wasm_externtype_t *)wasm_globaltype_copy((const wasm_globaltype_t *)t);
	case WASM_EXTERN_TABLE: return (wasm_externtype_t *)wasm_tabletype_copy((const wasm_tabletype_t *)t);
	default: return (wasm_externtype_t *)wasm_memorytype_copy((const wasm_memorytype_t *)t);
	}
}

#define EXTERNTYPE_CONV(name, KIND) \
	wasm_externtype_t *wasm_##name##type_as_externtype(wasm_##name##type_t *t) \
	{ \
		return t ? &t->ext : NULL; \
	} \
	const wasm_externtype_t *wasm_##name##type_as_externtype_const(const wasm_##name##type_t *t) \
	{ \
		return t ? &t->ext : NULL; \
	} \
	wasm_##name##type_t *wasm_externtype_as_##name##type(wasm_externtype_t *t) \
	{ \
		return t && t->kind == KIND ? container_of(t, wasm_##name##type_t, ext) : NULL; \
	} \
	const wasm_##name##type_t *wasm_externtype_as_##name##type_const(const wasm_externtype_t *t) \
	{ \
		return t && t->kind == KIND ? container_of(t, wasm_##name##type_t, ext) : NULL; \
	}

EXTERNTYPE_CONV(func, WASM_EXTERN_FUNC)
EXTERNTYPE_CONV(global, WASM_EXTERN_GLOBAL)
EXTERNTYPE_CONV(table, WASM_EXTERN_TABLE)
EXTERNTYPE_CONV(memory, WASM_EXTERN_MEMORY)

/* ---- import and export types ---- */

static void name_move(wasm_name_t *dst, wasm_name_t *src)
{
	if (src) {
		*dst = *src;
		src->size = 0;
		src->data = NULL;
	} else {
		wasm_byte_vec_new_empty(dst);
	}
}

wasm_importtype_t *wasm_importtype_new(wasm_name_t *module, wasm_name_t *name, wasm_externtype_t *type)
{
	wasm_importtype_t *t = type ? calloc(1, sizeof *t) : NULL;
	if (!t) {
		wasm_name_delete(module);
		wasm_name_delete(name);
		wasm_externtype_delete(type);
		return NULL;
	}
	name_move(&t->module, module);
	name_move(&t->name, name);
	t->type = type;
	return t;
}

void wasm_importtype_delete(wasm_importtype_t *t)
{
	if (!t)
		return;
	wasm_name_delete(&t->module);
	wasm_name_delete(&t->name);
	wasm_externtype_delete(t->type);
	free(t);
}

wasm_importtype_t *wasm_importtype_copy(const wasm_importtype_t *t)
{
	wasm_name_t m, n;
	if (!t)
		return NULL;
	wasm_name_copy(&m, &t->module);
	wasm_name_copy(&n, &t->name);
	return wasm_importtype_new(&m, &n, wasm_externtype_copy(t->type));
}

static const wasm_name_t empty_name;

const wasm_name_t *wasm_importtype_module(const wasm_importtype_t *t)
{
	return t ? &t->module : &empty_name;
}

const wasm_name_t *wasm_importtype_name(const wasm_importtype_t *t)
{
	return t ? &t->name : &empty_name;
}

const wasm_externtype_t *wasm_importtype_type(const wasm_importtype_t *t)
{
	return t ? t->type : NULL;
}

wasm_exporttype_t *wasm_exporttype_new(wasm_name_t *name, wasm_externtype_t *type)
{
	wasm_exporttype_t *t = type ? calloc(1, sizeof *t) : NULL;
	if (!t) {
		wasm_name_delete(name);
		wasm_externtype_delete(type);
		return NULL;
	}
	name_move(&t->name, name);
	t->type = type;
	return t;
}

void wasm_exporttype_delete(wasm_exporttype_t *t)
{
	if (!t)
		return;
	wasm_name_delete(&t->name);
	wasm_externtype_delete(t->type);
	free(t);
}

wasm_exporttype_t *wasm_exporttype_copy(const wasm_exporttype_t *t)
{
	wasm_name_t n;
	if (!t)
		return NULL;
	wasm_name_copy(&n, &t->name);
	return wasm_exporttype_new(&n, wasm_externtype_copy(t->type));
}

const wasm_name_t *wasm_exporttype_name(const wasm_exporttype_t *t)
{
	return t ? &t->name : &empty_name;
}

const wasm_externtype_t *wasm_exporttype_type(const wasm_exporttype_t *t)
{
	return t ? t->type : NULL;
}
