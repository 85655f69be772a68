/* multi.c - several instances linked to each other: a "lib" instance
 * exports a counter function, its memory and a table; an "app" instance
 * imports all three and uses them; a second lib instance of the same
 * module has its own state.  Also: functions with several results.
 *   cc multi.c $(pkg-config --cflags --libs cairn) && ./a.out */
#include <cairn.h>
#include <stdio.h>
#include <string.h>

static const char lib_wat[] =
	"(module\n"
	"  (memory (export \"mem\") 1)\n"
	"  (table (export \"fns\") 2 funcref)\n"
	"  (global $n (mut i32) (i32.const 0))\n"
	"  (elem (i32.const 0) $bump)\n"
	"  ;; counts calls; returns the new count and the argument doubled\n"
	"  (func $bump (export \"bump\") (param i32) (result i32 i32)\n"
	"    (global.set $n (i32.add (global.get $n) (i32.const 1)))\n"
	"    (global.get $n) (i32.add (local.get 0) (local.get 0))))\n";

static const char app_wat[] =
	"(module\n"
	"  (import \"lib\" \"bump\" (func $bump (param i32) (result i32 i32)))\n"
	"  (import \"lib\" \"mem\" (memory 1))\n"
	"  (import \"lib\" \"fns\" (table 2 funcref))\n"
	"  (type $t (func (param i32) (result i32 i32)))\n"
	"  (func $mine (param i32) (result i32 i32) (i32.const -1) (local.get 0))\n"
	"  (elem (i32.const 1) $mine)\n"
	"  ;; stores bump(x)'s results at address 0 and 4 of lib's memory\n"
	"  (func (export \"run\") (param $x i32) (local $a i32) (local $b i32)\n"
	"    (call $bump (local.get $x))\n"
	"    (local.set $b) (local.set $a)\n"
	"    (i32.store (i32.const 0) (local.get $a))\n"
	"    (i32.store (i32.const 4) (local.get $b)))\n"
	"  ;; calls fns[i] (lib's table, partly filled by this module)\n"
	"  (func (export \"via_table\") (param $i i32) (result i32 i32)\n"
	"    (call_indirect (type $t) (i32.const 21) (local.get $i))))\n";

static wasm_store_t *store;

static wasm_instance_t *instantiate(const char *wat, const wasm_extern_vec_t *imports, wasm_module_t **mod)
{
	wasm_byte_vec_t binary;
	wasm_message_t error;
	if (!cairn_wat2wasm(wat, strlen(wat), &binary, &error)) {
		printf("wat: %s\n", error.data);
		return NULL;
	}
	*mod = wasm_module_new(store, &binary);
	wasm_byte_vec_delete(&binary);
	return *mod ? wasm_instance_new(store, *mod, imports, NULL) : NULL;
}

static void call2(const char *what, const wasm_func_t *f, int32_t x)
{
	wasm_val_t argv[1] = { WASM_I32_VAL(x) }, resv[2] = { WASM_INIT_VAL, WASM_INIT_VAL };
	wasm_val_vec_t args = WASM_ARRAY_VEC(argv), results = WASM_ARRAY_VEC(resv);
	wasm_trap_t *trap = wasm_func_call(f, &args, &results);
	if (trap) {
		printf("%s: trapped\n", what);
		wasm_trap_delete(trap);
		return;
	}
	printf("%s(%d) = (%d, %d)\n", what, x, resv[0].of.i32, resv[1].of.i32);
}

int main(void)
{
	wasm_engine_t *engine = wasm_engine_new();
	store = wasm_store_new(engine);
	wasm_module_t *lib_mod, *app_mod, *lib2_mod;
	wasm_extern_vec_t no_imports = WASM_EMPTY_VEC, lib_exports, app_exports, lib2_exports;

	wasm_instance_t *lib = instantiate(lib_wat, &no_imports, &lib_mod);
	if (!lib)
		return 1;
	wasm_instance_exports(lib, &lib_exports);
	/* lib exports mem, fns, bump; app imports bump, mem, fns */
	wasm_extern_t *links[] = { lib_exports.data[2], lib_exports.data[0], lib_exports.data[1] };
	wasm_extern_vec_t app_imports = WASM_ARRAY_VEC(links);
	wasm_instance_t *app = instantiate(app_wat, &app_imports, &app_mod);
	wasm_instance_t *lib2 = instantiate(lib_wat, &no_imports, &lib2_mod);
	if (!app || !lib2)
		return 1;
	wasm_instance_exports(app, &app_exports);
	wasm_instance_exports(lib2, &lib2_exports);
	const wasm_func_t *bump = wasm_extern_as_func(lib_exports.data[2]);
	const wasm_func_t *bump2 = wasm_extern_as_func(lib2_exports.data[2]);
	const wasm_func_t *run = wasm_extern_as_func(app_exports.data[0]);
	const wasm_func_t *via_table = wasm_extern_as_func(app_exports.data[1]);

	/* app drives lib's counter and writes into lib's memory */
	wasm_val_t argv[1] = { WASM_I32_VAL(50) };
	wasm_val_vec_t args = WASM_ARRAY_VEC(argv), none = WASM_EMPTY_VEC;
	for (int i = 0; i < 3; i++) {
		wasm_trap_t *trap = wasm_func_call(run, &args, &none);
		if (trap)
			return 1;
	}
	const int32_t *words = (const int32_t *)(const void *)wasm_memory_data(wasm_extern_as_memory(lib_exports.data[0]));
	printf("after 3 runs, lib's memory holds (%d, %d)\n", words[0], words[1]);
	call2("lib.bump", bump, 1);
	call2("lib2.bump", bump2, 1);

	/* lib's table: slot 0 from lib's segment, slot 1 from app's */
	call2("app.via_table", via_table, 0);
	call2("app.via_table", via_table, 1);

	/* one module, two instances: same exports, different objects */
	printf("lib.bump same as lib2.bump: %s\n",
	       wasm_func_same(bump, bump2) ? "yes" : "no");
	wasm_extern_vec_t again;
	wasm_instance_exports(lib, &again);
	printf("lib.bump same as itself exported again: %s\n",
	       wasm_func_same(bump, wasm_extern_as_func(again.data[2])) ? "yes" : "no");
	wasm_extern_vec_delete(&again);

	/* the instances can go: their exports keep what they need alive */
	wasm_instance_delete(lib);
	wasm_instance_delete(app);
	wasm_instance_delete(lib2);
	call2("lib.bump after deleting the instances", bump, 2);

	wasm_extern_vec_delete(&lib_exports);
	wasm_extern_vec_delete(&app_exports);
	wasm_extern_vec_delete(&lib2_exports);
	wasm_module_delete(lib_mod);
	wasm_module_delete(app_mod);
	wasm_module_delete(lib2_mod);
	wasm_store_delete(store);
	wasm_engine_delete(engine);
	printf("done\n");
	return 0;
}
