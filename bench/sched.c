/* sched.c - the worker pool's own costs, through sched.h alone (no harts):
 *  - picks: G groups of one unit each whose run() returns YIELD at once, on
 *    W workers, for a fixed time: every run() is one pick, and with G >= 2
 *    on one worker consecutive picks alternate between groups (VMs), so
 *    time / picks is the scheduler's cost of a switch between VMs;
 *  - wake: a unit parked (IDLE) is woken by another thread (sched_wake, as
 *    a device interrupt does) and by its own deadline (the timer heap, as
 *    a guest's timer does): the delay until its run() is called, beside
 *    the host's own floor (a condition variable signalled to a waiting
 *    thread).
 * Prints one line per case; bench/hv.sh puts them in its table.
 * Usage: sched [MS_PER_CASE] (default 500). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sched/sched.h"

static volatile int stop;

struct pu {
	struct sched_unit u;
	uint64_t runs;
};

static int pu_run(struct sched_unit *u)
{
	struct pu *p = (struct pu *)u;
	p->runs++;
	return __atomic_load_n(&stop, __ATOMIC_RELAXED) ? SCHED_UNIT_DONE : SCHED_UNIT_YIELD;
}

static bool never(struct sched_unit *u) { return false; }
static void nothing(struct sched_unit *u) { }
static const struct sched_unit_ops pu_ops = { .run = pu_run, .ready = never, .kick = nothing, .preempt = nothing };

static int ndone;
static void on_done(void *ctx) { __atomic_add_fetch(&ndone, 1, __ATOMIC_RELAXED); }

static void wait_groups(int n)
{
	while (__atomic_load_n(&ndone, __ATOMIC_RELAXED) < n)
		usleep(1000);
}

#define MAXG 64

static uint64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ns per pick: the process's CPU time (every worker's; the main thread
 * sleeps) over the picks, so that a host busy with other work does not
 * count; per_s is by the wall clock. */
static int picks(int nworkers, int ngroups, unsigned ms)
{
	struct sched *s;
	struct sched_group *g[MAXG];
	static struct pu units[MAXG];
	if (sched_create(&s, nworkers))
		return -1;
	stop = 0;
	ndone = 0;
	for (int k = 0; k < ngroups; k++) {
		units[k].runs = 0;
		if (sched_group_create(s, &g[k], on_done, NULL) || sched_add(g[k], &units[k].u, &pu_ops))
			return -1;
	}
	uint64_t t0 = base_now_ns(), c0 = cpu_ns();
	for (int k = 0; k < ngroups; k++)
		sched_start(g[k]);
	usleep(ms * 1000u);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	uint64_t t1 = base_now_ns(), c1 = cpu_ns();
	wait_groups(ngroups);
	uint64_t n = 0;
	for (int k = 0; k < ngroups; k++) {
		n += units[k].runs;
		sched_group_destroy(g[k]);
	}
	sched_destroy(s);
	double ns = (double)(c1 - c0) / (double)n;
	printf("sched picks workers=%d groups=%d picks=%llu ns_per_pick=%.0f per_s=%.0f\n",
	       nworkers, ngroups, (unsigned long long)n, ns, (double)n / ((double)(t1 - t0) / 1e9));
	return 0;
}

/* ---- wake latency ---- */

enum { NSAMPLES = 2000 };

struct wu {
	struct sched_unit u;
	int mode;               /* 0: woken by another thread, 1: by its deadline */
	int pending;            /* mode 0: the waker's flag */
	uint64_t t0;            /* when it was woken, or its deadline */
	uint64_t lat[NSAMPLES];
	int n;
	int want;               /* samples to take */
	int armed;              /* mode 1: a deadline is set */
};

static int wu_run(struct sched_unit *u)
{
	struct wu *w = (struct wu *)u;
	uint64_t now = base_now_ns();
	if (w->mode == 0) {
		if (__atomic_load_n(&w->pending, __ATOMIC_ACQUIRE)) {
			if (w->n < NSAMPLES)
				w->lat[w->n++] = now - __atomic_load_n(&w->t0, __ATOMIC_RELAXED);
			__atomic_store_n(&w->pending, 0, __ATOMIC_RELEASE);
		}
	} else if (w->armed && now >= w->t0) {
		w->lat[w->n++] = now - w->t0;
		w->armed = 0;
	}
	if (w->n >= w->want)
		return SCHED_UNIT_DONE;
	if (w->mode == 1 && !w->armed) {
		/* 200 us ahead, jittered over 50 us so that no phase locks in. */
		w->t0 = now + 200000 + (uint64_t)(w->n * 7919 % 50) * 1000;
		w->armed = 1;
		sched_set_deadline(u, w->t0);
	}
	return SCHED_UNIT_IDLE;
}

