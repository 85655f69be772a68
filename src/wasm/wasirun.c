/* wasirun.c - one WASI program with wasmtime's options and exit statuses:
 * the option parser, the loader and the run (instantiate, _initialize,
 * --invoke or _start, traps as statuses) that `cairn run` and the
 * hypervisor's wasm units share.  Nothing here prints but --invoke's results
 * (to stdout unless the host says where): errors are values. */
#include "wasm/wasirun.h"

#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wasm/text.h"

#define STACK_SLOTS ((size_t)1 << 23) /* 64 MiB of value stack, touched as used */
#define MAX_DEPTH 100000

extern char **environ;

/* ---- option values ---- */

/* A number with an optional K/M/G (KiB...) suffix. */
static int parse_bytes(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	uint64_t mul = 1;
	if (errno || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'k': case 'K': mul = 1ull << 10; end++; break;
	case 'm': case 'M': mul = 1ull << 20; end++; break;
	case 'g': case 'G': mul = 1ull << 30; end++; break;
	}
	if (mul > 1 && *end == 'i')
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v > UINT64_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

/* humantime-style durations: 2s, 500ms, 100us, 1m / 1min, 1h; plain = seconds. */
static int parse_duration(const char *s, uint64_t *ns)
{
	static const struct { const char *unit; double mul; } units[] = {
		{ "", 1e9 }, { "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 }, { "ns", 1 },
		{ "m", 60e9 }, { "min", 60e9 }, { "h", 3600e9 },
	};
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || !(v > 0) || !isfinite(v))
		return -1;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (!strcmp(end, units[i].unit) && v * units[i].mul < 1.8e19) {
			*ns = (uint64_t)(v * units[i].mul);
			return *ns ? 0 : -1;
		}
	return -1;
}

static int add_env(wa_run_opts *o, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	char *c = strdup(kv);
	if (!c)
		return -1;
	for (int i = 0; i < o->nenv; i++)
		if (!strncmp(o->env[i], kv, klen) && o->env[i][klen] == '=') {
			free(o->env[i]);
			o->env[i] = c;
			return 0;
		}
	char **e = realloc(o->env, (size_t)(o->nenv + 1) * sizeof *e);
	if (!e) {
		free(c);
		return -1;
	}
	o->env = e;
	o->env[o->nenv++] = c;
	return 0;
}

/* --env NAME=VAL, or --env NAME: the host's value, if it has one. */
static int opt_env(wa_run_opts *o, const char *v)
{
	if (!strchr(v, '=')) {
		const char *hv = getenv(v);
		char *kv;
		if (!hv)
			return 0;
		if (asprintf(&kv, "%s=%s", v, hv) < 0)
			return -1;
		int r = add_env(o, kv);
		free(kv);
		return r;
	}
	return v[0] == '=' ? -1 : add_env(o, v);
}

static int opt_dir(wa_run_opts *o, const char *v, bool guest_first)
{
	const char *sep = strstr(v, "::");
	wa_wasi_dir *d = realloc(o->dirs, (size_t)(o->ndirs + 1) * sizeof *d);
	if (!d)
		return -1;
	o->dirs = d;
	d = &o->dirs[o->ndirs];
	if (!sep) {
		d->host = d->guest = strdup(v);
		if (!d->host)
			return -1;
	} else {
		char *a = strndup(v, (size_t)(sep - v)), *b = strdup(sep + 2);
		if (!a || !b || !*a || !*b) {
			free(a);
			free(b);
			return -1;
		}
		d->host = guest_first ? b : a; /* wasmtime's old --mapdir GUEST::HOST */
		d->guest = guest_first ? a : b;
	}
	o->ndirs++;
	return 0;
}

#define REPORTED 1 /* an option error already explained in e */

/* --tcplisten ADDR:PORT ([v6]:PORT): a listening socket for the guest.  The
 * port is decimal, 0-65535 (getaddrinfo would wrap 99999 to 34463 and take
 * service names); the address is required (0.0.0.0 for every interface). */
static int opt_listen(wa_run_opts *o, const char *v, cairn_errbuf *e)
{
	char host[256];
	const char *colon = strrchr(v, ':'), *port = colon ? colon + 1 : "", *h = v;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV }, *ai;
	size_t hl = colon ? (size_t)(colon - v) : 0, nd = strspn(port, "0123456789");
	int fd = -1, one = 1, r;
	if (v[0] == '[' && hl >= 2 && v[hl - 1] == ']') { /* [v6]:PORT */
		h++;
		hl -= 2;
	}
	if (!colon || !hl || hl >= sizeof host || memchr(h, '[', hl) || memchr(h, ']', hl)) {
		cairn_errorf(e, "run: --tcplisten %s: expected ADDRESS:PORT (an IPv6 address in brackets)", v);
		return REPORTED;
	}
	if (!nd || port[nd] || nd > 5 || atoi(port) > 65535) {
		cairn_errorf(e, "run: --tcplisten %s: the port must be a number from 0 to 65535", v);
		return REPORTED;
	}
	memcpy(host, h, hl);
	host[hl] = 0;
	if ((r = getaddrinfo(host, port, &hints, &ai))) {
		cairn_errorf(e, "run: --tcplisten %s: bad address '%s': %s", v, host, gai_strerror(r));
		return REPORTED;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 64)) {
		cairn_errorf(e, "run: cannot listen on %s: %s", v, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return REPORTED;
	}
	freeaddrinfo(ai);
	int *s = realloc(o->socks, (size_t)(o->nsocks + 1) * sizeof *s);
	if (!s) {
		close(fd);
		return -1;
	}
	o->socks = s;
	o->socks[o->nsocks++] = fd;
	return 0;
}

