/* capi.h - internal to the wasm.h implementation (capi*.c): the objects
 * behind the standard API's opaque types, laid over the wa_ engine, and the
 * store's bookkeeping (handles, reachability, finalizers). */
#ifndef CAIRN_WASM_CAPI_H
#define CAIRN_WASM_CAPI_H

#include "cairn.h"
#include "wasm.h"
#include "wasm/runtime.h"

#include <stdatomic.h>

#define container_of(p, T, m) ((T *)(void *)((char *)(p) - offsetof(T, m)))

/* ---- types (capi_types.c) ---- */

struct wasm_valtype_t {
	wasm_valkind_t kind;
};

struct wasm_externtype_t {
	wasm_externkind_t kind;
};

struct wasm_functype_t {
	wasm_externtype_t ext;
	wasm_valtype_vec_t params, results;
};

struct wasm_globaltype_t {
	wasm_externtype_t ext;
	wasm_valtype_t *content;
	wasm_mutability_t mut;
};

struct wasm_tabletype_t {
	wasm_externtype_t ext;
	wasm_valtype_t *elem;
	wasm_limits_t limits;
};

struct wasm_memorytype_t {
	wasm_externtype_t ext;
	wasm_limits_t limits;
};

struct wasm_importtype_t {
	wasm_name_t module, name;
	wasm_externtype_t *type;
};

struct wasm_exporttype_t {
	wasm_name_t name;
	wasm_externtype_t *type;
};

/* Engine value types <-> wasm.h kinds; 0xff for kinds the engine lacks. */
wasm_valkind_t capi_kind_of(uint8_t wa_type);
uint8_t capi_type_of(wasm_valkind_t kind);
const char *capi_kind_name(wasm_valkind_t kind);
/* A wasm.h type built from the engine's; NULL when out of memory. */
wasm_functype_t *capi_functype_from(const wa_functype *t);
wasm_globaltype_t *capi_globaltype_from(uint8_t type, uint8_t mut);
wasm_tabletype_t *capi_tabletype_from(uint8_t elem, uint64_t min, uint64_t max, bool has_max);
wasm_memorytype_t *capi_memorytype_from(uint64_t min, uint64_t max, bool has_max);
/* The engine's function type for a wasm.h one (types array owned by t);
 * -1 if a kind has no engine type or out of memory. */
int capi_functype_to(const wasm_functype_t *ft, wa_functype *t);

/* ---- objects (capi_store.c) ---- */

/* Kinds of store objects; the first four equal wasm_externkind_t. */
enum { OBJ_FUNC, OBJ_GLOBAL, OBJ_TABLE, OBJ_MEMORY, OBJ_INSTANCE, OBJ_MODULE, OBJ_FOREIGN, OBJ_TRAP };

/* Every reference-like object starts with this header; wasm_ref_t * is a
 * pointer to it, so the as_ref/ref_as conversions are casts. */
struct wasm_ref_t {
	uint8_t kind;
	bool marked;
	uint32_t handles;            /* own handles the embedder holds */
	wasm_store_t *store;         /* NULL: a trap made without a store */
	void *info;
	void (*finalizer)(void *);
	struct wasm_ref_t *next;     /* the store's list (not for instance-owned externs) */
};

/* Funcs, globals, tables and memories share one layout.  owner is the
 * instance whose own function/table/memory/global this is (the object is
 * freed with it), or NULL for one the embedder created. */
struct wasm_extern_t {
	wasm_ref_t ref;
	wa_extern x;
	struct wasm_instance_t *owner;
};
struct wasm_func_t { wasm_extern_t ext; };
struct wasm_global_t { wasm_extern_t ext; };
struct wasm_table_t { wasm_extern_t ext; };
struct wasm_memory_t { wasm_extern_t ext; };

/* A host function: the engine's wa_func is embedded, so a funcref value
 * (a wa_func *) without an instance leads back here. */
typedef struct capi_hostfunc {
	wasm_func_t func;
	wa_func wf;
	wa_functype type;
	wasm_func_callback_t cb;
	wasm_func_callback_with_env_t cb_env;
	void *env;
	void (*env_finalizer)(void *);
} capi_hostfunc;

typedef struct capi_hostglobal {
	wasm_global_t global;
	wa_global g;
} capi_hostglobal;

/* A compiled module, shared by wasm_module_t objects of any store. */
typedef struct capi_module {
	atomic_uint refs;
	wa_module *m;
} capi_module;

