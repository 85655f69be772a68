/* test_capi.c - the wasm.h/cairn.h embedding API: embedder mistakes (NULL,
 * wrong counts and kinds, other stores' objects, out-of-range indices) give
 * traps, NULL or false; objects live while reachable and their finalizers
 * run once; traps carry frames with exact offsets; modules serialize and
 * reject corrupt blobs; stores on several threads share one module.
 * Run under ASan+UBSan by `make SAN=1 test`.  Prints failures; exit 0 = ok. */
#include "cairn.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static wasm_engine_t *engine;

static wasm_module_t *compile(wasm_store_t *s, const char *wat)
{
	wasm_byte_vec_t bin;
	wasm_message_t err;
	wasm_module_t *m = NULL;
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

static wasm_instance_t *instantiate(wasm_store_t *s, const char *wat, wasm_extern_t **imports, size_t n)
{
	wasm_module_t *m = compile(s, wat);
	wasm_extern_vec_t iv = { n, imports };
	wasm_instance_t *in = m ? wasm_instance_new(s, m, &iv, NULL) : NULL;
	wasm_module_delete(m);
	return in;
}

/* The i-th export of an instance as a new handle. */
static wasm_extern_t *export(wasm_instance_t *in, size_t i)
{
	wasm_extern_vec_t v;
	wasm_extern_t *x = NULL;
	wasm_instance_exports(in, &v);
	if (i < v.size)
		x = wasm_extern_copy(v.data[i]);
	wasm_extern_vec_delete(&v);
	return x;
}

static bool msg_is(wasm_trap_t *t, const char *prefix)
{
	wasm_message_t m;
	bool ok;
	if (!t)
		return false;
	wasm_trap_message(t, &m);
	ok = m.size && m.data[m.size - 1] == 0 && !strncmp(m.data, prefix, strlen(prefix));
	if (!ok)
		printf("    trap message: %s\n", m.size ? m.data : "(none)");
	wasm_byte_vec_delete(&m);
	wasm_trap_delete(t);
	return ok;
}

static wasm_trap_t *call_i32(const wasm_func_t *f, int32_t a, int32_t *r)
{
	wasm_val_t av[1] = { WASM_I32_VAL(a) }, rv[1] = { WASM_INIT_VAL };
	wasm_val_vec_t args = WASM_ARRAY_VEC(av), res = WASM_ARRAY_VEC(rv);
	wasm_trap_t *t = wasm_func_call(f, &args, &res);
	if (!t && r)
		*r = rv[0].of.i32;
	return t;
}

/* ---- NULL everywhere ---- */

static void test_nulls(wasm_store_t *s)
{
	wasm_byte_vec_t v = { 3, NULL };
	wasm_val_t val;
	CHECK(!wasm_store_new(NULL));
	CHECK(!wasm_module_new(s, NULL));
	CHECK(!wasm_module_new(NULL, NULL));
	CHECK(!wasm_module_new(s, &v)); /* size without data */
	CHECK(!wasm_module_validate(s, &v));
	CHECK(!wasm_module_validate(NULL, NULL));
	CHECK(!wasm_module_deserialize(s, NULL));
	CHECK(msg_is(wasm_func_call(NULL, NULL, NULL), "wasm_func_call: func is NULL"));
	wasm_trap_t *trap = (wasm_trap_t *)1;
	CHECK(!wasm_instance_new(s, NULL, NULL, &trap) && msg_is(trap, "wasm_instance_new: no module"));
	CHECK(!wasm_instance_new(NULL, NULL, NULL, &trap) && msg_is(trap, "wasm_instance_new: no store"));
	CHECK(!wasm_instance_new(NULL, NULL, NULL, NULL));
	CHECK(!wasm_func_new(s, NULL, NULL));
	CHECK(!wasm_func_new(NULL, NULL, NULL));
	CHECK(!wasm_global_new(s, NULL, NULL));
	CHECK(!wasm_table_new(s, NULL, NULL));
	CHECK(!wasm_memory_new(s, NULL));
	CHECK(!wasm_foreign_new(NULL));
	CHECK(!wasm_table_get(NULL, 0) && !wasm_table_set(NULL, 0, NULL) && !wasm_table_size(NULL));
	CHECK(!wasm_table_grow(NULL, 1, NULL));
	CHECK(!wasm_memory_data(NULL) && !wasm_memory_data_size(NULL) && !wasm_memory_size(NULL));
	CHECK(!wasm_memory_grow(NULL, 1));
	CHECK(!cairn_global_set(NULL, NULL));
	wasm_global_get(NULL, &val);
	wasm_global_set(NULL, &val);
	CHECK(!wasm_func_type(NULL) && !wasm_global_type(NULL) && !wasm_table_type(NULL) && !wasm_memory_type(NULL));
	CHECK(!wasm_extern_type(NULL) && !wasm_extern_as_func(NULL) && !wasm_func_as_extern(NULL));
	CHECK(!wasm_ref_as_func(NULL) && !wasm_trap_origin(NULL) && !wasm_frame_instance(NULL));
	CHECK(!wasm_ref_copy(NULL) && wasm_ref_same(NULL, NULL) && !wasm_ref_get_host_info(NULL));
	wasm_ref_set_host_info(NULL, NULL);
	wasm_func_delete(NULL);
	wasm_instance_delete(NULL);
	wasm_module_delete(NULL);
	wasm_trap_delete(NULL);
	wasm_frame_delete(NULL);
	wasm_store_delete(NULL);
	wasm_byte_vec_delete(NULL);
	wasm_val_vec_delete(NULL);
	wasm_extern_vec_delete(NULL);
	wasm_val_delete(NULL);
	wasm_valtype_delete(NULL);
	wasm_functype_delete(NULL);
	wasm_externtype_delete(NULL);
	wasm_importtype_delete(NULL);
	CHECK(!wasm_functype_copy(NULL) && !wasm_externtype_copy(NULL) && !wasm_valtype_new(77));
	CHECK(!wasm_globaltype_new(NULL, WASM_VAR) && !wasm_tabletype_new(NULL, NULL));
	CHECK(!wasm_globaltype_new(wasm_valtype_new_i32(), 7)); /* bad mutability; valtype consumed */
	wasm_module_imports(NULL, NULL);
	wasm_instance_exports(NULL, NULL);
	CHECK(!cairn_wat2wasm(NULL, 5, NULL, NULL));
}

/* ---- calls with the wrong arguments ---- */

static const char calls_wat[] =
	"(module\n"
	"  (func (export \"add\") (param i32 i64) (result i64) (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1)))\n"
	"  (func (export \"id\") (param funcref) (result funcref) (local.get 0))\n"
	"  (func (export \"ext\") (param externref) (result externref) (local.get 0))\n"
	"  (func (export \"v\") (param v128) (result v128) (local.get 0)))\n";

static void test_call_mistakes(wasm_store_t *s, wasm_store_t *other)
{
	wasm_instance_t *in = instantiate(s, calls_wat, NULL, 0);
	CHECK(in);
	if (!in)
		return;
	wasm_extern_t *add_x = export(in, 0), *id_x = export(in, 1), *ext_x = export(in, 2), *v_x = export(in, 3);
	wasm_func_t *add = wasm_extern_as_func(add_x), *id = wasm_extern_as_func(id_x);
	wasm_func_t *ext = wasm_extern_as_func(ext_x), *v = wasm_extern_as_func(v_x);
	wasm_val_t av[3] = { WASM_I32_VAL(2), WASM_I64_VAL(40), WASM_I32_VAL(0) }, rv[2] = { WASM_INIT_VAL, WASM_INIT_VAL };
	wasm_val_vec_t args = { 2, av }, res = { 1, rv };

	CHECK(!wasm_func_call(add, &args, &res) && rv[0].kind == WASM_I64 && rv[0].of.i64 == 42);
	args.size = 1;
	CHECK(msg_is(wasm_func_call(add, &args, &res), "wasm_func_call: 2 arguments expected, 1 given"));
	args.size = 3;
	CHECK(msg_is(wasm_func_call(add, &args, &res), "wasm_func_call: 2 arguments expected, 3 given"));
	CHECK(msg_is(wasm_func_call(add, NULL, &res), "wasm_func_call: 2 arguments expected, 0 given"));
	args = (wasm_val_vec_t){ 2, NULL };
	CHECK(msg_is(wasm_func_call(add, &args, &res), "wasm_func_call: 2 arguments expected"));
	args = (wasm_val_vec_t){ 2, av };
	res.size = 0;
	CHECK(msg_is(wasm_func_call(add, &args, &res), "wasm_func_call: 1 results expected, room for 0"));
	res = (wasm_val_vec_t){ 1, NULL };
	CHECK(msg_is(wasm_func_call(add, &args, &res), "wasm_func_call: 1 results expected"));
	res = (wasm_val_vec_t){ 1, rv };
	av[1] = (wasm_val_t)WASM_I32_VAL(40);
	CHECK(msg_is(wasm_func_call(add, &args, &res), "wasm_func_call: argument 1: wrong value kind (expected i64, got i32)"));
	av[1].kind = 99;
	CHECK(msg_is(wasm_func_call(add, &args, &res), "wasm_func_call: argument 1: wrong value kind"));
	av[0] = (wasm_val_t)WASM_REF_VAL(NULL);
	CHECK(msg_is(wasm_func_call(add, &args, &res), "wasm_func_call: argument 0: wrong value kind"));

	/* references: kinds, stores, round trips */
	wasm_foreign_t *f = wasm_foreign_new(s), *fo = wasm_foreign_new(other);
	args.size = 1;
	av[0] = (wasm_val_t)WASM_REF_VAL(wasm_foreign_as_ref(f));
	CHECK(msg_is(wasm_func_call(id, &args, &res), "wasm_func_call: argument 0: funcref needs a function"));
	av[0] = (wasm_val_t)WASM_I32_VAL(1);
	CHECK(msg_is(wasm_func_call(id, &args, &res), "wasm_func_call: argument 0: a reference was expected"));
	av[0] = (wasm_val_t){ .kind = WASM_FUNCREF, .of = { .ref = wasm_func_as_ref(add) } };
	CHECK(!wasm_func_call(id, &args, &res) && rv[0].kind == WASM_FUNCREF &&
	      wasm_ref_same(rv[0].of.ref, wasm_func_as_ref(add)));
	wasm_val_delete(&rv[0]);
	av[0] = (wasm_val_t)WASM_REF_VAL(wasm_foreign_as_ref(f));
	CHECK(!wasm_func_call(ext, &args, &res) && rv[0].kind == WASM_EXTERNREF &&
	      wasm_ref_same(rv[0].of.ref, wasm_foreign_as_ref(f)));
	wasm_val_delete(&rv[0]);
	av[0] = (wasm_val_t)WASM_REF_VAL(wasm_foreign_as_ref(fo));
	CHECK(msg_is(wasm_func_call(ext, &args, &res), "wasm_func_call: argument 0: the reference belongs to another store"));
	av[0] = (wasm_val_t)WASM_REF_VAL(NULL);
	CHECK(!wasm_func_call(ext, &args, &res) && rv[0].of.ref == NULL);

	/* v128 cannot pass through wasm.h, but is reflected */
	CHECK(msg_is(wasm_func_call(v, &args, &res), "wasm_func_call: v128 values cannot pass"));
	wasm_functype_t *vt = wasm_func_type(v);
	CHECK(vt && wasm_functype_params(vt)->size == 1 &&
	      wasm_valtype_kind(wasm_functype_params(vt)->data[0]) == CAIRN_V128);
	CHECK(!wasm_func_new(s, vt, NULL));
	wasm_functype_delete(vt);

	/* a function of another store as an argument */
	wasm_instance_t *in2 = instantiate(other, calls_wat, NULL, 0);
	wasm_extern_t *add2 = in2 ? export(in2, 0) : NULL;
	av[0] = (wasm_val_t){ .kind = WASM_FUNCREF, .of = { .ref = wasm_extern_as_ref(add2) } };
	CHECK(msg_is(wasm_func_call(id, &args, &res), "wasm_func_call: argument 0: the reference belongs to another store"));

	wasm_extern_delete(add2);
	wasm_instance_delete(in2);
	wasm_foreign_delete(f);
	wasm_foreign_delete(fo);
	wasm_extern_delete(add_x);
	wasm_extern_delete(id_x);
	wasm_extern_delete(ext_x);
	wasm_extern_delete(v_x);
	wasm_instance_delete(in);
}

/* ---- host functions that misbehave ---- */

static wasm_store_t *cb_store;

static wasm_trap_t *bad_kind(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
	results->data[0] = (wasm_val_t)WASM_F64_VAL(1.5);
	return NULL;
}

static wasm_trap_t *foreign_trap(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
	wasm_message_t m;
	wasm_trap_t *t;
	wasm_name_new_from_string(&m, "no NUL here"); /* the API adds one */
	t = wasm_trap_new(NULL, &m);
	wasm_name_delete(&m);
	return t;
}

static wasm_trap_t *other_store_ref(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
	results->data[0] = (wasm_val_t)WASM_REF_VAL(wasm_foreign_as_ref(wasm_foreign_new(env)));
	return NULL;
}

static void test_host_mistakes(wasm_store_t *s, wasm_store_t *other)
{
	wasm_functype_t *ft = wasm_functype_new_0_1(wasm_valtype_new_i32());
	wasm_functype_t *rt = wasm_functype_new_0_1(wasm_valtype_new_externref());
	wasm_func_t *f1 = wasm_func_new(s, ft, bad_kind), *f2 = wasm_func_new(s, ft, foreign_trap);
	wasm_func_t *f3 = wasm_func_new_with_env(s, rt, other_store_ref, other, NULL);
	wasm_extern_t *imps[] = { wasm_func_as_extern(f1), wasm_func_as_extern(f2), wasm_func_as_extern(f3) };
	wasm_instance_t *in = instantiate(s,
		"(module (import \"\" \"a\" (func $a (result i32))) (import \"\" \"b\" (func $b (result i32)))\n"
		" (import \"\" \"c\" (func $c (result externref)))\n"
		" (func (export \"a\") (result i32) (call $a)) (func (export \"b\") (result i32) (call $b))\n"
		" (func (export \"c\") (result externref) (call $c)))", imps, 3);
	wasm_val_t rv[1] = { WASM_INIT_VAL };
	wasm_val_vec_t none = WASM_EMPTY_VEC, res = WASM_ARRAY_VEC(rv);
	CHECK(in);
	if (in) {
		wasm_extern_t *a = export(in, 0), *b = export(in, 1), *c = export(in, 2);
		CHECK(msg_is(wasm_func_call(wasm_extern_as_func(a), &none, &res), "host function result 0: wrong value kind (expected i32)"));
		CHECK(msg_is(wasm_func_call(wasm_extern_as_func(b), &none, &res), "no NUL here"));
		CHECK(msg_is(wasm_func_call(wasm_extern_as_func(c), &none, &res),
			     "host function result 0: the reference belongs to another store"));
		/* the host function called directly, without wasm in between */
		CHECK(msg_is(wasm_func_call(f1, &none, &res), "host function result 0"));
		CHECK(msg_is(wasm_func_call(f2, &none, &res), "no NUL here"));
		wasm_extern_delete(a);
		wasm_extern_delete(b);
		wasm_extern_delete(c);
	}
	wasm_instance_delete(in);
	wasm_func_delete(f1);
	wasm_func_delete(f2);
	wasm_func_delete(f3);
	wasm_functype_delete(ft);
	wasm_functype_delete(rt);
}

/* ---- linking mistakes ---- */

static void test_link_mistakes(wasm_store_t *s, wasm_store_t *other)
{
	wasm_module_t *m = compile(s,
		"(module (import \"m\" \"f\" (func (param i32))) (import \"m\" \"g\" (global (mut i32)))\n"
		" (import \"m\" \"mem\" (memory 2 3)) (import \"m\" \"t\" (table 1 funcref)))");
	wasm_functype_t *ft_ok = wasm_functype_new_1_0(wasm_valtype_new_i32());
	wasm_functype_t *ft_bad = wasm_functype_new_1_0(wasm_valtype_new_i64());
	wasm_func_t *f_ok = wasm_func_new(s, ft_ok, bad_kind), *f_bad = wasm_func_new(s, ft_bad, bad_kind);
	wasm_func_t *f_other = wasm_func_new(other, ft_ok, bad_kind);
	wasm_globaltype_t *gt_var = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_VAR);
	wasm_globaltype_t *gt_const = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST);
	wasm_val_t zero = WASM_I32_VAL(0);
	wasm_global_t *g_var = wasm_global_new(s, gt_var, &zero), *g_const = wasm_global_new(s, gt_const, &zero);
	wasm_limits_t l23 = { 2, 3 }, l24 = { 2, 4 }, l1 = { 1, 10 };
	wasm_memorytype_t *mt_ok = wasm_memorytype_new(&l23), *mt_big = wasm_memorytype_new(&l24);
	wasm_memory_t *mem_ok = wasm_memory_new(s, mt_ok), *mem_big = wasm_memory_new(s, mt_big);
	wasm_tabletype_t *tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &l1);
	wasm_table_t *tab = wasm_table_new(s, tt, NULL);
	wasm_extern_t *imps[4] = { wasm_func_as_extern(f_ok), wasm_global_as_extern(g_var),
				   wasm_memory_as_extern(mem_ok), wasm_table_as_extern(tab) };
	wasm_extern_vec_t iv = { 4, imps };
	wasm_trap_t *trap;
	wasm_instance_t *in;
	CHECK(m && f_ok && g_var && mem_ok && tab);
	if (!m)
		return;

	in = wasm_instance_new(s, m, &iv, &trap);
	CHECK(in && !trap);
	wasm_instance_delete(in);
	iv.size = 3;
	CHECK(!wasm_instance_new(s, m, &iv, &trap) && msg_is(trap, "module needs 4 imports, got 3"));
	CHECK(!wasm_instance_new(s, m, NULL, &trap) && msg_is(trap, "module needs 4 imports, got 0"));
	iv = (wasm_extern_vec_t){ 4, NULL };
	CHECK(!wasm_instance_new(s, m, &iv, &trap) && msg_is(trap, "module needs 4 imports"));
	iv.data = imps;
	imps[1] = NULL;
	CHECK(!wasm_instance_new(s, m, &iv, &trap) && msg_is(trap, "import 1 (\"m\" \"g\"): is NULL"));
	imps[1] = wasm_func_as_extern(f_ok);
	CHECK(!wasm_instance_new(s, m, &iv, &trap) && msg_is(trap, "import 1 (\"m\" \"g\"): a function was given"));
	imps[1] = wasm_global_as_extern(g_const);
	CHECK(!wasm_instance_new(s, m, &iv, &trap) && msg_is(trap, "incompatible import type (import 1: \"m\" \"g\")"));
	imps[1] = wasm_global_as_extern(g_var);
	imps[0] = wasm_func_as_extern(f_bad);
	CHECK(!wasm_instance_new(s, m, &iv, &trap) && msg_is(trap, "incompatible import type (import 0"));
	imps[0] = wasm_func_as_extern(f_other);
	CHECK(!wasm_instance_new(s, m, &iv, &trap) && msg_is(trap, "import 0 (\"m\" \"f\"): belongs to another store"));
	imps[0] = wasm_func_as_extern(f_ok);
	imps[2] = wasm_memory_as_extern(mem_big); /* max 4 > the import's 3 */
	CHECK(!wasm_instance_new(s, m, &iv, &trap) && msg_is(trap, "incompatible import type (import 2"));
	imps[2] = wasm_memory_as_extern(mem_ok);
	in = wasm_instance_new(s, m, &iv, NULL);
	CHECK(in);
	wasm_instance_delete(in);

	wasm_module_delete(m);
	wasm_func_delete(f_ok);
	wasm_func_delete(f_bad);
	wasm_func_delete(f_other);
	wasm_global_delete(g_var);
	wasm_global_delete(g_const);
	wasm_memory_delete(mem_ok);
	wasm_memory_delete(mem_big);
	wasm_table_delete(tab);
	wasm_functype_delete(ft_ok);
	wasm_functype_delete(ft_bad);
	wasm_globaltype_delete(gt_var);
	wasm_globaltype_delete(gt_const);
	wasm_memorytype_delete(mt_ok);
	wasm_memorytype_delete(mt_big);
	wasm_tabletype_delete(tt);
}

