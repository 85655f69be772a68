/* run.c - `cairn run [options] PROG.wasm|PROG.wat [ARGS...]`: one WebAssembly
 * program under WASI preview1, with wasmtime's options and exit statuses:
 * proc_exit's status, or 134 (128 + SIGABRT) after a trap. */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wasm/text.h"
#include "wasm/wasi.h"

#define EXIT_TRAP (128 + SIGABRT)
#define STACK_SLOTS ((size_t)1 << 23) /* 64 MiB of value stack, touched as used */
#define MAX_DEPTH 100000

extern char **environ;

typedef struct run_opts {
	wa_wasi_dir *dirs;
	int ndirs;
	char **env;             /* "K=V", owned */
	int nenv;
	bool inherit_env;
	int *socks;
	int nsocks;
	const char *invoke, *argv0, *path;
	int64_t fuel;           /* < 0: none */
	uint64_t timeout_ns;    /* 0: none */
	uint64_t max_memory;    /* bytes; 0: none */
	int stdio[3];           /* host fds for the guest's 0-2; -1: closed */
	char **args;            /* the program's arguments after its path */
	int nargs;
} run_opts;

static void run_usage(FILE *f)
{
	fprintf(f,
		"usage: cairn run [options] PROG.wasm|PROG.wat [ARGS...]   (wasmtime's options)\n"
		"  --dir HOST[::GUEST]     preopen directory HOST, seen by the program as GUEST\n"
		"  --env NAME=VAL          set an environment variable (--env NAME: take the host's)\n"
		"  --inherit-env           pass the whole host environment (default: none)\n"
		"  --invoke NAME [ARGS]    call export NAME with ARGS (by its parameter types), print results\n"
		"  --argv0 NAME            argv[0] for the program (default: PROG's file name)\n"
		"  --tcplisten ADDR:PORT   preopen a listening TCP socket (fd after the directories)\n"
		"  --fuel N                trap after N loop iterations + calls\n"
		"  --timeout DUR           trap after DUR (e.g. 2s, 500ms, 1m)\n"
		"  --max-memory BYTES      cap linear memory (suffixes K M G)\n"
		"  -W fuel=N,timeout=DUR,max-memory-size=BYTES   the same, wasmtime's form\n"
		"  -S inherit-env,tcplisten=ADDR:PORT            the same, wasmtime's form\n"
		"Everything after PROG goes to the program.  Exit status: the program's\n"
		"proc_exit status, 134 after a trap (message and wasm backtrace on stderr),\n"
		"1 when the module cannot be loaded.\n");
}

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

static int add_env(run_opts *o, const char *kv)
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
static int opt_env(run_opts *o, const char *v)
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

static int opt_dir(run_opts *o, const char *v, bool guest_first)
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

#define REPORTED (-2) /* an option error already explained on stderr */

/* --tcplisten ADDR:PORT ([v6]:PORT): a listening socket for the guest.  The
 * port is decimal, 0-65535 (getaddrinfo would wrap 99999 to 34463 and take
 * service names); the address is required (0.0.0.0 for every interface). */
static int opt_listen(run_opts *o, const char *v)
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
		cairn_error("run: --tcplisten %s: expected ADDRESS:PORT (an IPv6 address in brackets)", v);
		return REPORTED;
	}
	if (!nd || port[nd] || nd > 5 || atoi(port) > 65535) {
		cairn_error("run: --tcplisten %s: the port must be a number from 0 to 65535", v);
		return REPORTED;
	}
	memcpy(host, h, hl);
	host[hl] = 0;
	if ((r = getaddrinfo(host, port, &hints, &ai))) {
		cairn_error("run: --tcplisten %s: bad address '%s': %s", v, host, gai_strerror(r));
		return REPORTED;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 64)) {
		cairn_error("run: cannot listen on %s: %s", v, strerror(errno));
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
static int opt_key(run_opts *o, char *kv)
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
		return opt_listen(o, v);
	else
		return -1;
	return 0;
}

