/* script.c - the .wast script runner behind `cairn wast`: modules, register,
 * invoke/get and every assert_* command of the spec test suite, with the
 * spectest host module.  Counts assertions passed and failed per file. */
#include "wasm/script.h"
#include "wasm/runtime.h"
#include "wasm/text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct named {
	char *name;           /* $id or registered name */
	wa_instance *inst;
} named;

typedef struct script {
	const char *file;
	int verbose;
	int64_t fuel;
	wa_thread thread;
	wa_module **mods;
	wa_instance **insts;
	uint32_t nmods, capmods;
	named *ids, *regs;
	uint32_t nids, nregs;
	wa_instance *current;
	wa_script_stats *st;
	/* spectest */
	wa_functype ft[7];
	uint8_t ftypes[7][4];
	wa_func *print[7];
	wa_global g_i32, g_i64, g_f32, g_f64;
	wa_table *table;
	wa_memory *memory;
} script;

typedef struct val {
	uint8_t type;
	uint64_t v[2];
	uint8_t nan[4];       /* expected: 1 canonical, 2 arithmetic per lane */
	uint8_t lanes;        /* float lanes of a v128 expectation: 4 or 2; 1 scalar */
	bool any_ref;         /* (ref.func) / (ref.extern) without value */
} val;

static const char *host_print(wa_thread *t, void *env, uint64_t *slots)
{
	(void)t;
	(void)env;
	(void)slots;
	return NULL;
}

static void spectest_init(script *s)
{
	static const char *const sigs[7] = { "", "i", "l", "f", "d", "if", "dd" };
	for (int i = 0; i < 7; i++) {
		wa_functype *f = &s->ft[i];
		uint32_t n = (uint32_t)strlen(sigs[i]);
		for (uint32_t k = 0; k < n; k++)
			s->ftypes[i][k] = sigs[i][k] == 'i' ? WA_I32 : sigs[i][k] == 'l' ? WA_I64 :
					  sigs[i][k] == 'f' ? WA_F32 : WA_F64;
		f->types = s->ftypes[i];
		f->nparams = n;
		f->nresults = 0;
		wa_functype_init(f);
		s->print[i] = wa_host_func(f, host_print, s);
	}
	s->g_i32 = (wa_global){ WA_I32, 0, { 666, 0 } };
	s->g_i64 = (wa_global){ WA_I64, 0, { 666, 0 } };
	s->g_f32 = (wa_global){ WA_F32, 0, { 0x4426a666u, 0 } };
	s->g_f64 = (wa_global){ WA_F64, 0, { 0x4084d4cccccccccdull, 0 } };
	s->table = wa_table_new(WA_FUNCREF, 10, 20, true);
	s->memory = wa_memory_new(1, 2, true);
}

static int spectest_lookup(script *s, const char *name, wa_extern *x)
{
	static const char *const fnames[7] = { "print", "print_i32", "print_i64", "print_f32",
					       "print_f64", "print_i32_f32", "print_f64_f64" };
	for (int i = 0; i < 7; i++)
		if (!strcmp(name, fnames[i])) {
			x->kind = WA_EXT_FUNC;
			x->func = s->print[i];
			return 0;
		}
	x->kind = WA_EXT_GLOBAL;
	if (!strcmp(name, "global_i32")) x->global = &s->g_i32;
	else if (!strcmp(name, "global_i64")) x->global = &s->g_i64;
	else if (!strcmp(name, "global_f32")) x->global = &s->g_f32;
	else if (!strcmp(name, "global_f64")) x->global = &s->g_f64;
	else if (!strcmp(name, "table")) { x->kind = WA_EXT_TABLE; x->table = s->table; }
	else if (!strcmp(name, "memory")) { x->kind = WA_EXT_MEMORY; x->mem = s->memory; }
	else return -1;
	return 0;
}

static char *sx_string(const wa_sx *x)
{
	char *p = malloc(x->n + 1);
	if (p) {
		memcpy(p, x->kind == WA_SX_STR ? (const char *)x->str : x->atom, x->n);
		p[x->n] = 0;
	}
	return p;
}