/* ---- tables, memories, globals out of range or of the wrong kind ---- */

static void test_objects(wasm_store_t *s, wasm_store_t *other)
{
	wasm_limits_t l = { 2, 3 }, bad = { 5, 2 }, huge = { 70000, 0xffffffff };
	wasm_tabletype_t *tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &l);
	wasm_tabletype_t *tt_num = wasm_tabletype_new(wasm_valtype_new_i32(), &l);
	wasm_tabletype_t *tt_bad = wasm_tabletype_new(wasm_valtype_new_funcref(), &bad);
	wasm_tabletype_t *tt_ext = wasm_tabletype_new(wasm_valtype_new_externref(), &l);
	wasm_memorytype_t *mt_bad = wasm_memorytype_new(&bad), *mt_huge = wasm_memorytype_new(&huge);
	wasm_foreign_t *f = wasm_foreign_new(s), *fo = wasm_foreign_new(other);
	wasm_table_t *t = wasm_table_new(s, tt, NULL), *te = wasm_table_new(s, tt_ext, wasm_foreign_as_ref(f));
	CHECK(t && te);
	CHECK(!wasm_table_new(s, tt_num, NULL) && !wasm_table_new(s, tt_bad, NULL));
	CHECK(!wasm_table_new(s, tt, wasm_foreign_as_ref(f))); /* init of the wrong kind */
	CHECK(!wasm_table_new(s, tt_ext, wasm_foreign_as_ref(fo))); /* init from another store */
	CHECK(!wasm_memory_new(s, mt_bad) && !wasm_memory_new(s, mt_huge));
	if (t && te) {
		wasm_ref_t *r = wasm_table_get(te, 1);
		CHECK(wasm_table_size(t) == 2 && !wasm_table_get(t, 0) && !wasm_table_get(t, 2));
		CHECK(r && wasm_ref_same(r, wasm_foreign_as_ref(f)));
		wasm_ref_delete(r);
		CHECK(!wasm_table_get(te, 0xffffffff));
		CHECK(!wasm_table_set(t, 2, NULL) && !wasm_table_set(t, 0xffffffff, NULL));
		CHECK(!wasm_table_set(t, 0, wasm_foreign_as_ref(f)));
		CHECK(!wasm_table_set(te, 0, wasm_foreign_as_ref(fo)));
		CHECK(wasm_table_set(te, 0, NULL) && !wasm_table_get(te, 0));
		CHECK(wasm_table_grow(t, 1, NULL) && wasm_table_size(t) == 3);
		CHECK(!wasm_table_grow(t, 1, NULL) && !wasm_table_grow(t, 0xffffffff, NULL));
		CHECK(wasm_table_grow(t, 0, NULL));
		CHECK(!wasm_table_grow(te, 1, wasm_foreign_as_ref(fo)) && wasm_table_size(te) == 2);
		wasm_tabletype_t *got = wasm_table_type(t);
		CHECK(got && wasm_tabletype_limits(got)->min == 3 && wasm_tabletype_limits(got)->max == 3 &&
		      wasm_valtype_kind(wasm_tabletype_element(got)) == WASM_FUNCREF);
		wasm_tabletype_delete(got);
	}

	/* memory: grow to the limit and no further; data stays addressable */
	wasm_memorytype_t *mt = wasm_memorytype_new(&l);
	wasm_memory_t *m = wasm_memory_new(s, mt);
	CHECK(m && wasm_memory_size(m) == 2 && wasm_memory_data_size(m) == 2 * MEMORY_PAGE_SIZE);
	if (m) {
		CHECK(wasm_memory_grow(m, 1) && !wasm_memory_grow(m, 1) && !wasm_memory_grow(m, 0xffffffff));
		wasm_memory_data(m)[3 * MEMORY_PAGE_SIZE - 1] = 1;
		wasm_memorytype_t *got = wasm_memory_type(m);
		CHECK(got && wasm_memorytype_limits(got)->min == 3 && wasm_memorytype_limits(got)->max == 3);
		wasm_memorytype_delete(got);
	}

	/* globals: values must match the type */
	wasm_globaltype_t *gt = wasm_globaltype_new(wasm_valtype_new_f32(), WASM_VAR);
	wasm_globaltype_t *gr = wasm_globaltype_new(wasm_valtype_new_funcref(), WASM_VAR);
	wasm_val_t vf = WASM_F32_VAL(1.5f), vi = WASM_I32_VAL(1), out;
	wasm_val_t vforeign = { .kind = WASM_FUNCREF, .of = { .ref = wasm_foreign_as_ref(f) } };
	wasm_global_t *g = wasm_global_new(s, gt, &vf);
	CHECK(g && !wasm_global_new(s, gt, &vi) && !wasm_global_new(s, gr, &vforeign));
	if (g) {
		CHECK(!cairn_global_set(g, &vi));
		wasm_global_set(g, &vi); /* ignored */
		wasm_global_get(g, &out);
		CHECK(out.kind == WASM_F32 && out.of.f32 == 1.5f);
		vf.of.f32 = -2;
		CHECK(cairn_global_set(g, &vf));
		wasm_global_get(g, &out);
		CHECK(out.of.f32 == -2);
	}

	wasm_table_delete(t);
	wasm_table_delete(te);
	wasm_memory_delete(m);
	wasm_global_delete(g);
	wasm_foreign_delete(f);
	wasm_foreign_delete(fo);
	wasm_tabletype_delete(tt);
	wasm_tabletype_delete(tt_num);
	wasm_tabletype_delete(tt_bad);
	wasm_tabletype_delete(tt_ext);
	wasm_memorytype_delete(mt_bad);
	wasm_memorytype_delete(mt_huge);
	wasm_memorytype_delete(mt);
	wasm_globaltype_delete(gt);
	wasm_globaltype_delete(gr);
}

