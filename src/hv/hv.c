/* hv.c - the hypervisor: VMs made from `cairn vm` options, all on one
 * worker pool, with QEMU's run states and events.
 *
 * Threads: the pool's workers run harts; hv_run's thread (the "hv thread")
 * does what must not run on a hart: it reboots a machine whose harts all
 * stopped for a reset, ends one that powered off, delivers events and frees
 * destroyed VMs, all from one FIFO so that a VM's events always come before
 * it is freed.  Lifecycle calls (vm_pause, vm_reset...) come from any other
 * thread (the control plane's loop, the CLI) and are serialized per VM by
 * vm->mu; harts never take it.
 *
 * A VM's engine is its kind's (vmkind.h): the RISC-V board here (riscv_ops),
 * a wasm program in wasmunit.c.  The lifecycle below only calls vm->ops. */
#include "hv/hv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/monitor.h"
#include "hv/vmkind.h"
#include "hv/vmspec.h"
#include "machine/machine.h"
#include "mem/mem.h"
#include "sched/sched.h"

#define MAX_LISTENERS 16

enum ev_kind { EV_EVENT, EV_STOPPED, EV_FREE };
struct hv_ev {
	struct hv_ev *next;
	enum ev_kind kind;
	struct vm *vm;
	char name[24];
	char *data;
};

struct hv {
	struct sched *sched;
	bool persist;
	pthread_mutex_t mu;             /* the lists, the queue, quit */
	pthread_cond_t cv;              /* the queue or quit changed */
	struct vm *vms;
	int next_id;
	struct hv_ev *qhead, *qtail;
	struct { hv_event_fn *fn; void *ctx; } listeners[MAX_LISTENERS];
	int nlisteners;
	bool quit;
	int exit_code;
};

struct vm {
	struct hv *hv;
	struct vm *next;
	char name[64];
	const struct vm_ops *ops;       /* its kind */
	struct sched_group *group;      /* its units */
	void *impl;                     /* the engine's data (wasm) */
	bool start_paused, no_shutdown;
	/* A RISC-V board (NULL for other kinds: no harts, no guest RAM) */
	struct vm_spec *sp;
	struct machine *m;
	FILE *trace_file;
	pthread_mutex_t mu;             /* lifecycle calls, one at a time */
	int state;                      /* enum vm_state, atomic for readers */
	bool live;                      /* harts started and not all stopped */
	bool sched_paused;              /* machine_pause in effect */
	bool host_reset;                /* why the harts are stopping: */
	const char *poweroff_reason;    /* NULL: the guest's own; else QEMU's ShutdownCause */
	bool dead;                      /* destroyed: freed by the hv thread */
	bool inspecting;                /* vm_inspect: harts held still while running */
	struct monitor_session *mon;    /* the console's Ctrl-A c monitor, made on first use */
	int exit_code;
};

static const char *const state_names[] = {
	[VM_PRELAUNCH] = "prelaunch", [VM_RUNNING] = "running", [VM_PAUSED] = "paused",
	[VM_SHUTDOWN] = "shutdown", [VM_ERROR] = "internal-error",
};

const char *vm_state_name(enum vm_state s)
{
	return (unsigned)s < ARRAY_SIZE(state_names) ? state_names[s] : "unknown";
}

static void set_state(struct vm *vm, enum vm_state s)
{
	__atomic_store_n(&vm->state, (int)s, __ATOMIC_RELEASE);
}

/* ---- the hv thread's queue ---- */

static void push(struct hv *hv, enum ev_kind kind, struct vm *vm, const char *name, const char *data)
{
	struct hv_ev *ev = calloc(1, sizeof *ev);
	if (!ev)
		return; /* an event lost to memory exhaustion; a FREE leaks the VM */
	ev->kind = kind;
	ev->vm = vm;
	if (name)
		snprintf(ev->name, sizeof ev->name, "%s", name);
	ev->data = data ? strdup(data) : NULL;
	pthread_mutex_lock(&hv->mu);
	if (hv->qtail)
		hv->qtail->next = ev;
	else
		hv->qhead = ev;
	hv->qtail = ev;
	pthread_cond_broadcast(&hv->cv);
	pthread_mutex_unlock(&hv->mu);
}

