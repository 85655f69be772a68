/* runtime.h - WebAssembly runtime objects and the engine's host-side API:
 * instantiation with imports/exports, function/table/memory/global instances,
 * invocation with traps as values (wa_call returns a trap message). */
#ifndef CAIRN_WASM_RUNTIME_H
#define CAIRN_WASM_RUNTIME_H

#include "wasm/module.h"

/* Trap messages, exactly the spec test suite's texts. */
#define WA_TRAP_UNREACHABLE "unreachable"
#define WA_TRAP_OOB "out of bounds memory access"
#define WA_TRAP_DIV0 "integer divide by zero"
#define WA_TRAP_OVERFLOW "integer overflow"
#define WA_TRAP_CONV "invalid conversion to integer"
#define WA_TRAP_TABLE_OOB "out of bounds table access"
#define WA_TRAP_UNINIT "uninitialized element"
#define WA_TRAP_INDIRECT "indirect call type mismatch"
#define WA_TRAP_UNDEF_ELEM "undefined element"
#define WA_TRAP_EXHAUSTED "call stack exhausted"
#define WA_TRAP_FUEL "fuel exhausted"
#define WA_TRAP_INTERRUPT "interrupted"

struct wa_thread;
struct wa_instance;
/* A host function reads its parameters from slots[] and writes its results
 * there (8-byte slots, v128 in two).  Return NULL or a trap message. */
typedef const char *(*wa_host_fn)(struct wa_thread *t, void *env, uint64_t *slots);

typedef struct wa_func {
	const wa_functype *type;
	struct wa_instance *inst;   /* NULL for host functions */
	struct wa_code *code;
	wa_host_fn host;
	void *env;
	uint32_t idx;
} wa_func;

typedef struct wa_table {
	uint8_t elem;
	uint32_t size, max;
	bool has_max;
	uint64_t *elems;            /* wa_func * or externref values; 0 = null */
} wa_table;

typedef struct wa_memory {
	uint8_t *base;
	uint64_t size;              /* bytes */
	uint32_t pages, max;
	bool has_max;
	bool guarded;               /* reserved with guard region: no explicit checks */
	size_t reserved;
} wa_memory;

typedef struct wa_global {
	uint8_t type, mut;
	uint64_t v[2];
} wa_global;

typedef struct wa_instance {
	wa_module *mod;
	wa_func **funcs;
	wa_func *own_funcs;
	wa_table **tables;
	wa_memory **mems;
	wa_global **globals;
	uint64_t **elem_vals;       /* evaluated element segments */
	uint32_t *elem_lens;        /* 0 once dropped */
	uint32_t *data_lens;        /* 0 once dropped */
	void *owned;                /* list of objects this instance allocated */
	void *host_data;            /* the embedder's (the wasm.h layer's instance) */
} wa_instance;

/* An external value for imports and exports. */
typedef struct wa_extern {
	uint8_t kind;
	union {
		wa_func *func;
		wa_table *table;
		wa_memory *mem;
		wa_global *global;
	};
} wa_extern;

typedef struct wa_frame {
	const union wa_cell *pc;
	uint64_t *fp;
	wa_func *func;
} wa_frame;

typedef struct wa_thread {
	uint64_t *stack, *stack_end;
	wa_frame *frames;
	uint32_t depth, max_depth;
	const char *trap;
	int64_t fuel;               /* < 0: unlimited */
	int interrupted;            /* set by wa_thread_interrupt */
	/* When set, fuel running out (or an interrupt zeroing it) calls this
	 * instead of trapping: it returns NULL to go on exactly where the code
	 * stopped (having refilled fuel) or the trap to raise.  It may switch
	 * stacks -- a program run as a coroutine yields to its scheduler
	 * there -- and come back on another host thread. */
	const char *(*refuel)(struct wa_thread *t, void *ctx);
	void *refuel_ctx;
	uint64_t *host_top;         /* free stack above a running host function's slots */
	wa_func *trace[16];         /* innermost first: where the last trap happened */
	const union wa_cell *trace_pc[16]; /* in each: the instruction, NULL if unknown */
	uint32_t ntrace;
} wa_thread;

