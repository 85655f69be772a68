/* test_sched.c - the worker pool (src/sched/sched.c):
 *  - deadlines: idle units are woken by their deadline, never early, and a
 *    replaced one never fires (16 units re-arming from several workers);
 *  - wakes from other threads are not lost, and the idle bound holds;
 *  - a group's done() comes once when its last unit is done, and the group
 *    starts again afterwards (a reboot);
 *  - fair shares follow weights, a cap holds, a reserved unit preempts
 *    fair work (its wake latency stays far below a slice);
 *  - pause: no unit of a paused group runs, whatever the others do
 *    (ROUNDS pauses against busy units).
 * Shares are CPU-time ratios measured by the scheduler itself, so a loaded
 * host slows every group alike. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sched/sched.h"

static int failures;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static int env_int(const char *name, int def)
{
	const char *v = getenv(name);
	return v && atoi(v) > 0 ? atoi(v) : def;
}

static void spin_ns(uint64_t ns)
{
	uint64_t end = base_now_ns() + ns;
	while (base_now_ns() < end)
		;
}

/* A group's done(): counts, and wakes whoever waits for it. */
struct donewait { pthread_mutex_t mu; pthread_cond_t cv; int done; };
static void on_done(void *ctx)
{
	struct donewait *d = ctx;
	pthread_mutex_lock(&d->mu);
	d->done++;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
}
static void wait_done(struct donewait *d, int n)
{
	pthread_mutex_lock(&d->mu);
	while (d->done < n)
		pthread_cond_wait(&d->cv, &d->mu);
	pthread_mutex_unlock(&d->mu);
}
#define DONEWAIT_INIT { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 }

static void no_kick(struct sched_unit *u) { }
static void no_preempt(struct sched_unit *u) { }

/* ---- deadlines ---- */

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

static const struct sched_unit_ops tu_ops = { tu_run, tu_ready, tu_kick, no_preempt };

static void test_deadlines(void)
{
	enum { N = 16, ROUNDS = 40 };
	struct sched *s;
	struct sched_group *g;
	struct donewait d = DONEWAIT_INIT;
	CHECK(sched_create(&s, 3) == 0);
	CHECK(sched_group_create(s, &g, on_done, &d) == 0);
	static struct tu t[N];
	for (int k = 0; k < N; k++) {
		t[k] = (struct tu){ .rounds = ROUNDS, .seed = (unsigned)k * 7919u + 1 };
		CHECK(sched_add(g, &t[k].u, &tu_ops) == 0);
	}
	uint64_t t0 = base_now_ns();
	sched_start(g);
	wait_done(&d, 1);
	uint64_t ms = (base_now_ns() - t0) / 1000000;
	int early = 0, kicks = 0;
	for (int k = 0; k < N; k++) {
		early += t[k].early;
		kicks += t[k].kicks;
		CHECK(t[k].rounds == 0);
	}
	CHECK(early == 0);
	CHECK(kicks == N * ROUNDS); /* replaced deadlines did not fire */
	CHECK(d.done == 1);
	printf("16 units x 40 deadlines on 3 workers in %llu ms, %d early, %d kicks\n", (unsigned long long)ms, early, kicks);
	sched_group_destroy(g);
	sched_destroy(s);
}

/* ---- wakes, done, restart ---- */

struct wu { struct sched_unit u; int go, runs; };

static int wu_run(struct sched_unit *u)
{
	struct wu *w = (struct wu *)u;
	w->runs++;
	return __atomic_load_n(&w->go, __ATOMIC_ACQUIRE) ? SCHED_UNIT_DONE : SCHED_UNIT_IDLE;
}
static bool wu_ready(struct sched_unit *u) { return __atomic_load_n(&((struct wu *)u)->go, __ATOMIC_ACQUIRE); }
static const struct sched_unit_ops wu_ops = { wu_run, wu_ready, no_kick, no_preempt };

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
	struct sched_group *g;
	struct donewait d = DONEWAIT_INIT;
	CHECK(sched_create(&s, 1) == 0);
	CHECK(sched_group_create(s, &g, on_done, &d) == 0);
	struct wu w = { 0 }, w2 = { 0 };
	CHECK(sched_add(g, &w.u, &wu_ops) == 0 && sched_add(g, &w2.u, &wu_ops) == 0);
	pthread_t a, b;
	pthread_create(&a, NULL, waker, &w);
	pthread_create(&b, NULL, waker, &w2);
	uint64_t t0 = base_now_ns();
	sched_start(g);
	wait_done(&d, 1);
	uint64_t waited = base_now_ns() - t0;
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	/* Woken by the wake, not by the idle bound. */
	CHECK(waited < SCHED_MAX_IDLE_NS * 4);
	CHECK(w.runs >= 2 && w2.runs >= 2);
	/* The group starts again after it was done (a reboot). */
	sched_start(g);
	wait_done(&d, 2);
	CHECK(d.done == 2);
	sched_group_destroy(g);
	sched_destroy(s);
}