static bool wu_ready(struct sched_unit *u)
{
	struct wu *w = (struct wu *)u;
	return w->mode == 0 ? __atomic_load_n(&w->pending, __ATOMIC_ACQUIRE) != 0 : base_now_ns() >= w->t0;
}

static const struct sched_unit_ops wu_ops = { .run = wu_run, .ready = wu_ready, .kick = nothing, .preempt = nothing };

static int cmp64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int wake(int nworkers, int mode, int want)
{
	struct sched *s;
	struct sched_group *g;
	static struct wu w;
	memset(&w, 0, sizeof w);
	w.mode = mode;
	w.want = want;
	ndone = 0;
	if (sched_create(&s, nworkers) || sched_group_create(s, &g, on_done, NULL) || sched_add(g, &w.u, &wu_ops))
		return -1;
	sched_start(g);
	if (mode == 0)
		for (int k = 0; k < want; k++) {
			usleep(200 + k % 50);
			while (__atomic_load_n(&w.pending, __ATOMIC_ACQUIRE))
				usleep(10);
			__atomic_store_n(&w.t0, base_now_ns(), __ATOMIC_RELAXED);
			__atomic_store_n(&w.pending, 1, __ATOMIC_RELEASE);
			sched_wake(&w.u);
		}
	wait_groups(1);
	sched_group_destroy(g);
	sched_destroy(s);
	qsort(w.lat, (size_t)w.n, sizeof w.lat[0], cmp64);
	printf("sched wake workers=%d by=%s n=%d min=%llu p50=%llu p99=%llu max=%llu ns\n", nworkers,
	       mode ? "deadline" : "sched_wake", w.n, (unsigned long long)w.lat[0],
	       (unsigned long long)w.lat[w.n / 2], (unsigned long long)w.lat[w.n * 99 / 100],
	       (unsigned long long)w.lat[w.n - 1]);
	return 0;
}

/* The host's floor for a wake: one thread signals a condition variable
 * another waits on (what sched_wake does to an idle worker). */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t t0;
	int pending, quit, n;
	uint64_t lat[NSAMPLES];
} fl = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, { 0 } };

static void *floor_waiter(void *arg)
{
	pthread_mutex_lock(&fl.mu);
	while (!fl.quit) {
		if (fl.pending) {
			fl.lat[fl.n++] = base_now_ns() - fl.t0;
			fl.pending = 0;
			continue;
		}
		pthread_cond_wait(&fl.cv, &fl.mu);
	}
	pthread_mutex_unlock(&fl.mu);
	return NULL;
}

static int host_floor(int want)
{
	pthread_t t;
	if (pthread_create(&t, NULL, floor_waiter, NULL))
		return -1;
	for (int k = 0; k < want; k++) {
		usleep(200 + k % 50);
		pthread_mutex_lock(&fl.mu);
		fl.t0 = base_now_ns();
		fl.pending = 1;
		pthread_cond_signal(&fl.cv);
		pthread_mutex_unlock(&fl.mu);
		for (;;) {
			pthread_mutex_lock(&fl.mu);
			int p = fl.pending;
			pthread_mutex_unlock(&fl.mu);
			if (!p)
				break;
			usleep(10);
		}
	}
	pthread_mutex_lock(&fl.mu);
	fl.quit = 1;
	pthread_cond_signal(&fl.cv);
	pthread_mutex_unlock(&fl.mu);
	pthread_join(t, NULL);
	qsort(fl.lat, (size_t)fl.n, sizeof fl.lat[0], cmp64);
	printf("host wake by=pthread_cond_signal n=%d min=%llu p50=%llu p99=%llu max=%llu ns\n", fl.n,
	       (unsigned long long)fl.lat[0], (unsigned long long)fl.lat[fl.n / 2],
	       (unsigned long long)fl.lat[fl.n * 99 / 100], (unsigned long long)fl.lat[fl.n - 1]);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned ms = argc > 1 ? (unsigned)atoi(argv[1]) : 500;
	if (!ms)
		ms = 500;
	static const int cases[][2] = { { 1, 1 }, { 1, 2 }, { 1, 16 }, { 2, 2 }, { 2, 16 } };
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
		if (picks(cases[k][0], cases[k][1], ms)) {
			fprintf(stderr, "sched: cannot create the pool\n");
			return 1;
		}
	int n = (int)(ms * 2 > NSAMPLES ? NSAMPLES : ms * 2);
	if (wake(1, 0, n) || wake(1, 1, n) || host_floor(n)) {
		fprintf(stderr, "sched: cannot create the pool\n");
		return 1;
	}
	return 0;
}
