/* test_capi_wasi.c - cairn.h's WASI (cairn_wasi_*): arguments and
 * environment seen by a guest, stdout to a pipe and to a file, a preopened
 * temporary directory read and written (and not escaped), proc_exit as a
 * recognisable trap (also from a start function), other traps kept apart,
 * WASI mixed with the embedder's imports, interrupts from another thread,
 * and embedder mistakes (NULLs, wrong vectors, unknown or mistyped WASI
 * imports, no memory export, other stores, either deletion order).
 * Run under ASan+UBSan by `make SAN=1 test`.  Prints failures; exit 0 = ok. */
#include "cairn.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static wasm_engine_t *engine;

#define WASI(name, sig) "(import \"wasi_snapshot_preview1\" \"" name "\" (func $" name " " sig "))\n"

/* Prints "arg: A" for every argument after argv[0] and the value of
 * GREETING, then exits with the argument count. */
static const char args_wat[] =
	"(module\n"
	WASI("args_sizes_get", "(param i32 i32) (result i32)")
	WASI("args_get", "(param i32 i32) (result i32)")
	WASI("environ_sizes_get", "(param i32 i32) (result i32)")
	WASI("environ_get", "(param i32 i32) (result i32)")
	WASI("fd_write", "(param i32 i32 i32 i32) (result i32)")
	WASI("proc_exit", "(param i32)")
	"(memory (export \"memory\") 1)\n"
	"(data (i32.const 16) \"\\n\")\n"
	"(data (i32.const 32) \"GREETING=\")\n"
	"(data (i32.const 48) \"arg: \")\n"
	"(func $strlen (param $p i32) (result i32) (local $n i32)\n"
	"  (block $done (loop $l\n"
	"    (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))\n"
	"    (local.set $n (i32.add (local.get $n) (i32.const 1))) (br $l)))\n"
	"  (local.get $n))\n"
	"(func $write (param $p i32) (param $n i32)\n"
	"  (i32.store (i32.const 0) (local.get $p)) (i32.store (i32.const 4) (local.get $n))\n"
	"  (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))\n"
	"(func $puts (param $p i32)\n"
	"  (call $write (local.get $p) (call $strlen (local.get $p))) (call $write (i32.const 16) (i32.const 1)))\n"
	"(func $prefixed (param $p i32) (param $q i32) (param $n i32) (result i32)\n"
	"  (block $no (loop $l\n"
	"    (if (i32.eqz (local.get $n)) (then (return (i32.const 1))))\n"
	"    (br_if $no (i32.ne (i32.load8_u (local.get $p)) (i32.load8_u (local.get $q))))\n"
	"    (local.set $p (i32.add (local.get $p) (i32.const 1)))\n"
	"    (local.set $q (i32.add (local.get $q) (i32.const 1)))\n"
	"    (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br $l)))\n"
	"  (i32.const 0))\n"
	"(func (export \"_start\") (local $i i32) (local $p i32)\n"
	"  (drop (call $args_sizes_get (i32.const 64) (i32.const 68)))\n"
	"  (drop (call $args_get (i32.const 1024) (i32.const 2048)))\n"
	"  (local.set $i (i32.const 1))\n"
	"  (block $done (loop $l\n"
	"    (br_if $done (i32.ge_u (local.get $i) (i32.load (i32.const 64))))\n"
	"    (call $write (i32.const 48) (i32.const 5))\n"
	"    (call $puts (i32.load (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2)))))\n"
	"    (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))\n"
	"  (drop (call $environ_sizes_get (i32.const 72) (i32.const 76)))\n"
	"  (drop (call $environ_get (i32.const 4096) (i32.const 8192)))\n"
	"  (local.set $i (i32.const 0))\n"
	"  (block $done (loop $l\n"
	"    (br_if $done (i32.ge_u (local.get $i) (i32.load (i32.const 72))))\n"
	"    (local.set $p (i32.load (i32.add (i32.const 4096) (i32.shl (local.get $i) (i32.const 2)))))\n"
	"    (if (call $prefixed (local.get $p) (i32.const 32) (i32.const 9)) (then (call $puts (local.get $p))))\n"
	"    (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))\n"
	"  (call $proc_exit (i32.load (i32.const 64)))))\n";

/* In the preopen (fd 3): writes out.txt, copies in.txt to stdout, then
 * exits with the errno of opening ../escape.txt. */