/* ---- shares: busy units ---- */

struct bu {
	struct sched_unit u;
	int stop;               /* atomic: return DONE */
	int inrun;              /* atomic: inside run() */
	int yield;              /* return YIELD instead of RUN */
	uint64_t runs;
	int *paused_flag;       /* when set and nonzero, run() must not be called */
	int *violations;
};

static int bu_run(struct sched_unit *u)
{
	struct bu *b = (struct bu *)u;
	if (b->paused_flag && __atomic_load_n(b->paused_flag, __ATOMIC_ACQUIRE))
		__atomic_add_fetch(b->violations, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&b->inrun, 1, __ATOMIC_RELEASE);
	spin_ns(50000);
	__atomic_add_fetch(&b->runs, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&b->inrun, 0, __ATOMIC_RELEASE);
	if (__atomic_load_n(&b->stop, __ATOMIC_ACQUIRE))
		return SCHED_UNIT_DONE;
	return b->yield ? SCHED_UNIT_YIELD : SCHED_UNIT_RUN;
}
static bool bu_ready(struct sched_unit *u) { return true; }
static const struct sched_unit_ops bu_ops = { bu_run, bu_ready, no_kick, no_preempt };

struct bgroup {
	struct sched_group *g;
	struct donewait d;
	struct bu u[4];
	int n;
};

static void bgroup_make(struct sched *s, struct bgroup *bg, int n)
{
	memset(bg, 0, sizeof *bg);
	bg->d = (struct donewait)DONEWAIT_INIT;
	bg->n = n;
	CHECK(sched_group_create(s, &bg->g, on_done, &bg->d) == 0);
	for (int k = 0; k < n; k++)
		CHECK(sched_add(bg->g, &bg->u[k].u, &bu_ops) == 0);
}

static void bgroup_end(struct bgroup *bg)
{
	for (int k = 0; k < bg->n; k++)
		__atomic_store_n(&bg->u[k].stop, 1, __ATOMIC_RELEASE);
	wait_done(&bg->d, 1);
	sched_group_destroy(bg->g);
}

static uint64_t cpu_of(struct bgroup *bg)
{
	struct sched_stats st;
	sched_group_stats(bg->g, &st);
	return st.cpu_ns;
}

static void test_weights(void)
{
	struct sched *s;
	CHECK(sched_create(&s, 2) == 0);
	static struct bgroup bg[3];
	static const unsigned w[3] = { 100, 200, 400 };
	for (int k = 0; k < 3; k++) {
		bgroup_make(s, &bg[k], 2);
		CHECK(sched_set_weight(bg[k].g, w[k]) == 0);
	}
	CHECK(sched_set_weight(bg[0].g, 0) != 0 && sched_set_weight(bg[0].g, 10001) != 0);
	for (int k = 0; k < 3; k++)
		sched_start(bg[k].g);
	usleep(800000);
	uint64_t c[3];
	for (int k = 0; k < 3; k++)
		c[k] = cpu_of(&bg[k]);
	for (int k = 0; k < 3; k++)
		bgroup_end(&bg[k]);
	double r1 = (double)c[1] / (double)c[0], r2 = (double)c[2] / (double)c[0];
	printf("weights 100:200:400 got CPU 1 : %.2f : %.2f\n", r1, r2);
	CHECK(r1 > 1.6 && r1 < 2.5);
	CHECK(r2 > 3.2 && r2 < 5.0);
	sched_destroy(s);
}

