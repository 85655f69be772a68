/* capi_func.c - wasm.h functions: host functions (the engine calls a
 * trampoline that turns slots into wasm_val_t and back), calls into wasm
 * with every argument checked, traps carried through host callbacks, and
 * the text format entry point of cairn.h. */
#include "wasm/capi.h"
#include "wasm/text.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_INLINE 8 /* values handled without a heap allocation */

/* ---- host functions ---- */

/* Keeps a callback's trap as the store's pending one and gives the engine
 * its message: the call that receives that message returns this trap. */
const char *capi_host_trap(wasm_store_t *store, wasm_trap_t *trap)
{
	if (trap->ref.store != store) { /* made without a store, or in another */
		wasm_trap_t *mine = capi_trap(store, trap->msg ? trap->msg : "", NULL);
		wasm_trap_delete(trap);
		if (!(trap = mine))
			return "out of memory";
	}
	if (store->host_trap && store->host_trap != trap)
		capi_release(&store->host_trap->ref);
	store->host_trap = trap;
	return trap->msg ? trap->msg : "";
}

/* A callback's results, checked and stored in the engine's slots; the
 * references it handed over (own) are released after. */
static const char *host_results(wasm_store_t *store, const wa_functype *ft, wasm_val_t *r, uint64_t *slots)
{
	const char *why = NULL;
	uint32_t bad = 0;
	for (uint32_t j = 0; j < ft->nresults; j++) {
		const char *e = capi_val_to_slot(store, wa_ft_results(ft)[j], &r[j], &slots[j]);
		if (e && !why) {
			why = e;
			bad = j;
		}
	}
	for (uint32_t j = 0; j < ft->nresults; j++)
		wasm_val_delete(&r[j]);
	if (!why)
		return NULL;
	return capi_host_trap(store, capi_trapf(store, "host function result %u: %s (expected %s)", bad, why,
						capi_kind_name(capi_kind_of(wa_ft_results(ft)[bad]))));
}

static const char *host_call(wa_thread *t, void *env, uint64_t *slots)
{
	capi_hostfunc *h = env;
	wasm_store_t *store = h->func.ext.ref.store;
	const wa_functype *ft = &h->type;
	wasm_val_t buf[2 * MAX_INLINE], *a = buf, *r;
	wasm_val_vec_t args, results;
	wasm_trap_t *trap;
	const char *err = NULL;
	(void)t;
	if (ft->nparams + ft->nresults > 2 * MAX_INLINE &&
	    !(a = calloc(ft->nparams + ft->nresults, sizeof *a)))
		return "out of memory";
	r = a + ft->nparams;
	for (uint32_t i = 0; i < ft->nparams; i++) {
		capi_val_from_slot(ft->types[i], slots[i], &a[i], false);
		if (slots[i] && ft->types[i] == WA_FUNCREF && !a[i].of.ref)
			err = "out of memory";
	}
	for (uint32_t j = 0; j < ft->nresults; j++) {
		memset(&r[j], 0, sizeof r[j]);
		r[j].kind = capi_kind_of(wa_ft_results(ft)[j]);
	}
	args = (wasm_val_vec_t){ ft->nparams, a };
	results = (wasm_val_vec_t){ ft->nresults, r };
	if (!err) {
		trap = h->cb ? h->cb(&args, &results) : h->cb_env(h->env, &args, &results);
		if (trap) {
			for (uint32_t j = 0; j < ft->nresults; j++)
				wasm_val_delete(&r[j]);
			err = capi_host_trap(store, trap);
		} else {
			err = host_results(store, ft, r, slots);
		}
	}
	if (a != buf)
		free(a);
	return err;
}

static wasm_func_t *func_new(wasm_store_t *store, const wasm_functype_t *type, wasm_func_callback_t cb,
			     wasm_func_callback_with_env_t cb_env, void *env, void (*fin)(void *))
{
	capi_hostfunc *h;
	wa_functype ft;
	if (!store || !type || (!cb && !cb_env) || capi_functype_to(type, &ft))
		return NULL;
	h = capi_obj_new(store, sizeof *h, OBJ_FUNC, 1);
	if (!h) {
		free(ft.types);
		return NULL;
	}
	h->type = ft;
	h->cb = cb;
	h->cb_env = cb_env;
	h->env = env;
	h->env_finalizer = fin;
	h->wf.type = &h->type;
	h->wf.host = host_call;
	h->wf.env = h;
	h->func.ext.x.kind = WA_EXT_FUNC;
	h->func.ext.x.func = &h->wf;
	return &h->func;
}

wasm_func_t *wasm_func_new(wasm_store_t *store, const wasm_functype_t *type, wasm_func_callback_t cb)
{
	return func_new(store, type, cb, NULL, NULL, NULL);
}

wasm_func_t *wasm_func_new_with_env(wasm_store_t *store, const wasm_functype_t *type,
				    wasm_func_callback_with_env_t cb, void *env, void (*finalizer)(void *))
{
	return func_new(store, type, NULL, cb, env, finalizer);
}

wasm_functype_t *wasm_func_type(const wasm_func_t *f)
{
	return f ? capi_functype_from(f->ext.x.func->type) : NULL;
}

