/* test_wasi.c - WASI through the embedding interface (wasm/wasi.h): stdio
 * redirected to the embedder's pipes, args, environment, proc_exit's trap
 * and status, import errors, and stopping a guest from another thread while
 * it runs wasm or sleeps in poll_oneoff.  Prints failures; exit 0 = ok. */
#include "wasm/text.h"
#include "wasm/wasi.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static const char src[] =
	"(module\n"
	"  (import \"wasi_snapshot_preview1\" \"fd_write\" (func $write (param i32 i32 i32 i32) (result i32)))\n"
	"  (import \"wasi_snapshot_preview1\" \"args_sizes_get\" (func $asz (param i32 i32) (result i32)))\n"
	"  (import \"wasi_snapshot_preview1\" \"environ_sizes_get\" (func $esz (param i32 i32) (result i32)))\n"
	"  (import \"wasi_snapshot_preview1\" \"poll_oneoff\" (func $poll (param i32 i32 i32 i32) (result i32)))\n"
	"  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32)))\n"
	"  (memory (export \"memory\") 1)\n"
	"  (data (i32.const 16) \"\\18\\00\\00\\00\\03\\00\\00\\00hi\\n\")\n"
	"  (func (export \"_start\")\n"
	"    (drop (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 0)))\n"
	"    (drop (call $asz (i32.const 0) (i32.const 4)))\n"
	"    (drop (call $esz (i32.const 8) (i32.const 12)))\n"
	"    (call $exit (i32.add (i32.mul (i32.load (i32.const 0)) (i32.const 10)) (i32.load (i32.const 8)))))\n"
	"  (func (export \"spin\") (loop (br 0)))\n"
	"  (func (export \"nap\") (result i32)\n"
	"    (i32.store8 (i32.const 108) (i32.const 0))\n"
	"    (i32.store (i32.const 116) (i32.const 1))\n"
	"    (i64.store (i32.const 124) (i64.const 60000000000))\n"
	"    (call $poll (i32.const 100) (i32.const 200) (i32.const 1) (i32.const 300))))\n";

static wa_module *load(void)
{
	wa_err e;
	uint8_t *bin;
	size_t len;
	wa_module *m = NULL;
	if (wa_wat_to_wasm(src, sizeof src - 1, &bin, &len, &e)) {
		printf("text: %s\n", e.msg);
		return NULL;
	}
	if (wa_decode(bin, len, &m, &e) || wa_validate(m, &e)) {
		printf("module: %s\n", e.msg);
		wa_module_free(m);
		m = NULL;
	}
	free(bin);
	return m;
}

typedef struct stopper {
	wa_thread *t;
	wa_wasi *w;
	int ms;
} stopper;

static void *stop_later(void *arg)
{
	stopper *s = arg;
	struct timespec d = { 0, s->ms * 1000000L };
	nanosleep(&d, NULL);
	for (int i = 0; i < 100; i++) { /* repeated: one can lose a race with the fuel count */
		wa_thread_interrupt(s->t);
		wa_wasi_interrupt(s->w);
		d.tv_nsec = 10000000;
		nanosleep(&d, NULL);
		if (__atomic_load_n(&s->ms, __ATOMIC_RELAXED) < 0)
			break;
	}
	return NULL;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Run export name while another thread stops it after 100 ms. */
static void stopped(wa_instance *inst, wa_wasi *w, const char *name)
{
	wa_thread t;
	wa_extern x;
	uint64_t r[1];
	pthread_t th;
	stopper s;
	if (wa_thread_init(&t, 1 << 16, 1000) || wa_instance_export(inst, name, strlen(name), &x))
		return;
	s = (stopper){ &t, w, 100 };
	pthread_create(&th, NULL, stop_later, &s);
	double t0 = now();
	CHECK(wa_call(&t, x.func, NULL, r) == -1);
	CHECK(t.trap && !strcmp(t.trap, WA_TRAP_INTERRUPT));
	CHECK(now() - t0 >= 0.09 && now() - t0 < 5);
	__atomic_store_n(&s.ms, -1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	wa_thread_free(&t);
}

int main(void)
{
	wa_module *m = load();
	int out[2];
	const char *argv[] = { "prog", "a", "b" }, *env[] = { "K=V" };
	wa_wasi_config c = { argv, 3, env, 1, NULL, 0, NULL, 0, { -1, -1, -1 }, 0 };
	wa_wasi *w;
	wa_err e;
	wa_extern *imports, x;
	wa_instance *inst;
	wa_thread t;
	wa_func *f;
	char buf[16] = { 0 };
	CHECK(m != NULL);
	if (!m || pipe(out) || wa_thread_init(&t, 1 << 16, 1000))
		return 1;
	c.stdio[1] = out[1];
	CHECK(!wa_wasi_new(&c, &w, &e));

	/* import errors name the import */
	wa_functype bad = { 0, 0, NULL, 0, 0, 0 };
	wa_functype_init(&bad);
	CHECK(wa_wasi_import(w, "env", 3, "fd_write", 8, &bad, &f, &e) && strstr(e.msg, "unknown import"));
	CHECK(wa_wasi_import(w, WA_WASI_MODULE, strlen(WA_WASI_MODULE), "fd_write", 8, &bad, &f, &e) &&
	      strstr(e.msg, "incompatible import type"));
	CHECK(wa_wasi_import(w, WA_WASI_MODULE, strlen(WA_WASI_MODULE), "sched_yield", 11, &bad, &f, &e) &&
	      strstr(e.msg, "incompatible import type"));

	CHECK(!wa_wasi_imports(w, m, &imports, &e));
	CHECK(!wa_instantiate(m, imports, &t, &inst, &e));
	wa_wasi_bind(w, inst);
	CHECK(wa_wasi_exit_code(w) == -1);
	CHECK(!wa_instance_export(inst, "_start", 6, &x));
	CHECK(wa_call(&t, x.func, NULL, NULL) == -1);
	CHECK(t.trap == wa_wasi_exit_trap);
	CHECK(wa_wasi_exit_code(w) == 31); /* 3 args, 1 variable */
	CHECK(read(out[0], buf, sizeof buf - 1) == 3 && !strcmp(buf, "hi\n"));

	stopped(inst, w, "nap"); /* first: an interrupt stays pending in w */
	stopped(inst, w, "spin");

	wa_instance_free(inst);
	free(imports);
	wa_wasi_free(w);
	wa_module_free(m);
	wa_thread_free(&t);
	close(out[0]);
	close(out[1]);
	printf("%s\n", failures ? "test_wasi: FAILED" : "test_wasi: ok");
	return failures != 0;
}