int wa_thread_init(wa_thread *t, size_t stack_slots, uint32_t max_depth) MUST_CHECK;
void wa_thread_free(wa_thread *t);
/* Make a thread running wasm trap WA_TRAP_INTERRUPT at its next loop head
 * or call (it zeroes the fuel); callable from another thread or a signal
 * handler.  A lost race with the fuel count is possible: call it again
 * until the run ends. */
void wa_thread_interrupt(wa_thread *t);

/* Compile every function of a validated module (once). */
int wa_compile(wa_module *m, wa_err *e) MUST_CHECK;

/* Instantiate: imports[i] matches m->imports[i].  Link errors say
 * "incompatible import type"/"unknown import"; a trap in a segment or the
 * start function makes the module uninstantiable (e->msg is the trap); then
 * *out is still set: its functions may sit in imported tables, so the caller
 * keeps it alive as long as those tables and frees it with wa_instance_free. */
int wa_instantiate(wa_module *m, const wa_extern *imports, wa_thread *t, wa_instance **out,
		   wa_err *e) MUST_CHECK;
/* The same with inst->host_data set before segments and the start function
 * run (an embedder maps the instance's functions back to its own objects). */
int wa_instantiate_with(wa_module *m, const wa_extern *imports, wa_thread *t, void *host_data,
			wa_instance **out, wa_err *e) MUST_CHECK;
void wa_instance_free(wa_instance *inst);
int wa_instance_export(wa_instance *inst, const char *name, size_t len, wa_extern *out);

/* Call: args and results in 8-byte slots (v128 in two).  Returns 0, or -1
 * with t->trap set to the trap message: WA_TRAP_EXHAUSTED also when less
 * than WA_STACK_RESERVE bytes of the calling thread's C stack are left
 * (host functions calling back into wasm nest on it), measured at each
 * call from the thread's own bounds (pthread_getattr_np). */
int wa_call(wa_thread *t, wa_func *f, const uint64_t *args, uint64_t *results) MUST_CHECK;
/* What one entry may use at most: the interpreter's frames, a host function
 * (WASI's take up to ~25 KiB), a guard-page signal frame.  More under the
 * sanitizers, whose frames are larger. */
#if defined(__SANITIZE_ADDRESS__)
#define WA_STACK_RESERVE ((size_t)160 << 10)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WA_STACK_RESERVE ((size_t)160 << 10)
#endif
#endif
#ifndef WA_STACK_RESERVE
#define WA_STACK_RESERVE ((size_t)64 << 10)
#endif
/* Bytes of the calling thread's C stack below the caller's frame
 * (SIZE_MAX when unknown or running on another stack). */
size_t wa_stack_left(void);

/* Module byte offset of the instruction at pc in f's code (a trace_pc
 * entry); the function body's start when pc is NULL. */
size_t wa_code_offset(const wa_func *f, const union wa_cell *pc);

/* The last trap's call stack as text ("f (func 3) <- g (func 1)"), names
 * from the name section where present. */
void wa_trap_trace(const wa_thread *t, char *buf, size_t len);

/* Host objects. */
wa_func *wa_host_func(const wa_functype *type, wa_host_fn fn, void *env);
wa_memory *wa_memory_new(uint32_t pages, uint32_t max, bool has_max);
void wa_memory_free(wa_memory *m);
int64_t wa_memory_grow(wa_memory *m, uint32_t delta);
wa_table *wa_table_new(uint8_t elem, uint32_t size, uint32_t max, bool has_max);
void wa_table_free(wa_table *t);
int64_t wa_table_grow(wa_table *t, uint32_t delta, uint64_t init);

#endif