static int resolve_imports(script *s, wa_module *m, wa_extern *ext, wa_err *e)
{
	for (uint32_t i = 0; i < m->nimports; i++) {
		wa_import *im = &m->imports[i];
		int found = -1;
		if (!strcmp(im->module, "spectest")) {
			found = spectest_lookup(s, im->name, &ext[i]);
		} else {
			for (uint32_t k = s->nregs; k-- > 0;)
				if (!strcmp(s->regs[k].name, im->module)) {
					found = wa_instance_export(s->regs[k].inst, im->name, im->nlen, &ext[i]);
					break;
				}
		}
		if (found)
			return wa_fail(e, 0, ERR_NOENT, "unknown import");
	}
	return 0;
}

/* CAIRN_WAST_DUMP=DIR saves every module's binary (fuzzing seeds). */
static void dump_module(const uint8_t *bin, size_t len)
{
	static unsigned count;
	const char *dir = getenv("CAIRN_WAST_DUMP");
	char path[4096];
	FILE *f;
	if (!dir)
		return;
	snprintf(path, sizeof path, "%s/m%05u-%d.wasm", dir, count++, (int)getpid());
	if ((f = fopen(path, "wb"))) {
		fwrite(bin, 1, len, f);
		fclose(f);
	}
}

enum { STAGE_TEXT = 1, STAGE_DECODE, STAGE_VALIDATE, STAGE_LINK, STAGE_INSTANTIATE };

/* Load a (module ...) form; returns the failing stage (0 = loaded). */
static int load_module(script *s, const wa_sx *form, wa_instance **out, wa_err *e)
{
	uint8_t *bin = NULL;
	size_t len = 0;
	wa_module *m = NULL;
	wa_extern *ext;
	*out = NULL;
	if (wa_wat_encode(form, &bin, &len, e))
		return STAGE_TEXT;
	dump_module(bin, len);
	if (wa_decode(bin, len, &m, e)) {
		free(bin);
		return STAGE_DECODE;
	}
	free(bin);
	if (wa_validate(m, e)) {
		wa_module_free(m);
		return e->msg[0] == 'd' && strstr(e->msg, "data count") ? STAGE_DECODE : STAGE_VALIDATE;
	}
	ext = calloc(m->nimports + 1, sizeof *ext);
	if (resolve_imports(s, m, ext, e)) {
		free(ext);
		wa_module_free(m);
		return STAGE_LINK;
	}
	int err = wa_instantiate(m, ext, &s->thread, out, e);
	free(ext);
	if (s->nmods == s->capmods) {
		s->capmods = s->capmods ? 2 * s->capmods : 16;
		s->mods = realloc(s->mods, s->capmods * sizeof *s->mods);
		s->insts = realloc(s->insts, s->capmods * sizeof *s->insts);
	}
	s->mods[s->nmods] = m;
	s->insts[s->nmods++] = *out;
	if (err)
		return err == -ERR_INVAL ? STAGE_LINK : STAGE_INSTANTIATE;
	return 0;
}

/* Grows geometrically (a realloc when *n is 0 or a power of two); a name
 * that cannot be stored is dropped (it stays unknown to later commands). */
static void add_named(named **arr, uint32_t *n, const char *name, wa_instance *inst)
{
	if (!(*n & (*n - 1))) {
		named *a = realloc(*arr, (*n ? 2 * (size_t)*n : 1) * sizeof *a);
		if (!a)
			return;
		*arr = a;
	}
	if (!((*arr)[*n].name = strdup(name)))
		return;
	(*arr)[*n].inst = inst;
	(*n)++;
}

static wa_instance *find_id(script *s, const wa_sx *id)
{
	if (!id)
		return s->current;
	for (uint32_t k = s->nids; k-- > 0;)
		if (strlen(s->ids[k].name) == id->n && !memcmp(s->ids[k].name, id->atom, id->n))
			return s->ids[k].inst;
	return NULL;
}

