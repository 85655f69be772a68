/* fuzz_capi.c - libFuzzer target for the wasm.h layer: a module from the
 * input is compiled, reflected (imports/exports), serialized and loaded
 * back, instantiated with host objects made through the API from the
 * reflected import types, and every export is used: functions called with
 * zero arguments under fuel, tables read/written/grown, globals read and
 * written, memories grown.  Everything goes through the public API only. */
#include "cairn.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static wasm_engine_t *engine;

static wasm_trap_t *stub(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
	(void)env;
	(void)args;
	(void)results; /* results arrive zeroed and typed */
	return NULL;
}

static wasm_extern_t *make_import(wasm_store_t *s, const wasm_externtype_t *et)
{
	wasm_val_t zero = { 0 };
	switch (wasm_externtype_kind(et)) {
	case WASM_EXTERN_FUNC:
		return wasm_func_as_extern(wasm_func_new_with_env(s, wasm_externtype_as_functype_const(et), stub, NULL, NULL));
	case WASM_EXTERN_GLOBAL: {
		const wasm_globaltype_t *gt = wasm_externtype_as_globaltype_const(et);
		zero.kind = wasm_valtype_kind(wasm_globaltype_content(gt));
		return wasm_global_as_extern(wasm_global_new(s, gt, &zero));
	}
	case WASM_EXTERN_TABLE:
		return wasm_table_as_extern(wasm_table_new(s, wasm_externtype_as_tabletype_const(et), NULL));
	default:
		return wasm_memory_as_extern(wasm_memory_new(s, wasm_externtype_as_memorytype_const(et)));
	}
}

static void use_export(wasm_store_t *s, wasm_extern_t *x)
{
	wasm_val_t args[64] = { 0 }, res[64];
	wasm_val_t v;
	switch (wasm_extern_kind(x)) {
	case WASM_EXTERN_FUNC: {
		wasm_func_t *f = wasm_extern_as_func(x);
		wasm_functype_t *ft = wasm_func_type(f);
		const wasm_valtype_vec_t *ps = wasm_functype_params(ft);
		size_t np = ps->size, nr = wasm_functype_results(ft)->size;
		if (np <= 64 && nr <= 64) {
			for (size_t i = 0; i < np; i++)
				args[i].kind = wasm_valtype_kind(ps->data[i]);
			wasm_val_vec_t av = { np, args }, rv = { nr, res };
			cairn_store_set_fuel(s, 20000);
			wasm_trap_t *t = wasm_func_call(f, &av, &rv);
			if (t)
				wasm_trap_delete(t);
			else
				for (size_t j = 0; j < nr; j++)
					wasm_val_delete(&res[j]);
		}
		wasm_functype_delete(ft);
		break;
	}
	case WASM_EXTERN_TABLE: {
		wasm_table_t *t = wasm_extern_as_table(x);
		wasm_ref_t *r = wasm_table_get(t, 0);
		(void)wasm_table_set(t, wasm_table_size(t) ? wasm_table_size(t) - 1 : 0, r);
		(void)wasm_table_grow(t, 1, r);
		wasm_ref_delete(r);
		break;
	}
	case WASM_EXTERN_GLOBAL:
		wasm_global_get(wasm_extern_as_global(x), &v);
		(void)cairn_global_set(wasm_extern_as_global(x), &v);
		wasm_val_delete(&v);
		break;
	default:
		(void)wasm_memory_grow(wasm_extern_as_memory(x), 1);
		(void)wasm_memory_data_size(wasm_extern_as_memory(x));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wasm_byte_vec_t bin = { size, (wasm_byte_t *)(uintptr_t)data }, blob;
	wasm_importtype_vec_t imps;
	wasm_extern_vec_t ext, exps;
	wasm_trap_t *trap = NULL;
	if (!engine)
		engine = wasm_engine_new();
	wasm_store_t *s = wasm_store_new(engine);
	wasm_module_t *m0 = wasm_module_new(s, &bin);
	if (!m0) {
		wasm_store_delete(s);
		return 0;
	}
	wasm_module_serialize(m0, &blob);
	wasm_module_t *m = wasm_module_deserialize(s, &blob);
	wasm_byte_vec_delete(&blob);
	wasm_module_delete(m0);
	if (!m)
		abort(); /* a module that compiled must load back */
	wasm_module_imports(m, &imps);
	wasm_extern_vec_new_uninitialized(&ext, imps.size);
	for (size_t i = 0; i < ext.size; i++)
		ext.data[i] = make_import(s, wasm_importtype_type(imps.data[i]));
	wasm_instance_t *in = wasm_instance_new(s, m, &ext, &trap);
	wasm_trap_delete(trap);
	if (in) {
		wasm_instance_exports(in, &exps);
		for (size_t i = 0; i < exps.size; i++)
			use_export(s, exps.data[i]);
		wasm_extern_vec_delete(&exps);
		wasm_instance_delete(in);
	}
	wasm_extern_vec_delete(&ext);
	wasm_importtype_vec_delete(&imps);
	wasm_module_delete(m);
	wasm_store_delete(s);
	return 0;
}