/* One key=value of -W or -S. */
static int opt_key(wa_run_opts *o, char *kv, cairn_errbuf *e)
{
	char *v = strchr(kv, '=');
	uint64_t n;
	if (v)
		*v++ = 0;
	if (!strcmp(kv, "fuel") && v && !parse_bytes(v, &n) && n <= INT64_MAX)
		o->fuel = (int64_t)n;
	else if (!strcmp(kv, "timeout") && v)
		return parse_duration(v, &o->timeout_ns);
	else if (!strcmp(kv, "max-memory-size") && v)
		return parse_bytes(v, &o->max_memory);
	else if (!strcmp(kv, "inherit-env"))
		o->inherit_env = !v || !strcmp(v, "y") || !strcmp(v, "yes") || !strcmp(v, "true");
	else if (!strcmp(kv, "tcplisten") && v)
		return opt_listen(o, v, e);
	else
		return -1;
	return 0;
}

static int opt_keys(wa_run_opts *o, const char *list, cairn_errbuf *e)
{
	char *c = strdup(list), *save = NULL;
	int err = c ? 0 : -1;
	for (char *k = c ? strtok_r(c, ",", &save) : NULL; k && !err; k = strtok_r(NULL, ",", &save))
		err = opt_key(o, k, e);
	free(c);
	return err;
}

/* "--name VALUE" or "--name=VALUE": the value, consuming it; else NULL. */
static const char *optval(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static int parse_opt(wa_run_opts *o, int argc, char **argv, int *i, cairn_errbuf *e)
{
	const char *a = argv[*i], *v;
	uint64_t n;
	if ((v = optval(argc, argv, i, "--dir")))
		return opt_dir(o, v, false);
	if ((v = optval(argc, argv, i, "--mapdir")))
		return opt_dir(o, v, true);
	if ((v = optval(argc, argv, i, "--env")))
		return opt_env(o, v);
	if (!strcmp(a, "--inherit-env"))
		return o->inherit_env = true, 0;
	if ((v = optval(argc, argv, i, "--invoke")))
		return o->invoke = v, 0;
	if ((v = optval(argc, argv, i, "--argv0")))
		return o->argv0 = v, 0;
	if ((v = optval(argc, argv, i, "--tcplisten")))
		return opt_listen(o, v, e);
	if ((v = optval(argc, argv, i, "--fuel")))
		return parse_bytes(v, &n) || n > INT64_MAX ? -1 : (o->fuel = (int64_t)n, 0);
	if ((v = optval(argc, argv, i, "--timeout")))
		return parse_duration(v, &o->timeout_ns);
	if ((v = optval(argc, argv, i, "--max-memory")) || (v = optval(argc, argv, i, "--max-memory-size")))
		return parse_bytes(v, &o->max_memory);
	if ((v = optval(argc, argv, i, "-W")) || (v = optval(argc, argv, i, "-S")))
		return opt_keys(o, v, e);
	return o->extra ? o->extra(o->extra_ctx, argc, argv, i, e) : -1;
}

/* --inherit-env: the host's environment first; --env settings override. */
static int inherit_env(wa_run_opts *o)
{
	char **explicit = o->env;
	int n = o->nenv, err = 0;
	o->env = NULL;
	o->nenv = 0;
	for (char **e = environ; *e && !err; e++)
		if (strchr(*e, '=') && add_env(o, *e))
			err = -1;
	for (int k = 0; k < n; k++) {
		if (!err && add_env(o, explicit[k]))
			err = -1;
		free(explicit[k]);
	}
	free(explicit);
	return err;
}

int wa_run_parse(wa_run_opts *o, int argc, char **argv, cairn_errbuf *e)
{
	int i;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return WA_RUN_HELP;
		int at = i, r = parse_opt(o, argc, argv, &i, e);
		if (r == REPORTED)
			return -1;
		if (r) {
			cairn_errorf(e, "run: bad or unknown option '%s'%s%s (try 'cairn run -h')", argv[at],
				     i > at ? " " : "", i > at ? argv[i] : "");
			return -1;
		}
	}
	if (i >= argc) {
		cairn_errorf(e, "run: no program given (PROG.wasm or PROG.wat)");
		return WA_RUN_NO_PROGRAM;
	}
	o->path = argv[i];
	o->args = argv + i + 1;
	o->nargs = argc - i - 1;
	if (o->inherit_env && inherit_env(o)) {
		cairn_errorf(e, "run: out of memory");
		return -1;
	}
	return 0;
}

