/* wasmunit.c - a WebAssembly program as a VM of the hypervisor: one
 * scheduler unit, on the same workers as every hart, with a weight, a cap
 * and the VMs' lifecycle (vmkind.h).  The program runs as `cairn run` runs
 * it (wasm/wasirun.c) on a fiber of its own (sched/fiber.h), because the
 * interpreter cannot return in the middle of a program:
 *  - the unit's run() switches into the fiber; the fiber switches back from
 *    the interpreter's refuel hook when its slice (SLICE_NS of wasm) is
 *    over or the scheduler preempted it (a flag, and fuel zeroed so that
 *    the next loop head or call sees it), and continues there next time;
 *  - fuel is a budget of back-edges and calls handed out in chunks sized to
 *    take about CHUNK_NS each, so the clock is read once a chunk (no timer);
 *    a --fuel limit is kept exactly across chunks;
 *  - a sleep (poll_oneoff on clocks only) makes the unit idle with a
 *    scheduler deadline instead of blocking a worker; other blocking WASI
 *    calls (fd_read on a terminal or pipe, sock_accept) do hold their
 *    worker until they return -- a pause or a stop wakes them through
 *    WASI's interrupt pipe;
 *  - its stdout and stderr go to their host fds (the hypervisor's, or
 *    --stdout/--stderr FILE) and into a 64 KiB ring (vm_console_recent). */
#include "hv/vmkind.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sched/fiber.h"
#include "wasm/wasirun.h"

#define SLICE_NS 500000ull      /* wasm run by one run() at most (about) */
#define CHUNK_NS 50000ull       /* aimed-at time between two looks at the clock */
#define CHUNK_MIN 16
#define CHUNK_MAX ((int64_t)1 << 24)
#define RING 65536

enum { F_YIELD = 1, F_STOP = 2, F_RESET = 4 };

struct prog {
	struct vm *vm;
	char **argv;            /* our copy: the options' strings point into it */
	int argc;
	char *name;             /* --name, or NULL */
	bool no_shutdown;
	wa_run_opts o;
	wa_module *mod;
	int stdio[3];
	bool own_stdio[3];      /* --stdin/--stdout/--stderr files, ours to close */
	unsigned wasi_flags;
	struct sched_group *group;
	struct sched_unit unit;
	struct sched_fiber *fiber; /* this run's (NULL: none made yet) */
	int flags;              /* F_*, atomic */
	int pausing;            /* atomic: a vm_pause is waiting for the program */
	/* The running program's, touched by its fiber only. */
	uint64_t slice_start, chunk_start;
	int64_t chunk, handed, passed; /* fuel: the chunk size, the last handed out, checks passed */
	uint64_t timeout_at;    /* CLOCK_MONOTONIC ns, 0: no --timeout */
	uint64_t wake_at;       /* atomic: asleep until then (0: not asleep) */
	int timed_out;          /* atomic */
	int ret;                /* what run() returns when the fiber switches back */
	struct vm_end end;
	wa_run_result res;
	/* Shared with other threads, under mu. */
	pthread_mutex_t mu;
	pthread_cond_t cv;      /* finished moved */
	unsigned started, finished; /* runs begun (start) and ended (done) */
	wa_wasi *w;             /* the run's WASI context, while it exists */
	wa_thread *t;           /* the run's wasm thread, while it exists */
	wa_instance *inst;      /* the run's instance, while it exists */
	uint64_t ticks;         /* atomic: fuel units spent (loop iterations + calls) */
	int64_t unspent;        /* atomic: fuel a poke took back before it was spent */
	struct base_ring ring;  /* the latest output */
};

static struct prog *unit_prog(struct sched_unit *u)
{
	return (struct prog *)((char *)u - offsetof(struct prog, unit));
}

static int flags(struct prog *p)
{
	return __atomic_load_n(&p->flags, __ATOMIC_ACQUIRE);
}

/* Its --timeout has passed (noted once seen). */
static bool timed_out(struct prog *p, uint64_t now)
{
	uint64_t at = __atomic_load_n(&p->timeout_at, __ATOMIC_RELAXED);
	if (at && now >= at)
		__atomic_store_n(&p->timed_out, 1, __ATOMIC_RELAXED);
	return __atomic_load_n(&p->timed_out, __ATOMIC_RELAXED);
}

