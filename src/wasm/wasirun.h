/* wasirun.h - one WASI program as `cairn run` runs it: wasmtime's options
 * parsed into wa_run_opts, the module loaded (binary or text), then
 * instantiated and _start (or an --invoke'd export) called, with wasmtime's
 * exit statuses.  Shared by `cairn run` and the hypervisor's wasm units,
 * which differ only in what wa_run_host gives (stdio, hooks, a watchdog). */
#ifndef CAIRN_WASM_WASIRUN_H
#define CAIRN_WASM_WASIRUN_H

#include <stdio.h>

#include "wasm/wasi.h"

#define WA_RUN_EXIT_TRAP 134            /* 128 + SIGABRT, as wasmtime */

typedef struct wa_run_opts {
	wa_wasi_dir *dirs;
	int ndirs;
	char **env;             /* "K=V", owned */
	int nenv;
	bool inherit_env;
	int *socks;             /* --tcplisten's listening sockets, owned */
	int nsocks;
	const char *invoke, *argv0, *path;
	int64_t fuel;           /* < 0: none */
	uint64_t timeout_ns;    /* 0: none */
	uint64_t max_memory;    /* bytes; 0: none */
	char **args;            /* the program's arguments after its path */
	int nargs;
	/* Options of the embedder's own (NULL: none): called for an option
	 * wa_run_parse does not know, at argv[*i]; consumes it (and its value,
	 * advancing *i) and returns 0, or returns -1 (unknown) or 1 (bad; the
	 * message is in e). */
	int (*extra)(void *ctx, int argc, char **argv, int *i, cairn_errbuf *e);
	void *extra_ctx;
} wa_run_opts;

/* What wa_run_parse returns besides 0 and -1 (error in e). */
enum { WA_RUN_HELP = 1, WA_RUN_NO_PROGRAM = 2 };
/* Options from argv[1] on (argv[0] is not looked at) up to the program's
 * path; the rest are its arguments (pointers into argv).  o starts zeroed
 * but for fuel = -1 and extra. */
int wa_run_parse(wa_run_opts *o, int argc, char **argv, cairn_errbuf *e) MUST_CHECK;
void wa_run_opts_free(wa_run_opts *o);
/* Read, decode (or translate from text), validate and check against
 * --max-memory.  e: "run: PATH: why". */
int wa_run_load(const wa_run_opts *o, wa_module **out, cairn_errbuf *e) MUST_CHECK;

/* What the embedder supplies for one run; ctx goes to every callback. */
typedef struct wa_run_host {
	int stdio[3];           /* host fds for the guest's 0-2; -1: closed */
	const wa_wasi_hooks *hooks; /* WASI's (NULL: none) */
	unsigned wasi_flags;    /* WA_WASI_* */
	void *ctx;
	/* Once the thread and the WASI context exist, before any wasm code
	 * runs (t->fuel is o->fuel: set a refuel hook, start a watchdog), and
	 * after the run, before they go.  Either may be NULL. */
	void (*begin)(void *ctx, wa_thread *t, wa_wasi *w);
	void (*end)(void *ctx);
	/* The instance, once made (NULL: gone again, just before it is freed). */
	void (*instance)(void *ctx, wa_instance *inst);
	/* Whether an interrupt trap was the --timeout's (NULL: never). */
	bool (*timed_out)(void *ctx);
	/* --invoke's results, one line each with its newline (NULL: stdout). */
	void (*print)(void *ctx, const char *line);
} wa_run_host;

typedef struct wa_run_result {
	int status;             /* the exit status, as `cairn run` exits */
	const char *trap;       /* the trap that ended it (NULL: none; proc_exit is none) */
	char msg[256];          /* why it failed ("" when status is the program's own) */
	char trace[2048];       /* a trap's wasm backtrace (wa_trap_trace's text) */
} wa_run_result;

/* Instantiate m, call _initialize and --invoke's export, or _start.
 * Returns r->status. */
int wa_run_exec(const wa_run_opts *o, wa_module *m, const wa_run_host *h, wa_run_result *r);
/* A trace as `cairn run` prints it: "wasm backtrace:" then one frame a
 * line, innermost first, runs of one function folded (trace is modified). */
void wa_run_print_trace(FILE *f, char *trace);

#endif