void wa_run_opts_free(wa_run_opts *o)
{
	for (int i = 0; i < o->ndirs; i++) {
		if (o->dirs[i].guest != o->dirs[i].host)
			free((char *)o->dirs[i].guest);
		free((char *)o->dirs[i].host);
	}
	free(o->dirs);
	for (int i = 0; i < o->nenv; i++)
		free(o->env[i]);
	free(o->env);
	for (int i = 0; i < o->nsocks; i++)
		close(o->socks[i]);
	free(o->socks);
	o->dirs = NULL;
	o->env = NULL;
	o->socks = NULL;
	o->ndirs = o->nenv = o->nsocks = 0;
}

/* ---- loading ---- */


/* Binary module, or the text of one: a (module ...) or its fields alone. */
static int load(const char *path, wa_module **out, cairn_errbuf *ce)
{
	size_t len = 0, blen = 0;
	char *src = base_read_file(path, &len);
	uint8_t *bin = NULL;
	wa_err e = { "", 0 };
	int err = -1;
	*out = NULL;
	if (!src) {
		cairn_errorf(ce, "run: cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (len >= 4 && !memcmp(src, "\0asm", 4)) {
		err = wa_decode((const uint8_t *)src, len, out, &e);
	} else if (!(err = wa_wat_to_wasm(src, len, &bin, &blen, &e))) {
		err = wa_decode(bin, blen, out, &e);
		free(bin);
	}
	if (!err && (err = wa_validate(*out, &e)) != 0) {
		wa_module_free(*out);
		*out = NULL;
	}
	if (err)
		cairn_errorf(ce, "run: %s: %s", path, e.msg[0] ? e.msg : "not a WebAssembly module");
	free(src);
	return err ? -1 : 0;
}

static int check_memory(const wa_run_opts *o, const wa_module *m, cairn_errbuf *e)
{
	for (uint32_t i = 0; o->max_memory && i < m->nmems; i++)
		if (m->mems[i].min * 65536 > o->max_memory) {
			cairn_errorf(e, "run: %s: memory %u needs %llu bytes, above --max-memory %llu", o->path, i,
				     (unsigned long long)(m->mems[i].min * 65536), (unsigned long long)o->max_memory);
			return -1;
		}
	return 0;
}

int wa_run_load(const wa_run_opts *o, wa_module **out, cairn_errbuf *e)
{
	if (load(o->path, out, e))
		return -1;
	if (check_memory(o, *out, e)) {
		wa_module_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* memory.grow stops at --max-memory. */
static void cap_memory(const wa_run_opts *o, wa_instance *inst)
{
	uint64_t pages = o->max_memory / 65536;
	for (uint32_t i = 0; o->max_memory && i < inst->mod->nmems; i++)
		if (inst->mems[i]->max > pages)
			inst->mems[i]->max = (uint32_t)pages;
}

/* ---- --invoke values ---- */

static int parse_value(const char *s, uint8_t type, uint64_t *slot)
{
	char *end;
	errno = 0;
	switch (type) {
	case WA_I32: case WA_I64: {
		bool neg = *s == '-';
		unsigned long long v = strtoull(neg ? s + 1 : s, &end, 0);
		uint64_t lim = type == WA_I32 ? (neg ? 0x80000000ull : 0xffffffffull)
					      : (neg ? 0x8000000000000000ull : UINT64_MAX);
		if (errno || end == s || *end || (neg && s[1] == '-') || v > lim)
			return -1;
		*slot = neg ? (uint64_t)0 - v : v;
		if (type == WA_I32)
			*slot = (uint32_t)*slot;
		return 0;
	}
	case WA_F32: {
		float f = strtof(s, &end);
		uint32_t b;
		memcpy(&b, &f, 4);
		*slot = b;
		return end == s || *end ? -1 : 0;
	}
	case WA_F64: {
		double d = strtod(s, &end);
		memcpy(slot, &d, 8);
		return end == s || *end ? -1 : 0;
	}
	default:
		return -1;
	}
}

/* Shortest decimal that reads back as the same value (like wasmtime's Rust). */
static void format_float(char *buf, size_t len, double v, int maxdigits, bool single)
{
	if (isnan(v)) {
		snprintf(buf, len, "NaN\n");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, len, "%s\n", v < 0 ? "-inf" : "inf");
		return;
	}
	for (int p = 1; p <= maxdigits; p++) {
		snprintf(buf, len, "%.*g", p, v);
		if (single ? strtof(buf, NULL) == (float)v : strtod(buf, NULL) == v)
			break;
	}
	size_t n = strlen(buf);
	snprintf(buf + n, len - n, "\n");
}

static void format_value(char *buf, size_t len, uint8_t type, const uint64_t *slot)
{
	float f;
	double d;
	uint32_t b = (uint32_t)slot[0];
	switch (type) {
	case WA_I32: snprintf(buf, len, "%d\n", (int32_t)b); break;
	case WA_I64: snprintf(buf, len, "%lld\n", (long long)(int64_t)slot[0]); break;
	case WA_F32: memcpy(&f, &b, 4); format_float(buf, len, f, 9, true); break;
	case WA_F64: memcpy(&d, slot, 8); format_float(buf, len, d, 17, false); break;
	case WA_V128: snprintf(buf, len, "0x%016llx%016llx\n", (unsigned long long)slot[1], (unsigned long long)slot[0]); break;
	default: snprintf(buf, len, "%s\n", slot[0] ? "<ref>" : "null"); break;
	}
}

static void print_line(const wa_run_host *h, const char *line)
{
	if (h->print)
		h->print(h->ctx, line);
	else
		fputs(line, stdout);
}

/* ---- running ---- */

void wa_run_print_trace(FILE *out, char *trace)
{
	char *f = trace, *next;
	int i = 0, repeat = 0;
	if (!*trace)
		return;
	fprintf(out, "wasm backtrace:\n");
	for (; f; f = next) {
		next = strstr(f, " <- ");
		if (next) {
			*next = 0;
			next += 4;
		}
		size_t len = strlen(f);
		if (next && !strncmp(f, next, len) && (!next[len] || !strncmp(next + len, " <- ", 4))) {
			repeat++;
			continue;
		}
		if (repeat)
			fprintf(out, "  %2d-%d: %s\n", i, i + repeat, f);
		else
			fprintf(out, "  %2d: %s\n", i, f);
		i += repeat + 1;
		repeat = 0;
	}
}

/* The run ended in a trap: proc_exit's status, or a trap's (134). */
static int trapped(const wa_run_host *h, wa_thread *t, wa_wasi *w, wa_run_result *r)
{
	int64_t code = wa_wasi_exit_code(w);
	if (t->trap == wa_wasi_exit_trap && code >= 0) {
		if (code < 126)
			return (int)code;
		snprintf(r->msg, sizeof r->msg, "exit with invalid exit status outside of [0..126): %lld", (long long)code);
		return 1;
	}
	r->trap = t->trap;
	if (h->timed_out && h->timed_out(h->ctx) && !strcmp(t->trap, WA_TRAP_INTERRUPT))
		snprintf(r->msg, sizeof r->msg, "wasm trap: interrupted (--timeout reached)");
	else
		snprintf(r->msg, sizeof r->msg, "wasm trap: %s", t->trap);
	wa_trap_trace(t, r->trace, sizeof r->trace);
	return WA_RUN_EXIT_TRAP;
}

static int invoke(const wa_run_opts *o, const wa_run_host *h, wa_instance *inst, wa_thread *t, wa_wasi *w,
		  wa_run_result *r)
{
	wa_extern x;
	const char *name = o->invoke ? o->invoke : "_start";
	if (wa_instance_export(inst, name, strlen(name), &x) || x.kind != WA_EXT_FUNC) {
		if (!o->invoke)
			return 0; /* no _start: instantiating was the whole run, as in wasmtime */
		snprintf(r->msg, sizeof r->msg, "no exported function '%s'", name);
		return 1;
	}
	const wa_functype *ft = x.func->type;
	uint64_t *args = calloc(ft->param_slots + 1, 8), *res = calloc(ft->result_slots + 1, 8);
	int rc = 0;
	if (!args || !res || (o->invoke && (uint32_t)o->nargs != ft->nparams)) {
		snprintf(r->msg, sizeof r->msg, "'%s' takes %u arguments, %d given", name, ft->nparams, o->nargs);
		rc = 1;
	}
	for (uint32_t i = 0, s = 0; !rc && i < ft->nparams; s += (uint32_t)wa_slots(ft->types[i]), i++)
		if (parse_value(o->args[i], ft->types[i], &args[s])) {
			snprintf(r->msg, sizeof r->msg, "bad argument '%s' for parameter %u of '%s'", o->args[i], i, name);
			rc = 1;
		}
	if (!rc && wa_call(t, x.func, args, res)) {
		rc = trapped(h, t, w, r);
	} else if (!rc && o->invoke) {
		char line[64];
		for (uint32_t i = 0, s = 0; i < ft->nresults; s += (uint32_t)wa_slots(wa_ft_results(ft)[i]), i++) {
			format_value(line, sizeof line, wa_ft_results(ft)[i], &res[s]);
			print_line(h, line);
		}
		if (!h->print)
			fflush(stdout);
	}
	free(args);
	free(res);
	return rc;
}

/* _initialize (a reactor's constructor) before an --invoke'd export. */
static int initialize(const wa_run_opts *o, const wa_run_host *h, wa_instance *inst, wa_thread *t, wa_wasi *w,
		      wa_run_result *r)
{
	wa_extern x;
	if (!o->invoke || wa_instance_export(inst, "_initialize", 11, &x) || x.kind != WA_EXT_FUNC ||
	    x.func->type->nparams || x.func->type->nresults)
		return 0;
	return wa_call(t, x.func, NULL, NULL) ? trapped(h, t, w, r) : 0;
}

int wa_run_exec(const wa_run_opts *o, wa_module *m, const wa_run_host *h, wa_run_result *r)
{
	const char **argv = calloc((size_t)o->nargs + 1, sizeof *argv);
	wa_wasi_config c = { argv, o->nargs + 1, (const char *const *)o->env, o->nenv, o->dirs, o->ndirs,
			     o->socks, o->nsocks, { h->stdio[0], h->stdio[1], h->stdio[2] }, h->wasi_flags,
			     h->hooks, h->ctx };
	wa_wasi *w = NULL;
	wa_extern *imports = NULL;
	wa_instance *inst = NULL;
	wa_thread t = { 0 };
	wa_err e = { "", 0 };
	bool begun = false;
	*r = (wa_run_result){ .status = 1 };
	if (!argv)
		goto out;
	/* argv[0]: the file name without its directories, as wasmtime (no host paths leak) */
	argv[0] = o->argv0 ? o->argv0 : strrchr(o->path, '/') ? strrchr(o->path, '/') + 1 : o->path;
	memcpy(argv + 1, o->args, (size_t)o->nargs * sizeof *argv);
	if (wa_wasi_new(&c, &w, &e) || wa_wasi_imports(w, m, &imports, &e) ||
	    wa_thread_init(&t, STACK_SLOTS, MAX_DEPTH)) {
		snprintf(r->msg, sizeof r->msg, "%s", e.msg[0] ? e.msg : "out of memory");
		goto out;
	}
	t.fuel = o->fuel;
	if (h->begin)
		h->begin(h->ctx, &t, w);
	begun = true;
	if (wa_instantiate(m, imports, &t, &inst, &e)) {
		/* a start function that traps, or calls proc_exit */
		if (inst && t.trap && !strcmp(e.msg, t.trap))
			r->status = trapped(h, &t, w, r);
		else
			snprintf(r->msg, sizeof r->msg, "%s", e.msg);
		goto out;
	}
	cap_memory(o, inst);
	wa_wasi_bind(w, inst);
	if (h->instance)
		h->instance(h->ctx, inst);
	r->status = initialize(o, h, inst, &t, w, r);
	if (!r->status)
		r->status = invoke(o, h, inst, &t, w, r);
out:
	if (inst && h->instance)
		h->instance(h->ctx, NULL);
	if (begun && h->end)
		h->end(h->ctx);
	if (!h->print)
		fflush(stdout);
	wa_instance_free(inst);
	free(imports);
	wa_wasi_free(w);
	wa_thread_free(&t);
	free(argv);
	return r->status;
}