static void test_cap(void)
{
	struct sched *s;
	CHECK(sched_create(&s, 2) == 0);
	static struct bgroup bg;
	bgroup_make(s, &bg, 2);
	CHECK(sched_set_cap(bg.g, 30) == 0);
	CHECK(sched_set_cap(bg.g, 201) != 0);
	uint64_t t0 = base_now_ns();
	sched_start(bg.g);
	usleep(600000);
	uint64_t c = cpu_of(&bg), wall = base_now_ns() - t0;
	struct sched_stats st;
	sched_group_stats(bg.g, &st);
	bgroup_end(&bg);
	double pct = 100.0 * (double)c / (double)wall;
	printf("cap 30%%: got %.1f%% of one worker, throttled in %llu periods\n", pct, (unsigned long long)st.throttled);
	CHECK(pct < 36.0);      /* the cap holds (one 50 us run may overshoot a period) */
	CHECK(pct > 10.0);      /* and it still runs */
	CHECK(st.throttled >= 3);
	sched_destroy(s);
}

/* ---- a reserved periodic unit beside busy fair ones ---- */

struct rtu {
	struct sched_unit u;
	int fired;              /* atomic: the deadline passed */
	uint64_t due;
	int n, target;
	uint64_t lat[2000];
};

static int rtu_run(struct sched_unit *u)
{
	struct rtu *r = (struct rtu *)u;
	uint64_t now = base_now_ns();
	if (__atomic_exchange_n(&r->fired, 0, __ATOMIC_ACQ_REL) && r->n < (int)ARRAY_SIZE(r->lat))
		r->lat[r->n++] = now - r->due;
	if (r->n >= r->target)
		return SCHED_UNIT_DONE;
	spin_ns(20000); /* the periodic task's work */
	r->due = base_now_ns() + 1000000;
	sched_set_deadline(u, r->due);
	return SCHED_UNIT_IDLE;
}
static bool rtu_ready(struct sched_unit *u) { return __atomic_load_n(&((struct rtu *)u)->fired, __ATOMIC_ACQUIRE); }
static void rtu_kick(struct sched_unit *u) { __atomic_store_n(&((struct rtu *)u)->fired, 1, __ATOMIC_RELEASE); }
static const struct sched_unit_ops rtu_ops = { rtu_run, rtu_ready, rtu_kick, no_preempt };

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Busy fair units that stop their run() when preempted. */
struct pu { struct bu b; int preempted; };
static int pu_run(struct sched_unit *u)
{
	struct pu *p = (struct pu *)u;
	for (int k = 0; k < 40 && !__atomic_exchange_n(&p->preempted, 0, __ATOMIC_ACQ_REL); k++)
		spin_ns(25000); /* a 1 ms run() unless preempted */
	return __atomic_load_n(&p->b.stop, __ATOMIC_ACQUIRE) ? SCHED_UNIT_DONE : SCHED_UNIT_RUN;
}
static void pu_preempt(struct sched_unit *u) { __atomic_store_n(&((struct pu *)u)->preempted, 1, __ATOMIC_RELEASE); }
static const struct sched_unit_ops pu_ops = { pu_run, bu_ready, no_kick, pu_preempt };

static uint64_t rt_p50(bool reserve, uint64_t *p99)
{
	struct sched *s;
	CHECK(sched_create(&s, 2) == 0);
	struct sched_group *busy[4], *rg;
	struct donewait bd[4] = { DONEWAIT_INIT, DONEWAIT_INIT, DONEWAIT_INIT, DONEWAIT_INIT }, rd = DONEWAIT_INIT;
	static struct pu p[4];
	for (int k = 0; k < 4; k++) {
		memset(&p[k], 0, sizeof p[k]);
		CHECK(sched_group_create(s, &busy[k], on_done, &bd[k]) == 0);
		CHECK(sched_add(busy[k], &p[k].b.u, &pu_ops) == 0);
		sched_start(busy[k]);
	}
	static struct rtu r;
	memset(&r, 0, sizeof r);
	r.target = 300;
	CHECK(sched_group_create(s, &rg, on_done, &rd) == 0);
	if (reserve)
		CHECK(sched_set_reservation(rg, 1000000, 200000) == 0);
	CHECK(sched_add(rg, &r.u, &rtu_ops) == 0);
	sched_start(rg);
	wait_done(&rd, 1);
	for (int k = 0; k < 4; k++) {
		__atomic_store_n(&p[k].b.stop, 1, __ATOMIC_RELEASE);
		wait_done(&bd[k], 1);
		sched_group_destroy(busy[k]);
	}
	sched_group_destroy(rg);
	sched_destroy(s);
	qsort(r.lat, (size_t)r.n, sizeof r.lat[0], cmp_u64);
	*p99 = r.lat[r.n * 99 / 100];
	return r.lat[r.n / 2];
}

