/* bus.c - the services below the devices: the bus (device registry and
 * MMIO dispatch), guest RAM and the boot ROM, mtime, and the harts as
 * scheduler units (a hart in WFI is idle until an interrupt may be pending;
 * its timer deadline is armed in the scheduler's heap).  The virt board
 * (virt.c) is assembled on top of this. */
#include "machine/machine.h"

#include "base/state.h"

#include <stddef.h>
#include <stdlib.h>
#include <sys/mman.h>

#define SLICE 100000 /* instructions between interrupt checks */

static const struct sched_unit_ops vcpu_ops;
static void harts_stopped(void *ctx);

uint64_t machine_time(struct machine *m)
{
	return (base_now_ns() - m->time_base_ns) / 100; /* 10 MHz, as QEMU's virt */
}

/* The host time at which mtime reaches t. */
static uint64_t mtime_to_ns(struct machine *m, uint64_t t)
{
	if (t > (UINT64_MAX - m->time_base_ns) / 100)
		return UINT64_MAX;
	return m->time_base_ns + t * 100;
}

/* A hart's timer compare changed: arm its deadline in the scheduler. */
static void bus_timer_changed(void *ctx, rv_hart *h)
{
	struct machine *m = ctx;
	struct vcpu *v = m->vcpu[h->mhartid];
	uint64_t d = rv_next_deadline(h);
	sched_set_deadline(&v->unit, d == UINT64_MAX ? UINT64_MAX : mtime_to_ns(m, d));
}

static uint64_t bus_time(void *ctx)
{
	return machine_time(ctx);
}

static struct dev *find_dev(struct machine *m, uint64_t pa)
{
	for (int k = 0; k < m->ndevs; k++)
		if (pa >= m->devs[k].base && pa - m->devs[k].base < m->devs[k].size)
			return &m->devs[k];
	return NULL;
}

static int bus_read(void *ctx, uint64_t pa, int size, uint64_t *val)
{
	struct dev *d = find_dev(ctx, pa);
	if (!d)
		return -1;
	return d->ops->read(d->opaque, pa - d->base, size, val);
}

static int bus_write(void *ctx, uint64_t pa, int size, uint64_t val)
{
	struct dev *d = find_dev(ctx, pa);
	if (!d)
		return -1;
	return d->ops->write(d->opaque, pa - d->base, size, val);
}

static void ram_watch(void *ctx, uint64_t pa, int size)
{
	htif_store_hook(ctx, pa, size);
}

int machine_add_dev(struct machine *m, uint64_t base, uint64_t size, const struct dev_ops *ops, void *opaque)
{
	if (m->ndevs == (int)ARRAY_SIZE(m->devs))
		return -ERR_NOMEM;
	m->devs[m->ndevs++] = (struct dev){ base, size, ops, opaque };
	return 0;
}

/* ---- device state ---- */

static int save_one(struct machine *m, const struct dev *d, struct state_buf *s)
{
	if (d->ops->stateless)
		return 0;
	if (!d->ops->save) {
		cairn_errorf(&m->err, "device '%s' cannot be saved yet", d->ops->name);
		return -ERR_UNSUPP;
	}
	struct state_buf one;
	state_writer(&one);
	d->ops->save(d->opaque, &one);
	state_put_u32(s, (uint32_t)strlen(d->ops->name));
	state_put_bytes(s, d->ops->name, strlen(d->ops->name));
	state_put_u32(s, (uint32_t)one.len);
	state_put_bytes(s, one.p, one.len);
	int err = one.bad ? -ERR_NOMEM : 0;
	state_free(&one);
	return err;
}

int machine_save_devices(struct machine *m, struct state_buf *s)
{
	for (int k = 0; k < m->ndevs; k++) {
		int err = save_one(m, &m->devs[k], s);
		if (err)
			return err;
	}
	return s->bad ? -ERR_NOMEM : 0;
}