/* ---- lifetimes: reachability and finalizers ---- */

static int finalized, env_finalized;
static void on_final(void *p) { finalized += (int)(intptr_t)p; }
static void on_env_final(void *p) { env_finalized++; (void)p; }

static wasm_trap_t *forty_two(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
	results->data[0] = (wasm_val_t)WASM_I32_VAL(42);
	return NULL;
}

static void test_lifetimes(void)
{
	wasm_store_t *s = wasm_store_new(engine);
	static const char tab_wat[] =
		"(module (table (export \"t\") 2 funcref) (table (export \"e\") 1 externref)\n"
		" (type $r (func (result i32)))\n"
		" (func (export \"call\") (param i32) (result i32) (call_indirect (type $r) (local.get 0))))";
	static const char fn_wat[] =
		"(module (func (export \"seven\") (result i32) (i32.const 7))"
		" (memory 1) (global (mut i32) (i32.const 0)))";
	wasm_instance_t *a = instantiate(s, tab_wat, NULL, 0), *b = instantiate(s, fn_wat, NULL, 0);
	CHECK(a && b);
	if (!a || !b)
		return;
	wasm_extern_t *t = export(a, 0), *e = export(a, 1), *call = export(a, 2), *seven = export(b, 0);
	wasm_instance_set_host_info_with_finalizer(b, (void *)1, on_final);
	wasm_func_set_host_info_with_finalizer(wasm_extern_as_func(seven), (void *)10, on_final);
	CHECK(wasm_instance_get_host_info(b) == (void *)1);

	/* b's function sits in a's table; dropping every handle on b keeps it */
	CHECK(wasm_table_set(wasm_extern_as_table(t), 0, wasm_extern_as_ref(seven)));
	wasm_extern_delete(seven);
	wasm_instance_delete(b);
	wasm_functype_t *ft = wasm_functype_new_0_1(wasm_valtype_new_i32());
	wasm_func_t *host = wasm_func_new_with_env(s, ft, forty_two, NULL, on_env_final);
	wasm_functype_delete(ft);
	CHECK(wasm_table_set(wasm_extern_as_table(t), 1, wasm_func_as_ref(host)));
	wasm_func_delete(host);
	wasm_foreign_t *f = wasm_foreign_new(s);
	wasm_foreign_set_host_info_with_finalizer(f, (void *)100, on_final);
	CHECK(wasm_table_set(wasm_extern_as_table(e), 0, wasm_foreign_as_ref(f)));
	wasm_foreign_delete(f);
	/* plenty of garbage: several collections run meanwhile */
	for (int i = 0; i < 3000; i++) {
		wasm_foreign_t *g = wasm_foreign_new(s);
		wasm_foreign_set_host_info_with_finalizer(g, (void *)1000, on_final);
		wasm_foreign_delete(g);
	}
	/* only garbage so far (1000 each; counted mod 1000 from here on, as
	 * more of it may be collected later) */
	CHECK(finalized >= 1000 * 2000 && finalized % 1000 == 0);
	int32_t r = 0;
	CHECK(!call_i32(wasm_extern_as_func(call), 0, &r) && r == 7);
	CHECK(!call_i32(wasm_extern_as_func(call), 1, &r) && r == 42);
	wasm_ref_t *kept = wasm_table_get(wasm_extern_as_table(e), 0);
	CHECK(kept && wasm_ref_get_host_info(kept) == (void *)100);
	wasm_ref_delete(kept);
	CHECK(finalized % 1000 == 0 && env_finalized == 0);

	/* clearing the slots makes b, the host function and the foreign garbage */
	wasm_table_set(wasm_extern_as_table(t), 0, NULL);
	wasm_table_set(wasm_extern_as_table(t), 1, NULL);
	wasm_table_set(wasm_extern_as_table(e), 0, NULL);
	for (int i = 0; i < 3000; i++)
		wasm_foreign_delete(wasm_foreign_new(s));
	CHECK(finalized % 1000 == 111 && env_finalized == 1); /* b, its function, the foreign; env once */

	/* an instance kept only by an exported function's handle */
	wasm_instance_t *c = instantiate(s, fn_wat, NULL, 0);
	wasm_extern_t *seven2 = c ? export(c, 0) : NULL;
	wasm_instance_set_host_info_with_finalizer(c, (void *)5, on_final);
	wasm_instance_delete(c);
	for (int i = 0; i < 3000; i++)
		wasm_foreign_delete(wasm_foreign_new(s));
	wasm_val_t rv[1] = { WASM_INIT_VAL };
	wasm_val_vec_t none = WASM_EMPTY_VEC, res = WASM_ARRAY_VEC(rv);
	CHECK(finalized % 1000 == 111 && seven2 && !wasm_func_call(wasm_extern_as_func(seven2), &none, &res) &&
	      rv[0].of.i32 == 7);
	wasm_extern_t *copy = wasm_extern_copy(seven2);
	wasm_extern_delete(seven2);
	CHECK(wasm_extern_same(copy, seven2) && !wasm_func_call(wasm_extern_as_func(copy), &none, &res));
	wasm_extern_delete(copy);

	wasm_extern_delete(t);
	wasm_extern_delete(e);
	wasm_extern_delete(call);
	wasm_instance_delete(a);
	wasm_store_delete(s);
	CHECK(finalized == 3000 * 1000 + 116); /* every finalizer exactly once */

	/* many instances with memories in one store: unreachable ones are
	 * freed, so address space and guard slots are not exhausted */
	s = wasm_store_new(engine);
	wasm_module_t *m = compile(s, "(module (memory 1))");
	int made = 0;
	for (int i = 0; m && i < 5000; i++) {
		wasm_instance_t *in = wasm_instance_new(s, m, NULL, NULL);
		made += in != NULL;
		wasm_instance_delete(in);
	}
	CHECK(made == 5000);
	wasm_module_delete(m);
	wasm_store_delete(s);
}