static const char files_wat[] =
	"(module\n"
	WASI("path_open", "(param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)")
	WASI("fd_read", "(param i32 i32 i32 i32) (result i32)")
	WASI("fd_write", "(param i32 i32 i32 i32) (result i32)")
	WASI("fd_close", "(param i32) (result i32)")
	WASI("proc_exit", "(param i32)")
	"(memory (export \"memory\") 1)\n"
	"(data (i32.const 100) \"out.txt\")\n"
	"(data (i32.const 120) \"in.txt\")\n"
	"(data (i32.const 140) \"../escape.txt\")\n"
	"(data (i32.const 200) \"written by wasm\")\n"
	"(func (export \"_start\")\n"
	"  (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 7) (i32.const 9)\n"
	"        (i64.const 0x40) (i64.const 0) (i32.const 0) (i32.const 300))\n"
	"    (then (call $proc_exit (i32.const 101))))\n"
	"  (i32.store (i32.const 0) (i32.const 200)) (i32.store (i32.const 4) (i32.const 15))\n"
	"  (if (call $fd_write (i32.load (i32.const 300)) (i32.const 0) (i32.const 1) (i32.const 304))\n"
	"    (then (call $proc_exit (i32.const 102))))\n"
	"  (drop (call $fd_close (i32.load (i32.const 300))))\n"
	"  (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 120) (i32.const 6) (i32.const 0)\n"
	"        (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 300))\n"
	"    (then (call $proc_exit (i32.const 103))))\n"
	"  (i32.store (i32.const 0) (i32.const 1024)) (i32.store (i32.const 4) (i32.const 100))\n"
	"  (if (call $fd_read (i32.load (i32.const 300)) (i32.const 0) (i32.const 1) (i32.const 304))\n"
	"    (then (call $proc_exit (i32.const 104))))\n"
	"  (i32.store (i32.const 4) (i32.load (i32.const 304)))\n"
	"  (if (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 304))\n"
	"    (then (call $proc_exit (i32.const 105))))\n"
	"  (call $proc_exit (call $path_open (i32.const 3) (i32.const 0) (i32.const 140) (i32.const 13)\n"
	"    (i32.const 1) (i64.const 0x40) (i64.const 0) (i32.const 0) (i32.const 300)))))\n";

static wasm_module_t *compile(wasm_store_t *s, const char *wat)
{
	wasm_byte_vec_t bin;
	wasm_message_t err;
	wasm_module_t *m;
	if (!cairn_wat2wasm(wat, strlen(wat), &bin, &err)) {
		printf("wat: %s\n", err.data);
		wasm_byte_vec_delete(&err);
		return NULL;
	}
	m = cairn_module_new(s, &bin, &err);
	if (!m)
		printf("module: %s\n", err.data);
	wasm_byte_vec_delete(&err);
	wasm_byte_vec_delete(&bin);
	return m;
}

/* A module's instance with only WASI imports, or NULL (message printed). */
static wasm_instance_t *instantiate(wasm_store_t *s, cairn_wasi_t *w, const char *wat, wasm_trap_t **trap)
{
	wasm_module_t *m = compile(s, wat);
	wasm_extern_vec_t imports = WASM_EMPTY_VEC;
	wasm_message_t err;
	wasm_instance_t *in = NULL;
	*trap = NULL;
	if (m && cairn_wasi_define_imports(w, m, &imports, &err))
		in = wasm_instance_new(s, m, &imports, trap);
	else if (m)
		printf("define_imports: %s\n", err.data);
	if (m)
		wasm_byte_vec_delete(&err);
	wasm_extern_vec_delete(&imports);
	wasm_module_delete(m);
	return in;
}

static bool msg_is(const wasm_trap_t *t, const char *prefix)
{
	wasm_message_t m;
	bool ok;
	if (!t)
		return false;
	wasm_trap_message(t, &m);
	ok = m.size && m.data[m.size - 1] == 0 && !strncmp(m.data, prefix, strlen(prefix));
	if (!ok)
		printf("    trap message: %s (expected %s)\n", m.size ? m.data : "(none)", prefix);
	wasm_byte_vec_delete(&m);
	return ok;
}

static bool error_has(const wasm_message_t *e, const char *part)
{
	bool ok = e->size && e->data[e->size - 1] == 0 && strstr(e->data, part);
	if (!ok)
		printf("    error: %s (expected %s)\n", e->size ? e->data : "(none)", part);
	return ok;
}