static void emit(struct vm *vm, const char *event, const char *data)
{
	push(vm->hv, EV_EVENT, vm, event, data ? data : "{}");
}

static void deliver(struct hv *hv, struct hv_ev *ev)
{
	pthread_mutex_lock(&hv->mu);
	int n = hv->nlisteners;
	hv_event_fn *fns[MAX_LISTENERS];
	void *ctxs[MAX_LISTENERS];
	for (int k = 0; k < n; k++) {
		fns[k] = hv->listeners[k].fn;
		ctxs[k] = hv->listeners[k].ctx;
	}
	pthread_mutex_unlock(&hv->mu);
	for (int k = 0; k < n; k++)
		fns[k](ctxs[k], ev->vm, ev->name, ev->data);
}

/* ---- VMs ---- */

void vm_units_stopped(struct vm *vm)
{
	push(vm->hv, EV_STOPPED, vm, NULL, NULL);
}

/* The machine's harts all stopped (a worker thread). */
static void harts_stopped(void *ctx)
{
	vm_units_stopped(ctx);
}

/* Ctrl-A x on the VM's console: QEMU ends the whole process. */
static void console_quit(void *ctx)
{
	struct vm *vm = ctx;
	vm_poweroff(vm, true);
	hv_quit(vm->hv, 0);
}

/* The monitor's text on the VM's console (the session's thread). */
static void console_write(void *ctx, const char *s, size_t n)
{
	struct vm *vm = ctx;
	fwrite(s, 1, n, vm->m->console);
	fflush(vm->m->console);
}

/* Ctrl-A c: the human monitor (hv/monitor.h) on the console; n == 0 when
 * input switches to it (the loop thread). */
static void console_monitor(void *ctx, const uint8_t *buf, size_t n)
{
	struct vm *vm = ctx;
	if (!vm->mon && monitor_session_new(vm->hv, vm, console_write, vm, &vm->mon))
		return;
	if (n)
		monitor_session_input(vm->mon, (const char *)buf, n);
	else
		monitor_session_greet(vm->mon);
}

static void free_vm(struct vm *vm)
{
	if (vm->ops)
		vm->ops->free(vm);
	monitor_session_free(vm->mon); /* (the board's free stopped its input first) */
	pthread_mutex_destroy(&vm->mu);
	free(vm);
}

/* The spec's -serial, for the machine's console. */
static void console_config(const struct chr_spec *c, struct machine_config *cfg)
{
	static const int kinds[] = {
		[CHR_STDIO] = CONSOLE_STDIO, [CHR_NULL] = CONSOLE_NULL, [CHR_FILE] = CONSOLE_FILE, [CHR_UNIX] = CONSOLE_UNIX,
	};
	cfg->console = kinds[c->kind];
	cfg->console_path = c->path;
	cfg->console_wait = c->wait;
	cfg->console_append = c->append;
}

static bool name_taken(struct hv *hv, const char *name)
{
	for (struct vm *v = hv->vms; v; v = v->next)
		if (!strcmp(v->name, name))
			return true;
	return false;
}

/* Claim a name (-name, or the first free "vmN") and join the list. */
static int join(struct hv *hv, struct vm *vm, const char *want, cairn_errbuf *e)
{
	pthread_mutex_lock(&hv->mu);
	int err = 0;
	if (want) {
		if (name_taken(hv, want)) {
			cairn_errorf(e, "vm: -name %s: a VM of that name exists already", want);
			err = -ERR_INVAL;
		} else {
			snprintf(vm->name, sizeof vm->name, "%s", want);
		}
	} else {
		do
			snprintf(vm->name, sizeof vm->name, "vm%d", hv->next_id++);
		while (name_taken(hv, vm->name));
	}
	if (!err) {
		vm->next = hv->vms;
		hv->vms = vm;
	}
	pthread_mutex_unlock(&hv->mu);
	return err;
}

