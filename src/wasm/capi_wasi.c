/* capi_wasi.c - cairn.h's WASI: configurations, contexts over the engine's
 * wa_wasi, and WASI functions as wasm_func_t objects of a store.  Those
 * forward to the engine's handlers and turn proc_exit into a trap that
 * carries its status.  A context is reference counted: the embedder holds
 * one reference and each function object another, so either the context
 * or the store may go first. */
#include "wasm/capi.h"
#include "wasm/wasi.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

typedef struct preopen {
	char *host, *guest;
} preopen;

struct cairn_wasi_config_t {
	char **argv, **env;          /* env: "NAME=VALUE" */
	size_t argc, nenv;
	preopen *dirs;
	size_t ndirs;
	int stdio[3];                /* host fds; -1: none */
	bool stdio_own[3];           /* opened by stdio_file: closed with the config */
};

struct cairn_wasi_t {
	atomic_uint refs;
	wa_wasi *w;
	wasm_store_t *store;
	int stdio[3];                /* the context's own copies of configured files, or -1 */
};

/* A WASI function in a store: a host function whose trampoline is
 * wasi_call, forwarding to the engine's handler. */
typedef struct wasi_func {
	capi_hostfunc h;             /* first: the store frees the object as a capi_hostfunc */
	wa_func *inner;
} wasi_func;