/* The instance's only exported function, as a new handle. */
static wasm_func_t *export_func(const wasm_instance_t *in)
{
	wasm_extern_vec_t xs;
	wasm_func_t *f = NULL;
	wasm_instance_exports(in, &xs);
	for (size_t i = 0; i < xs.size; i++)
		if (wasm_extern_kind(xs.data[i]) == WASM_EXTERN_FUNC)
			f = wasm_func_copy(wasm_extern_as_func(xs.data[i]));
	wasm_extern_vec_delete(&xs);
	return f;
}

static size_t read_all(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;
	while (n < cap - 1 && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = 0;
	return n;
}

/* Arguments and environment reach the guest; its stdout goes to a pipe;
 * proc_exit's status comes back from run_start and as a trap. */
static void test_args_env_stdout(void)
{
	wasm_store_t *s = wasm_store_new(engine);
	cairn_wasi_config_t *c = cairn_wasi_config_new();
	const char *argv[] = { "prog", "a", "b c" };
	int p[2], code = -1;
	char out[256];
	CHECK(pipe(p) == 0);
	CHECK(cairn_wasi_config_set_argv(c, 3, argv));
	CHECK(cairn_wasi_config_set_env(c, "GREETING", "first"));
	CHECK(cairn_wasi_config_set_env(c, "OTHER", "x"));
	CHECK(cairn_wasi_config_set_env(c, "GREETING", "hi")); /* replaces */
	CHECK(cairn_wasi_config_stdio_fd(c, 1, p[1]));
	cairn_wasi_t *w = cairn_wasi_new(s, c, NULL);
	cairn_wasi_config_delete(c); /* the context has its copy */
	CHECK(w);
	wasm_trap_t *trap;
	wasm_instance_t *in = instantiate(s, w, args_wat, &trap);
	CHECK(in && !trap);
	CHECK(cairn_wasi_bind_instance(w, in));
	trap = cairn_wasi_run_start(w, in, &code);
	CHECK(!trap && code == 3);
	/* the same export called directly: proc_exit is a trap that says so */
	wasm_func_t *start = export_func(in);
	wasm_val_vec_t none = WASM_EMPTY_VEC;
	trap = wasm_func_call(start, &none, &none);
	code = -1;
	CHECK(trap && cairn_wasi_exit_code(trap, &code) && code == 3 && msg_is(trap, "exit status 3"));
	wasm_trap_delete(trap);
	wasm_func_delete(start);
	close(p[1]);
	cairn_wasi_delete(w);
	wasm_instance_delete(in);
	wasm_store_delete(s); /* the last user of the pipe's write end */
	read_all(p[0], out, sizeof out);
	const char *once = "arg: a\narg: b c\nGREETING=hi\n";
	char twice[128];
	snprintf(twice, sizeof twice, "%s%s", once, once);
	CHECK(!strcmp(out, twice));
	if (strcmp(out, twice))
		printf("    stdout: [%s]\n", out);
	close(p[0]);
}

/* A temporary directory as the preopen "/sandbox": the guest writes one
 * file, copies another to stdout (a file), and cannot escape. */
static void test_preopen_and_files(void)
{
	char tmp[] = "/tmp/cairn-capi-wasi-XXXXXX", root[64], path[96], buf[256];
	int fd, code = -1;
	CHECK(mkdtemp(tmp) != NULL);
	snprintf(root, sizeof root, "%s/root", tmp);
	CHECK(mkdir(root, 0755) == 0);
	snprintf(path, sizeof path, "%s/in.txt", root);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, "from the host\n", 14) == 14);
	close(fd);

	wasm_store_t *s = wasm_store_new(engine);
	cairn_wasi_config_t *c = cairn_wasi_config_new();
	snprintf(path, sizeof path, "%s/stdout.txt", tmp);
	CHECK(cairn_wasi_config_preopen_dir(c, root, "/sandbox"));
	CHECK(cairn_wasi_config_stdio_file(c, 1, path));
	cairn_wasi_t *w = cairn_wasi_new(s, c, NULL);
	cairn_wasi_t *w2 = cairn_wasi_new(s, c, NULL); /* one configuration, two contexts */
	cairn_wasi_config_delete(c);
	CHECK(w && w2);
	cairn_wasi_delete(w2);
	wasm_trap_t *trap;
	wasm_instance_t *in = instantiate(s, w, files_wat, &trap);
	CHECK(in && !trap);
	trap = cairn_wasi_run_start(w, in, &code);
	CHECK(!trap && code == 76); /* ENOTCAPABLE */
	wasm_trap_delete(trap);
	wasm_instance_delete(in);
	cairn_wasi_delete(w);
	wasm_store_delete(s);

	fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && read_all(fd, buf, sizeof buf) == 14 && !strcmp(buf, "from the host\n"));
	close(fd);
	snprintf(path, sizeof path, "%s/out.txt", root);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && read_all(fd, buf, sizeof buf) == 15 && !strcmp(buf, "written by wasm"));
	close(fd);
	unlink(path);
	snprintf(path, sizeof path, "%s/escape.txt", tmp);
	CHECK(access(path, F_OK) != 0);
	snprintf(path, sizeof path, "%s/in.txt", root);
	unlink(path);
	snprintf(path, sizeof path, "%s/stdout.txt", tmp);
	unlink(path);
	rmdir(root);
	rmdir(tmp);
}

