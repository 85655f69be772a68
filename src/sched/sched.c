/* sched.c - the worker pool, its run queues and its one timer heap.
 *
 * One lock (s->mu) guards everything here.  A worker takes it to pick a
 * unit, drops it while the unit runs (up to a slice, calling run() again
 * and again), and takes it again to charge the time and pick the next.
 * Wakes, deadlines and pauses take it too; nothing under it blocks.
 *
 * Unit states: STOPPED (not started, or done), RUNNABLE (in its group's
 * FIFO), RUNNING (on a worker), IDLE (waiting for ready/deadline/wake).
 * A group is picked by class (real-time with budget left, by earliest
 * deadline; then fair, by least virtual runtime), its units round-robin. */
#include "sched/sched.h"

#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

enum { STOPPED, RUNNABLE, RUNNING, IDLE };

#define CAP_PERIOD_NS 100000000ull      /* caps are per 100 ms */
#define WAKE_GRAN_NS 1000000ull         /* a waker preempts a unit this far ahead of it */
#define SLEEP_CREDIT_NS 3000000ull      /* how far behind the others a woken group starts */
#define MAX_GROUPS 1024

struct worker {
	struct sched *s;
	pthread_t thread;
	pthread_cond_t cv;
	struct sched_unit *cur;         /* running now, or NULL */
	bool cur_rt;                    /* cur runs on its group's reservation */
	bool idle;                      /* waiting on cv */
	int preempt;                    /* atomic: end the slice now */
	int64_t tid;
};

struct sched_group {
	struct sched *s;
	struct sched_unit *units;       /* all, by gnext */
	struct sched_unit *qhead, *qtail;
	int nunits, nlive, nrunning, nactive; /* live: started, not done; active: runnable or running */
	int paused;
	void (*done)(void *ctx);
	void *ctx;
	/* fair class */
	unsigned weight;
	uint64_t vrt;
	/* cap */
	unsigned cap;
	uint64_t cap_start, cap_used;
	bool throttled;
	struct sched_timer cap_timer;
	/* reservation */
	uint64_t rt_period, rt_budget, rt_deadline, rt_left;
	struct sched_stats st;
};

struct sched {
	pthread_mutex_t mu;
	pthread_cond_t pause_cv;        /* a group's nrunning fell */
	struct worker *workers;
	int nworkers;
	struct sched_group *groups[MAX_GROUPS];
	int ngroups;
	int nwaiting;                   /* runnable units, all groups (sched_waiting) */
	uint64_t min_vrt;
	bool quit;
	/* Timers: a binary min-heap. */
	struct sched_timer **heap;
	int nheap, heap_cap, heap_need;
	pthread_cond_t tcv;
	pthread_t timer;
};

/* ---- the timer heap (mu held) ---- */

static void heap_set(struct sched *s, int ix, struct sched_timer *t)
{
	s->heap[ix] = t;
	t->ix = ix;
}

static void sift_up(struct sched *s, int ix)
{
	struct sched_timer *t = s->heap[ix];
	while (ix > 0 && s->heap[(ix - 1) / 2]->when > t->when) {
		heap_set(s, ix, s->heap[(ix - 1) / 2]);
		ix = (ix - 1) / 2;
	}
	heap_set(s, ix, t);
}

static void sift_down(struct sched *s, int ix)
{
	struct sched_timer *t = s->heap[ix];
	for (;;) {
		int c = 2 * ix + 1;
		if (c >= s->nheap)
			break;
		if (c + 1 < s->nheap && s->heap[c + 1]->when < s->heap[c]->when)
			c++;
		if (s->heap[c]->when >= t->when)
			break;
		heap_set(s, ix, s->heap[c]);
		ix = c;
	}
	heap_set(s, ix, t);
}

static void timer_cancel(struct sched *s, struct sched_timer *t)
{
	int ix = t->ix;
	if (ix < 0)
		return;
	t->ix = -1;
	struct sched_timer *last = s->heap[--s->nheap];
	if (ix == s->nheap)
		return;
	heap_set(s, ix, last);
	sift_up(s, ix);
	sift_down(s, last->ix);
}

