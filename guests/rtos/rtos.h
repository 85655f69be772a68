/* rtos.h - the interfaces between the pieces of the rtos guest: console,
 * device-tree reader, latency statistics and the kernel (timer + tasks).
 * One header because the whole guest is a handful of small files. */
#ifndef RTOS_H
#define RTOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The QEMU virt board's fixed addresses (cairn's board matches them). */
#define RAM_BASE        0x80000000ul
#define CLINT_MTIMECMP0 0x02004000ul    /* hart 0's compare register */
#define CLINT_MTIME     0x0200bff8ul
#define UART0           0x10000000ul    /* NS16550A */
#define TEST_FINISHER   0x00100000ul    /* SiFive test device */
#define DEFAULT_TIMEBASE_HZ 10000000ul  /* QEMU virt: 10 MHz */

static inline uint64_t mtime(void) { return *(volatile uint64_t *)CLINT_MTIME; }

/* uart.c: polled output; kprintf knows %s, %lu, %lx and %% only (gcc checks the
 * argument types against them). */
void kputs(const char *s);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Pass (0x5555) or fail (code << 16 | 0x3333) through the test finisher. */
__attribute__((noreturn)) void board_exit(unsigned code);

/* fdt.c: copy up to CAP bytes of property PROP of the top-level node NODE
 * ("chosen", "cpus") into BUF; its whole length, or -1 when the tree is
 * absent, garbled or has no such property. */
int32_t fdt_prop(const void *fdt, const char *node, const char *prop, uint8_t *buf, uint32_t cap);
/* Set while fdt.c reads the tree: a load fault then skips the load instead
 * of ending the run, and sets fdt_faulted (a bad a1 is not fatal). */
extern volatile bool fdt_probing, fdt_faulted;

/* stats.c: latencies in ns, in 1 us buckets up to 5 ms plus one overflow
 * bucket, so percentiles need neither floating point nor stored samples. */
#define BUCKET_NS 1000u
#define NBUCKETS  5000u
struct stats {
	uint32_t n, min, max, overruns;
	uint32_t bucket[NBUCKETS + 1];
};
void stats_clear(struct stats *s);
void stats_add(struct stats *s, uint32_t ns);
void stats_merge(struct stats *dst, const struct stats *src);
uint32_t stats_percentile(const struct stats *s, unsigned pct);
void stats_print(const struct stats *s);

/* kernel.c: tasks run to completion in table order (first = highest
 * priority) in thread context with interrupts on; the timer interrupt
 * releases each task every `every` ticks. */
struct task {
	const char *name;
	uint32_t every;                 /* ticks between releases */
	void (*fn)(void);
	volatile uint32_t pending;      /* released, not yet started */
	uint32_t runs, missed;          /* missed: released again before it started */
};
struct kernel_config {
	uint64_t timebase_hz;
	uint32_t period_us;             /* the tick */
	uint32_t seconds;               /* run length, then the timer stops */
};
void kernel_init(const struct kernel_config *c, struct task *tasks, int ntasks);
/* Run tasks until the timer has stopped and nothing is left to run. */
void kernel_run(void);
/* For the once-a-second report task: the window that just closed (the
 * interrupt handler records into the other one meanwhile) and its second. */
struct stats *kernel_closed_window(uint64_t *second);
uint64_t kernel_spurious(void);
/* The run's latencies of ticks that woke the hart from wfi (woke) or
 * interrupted a task; read after kernel_run. */
const struct stats *kernel_by_state(bool woke);
/* Called from start.S for every trap. */
void rtos_trap(uint64_t cause, uint64_t epc, uint64_t tval);
void rtos_main(uint64_t hartid, const void *fdt);

#endif
