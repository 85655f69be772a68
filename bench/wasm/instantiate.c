/* instantiate.c - how long it takes to load a large module through the
 * wasm.h API and what it costs in memory: generates a module of about
 * 1 MiB (thousands of functions with loops, memory traffic and calls, a
 * table of all of them, 256 KiB of data), then times compiling it (decode,
 * validate, compile), instantiating it once and many times, and the first
 * call, and reports the RSS each step adds and the peak.  `--emit FILE` writes the module for
 * other engines (bench/wasm/instantiate.js runs it under node).
 *   build/bench/wasm/instantiate [--funcs N] [--emit FILE] */
#include <cairn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

typedef struct buf {
	unsigned char *p;
	size_t n, cap;
} buf;

static void put(buf *b, const void *s, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			exit(1);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void byte(buf *b, unsigned v)
{
	unsigned char c = (unsigned char)v;
	put(b, &c, 1);
}

static void uleb(buf *b, uint64_t v)
{
	do {
		byte(b, (v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
}

static void sleb(buf *b, int64_t v)
{
	for (;;) {
		unsigned c = v & 0x7f;
		v >>= 7;
		if ((v == 0 && !(c & 0x40)) || (v == -1 && (c & 0x40))) {
			byte(b, c);
			return;
		}
		byte(b, c | 0x80);
	}
}

static void section(buf *m, unsigned id, buf *s)
{
	byte(m, id);
	uleb(m, s->n);
	put(m, s->p, s->n);
	s->n = 0;
}

/* One function body, type (i32 i32) -> i32: a few rounds of a loop that
 * mixes its arguments and stores to memory, then a call of an earlier
 * function.  k varies the constants so bodies differ. */
static void body(buf *code, uint32_t k, uint32_t fn)
{
	buf f = { 0 };
	byte(&f, 1); byte(&f, 2); byte(&f, 0x7f);                    /* locals: 2 x i32 */
	byte(&f, 0x20); byte(&f, 0); byte(&f, 0x41); sleb(&f, k);    /* local.get 0, i32.const k */
	byte(&f, 0x6a); byte(&f, 0x21); byte(&f, 2);                 /* i32.add, local.set 2 */
	for (int round = 0; round < 4; round++) {
		byte(&f, 0x02); byte(&f, 0x40); byte(&f, 0x03); byte(&f, 0x40); /* block loop */
		byte(&f, 0x20); byte(&f, 2); byte(&f, 0x20); byte(&f, 1); byte(&f, 0x6c); /* l2 * l1 */
		byte(&f, 0x41); sleb(&f, (int32_t)(k * 2654435761u + round)); byte(&f, 0x73); /* ^ c */
		byte(&f, 0x21); byte(&f, 2);
		byte(&f, 0x20); byte(&f, 3); byte(&f, 0x41); byte(&f, 4); byte(&f, 0x6c); /* l3 * 4 */
		byte(&f, 0x41); sleb(&f, (int32_t)(1024 + (k % 1000) * 64)); byte(&f, 0x6a);
		byte(&f, 0x20); byte(&f, 2); byte(&f, 0x36); byte(&f, 2); byte(&f, 0); /* i32.store */
		byte(&f, 0x20); byte(&f, 3); byte(&f, 0x41); byte(&f, 1); byte(&f, 0x6a);
		byte(&f, 0x22); byte(&f, 3); byte(&f, 0x41); byte(&f, 8); byte(&f, 0x49); /* tee, < 8 */
		byte(&f, 0x0d); byte(&f, 0); byte(&f, 0x0b); byte(&f, 0x0b); /* br_if 0, end end */
		byte(&f, 0x41); byte(&f, 0); byte(&f, 0x21); byte(&f, 3);    /* l3 = 0 */
	}
	byte(&f, 0x20); byte(&f, 2);
	if (fn) { /* + f[fn / 2](l2, 1) */
		byte(&f, 0x20); byte(&f, 2); byte(&f, 0x41); byte(&f, 1);
		byte(&f, 0x10); uleb(&f, fn / 2); byte(&f, 0x6a);
	}
	byte(&f, 0x0b);
	uleb(code, f.n);
	put(code, f.p, f.n);
	free(f.p);
}

static buf generate(uint32_t nfuncs, uint32_t data_bytes)
{
	buf m = { 0 }, s = { 0 };
	put(&m, "\0asm\1\0\0\0", 8);
	uleb(&s, 1); byte(&s, 0x60); uleb(&s, 2); byte(&s, 0x7f); byte(&s, 0x7f); uleb(&s, 1); byte(&s, 0x7f);
	section(&m, 1, &s);                                                 /* type */
	uleb(&s, nfuncs);
	for (uint32_t i = 0; i < nfuncs; i++)
		uleb(&s, 0);
	section(&m, 3, &s);                                                 /* function */
	uleb(&s, 1); byte(&s, 0x70); byte(&s, 0); uleb(&s, nfuncs);
	section(&m, 4, &s);                                                 /* table */
	uleb(&s, 1); byte(&s, 0); uleb(&s, 16);
	section(&m, 5, &s);                                                 /* memory: 1 MiB */
	uleb(&s, (nfuncs + 63) / 64 + 1);
	for (uint32_t i = 0; i < nfuncs; i += 64) {
		char name[16];
		int n = snprintf(name, sizeof name, "f%u", i);
		uleb(&s, (uint64_t)n); put(&s, name, (size_t)n); byte(&s, 0); uleb(&s, i);
	}
	uleb(&s, 6); put(&s, "memory", 6); byte(&s, 2); uleb(&s, 0);
	section(&m, 7, &s);                                                 /* export */
	uleb(&s, 1); byte(&s, 0); byte(&s, 0x41); byte(&s, 0); byte(&s, 0x0b); uleb(&s, nfuncs);
	for (uint32_t i = 0; i < nfuncs; i++)
		uleb(&s, i);
	section(&m, 9, &s);                                                 /* element */
	uleb(&s, nfuncs);
	for (uint32_t i = 0; i < nfuncs; i++)
		body(&s, i * 7 + 3, i);
	section(&m, 10, &s);                                                /* code */
	uleb(&s, 1); byte(&s, 0); byte(&s, 0x41); sleb(&s, 65536); byte(&s, 0x0b); uleb(&s, data_bytes);
	for (uint32_t i = 0, x = 12345; i < data_bytes; i++) {
		x = x * 1103515245u + 12345u;
		byte(&s, x >> 24);
	}
	section(&m, 11, &s);                                                /* data */
	free(s.p);
	return m;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long rss_kb(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * 4;
}

static long peak_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
	uint32_t nfuncs = 3400, data = 256 * 1024, reps = 50;
	const char *emit = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--funcs") && i + 1 < argc)
			nfuncs = (uint32_t)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--emit") && i + 1 < argc)
			emit = argv[++i];
		else {
			fprintf(stderr, "usage: instantiate [--funcs N] [--emit FILE]\n");
			return 2;
		}
	}
	long rss0 = rss_kb();
	buf mod = generate(nfuncs, data);
	if (emit) {
		FILE *f = fopen(emit, "wb");
		if (!f || fwrite(mod.p, 1, mod.n, f) != mod.n)
			return 1;
		fclose(f);
	}

	wasm_engine_t *engine = wasm_engine_new();
	wasm_store_t *store = wasm_store_new(engine);
	wasm_byte_vec_t bin = { mod.n, (wasm_byte_t *)mod.p };
	wasm_message_t err;
	double t0 = now_ms();
	wasm_module_t *m = cairn_module_new(store, &bin, &err);
	double t_compile = now_ms() - t0;
	if (!m) {
		printf("module: %s\n", err.data);
		return 1;
	}
	long rss_module = rss_kb();

	t0 = now_ms();
	wasm_instance_t *in = wasm_instance_new(store, m, NULL, NULL);
	double t_inst = now_ms() - t0;
	if (!in)
		return 1;
	long rss_inst = rss_kb();

	/* the first call: f[nfuncs-1] calls down a chain of about log2(n) functions */
	wasm_extern_vec_t exps;
	wasm_instance_exports(in, &exps);
	wasm_val_t av[2] = { WASM_I32_VAL(1), WASM_I32_VAL(2) }, rv[1] = { WASM_INIT_VAL };
	wasm_val_vec_t args = WASM_ARRAY_VEC(av), res = WASM_ARRAY_VEC(rv);
	t0 = now_ms();
	wasm_trap_t *trap = wasm_func_call(wasm_extern_as_func(exps.data[exps.size - 2]), &args, &res);
	double t_call = now_ms() - t0;
	if (trap)
		return 1;
	wasm_extern_vec_delete(&exps);
	long peak = peak_kb(); /* one module, one instance */

	for (int i = 0; i < 4; i++) { /* best of 5 compiles: the machine is shared */
		double t1 = now_ms();
		wasm_module_delete(wasm_module_new(store, &bin));
		if (now_ms() - t1 < t_compile)
			t_compile = now_ms() - t1;
	}

	/* more instances of the compiled module, each dropped again */
	t0 = now_ms();
	for (uint32_t i = 0; i < reps; i++)
		wasm_instance_delete(wasm_instance_new(store, m, NULL, NULL));
	double t_more = (now_ms() - t0) / reps;

	printf("module: %zu bytes, %u functions, %u KiB data\n", mod.n, nfuncs, data / 1024);
	printf("compile (decode+validate+compile, best of 5): %.1f ms\n", t_compile);
	printf("instantiate (first): %.2f ms\n", t_inst);
	printf("instantiate (average of %u more): %.2f ms\n", reps, t_more);
	printf("first call: %.3f ms\n", t_call);
	printf("RSS: before %ld KiB, module compiled +%ld KiB, instantiated +%ld KiB, peak %ld KiB\n", rss0,
	       rss_module - rss0, rss_inst - rss_module, peak);
	wasm_instance_delete(in);
	wasm_module_delete(m);
	wasm_store_delete(store);
	wasm_engine_delete(engine);
	free(mod.p);
	return 0;
}
