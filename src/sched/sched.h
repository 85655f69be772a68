/* sched.h - running harts on host threads, and the timers that wake them.
 * A unit is anything that runs in slices (today: a hart).  The policy today
 * is one host thread per unit, parked while the unit is idle; the timers
 * are one heap with one thread for all units of a scheduler, so a unit's
 * deadline reaches it as a kick whether it is running or parked. */
#ifndef CAIRN_SCHED_SCHED_H
#define CAIRN_SCHED_SCHED_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/base.h"

/* What a unit's run returns. */
enum { SCHED_UNIT_RUN, SCHED_UNIT_IDLE, SCHED_UNIT_DONE };

struct sched_unit;
struct sched_unit_ops {
	/* Run one slice. */
	int (*run)(struct sched_unit *u);
	/* Whether an idle unit should run again (called with the unit's lock
	 * held, so a wake after the state change that makes this true is
	 * never lost). */
	bool (*ready)(struct sched_unit *u);
	/* The unit's deadline passed: make it look at its timers soon (it
	 * may be running). */
	void (*kick)(struct sched_unit *u);
};

struct sched;
struct sched_unit {
	const struct sched_unit_ops *ops;
	/* Private to sched. */
	struct sched *s;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t deadline;      /* CLOCK_MONOTONIC ns; UINT64_MAX: none */
	int heap_ix;            /* -1 when not in the timer heap */
};

int sched_create(struct sched **out) MUST_CHECK;
void sched_destroy(struct sched *s);
int sched_add(struct sched *s, struct sched_unit *u, const struct sched_unit_ops *ops) MUST_CHECK;
/* Run every unit until each returned SCHED_UNIT_DONE; unit 0 runs on the
 * calling thread.  May be called again afterwards (a reboot). */
void sched_run(struct sched *s);
/* An idle unit may be ready now (any thread). */
void sched_wake(struct sched_unit *u);
/* Kick and wake the unit at `when` (CLOCK_MONOTONIC ns; UINT64_MAX: no
 * deadline).  One deadline per unit: a new one replaces the old. */
void sched_set_deadline(struct sched_unit *u, uint64_t when);
/* Longest an idle unit sleeps without a wake (wall-clock devices that are
 * polled, such as the RTC alarm, get a look at least this often). */
#define SCHED_MAX_IDLE_NS 50000000ull

#endif