static int opt_keys(run_opts *o, const char *list)
{
	char *c = strdup(list), *save = NULL;
	int err = c ? 0 : -1;
	for (char *k = c ? strtok_r(c, ",", &save) : NULL; k && !err; k = strtok_r(NULL, ",", &save))
		err = opt_key(o, k);
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

static int parse_opt(run_opts *o, int argc, char **argv, int *i)
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
		return opt_listen(o, v);
	if ((v = optval(argc, argv, i, "--fuel")))
		return parse_bytes(v, &n) || n > INT64_MAX ? -1 : (o->fuel = (int64_t)n, 0);
	if ((v = optval(argc, argv, i, "--timeout")))
		return parse_duration(v, &o->timeout_ns);
	if ((v = optval(argc, argv, i, "--max-memory")) || (v = optval(argc, argv, i, "--max-memory-size")))
		return parse_bytes(v, &o->max_memory);
	if ((v = optval(argc, argv, i, "-W")) || (v = optval(argc, argv, i, "-S")))
		return opt_keys(o, v);
	return -1;
}

static int parse_args(run_opts *o, int argc, char **argv)
{
	int i;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			run_usage(stdout);
			exit(0);
		}
		int at = i, r = parse_opt(o, argc, argv, &i);
		if (r == REPORTED)
			return -1;
		if (r) {
			cairn_error("run: bad or unknown option '%s'%s%s (try 'cairn run -h')", argv[at],
				    i > at ? " " : "", i > at ? argv[i] : "");
			return -1;
		}
	}
	if (i >= argc) {
		run_usage(stderr);
		return -1;
	}
	o->path = argv[i];
	o->args = argv + i + 1;
	o->nargs = argc - i - 1;
	if (o->inherit_env) { /* the host's first; --env settings override */
		char **explicit = o->env;
		int n = o->nenv;
		o->env = NULL;
		o->nenv = 0;
		for (char **e = environ; *e; e++)
			if (strchr(*e, '=') && add_env(o, *e))
				return -1;
		for (int k = 0; k < n; k++) {
			if (add_env(o, explicit[k]))
				return -1;
			free(explicit[k]);
		}
		free(explicit);
	}
	return 0;
}

static void free_opts(run_opts *o)
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
}

/* ---- loading ---- */