static void leave(struct hv *hv, struct vm *vm)
{
	pthread_mutex_lock(&hv->mu);
	for (struct vm **p = &hv->vms; *p; p = &(*p)->next)
		if (*p == vm) {
			*p = vm->next;
			break;
		}
	pthread_cond_broadcast(&hv->cv);
	pthread_mutex_unlock(&hv->mu);
}

/* Machine, devices, images, console: everything but running it. */
static int build(struct hv *hv, struct vm *vm, cairn_errbuf *e)
{
	struct vm_spec *sp = vm->sp;
	struct machine_config cfg = sp->cfg;
	cfg.sched = hv->sched;
	cfg.on_stop = harts_stopped;
	cfg.stop_ctx = vm;
	console_config(&sp->serial, &cfg);
	if (sp->trace_path && !(cfg.trace_file = vm->trace_file = fopen(sp->trace_path, "w"))) {
		cairn_errorf(e, "vm: cannot write '%s': %s", sp->trace_path, strerror(errno));
		return -ERR_IO;
	}
	int err = machine_create(&vm->m, &cfg);
	if (err) {
		cairn_errorf(e, "vm: cannot create the machine: %s", cairn_strerror(err));
		return err;
	}
	if ((err = vm_spec_build(sp, vm->m, e)))
		return err;
	int r = machine_load(vm->m);
	if (r < 0) {
		cairn_errorf(e, "%s", vm->m->err.msg);
		return r;
	}
	if (r == 1)
		return 1; /* -machine dumpdtb: written */
	vm->m->err = (cairn_errbuf){ 0 };
	vm->m->console_quit = console_quit;
	vm->m->console_monitor = console_monitor;
	vm->m->console_ctx = vm;
	if ((err = console_start(vm->m))) {
		cairn_errorf(e, "vm: cannot start the console%s%s", vm->m->err.msg[0] ? ": " : "", vm->m->err.msg);
		return err;
	}
	return 0;
}

static struct vm *alloc_vm(struct hv *hv, cairn_errbuf *e)
{
	struct vm *vm = calloc(1, sizeof *vm);
	if (!vm) {
		cairn_errorf(e, "vm: out of memory");
		return NULL;
	}
	vm->hv = hv;
	pthread_mutex_init(&vm->mu, NULL);
	set_state(vm, VM_PRELAUNCH);
	return vm;
}

static const struct vm_ops riscv_ops;

int vm_create(struct hv *hv, int argc, char **argv, struct vm **out, cairn_errbuf *e)
{
	*out = NULL;
	struct vm *vm = alloc_vm(hv, e);
	if (!vm)
		return -ERR_NOMEM;
	vm->ops = &riscv_ops;
	if (!(vm->sp = vm_spec_parse(argc, argv, e))) {
		free_vm(vm);
		return -ERR_INVAL;
	}
	int r = join(hv, vm, vm->sp->name, e);
	if (r) {
		free_vm(vm);
		return r;
	}
	if ((r = build(hv, vm, e))) {
		leave(hv, vm);
		free_vm(vm);
		return r;
	}
	vm->group = vm->m->group;
	vm->start_paused = vm->sp->start_paused;
	vm->no_shutdown = vm->sp->no_shutdown;
	*out = vm;
	return 0;
}

int vm_new(struct hv *hv, const struct vm_engine *en, struct vm **out, cairn_errbuf *e)
{
	*out = NULL;
	struct vm *vm = alloc_vm(hv, e);
	if (!vm)
		return -ERR_NOMEM;
	int r = join(hv, vm, en->name, e);
	if (r) {
		free_vm(vm); /* no ops yet: the engine's data stay the caller's */
		return r;
	}
	vm->impl = en->impl;
	vm->group = en->group;
	vm->start_paused = en->start_paused;
	vm->no_shutdown = en->no_shutdown;
	vm->ops = en->ops;
	*out = vm;
	return 0;
}