/* ---- a module importing both WASI and the embedder's function ---- */

static const char mixed_wat[] =
	"(module\n"
	WASI("fd_write", "(param i32 i32 i32 i32) (result i32)")
	"(import \"env\" \"digit\" (func $digit (param i32) (result i32)))\n"
	WASI("proc_exit", "(param i32)")
	"(memory (export \"memory\") 1)\n"
	"(func (export \"_start\")\n"
	"  (i32.store8 (i32.const 100) (call $digit (i32.const 7)))\n"
	"  (i32.store8 (i32.const 101) (i32.const 10))\n"
	"  (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 2))\n"
	"  (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))\n";

static wasm_trap_t *digit(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
	results->data[0] = (wasm_val_t)WASM_I32_VAL('0' + args->data[0].of.i32);
	return NULL;
}

static void test_mixed_imports(void)
{
	wasm_store_t *s = wasm_store_new(engine);
	cairn_wasi_config_t *c = cairn_wasi_config_new();
	int p[2], code = -1;
	char out[16];
	CHECK(pipe(p) == 0);
	CHECK(cairn_wasi_config_stdio_fd(c, 1, p[1]));
	cairn_wasi_t *w = cairn_wasi_new(s, c, NULL);
	wasm_module_t *m = compile(s, mixed_wat);
	wasm_extern_vec_t imports = WASM_EMPTY_VEC;
	wasm_message_t err;
	wasm_trap_t *trap = NULL;
	CHECK(w && m && cairn_wasi_define_imports(w, m, &imports, &err));
	wasm_byte_vec_delete(&err);
	CHECK(imports.size == 3 && imports.data[0] && !imports.data[1] && imports.data[2]);
	/* the embedder's import still missing: instantiation names it */
	CHECK(!wasm_instance_new(s, m, &imports, &trap) && msg_is(trap, "import 1 (\"env\" \"digit\"): is NULL"));
	wasm_trap_delete(trap);
	wasm_functype_t *ft = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
	imports.data[1] = wasm_func_as_extern(wasm_func_new(s, ft, digit));
	wasm_functype_delete(ft);
	/* again on a filled vector: nothing changes */
	wasm_extern_t *before = imports.data[0];
	CHECK(cairn_wasi_define_imports(w, m, &imports, &err) && imports.data[0] == before);
	wasm_byte_vec_delete(&err);
	wasm_instance_t *in = wasm_instance_new(s, m, &imports, &trap);
	CHECK(in && !trap);
	trap = cairn_wasi_run_start(w, in, &code);
	CHECK(!trap && code == 0);
	wasm_extern_vec_delete(&imports);
	wasm_instance_delete(in);
	wasm_module_delete(m);
	/* the context goes first; the store's WASI functions keep what they use */
	cairn_wasi_delete(w);
	cairn_wasi_config_delete(c);
	wasm_store_delete(s);
	close(p[1]);
	CHECK(read_all(p[0], out, sizeof out) == 2 && !strcmp(out, "7\n"));
	close(p[0]);
}

/* ---- traps that are not exits; exit from a start function ---- */