static int restore_one(struct machine *m, const struct dev *d, struct state_buf *s)
{
	if (d->ops->stateless)
		return 0;
	char name[64];
	uint32_t nl = state_get_below(s, sizeof name);
	state_get_bytes(s, name, nl);
	name[nl] = 0;
	uint32_t len = state_get_u32(s);
	if (s->bad)
		goto bad;
	if (strcmp(name, d->ops->name) || !d->ops->restore || len > s->len - s->pos)
		goto bad;
	struct state_buf one;
	state_reader(&one, s->p + s->pos, len);
	s->pos += len;
	int err = d->ops->restore(d->opaque, &one);
	if (!err && !state_done(&one))
		return 0;
bad:
	cairn_errorf(&m->err, "saved state does not match device '%s'", d->ops->name);
	return -ERR_FORMAT;
}

int machine_restore_devices(struct machine *m, struct state_buf *s)
{
	for (int k = 0; k < m->ndevs; k++) {
		int err = restore_one(m, &m->devs[k], s);
		if (err)
			return err;
	}
	if (state_done(s)) {
		cairn_errorf(&m->err, "saved device state has %zu bytes left over", s->len - s->pos);
		return -ERR_FORMAT;
	}
	return 0;
}

static void *map_zeroed(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* RAM, the boot ROM, the bus the harts see, the scheduler and the harts. */
int machine_bus_init(struct machine *m)
{
	const struct machine_config *cfg = &m->cfg;
	m->console = stdout;
	m->time_base_ns = base_now_ns();
	pthread_mutex_init(&m->halt_mu, NULL);
	int err = mem_create(&m->mem, VIRT_DRAM_BASE, cfg->ram_size);
	if (err)
		return err;
	m->mrom = map_zeroed(VIRT_MROM_SIZE);
	if (!m->mrom)
		return -ERR_NOMEM;
	mem_set_watcher(m->mem, ram_watch, m);
	m->bus.mem = m->mem;
	m->bus.rom[0] = (rv_rom){ VIRT_MROM_BASE, VIRT_MROM_SIZE, m->mrom };
	m->bus.nrom = 1;
	m->bus.mmio_read = bus_read;
	m->bus.mmio_write = bus_write;
	m->bus.time = bus_time;
	m->bus.timer_changed = bus_timer_changed;
	m->bus.ctx = m;
	pthread_cond_init(&m->stop_cv, NULL);
	m->sched = cfg->sched;
	if (!m->sched) {
		if ((err = sched_create(&m->sched, cfg->smp)))
			return err;
		m->own_sched = true;
	}
	if ((err = sched_group_create(m->sched, &m->group, harts_stopped, m)))
		return err;
	for (int k = 0; !err && k < cfg->smp; k++) {
		struct vcpu *v = calloc(1, sizeof *v);
		if (!v)
			return -ERR_NOMEM;
		m->vcpu[m->nharts++] = v;
		v->m = m;
		err = rv_hart_init(&v->hart, &m->bus, (uint64_t)k);
		if (!err)
			err = sched_add(m->group, &v->unit, &vcpu_ops);
		v->hart.trace = cfg->trace;
		v->hart.yield_hint = sched_waiting(m->sched);
	}
	return err;
}

/* Everything machine_bus_init made, and the devices on the bus. */
void machine_bus_fini(struct machine *m)
{
	if (m->group) {
		pthread_mutex_lock(&m->halt_mu);
		bool running = m->running;
		pthread_mutex_unlock(&m->halt_mu);
		if (running) {
			machine_halt(m, 0);
			while (__atomic_load_n(&m->paused, __ATOMIC_RELAXED) > 0)
				machine_resume(m);
			machine_wait_stopped(m);
		}
		sched_group_destroy(m->group); /* no timer of a hart fires after this */
	}
	if (m->own_sched)
		sched_destroy(m->sched);
	for (int k = 0; k < m->nharts; k++) {
		rv_hart_free(&m->vcpu[k]->hart);
		free(m->vcpu[k]);
	}
	for (int k = 0; k < m->ndevs; k++)
		if (m->devs[k].ops->destroy)
			m->devs[k].ops->destroy(m->devs[k].opaque);
		else if (m->devs[k].opaque != m)
			free(m->devs[k].opaque);
	mem_destroy(m->mem);
	if (m->mrom)
		munmap(m->mrom, VIRT_MROM_SIZE);
	pthread_mutex_destroy(&m->halt_mu);
	pthread_cond_destroy(&m->stop_cv);
}

uint8_t *machine_dma(struct machine *m, uint64_t gpa, uint64_t len, bool write)
{
	/* Write intent goes to mem before the bytes land: decoded code over
	 * them is dropped, shares broken, frames logged dirty. */
	return write ? mem_map_write(m->mem, gpa, len) : (uint8_t *)mem_map_read(m->mem, gpa, len);
}

void machine_wake(struct machine *m, int hartid)
{
	if (hartid < 0 || hartid >= m->nharts)
		return;
	struct vcpu *v = m->vcpu[hartid];
	rv_kick(&v->hart);
	sched_wake(&v->unit);
}

void machine_halt(struct machine *m, int code)
{
	pthread_mutex_lock(&m->halt_mu);
	if (!m->halted) {
		m->exit_code = code;
		__atomic_store_n(&m->halted, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&m->halt_mu);
	for (int k = 0; k < m->nharts; k++) {
		rv_request_stop(&m->vcpu[k]->hart); /* no need to finish the slice */
		sched_wake(&m->vcpu[k]->unit);
	}
}

static int trace_step(struct vcpu *v)
{
	rv_hart *h = &v->hart;
	FILE *f = v->m->cfg.trace_file ? v->m->cfg.trace_file : stderr;
	uint64_t pc = h->pc;
	uint64_t before = h->instret;
	int r = rv_run(h, 1);
	if (h->instret != before) {
		/* Show what ran, read back from physical memory when possible. */
		char buf[96];
		const uint8_t *p = mem_contains(v->m->mem, pc, 4) ? mem_map_read(v->m->mem, pc, 4)
			     : pc >= VIRT_MROM_BASE && pc - VIRT_MROM_BASE + 4 <= VIRT_MROM_SIZE
				     ? v->m->mrom + (pc - VIRT_MROM_BASE) : NULL;
		if (p && h->satp >> 60 == 0) {
			uint32_t w = ld_le16(p);
			if ((w & 3) == 3)
				w = ld_le32(p);
			rv_disasm(buf, sizeof buf, pc, w);
			fprintf(f, "%d 0x%016llx: %s\n", (int)h->mhartid, (unsigned long long)pc, buf);
		} else {
			fprintf(f, "%d 0x%016llx\n", (int)h->mhartid, (unsigned long long)pc);
		}
	}
	return r;
}

/* A hart whose trap vector cannot be fetched would spin forever. */
static void stuck(struct vcpu *v)
{
	rv_hart *h = &v->hart;
	bool s = h->priv == RV_PRIV_S;
	cairn_error("hart %d stopped: its trap vector 0x%llx cannot be fetched (%s %llu, tval 0x%llx)",
		    (int)h->mhartid, (unsigned long long)h->pc, s ? "scause" : "mcause",
		    (unsigned long long)(s ? h->scause : h->mcause), (unsigned long long)(s ? h->stval : h->mtval));
	machine_halt(v->m, 1);
}

static struct vcpu *unit_vcpu(struct sched_unit *u)
{
	return (struct vcpu *)((char *)u - offsetof(struct vcpu, unit));
}

/* A piece of a hart's slice.  Its translations are in use only between
 * mem_mapper_busy and mem_mapper_idle, and it is idle whenever it is back
 * with the scheduler: a shootdown never waits for a hart that sits in a
 * run queue behind the very worker that asked (rv_run looks at pending
 * requests before anything else). */
static int vcpu_run(struct sched_unit *u)
{
	struct vcpu *v = unit_vcpu(u);
	struct machine *m = v->m;
	rv_hart *h = &v->hart;
	if (__atomic_load_n(&m->halted, __ATOMIC_ACQUIRE))
		return SCHED_UNIT_DONE;
	__atomic_store_n(&v->reset_pending, 0, __ATOMIC_RELAXED);
	mem_mapper_busy(&h->mapper);
	h->wfi = false;
	int r = h->trace ? trace_step(v) : rv_run(h, SLICE);
	mem_mapper_idle(&h->mapper);
	if (m->console_dirty) {
		m->console_dirty = false;
		fflush(m->console);
	}
	if (r == RV_EXIT_STUCK)
		stuck(v);
	if (r == RV_EXIT_WFI || h->wfi)
		return SCHED_UNIT_IDLE;
	return r == RV_EXIT_YIELD ? SCHED_UNIT_YIELD : SCHED_UNIT_RUN;
}

static bool vcpu_ready(struct sched_unit *u)
{
	struct vcpu *v = unit_vcpu(u);
	return __atomic_load_n(&v->m->halted, __ATOMIC_ACQUIRE) || __atomic_load_n(&v->reset_pending, __ATOMIC_RELAXED) ||
	       rv_wakeup_pending(&v->hart);
}

static void vcpu_kick(struct sched_unit *u)
{
	rv_kick(&unit_vcpu(u)->hart);
}

static void vcpu_preempt(struct sched_unit *u)
{
	rv_request_stop(&unit_vcpu(u)->hart);
}

static const struct sched_unit_ops vcpu_ops = {
	.run = vcpu_run, .ready = vcpu_ready, .kick = vcpu_kick, .preempt = vcpu_preempt,
};

/* The last hart returned DONE (a worker thread).  on_stop runs before
 * machine_wait_stopped returns: a waiter may free what it refers to (hv's
 * vm_destroy queues the VM's free after its stop notice, never before). */
static void harts_stopped(void *ctx)
{
	struct machine *m = ctx;
	fflush(m->console);
	pthread_mutex_lock(&m->halt_mu);
	m->running = false;
	if (m->cfg.on_stop)
		m->cfg.on_stop(m->cfg.stop_ctx);
	pthread_cond_broadcast(&m->stop_cv);
	pthread_mutex_unlock(&m->halt_mu);
}

void machine_start(struct machine *m)
{
	pthread_mutex_lock(&m->halt_mu);
	m->running = true;
	pthread_mutex_unlock(&m->halt_mu);
	sched_start(m->group);
}

void machine_wait_stopped(struct machine *m)
{
	pthread_mutex_lock(&m->halt_mu);
	while (m->running)
		pthread_cond_wait(&m->stop_cv, &m->halt_mu);
	pthread_mutex_unlock(&m->halt_mu);
}

void machine_pause(struct machine *m)
{
	sched_pause(m->group);
	__atomic_add_fetch(&m->paused, 1, __ATOMIC_RELAXED);
	fflush(m->console);
}

void machine_resume(struct machine *m)
{
	if (__atomic_load_n(&m->paused, __ATOMIC_RELAXED) <= 0)
		return;
	__atomic_sub_fetch(&m->paused, 1, __ATOMIC_RELAXED);
	sched_resume(m->group);
}

void machine_reset(struct machine *m)
{
	pthread_mutex_lock(&m->halt_mu);
	if (!m->halted)
		m->reset_requested = true;
	pthread_mutex_unlock(&m->halt_mu);
	machine_halt(m, 0);
}

/* A warm reset as QEMU does it: RAM keeps its contents, the images are
 * loaded again, every hart restarts at the reset vector. */
int machine_reboot(struct machine *m)
{
	mem_reset_code(m->mem);
	m->reset_requested = false;
	m->exit_code = 0;
	__atomic_store_n(&m->halted, 0, __ATOMIC_RELEASE);
	int err = machine_load(m);
	/* Harts reset while parked (a paused machine) must run from their reset
	 * vector, not wait in WFI for an interrupt. */
	for (int k = 0; !err && k < m->nharts; k++) {
		__atomic_store_n(&m->vcpu[k]->reset_pending, 1, __ATOMIC_RELAXED);
		sched_wake(&m->vcpu[k]->unit);
	}
	return err;
}

int machine_run(struct machine *m)
{
	for (;;) {
		machine_start(m);
		machine_wait_stopped(m);
		fflush(m->console);
		if (!m->reset_requested)
			return m->exit_code;
		if (machine_reboot(m)) {
			cairn_error("reboot: %s", m->err.msg);
			return 1;
		}
	}
}

struct irq_line machine_irq(struct machine *m, int irq)
{
	return plic_line(m->plic, irq);
}

uint32_t machine_new_phandle(struct machine *m)
{
	return ++m->next_phandle;
}

uint32_t machine_plic_phandle(struct machine *m)
{
	return plic_phandle(m->plic);
}
