/* kernel.c - the rtos kernel: a tick from the CLINT timer on an absolute
 * schedule (deadline += period, so late ticks never make it drift), whose
 * interrupt handler measures its own lateness against the deadline it had
 * programmed; tasks released by tick counts run to completion in priority
 * order with interrupts on, and the hart sleeps in wfi when none is ready. */
#include "rtos.h"

#define MCAUSE_INT        (1ul << 63)
#define IRQ_M_TIMER       7
#define MIE_MTIE          (1ul << IRQ_M_TIMER)
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_LOAD_PAGE   13

static struct {
	struct task *tasks;
	int ntasks;
	uint64_t hz, period;            /* mtime ticks per second, per kernel tick */
	uint64_t deadline;              /* absolute mtime of the next tick */
	uint64_t done;                  /* kernel ticks served or skipped */
	uint64_t per_second, stop_at;   /* in kernel ticks */
	volatile bool stopped;
	/* Two per-second windows: the handler records into win[cur]; the
	 * report task reads, merges and clears the other one. */
	struct stats win[2];
	unsigned cur;
	uint64_t closed_second;
	uint64_t spurious;              /* timer interrupts before the deadline */
	/* The whole run again, split by what the tick interrupted: the hart
	 * asleep in wfi (a parked hart's wake-up) or a task running. */
	volatile bool idle;
	struct stats by_state[2];       /* [1]: woke from wfi */
} k;

static void set_mtimecmp(uint64_t v) { *(volatile uint64_t *)CLINT_MTIMECMP0 = v; }
static void irq_off(void) { __asm__ volatile("csrci mstatus, 8" ::: "memory"); }
static void irq_on(void) { __asm__ volatile("csrsi mstatus, 8" ::: "memory"); }

void kernel_init(const struct kernel_config *c, struct task *tasks, int ntasks)
{
	k.tasks = tasks;
	k.ntasks = ntasks;
	k.hz = c->timebase_hz;
	k.period = c->timebase_hz * c->period_us / 1000000;
	k.per_second = 1000000 / c->period_us;
	k.stop_at = (uint64_t)c->seconds * k.per_second;
	for (int i = 0; i < 2; i++) {
		stats_clear(&k.win[i]);
		stats_clear(&k.by_state[i]);
	}
}

/* Capped at about 4 s, which is the overflow bucket anyway. */
static uint32_t ticks_to_ns(uint64_t t)
{
	return t >= 4 * k.hz ? UINT32_MAX : (uint32_t)(t * 1000000000ull / k.hz);
}

/* Every task whose period boundary lies in (before, after] becomes ready;
 * one that was still waiting to start has missed its deadline. */
static void release(uint64_t before, uint64_t after)
{
	for (int i = 0; i < k.ntasks; i++) {
		struct task *t = &k.tasks[i];
		if (before / t->every == after / t->every)
			continue;
		if (t->pending)
			t->missed++;
		t->pending = 1;
	}
}

static void stop_timer(void)
{
	set_mtimecmp(UINT64_MAX);
	__asm__ volatile("csrc mie, %0" ::"r"(MIE_MTIE));
	k.stopped = true;
}

static void timer_tick(void)
{
	uint64_t now = mtime();     /* first: this is the wake-up being measured */
	if (now < k.deadline) {
		k.spurious++;
		return;
	}
	struct stats *w = &k.win[k.cur], *st = &k.by_state[k.idle];
	uint32_t ns = ticks_to_ns(now - k.deadline);
	stats_add(w, ns);
	stats_add(st, ns);
	k.idle = false;
	uint64_t before = k.done;
	k.deadline += k.period;
	k.done++;
	if (k.deadline <= now) {    /* a whole period late: skip to the next future tick */
		uint64_t miss = (now - k.deadline) / k.period + 1;
		k.deadline += miss * k.period;
		k.done += miss;
		w->overruns += (uint32_t)miss;
		st->overruns += (uint32_t)miss;
	}
	if (k.done >= k.stop_at)
		stop_timer();
	else
		set_mtimecmp(k.deadline);
	if (before / k.per_second != k.done / k.per_second) {
		k.closed_second = k.done / k.per_second;
		k.cur ^= 1;
	}
	release(before, k.done);
}

struct stats *kernel_closed_window(uint64_t *second)
{
	*second = k.closed_second;
	return &k.win[k.cur ^ 1];
}

uint64_t kernel_spurious(void) { return k.spurious; }

const struct stats *kernel_by_state(bool woke) { return &k.by_state[woke]; }

static struct task *next_ready(void)
{
	for (int i = 0; i < k.ntasks; i++)
		if (k.tasks[i].pending)
			return &k.tasks[i];
	return NULL;
}

/* The ready check and wfi run with interrupts masked, so a tick between
 * them cannot be slept through: wfi still wakes on a pending enabled
 * interrupt, which is then taken as soon as they are unmasked. */
void kernel_run(void)
{
	k.deadline = mtime() + k.period;
	set_mtimecmp(k.deadline);
	__asm__ volatile("csrs mie, %0" ::"r"(MIE_MTIE));
	for (;;) {
		irq_off();
		struct task *t = next_ready();
		if (!t && k.stopped)
			break;
		if (!t) {
			k.idle = true;  /* the tick taken at irq_on() is a wake-up */
			__asm__ volatile("wfi");
			irq_on();
			k.idle = false;
			continue;
		}
		t->pending = 0;
		irq_on();
		t->fn();
		t->runs++;
	}
	irq_on();
}

/* A load that faulted while reading the device tree is skipped (its
 * destination keeps garbage, fdt.c notices the flag); any other exception
 * is a bug in this kernel or the machine under it and ends the run. */
void rtos_trap(uint64_t cause, uint64_t epc, uint64_t tval)
{
	if (cause == (MCAUSE_INT | IRQ_M_TIMER)) {
		timer_tick();
		return;
	}
	if (fdt_probing && (cause == CAUSE_LOAD_ACCESS || cause == CAUSE_LOAD_PAGE)) {
		uint64_t len = (*(volatile uint16_t *)epc & 3) == 3 ? 4 : 2;
		__asm__ volatile("csrw mepc, %0" ::"r"(epc + len));
		fdt_faulted = true;
		return;
	}
	kprintf("rtos: fatal trap mcause=0x%lx mepc=0x%lx mtval=0x%lx\n", cause, epc, tval);
	board_exit(1);
}
