/* test_wasm_api.c - the wasm engine's host-side API: text -> module ->
 * instance, host imports that call back into wasm, traps with call traces,
 * fuel, memory growth seen from the host, trap sites as module offsets,
 * the text entry point wa_wat_to_wasm.  Prints failures; exit 0 = ok. */
#include "wasm/runtime.h"
#include "wasm/text.h"

#include <stdio.h>
#include <stdlib.h>

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static const char src[] =
	"(module\n"
	"  (import \"host\" \"twice\" (func $twice (param i32) (result i32)))\n"
	"  (memory (export \"mem\") 1 4)\n"
	"  (func $sq (export \"sq\") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))\n"
	"  (func (export \"quad-sq\") (param i32) (result i32) (call $twice (call $twice (local.get 0))))\n"
	"  (func $bad (export \"bad\") (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))\n"
	"  (func (export \"via\") (param i32) (result i32) (call $bad (local.get 0)))\n"
	"  (func (export \"spin\") (loop (br 0)))\n"
	"  (func (export \"oob\") (param i32) (result i32)\n"
	"    (i32.add (i32.const 3) (i32.load offset=4 (i32.add (local.get 0) (i32.const 8))))))\n";

typedef struct host {
	wa_instance *inst;
	int calls;
} host;

/* twice(x) = sq(x) + sq(x), calling back into the instance. */
static const char *twice(wa_thread *t, void *env, uint64_t *slots)
{
	host *h = env;
	wa_extern sq;
	uint64_t arg = slots[0], r = 0;
	h->calls++;
	if (wa_instance_export(h->inst, "sq", 2, &sq) || wa_call(t, sq.func, &arg, &r))
		return "callback failed";
	slots[0] = (uint32_t)(2 * r);
	return NULL;
}

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

/* wa_wat_to_wasm: one (module ...), fields alone, nothing; anything else is
 * an error naming the line. */
