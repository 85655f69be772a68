/* globals.c - globals across the boundary: the host makes globals the
 * module imports (a constant and a mutable one), reads and writes the
 * module's exported global, and is told no when it tries to change a
 * constant or to store a value of the wrong kind.
 *   cc globals.c $(pkg-config --cflags --libs cairn) && ./a.out */
#include <cairn.h>
#include <stdio.h>
#include <string.h>

static const char wat[] =
	"(module\n"
	"  (import \"env\" \"scale\" (global $scale i32))\n"
	"  (import \"env\" \"total\" (global $total (mut i64)))\n"
	"  (global $last (export \"last\") (mut f64) (f64.const 0.5))\n"
	"  ;; total += x * scale; last = x / 2\n"
	"  (func (export \"add\") (param $x i32)\n"
	"    (global.set $total (i64.add (global.get $total)\n"
	"      (i64.extend_i32_s (i32.mul (local.get $x) (global.get $scale)))))\n"
	"    (global.set $last (f64.div (f64.convert_i32_s (local.get $x)) (f64.const 2)))))\n";

static wasm_global_t *new_global(wasm_store_t *store, wasm_valkind_t kind, wasm_mutability_t mut, wasm_val_t v)
{
	wasm_globaltype_t *t = wasm_globaltype_new(wasm_valtype_new(kind), mut);
	wasm_global_t *g = wasm_global_new(store, t, &v);
	wasm_globaltype_delete(t);
	return g;
}

static void add(const wasm_func_t *f, int32_t x)
{
	wasm_val_t argv[1] = { WASM_I32_VAL(x) };
	wasm_val_vec_t args = WASM_ARRAY_VEC(argv), results = WASM_EMPTY_VEC;
	wasm_trap_t *trap = wasm_func_call(f, &args, &results);
	if (trap) {
		printf("add trapped\n");
		wasm_trap_delete(trap);
	}
}

int main(void)
{
	wasm_engine_t *engine = wasm_engine_new();
	wasm_store_t *store = wasm_store_new(engine);
	wasm_byte_vec_t binary;
	wasm_val_t v;

	if (!cairn_wat2wasm(wat, strlen(wat), &binary, NULL))
		return 1;
	wasm_module_t *module = wasm_module_new(store, &binary);
	wasm_byte_vec_delete(&binary);
	if (!module)
		return 1;

	wasm_global_t *scale = new_global(store, WASM_I32, WASM_CONST, (wasm_val_t)WASM_I32_VAL(3));
	wasm_global_t *total = new_global(store, WASM_I64, WASM_VAR, (wasm_val_t)WASM_I64_VAL(1000));
	wasm_extern_t *externs[] = { wasm_global_as_extern(scale), wasm_global_as_extern(total) };
	wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
	wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
	if (!instance)
		return 1;
	wasm_extern_vec_t exports;
	wasm_instance_exports(instance, &exports);
	wasm_global_t *last = wasm_extern_as_global(exports.data[0]);
	const wasm_func_t *add_fn = wasm_extern_as_func(exports.data[1]);

	/* the module's global as exported: its type and initial value */
	wasm_globaltype_t *lt = wasm_global_type(last);
	wasm_global_get(last, &v);
	printf("last: %s f64 = %g\n", wasm_globaltype_mutability(lt) == WASM_VAR ? "mutable" : "constant", v.of.f64);
	wasm_globaltype_delete(lt);

	add(add_fn, 5);
	add(add_fn, 7);
	wasm_global_get(total, &v);
	printf("total after add(5), add(7): %lld\n", (long long)v.of.i64);
	wasm_global_get(last, &v);
	printf("last: %g\n", v.of.f64);

	/* the host changes the imported mutable global; wasm sees it */
	v = (wasm_val_t)WASM_I64_VAL(-1);
	wasm_global_set(total, &v);
	add(add_fn, 1);
	wasm_global_get(total, &v);
	printf("total after set(-1), add(1): %lld\n", (long long)v.of.i64);

	/* mistakes are refused, and the globals keep their values */
	v = (wasm_val_t)WASM_I32_VAL(10);
	printf("set constant scale: %s\n", cairn_global_set(scale, &v) ? "accepted" : "refused");
	v = (wasm_val_t)WASM_I32_VAL(10);
	printf("set f64 last to an i32: %s\n", cairn_global_set(last, &v) ? "accepted" : "refused");
	wasm_global_get(scale, &v);
	printf("scale is still %d\n", v.of.i32);

	wasm_extern_vec_delete(&exports);
	wasm_instance_delete(instance);
	wasm_global_delete(scale);
	wasm_global_delete(total);
	wasm_module_delete(module);
	wasm_store_delete(store);
	wasm_engine_delete(engine);
	printf("done\n");
	return 0;
}
