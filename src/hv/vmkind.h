/* vmkind.h - what hv.c's VM lifecycle (states, events, the hv thread) asks
 * of a VM's engine: a RISC-V board (hv.c itself) or a WebAssembly program
 * (wasmunit.c).  One table of operations per kind; hv.c never asks which
 * kind a VM is.  Private to hv/. */
#ifndef CAIRN_HV_VMKIND_H
#define CAIRN_HV_VMKIND_H

#include "hv/hv.h"
#include "sched/sched.h"

/* Why the units stopped (asked after vm_units_stopped). */
struct vm_end {
	bool reset;             /* for a reboot (vm_reset, or the guest reset itself) */
	bool error;             /* it crashed (a wasm trap): state internal-error */
	int exit_code;
};

struct vm_ops {
	const char *kind;       /* "riscv", "wasm" */
	/* Make the units runnable from their beginning (after create, reboot). */
	void (*start)(struct vm *vm);
	/* Stop every unit at a boundary, returning when none runs; nests. */
	void (*pause)(struct vm *vm);
	void (*resume)(struct vm *vm);
	/* Ask the units to end for good (halt) or for a reboot (reset);
	 * vm_units_stopped follows once all have, as when the guest ends by
	 * itself.  wait_stopped waits for that (after halt). */
	void (*halt)(struct vm *vm);
	void (*reset)(struct vm *vm);
	void (*wait_stopped)(struct vm *vm);
	/* No unit running (paused, prelaunch or ended): back to the beginning.
	 * Why not in e. */
	int (*reboot)(struct vm *vm, cairn_errbuf *e);
	void (*ended)(struct vm *vm, struct vm_end *out);
	/* What the group's scheduler statistics do not say (instret, RAM). */
	void (*stats)(struct vm *vm, struct vm_stats *out);
	size_t (*console_recent)(struct vm *vm, char *buf, size_t cap);
	/* The engine's data; no unit runs. */
	void (*free)(struct vm *vm);
};

struct sched *hv_sched(struct hv *hv);
/* What a kind's create function gives vm_new. */
struct vm_engine {
	const struct vm_ops *ops;
	void *impl;             /* the engine's data (vm_impl) */
	struct sched_group *group; /* its units: weight, cap, reservation, stats */
	const char *name;       /* NULL: the first free "vmN" */
	bool start_paused;      /* the owner should leave it in prelaunch */
	bool no_shutdown;       /* stays in shutdown when it ends */
};
/* A new VM (prelaunch) in hv's list.  On failure (a name taken) nothing is
 * kept; the engine's data stay the caller's. */
int vm_new(struct hv *hv, const struct vm_engine *en, struct vm **out, cairn_errbuf *e) MUST_CHECK;
void *vm_impl(const struct vm *vm);
/* Every unit has stopped (any thread, e.g. the worker of the last one). */
void vm_units_stopped(struct vm *vm);

#endif
