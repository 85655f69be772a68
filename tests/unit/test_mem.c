/* test_mem.c - guest RAM frames (src/mem): bounds of every host-pointer
 * request, pins, dirty logging, and the sharing protocol under harts that
 * store as fast as they can: after mem_share returns (its shootdown acked)
 * no store may land in the shared frame until a writer breaks the share,
 * and at the end every hart's last store is where it belongs (no write lost
 * or misplaced).  Rounds: MEM_STRESS_ROUNDS (default 300). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "riscv/hart.h"
#include "rvasm.h"

#define BASE    0x80000000ull
#define SIZE    (4ull << 20)
#define SHARED  (BASE + 0x100000) /* the page every hart stores to */
#define PRIV(h) (BASE + 0x200000 + 0x1000 * (uint64_t)(h))
/* More harts than this machine's 2 cores: a descheduled hart thread acks a
 * shootdown only when it runs again, which the protocol must survive. */
#define NHARTS  3

static int failures;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static int no_mmio_read(void *ctx, uint64_t pa, int size, uint64_t *val) { return -1; }
static int no_mmio_write(void *ctx, uint64_t pa, int size, uint64_t val) { return -1; }
static uint64_t zero_time(void *ctx) { return 0; }

static void test_bounds(void)
{
	struct mem *m;
	CHECK(mem_create(&m, BASE, 0) == -ERR_INVAL);
	CHECK(mem_create(&m, BASE + 1, SIZE) == -ERR_INVAL);
	CHECK(mem_create(&m, ~0ull - 0xfff, 0x2000) == -ERR_INVAL); /* wraps */
	CHECK(mem_create(&m, BASE, SIZE) == 0);
	CHECK(mem_contains(m, BASE, SIZE));
	CHECK(!mem_contains(m, BASE, SIZE + 1));
	CHECK(!mem_contains(m, BASE - 1, 2));
	CHECK(!mem_contains(m, BASE + SIZE, 1));
	CHECK(mem_contains(m, BASE + SIZE, 0));
	CHECK(!mem_contains(m, BASE + 8, ~0ull)); /* length overflow */
	CHECK(!mem_map_read(m, 0, 4));
	CHECK(!mem_map_write(m, BASE + SIZE - 4, 8));
	CHECK(mem_map_write(m, BASE + SIZE - 8, 8) != NULL);
	CHECK(!mem_page(m, BASE + SIZE));
	CHECK(mem_page(m, BASE + SIZE - 1) == mem_map_read(m, BASE + SIZE - 4096, 4096));
	uint8_t b[16] = { 1, 2, 3 }, c[16] = { 0 };
	CHECK(mem_write(m, BASE + 4090, b, 16)); /* crosses a page */
	CHECK(mem_read(m, BASE + 4090, c, 16) && !memcmp(b, c, 16));
	CHECK(!mem_write(m, BASE + SIZE - 8, b, 16));
	/* Pins count per frame and refuse ranges outside RAM. */
	struct mem_pin p1, p2;
	CHECK(mem_pin(m, BASE + 0x1ff0, 0x20, true, &p1) == 0);
	CHECK(mem_pin(m, BASE + 0x2000, 8, false, &p2) == 0);
	CHECK(mem_pinned(m, BASE + 0x1000) == 1 && mem_pinned(m, BASE + 0x2000) == 2);
	CHECK(mem_pin(m, BASE + SIZE - 8, 16, false, &p2) == -ERR_RANGE);
	CHECK(mem_pin(m, BASE, 0, false, &p2) == -ERR_RANGE);
	mem_unpin(m, &p1);
	CHECK(mem_pinned(m, BASE + 0x1000) == 0 && mem_pinned(m, BASE + 0x2000) == 1);
	/* A pinned frame is never shared. */
	CHECK(!mem_share(m, BASE + 0x2000));
	CHECK(!(mem_state(m, BASE + 0x2000) & MEM_SHARED));
	/* Code: a write declared through mem bumps the generation once. */
	uint32_t g = mem_code_gen(m, BASE);
	CHECK(mem_mark_code(m, BASE) != 0 && mem_mark_code(m, BASE) == 0);
	CHECK(mem_map_write(m, BASE + 16, 4) && mem_code_gen(m, BASE) == g + 1);
	CHECK(!(mem_state(m, BASE) & MEM_CODE));
	/* Dirty log: only what was written since the last collection. */
	uint64_t bits[(SIZE >> 12) / 64];
	mem_dirty_log(m, true);
	CHECK(mem_write(m, BASE + 5 * 4096 + 100, b, 1));
	mem_dirty_collect(m, bits);
	CHECK(bits[0] == 1ull << 5);
	mem_dirty_collect(m, bits);
	CHECK(bits[0] == 0);
	mem_dirty_log(m, false);
	mem_destroy(m);
}

