/* run.c - `cairn run [options] PROG.wasm|PROG.wat [ARGS...]`: one WebAssembly
 * program under WASI preview1, with wasmtime's options and exit statuses:
 * proc_exit's status, or 134 (128 + SIGABRT) after a trap.  The options,
 * the loader and the run itself are wasm/wasirun.c's (shared with cairn hv's
 * --wasm); this file adds the --timeout watchdog thread and the messages. */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasm/wasirun.h"

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

/* wa_run_host's callbacks: the watchdog starts once the thread exists. */
static void begin(void *ctx, wa_thread *t, wa_wasi *w)
{
	watchdog *d = ctx;
	d->t = t;
	d->w = w;
	if (d->ns)
		watch_start(d);
}

static void end(void *ctx)
{
	watch_stop(ctx);
}

static bool timed_out(void *ctx)
{
	const watchdog *d = ctx;
	return d->fired;
}

static int execute(const wa_run_opts *o, wa_module *m, const int stdio[3])
{
	watchdog d = { .ns = o->timeout_ns };
	unsigned flags = (getenv("CAIRN_WASI_NO_OPENAT2") ? WA_WASI_NO_OPENAT2 : 0) |
			 (getenv("CAIRN_WASI_NO_NOWAIT") ? WA_WASI_NO_NOWAIT : 0);
	wa_run_host h = { .stdio = { stdio[0], stdio[1], stdio[2] }, .wasi_flags = flags, .ctx = &d,
			  .begin = begin, .end = end, .timed_out = timed_out };
	wa_run_result *r = malloc(sizeof *r);
	if (!r) {
		cairn_error("run: %s: out of memory", o->path);
		return 1;
	}
	int rc = wa_run_exec(o, m, &h, r);
	if (r->msg[0]) {
		fflush(stdout);
		cairn_error("run: %s: %s", o->path, r->msg);
		wa_run_print_trace(stderr, r->trace);
	}
	free(r);
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
	wa_run_opts o = { .fuel = -1 };
	wa_module *m = NULL;
	cairn_errbuf e = { 0 };
	int stdio[3], rc = 1;
	hold_stdio(stdio);
	int r = wa_run_parse(&o, argc, argv, &e);
	if (r) {
		if (r == WA_RUN_HELP)
			run_usage(stdout);
		else if (r == WA_RUN_NO_PROGRAM)
			run_usage(stderr);
		else
			cairn_error("%s", e.msg);
		wa_run_opts_free(&o);
		return r == WA_RUN_HELP ? 0 : 2;
	}
	/* a closed pipe is EPIPE for the guest, not death by SIGPIPE for cairn */
	signal(SIGPIPE, SIG_IGN);
	if (wa_run_load(&o, &m, &e))
		cairn_error("%s", e.msg);
	else
		rc = execute(&o, m, stdio);
	wa_module_free(m);
	wa_run_opts_free(&o);
	return rc;
}