void *vm_impl(const struct vm *vm)
{
	return vm->impl;
}

struct sched *hv_sched(struct hv *hv)
{
	return hv->sched;
}

/* Stop the harts for good (vm->mu held). */
static void stop_harts(struct vm *vm)
{
	if (!vm->live)
		return;
	vm->ops->halt(vm);
	if (vm->sched_paused) {
		vm->ops->resume(vm);
		vm->sched_paused = false;
	}
	vm->ops->wait_stopped(vm);
	__atomic_store_n(&vm->live, false, __ATOMIC_RELEASE);
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	pthread_mutex_lock(&vm->mu);
	bool was = vm->dead;
	vm->dead = true;
	if (!was)
		stop_harts(vm);
	pthread_mutex_unlock(&vm->mu);
	if (was)
		return;
	leave(vm->hv, vm);
	push(vm->hv, EV_FREE, vm, NULL, NULL);
}

struct vm *vm_find(struct hv *hv, const char *name)
{
	pthread_mutex_lock(&hv->mu);
	struct vm *v = hv->vms;
	while (v && strcmp(v->name, name))
		v = v->next;
	pthread_mutex_unlock(&hv->mu);
	return v;
}

/* In creation order: the list is newest first, so walk to the one before. */
struct vm *vm_next(struct hv *hv, struct vm *after)
{
	pthread_mutex_lock(&hv->mu);
	struct vm *prev = NULL;
	for (struct vm *v = hv->vms; v && v != after; v = v->next)
		prev = v;
	if (after) {
		struct vm *found = hv->vms;
		while (found && found != after)
			found = found->next;
		if (!found)
			prev = NULL; /* after is gone: the walk ends */
	}
	pthread_mutex_unlock(&hv->mu);
	return prev;
}

const char *vm_name(const struct vm *vm)
{
	return vm->name;
}

enum vm_state vm_state(const struct vm *vm)
{
	return (enum vm_state)__atomic_load_n(&vm->state, __ATOMIC_ACQUIRE);
}

int vm_exit_code(const struct vm *vm)
{
	return vm->exit_code;
}

int vm_start(struct vm *vm)
{
	pthread_mutex_lock(&vm->mu);
	int err = 0;
	enum vm_state s = vm_state(vm);
	if (vm->dead || s == VM_SHUTDOWN || s == VM_ERROR) {
		err = -ERR_STATE;
	} else if (s != VM_RUNNING) {
		if (vm->sched_paused) {
			vm->ops->resume(vm);
			vm->sched_paused = false;
		} else if (!vm->live) {
			__atomic_store_n(&vm->live, true, __ATOMIC_RELEASE);
			vm->ops->start(vm);
		}
		set_state(vm, VM_RUNNING);
		emit(vm, "RESUME", NULL);
	}
	pthread_mutex_unlock(&vm->mu);
	return err;
}

int vm_pause(struct vm *vm)
{
	pthread_mutex_lock(&vm->mu);
	int err = 0;
	if (vm->dead)
		err = -ERR_STATE;
	else if (vm_state(vm) == VM_RUNNING) {
		vm->ops->pause(vm);
		vm->sched_paused = true;
		set_state(vm, VM_PAUSED);
		emit(vm, "STOP", NULL);
	}
	pthread_mutex_unlock(&vm->mu);
	return err;
}

int vm_resume(struct vm *vm)
{
	return vm_start(vm);
}