size_t wasm_func_param_arity(const wasm_func_t *f)
{
	return f ? f->ext.x.func->type->nparams : 0;
}

size_t wasm_func_result_arity(const wasm_func_t *f)
{
	return f ? f->ext.x.func->type->nresults : 0;
}

/* ---- calls ---- */

static wasm_trap_t *check_args(wasm_store_t *store, const wa_functype *ft, const wasm_val_vec_t *args,
			       const wasm_val_vec_t *results, uint64_t *slots)
{
	size_t na = args ? args->size : 0, nr = results ? results->size : 0;
	if (na != ft->nparams || (na && !args->data))
		return capi_trapf(store, "wasm_func_call: %u arguments expected, %zu given", ft->nparams, na);
	if (nr != ft->nresults || (nr && !results->data))
		return capi_trapf(store, "wasm_func_call: %u results expected, room for %zu given", ft->nresults, nr);
	if (ft->param_slots != ft->nparams || ft->result_slots != ft->nresults)
		return capi_trap(store, "wasm_func_call: v128 values cannot pass through wasm.h", NULL);
	for (uint32_t i = 0; i < ft->nparams; i++) {
		const char *e = capi_val_to_slot(store, ft->types[i], &args->data[i], &slots[i]);
		if (e)
			return capi_trapf(store, "wasm_func_call: argument %u: %s (expected %s, got %s)", i, e,
					  capi_kind_name(capi_kind_of(ft->types[i])),
					  capi_kind_name(args->data[i].kind));
	}
	return NULL;
}

wasm_trap_t *capi_call_trap(wasm_store_t *store)
{
	wa_thread *t = &store->thread;
	wasm_trap_t *h = store->host_trap;
	if (h && h->msg && t->trap == h->msg) {
		store->host_trap = NULL;
		if (!h->nframes)
			capi_trap_frames(h, t);
		return h;
	}
	return capi_trap(store, t->trap ? t->trap : "trap", t);
}

static wasm_trap_t *results_out(const wa_functype *ft, const uint64_t *slots, wasm_val_vec_t *results)
{
	for (uint32_t j = 0; j < ft->nresults; j++) {
		uint8_t ty = wa_ft_results(ft)[j];
		capi_val_from_slot(ty, slots[j], &results->data[j], true);
		if (ty == WA_FUNCREF && slots[j] && !results->data[j].of.ref)
			return capi_trap(NULL, "out of memory", NULL);
	}
	return NULL;
}

wasm_trap_t *wasm_func_call(const wasm_func_t *func, const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
	uint64_t buf[MAX_INLINE], *slots = buf;
	wasm_store_t *store;
	const wa_functype *ft;
	wasm_trap_t *trap;
	const char *busy;
	size_t n;
	if (!func)
		return capi_trap(NULL, "wasm_func_call: func is NULL", NULL);
	store = func->ext.ref.store;
	ft = func->ext.x.func->type;
	n = ft->param_slots > ft->result_slots ? ft->param_slots : ft->result_slots;
	if (n > MAX_INLINE && !(slots = calloc(n, sizeof *slots)))
		return capi_trap(store, "out of memory", NULL);
	trap = check_args(store, ft, args, results, slots);
	if (!trap && (busy = capi_enter(store)))
		trap = capi_trap(store, busy, NULL);
	else if (!trap) {
		if (wa_call(&store->thread, func->ext.x.func, slots, slots))
			trap = capi_call_trap(store);
		else
			trap = results_out(ft, slots, results);
		if (capi_leaving_destroys(store)) { /* a callback deleted the store */
			if (trap)
				trap = capi_trap_detach(trap);
			for (uint32_t j = 0; !trap && j < ft->nresults; j++)
				wasm_val_delete(&results->data[j]);
		}
		capi_leave(store); /* results hold their handles now: may collect */
	}
	if (slots != buf)
		free(slots);
	return trap;
}

/* ---- cairn.h: text format, version ---- */

const char *cairn_version(void)
{
	return CAIRN_VERSION;
}

static void set_error(wasm_message_t *error, const char *msg, size_t line)
{
	char buf[260];
	if (!error)
		return;
	if (line)
		snprintf(buf, sizeof buf, "line %zu: %s", line, msg);
	else
		snprintf(buf, sizeof buf, "%s", msg);
	wasm_byte_vec_new(error, strlen(buf) + 1, buf);
}

bool cairn_wat2wasm(const char *text, size_t len, wasm_byte_vec_t *out, wasm_message_t *error)
{
	uint8_t *bin = NULL;
	size_t blen = 0;
	wa_err e = { "", 0 };
	int err;
	if (out)
		wasm_byte_vec_new_empty(out);
	if (error)
		wasm_byte_vec_new_empty(error);
	if (!out || (!text && len)) {
		set_error(error, "cairn_wat2wasm: no text or no output", 0);
		return false;
	}
	err = wa_wat_to_wasm(text, len, &bin, &blen, &e);
	if (err) {
		set_error(error, e.msg, e.offset);
		return false;
	}
	wasm_byte_vec_new(out, blen, (const wasm_byte_t *)bin);
	free(bin);
	if (blen && out->size != blen) {
		set_error(error, "out of memory", 0);
		return false;
	}
	return true;
}