/* Every unit has two timers and every group one: room for them is made
 * when they are added (which may fail), so that arming never fails. */
static int heap_reserve(struct sched *s, int more)
{
	if (s->heap_need + more > s->heap_cap) {
		int cap = s->heap_cap ? s->heap_cap : 16;
		while (cap < s->heap_need + more)
			cap *= 2;
		struct sched_timer **h = realloc(s->heap, (size_t)cap * sizeof *h);
		if (!h)
			return -ERR_NOMEM;
		s->heap = h;
		s->heap_cap = cap;
	}
	s->heap_need += more;
	return 0;
}

static void timer_arm(struct sched *s, struct sched_timer *t, uint64_t when)
{
	timer_cancel(s, t);
	t->when = when;
	heap_set(s, s->nheap++, t);
	sift_up(s, t->ix);
	if (t->ix == 0)
		pthread_cond_signal(&s->tcv); /* a new earliest */
}

static void *timer_thread(void *arg)
{
	struct sched *s = arg;
	/* Deadlines are real-time guests' interrupts: the kernel's default
	 * 50 us of timer slack would be their latency. */
	prctl(PR_SET_TIMERSLACK, 1UL);
	/* And where the host lets us, the thread that only fires timers gets
	 * a real-time priority: it runs for microseconds at a time, so it
	 * cannot starve the host, and a busy host cannot delay it by a
	 * whole host-scheduler slice. */
	struct sched_param sp = { .sched_priority = 1 };
	(void)pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	pthread_mutex_lock(&s->mu);
	while (!s->quit) {
		if (!s->nheap) {
			pthread_cond_wait(&s->tcv, &s->mu);
			continue;
		}
		struct sched_timer *t = s->heap[0];
		if (t->when > base_now_ns()) {
			base_cond_wait_until(&s->tcv, &s->mu, t->when);
			continue;
		}
		timer_cancel(s, t); /* one-shot: the owner re-arms when it needs to */
		t->fire(t);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* ---- picking (mu held) ---- */

static void enqueue(struct sched_unit *u)
{
	struct sched_group *g = u->g;
	u->state = RUNNABLE;
	u->qnext = NULL;
	if (g->qtail)
		g->qtail->qnext = u;
	else
		g->qhead = u;
	g->qtail = u;
	__atomic_add_fetch(&g->s->nwaiting, 1, __ATOMIC_RELAXED);
}

static struct sched_unit *dequeue(struct sched_group *g)
{
	struct sched_unit *u = g->qhead;
	g->qhead = u->qnext;
	if (!g->qhead)
		g->qtail = NULL;
	__atomic_sub_fetch(&g->s->nwaiting, 1, __ATOMIC_RELAXED);
	return u;
}

/* A new period of the reservation: full budget, deadline at its end.  A
 * period that ended with budget left while units waited is a miss. */
static void rt_refresh(struct sched_group *g, uint64_t now)
{
	if (now < g->rt_deadline)
		return;
	if (g->rt_deadline && g->rt_left > 0 && g->qhead)
		g->st.rt_misses++;
	uint64_t periods = g->rt_deadline ? (now - g->rt_deadline) / g->rt_period + 1 : 1;
	g->rt_deadline = (g->rt_deadline ? g->rt_deadline : now) + periods * g->rt_period;
	g->rt_left = g->rt_budget;
}

static bool rt_eligible(struct sched_group *g, uint64_t now)
{
	if (!g->rt_period)
		return false;
	rt_refresh(g, now);
	return g->rt_left > 0;
}

/* The cap's period rolled over: the group may run again. */
static void cap_refresh(struct sched_group *g, uint64_t now)
{
	if (now - g->cap_start < CAP_PERIOD_NS)
		return;
	g->cap_start = now;
	g->cap_used = 0;
	g->throttled = false;
}

static uint64_t cap_left(struct sched_group *g)
{
	if (!g->cap)
		return UINT64_MAX;
	uint64_t quota = CAP_PERIOD_NS / 100 * g->cap;
	return g->cap_used >= quota ? 0 : quota - g->cap_used;
}

static struct sched_unit *pick(struct sched *s, uint64_t now, bool *rt)
{
	struct sched_group *best = NULL;
	for (int k = 0; k < s->ngroups; k++) {
		struct sched_group *g = s->groups[k];
		if (g->qhead && !g->paused && rt_eligible(g, now) && (!best || g->rt_deadline < best->rt_deadline))
			best = g;
	}
	*rt = best != NULL;
	if (!best) {
		for (int k = 0; k < s->ngroups; k++) {
			struct sched_group *g = s->groups[k];
			if (!g->qhead || g->paused)
				continue;
			if (g->cap)
				cap_refresh(g, now);
			if (!g->throttled && (!best || g->vrt < best->vrt))
				best = g;
		}
		if (best && best->vrt > s->min_vrt)
			s->min_vrt = best->vrt;
	}
	return best ? dequeue(best) : NULL;
}

static void preempt(struct worker *w)
{
	__atomic_store_n(&w->preempt, 1, __ATOMIC_RELAXED);
	w->cur->ops->preempt(w->cur);
}

/* A unit became runnable: an idle worker takes it, or it preempts a worker
 * whose unit deserves the CPU less.  A real-time unit preempts every worker
 * running fair work (or later-deadline real-time work): the host may have
 * descheduled any one of them, and whichever gets back first takes it; the
 * others pick again and go on.  A fair unit preempts the worker furthest
 * ahead in virtual time, if it is more than WAKE_GRAN_NS ahead. */
static void place(struct sched *s, struct sched_unit *u)
{
	struct sched_group *g = u->g;
	if (g->paused)
		return;
	for (int k = 0; k < s->nworkers; k++)
		if (s->workers[k].idle) {
			s->workers[k].idle = false; /* one wake per worker */
			pthread_cond_signal(&s->workers[k].cv);
			return;
		}
	bool rt = rt_eligible(g, base_now_ns());
	struct worker *victim = NULL;
	for (int k = 0; k < s->nworkers; k++) {
		struct worker *w = &s->workers[k];
		struct sched_group *wg = w->cur ? w->cur->g : NULL;
		if (!wg || wg == g || __atomic_load_n(&w->preempt, __ATOMIC_RELAXED))
			continue;
		if (rt) {
			if (!w->cur_rt || wg->rt_deadline > g->rt_deadline)
				preempt(w);
		} else if (!w->cur_rt && wg->vrt > g->vrt + WAKE_GRAN_NS && (!victim || wg->vrt > victim->cur->g->vrt)) {
			victim = w;
		}
	}
	if (victim)
		preempt(victim);
}

/* The group had nothing to run: start it near the others' virtual time so
 * that a long sleep earns a little credit, not an unbounded one. */
static void activate(struct sched_group *g)
{
	if (g->nactive++ == 0 && g->vrt + SLEEP_CREDIT_NS < g->s->min_vrt)
		g->vrt = g->s->min_vrt - SLEEP_CREDIT_NS;
}

static void make_runnable(struct sched_unit *u)
{
	struct sched *s = u->g->s;
	timer_cancel(s, &u->idle_timer);
	activate(u->g);
	u->g->st.wakeups++;
	enqueue(u);
	place(s, u);
}

static void wake_locked(struct sched_unit *u, bool force)
{
	if (u->state == IDLE && (force || u->ops->ready(u)))
		make_runnable(u);
}

static void fire_deadline(struct sched_timer *t)
{
	struct sched_unit *u = (struct sched_unit *)((char *)t - offsetof(struct sched_unit, deadline));
	u->ops->kick(u);
	wake_locked(u, true);
}

static void fire_idle(struct sched_timer *t)
{
	struct sched_unit *u = (struct sched_unit *)((char *)t - offsetof(struct sched_unit, idle_timer));
	wake_locked(u, true);
}

/* The cap's period ended: a throttled group's units may be picked again. */
static void fire_cap(struct sched_timer *t)
{
	struct sched_group *g = (struct sched_group *)((char *)t - offsetof(struct sched_group, cap_timer));
	cap_refresh(g, base_now_ns());
	if (g->qhead)
		place(g->s, g->qhead);
}

/* ---- workers ---- */

/* What the unit used: its group's vrt or reservation, and its cap. */
static void charge(struct sched_unit *u, uint64_t ran, bool rt, uint64_t now)
{
	struct sched_group *g = u->g;
	u->cpu_ns += ran;
	g->st.cpu_ns += ran;
	if (rt)
		g->rt_left = ran >= g->rt_left ? 0 : g->rt_left - ran;
	else
		g->vrt += ran * 100 / g->weight;
	if (g->cap) {
		g->cap_used += ran;
		if (!cap_left(g) && !g->throttled) {
			g->throttled = true;
			g->st.throttled++;
			timer_arm(g->s, &g->cap_timer, g->cap_start + CAP_PERIOD_NS);
		}
	}
}

/* How long u may run before the worker looks again. */
static uint64_t slice_for(struct sched_group *g, bool rt)
{
	uint64_t n = SCHED_SLICE_NS;
	if (rt && g->rt_left < n)
		n = g->rt_left;
	uint64_t c = cap_left(g);
	return c < n ? c : n;
}

/* Run u for up to `limit` ns, unlocked; returns its last result. */
static int run_slice(struct worker *w, struct sched_unit *u, uint64_t start, uint64_t limit, uint64_t *end)
{
	int r;
	for (;;) {
		r = u->ops->run(u);
		*end = base_now_ns();
		if (r != SCHED_UNIT_RUN || __atomic_load_n(&w->preempt, __ATOMIC_RELAXED))
			return r;
		if (*end - start >= limit)
			return r;
	}
}

/* After the slice: the unit's next state (mu held).  Returns true when it
 * was the group's last live unit. */
static bool after_slice(struct sched_unit *u, int r)
{
	struct sched_group *g = u->g;
	struct sched *s = g->s;
	g->nrunning--;
	if (g->paused)
		pthread_cond_broadcast(&s->pause_cv);
	switch (r) {
	case SCHED_UNIT_DONE:
		u->state = STOPPED;
		timer_cancel(s, &u->deadline);
		g->nactive--;
		return --g->nlive == 0;
	case SCHED_UNIT_IDLE:
		if (u->ops->ready(u)) {
			enqueue(u);
		} else {
			u->state = IDLE;
			g->nactive--;
			timer_arm(s, &u->idle_timer, base_now_ns() + SCHED_MAX_IDLE_NS);
		}
		return false;
	default: /* RUN, YIELD: to the back of the group's queue */
		enqueue(u);
		return false;
	}
}

static void *worker_thread(void *arg)
{
	struct worker *w = arg;
	struct sched *s = w->s;
	w->tid = gettid();
	pthread_mutex_lock(&s->mu);
	/* Every moment the worker is not idle is charged to a unit: from the
	 * previous charge (or the wake) to the end of this slice, the pick and
	 * the lock included.  Charging only run()'s time let a unit that
	 * yields at every `pause` take a neighbour's share in bookkeeping. */
	uint64_t mark = base_now_ns();
	while (!s->quit) {
		uint64_t now = base_now_ns();
		bool rt;
		struct sched_unit *u = pick(s, now, &rt);
		if (!u) {
			w->idle = true;
			pthread_cond_wait(&w->cv, &s->mu);
			w->idle = false;
			mark = base_now_ns();
			continue;
		}
		struct sched_group *g = u->g;
		u->state = RUNNING;
		__atomic_store_n(&u->tid, w->tid, __ATOMIC_RELAXED);
		g->nrunning++;
		g->st.slices++;
		w->cur = u;
		w->cur_rt = rt;
		__atomic_store_n(&w->preempt, 0, __ATOMIC_RELAXED);
		uint64_t limit = slice_for(g, rt), end;
		pthread_mutex_unlock(&s->mu);
		int r = run_slice(w, u, now, limit, &end);
		pthread_mutex_lock(&s->mu);
		w->cur = NULL;
		end = base_now_ns();
		charge(u, end - mark, rt, end);
		mark = end;
		void (*done)(void *) = g->done, *ctx = g->ctx;
		if (after_slice(u, r) && done) {
			/* g may be gone once done() returns: nothing touches it after. */
			pthread_mutex_unlock(&s->mu);
			done(ctx);
			pthread_mutex_lock(&s->mu);
		}
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* ---- the interface ---- */

int sched_create(struct sched **out, int nworkers)
{
	if (nworkers <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		nworkers = n > 0 ? (int)n : 1;
	}
	if (nworkers > 1024)
		return -ERR_INVAL;
	struct sched *s = calloc(1, sizeof *s);
	if (!s || !(s->workers = calloc((size_t)nworkers, sizeof *s->workers))) {
		free(s);
		return -ERR_NOMEM;
	}
	pthread_mutex_init(&s->mu, NULL);
	base_cond_init(&s->tcv);
	base_cond_init(&s->pause_cv);
	int err = 0;
	if (pthread_create(&s->timer, NULL, timer_thread, s))
		err = -ERR_NOMEM;
	if (err) {
		free(s->heap);
		free(s->workers);
		free(s);
		return err;
	}
	for (int k = 0; k < nworkers; k++) {
		struct worker *w = &s->workers[k];
		w->s = s;
		w->tid = -1;
		base_cond_init(&w->cv);
		if (pthread_create(&w->thread, NULL, worker_thread, w)) {
			pthread_cond_destroy(&w->cv);
			break;
		}
		s->nworkers++;
	}
	*out = s;
	if (!s->nworkers) {
		sched_destroy(s);
		*out = NULL;
		return -ERR_NOMEM;
	}
	return 0;
}

void sched_destroy(struct sched *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->quit = true;
	pthread_cond_signal(&s->tcv);
	for (int k = 0; k < s->nworkers; k++)
		pthread_cond_signal(&s->workers[k].cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->timer, NULL);
	for (int k = 0; k < s->nworkers; k++) {
		pthread_join(s->workers[k].thread, NULL);
		pthread_cond_destroy(&s->workers[k].cv);
	}
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->tcv);
	pthread_cond_destroy(&s->pause_cv);
	free(s->heap);
	free(s->workers);
	free(s);
}

int sched_nworkers(const struct sched *s)
{
	return s->nworkers;
}

const int *sched_waiting(const struct sched *s)
{
	return &s->nwaiting;
}

int sched_group_create(struct sched *s, struct sched_group **out, void (*done)(void *ctx), void *ctx)
{
	struct sched_group *g = calloc(1, sizeof *g);
	if (!g)
		return -ERR_NOMEM;
	*g = (struct sched_group){ .s = s, .done = done, .ctx = ctx, .weight = 100 };
	g->cap_timer = (struct sched_timer){ .ix = -1, .fire = fire_cap };
	pthread_mutex_lock(&s->mu);
	int err = s->ngroups == MAX_GROUPS ? -ERR_NOMEM : heap_reserve(s, 1);
	if (!err) {
		g->vrt = s->min_vrt;
		s->groups[s->ngroups++] = g;
	}
	pthread_mutex_unlock(&s->mu);
	if (err) {
		free(g);
		return err;
	}
	*out = g;
	return 0;
}

void sched_group_destroy(struct sched_group *g)
{
	if (!g)
		return;
	struct sched *s = g->s;
	pthread_mutex_lock(&s->mu);
	for (struct sched_unit *u = g->units; u; u = u->gnext) {
		timer_cancel(s, &u->deadline);
		timer_cancel(s, &u->idle_timer);
		if (u->state == RUNNABLE)
			__atomic_sub_fetch(&s->nwaiting, 1, __ATOMIC_RELAXED);
	}
	timer_cancel(s, &g->cap_timer);
	s->heap_need -= 1 + 2 * g->nunits;
	for (int k = 0; k < s->ngroups; k++)
		if (s->groups[k] == g) {
			s->groups[k] = s->groups[--s->ngroups];
			break;
		}
	pthread_mutex_unlock(&s->mu);
	free(g);
}

int sched_add(struct sched_group *g, struct sched_unit *u, const struct sched_unit_ops *ops)
{
	struct sched *s = g->s;
	pthread_mutex_lock(&s->mu);
	int err = heap_reserve(s, 2);
	if (!err) {
		u->ops = ops;
		u->g = g;
		u->state = STOPPED;
		u->tid = -1;
		u->cpu_ns = 0;
		u->deadline = (struct sched_timer){ .ix = -1, .fire = fire_deadline };
		u->idle_timer = (struct sched_timer){ .ix = -1, .fire = fire_idle };
		u->gnext = g->units;
		g->units = u;
		g->nunits++;
	}
	pthread_mutex_unlock(&s->mu);
	return err;
}

void sched_start(struct sched_group *g)
{
	struct sched *s = g->s;
	pthread_mutex_lock(&s->mu);
	for (struct sched_unit *u = g->units; u; u = u->gnext)
		if (u->state == STOPPED) {
			g->nlive++;
			activate(g);
			enqueue(u);
			place(s, u);
		}
	pthread_mutex_unlock(&s->mu);
}

void sched_pause(struct sched_group *g)
{
	struct sched *s = g->s;
	pthread_mutex_lock(&s->mu);
	g->paused++;
	for (int k = 0; k < s->nworkers; k++) {
		struct worker *w = &s->workers[k];
		if (w->cur && w->cur->g == g)
			preempt(w);
	}
	while (g->nrunning)
		pthread_cond_wait(&s->pause_cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
}

void sched_resume(struct sched_group *g)
{
	struct sched *s = g->s;
	pthread_mutex_lock(&s->mu);
	if (g->paused && --g->paused == 0)
		for (struct sched_unit *u = g->qhead; u; u = u->qnext)
			place(s, u);
	pthread_mutex_unlock(&s->mu);
}

int sched_set_weight(struct sched_group *g, unsigned weight)
{
	if (weight < 1 || weight > 10000)
		return -ERR_INVAL;
	pthread_mutex_lock(&g->s->mu);
	g->weight = weight;
	pthread_mutex_unlock(&g->s->mu);
	return 0;
}

int sched_set_cap(struct sched_group *g, unsigned percent)
{
	if (percent > 100u * (unsigned)g->s->nworkers)
		return -ERR_INVAL;
	pthread_mutex_lock(&g->s->mu);
	g->cap = percent;
	g->cap_start = base_now_ns();
	g->cap_used = 0;
	bool was = g->throttled;
	g->throttled = false;
	timer_cancel(g->s, &g->cap_timer);
	if (was && g->qhead)
		place(g->s, g->qhead);
	pthread_mutex_unlock(&g->s->mu);
	return 0;
}

int sched_set_reservation(struct sched_group *g, uint64_t period_ns, uint64_t budget_ns)
{
	if (budget_ns && (period_ns < 100000 || budget_ns > period_ns || period_ns > 10000000000ull))
		return -ERR_INVAL;
	pthread_mutex_lock(&g->s->mu);
	g->rt_period = budget_ns ? period_ns : 0;
	g->rt_budget = budget_ns;
	g->rt_deadline = 0;
	g->rt_left = 0;
	pthread_mutex_unlock(&g->s->mu);
	return 0;
}

void sched_group_stats(struct sched_group *g, struct sched_stats *out)
{
	pthread_mutex_lock(&g->s->mu);
	*out = g->st;
	pthread_mutex_unlock(&g->s->mu);
}

void sched_group_params(struct sched_group *g, struct sched_params *out)
{
	pthread_mutex_lock(&g->s->mu);
	*out = (struct sched_params){ .weight = g->weight, .cap = g->cap, .period_ns = g->rt_period,
				      .budget_ns = g->rt_budget };
	pthread_mutex_unlock(&g->s->mu);
}

int64_t sched_unit_tid(const struct sched_unit *u)
{
	return __atomic_load_n(&u->tid, __ATOMIC_RELAXED);
}

void sched_wake(struct sched_unit *u)
{
	struct sched *s = u->g->s;
	pthread_mutex_lock(&s->mu);
	wake_locked(u, false);
	pthread_mutex_unlock(&s->mu);
}

void sched_set_deadline(struct sched_unit *u, uint64_t when)
{
	struct sched *s = u->g->s;
	pthread_mutex_lock(&s->mu);
	if (when == UINT64_MAX)
		timer_cancel(s, &u->deadline);
	else
		timer_arm(s, &u->deadline, when);
	pthread_mutex_unlock(&s->mu);
}