static void test_wat_to_wasm(void)
{
	static const struct { const char *src; int ok; size_t line; } cases[] = {
		{ "(module (func (export \"f\")))", 1, 0 },
		{ "(module $m binary \"\\00asm\\01\\00\\00\\00\")", 1, 0 },
		{ "(module quote \"(func)\")", 1, 0 },
		{ "(func (export \"f\"))\n(memory 1)", 1, 0 },
		{ "", 1, 0 },
		{ "  ;; nothing\n", 1, 0 },
		{ "(module)\n(module)", 0, 2 },
		{ "(func)\n(module)", 0, 2 },
		{ "(module)\n\n(func)", 0, 3 },
		{ "\ngarbage", 0, 2 },
		{ "(func)\n\"str\"", 0, 2 },
		{ "(module (func (i32.const)))", 0, 1 },
		{ "(module", 0, 1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t *bin = (uint8_t *)"x";
		size_t len = 7;
		wa_err e = { "", 0 };
		wa_module *m = NULL;
		int err = wa_wat_to_wasm(cases[i].src, strlen(cases[i].src), &bin, &len, &e);
		if (cases[i].ok) {
			CHECK(!err && bin && len >= 8 && !memcmp(bin, "\0asm", 4));
			CHECK(!err && !wa_decode(bin, len, &m, &e) && !wa_validate(m, &e));
			wa_module_free(m);
		} else {
			CHECK(err && !bin && !len && e.msg[0]);
			CHECK(e.offset == cases[i].line);
			if (e.offset != cases[i].line)
				printf("case %zu: line %zu: %s\n", i, e.offset, e.msg);
		}
		free(bin);
	}
	uint8_t *bin;
	size_t len;
	wa_err e;
	CHECK(!wa_wat_to_wasm(NULL, 0, &bin, &len, &e) && len == 8); /* no text: the empty module */
	free(bin);
	CHECK(wa_wat_to_wasm("(module)(module)", 16, &bin, &len, &e) &&
	      !strcmp(e.msg, "expected one (module ...) form or module fields"));
	CHECK(!wa_wat_to_wasm("(module)(module)", 8, &bin, &len, &e)); /* len counts, not NUL */
	free(bin);
}

static uint32_t call1(wa_thread *t, wa_instance *inst, const char *name, uint32_t arg, int *trapped)
{
	wa_extern x;
	uint64_t a = arg, r = 0;
	*trapped = 0;
	if (wa_instance_export(inst, name, strlen(name), &x))
		return 0xdead;
	*trapped = wa_call(t, x.func, &a, &r) != 0;
	return (uint32_t)r;
}

int main(void)
{
	wa_module *m = load();
	wa_thread t;
	wa_err e;
	host h = { 0 };
	uint8_t twice_types[2] = { WA_I32, WA_I32 };
	wa_functype ft = { 1, 1, twice_types, 0, 0, 0 };
	wa_extern imp;
	int trapped;
	char trace[256];
	test_wat_to_wasm();
	CHECK(m != NULL);
	if (!m || wa_thread_init(&t, 1 << 16, 1000))
		return 1;
	wa_functype_init(&ft);
	imp.kind = WA_EXT_FUNC;
	imp.func = wa_host_func(&ft, twice, &h);
	CHECK(!wa_instantiate(m, &imp, &t, &h.inst, &e));
	if (!h.inst)
		return 1;

	CHECK(call1(&t, h.inst, "quad-sq", 3, &trapped) == 2 * (18 * 18) && !trapped); /* twice(twice(3)) */
	CHECK(h.calls == 2);

	CHECK(call1(&t, h.inst, "via", 0, &trapped) == 0 && trapped);
	CHECK(t.trap && !strcmp(t.trap, WA_TRAP_DIV0));
	wa_trap_trace(&t, trace, sizeof trace);
	CHECK(!strcmp(trace, "bad (func 3) <- (func 4)"));
	CHECK(call1(&t, h.inst, "via", 2, &trapped) == 0 && !trapped); /* usable after a trap */

	t.fuel = 1000;
	CHECK(call1(&t, h.inst, "spin", 0, &trapped) == 0 && trapped);
	CHECK(t.trap && !strcmp(t.trap, WA_TRAP_FUEL));
	t.fuel = -1;

	/* an out-of-bounds load after an add (fused where guard regions work) */
	static const uint8_t load_seq[] = { 0x20, 0x00, 0x41, 0x08, 0x6a, 0x28, 0x02, 0x04 };
	const uint8_t *at = memmem(m->bytes, m->len, load_seq, sizeof load_seq);
	CHECK(call1(&t, h.inst, "oob", 65530, &trapped) == 0 && trapped);
	CHECK(t.trap && !strcmp(t.trap, WA_TRAP_OOB) && t.ntrace == 1);
	/* with guard regions the faulting access is not known: the function's start */
	CHECK(at && wa_code_offset(t.trace[0], t.trace_pc[0]) ==
		    (t.trace_pc[0] ? (size_t)(at + 5 - m->bytes) : wa_code_offset(t.trace[0], NULL)));
	CHECK(call1(&t, h.inst, "oob", 100, &trapped) == 3 && !trapped);

	wa_extern mem;
	CHECK(!wa_instance_export(h.inst, "mem", 3, &mem) && mem.kind == WA_EXT_MEMORY);
	CHECK(wa_memory_grow(mem.mem, 3) == 1 && mem.mem->pages == 4);
	CHECK(wa_memory_grow(mem.mem, 1) == -1);
	mem.mem->base[4 * 65536 - 1] = 7; /* the last byte is writable */

	wa_instance_free(h.inst);
	wa_module_free(m);
	free(imp.func);
	wa_thread_free(&t);
	printf("%s\n", failures ? "test_wasm_api: FAILED" : "test_wasm_api: ok");
	return failures != 0;
}