/* ---- deleting the store from inside a callback ---- */

static wasm_trap_t *delete_store(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
	wasm_store_delete(env);
	results->data[0] = (wasm_val_t)WASM_I32_VAL(1);
	return NULL;
}

static void test_store_delete_in_callback(void)
{
	wasm_store_t *s = wasm_store_new(engine);
	wasm_functype_t *ft = wasm_functype_new_0_1(wasm_valtype_new_i32());
	wasm_func_t *f = wasm_func_new_with_env(s, ft, delete_store, s, on_env_final);
	wasm_extern_t *imps[] = { wasm_func_as_extern(f) };
	wasm_instance_t *in = instantiate(s, "(module (import \"\" \"d\" (func $d (result i32)))"
					  " (func (export \"run\") (result i32) (i32.add (call $d) (call $d))))", imps, 1);
	wasm_extern_t *run = in ? export(in, 0) : NULL;
	wasm_val_t rv[1] = { WASM_INIT_VAL };
	wasm_val_vec_t none = WASM_EMPTY_VEC, res = WASM_ARRAY_VEC(rv);
	int before = env_finalized;
	wasm_functype_delete(ft);
	CHECK(run);
	if (!run)
		return;
	/* the deletion waits for the call to return: the run completes */
	CHECK(!wasm_func_call(wasm_extern_as_func(run), &none, &res) && rv[0].of.i32 == 2);
	CHECK(env_finalized == before + 1);

	/* ... also when the call then traps: the trap outlives the store */
	s = wasm_store_new(engine);
	ft = wasm_functype_new_0_1(wasm_valtype_new_i32());
	f = wasm_func_new_with_env(s, ft, delete_store, s, NULL);
	imps[0] = wasm_func_as_extern(f);
	in = instantiate(s, "(module (import \"\" \"d\" (func $d (result i32)))"
			 " (func (export \"run\") (call $d) (unreachable)))", imps, 1);
	run = in ? export(in, 0) : NULL;
	res.size = 0;
	CHECK(run && msg_is(wasm_func_call(wasm_extern_as_func(run), &none, &res), "unreachable"));

	/* ... and from a start function: no instance, a trap of no store */
	s = wasm_store_new(engine);
	f = wasm_func_new_with_env(s, ft, delete_store, s, NULL);
	wasm_functype_delete(ft);
	wasm_module_t *m = compile(s, "(module (import \"\" \"d\" (func $d (result i32)))"
				   " (func $s (drop (call $d))) (start $s))");
	wasm_extern_vec_t iv = { 1, imps };
	wasm_trap_t *trap = NULL;
	imps[0] = wasm_func_as_extern(f);
	CHECK(m && !wasm_instance_new(s, m, &iv, &trap) && msg_is(trap, "store deleted during instantiation"));
}