/* ---- harts storing into one frame while it is shared and broken ---- */

struct rig {
	struct mem *m;
	struct rv_bus bus;
	rv_hart harts[NHARTS];
	pthread_t th[NHARTS];
	int quit;
};

/* Each hart: a0 counts up forever, stored to SHARED + 8 * hartid and to
 * its private page; the loop is one page, closed by a backward jump. */
static void load_program(struct mem *m)
{
	uint32_t code[] = {
		rv_csrr(R_T0, 0xf14),           /* t0 = mhartid */
		rv_slli(R_T0, R_T0, 3),
		rv_auipc(R_T1, 0x100),          /* t1 = pc + 1 MiB */
		rv_addi(R_T1, R_T1, -8),
		rv_add(R_T1, R_T1, R_T0),
		rv_slli(R_T2, R_T0, 9),         /* t2 = PRIV(hart) */
		rv_auipc(R_A1, 0x200),
		rv_addi(R_A1, R_A1, -24),
		rv_add(R_T2, R_T2, R_A1),
		rv_addi(R_A0, R_ZERO, 0),
		rv_addi(R_A0, R_A0, 1),         /* loop: */
		rv_sd(R_A0, R_T1, 0),
		rv_sd(R_A0, R_T2, 0),
		rv_jal(R_ZERO, -12),
	};
	CHECK(mem_write(m, BASE, code, sizeof code));
}

static void *hart_loop(void *arg)
{
	rv_hart *h = arg;
	struct rig *r = (struct rig *)h->bus->ctx;
	mem_mapper_busy(&h->mapper);
	while (!__atomic_load_n(&r->quit, __ATOMIC_ACQUIRE))
		if (rv_run(h, 100000) == RV_EXIT_STOP)
			break;
	mem_mapper_idle(&h->mapper);
	return NULL;
}

static void rig_start(struct rig *r)
{
	CHECK(mem_create(&r->m, BASE, SIZE) == 0);
	r->bus = (struct rv_bus){ .mem = r->m, .mmio_read = no_mmio_read, .mmio_write = no_mmio_write,
				  .time = zero_time, .ctx = r };
	load_program(r->m);
	for (int k = 0; k < NHARTS; k++) {
		CHECK(rv_hart_init(&r->harts[k], &r->bus, (uint64_t)k) == 0);
		rv_hart_reset(&r->harts[k], BASE);
	}
	for (int k = 0; k < NHARTS; k++)
		pthread_create(&r->th[k], NULL, hart_loop, &r->harts[k]);
}

static void rig_stop(struct rig *r)
{
	__atomic_store_n(&r->quit, 1, __ATOMIC_RELEASE);
	for (int k = 0; k < NHARTS; k++)
		rv_request_stop(&r->harts[k]);
	for (int k = 0; k < NHARTS; k++)
		pthread_join(r->th[k], NULL);
}

