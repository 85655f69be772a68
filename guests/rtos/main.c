/* main.c - the rtos guest's boot and tasks: the kernel's 1 ms tick (whose
 * latency it measures), a 10 ms task that keeps the hart busy for part of
 * its period (more than 1 ms of it, and ticks interrupt running code as
 * well as wake the hart from wfi), and a once-a-second report.  Options come
 * from the kernel command line (/chosen/bootargs): rtos.seconds=N,
 * rtos.busy_us=N. */
#include "rtos.h"

#define PERIOD_US       1000
#define DEFAULT_SECONDS 5
#define MAX_SECONDS     86400
#define DEFAULT_BUSY_US 300             /* 3% of the hart: a light load by default */
#define MAX_BUSY_US     9000
#define BUSY_BYTES      256
#define BOOTARGS_MAX    256

static struct stats total;
static uint8_t busy_buf[BUSY_BYTES];
static uint32_t busy_expect;
static uint64_t busy_ticks;             /* mtime ticks of work per run */
static bool busy_bad;

/* Bitwise CRC-32 (reflected, poly 0xedb88320): branchy integer work. */
static uint32_t crc32(const uint8_t *p, uint32_t n)
{
	uint32_t c = 0xffffffffu;
	while (n--) {
		c ^= *p++;
		for (int b = 0; b < 8; b++)
			c = c & 1 ? c >> 1 ^ 0xedb88320u : c >> 1;
	}
	return ~c;
}

/* The time CSR: the same count as mtime, without a bus access per poll. */
static uint64_t rdtime(void)
{
	uint64_t t;
	__asm__ volatile("csrr %0, time" : "=r"(t));
	return t;
}

/* Work for a fixed time, not a fixed count, so the hart is as busy on a
 * slow emulator as on a fast one; the same sum every round, or memory or
 * the hart has gone wrong. */
static void busy_task(void)
{
	uint64_t end = rdtime() + busy_ticks;
	do
		if (crc32(busy_buf, BUSY_BYTES) != busy_expect)
			busy_bad = true;
	while (rdtime() < end);
}

static void report_task(void)
{
	uint64_t sec;
	struct stats *w = kernel_closed_window(&sec);
	kprintf("rtos: t=%lus ", (unsigned long)sec);
	stats_print(w);
	kputs("\n");
	stats_merge(&total, w);
	stats_clear(w);
}

/* Rate-monotonic: the shorter period first.  report's period is set at boot. */
static struct task tasks[] = {
	{ .name = "busy", .every = 10, .fn = busy_task },
	{ .name = "report", .fn = report_task },
};
#define NTASKS ((int)(sizeof tasks / sizeof tasks[0]))

/* The value of the word "KEY=N" (KEY ending in '='), when N is a number <= max. */
static bool arg_uint(const char *s, const char *key, uint32_t max, uint32_t *out)
{
	for (const char *w = s; *w; w++) {
		if ((w != s && w[-1] != ' ') || *w == ' ')
			continue;
		int i = 0;
		while (key[i] && w[i] == key[i])
			i++;
		if (key[i])
			continue;
		uint64_t v = 0;
		const char *d = w + i;
		for (; *d >= '0' && *d <= '9' && v <= max; d++)
			v = v * 10 + (uint64_t)(*d - '0');
		if ((*d && *d != ' ') || d == w + i || v > max)
			return false;
		*out = (uint32_t)v;
		return true;
	}
	return false;
}

/* Printable ASCII only: a garbled tree must not put control bytes on the console. */
static void bootargs(const void *fdt, char *out)
{
	int32_t n = fdt_prop(fdt, "chosen", "bootargs", (uint8_t *)out, BOOTARGS_MAX - 1);
	if (n < 0)
		n = 0;
	out[n < BOOTARGS_MAX - 1 ? n : BOOTARGS_MAX - 1] = 0;
	for (char *c = out; *c; c++)
		if (*c < ' ' || *c > '~')
			*c = '?';
}

static uint64_t timebase_hz(const void *fdt)
{
	uint8_t b[8];
	int32_t n = fdt_prop(fdt, "cpus", "timebase-frequency", b, sizeof b);
	uint64_t hz = 0;
	for (int32_t i = 0; (n == 4 || n == 8) && i < n; i++)
		hz = hz << 8 | b[i];
	return hz >= 1000 && hz <= 1000000000 ? hz : 0;
}

static void configure(uint64_t hartid, const void *fdt, struct kernel_config *c)
{
	static char args[BOOTARGS_MAX];
	bootargs(fdt, args);
	uint64_t hz = timebase_hz(fdt);
	uint32_t busy_us;
	c->timebase_hz = hz ? hz : DEFAULT_TIMEBASE_HZ;
	c->period_us = PERIOD_US;
	if (!arg_uint(args, "rtos.seconds=", MAX_SECONDS, &c->seconds) || !c->seconds)
		c->seconds = DEFAULT_SECONDS;
	if (!arg_uint(args, "rtos.busy_us=", MAX_BUSY_US, &busy_us))
		busy_us = DEFAULT_BUSY_US;
	busy_ticks = c->timebase_hz * busy_us / 1000000;
	kprintf("rtos: boot hart=%lu timebase_hz=%lu%s period_us=%lu seconds=%lu busy_us=%lu bootargs=\"%s\"\n",
		(unsigned long)hartid, (unsigned long)c->timebase_hz, hz ? "" : " (default)",
		(unsigned long)c->period_us, (unsigned long)c->seconds, (unsigned long)busy_us, args);
}

static void summary(void)
{
	for (int i = 0; i < NTASKS; i++)
		kprintf("rtos: task %s every=%lu runs=%lu missed=%lu\n", tasks[i].name,
			(unsigned long)tasks[i].every, (unsigned long)tasks[i].runs, (unsigned long)tasks[i].missed);
	kputs("rtos: from_wfi ");
	stats_print(kernel_by_state(true));
	kputs("\nrtos: from_task ");
	stats_print(kernel_by_state(false));
	kputs("\nrtos: done ");
	stats_print(&total);
	kprintf(" spurious=%lu\n", (unsigned long)kernel_spurious());
}

void rtos_main(uint64_t hartid, const void *fdt)
{
	struct kernel_config c;
	configure(hartid, fdt, &c);
	for (uint32_t i = 0; i < BUSY_BYTES; i++)
		busy_buf[i] = (uint8_t)(i * 7 + 3);
	busy_expect = crc32(busy_buf, BUSY_BYTES);
	stats_clear(&total);
	tasks[1].every = 1000000 / PERIOD_US;
	kernel_init(&c, tasks, NTASKS);
	kernel_run();
	summary();
	if (busy_bad)
		kputs("rtos: FAIL: the busy task's checksum changed\n");
	board_exit(busy_bad ? 2 : 0);
}