/* ---- many parameters (past the inline buffers) ---- */

static wasm_trap_t *sum20(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
	int64_t sum = 0;
	for (size_t i = 0; i < args->size; i++)
		sum += args->data[i].kind == WASM_I64 ? args->data[i].of.i64 : (int64_t)args->data[i].of.f64;
	for (size_t j = 0; j < results->size; j++)
		results->data[j] = (wasm_val_t)WASM_I64_VAL(sum + (int64_t)j);
	return NULL;
}

static void test_many_params(wasm_store_t *s)
{
	wasm_valtype_t *ps[20], *rs[12];
	for (int i = 0; i < 20; i++)
		ps[i] = i % 2 ? wasm_valtype_new_i64() : wasm_valtype_new_f64();
	for (int j = 0; j < 12; j++)
		rs[j] = wasm_valtype_new_i64();
	wasm_valtype_vec_t pv, rvv;
	wasm_valtype_vec_new(&pv, 20, ps);
	wasm_valtype_vec_new(&rvv, 12, rs);
	wasm_functype_t *ft = wasm_functype_new(&pv, &rvv);
	wasm_func_t *f = wasm_func_new(s, ft, sum20);
	wasm_val_t args[20], res[12];
	for (int i = 0; i < 20; i++)
		args[i] = i % 2 ? (wasm_val_t)WASM_I64_VAL(i) : (wasm_val_t)WASM_F64_VAL(i);
	wasm_val_vec_t av = WASM_ARRAY_VEC(args), resv = WASM_ARRAY_VEC(res);
	CHECK(f && !wasm_func_call(f, &av, &resv) && res[0].of.i64 == 190 && res[11].of.i64 == 201);
	/* and through wasm, which passes them on */
	wasm_extern_t *imps[] = { wasm_func_as_extern(f) };
	char wat[2048];
	int n = snprintf(wat, sizeof wat, "(module (type $t (func (param");
	for (int i = 0; i < 20; i++)
		n += snprintf(wat + n, sizeof wat - n, i % 2 ? " i64" : " f64");
	n += snprintf(wat + n, sizeof wat - n, ") (result");
	for (int j = 0; j < 12; j++)
		n += snprintf(wat + n, sizeof wat - n, " i64");
	n += snprintf(wat + n, sizeof wat - n, "))) (import \"\" \"f\" (func $f (type $t)))"
		      " (func (export \"g\") (type $t)");
	for (int i = 0; i < 20; i++)
		n += snprintf(wat + n, sizeof wat - n, " (local.get %d)", i);
	snprintf(wat + n, sizeof wat - n, " (call $f)))");
	wasm_instance_t *in = instantiate(s, wat, imps, 1);
	wasm_extern_t *g = in ? export(in, 0) : NULL;
	memset(res, 0, sizeof res);
	CHECK(g && !wasm_func_call(wasm_extern_as_func(g), &av, &resv) && res[0].of.i64 == 190 && res[11].of.i64 == 201);
	wasm_extern_delete(g);
	wasm_instance_delete(in);
	wasm_func_delete(f);
	wasm_functype_delete(ft);
}

