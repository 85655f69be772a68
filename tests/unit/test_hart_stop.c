/* test_hart_stop.c - a hart stops when asked, at an instruction boundary,
 * whatever shape of code it runs (a loop closed by a backward branch in one
 * page, a loop through an indirect jump in one page, straight-line code
 * across pages), and an interrupt raised by a device thread reaches a
 * running hart without waiting for its slice to end.  Prints the measured
 * latencies (median and worst of ROUNDS, default 200); the assertions are
 * only that each request was honoured before the slice would have ended. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "riscv/hart.h"
#include "rvasm.h"

#define BASE   0x80000000ull
#define SIZE   (1ull << 20)
#define MARK   (BASE + 0x80000)
#define SLICE  (1ll << 40)      /* effectively endless: only a request ends rv_run */

static int failures;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static int no_mmio_read(void *ctx, uint64_t pa, int size, uint64_t *val) { return -1; }
static int no_mmio_write(void *ctx, uint64_t pa, int size, uint64_t val) { return -1; }
/* The hart's time CSR reads the host's monotonic clock here, so a trap
 * handler can say when it ran (the poller may be descheduled meanwhile). */
static uint64_t host_time(void *ctx) { return base_now_ns(); }

struct run { rv_hart *h; int exit; uint64_t done_ns; int started; };

static void *runner(void *arg)
{
	struct run *r = arg;
	mem_mapper_busy(&r->h->mapper);
	__atomic_store_n(&r->started, 1, __ATOMIC_RELEASE);
	r->exit = rv_run(r->h, SLICE);
	r->done_ns = base_now_ns();
	mem_mapper_idle(&r->h->mapper);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *what, uint64_t *ns, int n)
{
	qsort(ns, (size_t)n, sizeof *ns, cmp_u64);
	printf("%-34s median %6.1f us, worst %8.1f us (%d rounds)\n", what, (double)ns[n / 2] / 1e3,
	       (double)ns[n - 1] / 1e3, n);
}

static void nap_us(long us)
{
	struct timespec ts = { 0, us * 1000 };
	nanosleep(&ts, NULL);
}

/* Run the program at BASE, ask for a stop after a while, time the answer. */
static void stop_rounds(struct mem *m, rv_hart *h, const char *what, int rounds)
{
	uint64_t *lat = calloc((size_t)rounds, sizeof *lat);
	for (int k = 0; k < rounds; k++) {
		rv_hart_reset(h, BASE);
		struct run r = { h, -1, 0, 0 };
		pthread_t t;
		pthread_create(&t, NULL, runner, &r);
		while (!__atomic_load_n(&r.started, __ATOMIC_ACQUIRE))
			;
		nap_us(200);
		uint64_t t0 = base_now_ns();
		rv_request_stop(h);
		pthread_join(t, NULL);
		CHECK(r.exit == RV_EXIT_STOP);
		CHECK(h->instret > 0);
		lat[k] = r.done_ns - t0;
	}
	report(what, lat, rounds);
	free(lat);
	(void)m;
}

static void load(struct mem *m, uint64_t at, const uint32_t *code, size_t n)
{
	CHECK(mem_write(m, at, code, n * 4));
}

static void test_stops(struct mem *m, rv_hart *h, int rounds)
{
	/* addi a0, a0, 1; bne a0, zero, -4 : a loop in one page. */
	uint32_t branch[] = { rv_addi(R_A0, R_A0, 1), rv_bne(R_A0, R_ZERO, -4) };
	load(m, BASE, branch, 2);
	stop_rounds(m, h, "stop: backward branch in a page", rounds);
	/* auipc t0, 0; addi a0, a0, 1; jalr zero, 4(t0): an indirect loop. */
	uint32_t ind[] = { rv_auipc(R_T0, 0), rv_addi(R_A0, R_A0, 1), rv_i(0x67, 0, R_ZERO, R_T0, 4) };
	load(m, BASE, ind, 3);
	stop_rounds(m, h, "stop: indirect jump in a page", rounds);
	/* 16 pages of addi, then a jump back: straight-line code. */
	static uint32_t line[16 * 1024];
	for (size_t k = 0; k < 16 * 1024 - 2; k++)
		line[k] = rv_addi(R_A0, R_A0, 1);
	line[16 * 1024 - 2] = rv_auipc(R_T0, -16);              /* back 16 pages ... */
	line[16 * 1024 - 1] = rv_i(0x67, 0, R_ZERO, R_T0, 8);   /* ... to the start */
	load(m, BASE, line, 16 * 1024);
	stop_rounds(m, h, "stop: straight-line code", rounds);
}

/* The hart spins in a loop; a device thread raises MEIP; the trap handler
 * stores the time it ran.  Time from the raise to the handler.  (mtimecmp
 * stays at its reset value, so the host-clock time CSR raises no timer.) */
static void test_irq(struct mem *m, rv_hart *h, int rounds)
{
	uint32_t prog[] = {
		rv_addi(R_A0, R_A0, 1),                 /* 0: loop */
		rv_bne(R_A0, R_ZERO, -4),
		rv_jal(R_ZERO, 0),
		rv_jal(R_ZERO, 0),
		rv_auipc(R_T1, 0x80),                   /* 16: handler: t1 = 16 + 512 KiB */
		rv_csrr(R_T2, 0xc01),                   /* t2 = time */
		rv_sd(R_T2, R_T1, -16),                 /* MARK = when */
		rv_jal(R_ZERO, 0),                      /* spin */
	};
	load(m, BASE, prog, sizeof prog / 4);
	uint64_t *lat = calloc((size_t)rounds, sizeof *lat);
	for (int k = 0; k < rounds; k++) {
		uint64_t zero = 0;
		CHECK(mem_write(m, MARK, &zero, 8));
		rv_hart_reset(h, BASE);
		h->mtvec = BASE + 16;
		h->mie = RV_MIP_MEIP;
		h->mstatus |= MSTATUS_MIE;
		rv_set_ext_irq(h, RV_MIP_MEIP, false);
		struct run r = { h, -1, 0, 0 };
		pthread_t t;
		pthread_create(&t, NULL, runner, &r);
		while (!__atomic_load_n(&r.started, __ATOMIC_ACQUIRE))
			;
		nap_us(200);
		uint64_t t0 = base_now_ns(), mark = 0;
		rv_set_ext_irq(h, RV_MIP_MEIP, true);
		while (!mark && base_now_ns() - t0 < 10000000000ull) {
			nap_us(20);
			CHECK(mem_read(m, MARK, &mark, 8));
		}
		CHECK(mark >= t0);
		lat[k] = mark - t0;
		rv_request_stop(h);
		pthread_join(t, NULL);
		CHECK(h->mcause == (1ull << 63 | RV_IRQ_MEI));
	}
	report("interrupt from another thread", lat, rounds);
	free(lat);
}

int main(void)
{
	struct mem *m;
	CHECK(mem_create(&m, BASE, SIZE) == 0);
	struct rv_bus bus = { .mem = m, .mmio_read = no_mmio_read, .mmio_write = no_mmio_write, .time = host_time };
	static rv_hart h;
	CHECK(rv_hart_init(&h, &bus, 0) == 0);
	const char *env = getenv("ROUNDS");
	int rounds = env ? atoi(env) : 200;
	if (rounds < 1)
		rounds = 1;
	test_stops(m, &h, rounds);
	test_irq(m, &h, rounds);
	rv_hart_free(&h);
	mem_destroy(m);
	if (failures) {
		fprintf(stderr, "test_hart_stop: %d failures\n", failures);
		return 1;
	}
	printf("test_hart_stop: ok\n");
	return 0;
}