/* The program must end: the host stops or resets it, or its time is up. */
static bool must_end(struct prog *p)
{
	return (flags(p) & (F_STOP | F_RESET)) || timed_out(p, base_now_ns());
}

/* Wake a blocking WASI call (any thread). */
static void interrupt_wasi(struct prog *p)
{
	pthread_mutex_lock(&p->mu);
	if (p->w)
		wa_wasi_interrupt(p->w);
	pthread_mutex_unlock(&p->mu);
}

/* Make the running wasm code call refuel at its next loop head or call
 * (any thread; the scheduler's lock may be held).  The thread lives on the
 * fiber's stack while the run lasts: p->t, under mu, says whether it does.
 * A store the interpreter's own count overwrites is caught at the chunk's
 * end. */
static void poke(struct prog *p)
{
	pthread_mutex_lock(&p->mu);
	if (p->t) {
		int64_t left = __atomic_exchange_n(&p->t->fuel, 0, __ATOMIC_ACQ_REL);
		if (left > 0) /* not spent: instret must not count it */
			__atomic_add_fetch(&p->unspent, left, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&p->mu);
}

/* ---- inside the fiber: giving the worker back ---- */

/* Back to run(), which returns r; here again at the next run(). */
static void yield(struct prog *p, int r)
{
	p->ret = r;
	sched_fiber_yield(p->fiber);
	p->slice_start = p->chunk_start = base_now_ns();
}

/* A chunk of fuel is spent (wa_thread.refuel): count it, end the run if it
 * must, give the worker back if the slice is over, hand out the next. */
static const char *refuel(wa_thread *t, void *ctx)
{
	struct prog *p = ctx;
	uint64_t now = base_now_ns(), took = now - p->chunk_start;
	int64_t spent = p->handed + 1 - __atomic_exchange_n(&p->unspent, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&p->ticks, p->ticks + (uint64_t)(spent > 0 ? spent : 0), __ATOMIC_RELAXED);
	if (p->o.fuel >= 0) { /* the check that ran out is the (passed + 1)th */
		p->passed += p->handed;
		if (p->passed >= p->o.fuel)
			return WA_TRAP_FUEL;
		p->passed++;
	}
	if (flags(p) & F_YIELD)
		; /* cut short by a poke: says nothing about the chunk's size */
	else if (took < CHUNK_NS / 2 && p->chunk < CHUNK_MAX)
		p->chunk *= 2;
	else if (took > CHUNK_NS * 2 && p->chunk > CHUNK_MIN)
		p->chunk /= 2;
	if (must_end(p))
		return WA_TRAP_INTERRUPT;
	if ((flags(p) & F_YIELD) || now - p->slice_start >= SLICE_NS) {
		__atomic_and_fetch(&p->flags, ~F_YIELD, __ATOMIC_RELAXED);
		yield(p, SCHED_UNIT_RUN);
		if (must_end(p))
			return WA_TRAP_INTERRUPT;
	} else {
		p->chunk_start = now;
	}
	p->handed = p->o.fuel >= 0 && p->o.fuel - p->passed < p->chunk ? p->o.fuel - p->passed : p->chunk;
	t->fuel = p->handed;
	return NULL;
}

/* WASI's sleep hook: idle until deadline, the worker free meanwhile. */
static int sleep_until(void *ctx, uint64_t deadline)
{
	struct prog *p = ctx;
	if (!deadline) { /* sched_yield */
		yield(p, SCHED_UNIT_YIELD);
		return must_end(p) ? -1 : 0;
	}
	while (!must_end(p) && base_now_ns() < deadline) {
		__atomic_store_n(&p->wake_at, deadline, __ATOMIC_RELEASE);
		sched_set_deadline(&p->unit, p->timeout_at && p->timeout_at < deadline ? p->timeout_at : deadline);
		yield(p, SCHED_UNIT_IDLE);
		__atomic_store_n(&p->wake_at, 0, __ATOMIC_RELEASE);
	}
	sched_set_deadline(&p->unit, p->timeout_at ? p->timeout_at : UINT64_MAX);
	return must_end(p) ? -1 : 0;
}

/* WASI's interrupted hook: a blocking call was woken.  For a pause, give
 * the worker back (the pause holds the unit) and wait on when resumed. */
static bool interrupted(void *ctx)
{
	struct prog *p = ctx;
	while (!must_end(p) && __atomic_load_n(&p->pausing, __ATOMIC_ACQUIRE))
		yield(p, SCHED_UNIT_RUN);
	return must_end(p);
}

/* WASI's output hook: what reached stdout or stderr, into the ring too. */
static void output(void *ctx, int stream, const void *buf, size_t n)
{
	struct prog *p = ctx;
	pthread_mutex_lock(&p->mu);
	base_ring_put(&p->ring, buf, n);
	pthread_mutex_unlock(&p->mu);
}

static const wa_wasi_hooks hooks = { .output = output, .sleep = sleep_until, .interrupted = interrupted };

/* --invoke's results: where the program's stdout goes. */
static void print_line(void *ctx, const char *line)
{
	struct prog *p = ctx;
	size_t n = strlen(line);
	if (p->stdio[1] >= 0 && write(p->stdio[1], line, n) < 0) {
		/* the program's stdout is gone: the ring still has it */
	}
	output(p, 1, line, n);
}

/* ---- wa_run_host: the run's beginning and end ---- */

static void begin(void *ctx, wa_thread *t, wa_wasi *w)
{
	struct prog *p = ctx;
	p->chunk = 4096;
	p->passed = 0;
	p->handed = p->o.fuel >= 0 && p->o.fuel < p->chunk ? p->o.fuel : p->chunk;
	t->fuel = p->handed;
	t->refuel = refuel;
	t->refuel_ctx = p;
	pthread_mutex_lock(&p->mu);
	p->w = w;
	p->t = t;
	pthread_mutex_unlock(&p->mu);
}

static void end(void *ctx)
{
	struct prog *p = ctx;
	pthread_mutex_lock(&p->mu);
	p->w = NULL;
	p->t = NULL;
	pthread_mutex_unlock(&p->mu);
}

static void instance(void *ctx, wa_instance *inst)
{
	struct prog *p = ctx;
	pthread_mutex_lock(&p->mu);
	p->inst = inst;
	pthread_mutex_unlock(&p->mu);
}

static bool host_timed_out(void *ctx)
{
	struct prog *p = ctx;
	return __atomic_load_n(&p->timed_out, __ATOMIC_RELAXED);
}

/* The fiber's body: one run of the program, start to end. */
static void prog_main(void *arg)
{
	struct prog *p = arg;
	wa_run_host h = { .stdio = { p->stdio[0], p->stdio[1], p->stdio[2] }, .hooks = &hooks,
			  .wasi_flags = p->wasi_flags, .ctx = p, .begin = begin, .end = end, .instance = instance,
			  .timed_out = host_timed_out, .print = print_line };
	int rc = 0;
	bool ran = !must_end(p);
	p->res = (wa_run_result){ 0 };
	p->slice_start = p->chunk_start = base_now_ns();
	if (ran && p->o.timeout_ns) {
		__atomic_store_n(&p->timeout_at, p->slice_start + p->o.timeout_ns, __ATOMIC_RELAXED);
		sched_set_deadline(&p->unit, p->timeout_at);
	}
	if (ran)
		rc = wa_run_exec(&p->o, p->mod, &h, &p->res);
	/* Ended by the host (poweroff, destroy, reset), not by itself: no error. */
	bool by_host = !ran || (p->res.trap && !strcmp(p->res.trap, WA_TRAP_INTERRUPT) &&
				(flags(p) & (F_STOP | F_RESET)) && !__atomic_load_n(&p->timed_out, __ATOMIC_RELAXED));
	if (p->res.msg[0] && !by_host) {
		cairn_error("hv: wasm '%s': %s", vm_name(p->vm), p->res.msg);
		wa_run_print_trace(stderr, p->res.trace);
	}
	p->end = (struct vm_end){ .error = p->res.msg[0] && !by_host, .exit_code = by_host ? 0 : rc };
	p->ret = SCHED_UNIT_DONE;
}

/* ---- the scheduler's unit ---- */

static int unit_run(struct sched_unit *u)
{
	struct prog *p = unit_prog(u);
	p->ret = SCHED_UNIT_DONE;
	__atomic_and_fetch(&p->flags, ~F_YIELD, __ATOMIC_RELAXED); /* an earlier slice's */
	return sched_fiber_run(p->fiber) ? p->ret : SCHED_UNIT_DONE;
}

static bool unit_ready(struct sched_unit *u)
{
	struct prog *p = unit_prog(u);
	uint64_t at = __atomic_load_n(&p->wake_at, __ATOMIC_ACQUIRE);
	return !at || base_now_ns() >= at || (flags(p) & (F_STOP | F_RESET)) || timed_out(p, base_now_ns());
}

/* The deadline (a sleep's end, or --timeout) passed: a blocking call that
 * holds the worker is woken when it is the timeout. */
static void unit_kick(struct sched_unit *u)
{
	struct prog *p = unit_prog(u);
	if (timed_out(p, base_now_ns())) {
		poke(p);
		interrupt_wasi(p);
	}
}

/* The slice is over: the next loop head or call gives the worker back.
 * Under --fuel the count must stay exact, so the chunk's end does (within
 * about CHUNK_NS). */
static void unit_preempt(struct sched_unit *u)
{
	struct prog *p = unit_prog(u);
	__atomic_or_fetch(&p->flags, F_YIELD, __ATOMIC_RELEASE);
	if (p->o.fuel < 0)
		poke(p);
}

static const struct sched_unit_ops unit_ops = {
	.run = unit_run, .ready = unit_ready, .kick = unit_kick, .preempt = unit_preempt,
};

/* The unit returned DONE (its worker): the run is over.  EV_STOPPED is
 * queued under mu, so a wait_stopped that then queues EV_FREE (vm_destroy)
 * queues it after; after the unlock nothing here touches p, which the hv
 * thread may free as soon as it has handled EV_STOPPED. */
static void group_done(void *ctx)
{
	struct prog *p = ctx;
	pthread_mutex_lock(&p->mu);
	p->finished++;
	pthread_cond_broadcast(&p->cv);
	vm_units_stopped(p->vm);
	pthread_mutex_unlock(&p->mu);
}

/* ---- the VM's engine ---- */

static struct prog *vm_prog(struct vm *vm)
{
	return vm_impl(vm);
}

static void prog_start(struct vm *vm)
{
	struct prog *p = vm_prog(vm);
	pthread_mutex_lock(&p->mu);
	p->started++;
	pthread_mutex_unlock(&p->mu);
	sched_start(p->group);
}

static void prog_pause(struct vm *vm)
{
	struct prog *p = vm_prog(vm);
	__atomic_add_fetch(&p->pausing, 1, __ATOMIC_RELEASE);
	interrupt_wasi(p); /* a blocking call gives its worker back */
	sched_pause(p->group);
}

static void prog_resume(struct vm *vm)
{
	struct prog *p = vm_prog(vm);
	if (__atomic_load_n(&p->pausing, __ATOMIC_ACQUIRE) <= 0)
		return;
	__atomic_sub_fetch(&p->pausing, 1, __ATOMIC_RELEASE);
	sched_resume(p->group);
}

static void prog_stop(struct prog *p, int why)
{
	__atomic_or_fetch(&p->flags, why, __ATOMIC_RELEASE);
	poke(p);
	interrupt_wasi(p);
	sched_wake(&p->unit); /* asleep: wake up to end */
}

static void prog_halt(struct vm *vm)
{
	prog_stop(vm_prog(vm), F_STOP);
}

static void prog_reset(struct vm *vm)
{
	prog_stop(vm_prog(vm), F_RESET);
}

static void prog_wait_stopped(struct vm *vm)
{
	struct prog *p = vm_prog(vm);
	pthread_mutex_lock(&p->mu);
	while (p->finished < p->started)
		pthread_cond_wait(&p->cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

/* A fresh fiber for the next run.  One suspended in the middle (a paused
 * program being reset) is first run to its end here: told to stop, every
 * hook it can be suspended in returns at once, and its frames free what
 * they hold. */
static int prog_reboot(struct vm *vm, cairn_errbuf *e)
{
	struct prog *p = vm_prog(vm);
	if (p->fiber) {
		__atomic_or_fetch(&p->flags, F_STOP, __ATOMIC_RELEASE);
		while (sched_fiber_run(p->fiber))
			;
		sched_fiber_free(p->fiber);
		p->fiber = NULL;
	}
	sched_set_deadline(&p->unit, UINT64_MAX); /* the old run's --timeout */
	__atomic_store_n(&p->timeout_at, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&p->flags, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&p->timed_out, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&p->wake_at, 0, __ATOMIC_RELEASE);
	if (sched_fiber_create(&p->fiber, 0, prog_main, p)) {
		cairn_errorf(e, "wasm: out of memory for the program's stack");
		return -ERR_NOMEM;
	}
	sched_wake(&p->unit); /* paused asleep: runs from the start when resumed */
	return 0;
}

static void prog_ended(struct vm *vm, struct vm_end *out)
{
	struct prog *p = vm_prog(vm);
	*out = p->end;
	out->reset = flags(p) & F_RESET;
}

/* instret: the fuel units it spent (loop iterations and calls). */
static void prog_stats(struct vm *vm, struct vm_stats *out)
{
	struct prog *p = vm_prog(vm);
	pthread_mutex_lock(&p->mu);
	out->instret = __atomic_load_n(&p->ticks, __ATOMIC_RELAXED);
	if (p->inst && p->inst->mod->nmems)
		out->ram_bytes = __atomic_load_n(&p->inst->mems[0]->size, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&p->mu);
}

static size_t prog_console_recent(struct vm *vm, char *buf, size_t cap)
{
	struct prog *p = vm_prog(vm);
	pthread_mutex_lock(&p->mu);
	size_t n = base_ring_latest(&p->ring, buf, cap);
	pthread_mutex_unlock(&p->mu);
	return n;
}

static void prog_free_data(struct prog *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu); /* the last group_done has let go of p */
	pthread_mutex_unlock(&p->mu);
	sched_fiber_free(p->fiber);
	sched_group_destroy(p->group);
	for (int i = 0; i < 3; i++)
		if (p->own_stdio[i])
			close(p->stdio[i]);
	wa_module_free(p->mod);
	wa_run_opts_free(&p->o);
	for (int i = 0; i < p->argc; i++)
		free(p->argv[i]);
	free(p->argv);
	free(p->name);
	base_ring_free(&p->ring);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

static void prog_free(struct vm *vm)
{
	prog_free_data(vm_prog(vm));
}

static const struct vm_ops wasm_ops = {
	.kind = "wasm", .start = prog_start, .pause = prog_pause, .resume = prog_resume, .halt = prog_halt,
	.reset = prog_reset, .wait_stopped = prog_wait_stopped, .reboot = prog_reboot, .ended = prog_ended,
	.stats = prog_stats, .console_recent = prog_console_recent, .free = prog_free,
};

/* ---- creating one ---- */

/* A file for the program's stdin (read) or stdout/stderr (written anew). */
static int open_stdio(struct prog *p, int k, const char *path, cairn_errbuf *e)
{
	if (p->own_stdio[k])
		close(p->stdio[k]);
	int fd = k ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666) : open(path, O_RDONLY | O_CLOEXEC);
	p->own_stdio[k] = fd >= 0;
	p->stdio[k] = fd;
	if (fd < 0) {
		cairn_errorf(e, "wasm: cannot open '%s': %s", path, strerror(errno));
		return 1;
	}
	return 0;
}

/* The options cairn hv adds to cairn run's (wa_run_opts.extra). */
static int extra_opt(void *ctx, int argc, char **argv, int *i, cairn_errbuf *e)
{
	static const char *const files[] = { "--stdin", "--stdout", "--stderr" };
	struct prog *p = ctx;
	const char *a = argv[*i];
	if (!strcmp(a, "--no-shutdown") || !strcmp(a, "-no-shutdown")) {
		p->no_shutdown = true;
		return 0;
	}
	bool named = !strcmp(a, "--name") || !strcmp(a, "-name");
	int k = -1;
	for (int j = 0; j < 3; j++)
		if (!strcmp(a, files[j]))
			k = j;
	if (!named && k < 0)
		return -1;
	if (*i + 1 >= argc)
		return -1;
	const char *v = argv[++*i];
	if (k >= 0)
		return open_stdio(p, k, v, e);
	free(p->name);
	if (!(p->name = strdup(v))) {
		cairn_errorf(e, "wasm: out of memory");
		return 1;
	}
	return 0;
}

/* The hypervisor's own stdio, for the program (-1: closed). */
static void host_stdio(struct prog *p)
{
	for (int k = 0; k < 3; k++)
		p->stdio[k] = fcntl(k, F_GETFD) < 0 ? -1 : k;
}

static int copy_args(struct prog *p, int argc, char **argv)
{
	if (!(p->argv = calloc((size_t)argc + 2, sizeof *p->argv)))
		return -1;
	p->argv[p->argc++] = strdup("run"); /* wa_run_parse skips argv[0] */
	for (int k = 0; k < argc; k++)
		p->argv[p->argc++] = strdup(argv[k]);
	for (int k = 0; k < p->argc; k++)
		if (!p->argv[k])
			return -1;
	return 0;
}

/* Preopened directories are opened per run: check them now, so that a
 * missing one stops the hypervisor's start as a bad -kernel does. */
static int check_dirs(const struct prog *p, cairn_errbuf *e)
{
	for (int k = 0; k < p->o.ndirs; k++) {
		int fd = open(p->o.dirs[k].host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			cairn_errorf(e, "run: cannot open directory %s: %s", p->o.dirs[k].host, strerror(errno));
			return -1;
		}
		close(fd);
	}
	return 0;
}

static int prog_parse(struct prog *p, int argc, char **argv, cairn_errbuf *e)
{
	if (copy_args(p, argc, argv)) {
		cairn_errorf(e, "wasm: out of memory");
		return -ERR_NOMEM;
	}
	host_stdio(p);
	p->o = (wa_run_opts){ .fuel = -1, .extra = extra_opt, .extra_ctx = p };
	int r = wa_run_parse(&p->o, p->argc, p->argv, e);
	if (r == WA_RUN_HELP)
		cairn_errorf(e, "the options are cairn run's ('cairn run -h') and --name, --stdin, --stdout, --stderr, --no-shutdown");
	if (r || wa_run_load(&p->o, &p->mod, e) || check_dirs(p, e))
		return -ERR_INVAL;
	p->wasi_flags = (getenv("CAIRN_WASI_NO_OPENAT2") ? WA_WASI_NO_OPENAT2 : 0) |
			(getenv("CAIRN_WASI_NO_NOWAIT") ? WA_WASI_NO_NOWAIT : 0);
	return 0;
}

int vm_create_wasm(struct hv *hv, int argc, char **argv, struct vm **out, cairn_errbuf *e)
{
	*out = NULL;
	struct prog *p = calloc(1, sizeof *p);
	if (!p) {
		cairn_errorf(e, "wasm: out of memory");
		return -ERR_NOMEM;
	}
	pthread_mutex_init(&p->mu, NULL);
	base_cond_init(&p->cv);
	for (int k = 0; k < 3; k++)
		p->stdio[k] = -1;
	int err = prog_parse(p, argc, argv, e);
	if (!err && (base_ring_init(&p->ring, RING) || sched_group_create(hv_sched(hv), &p->group, group_done, p) ||
		     sched_add(p->group, &p->unit, &unit_ops) || sched_fiber_create(&p->fiber, 0, prog_main, p))) {
		cairn_errorf(e, "wasm: out of memory");
		err = -ERR_NOMEM;
	}
	struct vm_engine en = { .ops = &wasm_ops, .impl = p, .group = p->group, .name = p->name,
				.no_shutdown = p->no_shutdown };
	if (!err)
		err = vm_new(hv, &en, &p->vm, e);
	if (err) {
		prog_free_data(p);
		return err;
	}
	*out = p->vm;
	return 0;
}