/* ---- traps: messages, frames, exact offsets ---- */

static void test_traps(wasm_store_t *s)
{
	static const char wat[] =
		"(module\n"
		"  (func $inner (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))\n"
		"  (func $mid (param i32) (result i32) (nop) (call $inner (local.get 0)))\n"
		"  (func (export \"outer\") (param i32) (result i32) (i32.const 0) (drop) (call $mid (local.get 0))))\n";
	wasm_byte_vec_t bin;
	CHECK(cairn_wat2wasm(wat, strlen(wat), &bin, NULL));
	wasm_module_t *m = wasm_module_new(s, &bin);
	wasm_instance_t *in = m ? wasm_instance_new(s, m, NULL, NULL) : NULL;
	wasm_extern_t *outer = in ? export(in, 0) : NULL;
	CHECK(outer);
	if (!outer)
		return;
	/* find the instructions in the binary: div_u (0x6e), then the calls (0x10) */
	size_t div = 0, call_mid = 0, call_inner = 0;
	for (size_t i = 0; i + 1 < bin.size; i++) {
		if ((uint8_t)bin.data[i] == 0x6e && !div)
			div = i;
		if ((uint8_t)bin.data[i] == 0x10 && (uint8_t)bin.data[i + 1] == 0x00 && !call_inner)
			call_inner = i;
		if ((uint8_t)bin.data[i] == 0x10 && (uint8_t)bin.data[i + 1] == 0x01)
			call_mid = i;
	}
	wasm_trap_t *t = call_i32(wasm_extern_as_func(outer), 0, NULL);
	wasm_frame_vec_t trace;
	wasm_trap_trace(t, &trace);
	CHECK(trace.size == 3);
	if (trace.size == 3) {
		CHECK(wasm_frame_func_index(trace.data[0]) == 0 && wasm_frame_module_offset(trace.data[0]) == div);
		CHECK(wasm_frame_func_index(trace.data[1]) == 1 && wasm_frame_module_offset(trace.data[1]) == call_inner);
		CHECK(wasm_frame_func_index(trace.data[2]) == 2 && wasm_frame_module_offset(trace.data[2]) == call_mid);
		CHECK(wasm_frame_instance(trace.data[0]) == in);
		/* function offsets count from the locals declaration (1 byte),
		 * then i32.const 1 and local.get 0 (2 bytes each) */
		CHECK(wasm_frame_func_offset(trace.data[0]) == 1 + 2 + 2);
		wasm_frame_t *o = wasm_trap_origin(t), *oc = wasm_frame_copy(o);
		CHECK(o && wasm_frame_module_offset(oc) == div);
		wasm_frame_delete(o);
		wasm_frame_delete(oc);
	}
	wasm_frame_vec_delete(&trace);
	CHECK(msg_is(t, "integer divide by zero"));
	int32_t r = 0;
	CHECK(!call_i32(wasm_extern_as_func(outer), 1, &r) && r == 1);

	/* a trap the host made keeps its identity and host info */
	wasm_message_t msg;
	wasm_name_new_from_string_nt(&msg, "mine");
	wasm_trap_t *mine = wasm_trap_new(s, &msg);
	wasm_name_delete(&msg);
	wasm_trap_set_host_info(mine, (void *)7);
	wasm_trap_t *c = wasm_trap_copy(mine);
	CHECK(wasm_trap_same(c, mine) && wasm_trap_get_host_info(c) == (void *)7 && !wasm_trap_origin(c));
	wasm_trap_delete(c);
	wasm_ref_t *as_ref = wasm_trap_as_ref(mine);
	CHECK(wasm_ref_as_trap(as_ref) == mine && !wasm_ref_as_func(as_ref) && !wasm_ref_as_foreign(as_ref));
	CHECK(msg_is(mine, "mine"));

	/* fuel */
	cairn_store_set_fuel(s, 5);
	CHECK(cairn_store_get_fuel(s) == 5);
	CHECK(!call_i32(wasm_extern_as_func(outer), 1, &r) && cairn_store_get_fuel(s) == 3); /* two calls */
	cairn_store_set_fuel(s, 1);
	CHECK(msg_is(call_i32(wasm_extern_as_func(outer), 1, &r), "fuel exhausted"));
	cairn_store_set_fuel(s, -7);
	CHECK(cairn_store_get_fuel(s) < 0 && !call_i32(wasm_extern_as_func(outer), 1, &r));

	wasm_extern_delete(outer);
	wasm_instance_delete(in);
	wasm_module_delete(m);
	wasm_byte_vec_delete(&bin);
}

/* ---- modules: reflection, serialization, text errors ---- */