static void test_traps(void)
{
	wasm_store_t *s = wasm_store_new(engine);
	cairn_wasi_config_t *c = cairn_wasi_config_new();
	cairn_wasi_t *w = cairn_wasi_new(s, c, NULL);
	wasm_trap_t *trap;
	int code = 12345;
	wasm_instance_t *in = instantiate(s, w, "(func (export \"_start\") unreachable)", &trap);
	CHECK(in && !trap);
	trap = cairn_wasi_run_start(w, in, &code);
	CHECK(trap && !cairn_wasi_exit_code(trap, &code) && code == 12345 && msg_is(trap, "unreachable"));
	wasm_trap_delete(trap);
	wasm_instance_delete(in);

	/* proc_exit in the start function: instantiation fails with the exit trap */
	in = instantiate(s, w,
			 WASI("proc_exit", "(param i32)")
			 "(func $s (call $proc_exit (i32.const 42))) (start $s)", &trap);
	CHECK(!in && trap && cairn_wasi_exit_code(trap, &code) && code == 42);
	wasm_trap_delete(trap);

	/* exit status above INT_MAX reads as the C int it wraps to */
	in = instantiate(s, w,
			 WASI("proc_exit", "(param i32)")
			 "(func (export \"_start\") (call $proc_exit (i32.const -1)))", &trap);
	trap = in ? cairn_wasi_run_start(w, in, &code) : NULL;
	CHECK(in && !trap && code == -1);
	wasm_instance_delete(in);

	/* a host function's trap is not an exit */
	wasm_trap_t *t2 = wasm_trap_new(s, &(wasm_message_t){ 5, "exit" });
	CHECK(t2 && !cairn_wasi_exit_code(t2, &code));
	wasm_trap_delete(t2);
	cairn_wasi_delete(w);
	cairn_wasi_config_delete(c);
	wasm_store_delete(s);
}

/* ---- interrupts from another thread ---- */

static void *interrupter(void *arg)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	cairn_wasi_interrupt(arg);
	return NULL;
}

static void interrupt_run(const char *wat, int stdin_fd)
{
	wasm_store_t *s = wasm_store_new(engine);
	cairn_wasi_config_t *c = cairn_wasi_config_new();
	CHECK(stdin_fd < 0 || cairn_wasi_config_stdio_fd(c, 0, stdin_fd));
	cairn_wasi_t *w = cairn_wasi_new(s, c, NULL);
	wasm_trap_t *trap;
	wasm_instance_t *in = instantiate(s, w, wat, &trap);
	pthread_t th;
	int code = 0;
	CHECK(in && !trap);
	CHECK(pthread_create(&th, NULL, interrupter, w) == 0);
	trap = cairn_wasi_run_start(w, in, &code);
	pthread_join(th, NULL);
	CHECK(trap && msg_is(trap, "interrupted") && !cairn_wasi_exit_code(trap, NULL));
	wasm_trap_delete(trap);
	wasm_instance_delete(in);
	cairn_wasi_delete(w);
	cairn_wasi_config_delete(c);
	wasm_store_delete(s);
}

static void test_interrupt(void)
{
	int p[2];
	CHECK(pipe(p) == 0);
	/* blocked in fd_read on a pipe nobody writes to */
	interrupt_run(WASI("fd_read", "(param i32 i32 i32 i32) (result i32)")
		      "(memory (export \"memory\") 1)"
		      "(func (export \"_start\") (i32.store (i32.const 4) (i32.const 16))"
		      "  (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8))))", p[0]);
	/* spinning in wasm */
	interrupt_run("(func (export \"_start\") (loop $l (br $l)))", -1);
	close(p[0]);
	close(p[1]);
}

/* ---- embedder mistakes ---- */

