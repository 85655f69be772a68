/* hv.h - the hypervisor: VMs as objects on one scheduler (sched/), each
 * made from the options `cairn vm` takes, created, started, paused at an
 * instruction boundary, resumed, reset, powered off and destroyed while the
 * others keep running.  The control plane (qmp.c, monitor.c) and the CLI
 * reach VMs only through this header.  Every call is safe from any thread
 * except a VM's own harts (a device must not pause its own VM). */
#ifndef CAIRN_HV_HV_H
#define CAIRN_HV_HV_H

#include <stdbool.h>
#include <stdint.h>

#include "base/base.h"

struct hv;
struct vm;
struct rv_hart;

/* QEMU's RunState names (query-status "status"). */
enum vm_state {
	VM_PRELAUNCH,   /* "prelaunch": created, not started yet (-S) */
	VM_RUNNING,     /* "running" */
	VM_PAUSED,      /* "paused": stopped by stop/vm_pause */
	VM_SHUTDOWN,    /* "shutdown": the guest powered off (and -no-shutdown kept it) */
	VM_ERROR,       /* "internal-error": a hart got stuck */
};
const char *vm_state_name(enum vm_state s);

struct hv_options {
	int threads;    /* worker threads; 0: one per host core */
	bool persist;   /* hv_run keeps going with no VM left (a control socket may create some) */
};
int hv_create(struct hv **out, const struct hv_options *o) MUST_CHECK;
/* Destroys every VM left, then the scheduler. */
void hv_destroy(struct hv *hv);
/* Block until no VM is left (each ended and was destroyed) or hv_quit; the
 * calling thread serves the hypervisor's housekeeping (reboots, shutdowns,
 * event delivery) meanwhile. Returns the exit code of the last VM that
 * ended (for `cairn vm`, the guest's). */
int hv_run(struct hv *hv);
/* Make hv_run return soon (QMP quit); any thread. */
void hv_quit(struct hv *hv, int code);
/* A terminating signal: every VM powers off (SHUTDOWN, reason host-signal)
 * and hv_run returns 0, as QEMU does on SIGTERM. */
void hv_terminate(struct hv *hv, int sig);

/* A VM from `cairn vm` options (argv[0] is an option, not a program name).
 * Nothing runs until vm_start.  On failure *out is NULL and e says why
 * (file, option).  Returns 1 with *out NULL when there is nothing to run
 * (-machine dumpdtb=FILE wrote the tree). */
int vm_create(struct hv *hv, int argc, char **argv, struct vm **out, cairn_errbuf *e) MUST_CHECK;
/* A WebAssembly program as a VM (wasmunit.c): argv holds the options
 * `cairn run` takes, then the program and its arguments (argv[0] is an
 * option, as for vm_create), plus --name NAME, --stdin/--stdout/--stderr
 * FILE and --no-shutdown.  It runs on the VMs' workers with a weight and a
 * cap; vm_pause/resume stop it between two wasm instructions, vm_reset runs
 * it again from the start, vm_poweroff ends it.  Its exit status is
 * vm_exit_code (134 after a trap, then state VM_ERROR); vm_console_recent
 * is its stdout and stderr.  It has no harts (vm_nharts 0) and no guest
 * physical memory. */
int vm_create_wasm(struct hv *hv, int argc, char **argv, struct vm **out, cairn_errbuf *e) MUST_CHECK;
/* "riscv" or "wasm". */
const char *vm_kind(const struct vm *vm);
/* Stop the VM's harts and remove it; it is freed on hv_run's thread after
 * its pending events (do not use vm afterwards).  Any state.  A VM whose
 * guest powers off is destroyed this way by the hypervisor, unless it was
 * created with -no-shutdown or the hypervisor persists: then it stays, in
 * state VM_SHUTDOWN, until vm_reset or vm_destroy. */
void vm_destroy(struct vm *vm);
struct vm *vm_find(struct hv *hv, const char *name);
/* Iterate: vm_next(hv, NULL) is the first VM, NULL after the last. */
struct vm *vm_next(struct hv *hv, struct vm *after);

const char *vm_name(const struct vm *vm);   /* -name, or "vmN" */
enum vm_state vm_state(const struct vm *vm);
/* prelaunch or paused -> running (RESUME event); running: nothing to do.
 * -ERR_STATE when shut down (QEMU: "Resetting the Virtual Machine is
 * required"). */
int vm_start(struct vm *vm) MUST_CHECK;
/* Stop every hart at an instruction boundary; returns when all have
 * stopped (their state may then be read and written).  STOP event. */
