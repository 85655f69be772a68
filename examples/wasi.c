/* wasi.c - a WASI command run from C: a small program (text form) greets
 * the name in its argv[1] with the word in its environment variable
 * GREETING, writing to stdout; without an argument it prints its usage to
 * stderr and exits with status 2 through proc_exit.
 *   cc wasi.c $(pkg-config --cflags --libs cairn) && ./a.out */
#include <cairn.h>
#include <stdio.h>
#include <string.h>

#define WASI(name, sig) "  (import \"wasi_snapshot_preview1\" \"" name "\" (func $" name " " sig "))\n"

static const char wat[] =
	"(module\n"
	WASI("args_sizes_get", "(param i32 i32) (result i32)")
	WASI("args_get", "(param i32 i32) (result i32)")
	WASI("environ_sizes_get", "(param i32 i32) (result i32)")
	WASI("environ_get", "(param i32 i32) (result i32)")
	WASI("fd_write", "(param i32 i32 i32 i32) (result i32)")
	WASI("proc_exit", "(param i32)")
	"  (memory (export \"memory\") 1)\n"
	/* 0: an iovec, 8: bytes written, 96..111: the sizes; fixed room for
	 * 256 argument pointers at 1024, their text at 2048, and the
	 * environment's at 16384 and 32768 (a real program sizes its buffers
	 * from *_sizes_get) */
	"  (data (i32.const 16) \"GREETING=\")\n"
	"  (data (i32.const 32) \"usage: greet NAME\\n\")\n"
	"  (data (i32.const 64) \", \") (data (i32.const 66) \"!\\n\")\n"
	"  (data (i32.const 80) \"Hello\")\n"
	"  (func $strlen (param $p i32) (result i32) (local $n i32)\n"
	"    (block $end (loop $next\n"
	"      (br_if $end (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))\n"
	"      (local.set $n (i32.add (local.get $n) (i32.const 1))) (br $next)))\n"
	"    (local.get $n))\n"
	"  (func $write (param $fd i32) (param $p i32) (param $n i32)\n"
	"    (i32.store (i32.const 0) (local.get $p)) (i32.store (i32.const 4) (local.get $n))\n"
	"    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))\n"
	"  (func $puts (param $p i32) (call $write (i32.const 1) (local.get $p) (call $strlen (local.get $p))))\n"
	/* whether the string at $p starts with the 9 bytes \"GREETING=\" */
	"  (func $is_greeting (param $p i32) (result i32) (local $i i32)\n"
	"    (block $no (loop $next\n"
	"      (if (i32.eq (local.get $i) (i32.const 9)) (then (return (i32.const 1))))\n"
	"      (br_if $no (i32.ne (i32.load8_u (i32.add (local.get $p) (local.get $i)))\n"
	"                         (i32.load8_u (i32.add (i32.const 16) (local.get $i)))))\n"
	"      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $next)))\n"
	"    (i32.const 0))\n"
	"  (func (export \"_start\") (local $greeting i32) (local $i i32) (local $p i32)\n"
	"    (drop (call $args_sizes_get (i32.const 96) (i32.const 100)))\n"
	"    (if (i32.lt_u (i32.load (i32.const 96)) (i32.const 2)) (then\n"
	"      (call $write (i32.const 2) (i32.const 32) (i32.const 18))\n"
	"      (call $proc_exit (i32.const 2))))\n"
	"    (drop (call $args_get (i32.const 1024) (i32.const 2048)))\n"
	"    (drop (call $environ_sizes_get (i32.const 104) (i32.const 108)))\n"
	"    (drop (call $environ_get (i32.const 16384) (i32.const 32768)))\n"
	"    (local.set $greeting (i32.const 80))\n"
	"    (block $end (loop $next\n"
	"      (br_if $end (i32.ge_u (local.get $i) (i32.load (i32.const 104))))\n"
	"      (local.set $p (i32.load (i32.add (i32.const 16384) (i32.shl (local.get $i) (i32.const 2)))))\n"
	"      (if (call $is_greeting (local.get $p))\n"
	"        (then (local.set $greeting (i32.add (local.get $p) (i32.const 9)))))\n"
	"      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $next)))\n"
	"    (call $puts (local.get $greeting))\n"
	"    (call $write (i32.const 1) (i32.const 64) (i32.const 2))\n"
	"    (call $puts (i32.load (i32.const 1028)))\n"
	"    (call $write (i32.const 1) (i32.const 66) (i32.const 2))))\n";

/* One run of the program with its own WASI context; returns false if it
 * could not run or trapped. */
static bool run(wasm_store_t *store, const wasm_module_t *module, size_t argc, const char *const argv[],
		const char *greeting)
{
	cairn_wasi_config_t *config = cairn_wasi_config_new();
	cairn_wasi_config_set_argv(config, argc, argv);
	if (greeting)
		cairn_wasi_config_set_env(config, "GREETING", greeting);
	cairn_wasi_config_inherit_stdio(config);

	wasm_message_t error;
	cairn_wasi_t *wasi = cairn_wasi_new(store, config, &error);
	cairn_wasi_config_delete(config); /* the context has what it needs */
	if (!wasi) {
		printf("WASI: %s\n", error.data);
		wasm_byte_vec_delete(&error);
		return false;
	}

	/* every import here is WASI; others would be left NULL for us to fill */
	wasm_extern_vec_t imports = WASM_EMPTY_VEC;
	wasm_instance_t *instance = NULL;
	wasm_trap_t *trap = NULL;
	bool ok = false;
	if (!cairn_wasi_define_imports(wasi, module, &imports, &error)) {
		printf("imports: %s\n", error.data);
		goto out;
	}
	instance = wasm_instance_new(store, module, &imports, &trap);
	if (instance) {
		int status;
		fflush(stdout); /* the program writes to fd 1 directly */
		trap = cairn_wasi_run_start(wasi, instance, &status);
		if (!trap)
			printf("exit status %d\n", status);
	}
	if (trap) {
		wasm_message_t msg;
		wasm_trap_message(trap, &msg);
		printf("trap: %s\n", msg.data);
		wasm_byte_vec_delete(&msg);
		wasm_trap_delete(trap);
	} else {
		ok = true;
	}
out:
	wasm_byte_vec_delete(&error);
	wasm_instance_delete(instance);
	wasm_extern_vec_delete(&imports);
	cairn_wasi_delete(wasi);
	return ok;
}

int main(void)
{
	wasm_engine_t *engine = wasm_engine_new();
	wasm_store_t *store = wasm_store_new(engine);
	wasm_byte_vec_t binary;
	wasm_message_t error;
	int rc = 1;

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

	const char *with_name[] = { "greet", "world" }, *without[] = { "greet" };
	printf("running: GREETING=Hej greet world\n");
	if (!run(store, module, 2, with_name, "Hej"))
		goto out;
	printf("running: greet world\n");
	if (!run(store, module, 2, with_name, NULL))
		goto out;
	printf("running: greet\n");
	if (!run(store, module, 1, without, NULL))
		goto out;
	rc = 0;
out:
	wasm_module_delete(module);
	wasm_store_delete(store);
	wasm_engine_delete(engine);
	return rc;
}
