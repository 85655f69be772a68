/* wasi.h - WASI preview1 (wasi_snapshot_preview1) for the wasm engine: a
 * context holding args, environment, preopened directories and sockets and
 * the guest's file descriptors, the host functions for a module's imports,
 * and the exit status.  Every path is resolved beneath its preopen. */
#ifndef CAIRN_WASM_WASI_H
#define CAIRN_WASM_WASI_H

#include "wasm/runtime.h"

#define WA_WASI_MODULE "wasi_snapshot_preview1"

/* The trap proc_exit raises to unwind the wasm stack; t->trap points to
 * this very array, and wa_wasi_exit_code() gives the status. */
extern const char wa_wasi_exit_trap[];

typedef struct wa_wasi_dir {
	const char *host;       /* directory on the host */
	const char *guest;      /* name the guest sees (fd_prestat_dir_name) */
} wa_wasi_dir;

enum {
	WA_WASI_NO_OPENAT2 = 1, /* resolve paths by the component walk even where openat2 exists */
	WA_WASI_NO_NOWAIT = 2,  /* write pipes in PIPE_BUF pieces even where RWF_NOWAIT works */
};

/* What an embedder that runs programs as coroutines (the hypervisor's wasm
 * units) adds; every member may be NULL.  ctx is the config's hooks_ctx. */
typedef struct wa_wasi_hooks {
	/* Bytes the guest wrote to its stdout (stream 1) or stderr (2) -- the
	 * fds stdio[1] and stdio[2] became, wherever fd_renumber moved them --
	 * after they reached the host fd. */
	void (*output)(void *ctx, int stream, const void *buf, size_t n);
	/* A poll_oneoff with clocks only (a sleep), and sched_yield: wait
	 * until deadline (CLOCK_MONOTONIC ns; 0: only let others run) without
	 * holding the host thread.  0, or -1 to trap WA_TRAP_INTERRUPT. */
	int (*sleep)(void *ctx, uint64_t deadline);
	/* wa_wasi_interrupt woke a blocking call: true traps WA_TRAP_INTERRUPT,
	 * false waits on (the embedder used the wake for something else, e.g.
	 * to pause the program: it may yield the thread in this call). */
	bool (*interrupted)(void *ctx);
} wa_wasi_hooks;

typedef struct wa_wasi_config {
	const char *const *argv;  /* argv[0] is the program name */
	int argc;
	const char *const *env;   /* "KEY=VALUE" strings: the guest sees only these */
	int nenv;
	const wa_wasi_dir *dirs;  /* preopens: guest fds 3, 4, ... in this order */
	int ndirs;
	const int *socks;         /* listening host sockets, fds after the dirs (dup'ed) */
	int nsocks;
	int stdio[3];             /* host fds for guest 0, 1, 2 (borrowed); -1: none */
	unsigned flags;           /* WA_WASI_* */
	const wa_wasi_hooks *hooks; /* NULL: none (borrowed, must outlive the context) */
	void *hooks_ctx;
} wa_wasi_config;

typedef struct wa_wasi wa_wasi;

/* Copies the configuration and opens the preopened directories.  Errors
 * (a directory that cannot be opened) go to e. */
int wa_wasi_new(const wa_wasi_config *c, wa_wasi **out, wa_err *e) MUST_CHECK;
void wa_wasi_free(wa_wasi *w);

/* The host function for one import of a module, or an error: "unknown
 * import" (not a WASI function) or "incompatible import type".  The
 * function belongs to w and lives until wa_wasi_free. */
int wa_wasi_import(wa_wasi *w, const char *module, size_t mlen, const char *name, size_t nlen,
		   const wa_functype *type, wa_func **out, wa_err *e) MUST_CHECK;

/* The i-th preview1 function (i = 0, 1, ... until NULL) and its name: for
 * embedders that list what WASI provides. */
wa_func *wa_wasi_func(wa_wasi *w, unsigned i, const char **name);

/* Imports for every import of m in order (for wa_instantiate); *out is an
 * array the caller frees.  Fails on the first import WASI cannot supply. */
int wa_wasi_imports(wa_wasi *w, const wa_module *m, wa_extern **out, wa_err *e) MUST_CHECK;

/* Use the instance's exported "memory" for guest pointers.  A call made
 * before (from a start function) binds the calling instance's; without
 * such an export, calls that take pointers trap. */
void wa_wasi_bind(wa_wasi *w, wa_instance *inst);

/* The status passed to proc_exit, or -1 when the program has not exited. */
int64_t wa_wasi_exit_code(const wa_wasi *w);

/* Wake any host call blocked in poll_oneoff, fd_read, sock_accept... and
 * make it trap WA_TRAP_INTERRUPT; async-signal-safe.  Pair it with
 * wa_thread_interrupt() to stop code running in wasm. */
void wa_wasi_interrupt(wa_wasi *w);

#endif