static void test_mistakes(void)
{
	wasm_store_t *s = wasm_store_new(engine), *other = wasm_store_new(engine);
	cairn_wasi_config_t *c = cairn_wasi_config_new();
	wasm_message_t err;
	wasm_trap_t *trap;
	int code = 0;
	const char *nul_argv[] = { "a", NULL };

	/* NULLs and bad values everywhere */
	cairn_wasi_config_delete(NULL);
	cairn_wasi_delete(NULL);
	cairn_wasi_interrupt(NULL);
	CHECK(!cairn_wasi_config_set_argv(NULL, 0, NULL));
	CHECK(!cairn_wasi_config_set_argv(c, 1, NULL));
	CHECK(!cairn_wasi_config_set_argv(c, 2, nul_argv));
	CHECK(cairn_wasi_config_set_argv(c, 0, NULL));
	CHECK(!cairn_wasi_config_set_env(c, NULL, "x") && !cairn_wasi_config_set_env(c, "A", NULL));
	CHECK(!cairn_wasi_config_set_env(c, "", "x") && !cairn_wasi_config_set_env(c, "A=B", "x"));
	CHECK(!cairn_wasi_config_inherit_env(NULL) && cairn_wasi_config_inherit_env(c));
	CHECK(!cairn_wasi_config_preopen_dir(c, NULL, "/") && !cairn_wasi_config_preopen_dir(NULL, "/", "/"));
	CHECK(!cairn_wasi_config_stdio_fd(c, 3, 1) && !cairn_wasi_config_stdio_fd(c, -1, 1));
	CHECK(!cairn_wasi_config_stdio_fd(c, 1, -2) && !cairn_wasi_config_stdio_fd(c, 1, 987654));
	CHECK(!cairn_wasi_config_stdio_file(c, 1, NULL) && !cairn_wasi_config_stdio_file(c, 0, "/nonexistent/x"));
	CHECK(!cairn_wasi_config_inherit_stdio(NULL) && cairn_wasi_config_inherit_stdio(c));
	CHECK(cairn_wasi_config_stdio_fd(c, 1, -1) && cairn_wasi_config_stdio_fd(c, 2, -1));
	CHECK(!cairn_wasi_exit_code(NULL, &code));

	CHECK(!cairn_wasi_new(NULL, c, &err) && error_has(&err, "store is NULL"));
	wasm_byte_vec_delete(&err);
	CHECK(!cairn_wasi_new(s, NULL, &err) && error_has(&err, "config is NULL"));
	wasm_byte_vec_delete(&err);
	CHECK(!cairn_wasi_new(s, NULL, NULL));

	/* a preopen that does not exist: reported by cairn_wasi_new */
	cairn_wasi_config_t *bad = cairn_wasi_config_new();
	CHECK(cairn_wasi_config_preopen_dir(bad, "/nonexistent/dir", "/d"));
	CHECK(!cairn_wasi_new(s, bad, &err) && error_has(&err, "/nonexistent/dir"));
	wasm_byte_vec_delete(&err);
	cairn_wasi_config_delete(bad);

	cairn_wasi_t *w = cairn_wasi_new(s, c, &err);
	CHECK(w && err.size == 0);
	wasm_byte_vec_delete(&err);

	/* define_imports: NULLs, wrong sizes, unknown and mistyped WASI imports, other stores */
	wasm_module_t *m = compile(s, args_wat), *mo = compile(other, args_wat);
	wasm_extern_vec_t iv = WASM_EMPTY_VEC;
	CHECK(!cairn_wasi_define_imports(NULL, m, &iv, &err) && error_has(&err, "wasi is NULL"));
	wasm_byte_vec_delete(&err);
	CHECK(!cairn_wasi_define_imports(w, NULL, &iv, &err) && error_has(&err, "module is NULL"));
	wasm_byte_vec_delete(&err);
	CHECK(!cairn_wasi_define_imports(w, m, NULL, NULL));
	CHECK(!cairn_wasi_define_imports(w, mo, &iv, &err) && error_has(&err, "another store"));
	wasm_byte_vec_delete(&err);
	wasm_extern_vec_new_uninitialized(&iv, 2);
	iv.data[0] = iv.data[1] = NULL;
	CHECK(!cairn_wasi_define_imports(w, m, &iv, &err) && error_has(&err, "6 imports, the vector 2"));
	wasm_byte_vec_delete(&err);
	wasm_extern_vec_delete(&iv);
	wasm_module_delete(mo);
	wasm_module_delete(m);

	m = compile(s, WASI("no_such_call", "(param i32)"));
	iv = (wasm_extern_vec_t)WASM_EMPTY_VEC;
	CHECK(m && !cairn_wasi_define_imports(w, m, &iv, &err) && error_has(&err, "unknown import") &&
	      error_has(&err, "no_such_call"));
	wasm_byte_vec_delete(&err);
	wasm_extern_vec_delete(&iv);
	wasm_module_delete(m);
	m = compile(s, WASI("fd_write", "(param i32 i32 i32) (result i32)"));
	CHECK(m && !cairn_wasi_define_imports(w, m, &iv, &err) && error_has(&err, "incompatible import type") &&
	      error_has(&err, "fd_write"));
	wasm_byte_vec_delete(&err);
	wasm_extern_vec_delete(&iv);
	wasm_module_delete(m);
	m = compile(s, "(import \"wasi_snapshot_preview1\" \"memory\" (memory 1))");
	CHECK(m && !cairn_wasi_define_imports(w, m, &iv, &err) && error_has(&err, "WASI has only functions"));
	wasm_byte_vec_delete(&err);
	wasm_extern_vec_delete(&iv);
	wasm_module_delete(m);

	/* no memory export: WASI calls with pointers trap, nothing crashes */
	wasm_instance_t *in = instantiate(s, w,
		WASI("fd_write", "(param i32 i32 i32 i32) (result i32)")
		"(memory 1)"
		"(func (export \"_start\") (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))",
		&trap);
	CHECK(in && !trap);
	CHECK(!cairn_wasi_bind_instance(w, in));
	trap = cairn_wasi_run_start(w, in, &code);
	CHECK(trap && msg_is(trap, "WASI call without an exported memory"));
	wasm_trap_delete(trap);

	/* run_start: NULLs, no _start, an instance of another store */
	trap = cairn_wasi_run_start(NULL, in, &code);
	CHECK(trap && msg_is(trap, "cairn_wasi_run_start: wasi is NULL"));
	wasm_trap_delete(trap);
	trap = cairn_wasi_run_start(w, NULL, &code);
	CHECK(trap && msg_is(trap, "cairn_wasi_run_start: instance is NULL"));
	wasm_trap_delete(trap);
	trap = cairn_wasi_run_start(w, in, NULL);
	CHECK(trap && msg_is(trap, "cairn_wasi_run_start: exit_code is NULL"));
	wasm_trap_delete(trap);
	CHECK(!cairn_wasi_bind_instance(NULL, in) && !cairn_wasi_bind_instance(w, NULL));
	wasm_instance_delete(in);
	in = instantiate(s, w, "(func (export \"_start\") (param i32))", &trap);
	trap = cairn_wasi_run_start(w, in, &code);
	CHECK(trap && msg_is(trap, "cairn_wasi_run_start: no export \"_start\""));
	wasm_trap_delete(trap);
	wasm_instance_delete(in);
	cairn_wasi_t *wo = cairn_wasi_new(other, c, NULL);
	in = instantiate(s, w, "(func (export \"_start\"))", &trap);
	trap = cairn_wasi_run_start(wo, in, &code);
	CHECK(trap && msg_is(trap, "cairn_wasi_run_start: the instance belongs to another store"));
	wasm_trap_delete(trap);
	CHECK(!cairn_wasi_bind_instance(wo, in));
	wasm_instance_delete(in);

	/* a WASI function called straight from the host: no caller memory, a trap */
	m = compile(s, WASI("fd_write", "(param i32 i32 i32 i32) (result i32)"));
	iv = (wasm_extern_vec_t)WASM_EMPTY_VEC;
	CHECK(m && cairn_wasi_define_imports(w, m, &iv, NULL) && iv.size == 1);
	if (iv.size == 1) {
		wasm_val_t av[4] = { WASM_I32_VAL(1), WASM_I32_VAL(0), WASM_I32_VAL(1), WASM_I32_VAL(8) };
		wasm_val_t rv[1] = { WASM_INIT_VAL };
		wasm_val_vec_t args = WASM_ARRAY_VEC(av), res = WASM_ARRAY_VEC(rv);
		trap = wasm_func_call(wasm_extern_as_func(iv.data[0]), &args, &res);
		CHECK(trap && msg_is(trap, "WASI call without an exported memory"));
		wasm_trap_delete(trap);
	}
	wasm_extern_vec_delete(&iv);
	wasm_module_delete(m);

	/* the store goes first; the contexts after */
	wasm_store_delete(s);
	wasm_store_delete(other);
	cairn_wasi_delete(w);
	cairn_wasi_delete(wo);
	cairn_wasi_config_delete(c);
}

int main(void)
{
	engine = wasm_engine_new();
	CHECK(engine);
	test_args_env_stdout();
	test_preopen_and_files();
	test_mixed_imports();
	test_traps();
	test_interrupt();
	test_mistakes();
	wasm_engine_delete(engine);
	printf("%s\n", failures ? "test_capi_wasi: FAILED" : "test_capi_wasi: ok");
	return failures != 0;
}
