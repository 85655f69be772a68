/* hello.c - the smallest embedding: a module in text form imports one host
 * function and exports one that calls it.
 *   cc hello.c $(pkg-config --cflags --libs cairn) && ./a.out */
#include <cairn.h>
#include <stdio.h>
#include <string.h>

static const char wat[] =
	"(module\n"
	"  (import \"env\" \"hello\" (func $hello (param i32)))\n"
	"  (func (export \"run\") (param i32)\n"
	"    (call $hello (i32.mul (local.get 0) (i32.const 2)))))\n";

/* Called by wasm: args are typed as the import says (one i32). */
static wasm_trap_t *hello(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
	(void)results;
	printf("Hello from wasm: %d\n", args->data[0].of.i32);
	return NULL;
}

int main(void)
{
	wasm_engine_t *engine = wasm_engine_new();
	wasm_store_t *store = wasm_store_new(engine);
	wasm_byte_vec_t binary;
	wasm_message_t error;
	int rc = 1;

	/* text -> binary -> compiled module */
	if (!cairn_wat2wasm(wat, strlen(wat), &binary, &error)) {
		printf("wat: %s\n", error.data);
		wasm_byte_vec_delete(&error);
		return 1;
	}
	wasm_module_t *module = cairn_module_new(store, &binary, &error);
	wasm_byte_vec_delete(&binary);
	if (!module) {
		printf("module: %s\n", error.data);
		wasm_byte_vec_delete(&error);
		return 1;
	}

	/* the import: a host function of type [i32] -> [] */
	wasm_functype_t *type = wasm_functype_new_1_0(wasm_valtype_new_i32());
	wasm_func_t *hello_func = wasm_func_new(store, type, hello);
	wasm_functype_delete(type);

	wasm_extern_t *externs[] = { wasm_func_as_extern(hello_func) };
	wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
	wasm_trap_t *trap = NULL;
	wasm_instance_t *instance = wasm_instance_new(store, module, &imports, &trap);
	if (!instance) {
		wasm_message_t msg;
		wasm_trap_message(trap, &msg);
		printf("instantiation failed: %s\n", msg.data);
		wasm_byte_vec_delete(&msg);
		wasm_trap_delete(trap);
		goto out;
	}

	wasm_extern_vec_t exports;
	wasm_instance_exports(instance, &exports);
	wasm_func_t *run = wasm_extern_as_func(exports.data[0]);
	wasm_val_t argv[1] = { WASM_I32_VAL(21) };
	wasm_val_vec_t args = WASM_ARRAY_VEC(argv);
	wasm_val_vec_t results = WASM_EMPTY_VEC;
	trap = wasm_func_call(run, &args, &results);
	if (trap) {
		printf("run trapped\n");
		wasm_trap_delete(trap);
	} else {
		rc = 0;
	}
	wasm_extern_vec_delete(&exports);
	wasm_instance_delete(instance);
out:
	wasm_func_delete(hello_func);
	wasm_module_delete(module);
	wasm_store_delete(store);
	wasm_engine_delete(engine);
	printf("%s\n", rc ? "failed" : "done");
	return rc;
}
