/* test_wasm_growth.c - arrays the engine fills one entry at a time grow
 * geometrically: decoding 20,000 imports or custom sections, validating and
 * compiling a body 20,000 operands deep and naming 3,000 modules in a script
 * each take a few dozen reallocs, not one per entry.  (glibc's realloc
 * usually extends in place, so one per entry looked linear in the normal
 * build; under ASan every realloc copies and it was quadratic.)  realloc is
 * interposed to count the calls.  Prints failures; exit 0 = ok. */
#include "wasm/runtime.h"
#include "wasm/script.h"
#include "wasm/text.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

#define N 20000
#define FEW 400 /* far above 4 arrays x log2(N), far below N */

static unsigned long reallocs;

void *realloc(void *p, size_t n)
{
	static void *(*real)(void *, size_t);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "realloc");
	reallocs++;
	return real(p, n);
}

/* A growing text buffer (its own reallocs are not counted: see below). */
typedef struct text {
	char *p;
	size_t n, cap;
} text;

static void add(text *t, const char *s)
{
	size_t l = strlen(s);
	if (t->n + l + 1 > t->cap) {
		t->cap = 2 * (t->n + l + 1);
		t->p = realloc(t->p, t->cap);
	}
	memcpy(t->p + t->n, s, l + 1);
	t->n += l;
}

static wa_module *decode(const uint8_t *bin, size_t len, unsigned long *count)
{
	wa_module *m = NULL;
	wa_err e;
	unsigned long before = reallocs;
	if (wa_decode(bin, len, &m, &e)) {
		printf("decode: %s\n", e.msg);
		return NULL;
	}
	*count = reallocs - before;
	return m;
}

static void test_imports(void)
{
	text t = { 0 };
	uint8_t *bin;
	size_t len;
	wa_err e;
	unsigned long n = 0;
	add(&t, "(module\n");
	for (int i = 0; i < N; i++)
		add(&t, "(import \"m\" \"f\" (func))(import \"m\" \"g\" (global i32))\n");
	add(&t, "(import \"m\" \"t\" (table 1 funcref)) (import \"m\" \"mem\" (memory 1)))");
	CHECK(!wa_wat_to_wasm(t.p, t.n, &bin, &len, &e));
	wa_module *m = decode(bin, len, &n);
	CHECK(m && m->nfuncs == N && m->nglobals == N && m->ntables == 1 && m->nmems == 1);
	CHECK(n < FEW);
	if (n >= FEW)
		printf("decoding %d imports: %lu reallocs\n", 2 * N, n);
	wa_module_free(m);
	free(bin);
	free(t.p);
}

static void test_customs(void)
{
	/* the header, then N custom sections named "c" with one byte each */
	size_t len = 8 + (size_t)N * 5;
	uint8_t *bin = malloc(len), *p = bin + 8;
	unsigned long n = 0;
	memcpy(bin, "\0asm\1\0\0\0", 8);
	for (int i = 0; i < N; i++, p += 5)
		memcpy(p, "\0\3\1c\7", 5);
	wa_module *m = decode(bin, len, &n);
	CHECK(m && m->ncustoms == N);
	CHECK(n < FEW);
	if (n >= FEW)
		printf("decoding %d custom sections: %lu reallocs\n", N, n);
	wa_module_free(m);
	free(bin);
}

static void test_deep_stack(void)
{
	text t = { 0 };
	uint8_t *bin;
	size_t len;
	wa_err e;
	unsigned long n = 0;
	add(&t, "(module (func (export \"f\") (param i32) (result i32)\n");
	for (int i = 0; i < N; i++)
		add(&t, i % 2 ? "(i32.const 1)\n" : "(local.get 0)\n");
	for (int i = 1; i < N; i++)
		add(&t, "(i32.add)\n");
	add(&t, "))");
	CHECK(!wa_wat_to_wasm(t.p, t.n, &bin, &len, &e));
	wa_module *m = decode(bin, len, &n);
	CHECK(m);
	if (m) {
		unsigned long before = reallocs;
		CHECK(!wa_validate(m, &e) && !wa_compile(m, &e));
		n = reallocs - before;
		CHECK(n < FEW);
		if (n >= FEW)
			printf("validating and compiling %d operands: %lu reallocs\n", N, n);
		wa_thread th;
		wa_instance *inst = NULL;
		wa_extern f;
		uint64_t a = 3, r = 0;
		CHECK(!wa_thread_init(&th, 1 << 16, 100) && !wa_instantiate(m, NULL, &th, &inst, &e));
		CHECK(inst && !wa_instance_export(inst, "f", 1, &f) && !wa_call(&th, f.func, &a, &r));
		CHECK(r == 3 * (N / 2) + N / 2);
		wa_instance_free(inst);
		wa_thread_free(&th);
	}
	wa_module_free(m);
	free(bin);
	free(t.p);
}

/* reallocs to run a script of n modules, named and registered or not (the
 * same lists either way: a register naming an unknown module fails) */
static unsigned long script_reallocs(int n, bool named)
{
	text t = { 0 };
	char line[64];
	wa_script_opts o = { 0, -1 };
	wa_script_stats st;
	for (int i = 0; i < n; i++) {
		snprintf(line, sizeof line, named ? "(module $m%d)\n(register \"r%d\" $m%d)\n" :
			 "(module)\n(register \"r%d\" $x%d)\n", i, i, i);
		add(&t, line);
	}
	unsigned long before = reallocs;
	CHECK(!wa_script_run("growth", t.p, t.n, &o, &st) && st.failed == (named ? 0u : (unsigned)n));
	unsigned long n_ = reallocs - before;
	free(t.p);
	return n_;
}

static void test_script(void)
{
	/* the modules cost the same; the names may add only a few */
	unsigned long plain = script_reallocs(3000, false), named = script_reallocs(3000, true);
	CHECK(named < plain + FEW);
	if (named >= plain + FEW)
		printf("naming 3000 modules: %lu reallocs more\n", named - plain);
}

int main(void)
{
	test_imports();
	test_customs();
	test_deep_stack();
	test_script();
	printf("%s\n", failures ? "test_wasm_growth: FAILED" : "test_wasm_growth: ok");
	return failures != 0;
}
