/* sched.h - every hart of every VM (and every wasm program run as a peer of
 * them) on one fixed pool of host worker threads.
 *
 * A unit is anything that runs in slices: a hart, a wasm program.  Units
 * belong to a group (a VM), and groups share the workers:
 *  - fair class: each group has a weight; the group that has received the
 *    least CPU time per unit of weight (its virtual runtime) runs next, as
 *    CFS does; a group waking from idle is placed near the others so that
 *    sleeping earns no unbounded credit;
 *  - caps: a group may use at most cap% of one worker per 100 ms period,
 *    then waits for the next period (throttled);
 *  - real-time: a group with a reservation (budget of every period) runs
 *    before the fair class while it has budget left, earliest deadline
 *    first; a waking real-time unit preempts fair work at once.
 * A unit that is idle (a hart in WFI) costs nothing until its deadline (one
 * timer heap for all units), a wake, or SCHED_MAX_IDLE_NS.  All scheduler
 * state is under one lock, taken once per slice and per wake. */
#ifndef CAIRN_SCHED_SCHED_H
#define CAIRN_SCHED_SCHED_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/base.h"

/* What a unit's run returns.  YIELD: it is spinning (a `pause` hint) and
 * would rather let another unit run now; it stays runnable. */
enum { SCHED_UNIT_RUN, SCHED_UNIT_IDLE, SCHED_UNIT_DONE, SCHED_UNIT_YIELD };

struct sched_unit;
struct sched_unit_ops {
	/* Run a short piece (well under a millisecond for a hart: the
	 * worker calls it again until the slice is used up). */
	int (*run)(struct sched_unit *u);
	/* Whether an idle unit should run again.  Called with the scheduler's
	 * lock held: whoever makes it true and then calls sched_wake is never
	 * lost, even while the unit is on its way to idle. */
	bool (*ready)(struct sched_unit *u);
	/* The unit's deadline passed: make it look at its timers soon (it
	 * may be running).  Scheduler lock held: only set flags. */
	void (*kick)(struct sched_unit *u);
	/* Make a running run() return soon (at an instruction boundary for a
	 * hart): its slice is over.  Scheduler lock held: only set flags. */
	void (*preempt)(struct sched_unit *u);
};

/* One timer of the heap (private to sched; embedded so that arming one
 * never allocates). */
struct sched_timer {
	uint64_t when;          /* CLOCK_MONOTONIC ns */
	int ix;                 /* heap index, -1 when not armed */
	void (*fire)(struct sched_timer *t);
};

struct sched;
struct sched_group;
struct sched_unit {
	const struct sched_unit_ops *ops;
	/* Private to sched. */
	struct sched_group *g;
	struct sched_unit *qnext;       /* the group's run queue */
	struct sched_unit *gnext;       /* all units of the group */
	int state;
	struct sched_timer deadline;    /* the unit's own (sched_set_deadline) */
	struct sched_timer idle_timer;  /* SCHED_MAX_IDLE_NS after it went idle */
	int64_t tid;                    /* the worker that ran it last, -1: none */
	uint64_t cpu_ns;
};

/* nworkers 0: one per online host core. */
int sched_create(struct sched **out, int nworkers) MUST_CHECK;
/* Every group must have been destroyed. */
void sched_destroy(struct sched *s);
int sched_nworkers(const struct sched *s);

/* A group of units (a VM).  done(ctx) is called, on a worker and without
 * the scheduler's lock, when the last running unit of the group returned
 * SCHED_UNIT_DONE (the group can then be started again, or destroyed). */
int sched_group_create(struct sched *s, struct sched_group **out, void (*done)(void *ctx), void *ctx) MUST_CHECK;
/* No unit of g may be running (never started, or all done). */
void sched_group_destroy(struct sched_group *g);
/* Units start stopped; sched_start makes every unit of g runnable. */
int sched_add(struct sched_group *g, struct sched_unit *u, const struct sched_unit_ops *ops) MUST_CHECK;
void sched_start(struct sched_group *g);
/* Pause: no unit of g is picked any more; returns once none is running.
 * Not from a unit of g itself.  Resume undoes it.  Pauses nest. */
void sched_pause(struct sched_group *g);
void sched_resume(struct sched_group *g);

/* Scheduling parameters (apply at once): weight 1..10000 (default 100);
 * cap in percent of one worker, 0: none; reservation budget_ns of every
 * period_ns, 0: none (budget <= period, period >= 100 us). */
int sched_set_weight(struct sched_group *g, unsigned weight) MUST_CHECK;
int sched_set_cap(struct sched_group *g, unsigned percent) MUST_CHECK;
int sched_set_reservation(struct sched_group *g, uint64_t period_ns, uint64_t budget_ns) MUST_CHECK;
struct sched_stats {
	uint64_t cpu_ns;        /* time its units ran */
	uint64_t slices;        /* times a worker picked one of them */
	uint64_t wakeups;       /* idle -> runnable */
	uint64_t throttled;     /* periods in which its cap ran out */
	uint64_t rt_misses;     /* periods whose budget it could not get */
};
void sched_group_stats(struct sched_group *g, struct sched_stats *out);
/* --- added for the control plane (qmp branch): what the setters set --- */
struct sched_params { unsigned weight, cap; uint64_t period_ns, budget_ns; };
void sched_group_params(struct sched_group *g, struct sched_params *out);
/* The worker thread's TID that ran u last (-1: never ran). */
int64_t sched_unit_tid(const struct sched_unit *u);

/* An idle unit may be ready now (any thread). */
void sched_wake(struct sched_unit *u);
/* Kick and wake the unit at `when` (CLOCK_MONOTONIC ns; UINT64_MAX: no
 * deadline).  One deadline per unit: a new one replaces the old. */
void sched_set_deadline(struct sched_unit *u, uint64_t when);
/* Number of runnable units waiting for a worker (read it with a relaxed
 * atomic load): a spinning unit yields only when someone waits. */
const int *sched_waiting(const struct sched *s);

/* Longest an idle unit sleeps without a wake (wall-clock devices that are
 * polled, such as the RTC alarm, get a look at least this often). */
#define SCHED_MAX_IDLE_NS 50000000ull
/* A slice: how long a unit runs when others wait. */
#define SCHED_SLICE_NS 3000000ull

#endif