int vm_pause(struct vm *vm) MUST_CHECK;
/* paused -> running.  RESUME event. */
int vm_resume(struct vm *vm) MUST_CHECK;
/* QEMU's system_reset: every hart to its reset vector, devices reset,
 * images reloaded, RAM kept.  RESET event.  A running VM runs on; one that
 * was paused or shut down goes to prelaunch (vm_start runs it), as QEMU's
 * does. */
int vm_reset(struct vm *vm) MUST_CHECK;
/* QEMU's system_powerdown: ask the guest to power off (POWERDOWN event). */
int vm_powerdown(struct vm *vm) MUST_CHECK;
/* Power off now, as if the guest had (SHUTDOWN event, reason host-qmp-quit
 * when from_host). */
void vm_poweroff(struct vm *vm, bool from_host);

/* Harts, for query-cpus-fast, info registers and debuggers. */
int vm_nharts(const struct vm *vm);
/* Only while the VM is paused (or prelaunch): NULL otherwise. */
struct rv_hart *vm_hart(struct vm *vm, int k);
struct vm_hart_info {
	int64_t thread_id;      /* the worker's TID last running it, or -1 */
	uint64_t pc;            /* at the last slice's end */
	bool halted;            /* in WFI */
};
void vm_hart_info(struct vm *vm, int k, struct vm_hart_info *out);
/* Guest physical memory (xp, debuggers): false when [pa, pa+n) is not RAM. */
bool vm_read_phys(struct vm *vm, uint64_t pa, void *buf, size_t n);
bool vm_write_phys(struct vm *vm, uint64_t pa, const void *buf, size_t n);

/* Scheduling: weight (default 100, 1..10000), cap in percent of one host
 * core (0: none), real-time reservation (budget_ns of every period_ns;
 * 0: none).  Apply to a running VM at once. */
int vm_set_weight(struct vm *vm, unsigned weight) MUST_CHECK;
int vm_set_cap(struct vm *vm, unsigned percent) MUST_CHECK;
int vm_set_reservation(struct vm *vm, uint64_t period_ns, uint64_t budget_ns) MUST_CHECK;
struct vm_stats {
	uint64_t cpu_ns;        /* host CPU time its harts ran */
	uint64_t slices, wakeups;
	uint64_t instret;       /* guest instructions retired, all harts */
	uint64_t ram_bytes;
};
void vm_stats(struct vm *vm, struct vm_stats *out);

/* What the VM was created with for the control plane to open: its -qmp
 * arguments (returns how many) and its -monitor argument (NULL: none). */
int vm_qmp_specs(const struct vm *vm, const char *const **specs);
/* -S: the owner should leave it in prelaunch (QMP cont starts it). */
bool vm_start_paused(const struct vm *vm);
const char *vm_monitor_spec(const struct vm *vm);
/* The latest console output (for consoles on sockets and null: a ring of
 * the last 64 KiB) into buf; returns its length. */
size_t vm_console_recent(struct vm *vm, char *buf, size_t cap);
/* The guest's exit code once shut down (the test finisher's code). */
int vm_exit_code(const struct vm *vm);

/* Events (QMP's names: STOP, RESUME, RESET, POWERDOWN, SHUTDOWN), delivered
 * on hv_run's thread; data is a JSON object's text ("{}" when empty). */
typedef void hv_event_fn(void *ctx, struct vm *vm, const char *event, const char *data);
int hv_add_listener(struct hv *hv, hv_event_fn *fn, void *ctx) MUST_CHECK;
void hv_remove_listener(struct hv *hv, hv_event_fn *fn, void *ctx);

/* --- added for the control plane (qmp branch) --- */
/* Not a QMP event: listeners get it (data NULL) on hv_run's thread just
 * before vm is freed, after its other events, and must drop every pointer
 * to it before returning (a command using it finishes first).  Listeners
 * that forward events to clients skip it. */
#define HV_EVENT_FREE "x-cairn-free"
/* fn(vm, arg) with every hart stopped at an instruction boundary and the
 * VM's state and events unchanged (vm_hart works inside): a debugger's
 * look at a running VM (info registers, x), as QEMU reads live registers
 * without a STOP.  Not from a hart; fn must not call lifecycle calls. */
int vm_inspect(struct vm *vm, void (*fn)(struct vm *vm, void *arg), void *arg) MUST_CHECK;
/* What vm_set_weight, vm_set_cap and vm_set_reservation set (query-vms). */
struct vm_sched { unsigned weight, cap; uint64_t period_ns, budget_ns; };
void vm_sched_params(struct vm *vm, struct vm_sched *out);

#endif
