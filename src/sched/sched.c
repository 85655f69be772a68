/* sched.c - units on host threads (one each, parked while idle) and one
 * timer heap per scheduler, served by one thread that kicks and wakes a
 * unit when its deadline passes. */
#include "sched/sched.h"

#include <stdlib.h>

#define MAX_UNITS 64

struct sched {
	struct sched_unit *units[MAX_UNITS];
	int nunits;
	/* Timers: a binary min-heap of units by deadline. */
	pthread_mutex_t tmu;
	pthread_cond_t tcv;
	struct sched_unit *heap[MAX_UNITS];
	int nheap;
	bool quit;
	pthread_t timer;
};

/* ---- the timer heap (tmu held) ---- */

static void heap_set(struct sched *s, int ix, struct sched_unit *u)
{
	s->heap[ix] = u;
	u->heap_ix = ix;
}

static void sift_up(struct sched *s, int ix)
{
	struct sched_unit *u = s->heap[ix];
	while (ix > 0 && s->heap[(ix - 1) / 2]->deadline > u->deadline) {
		heap_set(s, ix, s->heap[(ix - 1) / 2]);
		ix = (ix - 1) / 2;
	}
	heap_set(s, ix, u);
}

static void sift_down(struct sched *s, int ix)
{
	struct sched_unit *u = s->heap[ix];
	for (;;) {
		int c = 2 * ix + 1;
		if (c >= s->nheap)
			break;
		if (c + 1 < s->nheap && s->heap[c + 1]->deadline < s->heap[c]->deadline)
			c++;
		if (s->heap[c]->deadline >= u->deadline)
			break;
		heap_set(s, ix, s->heap[c]);
		ix = c;
	}
	heap_set(s, ix, u);
}

static void heap_remove(struct sched *s, struct sched_unit *u)
{
	int ix = u->heap_ix;
	if (ix < 0)
		return;
	u->heap_ix = -1;
	struct sched_unit *last = s->heap[--s->nheap];
	if (ix == s->nheap)
		return;
	heap_set(s, ix, last);
	sift_up(s, ix);
	sift_down(s, last->heap_ix);
}

void sched_set_deadline(struct sched_unit *u, uint64_t when)
{
	struct sched *s = u->s;
	pthread_mutex_lock(&s->tmu);
	heap_remove(s, u);
	u->deadline = when;
	if (when != UINT64_MAX) {
		heap_set(s, s->nheap++, u);
		sift_up(s, u->heap_ix);
		if (u->heap_ix == 0)
			pthread_cond_signal(&s->tcv); /* a new earliest deadline */
	}
	pthread_mutex_unlock(&s->tmu);
}

static void *timer_thread(void *arg)
{
	struct sched *s = arg;
	pthread_mutex_lock(&s->tmu);
	while (!s->quit) {
		if (!s->nheap) {
			pthread_cond_wait(&s->tcv, &s->tmu);
			continue;
		}
		struct sched_unit *u = s->heap[0];
		if (u->deadline > base_now_ns()) {
			base_cond_wait_until(&s->tcv, &s->tmu, u->deadline);
			continue;
		}
		heap_remove(s, u); /* one-shot: the unit re-arms when it needs to */
		u->deadline = UINT64_MAX;
		pthread_mutex_unlock(&s->tmu);
		u->ops->kick(u);
		sched_wake(u);
		pthread_mutex_lock(&s->tmu);
	}
	pthread_mutex_unlock(&s->tmu);
	return NULL;
}

/* ---- units ---- */

int sched_create(struct sched **out)
{
	struct sched *s = calloc(1, sizeof *s);
	if (!s)
		return -ERR_NOMEM;
	pthread_mutex_init(&s->tmu, NULL);
	base_cond_init(&s->tcv);
	if (pthread_create(&s->timer, NULL, timer_thread, s)) {
		pthread_mutex_destroy(&s->tmu);
		pthread_cond_destroy(&s->tcv);
		free(s);
		return -ERR_NOMEM;
	}
	*out = s;
	return 0;
}

void sched_destroy(struct sched *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->tmu);
	s->quit = true;
	pthread_cond_signal(&s->tcv);
	pthread_mutex_unlock(&s->tmu);
	pthread_join(s->timer, NULL);
	for (int k = 0; k < s->nunits; k++) {
		pthread_mutex_destroy(&s->units[k]->mu);
		pthread_cond_destroy(&s->units[k]->cv);
	}
	pthread_mutex_destroy(&s->tmu);
	pthread_cond_destroy(&s->tcv);
	free(s);
}

int sched_add(struct sched *s, struct sched_unit *u, const struct sched_unit_ops *ops)
{
	if (s->nunits == MAX_UNITS)
		return -ERR_NOMEM;
	u->ops = ops;
	u->s = s;
	u->deadline = UINT64_MAX;
	u->heap_ix = -1;
	pthread_mutex_init(&u->mu, NULL);
	base_cond_init(&u->cv);
	s->units[s->nunits++] = u;
	return 0;
}

void sched_wake(struct sched_unit *u)
{
	pthread_mutex_lock(&u->mu);
	pthread_cond_signal(&u->cv);
	pthread_mutex_unlock(&u->mu);
}

/* Sleep until the unit is ready, woken, or SCHED_MAX_IDLE_NS passed. */
static void park(struct sched_unit *u)
{
	uint64_t until = base_now_ns() + SCHED_MAX_IDLE_NS;
	pthread_mutex_lock(&u->mu);
	while (!u->ops->ready(u) && base_now_ns() < until)
		base_cond_wait_until(&u->cv, &u->mu, until);
	pthread_mutex_unlock(&u->mu);
}

static void *unit_thread(void *arg)
{
	struct sched_unit *u = arg;
	for (;;) {
		int r = u->ops->run(u);
		if (r == SCHED_UNIT_DONE)
			break;
		if (r == SCHED_UNIT_IDLE)
			park(u);
	}
	return NULL;
}

void sched_run(struct sched *s)
{
	for (int k = 1; k < s->nunits; k++)
		pthread_create(&s->units[k]->thread, NULL, unit_thread, s->units[k]);
	if (s->nunits)
		unit_thread(s->units[0]);
	for (int k = 1; k < s->nunits; k++)
		pthread_join(s->units[k]->thread, NULL);
}