/* Reboot in place: no hart is running (paused, prelaunch or shut down). */
static int reset_stopped(struct vm *vm)
{
	cairn_errbuf e = { 0 };
	if (vm->ops->reboot(vm, &e))
		return -ERR_IO;
	if (vm_state(vm) != VM_PRELAUNCH)
		set_state(vm, VM_PRELAUNCH);
	emit(vm, "RESET", "{\"guest\": false, \"reason\": \"host-qmp-system-reset\"}");
	return 0;
}

int vm_reset(struct vm *vm)
{
	pthread_mutex_lock(&vm->mu);
	int err = 0;
	if (vm->dead) {
		err = -ERR_STATE;
	} else if (vm_state(vm) == VM_RUNNING) {
		vm->host_reset = true;
		vm->ops->reset(vm); /* the harts stop; the hv thread reboots */
	} else {
		err = reset_stopped(vm);
	}
	pthread_mutex_unlock(&vm->mu);
	return err;
}

/* QEMU's riscv virt has no power button: system_powerdown only tells the
 * listeners (the POWERDOWN event), as QEMU does. */
int vm_powerdown(struct vm *vm)
{
	if (vm->dead)
		return -ERR_STATE;
	emit(vm, "POWERDOWN", NULL);
	return 0;
}

static void poweroff(struct vm *vm, const char *reason)
{
	pthread_mutex_lock(&vm->mu);
	bool now = false, keep = true;
	if (!vm->dead && vm->live) {
		vm->poweroff_reason = reason;
		vm->ops->halt(vm);
		if (vm->sched_paused) {
			vm->ops->resume(vm);
			vm->sched_paused = false;
		}
	} else if (!vm->dead && vm_state(vm) == VM_PRELAUNCH) {
		/* No hart ever ran (-S, or quit before the start): it ends now,
		 * with the SHUTDOWN QEMU sends for a quit in prelaunch too. */
		char data[96];
		snprintf(data, sizeof data, "{\"guest\": %s, \"reason\": \"%s\"}", reason ? "false" : "true",
			 reason ? reason : "guest-shutdown");
		set_state(vm, VM_SHUTDOWN);
		emit(vm, "SHUTDOWN", data);
		now = true;
		keep = vm->sp->no_shutdown || vm->hv->persist;
	}
	pthread_mutex_unlock(&vm->mu);
	if (now && !keep)
		vm_destroy(vm);
}

void vm_poweroff(struct vm *vm, bool from_host)
{
	poweroff(vm, from_host ? "host-qmp-quit" : NULL);
}

void hv_terminate(struct hv *hv, int sig)
{
	for (struct vm *vm = vm_next(hv, NULL); vm; vm = vm_next(hv, vm))
		poweroff(vm, "host-signal");
	hv_quit(hv, 0);
}

/* On the hv thread: the harts all stopped.  A reset reboots them; anything
 * else is the end of the guest. */
static void stopped(struct hv *hv, struct vm *vm)
{
	pthread_mutex_lock(&vm->mu);
	struct vm_end end;
	if (vm->dead || !vm->live) {
		pthread_mutex_unlock(&vm->mu);
		return;
	}
	vm->ops->ended(vm, &end);
	if (end.reset) {
		bool host = vm->host_reset;
		cairn_errbuf e = { 0 };
		vm->host_reset = false;
		if (vm->ops->reboot(vm, &e)) {
			cairn_error("vm %s: reboot: %s", vm->name, e.msg);
			end.exit_code = 1;
		} else {
			emit(vm, "RESET", host ? "{\"guest\": false, \"reason\": \"host-qmp-system-reset\"}"
					       : "{\"guest\": true, \"reason\": \"guest-reset\"}");
			vm->ops->start(vm);
			pthread_mutex_unlock(&vm->mu);
			return;
		}
	}
	__atomic_store_n(&vm->live, false, __ATOMIC_RELEASE);
	vm->exit_code = end.exit_code;
	set_state(vm, end.error ? VM_ERROR : VM_SHUTDOWN);
	char data[96];
	snprintf(data, sizeof data, "{\"guest\": %s, \"reason\": \"%s\"}", vm->poweroff_reason ? "false" : "true",
		 vm->poweroff_reason ? vm->poweroff_reason : end.error ? "guest-panic" : "guest-shutdown");
	emit(vm, "SHUTDOWN", data);
	bool keep = vm->no_shutdown || hv->persist;
	pthread_mutex_unlock(&vm->mu);
	pthread_mutex_lock(&hv->mu);
	hv->exit_code = vm->exit_code;
	pthread_mutex_unlock(&hv->mu);
	if (!keep)
		vm_destroy(vm);
}

