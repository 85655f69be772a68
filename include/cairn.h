/* cairn.h - what cairn's embedding API adds to the standard wasm.h: the
 * text format, error messages for failed compilations, fuel (a bound on
 * execution), v128 in reflected types, and WASI preview1 (cairn_wasi_*).
 * Link with libcairn (`pkg-config --cflags --libs cairn`); docs/EMBEDDING.md
 * has the details. */
#ifndef CAIRN_H
#define CAIRN_H

#include "wasm.h"

#ifdef __cplusplus
extern "C" {
#endif

#define own

#define CAIRN_VERSION "0.1.0"
WASM_API_EXTERN const char *cairn_version(void);

/* The value kind of v128 in types reflected from modules (wasm.h has no
 * v128 value: calls whose signature has one trap, such globals read as 0). */
enum { CAIRN_V128 = 4 };

/* The text format: a (module ...) form, or module fields without it, to
 * binary.  On failure returns false and, if error is not NULL, sets it to a
 * NUL-terminated message with the line number. */
WASM_API_EXTERN bool cairn_wat2wasm(const char *text, size_t len, own wasm_byte_vec_t *out,
				    own wasm_message_t *error);

/* wasm_module_new with the reason for a failure: the decoder's or the
 * validator's message and byte offset (NUL-terminated) in *error. */
WASM_API_EXTERN own wasm_module_t *cairn_module_new(wasm_store_t *, const wasm_byte_vec_t *binary,
						    own wasm_message_t *error);

/* wasm_global_set that tells whether it happened: false for a constant
 * global, a value of the wrong kind or a reference from another store. */
WASM_API_EXTERN bool cairn_global_set(wasm_global_t *, const wasm_val_t *);

/* Fuel: with fuel >= 0 every call and loop iteration in the store costs 1
 * and running out traps "fuel exhausted"; a negative value (the default)
 * means no limit.  get returns what is left (negative if unlimited). */
WASM_API_EXTERN void cairn_store_set_fuel(wasm_store_t *, int64_t fuel);
WASM_API_EXTERN int64_t cairn_store_get_fuel(const wasm_store_t *);

/* How deeply calls into wasm may nest in a store (host -> wasm -> host ->
 * wasm ...) before they trap "call stack exhausted".  Default 256.  Each
 * level uses about 1.5 KiB of the C stack; independently of this limit,
 * every call from the host traps the same way when less than 64 KiB of the
 * calling thread's stack is left (measured from its bounds), so a thread
 * with a small stack gets a trap, never an overflow. */
WASM_API_EXTERN void cairn_store_set_max_nesting(wasm_store_t *, uint32_t depth);

/* ---- WASI preview1 (wasi_snapshot_preview1) ----
 *
 * A configuration (cairn_wasi_config_t) says what a program sees: its
 * arguments, environment, preopened directories and standard streams.  A
 * context (cairn_wasi_t) made from it in one store holds the program's file
 * descriptors and supplies the WASI functions a module imports:
 *
 *   cairn_wasi_config_t *c = cairn_wasi_config_new();
 *   cairn_wasi_config_set_argv(c, argc, argv);
 *   cairn_wasi_config_inherit_stdio(c);
 *   cairn_wasi_t *w = cairn_wasi_new(store, c, &error);
 *   wasm_extern_vec_t imports = WASM_EMPTY_VEC;
 *   cairn_wasi_define_imports(w, module, &imports, &error);  // + your own
 *   wasm_instance_t *inst = wasm_instance_new(store, module, &imports, &trap);
 *   trap = cairn_wasi_run_start(w, inst, &exit_code);        // NULL: exited
 *
 * Ownership: a configuration is the caller's (cairn_wasi_new copies what it
 * needs; one configuration can make many contexts).  A context is the
 * caller's and may be deleted before or after its store: the WASI functions
 * it put into a store keep what they use alive until the store frees them.
 * Every function here accepts NULL arguments and then fails (false, NULL,
 * a trap); calls never abort. */

typedef struct cairn_wasi_config_t cairn_wasi_config_t;
typedef struct cairn_wasi_t cairn_wasi_t;

/* A configuration with no arguments, no environment, no preopens and no
 * standard streams (reads and writes on fds 0-2 fail with EBADF). */
WASM_API_EXTERN own cairn_wasi_config_t *cairn_wasi_config_new(void);
WASM_API_EXTERN void cairn_wasi_config_delete(own cairn_wasi_config_t *);

/* The program's arguments (argv[0] is its name), copied; replaces earlier ones. */
WASM_API_EXTERN bool cairn_wasi_config_set_argv(cairn_wasi_config_t *, size_t argc, const char *const argv[]);
/* One environment variable (copied): replaces a variable of that name.
 * inherit_env adds the host's whole environment as it is now. */
WASM_API_EXTERN bool cairn_wasi_config_set_env(cairn_wasi_config_t *, const char *name, const char *value);
WASM_API_EXTERN bool cairn_wasi_config_inherit_env(cairn_wasi_config_t *);
/* A host directory the program sees as guest_path (fds 3, 4, ... in the
 * order given); every path it opens stays beneath it.  Opened by
 * cairn_wasi_new, which reports a directory that cannot be opened.  Access
 * is read-write: the engine has no read-only preopens. */
WASM_API_EXTERN bool cairn_wasi_config_preopen_dir(cairn_wasi_config_t *, const char *host_path,
						   const char *guest_path);
/* Standard streams: fd is 0 (stdin), 1 (stdout) or 2 (stderr).
 * stdio_fd:   the host fd host_fd, borrowed: it must stay open while a
 *             context made from this configuration lives; -1 = none.
 * stdio_file: a file opened now (stdin read-only; stdout/stderr created or
 *             truncated, mode 0644); false if it cannot be opened.
 * inherit_stdio: the host's own 0, 1 and 2. */
WASM_API_EXTERN bool cairn_wasi_config_stdio_fd(cairn_wasi_config_t *, int fd, int host_fd);
WASM_API_EXTERN bool cairn_wasi_config_stdio_file(cairn_wasi_config_t *, int fd, const char *path);
WASM_API_EXTERN bool cairn_wasi_config_inherit_stdio(cairn_wasi_config_t *);

/* A context for programs instantiated in store.  NULL on failure, with the
 * reason in *error (if not NULL; NUL-terminated, the caller deletes it). */
WASM_API_EXTERN own cairn_wasi_t *cairn_wasi_new(wasm_store_t *store, const cairn_wasi_config_t *config,
						 own wasm_message_t *error);
/* Closes the context's own fds once its store no longer uses them. */
WASM_API_EXTERN void cairn_wasi_delete(own cairn_wasi_t *);

/* Fills the WASI imports of module in *imports, an import vector for
 * wasm_instance_new: an empty vector (size 0) is first made with one NULL
 * entry per import; otherwise its size must be the module's import count.
 * Each NULL entry for a "wasi_snapshot_preview1" import gets a new function
 * (owned by the vector); other entries are left alone, so the embedder's
 * own imports can go in before or after, and wasm_instance_new names any
 * still missing.  False with *error naming the import for a WASI function
 * that does not exist or has the wrong type, or a vector of another size. */
WASM_API_EXTERN bool cairn_wasi_define_imports(cairn_wasi_t *, const wasm_module_t *module,
					       wasm_extern_vec_t *imports, own wasm_message_t *error);

/* Pointers the program passes refer to this instance's exported memory
 * "memory"; false if it has none (WASI calls that take pointers then
 * trap).  Without it, the first such call binds its caller's memory. */
WASM_API_EXTERN bool cairn_wasi_bind_instance(cairn_wasi_t *, const wasm_instance_t *instance);

/* Runs a command: binds instance and calls its export "_start" ([] -> []).
 * NULL when the program finished: *exit_code is 0 if _start returned, or
 * the status it passed to proc_exit.  Otherwise the trap (the caller owns
 * it; *exit_code is left alone), also for a missing or mistyped _start. */
WASM_API_EXTERN own wasm_trap_t *cairn_wasi_run_start(cairn_wasi_t *, const wasm_instance_t *instance,
						       int *exit_code);

/* Whether trap is a program's proc_exit, and its status in *code.  A
 * call through wasm_func_call that ends by proc_exit returns such a trap
 * (message "exit status N"); every other trap gives false. */
WASM_API_EXTERN bool cairn_wasi_exit_code(const wasm_trap_t *trap, int *code);

/* From any thread (async-signal-safe): stop the program.  WASI calls
 * blocked in fd_read, poll_oneoff, sock_accept... wake up, and wasm code
 * running in the store stops at its next call or loop iteration; both trap
 * "interrupted".  It sticks: the store and the context trap from then on.
 * With fuel set (cairn_store_set_fuel), an interrupt can lose a race with
 * the fuel count: repeat it until the call returns. */
WASM_API_EXTERN void cairn_wasi_interrupt(cairn_wasi_t *);

#undef own

#ifdef __cplusplus
}
#endif

#endif