static void rig_free(struct rig *r)
{
	for (int k = 0; k < NHARTS; k++)
		rv_hart_free(&r->harts[k]);
	mem_destroy(r->m);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void nap_us(long us)
{
	struct timespec ts = { 0, us * 1000 };
	nanosleep(&ts, NULL);
}

struct frozen { struct mem *m; int bad; };

/* The merger's window: with the frame lock held, share the frame (the
 * shootdown must complete although every hart keeps storing to it), then
 * the frame must not change at all while we look: a hart with a stale
 * write-TLB entry would change it within nanoseconds. */
static void share_and_look(void *arg)
{
	struct frozen *f = arg;
	uint8_t a[64], b[64];
	CHECK(mem_share_locked(f->m, SHARED));
	CHECK(mem_read(f->m, SHARED, a, sizeof a));
	nap_us(200);
	CHECK(mem_read(f->m, SHARED, b, sizeof b));
	if (memcmp(a, b, sizeof a))
		f->bad++;
}

static void test_share_under_stores(void)
{
	struct rig r = { 0 };
	rig_start(&r);
	const char *env = getenv("MEM_STRESS_ROUNDS");
	int rounds = env ? atoi(env) : 300, bad = 0, unbroken = 0;
	for (int k = 0; k < rounds; k++) {
		uint64_t before = mem_share_breaks(r.m);
		struct frozen f = { r.m, 0 };
		mem_with_frame_lock(r.m, share_and_look, &f);
		bad += f.bad;
		/* Some hart stores again and breaks the share. */
		uint64_t t = now_ns();
		while (mem_share_breaks(r.m) == before && now_ns() - t < 2000000000ull)
			nap_us(20);
		unbroken += mem_share_breaks(r.m) == before;
	}
	rig_stop(&r);
	CHECK(bad == 0);
	CHECK(unbroken == 0);
	/* No write lost or misplaced: each hart's last value is in its slots. */
	for (int k = 0; k < NHARTS; k++) {
		uint64_t a0 = r.harts[k].x[R_A0], s = 0, p = 0;
		CHECK(mem_read(r.m, SHARED + 8 * (uint64_t)k, &s, 8) && mem_read(r.m, PRIV(k), &p, 8));
		/* Stopped at some instruction boundary of the loop. */
		CHECK(p <= s && s <= a0 && a0 - p <= 1);
		CHECK(a0 > 0);
	}
	printf("share/break rounds: %d, breaks %llu, stale stores seen %d\n", rounds,
	       (unsigned long long)mem_share_breaks(r.m), bad);
	rig_free(&r);
}

/* Dirty logging while harts store, as a live migration uses it: a shadow
 * copy taken when logging starts, then rounds that copy just the frames
 * reported dirty.  After the harts stop and one last round, the shadow must
 * equal RAM: no store was lost.  A frame nobody writes is never reported. */
static void copy_dirty(struct mem *m, uint8_t *shadow, const uint64_t *bits)
{
	for (uint64_t k = 0; k < SIZE >> 12; k++)
		if ((bits[k / 64] >> (k % 64)) & 1)
			CHECK(mem_read(m, BASE + (k << 12), shadow + (k << 12), 4096));
}

static void test_dirty_under_stores(void)
{
	struct rig r = { 0 };
	rig_start(&r);
	uint64_t bits[(SIZE >> 12) / 64];
	uint8_t *shadow = malloc(SIZE);
	mem_dirty_log(r.m, true);
	CHECK(mem_read(r.m, BASE, shadow, SIZE));
	int extra = 0, reported = 0;
	uint64_t idle = ((SHARED - BASE) >> 12) + 0x80;
	for (int k = 0; k < 200; k++) {
		nap_us(100);
		mem_dirty_collect(r.m, bits);
		copy_dirty(r.m, shadow, bits);
		extra += (bits[idle / 64] >> (idle % 64)) & 1;
		reported += (bits[0] >> 0) & 1; /* the code page: never written */
	}
	rig_stop(&r);
	mem_dirty_collect(r.m, bits);
	copy_dirty(r.m, shadow, bits);
	uint8_t *now = malloc(SIZE);
	CHECK(mem_read(r.m, BASE, now, SIZE));
	CHECK(memcmp(now, shadow, SIZE) == 0);
	CHECK(extra == 0 && reported == 0);
	free(now);
	free(shadow);
	rig_free(&r);
}

int main(void)
{
	test_bounds();
	test_share_under_stores();
	test_dirty_under_stores();
	if (failures) {
		fprintf(stderr, "test_mem: %d failures\n", failures);
		return 1;
	}
	printf("test_mem: ok\n");
	return 0;
}