/* Harts and guest RAM are a board's: a VM without one (a wasm program)
 * has neither. */
int vm_nharts(const struct vm *vm)
{
	return vm->m ? vm->m->nharts : 0;
}

struct rv_hart *vm_hart(struct vm *vm, int k)
{
	if (k < 0 || k >= vm_nharts(vm) || (vm_state(vm) == VM_RUNNING && !__atomic_load_n(&vm->inspecting, __ATOMIC_ACQUIRE)))
		return NULL;
	return &vm->m->vcpu[k]->hart;
}

void vm_hart_info(struct vm *vm, int k, struct vm_hart_info *out)
{
	*out = (struct vm_hart_info){ .thread_id = -1 };
	if (k < 0 || k >= vm_nharts(vm))
		return;
	struct vcpu *v = vm->m->vcpu[k];
	out->thread_id = sched_unit_tid(&v->unit);
	if (vm_state(vm) != VM_RUNNING) { /* the hart is still: its state may be read */
		out->pc = v->hart.pc;
		out->halted = v->hart.wfi;
	}
}

int vm_inspect(struct vm *vm, void (*fn)(struct vm *vm, void *arg), void *arg)
{
	pthread_mutex_lock(&vm->mu);
	if (vm->dead) {
		pthread_mutex_unlock(&vm->mu);
		return -ERR_STATE;
	}
	bool hold = vm->m && vm->live && !vm->sched_paused; /* (a wasm program has no harts) */
	if (hold)
		machine_pause(vm->m); /* no state change, no STOP: nobody sees it */
	__atomic_store_n(&vm->inspecting, true, __ATOMIC_RELEASE);
	fn(vm, arg);
	__atomic_store_n(&vm->inspecting, false, __ATOMIC_RELEASE);
	if (hold)
		machine_resume(vm->m);
	pthread_mutex_unlock(&vm->mu);
	return 0;
}

bool vm_read_phys(struct vm *vm, uint64_t pa, void *buf, size_t n)
{
	if (!vm->m || !mem_contains(vm->m->mem, pa, n))
		return false;
	if (n)
		memcpy(buf, mem_map_read(vm->m->mem, pa, n), n);
	return true;
}

bool vm_write_phys(struct vm *vm, uint64_t pa, const void *buf, size_t n)
{
	if (!vm->m || !mem_contains(vm->m->mem, pa, n))
		return false;
	if (n)
		memcpy(mem_map_write(vm->m->mem, pa, n), buf, n);
	return true;
}

int vm_set_weight(struct vm *vm, unsigned weight)
{
	return sched_set_weight(vm->group, weight);
}

int vm_set_cap(struct vm *vm, unsigned percent)
{
	return sched_set_cap(vm->group, percent);
}

int vm_set_reservation(struct vm *vm, uint64_t period_ns, uint64_t budget_ns)
{
	return sched_set_reservation(vm->group, period_ns, budget_ns);
}

void vm_sched_params(struct vm *vm, struct vm_sched *out)
{
	struct sched_params p;
	sched_group_params(vm->group, &p);
	*out = (struct vm_sched){ .weight = p.weight, .cap = p.cap, .period_ns = p.period_ns, .budget_ns = p.budget_ns };
}

void vm_stats(struct vm *vm, struct vm_stats *out)
{
	struct sched_stats st;
	sched_group_stats(vm->group, &st);
	*out = (struct vm_stats){ .cpu_ns = st.cpu_ns, .slices = st.slices, .wakeups = st.wakeups };
	vm->ops->stats(vm, out);
}