static void report(script *s, const wa_sx *at, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void report(script *s, const wa_sx *at, bool ok, const char *fmt, ...)
{
	if (ok) {
		s->st->passed++;
		return;
	}
	s->st->failed++;
	if (s->verbose) {
		va_list ap;
		fprintf(stderr, "%s:%u: ", s->file, at->line);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
}

static bool msg_match(const char *got, const wa_sx *want)
{
	size_t n;
	if (!want || want->kind != WA_SX_STR || !got)
		return false;
	n = strlen(got) < want->n ? strlen(got) : want->n;
	return n > 0 && !strncmp(got, (const char *)want->str, n);
}

/* ---- values ---- */

static int parse_nan(const wa_sx *x, uint8_t *nan)
{
	if (wa_sx_is(x, "nan:canonical")) { *nan = 1; return 1; }
	if (wa_sx_is(x, "nan:arithmetic")) { *nan = 2; return 1; }
	*nan = 0;
	return 0;
}

static int parse_val(const wa_sx *x, val *v, bool expect)
{
	uint32_t u32;
	memset(v, 0, sizeof *v);
	v->lanes = 1;
	if (x->kind != WA_SX_LIST || x->n < 1)
		return -1;
	const wa_sx *h = &x->items[0], *a = x->n > 1 ? &x->items[1] : NULL;
	if (wa_sx_is(h, "i32.const") && a) {
		v->type = WA_I32;
		return wa_lit_i32(a, &u32) ? -1 : (v->v[0] = u32, 0);
	}
	if (wa_sx_is(h, "i64.const") && a) {
		v->type = WA_I64;
		return wa_lit_i64(a, &v->v[0]);
	}
	if (wa_sx_is(h, "f32.const") && a) {
		v->type = WA_F32;
		if (expect && parse_nan(a, &v->nan[0]))
			return 0;
		return wa_lit_f32(a, &u32) ? -1 : (v->v[0] = u32, 0);
	}
	if (wa_sx_is(h, "f64.const") && a) {
		v->type = WA_F64;
		if (expect && parse_nan(a, &v->nan[0]))
			return 0;
		return wa_lit_f64(a, &v->v[0]);
	}
	if (wa_sx_is(h, "v128.const") && a) {
		uint32_t n = x->n - 2;
		wa_sx lanes[16];
		v->type = WA_V128;
		if (n > 16)
			return -1;
		memcpy(lanes, &x->items[2], n * sizeof *lanes);
		if (expect && (wa_sx_is(a, "f32x4") || wa_sx_is(a, "f64x2"))) {
			v->lanes = wa_sx_is(a, "f32x4") ? 4 : 2;
			for (uint32_t i = 0; i < n && i < 4; i++)
				if (parse_nan(&lanes[i], &v->nan[i]))
					lanes[i] = (wa_sx){ .kind = WA_SX_ATOM, .n = 1, .atom = "0" };
		}
		return wa_lit_v128(a, lanes, n, (uint8_t *)v->v);
	}
	if (wa_sx_is(h, "ref.null") && a) {
		v->type = wa_sx_is(a, "func") ? WA_FUNCREF : WA_EXTERNREF;
		return 0;
	}
	if (wa_sx_is(h, "ref.extern")) {
		v->type = WA_EXTERNREF;
		if (!a) {
			v->any_ref = true;
			return 0;
		}
		return wa_lit_i64(a, &v->v[0]) ? -1 : (v->v[0]++, 0);
	}
	if (wa_sx_is(h, "ref.func")) {
		v->type = WA_FUNCREF;
		v->any_ref = true;
		return 0;
	}
	return -1;
}

static bool nan_ok(uint64_t bits, int size, uint8_t want)
{
	uint64_t exp = size == 4 ? 0x7f800000u : 0x7ff0000000000000ull;
	uint64_t quiet = size == 4 ? 0x400000u : 0x8000000000000ull;
	uint64_t mant = size == 4 ? 0x7fffffu : 0xfffffffffffffull;
	if ((bits & exp) != exp || !(bits & mant))
		return false;
	if (want == 1)
		return (bits & mant) == quiet;
	return (bits & quiet) != 0;
}

static bool val_match(const val *want, const uint64_t *got)
{
	switch (want->type) {
	case WA_I32: return (uint32_t)got[0] == (uint32_t)want->v[0];
	case WA_F32:
		return want->nan[0] ? nan_ok((uint32_t)got[0], 4, want->nan[0]) : (uint32_t)got[0] == (uint32_t)want->v[0];
	case WA_F64:
		return want->nan[0] ? nan_ok(got[0], 8, want->nan[0]) : got[0] == want->v[0];
	case WA_V128: {
		if (want->lanes == 1)
			return got[0] == want->v[0] && got[1] == want->v[1];
		int size = want->lanes == 4 ? 4 : 8;
		for (int i = 0; i < want->lanes; i++) {
			uint64_t g = 0, w = 0;
			memcpy(&g, (const uint8_t *)got + i * size, (size_t)size);
			memcpy(&w, (const uint8_t *)want->v + i * size, (size_t)size);
			if (want->nan[i] ? !nan_ok(g, size, want->nan[i]) : g != w)
				return false;
		}
		return true;
	}
	case WA_FUNCREF: case WA_EXTERNREF:
		return want->any_ref ? got[0] != 0 : got[0] == want->v[0];
	default: return got[0] == want->v[0];
	}
}

/* ---- actions ---- */

/* Runs (invoke ...) or (get ...); returns 0, 1 on trap (msg set), -1 on error. */
static int do_action(script *s, const wa_sx *a, uint64_t *res, uint32_t *nres, const char **msg)
{
	uint32_t i = 1;
	const wa_sx *id = NULL;
	wa_instance *inst;
	wa_extern x;
	char *name;
	*msg = "bad action";
	if (a->kind != WA_SX_LIST || a->n < 2)
		return -1;
	if (a->items[i].kind == WA_SX_ATOM)
		id = &a->items[i++];
	inst = find_id(s, id);
	if (!inst || i >= a->n)
		return -1;
	name = sx_string(&a->items[i]);
	if (wa_instance_export(inst, name, a->items[i].n, &x)) {
		free(name);
		*msg = "unknown export";
		return -1;
	}
	free(name);
	i++;
	if (wa_sx_head(a, "get")) {
		if (x.kind != WA_EXT_GLOBAL)
			return -1;
		memcpy(res, x.global->v, 16);
		*nres = 1;
		return 0;
	}
	if (x.kind != WA_EXT_FUNC)
		return -1;
	uint64_t args[64];
	uint32_t na = 0;
	for (; i < a->n; i++) {
		val v;
		if (parse_val(&a->items[i], &v, false) || na + 2 > ARRAY_SIZE(args))
			return -1;
		args[na++] = v.v[0];
		if (v.type == WA_V128)
			args[na++] = v.v[1];
	}
	if (na != x.func->type->param_slots)
		return -1;
	*nres = x.func->type->nresults;
	s->thread.fuel = s->fuel;
	if (wa_call(&s->thread, x.func, args, res)) {
		*msg = s->thread.trap;
		return 1;
	}
	return 0;
}

static void assert_return(script *s, const wa_sx *c)
{
	uint64_t res[128];
	uint32_t nres = 0, slot = 0;
	const char *msg;
	int r;
	if (c->n < 2)
		{
		report(s, c, false, "malformed assert_return");
		return;
	}
	r = do_action(s, &c->items[1], res, &nres, &msg);
	if (r) {
		char trace[512];
		wa_trap_trace(&s->thread, trace, sizeof trace);
		report(s, c, false, "assert_return: %s%s%s", r > 0 ? msg : "action failed",
		       r > 0 ? " at " : "", r > 0 ? trace : "");
		return;
	}
	if (nres != c->n - 2)
		{
		report(s, c, false, "assert_return: %u results, expected %u", nres, c->n - 2);
		return;
	}
	for (uint32_t i = 2; i < c->n; i++) {
		val v;
		if (parse_val(&c->items[i], &v, true))
			{
		report(s, c, false, "assert_return: bad expected value");
		return;
	}
		if (!val_match(&v, res + slot))
			{
		report(s, c, false, "assert_return: result %u mismatch (got 0x%llx)", i - 2,
				      (unsigned long long)res[slot]);
		return;
	}
		slot += v.type == WA_V128 ? 2 : 1;
	}
	report(s, c, true, "ok");
}

static void assert_trap(script *s, const wa_sx *c, bool exhaustion)
{
	uint64_t res[128];
	uint32_t nres;
	const char *msg;
	int r;
	if (c->n < 3)
		{
		report(s, c, false, "malformed assert");
		return;
	}
	if (wa_sx_head(&c->items[1], "module")) {
		wa_instance *inst;
		wa_err e = { { 0 }, 0 };
		int st = load_module(s, &c->items[1], &inst, &e);
		{
		report(s, c, st == STAGE_INSTANTIATE && msg_match(e.msg, &c->items[2]),
			      "assert_trap(module): stage %d '%s'", st, e.msg);
		return;
	}
	}
	r = do_action(s, &c->items[1], res, &nres, &msg);
	if (r != 1)
		{
		report(s, c, false, "%s: %s", exhaustion ? "assert_exhaustion" : "assert_trap",
			      r ? msg : "returned normally");
		return;
	}
	report(s, c, msg_match(msg, &c->items[2]), "trap message '%s'", msg);
}

static void assert_module(script *s, const wa_sx *c, int want_stage)
{
	wa_instance *inst;
	wa_err e = { { 0 }, 0 };
	int st;
	if (c->n < 3)
		{
		report(s, c, false, "malformed assert");
		return;
	}
	st = load_module(s, &c->items[1], &inst, &e);
	if (want_stage == STAGE_DECODE) /* malformed: text or binary */
		{
		report(s, c, st == STAGE_TEXT || st == STAGE_DECODE,
			      "assert_malformed: stage %d (%s)", st, st ? e.msg : "accepted");
		return;
	}
	if (st != want_stage)
		{
		report(s, c, false, "expected failure stage %d, got %d (%s)", want_stage, st,
			      st ? e.msg : "accepted");
		return;
	}
	if (!msg_match(e.msg, &c->items[2]))
		s->st->msg_mismatch++;
	if (s->verbose > 1 && !msg_match(e.msg, &c->items[2]))
		fprintf(stderr, "%s:%u: message '%s', expected '%.*s'\n", s->file, c->line, e.msg,
			(int)c->items[2].n, c->items[2].str);
	report(s, c, true, "ok");
}

static void cmd_module(script *s, const wa_sx *c)
{
	wa_instance *inst;
	wa_err e = { { 0 }, 0 };
	int st = load_module(s, c, &inst, &e);
	if (st) {
		report(s, c, false, "module failed at stage %d: %s", st, e.msg);
		s->current = NULL;
		return;
	}
	s->current = inst;
	if (c->n > 1 && c->items[1].kind == WA_SX_ATOM && c->items[1].atom[0] == '$') {
		char *id = sx_string(&c->items[1]);
		add_named(&s->ids, &s->nids, id, inst);
		free(id);
	}
}

static void cmd_register(script *s, const wa_sx *c)
{
	wa_instance *inst = find_id(s, c->n > 2 ? &c->items[2] : NULL);
	char *name;
	if (c->n < 2 || c->items[1].kind != WA_SX_STR || !inst)
		{
		report(s, c, false, "register failed");
		return;
	}
	name = sx_string(&c->items[1]);
	add_named(&s->regs, &s->nregs, name, inst);
	free(name);
}

static void command(script *s, const wa_sx *c)
{
	uint64_t res[128];
	uint32_t nres;
	const char *msg;
	if (wa_sx_head(c, "module"))
		cmd_module(s, c);
	else if (wa_sx_head(c, "register"))
		cmd_register(s, c);
	else if (wa_sx_head(c, "invoke") || wa_sx_head(c, "get")) {
		if (do_action(s, c, res, &nres, &msg))
			report(s, c, false, "action failed: %s", msg);
	} else if (wa_sx_head(c, "assert_return"))
		assert_return(s, c);
	else if (wa_sx_head(c, "assert_trap"))
		assert_trap(s, c, false);
	else if (wa_sx_head(c, "assert_exhaustion"))
		assert_trap(s, c, true);
	else if (wa_sx_head(c, "assert_invalid"))
		assert_module(s, c, STAGE_VALIDATE);
	else if (wa_sx_head(c, "assert_malformed"))
		assert_module(s, c, STAGE_DECODE);
	else if (wa_sx_head(c, "assert_unlinkable"))
		assert_module(s, c, STAGE_LINK);
	else if (wa_sx_head(c, "assert_uninstantiable"))
		assert_module(s, c, STAGE_INSTANTIATE);
	else
		report(s, c, false, "unknown command");
}

static bool is_field(const wa_sx *x)
{
	static const char *const kw[] = { "func", "memory", "table", "global", "type", "import",
					  "export", "start", "elem", "data" };
	for (size_t i = 0; i < ARRAY_SIZE(kw); i++)
		if (wa_sx_head(x, kw[i]))
			return true;
	return false;
}

/* A script that is just module fields: one module made of all of them. */
static void inline_module(script *s, const wa_sx *top)
{
	wa_sx m = { .kind = WA_SX_LIST, .line = 1 };
	uint32_t n = 0;
	m.items = calloc(top->n + 1, sizeof *m.items);
	if (!m.items)
		return;
	m.items[n++] = (wa_sx){ .kind = WA_SX_ATOM, .n = 6, .atom = "module" };
	for (uint32_t i = 0; i < top->n && is_field(&top->items[i]); i++)
		m.items[n++] = top->items[i];
	m.n = n;
	cmd_module(s, &m);
	for (uint32_t i = n - 1; i < top->n; i++)
		command(s, &top->items[i]);
	free(m.items);
}

static void script_free(script *s)
{
	for (uint32_t i = 0; i < s->nmods; i++) {
		wa_instance_free(s->insts[i]);
		wa_module_free(s->mods[i]);
	}
	for (uint32_t i = 0; i < s->nids; i++)
		free(s->ids[i].name);
	for (uint32_t i = 0; i < s->nregs; i++)
		free(s->regs[i].name);
	for (int i = 0; i < 7; i++)
		free(s->print[i]);
	free(s->ids);
	free(s->regs);
	free(s->mods);
	free(s->insts);
	wa_table_free(s->table);
	wa_memory_free(s->memory);
	wa_thread_free(&s->thread);
}

int wa_script_run(const char *file, const char *src, size_t len, const wa_script_opts *o,
		  wa_script_stats *st)
{
	script *s = calloc(1, sizeof *s);
	wa_sx top;
	wa_err e = { { 0 }, 0 };
	if (!s)
		return -ERR_NOMEM;
	memset(st, 0, sizeof *st);
	s->file = file;
	s->verbose = o->verbose;
	s->fuel = o->fuel;
	s->st = st;
	if (wa_thread_init(&s->thread, (size_t)1 << 21, 20000)) {
		free(s);
		return -ERR_NOMEM;
	}
	spectest_init(s);
	s->thread.fuel = s->fuel;
	if (wa_sx_parse(src, len, &top, &e)) {
		fprintf(stderr, "%s:%zu: %s\n", file, e.offset, e.msg);
		st->failed++;
	} else {
		if (top.n && is_field(&top.items[0]))
			inline_module(s, &top);
		else
			for (uint32_t i = 0; i < top.n; i++)
				command(s, &top.items[i]);
		wa_sx_free(&top);
	}
	script_free(s);
	free(s);
	return 0;
}
