/* memory.c - linear memory shared by host and wasm: the host creates a
 * memory, the module imports it; both read and write it, grow it, and an
 * access out of bounds is a trap, not a crash.
 *   cc memory.c $(pkg-config --cflags --libs cairn) && ./a.out */
#include <cairn.h>
#include <stdio.h>
#include <string.h>

static const char wat[] =
	"(module\n"
	"  (import \"env\" \"mem\" (memory 1 4))\n"
	"  ;; sum of len bytes at ptr\n"
	"  (func (export \"sum\") (param $p i32) (param $n i32) (result i32) (local $s i32)\n"
	"    (block $done (loop $next\n"
	"      (br_if $done (i32.eqz (local.get $n)))\n"
	"      (local.set $s (i32.add (local.get $s) (i32.load8_u (local.get $p))))\n"
	"      (local.set $p (i32.add (local.get $p) (i32.const 1)))\n"
	"      (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
	"      (br $next)))\n"
	"    (local.get $s))\n"
	"  (func (export \"store\") (param i32 i32) (i32.store (local.get 0) (local.get 1)))\n"
	"  (func (export \"pages\") (result i32) (memory.size))\n"
	"  (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0))))\n";

static wasm_trap_t *call(const wasm_func_t *f, int32_t a, int32_t b, int nargs, int32_t *result)
{
	wasm_val_t argv[2] = { WASM_I32_VAL(a), WASM_I32_VAL(b) };
	wasm_val_t resv[1] = { WASM_INIT_VAL };
	wasm_val_vec_t args = { (size_t)nargs, argv };
	wasm_val_vec_t results = { result ? 1 : 0, resv };
	wasm_trap_t *trap = wasm_func_call(f, &args, &results);
	if (!trap && result)
		*result = resv[0].of.i32;
	return trap;
}

static void print_trap(const char *what, wasm_trap_t *trap)
{
	wasm_message_t msg;
	wasm_trap_message(trap, &msg);
	printf("%s: trap: %s\n", what, msg.data);
	wasm_byte_vec_delete(&msg);
	wasm_trap_delete(trap);
}

int main(void)
{
	wasm_engine_t *engine = wasm_engine_new();
	wasm_store_t *store = wasm_store_new(engine);
	wasm_byte_vec_t binary;
	wasm_message_t error;
	int32_t r = 0;

	if (!cairn_wat2wasm(wat, strlen(wat), &binary, &error)) {
		printf("wat: %s\n", error.data);
		return 1;
	}
	wasm_module_t *module = wasm_module_new(store, &binary);
	wasm_byte_vec_delete(&binary);
	if (!module)
		return 1;

	/* a memory of 1 page that may grow to 4, filled by the host */
	wasm_limits_t limits = { 1, 4 };
	wasm_memorytype_t *mt = wasm_memorytype_new(&limits);
	wasm_memory_t *mem = wasm_memory_new(store, mt);
	wasm_memorytype_delete(mt);
	memcpy(wasm_memory_data(mem) + 100, "cairn", 5);
	printf("memory: %u page(s), %zu bytes\n", wasm_memory_size(mem), wasm_memory_data_size(mem));

	wasm_extern_t *externs[] = { wasm_memory_as_extern(mem) };
	wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
	wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
	if (!instance)
		return 1;
	wasm_extern_vec_t exports;
	wasm_instance_exports(instance, &exports);
	const wasm_func_t *sum = wasm_extern_as_func(exports.data[0]);
	const wasm_func_t *store_fn = wasm_extern_as_func(exports.data[1]);
	const wasm_func_t *pages = wasm_extern_as_func(exports.data[2]);
	const wasm_func_t *grow = wasm_extern_as_func(exports.data[3]);

	/* wasm reads what the host wrote, the host reads what wasm wrote */
	if (!call(sum, 100, 5, 2, &r))
		printf("sum of \"cairn\" = %d\n", r);
	if (!call(store_fn, 200, 0x12345678, 2, NULL)) {
		const unsigned char *d = (const unsigned char *)wasm_memory_data(mem);
		printf("bytes at 200: %02x %02x %02x %02x (little-endian)\n", d[200], d[201], d[202], d[203]);
	}

	/* growing: from the host, from wasm, and past the maximum */
	printf("host grow by 1: %s\n", wasm_memory_grow(mem, 1) ? "ok" : "refused");
	if (!call(grow, 2, 0, 1, &r))
		printf("wasm grow by 2: old size %d\n", r);
	if (!call(grow, 1, 0, 1, &r))
		printf("wasm grow past max: %d\n", r);
	printf("host grow past max: %s\n", wasm_memory_grow(mem, 1) ? "ok" : "refused");
	if (!call(pages, 0, 0, 0, &r))
		printf("pages seen by wasm: %d, by host: %u\n", r, wasm_memory_size(mem));

	/* the last byte is fine; one further is a trap */
	wasm_trap_t *trap = call(sum, 4 * 65536 - 1, 1, 2, &r);
	if (!trap)
		printf("last byte read: ok\n");
	else
		print_trap("last byte", trap);
	trap = call(sum, 4 * 65536 - 1, 2, 2, &r);
	if (trap)
		print_trap("one past the end", trap);

	wasm_extern_vec_delete(&exports);
	wasm_instance_delete(instance);
	wasm_memory_delete(mem);
	wasm_module_delete(module);
	wasm_store_delete(store);
	wasm_engine_delete(engine);
	printf("done\n");
	return 0;
}