/* -qmp and -monitor are `cairn vm` options: other kinds have none. */
int vm_qmp_specs(const struct vm *vm, const char *const **specs)
{
	*specs = vm->sp ? vm->sp->qmp : NULL;
	return vm->sp ? vm->sp->nqmp : 0;
}

bool vm_start_paused(const struct vm *vm)
{
	return vm->start_paused;
}

const char *vm_monitor_spec(const struct vm *vm)
{
	return vm->sp ? vm->sp->monitor : NULL;
}

size_t vm_console_recent(struct vm *vm, char *buf, size_t cap)
{
	return vm->ops->console_recent(vm, buf, cap);
}

const char *vm_kind(const struct vm *vm)
{
	return vm->ops->kind;
}

/* ---- the RISC-V board as a VM's engine ---- */

static void riscv_start(struct vm *vm)
{
	machine_start(vm->m);
}

static void riscv_pause(struct vm *vm)
{
	machine_pause(vm->m);
}

static void riscv_resume(struct vm *vm)
{
	machine_resume(vm->m);
}

static void riscv_halt(struct vm *vm)
{
	machine_halt(vm->m, 0);
}

static void riscv_reset(struct vm *vm)
{
	machine_reset(vm->m);
}

static void riscv_wait_stopped(struct vm *vm)
{
	machine_wait_stopped(vm->m);
}

static int riscv_reboot(struct vm *vm, cairn_errbuf *e)
{
	if (!machine_reboot(vm->m))
		return 0;
	cairn_errorf(e, "%s", vm->m->err.msg);
	return -ERR_IO;
}

static void riscv_ended(struct vm *vm, struct vm_end *out)
{
	*out = (struct vm_end){ .reset = vm->m->reset_requested, .exit_code = vm->m->exit_code };
}

static void riscv_stats(struct vm *vm, struct vm_stats *out)
{
	out->ram_bytes = vm->m->cfg.ram_size;
	for (int k = 0; k < vm->m->nharts; k++)
		out->instret += __atomic_load_n(&vm->m->vcpu[k]->hart.instret, __ATOMIC_RELAXED);
}

static size_t riscv_console_recent(struct vm *vm, char *buf, size_t cap)
{
	return console_recent(vm->m, buf, cap);
}

static void riscv_free(struct vm *vm)
{
	if (vm->m) {
		console_stop(vm->m); /* no more input reaches the monitor */
		monitor_session_free(vm->mon); /* its command in progress finishes first */
		vm->mon = NULL;
		machine_destroy(vm->m);
	}
	if (vm->trace_file)
		fclose(vm->trace_file);
	vm_spec_free(vm->sp);
}

static const struct vm_ops riscv_ops = {
	.kind = "riscv", .start = riscv_start, .pause = riscv_pause, .resume = riscv_resume, .halt = riscv_halt,
	.reset = riscv_reset, .wait_stopped = riscv_wait_stopped, .reboot = riscv_reboot, .ended = riscv_ended,
	.stats = riscv_stats, .console_recent = riscv_console_recent, .free = riscv_free,
};

/* ---- the hypervisor ---- */

int hv_create(struct hv **out, const struct hv_options *o)
{
	struct hv *hv = calloc(1, sizeof *hv);
	if (!hv)
		return -ERR_NOMEM;
	int err = sched_create(&hv->sched, o ? o->threads : 0);
	if (err) {
		free(hv);
		return err;
	}
	hv->persist = o && o->persist;
	pthread_mutex_init(&hv->mu, NULL);
	base_cond_init(&hv->cv);
	*out = hv;
	return 0;
}

static struct hv_ev *pop(struct hv *hv)
{
	struct hv_ev *ev = hv->qhead;
	if (ev && !(hv->qhead = ev->next))
		hv->qtail = NULL;
	return ev;
}

