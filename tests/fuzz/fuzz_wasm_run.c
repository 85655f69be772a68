/* fuzz_wasm_run.c - libFuzzer target: decode -> validate -> instantiate ->
 * run every exported function with zero arguments under a fuel limit.
 * Imports are satisfied with stubs of the right type. */
#include "wasm/runtime.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *stub(wa_thread *t, void *env, uint64_t *slots)
{
	const wa_functype *ft = env;
	(void)t;
	memset(slots, 0, ft->result_slots * sizeof *slots);
	return NULL;
}

typedef struct stubs {
	wa_extern *ext;
	wa_global *globals;
	uint32_t n;
} stubs;

static int make_stubs(wa_module *m, stubs *s)
{
	s->n = m->nimports;
	s->ext = calloc(s->n + 1, sizeof *s->ext);
	s->globals = calloc(s->n + 1, sizeof *s->globals);
	if (!s->ext || !s->globals)
		return -1;
	for (uint32_t i = 0; i < s->n; i++) {
		wa_import *im = &m->imports[i];
		wa_extern *x = &s->ext[i];
		x->kind = im->kind;
		switch (im->kind) {
		case WA_EXT_FUNC:
			x->func = wa_host_func(&m->types[im->type], stub, &m->types[im->type]);
			break;
		case WA_EXT_TABLE:
			x->table = wa_table_new(im->table.elem, (uint32_t)im->table.lim.min,
						(uint32_t)im->table.lim.max, im->table.lim.has_max);
			break;
		case WA_EXT_MEMORY:
			x->mem = wa_memory_new((uint32_t)im->mem.min, (uint32_t)im->mem.max, im->mem.has_max);
			break;
		default:
			s->globals[i].type = im->global.type;
			s->globals[i].mut = im->global.mut;
			x->global = &s->globals[i];
		}
		if (!x->func)
			return -1;
	}
	return 0;
}

static void free_stubs(stubs *s)
{
	for (uint32_t i = 0; s->ext && i < s->n; i++) {
		wa_extern *x = &s->ext[i];
		if (x->kind == WA_EXT_FUNC) free(x->func);
		else if (x->kind == WA_EXT_TABLE) wa_table_free(x->table);
		else if (x->kind == WA_EXT_MEMORY) wa_memory_free(x->mem);
	}
	free(s->ext);
	free(s->globals);
}

static void run_exports(wa_instance *inst, wa_thread *t)
{
	wa_module *m = inst->mod;
	uint64_t args[1024] = { 0 }, res[1024];
	for (uint32_t i = 0; i < m->nexports; i++) {
		wa_func *f;
		if (m->exports[i].kind != WA_EXT_FUNC)
			continue;
		f = inst->funcs[m->exports[i].idx];
		if (f->type->param_slots > 1024 || f->type->result_slots > 1024)
			continue;
		t->fuel = 10000;
		if (wa_call(t, f, args, res))
			continue; /* a trap is a fine outcome */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static wa_thread t;
	wa_module *m;
	wa_instance *inst = NULL;
	wa_err e;
	stubs s = { 0 };
	if (!t.stack && wa_thread_init(&t, 1 << 16, 1000))
		return 0;
	if (wa_decode(data, size, &m, &e))
		return 0;
	t.fuel = 10000;
	if (!wa_validate(m, &e) && !make_stubs(m, &s) && !wa_instantiate(m, s.ext, &t, &inst, &e))
		run_exports(inst, &t);
	wa_instance_free(inst);
	free_stubs(&s);
	wa_module_free(m);
	return 0;
}