static void set_message(wasm_message_t *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_message(wasm_message_t *m, const char *fmt, ...)
{
	char buf[300];
	va_list ap;
	if (!m)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	wasm_byte_vec_new(m, strlen(buf) + 1, buf);
}

/* ---- configuration ---- */

cairn_wasi_config_t *cairn_wasi_config_new(void)
{
	cairn_wasi_config_t *c = calloc(1, sizeof *c);
	if (c)
		c->stdio[0] = c->stdio[1] = c->stdio[2] = -1;
	return c;
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void close_stdio(cairn_wasi_config_t *c, int fd)
{
	if (c->stdio_own[fd])
		close(c->stdio[fd]);
	c->stdio[fd] = -1;
	c->stdio_own[fd] = false;
}

void cairn_wasi_config_delete(cairn_wasi_config_t *c)
{
	if (!c)
		return;
	free_strings(c->argv, c->argc);
	free_strings(c->env, c->nenv);
	for (size_t i = 0; i < c->ndirs; i++) {
		free(c->dirs[i].host);
		free(c->dirs[i].guest);
	}
	free(c->dirs);
	for (int i = 0; i < 3; i++)
		close_stdio(c, i);
	free(c);
}

bool cairn_wasi_config_set_argv(cairn_wasi_config_t *c, size_t argc, const char *const argv[])
{
	char **v;
	if (!c || (argc && !argv) || argc > INT32_MAX || !(v = calloc(argc + 1, sizeof *v)))
		return false;
	for (size_t i = 0; i < argc; i++)
		if (!argv[i] || !(v[i] = strdup(argv[i]))) {
			free_strings(v, i);
			return false;
		}
	free_strings(c->argv, c->argc);
	c->argv = v;
	c->argc = argc;
	return true;
}

/* Adds "name=value" (len bytes of name), replacing a variable of that name. */
static bool put_env(cairn_wasi_config_t *c, const char *name, size_t len, const char *value)
{
	char *s, **v;
	if (!len || memchr(name, '=', len) || c->nenv >= INT32_MAX)
		return false;
	if (!(s = malloc(len + strlen(value) + 2)))
		return false;
	sprintf(s, "%.*s=%s", (int)len, name, value);
	for (size_t i = 0; i < c->nenv; i++)
		if (!strncmp(c->env[i], s, len + 1)) {
			free(c->env[i]);
			c->env[i] = s;
			return true;
		}
	if (!(v = realloc(c->env, (c->nenv + 1) * sizeof *v))) {
		free(s);
		return false;
	}
	c->env = v;
	c->env[c->nenv++] = s;
	return true;
}

bool cairn_wasi_config_set_env(cairn_wasi_config_t *c, const char *name, const char *value)
{
	return c && name && value && put_env(c, name, strlen(name), value);
}

bool cairn_wasi_config_inherit_env(cairn_wasi_config_t *c)
{
	if (!c)
		return false;
	for (char **e = environ; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		if (eq && eq != *e && !put_env(c, *e, (size_t)(eq - *e), eq + 1))
			return false;
	}
	return true;
}

bool cairn_wasi_config_preopen_dir(cairn_wasi_config_t *c, const char *host_path, const char *guest_path)
{
	preopen *d;
	char *h, *g;
	if (!c || !host_path || !guest_path || c->ndirs >= 1024)
		return false;
	h = strdup(host_path);
	g = strdup(guest_path);
	d = h && g ? realloc(c->dirs, (c->ndirs + 1) * sizeof *d) : NULL;
	if (!d) {
		free(h);
		free(g);
		return false;
	}
	c->dirs = d;
	c->dirs[c->ndirs++] = (preopen){ h, g };
	return true;
}

bool cairn_wasi_config_stdio_fd(cairn_wasi_config_t *c, int fd, int host_fd)
{
	if (!c || fd < 0 || fd > 2 || host_fd < -1 || (host_fd >= 0 && fcntl(host_fd, F_GETFD) < 0))
		return false;
	close_stdio(c, fd);
	c->stdio[fd] = host_fd;
	return true;
}

bool cairn_wasi_config_stdio_file(cairn_wasi_config_t *c, int fd, const char *path)
{
	int h;
	if (!c || fd < 0 || fd > 2 || !path)
		return false;
	h = fd == 0 ? open(path, O_RDONLY | O_CLOEXEC) : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (h < 0)
		return false;
	close_stdio(c, fd);
	c->stdio[fd] = h;
	c->stdio_own[fd] = true;
	return true;
}

bool cairn_wasi_config_inherit_stdio(cairn_wasi_config_t *c)
{
	for (int i = 0; i < 3; i++)
		if (!cairn_wasi_config_stdio_fd(c, i, i))
			return false;
	return true;
}

/* ---- contexts ---- */

static void ctx_unref(void *p)
{
	cairn_wasi_t *cw = p;
	if (atomic_fetch_sub(&cw->refs, 1) != 1)
		return;
	wa_wasi_free(cw->w);
	for (int i = 0; i < 3; i++)
		if (cw->stdio[i] >= 0)
			close(cw->stdio[i]);
	free(cw);
}

cairn_wasi_t *cairn_wasi_new(wasm_store_t *store, const cairn_wasi_config_t *c, wasm_message_t *error)
{
	wa_wasi_config wc = { .flags = 0 };
	wa_wasi_dir *dirs = NULL;
	cairn_wasi_t *cw;
	wa_err e = { "", 0 };
	if (error)
		wasm_byte_vec_new_empty(error);
	if (!store || !c) {
		set_message(error, "cairn_wasi_new: %s is NULL", store ? "config" : "store");
		return NULL;
	}
	cw = calloc(1, sizeof *cw);
	if (!cw || (c->ndirs && !(dirs = calloc(c->ndirs, sizeof *dirs)))) {
		free(cw);
		set_message(error, "out of memory");
		return NULL;
	}
	atomic_init(&cw->refs, 1);
	cw->store = store;
	cw->stdio[0] = cw->stdio[1] = cw->stdio[2] = -1;
	for (int i = 0; i < 3; i++) {
		/* a file the config opened gets a copy: config and context may go in any order */
		cw->stdio[i] = c->stdio_own[i] ? fcntl(c->stdio[i], F_DUPFD_CLOEXEC, 3) : -1;
		wc.stdio[i] = c->stdio_own[i] ? cw->stdio[i] : c->stdio[i];
		if (c->stdio_own[i] && cw->stdio[i] < 0) {
			set_message(error, "cairn_wasi_new: cannot duplicate the file for fd %d: %s", i, strerror(errno));
			goto fail;
		}
	}
	for (size_t i = 0; i < c->ndirs; i++)
		dirs[i] = (wa_wasi_dir){ c->dirs[i].host, c->dirs[i].guest };
	wc.argv = (const char *const *)c->argv;
	wc.argc = (int)c->argc;
	wc.env = (const char *const *)c->env;
	wc.nenv = (int)c->nenv;
	wc.dirs = dirs;
	wc.ndirs = (int)c->ndirs;
	if (wa_wasi_new(&wc, &cw->w, &e)) {
		set_message(error, "%s", e.msg);
		goto fail;
	}
	free(dirs);
	return cw;
fail:
	free(dirs);
	ctx_unref(cw);
	return NULL;
}

void cairn_wasi_delete(cairn_wasi_t *cw)
{
	if (cw)
		ctx_unref(cw);
}

void cairn_wasi_interrupt(cairn_wasi_t *cw)
{
	if (!cw)
		return;
	wa_wasi_interrupt(cw->w);
	wa_thread_interrupt(&cw->store->thread);
}

/* ---- WASI functions in a store ---- */

static const char *wasi_call(wa_thread *t, void *env, uint64_t *slots)
{
	wasi_func *f = env;
	cairn_wasi_t *cw = f->h.env;
	wasm_store_t *store = f->h.func.ext.ref.store;
	const char *r = f->inner->host(t, f->inner->env, slots);
	wasm_trap_t *trap;
	if (r != wa_wasi_exit_trap)
		return r;
	trap = capi_trapf(store, "exit status %d", (int)wa_wasi_exit_code(cw->w));
	if (!trap)
		return "out of memory";
	trap->exited = true;
	trap->exit_code = (int)wa_wasi_exit_code(cw->w);
	return capi_host_trap(store, trap);
}

static wasm_func_t *wasi_func_new(cairn_wasi_t *cw, wa_func *inner)
{
	const wa_functype *ft = inner->type;
	size_t n = (size_t)ft->nparams + ft->nresults;
	wasi_func *f = capi_obj_new(cw->store, sizeof *f, OBJ_FUNC, 1);
	if (!f)
		return NULL;
	f->inner = inner;
	f->h.type = *ft;
	f->h.type.types = malloc(n + 1);
	if (!f->h.type.types) {
		capi_release(&f->h.func.ext.ref); /* unreachable: freed by a collection */
		return NULL;
	}
	memcpy(f->h.type.types, ft->types, n);
	f->h.wf.type = &f->h.type;
	f->h.wf.host = wasi_call;
	f->h.wf.env = f;
	f->h.env = cw;
	f->h.env_finalizer = ctx_unref;
	atomic_fetch_add(&cw->refs, 1);
	f->h.func.ext.x.kind = WA_EXT_FUNC;
	f->h.func.ext.x.func = &f->h.wf;
	return &f->h.func;
}

bool cairn_wasi_define_imports(cairn_wasi_t *cw, const wasm_module_t *mo, wasm_extern_vec_t *imports,
			       wasm_message_t *error)
{
	const wa_module *m;
	if (error)
		wasm_byte_vec_new_empty(error);
	if (!cw || !mo || !imports) {
		set_message(error, "cairn_wasi_define_imports: %s is NULL", !cw ? "wasi" : !mo ? "module" : "imports");
		return false;
	}
	if (mo->ref.store != cw->store) {
		set_message(error, "cairn_wasi_define_imports: the module belongs to another store than the WASI context");
		return false;
	}
	m = mo->cm->m;
	if (!imports->size && m->nimports) {
		wasm_extern_vec_new_uninitialized(imports, m->nimports);
		if (!imports->data) {
			imports->size = 0;
			set_message(error, "out of memory");
			return false;
		}
		memset(imports->data, 0, m->nimports * sizeof *imports->data);
	}
	if (imports->size != m->nimports || (imports->size && !imports->data)) {
		set_message(error, "cairn_wasi_define_imports: the module has %u imports, the vector %zu entries",
			    m->nimports, imports->size);
		return false;
	}
	for (uint32_t i = 0; i < m->nimports; i++) {
		const wa_import *im = &m->imports[i];
		wa_func *inner;
		wa_err e = { "", 0 };
		if (imports->data[i] || im->mlen != strlen(WA_WASI_MODULE) ||
		    memcmp(im->module, WA_WASI_MODULE, im->mlen))
			continue;
		if (im->kind != WA_EXT_FUNC) {
			set_message(error, "import %u (\"%.*s\" \"%.*s\"): WASI has only functions", i, (int)im->mlen,
				    im->module, (int)im->nlen, im->name);
			return false;
		}
		if (wa_wasi_import(cw->w, im->module, im->mlen, im->name, im->nlen, &m->types[im->type], &inner, &e)) {
			set_message(error, "import %u: %s", i, e.msg);
			return false;
		}
		if (!(imports->data[i] = (wasm_extern_t *)wasi_func_new(cw, inner))) {
			set_message(error, "out of memory");
			return false;
		}
	}
	return true;
}

bool cairn_wasi_bind_instance(cairn_wasi_t *cw, const wasm_instance_t *in)
{
	wa_extern x;
	if (!cw || !in || !in->inst || in->ref.store != cw->store)
		return false;
	wa_wasi_bind(cw->w, in->inst);
	return !wa_instance_export(in->inst, "memory", 6, &x) && x.kind == WA_EXT_MEMORY;
}

wasm_trap_t *cairn_wasi_run_start(cairn_wasi_t *cw, const wasm_instance_t *in, int *exit_code)
{
	wasm_val_vec_t none = WASM_EMPTY_VEC;
	wasm_store_t *store = cw ? cw->store : in ? in->ref.store : NULL;
	wa_extern x;
	wasm_func_t *start;
	wasm_trap_t *trap;
	int code;
	if (!cw || !in || !exit_code || !in->inst || in->ref.store != cw->store)
		return capi_trapf(store, "cairn_wasi_run_start: %s", !cw ? "wasi is NULL" : !in ? "instance is NULL" :
				  !exit_code ? "exit_code is NULL" : !in->inst ? "instance not instantiated" :
				  "the instance belongs to another store than the WASI context");
	if (wa_instance_export(in->inst, "_start", 6, &x) || x.kind != WA_EXT_FUNC ||
	    x.func->type->nparams || x.func->type->nresults)
		return capi_trap(store, "cairn_wasi_run_start: no export \"_start\" of type [] -> []", NULL);
	cairn_wasi_bind_instance(cw, in);
	start = capi_func_obj(x.func);
	if (!start)
		return capi_trap(store, "out of memory", NULL);
	trap = wasm_func_call(start, &none, &none);
	if (!trap)
		*exit_code = 0;
	else if (cairn_wasi_exit_code(trap, &code)) {
		wasm_trap_delete(trap);
		*exit_code = code;
		trap = NULL;
	}
	return trap;
}

bool cairn_wasi_exit_code(const wasm_trap_t *trap, int *code)
{
	if (!trap || !trap->exited)
		return false;
	if (code)
		*code = trap->exit_code;
	return true;
}