static void handle(struct hv *hv, struct hv_ev *ev)
{
	switch (ev->kind) {
	case EV_EVENT:
		deliver(hv, ev);
		break;
	case EV_STOPPED:
		stopped(hv, ev->vm);
		break;
	case EV_FREE:
		/* Listeners drop what refers to the VM (a control socket's
		 * command in progress finishes first) before it goes. */
		snprintf(ev->name, sizeof ev->name, "%s", HV_EVENT_FREE);
		deliver(hv, ev);
		free_vm(ev->vm);
		break;
	}
	free(ev->data);
	free(ev);
}

/* Whether some VM's harts are still on their way to a stop (hv->mu held). */
static bool any_live(struct hv *hv)
{
	for (struct vm *v = hv->vms; v; v = v->next)
		if (__atomic_load_n(&v->live, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

int hv_run(struct hv *hv)
{
	uint64_t drain_until = 0;
	pthread_mutex_lock(&hv->mu);
	for (;;) {
		struct hv_ev *ev = pop(hv);
		if (ev) {
			pthread_mutex_unlock(&hv->mu);
			handle(hv, ev);
			pthread_mutex_lock(&hv->mu);
			continue;
		}
		if (!hv->quit) {
			if (!hv->persist && !hv->vms)
				break;
			pthread_cond_wait(&hv->cv, &hv->mu);
			continue;
		}
		/* Quitting: VMs being powered off get up to a second to stop, so
		 * that their SHUTDOWN events still reach the listeners. */
		uint64_t now = base_now_ns();
		if (!drain_until)
			drain_until = now + 1000000000ull;
		if (!any_live(hv) || now >= drain_until)
			break;
		base_cond_wait_until(&hv->cv, &hv->mu, now + 10000000ull < drain_until ? now + 10000000ull : drain_until);
	}
	hv->quit = false;
	int code = hv->exit_code;
	pthread_mutex_unlock(&hv->mu);
	return code;
}

void hv_quit(struct hv *hv, int code)
{
	pthread_mutex_lock(&hv->mu);
	hv->quit = true;
	hv->exit_code = code;
	pthread_cond_broadcast(&hv->cv);
	pthread_mutex_unlock(&hv->mu);
}

void hv_destroy(struct hv *hv)
{
	if (!hv)
		return;
	for (struct vm *vm; (vm = vm_next(hv, NULL)); )
		vm_destroy(vm);
	pthread_mutex_lock(&hv->mu);
	hv->nlisteners = 0; /* nobody is listening any more */
	for (struct hv_ev *ev; (ev = pop(hv)); ) {
		pthread_mutex_unlock(&hv->mu);
		handle(hv, ev);
		pthread_mutex_lock(&hv->mu);
	}
	pthread_mutex_unlock(&hv->mu);
	sched_destroy(hv->sched);
	pthread_mutex_destroy(&hv->mu);
	pthread_cond_destroy(&hv->cv);
	free(hv);
}

int hv_add_listener(struct hv *hv, hv_event_fn *fn, void *ctx)
{
	pthread_mutex_lock(&hv->mu);
	int err = hv->nlisteners == MAX_LISTENERS ? -ERR_NOMEM : 0;
	if (!err) {
		hv->listeners[hv->nlisteners].fn = fn;
		hv->listeners[hv->nlisteners++].ctx = ctx;
	}
	pthread_mutex_unlock(&hv->mu);
	return err;
}

void hv_remove_listener(struct hv *hv, hv_event_fn *fn, void *ctx)
{
	pthread_mutex_lock(&hv->mu);
	for (int k = 0; k < hv->nlisteners; k++)
		if (hv->listeners[k].fn == fn && hv->listeners[k].ctx == ctx) {
			hv->listeners[k] = hv->listeners[--hv->nlisteners];
			break;
		}
	pthread_mutex_unlock(&hv->mu);
}
