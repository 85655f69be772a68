/* traps.c - everything that can go wrong comes back as a trap with a
 * message and the wasm frames it unwound: wasm's own traps, a host
 * function's error, running out of fuel, a failing start function, a link
 * error, and calls made with the wrong arguments.
 *   cc traps.c $(pkg-config --cflags --libs cairn) && ./a.out */
#include <cairn.h>
#include <stdio.h>
#include <string.h>

static const char wat[] =
	"(module\n"
	"  (import \"env\" \"check\" (func $check (param i32)))\n"
	"  (memory 1)\n"
	"  (func $div (export \"div\") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))\n"
	"  (func $load (export \"load\") (param i32) (result i32) (i32.load (local.get 0)))\n"
	"  (func $deep (export \"deep\") (param i32) (result i32)\n"
	"    (call $div (i32.const 1) (local.get 0)))\n"
	"  (func (export \"checked\") (param i32) (call $check (local.get 0)))\n"
	"  (func (export \"spin\") (loop (br 0)))\n"
	"  (func (export \"boom\") (unreachable)))\n";

static wasm_store_t *store;

/* A host function that refuses negative numbers with a trap of its own. */
static wasm_trap_t *check(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
	(void)results;
	if (args->data[0].of.i32 >= 0)
		return NULL;
	wasm_message_t msg;
	wasm_name_new_from_string_nt(&msg, "negative input");
	wasm_trap_t *trap = wasm_trap_new(store, &msg);
	wasm_name_delete(&msg);
	return trap;
}

static void report_frames(const char *what, wasm_trap_t *trap, bool frames)
{
	wasm_message_t msg;
	wasm_frame_vec_t trace;
	if (!trap) {
		printf("%s: no trap\n", what);
		return;
	}
	wasm_trap_message(trap, &msg);
	wasm_trap_trace(trap, &trace);
	printf("%s: %s\n", what, msg.data);
	for (size_t i = 0; frames && i < trace.size; i++)
		printf("    at func %u, module offset 0x%zx\n", wasm_frame_func_index(trace.data[i]),
		       wasm_frame_module_offset(trace.data[i]));
	wasm_frame_vec_delete(&trace);
	wasm_byte_vec_delete(&msg);
	wasm_trap_delete(trap);
}

static void report(const char *what, wasm_trap_t *trap)
{
	report_frames(what, trap, true);
}

static wasm_trap_t *call(const wasm_extern_vec_t *exports, size_t i, wasm_val_t *argv, size_t nargs, size_t nres)
{
	wasm_val_t resv[1] = { WASM_INIT_VAL };
	wasm_val_vec_t args = { nargs, argv }, results = { nres, resv };
	return wasm_func_call(wasm_extern_as_func(exports->data[i]), &args, &results);
}

static wasm_module_t *compile(const char *text)
{
	wasm_byte_vec_t binary;
	wasm_module_t *m;
	if (!cairn_wat2wasm(text, strlen(text), &binary, NULL))
		return NULL;
	m = wasm_module_new(store, &binary);
	wasm_byte_vec_delete(&binary);
	return m;
}

int main(void)
{
	wasm_engine_t *engine = wasm_engine_new();
	store = wasm_store_new(engine);
	wasm_module_t *module = compile(wat);
	wasm_functype_t *ft = wasm_functype_new_1_0(wasm_valtype_new_i32());
	wasm_func_t *check_fn = wasm_func_new(store, ft, check);
	wasm_extern_t *externs[] = { wasm_func_as_extern(check_fn) };
	wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
	wasm_trap_t *trap = NULL;
	wasm_instance_t *instance = module ? wasm_instance_new(store, module, &imports, &trap) : NULL;
	if (!instance)
		return 1;
	wasm_extern_vec_t exports;
	wasm_instance_exports(instance, &exports);

	/* the engine's traps, with the frames they went through */
	report("div 1/0", call(&exports, 0, (wasm_val_t[]){ WASM_I32_VAL(1), WASM_I32_VAL(0) }, 2, 1));
	report("div INT_MIN/-1", call(&exports, 0, (wasm_val_t[]){ WASM_I32_VAL(INT32_MIN), WASM_I32_VAL(-1) }, 2, 1));
	/* (caught by a guard page, such a trap knows its function but not the
	 * exact instruction: its offset is the function's first one) */
	report_frames("load at 65535", call(&exports, 1, (wasm_val_t[]){ WASM_I32_VAL(65535) }, 1, 1), false);
	report("deep(0)", call(&exports, 2, (wasm_val_t[]){ WASM_I32_VAL(0) }, 1, 1));
	report("boom", call(&exports, 5, NULL, 0, 0));

	/* a host function's trap travels through wasm back to the caller */
	report("checked(1)", call(&exports, 3, (wasm_val_t[]){ WASM_I32_VAL(1) }, 1, 0));
	report("checked(-1)", call(&exports, 3, (wasm_val_t[]){ WASM_I32_VAL(-1) }, 1, 0));

	/* fuel bounds a runaway loop; the store works again after a refill */
	cairn_store_set_fuel(store, 10000);
	report("spin with 10000 fuel", call(&exports, 4, NULL, 0, 0));
	cairn_store_set_fuel(store, -1);
	report("div 7/2 after that", call(&exports, 0, (wasm_val_t[]){ WASM_I32_VAL(7), WASM_I32_VAL(2) }, 2, 1));

	/* embedder mistakes are traps too, not crashes */
	report("div with one argument", call(&exports, 0, (wasm_val_t[]){ WASM_I32_VAL(7) }, 1, 1));
	report("div with an f64", call(&exports, 0, (wasm_val_t[]){ WASM_I32_VAL(7), WASM_F64_VAL(2) }, 2, 1));
	report("div without room for the result", call(&exports, 0, (wasm_val_t[]){ WASM_I32_VAL(7), WASM_I32_VAL(2) }, 2, 0));
	report("call of NULL", wasm_func_call(NULL, NULL, NULL));

	/* instantiation: a trapping start function, and imports that do not fit */
	wasm_module_t *bad_start = compile("(module (func $s (unreachable)) (start $s))");
	wasm_instance_t *i2 = wasm_instance_new(store, bad_start, NULL, &trap);
	printf("start trap: instance %s\n", i2 ? "created" : "not created");
	report("start", trap);
	wasm_extern_vec_t none = WASM_EMPTY_VEC;
	i2 = wasm_instance_new(store, module, &none, &trap);
	report("no imports", trap);
	wasm_extern_t *wrong[] = { wasm_extern_as_func(exports.data[0]) ? exports.data[0] : NULL };
	wasm_extern_vec_t wrong_imports = WASM_ARRAY_VEC(wrong);
	i2 = wasm_instance_new(store, module, &wrong_imports, &trap);
	report("div as check", trap);

	wasm_module_delete(bad_start);
	wasm_extern_vec_delete(&exports);
	wasm_instance_delete(instance);
	wasm_func_delete(check_fn);
	wasm_functype_delete(ft);
	wasm_module_delete(module);
	wasm_store_delete(store);
	wasm_engine_delete(engine);
	printf("done\n");
	return 0;
}