static void test_reservation(void)
{
	uint64_t p99_rt, p99_fair, p50_rt, p50_fair;
	/* A host busy with other work can hold a worker thread for milliseconds:
	 * the median must come out under the bound in one of three runs (with
	 * no preemption it would be about a busy unit's 1 ms run, every time). */
	for (int tries = 0; tries < 3; tries++) {
		p50_rt = rt_p50(true, &p99_rt);
		if (p50_rt < 500000)
			break;
	}
	p50_fair = rt_p50(false, &p99_fair);
	printf("1 ms periodic unit beside 4 busy ones on 2 workers: wake latency p50/p99 %llu/%llu us reserved, "
	       "%llu/%llu us without\n", (unsigned long long)p50_rt / 1000, (unsigned long long)p99_rt / 1000,
	       (unsigned long long)p50_fair / 1000, (unsigned long long)p99_fair / 1000);
	/* Preemption, not the end of a 1 ms run() or a 3 ms slice, wakes it. */
	CHECK(p50_rt < 500000);
	struct sched *s;
	struct sched_group *g;
	CHECK(sched_create(&s, 1) == 0 && sched_group_create(s, &g, NULL, NULL) == 0);
	CHECK(sched_set_reservation(g, 1000000, 2000000) != 0);
	CHECK(sched_set_reservation(g, 50000, 10000) != 0);
	CHECK(sched_set_reservation(g, 0, 0) == 0);
	sched_group_destroy(g);
	sched_destroy(s);
}

/* ---- pause against busy units ---- */

static void test_pause(void)
{
	int rounds = env_int("ROUNDS", 100);
	struct sched *s;
	CHECK(sched_create(&s, 2) == 0);
	static struct bgroup a, b;
	bgroup_make(s, &a, 4);
	bgroup_make(s, &b, 2);
	int paused = 0, violations = 0;
	for (int k = 0; k < 4; k++) {
		a.u[k].paused_flag = &paused;
		a.u[k].violations = &violations;
		a.u[k].yield = k & 1;
	}
	sched_start(a.g);
	sched_start(b.g);
	uint64_t before = 0;
	for (int r = 0; r < rounds; r++) {
		sched_pause(a.g);
		if (r % 3 == 0)
			sched_pause(a.g); /* nested */
		__atomic_store_n(&paused, 1, __ATOMIC_RELEASE);
		for (int k = 0; k < 4; k++)
			CHECK(!__atomic_load_n(&a.u[k].inrun, __ATOMIC_ACQUIRE));
		uint64_t runs = 0;
		for (int k = 0; k < 4; k++)
			runs += __atomic_load_n(&a.u[k].runs, __ATOMIC_RELAXED);
		usleep(500);
		uint64_t runs2 = 0;
		for (int k = 0; k < 4; k++)
			runs2 += __atomic_load_n(&a.u[k].runs, __ATOMIC_RELAXED);
		CHECK(runs == runs2);
		CHECK(runs >= before);
		before = runs;
		__atomic_store_n(&paused, 0, __ATOMIC_RELEASE);
		if (r % 3 == 0)
			sched_resume(a.g);
		sched_resume(a.g);
		usleep(300);
	}
	uint64_t runs = 0;
	for (int k = 0; k < 4; k++)
		runs += __atomic_load_n(&a.u[k].runs, __ATOMIC_RELAXED);
	CHECK(violations == 0);
	CHECK(runs > before); /* it ran again after the last resume */
	bgroup_end(&a);
	bgroup_end(&b);
	printf("%d pauses against 4 busy units: %d ran while paused\n", rounds, violations);
	sched_destroy(s);
}

int main(void)
{
	test_deadlines();
	test_wake();
	test_weights();
	test_cap();
	test_reservation();
	test_pause();
	if (failures) {
		fprintf(stderr, "test_sched: %d failures\n", failures);
		return 1;
	}
	printf("test_sched: ok\n");
	return 0;
}
