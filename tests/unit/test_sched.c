/* test_sched.c - scheduler units and the timer heap (src/sched/sched.c):
 * idle units are woken by their deadline and by sched_wake, a deadline
 * never fires early and a replaced or cancelled one never fires at all,
 * and 16 units re-arming random deadlines from several threads all finish
 * (the heap's order survives concurrent replacement). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sched/sched.h"

static int failures;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

struct tu {
	struct sched_unit u;
	int rounds;             /* idle periods still to go */
	uint64_t due;           /* the deadline armed for this round */
	int ready, kicks, early;
	unsigned seed;
};

static int tu_run(struct sched_unit *u)
{
	struct tu *t = (struct tu *)u;
	if (__atomic_load_n(&t->ready, __ATOMIC_ACQUIRE)) {
		/* Woken for its deadline: never before it. */
		if (base_now_ns() < t->due)
			t->early++;
		__atomic_store_n(&t->ready, 0, __ATOMIC_RELEASE);
		t->rounds--;
	}
	if (t->rounds <= 0)
		return SCHED_UNIT_DONE;
	/* Arm a deadline 50-1000 us ahead, sometimes after one 200 ms ahead that
	 * it replaces (which must then never fire). */
	uint64_t now = base_now_ns();
	if (rand_r(&t->seed) % 4 == 0)
		sched_set_deadline(u, now + 200000000);
	t->due = now + 50000 + (uint64_t)(rand_r(&t->seed) % 950000);
	sched_set_deadline(u, t->due);
	return SCHED_UNIT_IDLE;
}

static bool tu_ready(struct sched_unit *u)
{
	return __atomic_load_n(&((struct tu *)u)->ready, __ATOMIC_ACQUIRE);
}

static void tu_kick(struct sched_unit *u)
{
	struct tu *t = (struct tu *)u;
	t->kicks++;
	__atomic_store_n(&t->ready, 1, __ATOMIC_RELEASE);
}

static const struct sched_unit_ops tu_ops = { tu_run, tu_ready, tu_kick };

static void test_deadlines(void)
{
	enum { N = 16, ROUNDS = 40 };
	struct sched *s;
	CHECK(sched_create(&s) == 0);
	static struct tu t[N];
	for (int k = 0; k < N; k++) {
		t[k] = (struct tu){ .rounds = ROUNDS, .seed = (unsigned)k * 7919u + 1 };
		CHECK(sched_add(s, &t[k].u, &tu_ops) == 0);
	}
	uint64_t t0 = base_now_ns();
	sched_run(s);
	uint64_t ms = (base_now_ns() - t0) / 1000000;
	int early = 0, kicks = 0;
	for (int k = 0; k < N; k++) {
		early += t[k].early;
		kicks += t[k].kicks;
		CHECK(t[k].rounds == 0);
	}
	CHECK(early == 0);
	CHECK(kicks == N * ROUNDS); /* replaced deadlines did not fire */
	printf("16 units x 40 deadlines in %llu ms, %d early, %d kicks\n", (unsigned long long)ms, early, kicks);
	sched_destroy(s);
}

/* A unit idle with no deadline wakes for sched_wake from another thread. */
struct wu { struct sched_unit u; int go, runs; };

static int wu_run(struct sched_unit *u)
{
	struct wu *w = (struct wu *)u;
	w->runs++;
	return __atomic_load_n(&w->go, __ATOMIC_ACQUIRE) ? SCHED_UNIT_DONE : SCHED_UNIT_IDLE;
}
static bool wu_ready(struct sched_unit *u) { return __atomic_load_n(&((struct wu *)u)->go, __ATOMIC_ACQUIRE); }
static void wu_kick(struct sched_unit *u) { }
static const struct sched_unit_ops wu_ops = { wu_run, wu_ready, wu_kick };

static void *waker(void *arg)
{
	struct wu *w = arg;
	usleep(20000);
	__atomic_store_n(&w->go, 1, __ATOMIC_RELEASE);
	sched_wake(&w->u);
	return NULL;
}

static void test_wake(void)
{
	struct sched *s;
	CHECK(sched_create(&s) == 0);
	struct wu w = { 0 }, w2 = { 0 };
	CHECK(sched_add(s, &w.u, &wu_ops) == 0 && sched_add(s, &w2.u, &wu_ops) == 0);
	pthread_t a, b;
	pthread_create(&a, NULL, waker, &w);
	pthread_create(&b, NULL, waker, &w2);
	uint64_t t0 = base_now_ns();
	sched_run(s);
	uint64_t waited = base_now_ns() - t0;
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	/* Woken by the wake, not by the idle bound. */
	CHECK(waited < SCHED_MAX_IDLE_NS * 4);
	CHECK(w.runs >= 2 && w2.runs >= 2);
	/* The scheduler runs again after a first sched_run (reboot). */
	__atomic_store_n(&w.go, 1, __ATOMIC_RELEASE);
	sched_run(s);
	sched_destroy(s);
}

int main(void)
{
	test_deadlines();
	test_wake();
	if (failures) {
		fprintf(stderr, "test_sched: %d failures\n", failures);
		return 1;
	}
	printf("test_sched: ok\n");
	return 0;
}