static void test_modules(wasm_store_t *s, wasm_store_t *other)
{
	wasm_module_t *m = compile(s,
		"(module (import \"env\" \"f\" (func (param i32 f64) (result i64)))\n"
		" (import \"env\" \"g\" (global (mut f32)))\n"
		" (memory (export \"mem\") 1 2) (table (export \"tab\") 3 externref)\n"
		" (global (export \"k\") i64 (i64.const 5)) (func (export \"nop\")))");
	CHECK(m);
	if (!m)
		return;
	wasm_importtype_vec_t imps;
	wasm_exporttype_vec_t exps;
	wasm_module_imports(m, &imps);
	wasm_module_exports(m, &exps);
	CHECK(imps.size == 2 && exps.size == 4);
	if (imps.size == 2 && exps.size == 4) {
		const wasm_functype_t *ft = wasm_externtype_as_functype_const(wasm_importtype_type(imps.data[0]));
		CHECK(wasm_importtype_module(imps.data[0])->size == 3 && !memcmp(wasm_importtype_name(imps.data[0])->data, "f", 1));
		CHECK(ft && wasm_functype_params(ft)->size == 2 && wasm_functype_results(ft)->size == 1 &&
		      wasm_valtype_kind(wasm_functype_params(ft)->data[1]) == WASM_F64);
		const wasm_globaltype_t *gt = wasm_externtype_as_globaltype_const(wasm_importtype_type(imps.data[1]));
		CHECK(gt && wasm_globaltype_mutability(gt) == WASM_VAR && wasm_valtype_kind(wasm_globaltype_content(gt)) == WASM_F32);
		CHECK(!wasm_externtype_as_tabletype_const(wasm_importtype_type(imps.data[1])));
		const wasm_memorytype_t *mt = wasm_externtype_as_memorytype_const(wasm_exporttype_type(exps.data[0]));
		CHECK(mt && wasm_memorytype_limits(mt)->min == 1 && wasm_memorytype_limits(mt)->max == 2);
		const wasm_tabletype_t *tt = wasm_externtype_as_tabletype_const(wasm_exporttype_type(exps.data[1]));
		CHECK(tt && wasm_tabletype_limits(tt)->max == wasm_limits_max_default &&
		      wasm_valtype_kind(wasm_tabletype_element(tt)) == WASM_EXTERNREF);
		CHECK(wasm_externtype_kind(wasm_exporttype_type(exps.data[2])) == WASM_EXTERN_GLOBAL);
		CHECK(wasm_externtype_kind(wasm_exporttype_type(exps.data[3])) == WASM_EXTERN_FUNC);
		wasm_importtype_vec_t copy;
		wasm_importtype_vec_copy(&copy, &imps);
		CHECK(copy.size == 2 && wasm_importtype_name(copy.data[1])->data[0] == 'g');
		wasm_importtype_vec_delete(&copy);
	}
	wasm_importtype_vec_delete(&imps);
	wasm_exporttype_vec_delete(&exps);

	/* serialize, load in another store; every corruption is rejected */
	wasm_byte_vec_t blob;
	wasm_module_serialize(m, &blob);
	wasm_module_t *back = wasm_module_deserialize(other, &blob);
	CHECK(back);
	wasm_module_exports(back, &exps);
	CHECK(exps.size == 4);
	wasm_exporttype_vec_delete(&exps);
	wasm_module_delete(back);
	int accepted = 0;
	for (size_t i = 0; i < blob.size; i++) {
		blob.data[i] ^= 0x20;
		wasm_module_t *bad = wasm_module_deserialize(s, &blob);
		accepted += bad != NULL;
		wasm_module_delete(bad);
		blob.data[i] ^= 0x20;
	}
	CHECK(accepted == 0);
	for (size_t n = 0; n < blob.size; n += 7) {
		wasm_byte_vec_t cut = { n, blob.data };
		CHECK(!wasm_module_deserialize(s, &cut));
	}
	wasm_byte_vec_t raw = { blob.size - 32, blob.data + 32 };
	CHECK(!wasm_module_deserialize(s, &raw)); /* a plain module is no serialized one */
	wasm_byte_vec_delete(&blob);

	/* shared across stores */
	wasm_shared_module_t *sh = wasm_module_share(m);
	wasm_module_delete(m);
	wasm_module_t *m2 = wasm_module_obtain(other, sh);
	wasm_shared_module_delete(sh);
	CHECK(m2);
	wasm_module_delete(m2);

	/* errors say what and where */
	wasm_byte_vec_t bin;
	wasm_message_t err;
	CHECK(!cairn_wat2wasm("(module\n  (func (result i32)\n    (i32.const)))", 42, &bin, &err));
	CHECK(err.size && err.data[err.size - 1] == 0 && !strncmp(err.data, "line 3:", 7));
	wasm_byte_vec_delete(&err);
	CHECK(!cairn_wat2wasm("(module) (module)", 17, &bin, &err) && strstr(err.data, "expected one"));
	wasm_byte_vec_delete(&err);
	CHECK(cairn_wat2wasm("(func (export \"f\"))", 19, &bin, NULL)); /* fields without (module) */
	CHECK(bin.size > 8 && wasm_module_validate(s, &bin));
	bin.data[bin.size - 1] = 0x0c; /* the body's end becomes a br */
	CHECK(!wasm_module_validate(s, &bin));
	CHECK(!cairn_module_new(s, &bin, &err) && err.size > 1);
	wasm_byte_vec_delete(&err);
	wasm_byte_vec_delete(&bin);
	CHECK(cairn_wat2wasm("", 0, &bin, NULL) && bin.size == 8);
	wasm_byte_vec_delete(&bin);
	wasm_byte_vec_t junk = { 4, (wasm_byte_t *)"\0asn" };
	CHECK(!cairn_module_new(s, &junk, &err) && strstr(err.data, "magic"));
	wasm_byte_vec_delete(&err);
}

/* ---- values and vectors ---- */

static void test_values(wasm_store_t *s)
{
	wasm_foreign_t *f = wasm_foreign_new(s);
	wasm_val_t v = WASM_REF_VAL(wasm_foreign_as_ref(f)), c;
	wasm_val_copy(&c, &v);
	CHECK(c.of.ref == v.of.ref);
	wasm_val_delete(&c);
	wasm_val_t vals[2] = { WASM_I32_VAL(1), WASM_REF_VAL(wasm_ref_copy(wasm_foreign_as_ref(f))) };
	wasm_val_vec_t vv, vc;
	wasm_val_vec_new(&vv, 2, vals);
	wasm_val_vec_copy(&vc, &vv);
	CHECK(vc.size == 2 && vc.data[0].of.i32 == 1 && wasm_ref_same(vc.data[1].of.ref, wasm_foreign_as_ref(f)));
	wasm_val_vec_delete(&vv);
	wasm_val_vec_delete(&vc);
	wasm_foreign_delete(f);
	wasm_byte_vec_t b;
	wasm_byte_vec_new_uninitialized(&b, 0);
	CHECK(b.size == 0);
	wasm_byte_vec_delete(&b);
	wasm_name_t n;
	wasm_name_new_from_string(&n, "abc");
	CHECK(n.size == 3);
	wasm_name_delete(&n);
	wasm_valtype_vec_t tv;
	wasm_valtype_vec_new_uninitialized(&tv, 3); /* zeroed: deletable as is */
	tv.data[1] = wasm_valtype_new_i64();
	wasm_valtype_vec_delete(&tv);
}

/* ---- stores on several threads sharing one compiled module ---- */

static wasm_shared_module_t *shared;

static void *thread_main(void *arg)
{
	wasm_store_t *s = wasm_store_new(engine);
	wasm_module_t *m = wasm_module_obtain(s, shared);
	intptr_t bad = 0;
	for (int round = 0; round < 20 && m; round++) {
		wasm_instance_t *in = wasm_instance_new(s, m, NULL, NULL);
		wasm_extern_t *sum = in ? export(in, 0) : NULL;
		int32_t r = 0;
		if (!sum || call_i32(wasm_extern_as_func(sum), 1000, &r) || r != 1000 * 999 / 2)
			bad++;
		/* a guard-page trap on this thread while others run */
		if (!msg_is(call_i32(wasm_extern_as_func(sum), -1, &r), "out of bounds memory access"))
			bad++;
		wasm_extern_delete(sum);
		wasm_instance_delete(in);
	}
	wasm_module_delete(m);
	wasm_store_delete(s);
	(void)arg;
	return (void *)bad;
}