/* Binary module, or the text of one: a (module ...) or its fields alone. */
static int load(const char *path, wa_module **out)
{
	size_t len = 0, blen = 0;
	char *src = cli_read_file(path, &len);
	uint8_t *bin = NULL;
	wa_err e = { "", 0 };
	int err = -1;
	*out = NULL;
	if (!src) {
		cairn_error("run: cannot read %s: %s", path, strerror(errno));
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
		cairn_error("run: %s: %s", path, e.msg[0] ? e.msg : "not a WebAssembly module");
	free(src);
	return err ? -1 : 0;
}

static int check_memory(const run_opts *o, const wa_module *m)
{
	for (uint32_t i = 0; o->max_memory && i < m->nmems; i++)
		if (m->mems[i].min * 65536 > o->max_memory) {
			cairn_error("run: %s: memory %u needs %llu bytes, above --max-memory %llu", o->path, i,
				    (unsigned long long)(m->mems[i].min * 65536), (unsigned long long)o->max_memory);
			return -1;
		}
	return 0;
}

/* memory.grow stops at --max-memory. */
static void cap_memory(const run_opts *o, wa_instance *inst)
{
	uint64_t pages = o->max_memory / 65536;
	for (uint32_t i = 0; o->max_memory && i < inst->mod->nmems; i++)
		if (inst->mems[i]->max > pages)
			inst->mems[i]->max = (uint32_t)pages;
}

/* ---- the watchdog behind --timeout ---- */

typedef struct watchdog {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done, fired, started;
	uint64_t ns;
	wa_thread *t;
	wa_wasi *w;
} watchdog;

/* Interrupts the run at the deadline, and again every 10 ms until it ends
 * (an interrupt can lose a race with the fuel count). */
static void *watch(void *arg)
{
	watchdog *d = arg;
	uint64_t when = base_now_ns() + d->ns;
	pthread_mutex_lock(&d->mu);
	while (!d->done) {
		if (base_cond_wait_until(&d->cv, &d->mu, when) == ETIMEDOUT && !d->done) {
			d->fired = true;
			wa_thread_interrupt(d->t);
			wa_wasi_interrupt(d->w);
			when = base_now_ns() + 10000000;
		}
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

static void watch_start(watchdog *d)
{
	pthread_mutex_init(&d->mu, NULL);
	base_cond_init(&d->cv);
	d->started = !pthread_create(&d->th, NULL, watch, d);
	if (!d->started)
		cairn_warn("run: no thread for --timeout: running without it");
}

static void watch_stop(watchdog *d)
{
	if (!d->started)
		return;
	pthread_mutex_lock(&d->mu);
	d->done = true;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
	pthread_join(d->th, NULL);
	pthread_cond_destroy(&d->cv);
	pthread_mutex_destroy(&d->mu);
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
static void print_float(double v, int maxdigits, bool single)
{
	char buf[64];
	if (isnan(v)) {
		puts("NaN");
		return;
	}
	if (isinf(v)) {
		puts(v < 0 ? "-inf" : "inf");
		return;
	}
	for (int p = 1; p <= maxdigits; p++) {
		snprintf(buf, sizeof buf, "%.*g", p, v);
		if (single ? strtof(buf, NULL) == (float)v : strtod(buf, NULL) == v)
			break;
	}
	puts(buf);
}

static void print_value(uint8_t type, const uint64_t *slot)
{
	float f;
	double d;
	uint32_t b = (uint32_t)slot[0];
	switch (type) {
	case WA_I32: printf("%d\n", (int32_t)b); break;
	case WA_I64: printf("%lld\n", (long long)(int64_t)slot[0]); break;
	case WA_F32: memcpy(&f, &b, 4); print_float(f, 9, true); break;
	case WA_F64: memcpy(&d, slot, 8); print_float(d, 17, false); break;
	case WA_V128: printf("0x%016llx%016llx\n", (unsigned long long)slot[1], (unsigned long long)slot[0]); break;
	default: puts(slot[0] ? "<ref>" : "null"); break;
	}
}

/* ---- running ---- */

/* wa_trap_trace's "f (func 3) <- g (func 1)" one frame a line, innermost
 * first, runs of one function folded. */
static void print_trace(char *trace)
{
	char *f = trace, *next;
	int i = 0, repeat = 0;
	if (!*trace)
		return;
	fprintf(stderr, "wasm backtrace:\n");
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
			fprintf(stderr, "  %2d-%d: %s\n", i, i + repeat, f);
		else
			fprintf(stderr, "  %2d: %s\n", i, f);
		i += repeat + 1;
		repeat = 0;
	}
}

static int report_trap(const run_opts *o, wa_thread *t, wa_wasi *w, const watchdog *d)
{
	char trace[2048];
	int64_t code = wa_wasi_exit_code(w);
	if (t->trap == wa_wasi_exit_trap && code >= 0) {
		if (code < 126)
			return (int)code;
		cairn_error("run: %s: exit with invalid exit status outside of [0..126): %lld", o->path, (long long)code);
		return 1;
	}
	fflush(stdout);
	if (d->fired && !strcmp(t->trap, WA_TRAP_INTERRUPT))
		cairn_error("run: %s: wasm trap: interrupted (--timeout reached)", o->path);
	else
		cairn_error("run: %s: wasm trap: %s", o->path, t->trap);
	wa_trap_trace(t, trace, sizeof trace);
	print_trace(trace);
	return EXIT_TRAP;
}

static int invoke(const run_opts *o, wa_instance *inst, wa_thread *t, wa_wasi *w, const watchdog *d)
{
	wa_extern x;
	const char *name = o->invoke ? o->invoke : "_start";
	if (wa_instance_export(inst, name, strlen(name), &x) || x.kind != WA_EXT_FUNC) {
		if (!o->invoke)
			return 0; /* no _start: instantiating was the whole run, as in wasmtime */
		cairn_error("run: %s: no exported function '%s'", o->path, name);
		return 1;
	}
	const wa_functype *ft = x.func->type;
	uint64_t *args = calloc(ft->param_slots + 1, 8), *res = calloc(ft->result_slots + 1, 8);
	int rc = 0;
	if (!args || !res || (o->invoke && (uint32_t)o->nargs != ft->nparams)) {
		cairn_error("run: %s: '%s' takes %u arguments, %d given", o->path, name, ft->nparams, o->nargs);
		rc = 1;
	}
	for (uint32_t i = 0, s = 0; !rc && i < ft->nparams; s += (uint32_t)wa_slots(ft->types[i]), i++)
		if (parse_value(o->args[i], ft->types[i], &args[s])) {
			cairn_error("run: %s: bad argument '%s' for parameter %u of '%s'", o->path, o->args[i], i, name);
			rc = 1;
		}
	if (!rc && wa_call(t, x.func, args, res))
		rc = report_trap(o, t, w, d);
	else if (!rc && o->invoke) {
		for (uint32_t i = 0, s = 0; i < ft->nresults; s += (uint32_t)wa_slots(wa_ft_results(ft)[i]), i++)
			print_value(wa_ft_results(ft)[i], &res[s]);
		fflush(stdout);
	}
	free(args);
	free(res);
	return rc;
}

/* _initialize (a reactor's constructor) before an --invoke'd export. */
static int initialize(const run_opts *o, wa_instance *inst, wa_thread *t, wa_wasi *w, const watchdog *d)
{
	wa_extern x;
	if (!o->invoke || wa_instance_export(inst, "_initialize", 11, &x) || x.kind != WA_EXT_FUNC ||
	    x.func->type->nparams || x.func->type->nresults)
		return 0;
	return wa_call(t, x.func, NULL, NULL) ? report_trap(o, t, w, d) : 0;
}

static int execute(const run_opts *o, wa_module *m)
{
	const char **argv = calloc((size_t)o->nargs + 1, sizeof *argv);
	unsigned flags = (getenv("CAIRN_WASI_NO_OPENAT2") ? WA_WASI_NO_OPENAT2 : 0) |
			 (getenv("CAIRN_WASI_NO_NOWAIT") ? WA_WASI_NO_NOWAIT : 0);
	wa_wasi_config c = { argv, o->nargs + 1, (const char *const *)o->env, o->nenv, o->dirs, o->ndirs,
			     o->socks, o->nsocks, { o->stdio[0], o->stdio[1], o->stdio[2] }, flags };
	wa_wasi *w = NULL;
	wa_extern *imports = NULL;
	wa_instance *inst = NULL;
	wa_thread t = { 0 };
	watchdog d = { .ns = o->timeout_ns };
	wa_err e = { "", 0 };
	int rc = 1;
	if (!argv)
		goto out;
	/* argv[0]: the file name without its directories, as wasmtime (no host paths leak) */
	argv[0] = o->argv0 ? o->argv0 : strrchr(o->path, '/') ? strrchr(o->path, '/') + 1 : o->path;
	memcpy(argv + 1, o->args, (size_t)o->nargs * sizeof *argv);
	if (wa_wasi_new(&c, &w, &e) || wa_wasi_imports(w, m, &imports, &e) ||
	    wa_thread_init(&t, STACK_SLOTS, MAX_DEPTH)) {
		cairn_error("run: %s: %s", o->path, e.msg[0] ? e.msg : "out of memory");
		goto out;
	}
	t.fuel = o->fuel;
	d.t = &t;
	d.w = w;
	if (o->timeout_ns)
		watch_start(&d);
	if (wa_instantiate(m, imports, &t, &inst, &e)) {
		/* a start function that traps, or calls proc_exit */
		if (inst && t.trap && !strcmp(e.msg, t.trap))
			rc = report_trap(o, &t, w, &d);
		else
			cairn_error("run: %s: %s", o->path, e.msg);
		goto out;
	}
	cap_memory(o, inst);
	wa_wasi_bind(w, inst);
	rc = initialize(o, inst, &t, w, &d);
	if (!rc)
		rc = invoke(o, inst, &t, w, &d);
out:
	watch_stop(&d);
	fflush(stdout);
	wa_instance_free(inst);
	free(imports);
	wa_wasi_free(w);
	wa_thread_free(&t);
	free(argv);
	return rc;
}

/* A closed stdio fd stays closed for the guest (EBADF); /dev/null holds its
 * number so that no file cairn opens lands there. */
static void hold_stdio(int stdio[3])
{
	for (int i = 0; i < 3; i++) {
		stdio[i] = i;
		if (fcntl(i, F_GETFD) < 0 && errno == EBADF) {
			int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
			stdio[i] = -1;
			if (fd >= 0 && fd != i)
				close(fd); /* a lower fd was free: it got that */
		}
	}
}

int cli_run(int argc, char **argv)
{
	run_opts o = { .fuel = -1 };
	wa_module *m = NULL;
	int rc = 1;
	hold_stdio(o.stdio);
	if (parse_args(&o, argc, argv)) {
		free_opts(&o);
		return 2;
	}
	/* a closed pipe is EPIPE for the guest, not death by SIGPIPE for cairn */
	signal(SIGPIPE, SIG_IGN);
	if (!load(o.path, &m) && !check_memory(&o, m))
		rc = execute(&o, m);
	wa_module_free(m);
	free_opts(&o);
	return rc;
}