struct wasm_module_t {
	wasm_ref_t ref;
	capi_module *cm;
};

struct wasm_shared_module_t {
	capi_module *cm;
};

struct wasm_instance_t {
	wasm_ref_t ref;
	uint32_t ext_handles;        /* handles held on its own externs */
	wa_instance *inst;
	capi_module *cm;
	wasm_extern_t **imports;     /* what it was linked with */
	uint32_t nimports;
	wasm_extern_t **funcs, **tables, **mems, **globals; /* own externs, made on demand */
};

struct wasm_foreign_t {
	wasm_ref_t ref;
};

typedef struct capi_frame {
	wasm_instance_t *inst;
	uint32_t func_index;
	size_t func_offset, module_offset;
} capi_frame;

struct wasm_frame_t {
	capi_frame f;                /* holds a handle on f.inst */
};

struct wasm_trap_t {
	wasm_ref_t ref;
	char *msg;                   /* NUL-terminated */
	size_t len;                  /* with the NUL */
	capi_frame *frames;
	uint32_t nframes;
	bool exited;                 /* a WASI proc_exit: exit_code is its status */
	int exit_code;
};

struct wasm_config_t {
	int unused;
};

struct wasm_engine_t {
	int unused;
};

struct wasm_store_t {
	wa_thread thread;
	wasm_ref_t *objs;            /* every object but instance-owned externs */
	size_t weight, gc_next;      /* collect when weight reaches gc_next */
	uint32_t calls, max_calls;   /* nested calls into wasm (host C stack) */
	bool collecting, deleting;
	wasm_trap_t *host_trap;      /* a callback's trap on its way out */
};

/* A new object in store (handles = 1), or NULL.  weight: its share of the
 * collection trigger (a memory counts for more than a function). */
void *capi_obj_new(wasm_store_t *store, size_t size, uint8_t kind, size_t weight);
/* Handle bookkeeping; release may collect unreachable objects. */
void capi_hold(wasm_ref_t *r);
void capi_release(wasm_ref_t *r);
/* Frees what no handle, table, global or instance can reach.  Never while
 * wasm runs in the store (values on its stack are not traced). */
void capi_collect(wasm_store_t *store);
/* Store-level call bracket: enter fails (trap message) when nested too deep;
 * leave finishes a deferred store deletion and may collect. */
const char *capi_enter(wasm_store_t *store);
void capi_leave(wasm_store_t *store);
/* Whether the next leave deletes the store (a callback deleted it): then
 * nothing of the store may be handed out; a trap is detached to a copy
 * that no store owns. */
bool capi_leaving_destroys(const wasm_store_t *store);
wasm_trap_t *capi_trap_detach(wasm_trap_t *trap);

/* Traps: a new trap with message (copied) and, if t is given, the frames of
 * the engine's last trap.  store may be NULL (a trap no store owns). */
wasm_trap_t *capi_trap(wasm_store_t *store, const char *msg, const wa_thread *t);
/* Adds the frames of the engine's last trap to a trap that has none. */
void capi_trap_frames(wasm_trap_t *trap, const wa_thread *t);
wasm_trap_t *capi_trapf(wasm_store_t *store, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A host function's trap (consumed) made the store's pending one; returns
 * the message for the engine: the call that unwinds with it returns trap. */
const char *capi_host_trap(wasm_store_t *store, wasm_trap_t *trap);
/* The trap of a failed wa_call (t->trap set): a host function's own trap
 * when that is what unwound, else a new one; with the engine's frames. */
wasm_trap_t *capi_call_trap(wasm_store_t *store);

/* The object behind an engine function (creating its wasm_func_t on first
 * use for an instance's own function); NULL when out of memory. */
wasm_func_t *capi_func_obj(wa_func *wf);
/* An instance's own extern by engine kind and index, made on first use. */
wasm_extern_t *capi_instance_extern(wasm_instance_t *inst, uint8_t wa_kind, uint32_t idx);

/* Values: wasm.h value <-> engine slot for engine type ty.  to_slot returns
 * NULL or the reason the value does not fit; from_slot makes an own ref
 * (NULL result on out of memory: the value becomes a null ref). */
const char *capi_val_to_slot(wasm_store_t *store, uint8_t ty, const wasm_val_t *v, uint64_t *slot);
void capi_val_from_slot(uint8_t ty, uint64_t slot, wasm_val_t *v, bool own_ref);


#endif