static void test_threads(wasm_store_t *s)
{
	wasm_module_t *m = compile(s,
		"(module (memory 1)\n"
		" (func (export \"sum\") (param $n i32) (result i32) (local $i i32) (local $s i32)\n"
		"  (if (i32.lt_s (local.get $n) (i32.const 0)) (then (return (i32.load (i32.const 70000)))))\n"
		"  (block $d (loop $l (br_if $d (i32.ge_u (local.get $i) (local.get $n)))\n"
		"   (i32.store (i32.mul (local.get $i) (i32.const 4)) (local.get $i))\n"
		"   (local.set $s (i32.add (local.get $s) (i32.load (i32.mul (local.get $i) (i32.const 4)))))\n"
		"   (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))\n"
		"  (local.get $s)))");
	pthread_t th[4];
	void *bad;
	intptr_t total = 0;
	CHECK(m);
	if (!m)
		return;
	shared = wasm_module_share(m);
	wasm_module_delete(m);
	for (int i = 0; i < 4; i++)
		CHECK(!pthread_create(&th[i], NULL, thread_main, NULL));
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], &bad);
		total += (intptr_t)bad;
	}
	CHECK(total == 0);
	wasm_shared_module_delete(shared);
}

/* ---- the C stack: host <-> wasm bounces and deep wasm recursion on threads
 * with small and large stacks trap "call stack exhausted", never overflow ---- */

typedef struct bounce {
	wasm_func_t *down;      /* the export that calls back up */
	int depth, max;
	uintptr_t lowest;       /* the deepest callback's frame */
} bounce;

static wasm_trap_t *bounce_up(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
	bounce *b = env;
	wasm_val_t a[1] = { WASM_I32_VAL(args->data[0].of.i32 + 1) }, r[1] = { WASM_INIT_VAL };
	wasm_val_vec_t av = WASM_ARRAY_VEC(a), rv = WASM_ARRAY_VEC(r);
	uintptr_t here = (uintptr_t)__builtin_frame_address(0);
	if (!b->lowest || here < b->lowest)
		b->lowest = here;
	if (++b->depth > b->max)
		b->max = b->depth;
	wasm_trap_t *t = wasm_func_call(b->down, &av, &rv);
	b->depth--;
	if (t)
		return t;
	results->data[0] = r[0];
	return NULL;
}

typedef struct stack_case {
	size_t stack;           /* the thread's stack size */
	uint32_t nesting;       /* cairn_store_set_max_nesting, 0: default */
	int min_depth;          /* bounces that must fit at least */
	int max_depth, ok;      /* what happened */
	size_t room;            /* stack left below the deepest callback */
} stack_case;

static void *stack_thread(void *arg)
{
	stack_case *c = arg;
	wasm_store_t *s = wasm_store_new(engine);
	bounce b = { 0 };
	wasm_functype_t *ft = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
	wasm_func_t *up = wasm_func_new_with_env(s, ft, bounce_up, &b, NULL);
	wasm_extern_t *imps[] = { wasm_func_as_extern(up) };
	wasm_functype_delete(ft);
	if (c->nesting)
		cairn_store_set_max_nesting(s, c->nesting);
	wasm_instance_t *in = instantiate(s,
		"(module (import \"h\" \"up\" (func $up (param i32) (result i32)))\n"
		" (func (export \"down\") (param i32) (result i32) (call $up (local.get 0)))\n"
		" (func $rec (export \"rec\") (param i32) (result i32)\n"
		"  (if (result i32) (local.get 0)\n"
		"   (then (i32.add (call $rec (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))\n"
		"   (else (i32.const 0)))))", imps, 1);
	wasm_extern_t *down = in ? export(in, 0) : NULL, *rec = in ? export(in, 1) : NULL;
	int32_t r = 0;
	c->ok = down && rec;
	if (c->ok) {
		b.down = wasm_extern_as_func(down);
		wasm_trap_t *t = call_i32(b.down, 0, &r);
		c->ok = msg_is(t, "call stack exhausted") && b.depth == 0;
		c->max_depth = b.max;
		pthread_attr_t a;
		void *lo;
		size_t size;
		if (!pthread_getattr_np(pthread_self(), &a) && !pthread_attr_getstack(&a, &lo, &size))
			c->room = b.lowest - (uintptr_t)lo;
		pthread_attr_destroy(&a);
		/* wasm calling wasm does not use the C stack */
		c->ok &= msg_is(call_i32(wasm_extern_as_func(rec), 1000000, &r), "call stack exhausted");
		c->ok &= !call_i32(wasm_extern_as_func(rec), 15000, &r) && r == 15000;
		/* the store is fine afterwards */
		b.max = 0;
		cairn_store_set_max_nesting(s, 5);
		c->ok &= msg_is(call_i32(b.down, 0, &r), "call stack exhausted") &&
			 b.max == (c->max_depth < 5 ? c->max_depth : 5);
	}
	wasm_extern_delete(down);
	wasm_extern_delete(rec);
	wasm_instance_delete(in);
	wasm_store_delete(s);
	return NULL;
}

/* ASan's frames are much larger (about 38 KiB a level here, against 1.5) */
#if defined(__SANITIZE_ADDRESS__)
#define BIG_FRAMES 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BIG_FRAMES 1
#endif
#endif
#ifdef BIG_FRAMES
#define LEVELS(plain, asan) (asan)
#else
#define LEVELS(plain, asan) (plain)
#endif

static void test_stack(void)
{
	stack_case cases[] = {
		{ 256 << 10, 0, LEVELS(100, 2), 0, 0, 0 },
		{ 320 << 10, 0, LEVELS(140, 2), 0, 0, 0 },
		{ 8 << 20, 0, LEVELS(256, 100), 0, 0, 0 },        /* the default nesting limit first */
		{ 8 << 20, 1000000, LEVELS(4000, 100), 0, 0, 0 }, /* then the stack: 7,000 levels overflowed it */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		stack_case *c = &cases[i];
		pthread_attr_t a;
		pthread_t th;
		CHECK(!pthread_attr_init(&a) && !pthread_attr_setstacksize(&a, c->stack));
		CHECK(!pthread_create(&th, &a, stack_thread, c) && !pthread_join(th, NULL));
		pthread_attr_destroy(&a);
		CHECK(c->ok);
		CHECK(c->max_depth >= c->min_depth);
		CHECK(!c->nesting || c->max_depth < (int)c->nesting); /* the stack ended it */
		CHECK(c->room > 16 << 10); /* the deepest callback still had room */
		if (getenv("SHOW") || !c->ok || c->max_depth < c->min_depth)
			printf("stack %zu KiB: %d levels, %zu bytes left\n", c->stack >> 10, c->max_depth, c->room);
	}
}

int main(void)
{
	engine = wasm_engine_new();
	wasm_store_t *s = wasm_store_new(engine), *other = wasm_store_new(engine);
	CHECK(engine && s && other && !strcmp(cairn_version(), CAIRN_VERSION));
	test_nulls(s);
	test_call_mistakes(s, other);
	cb_store = s;
	test_host_mistakes(s, other);
	test_link_mistakes(s, other);
	test_objects(s, other);
	test_lifetimes();
	test_store_delete_in_callback();
	test_many_params(s);
	test_traps(s);
	test_modules(s, other);
	test_values(s);
	test_threads(s);
	test_stack();
	wasm_store_delete(s);
	wasm_store_delete(other);
	wasm_engine_delete(engine);
	printf("%s\n", failures ? "test_capi: FAILED" : "test_capi: ok");
	return failures != 0;
}
