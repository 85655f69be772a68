/* callbacks.c - wasm calling the host calling wasm: a host function with
 * an environment (a closure) calls back into the instance that called it,
 * recursion bounces across the boundary until a limit, a trap raised deep
 * down comes back up through every level, and the environment's finalizer
 * runs when the function is freed.
 *   cc callbacks.c $(pkg-config --cflags --libs cairn) && ./a.out */
#include <cairn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char wat[] =
	"(module\n"
	"  (import \"host\" \"visit\" (func $visit (param i32) (result i32)))\n"
	"  ;; count(n) = n == 0 ? 0 : 1 + visit(n - 1), and visit calls count again\n"
	"  (func (export \"count\") (param $n i32) (result i32)\n"
	"    (if (result i32) (i32.eqz (local.get $n))\n"
	"      (then (i32.const 0))\n"
	"      (else (i32.add (i32.const 1) (call $visit (i32.sub (local.get $n) (i32.const 1))))))))\n";

/* The closure: which function to call back, and what happened. */
typedef struct visitor {
	wasm_store_t *store;
	const wasm_func_t *count;   /* set once the instance exists */
	int32_t stop_at;            /* trap when asked to visit this number */
	int depth, max_depth, calls;
} visitor;

static wasm_trap_t *visit(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
	visitor *v = env;
	int32_t n = args->data[0].of.i32;
	v->calls++;
	if (n == v->stop_at) {
		char text[64];
		wasm_message_t msg;
		snprintf(text, sizeof text, "stopped at %d", n);
		wasm_name_new_from_string_nt(&msg, text);
		wasm_trap_t *trap = wasm_trap_new(v->store, &msg);
		wasm_name_delete(&msg);
		return trap;
	}
	/* back into wasm, from inside a call from wasm */
	wasm_val_t argv[1] = { WASM_I32_VAL(n) }, resv[1] = { WASM_INIT_VAL };
	wasm_val_vec_t a = WASM_ARRAY_VEC(argv), r = WASM_ARRAY_VEC(resv);
	if (++v->depth > v->max_depth)
		v->max_depth = v->depth;
	wasm_trap_t *trap = wasm_func_call(v->count, &a, &r);
	v->depth--;
	if (trap)
		return trap; /* pass it up: the caller's call returns it */
	results->data[0] = resv[0];
	return NULL;
}

static void finalize(void *env)
{
	visitor *v = env;
	printf("finalizer: %d visits in all\n", v->calls);
	free(v);
}

static void count(visitor *v, int32_t n)
{
	wasm_val_t argv[1] = { WASM_I32_VAL(n) }, resv[1] = { WASM_INIT_VAL };
	wasm_val_vec_t args = WASM_ARRAY_VEC(argv), results = WASM_ARRAY_VEC(resv);
	v->max_depth = 0;
	wasm_trap_t *trap = wasm_func_call(v->count, &args, &results);
	if (!trap) {
		printf("count(%d) = %d, %d host levels deep\n", n, resv[0].of.i32, v->max_depth);
		return;
	}
	wasm_message_t msg;
	wasm_frame_vec_t trace;
	wasm_trap_message(trap, &msg);
	wasm_trap_trace(trap, &trace);
	printf("count(%d): trap \"%s\" after %d host levels (innermost wasm frames: %zu)\n", n, msg.data,
	       v->max_depth, trace.size);
	wasm_frame_vec_delete(&trace);
	wasm_byte_vec_delete(&msg);
	wasm_trap_delete(trap);
}

int main(void)
{
	wasm_engine_t *engine = wasm_engine_new();
	wasm_store_t *store = wasm_store_new(engine);
	wasm_byte_vec_t binary;
	if (!cairn_wat2wasm(wat, strlen(wat), &binary, NULL))
		return 1;
	wasm_module_t *module = wasm_module_new(store, &binary);
	wasm_byte_vec_delete(&binary);
	if (!module)
		return 1;

	visitor *v = calloc(1, sizeof *v);
	v->store = store;
	v->stop_at = -1;
	wasm_functype_t *ft = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
	wasm_func_t *visit_fn = wasm_func_new_with_env(store, ft, visit, v, finalize);
	wasm_functype_delete(ft);
	wasm_extern_t *externs[] = { wasm_func_as_extern(visit_fn) };
	wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
	wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
	if (!instance)
		return 1;
	wasm_extern_vec_t exports;
	wasm_instance_exports(instance, &exports);
	v->count = wasm_extern_as_func(exports.data[0]);

	count(v, 0);
	count(v, 5);
	count(v, 200);

	/* the store bounds host -> wasm nesting, protecting the host's stack */
	cairn_store_set_max_nesting(store, 100);
	count(v, 200);

	/* a trap raised several levels down reaches the outermost caller */
	v->stop_at = 3;
	count(v, 10);

	wasm_extern_vec_delete(&exports);
	wasm_instance_delete(instance);
	wasm_func_delete(visit_fn);
	wasm_module_delete(module);
	printf("deleting the store\n");
	wasm_store_delete(store);
	wasm_engine_delete(engine);
	printf("done\n");
	return 0;
}
