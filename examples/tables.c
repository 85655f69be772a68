/* tables.c - tables of function references and of host references: the
 * host fills a module's table with wasm and host functions, grows it, and
 * keeps its own objects in an externref table; wrong indices and kinds are
 * refused, calling an empty slot traps.
 *   cc tables.c $(pkg-config --cflags --libs cairn) && ./a.out */
#include <cairn.h>
#include <stdio.h>
#include <string.h>

static const char wat[] =
	"(module\n"
	"  (type $binop (func (param i32 i32) (result i32)))\n"
	"  (table $ops (export \"ops\") 2 10 funcref)\n"
	"  (table $objs (export \"objs\") 4 externref)\n"
	"  (elem (table $ops) (i32.const 0) func $add)\n"
	"  (func $add (export \"add\") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))\n"
	"  (func $sub (export \"sub\") (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))\n"
	"  ;; ops[i](a, b)\n"
	"  (func (export \"apply\") (param $i i32) (param $a i32) (param $b i32) (result i32)\n"
	"    (call_indirect $ops (type $binop) (local.get $a) (local.get $b) (local.get $i)))\n"
	"  (func (export \"swap\") (param i32 i32) (local externref)\n"
	"    (local.set 2 (table.get $objs (local.get 0)))\n"
	"    (table.set $objs (local.get 0) (table.get $objs (local.get 1)))\n"
	"    (table.set $objs (local.get 1) (local.get 2))))\n";

static wasm_trap_t *mul(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
	results->data[0] = (wasm_val_t)WASM_I32_VAL(args->data[0].of.i32 * args->data[1].of.i32);
	return NULL;
}

static void apply(const wasm_func_t *f, int32_t i)
{
	wasm_val_t argv[3] = { WASM_I32_VAL(i), WASM_I32_VAL(7), WASM_I32_VAL(3) };
	wasm_val_t resv[1] = { WASM_INIT_VAL };
	wasm_val_vec_t args = WASM_ARRAY_VEC(argv), results = WASM_ARRAY_VEC(resv);
	wasm_trap_t *trap = wasm_func_call(f, &args, &results);
	if (trap) {
		wasm_message_t msg;
		wasm_trap_message(trap, &msg);
		printf("apply(%d, 7, 3): trap: %s\n", i, msg.data);
		wasm_byte_vec_delete(&msg);
		wasm_trap_delete(trap);
		return;
	}
	printf("apply(%d, 7, 3) = %d\n", i, resv[0].of.i32);
}

static const char *slot(const wasm_table_t *t, uint32_t i)
{
	wasm_ref_t *r = wasm_table_get(t, i);
	static char buf[32];
	if (!r)
		return "null";
	snprintf(buf, sizeof buf, "%s", (const char *)wasm_ref_get_host_info(r));
	wasm_ref_delete(r);
	return buf;
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
	wasm_instance_t *instance = module ? wasm_instance_new(store, module, NULL, NULL) : NULL;
	if (!instance)
		return 1;
	wasm_extern_vec_t exports;
	wasm_instance_exports(instance, &exports);
	wasm_table_t *ops = wasm_extern_as_table(exports.data[0]);
	wasm_table_t *objs = wasm_extern_as_table(exports.data[1]);
	wasm_func_t *add = wasm_extern_as_func(exports.data[2]);
	wasm_func_t *sub = wasm_extern_as_func(exports.data[3]);
	const wasm_func_t *apply_fn = wasm_extern_as_func(exports.data[4]);
	const wasm_func_t *swap = wasm_extern_as_func(exports.data[5]);

	/* slot 0 holds $add (element segment), slot 1 is empty */
	wasm_ref_t *r0 = wasm_table_get(ops, 0);
	printf("ops: size %u, slot 0 is add: %s\n", wasm_table_size(ops),
	       wasm_ref_same(r0, wasm_func_as_ref(add)) ? "yes" : "no");
	wasm_ref_delete(r0);
	apply(apply_fn, 0);
	apply(apply_fn, 1);
	apply(apply_fn, 2);

	/* the host puts a wasm function and a host function in */
	wasm_functype_t *binop = wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_i32(),
						       wasm_valtype_new_i32());
	wasm_func_t *mul_fn = wasm_func_new(store, binop, mul);
	wasm_functype_delete(binop);
	printf("set slot 1 to sub: %s\n", wasm_table_set(ops, 1, wasm_func_as_ref(sub)) ? "ok" : "refused");
	printf("grow by 1 with mul: %s\n", wasm_table_grow(ops, 1, wasm_func_as_ref(mul_fn)) ? "ok" : "refused");
	apply(apply_fn, 1);
	apply(apply_fn, 2);
	printf("set slot 3: %s\n", wasm_table_set(ops, 3, NULL) ? "ok" : "refused (out of range)");
	printf("grow past the maximum: %s\n", wasm_table_grow(ops, 8, NULL) ? "ok" : "refused");

	/* host objects as externref: wasm moves them, the host sees the same objects */
	wasm_foreign_t *a = wasm_foreign_new(store), *b = wasm_foreign_new(store);
	wasm_foreign_set_host_info(a, "apple");
	wasm_foreign_set_host_info(b, "banana");
	wasm_table_set(objs, 0, wasm_foreign_as_ref(a));
	wasm_table_set(objs, 3, wasm_foreign_as_ref(b));
	printf("a function into the funcref table? %s\n",
	       wasm_table_set(ops, 0, wasm_foreign_as_ref(a)) ? "accepted" : "refused");
	wasm_val_t argv[2] = { WASM_I32_VAL(0), WASM_I32_VAL(3) };
	wasm_val_vec_t args = WASM_ARRAY_VEC(argv), results = WASM_EMPTY_VEC;
	wasm_trap_t *trap = wasm_func_call(swap, &args, &results);
	if (trap)
		wasm_trap_delete(trap);
	/* dropping our handles is fine: the table keeps the objects alive */
	wasm_foreign_delete(a);
	wasm_foreign_delete(b);
	printf("objs after swap(0, 3): [%s", slot(objs, 0));
	printf(", %s", slot(objs, 1));
	printf(", %s", slot(objs, 2));
	printf(", %s]\n", slot(objs, 3));

	wasm_func_delete(mul_fn);
	wasm_extern_vec_delete(&exports);
	wasm_instance_delete(instance);
	wasm_module_delete(module);
	wasm_store_delete(store);
	wasm_engine_delete(engine);
	printf("done\n");
	return 0;
}
