/* loop.h - the I/O side of the scheduler: one event loop thread serves the
 * device back ends of every VM in the process (network, console, timers of
 * user-mode networking), and a small fixed pool of worker threads runs
 * blocking work (disk I/O).  Thread count does not grow with devices or VMs.
 *
 * A source contributes poll fds and a timeout at each turn and is told what
 * fired - the prepare/dispatch shape that libslirp's poll API needs.  Any
 * thread may post work to the pool or wake the loop. */
#ifndef CAIRN_SCHED_LOOP_H
#define CAIRN_SCHED_LOOP_H

#include <poll.h>
#include <stdbool.h>

#include "base/base.h"

struct loop;

struct loop_source {
	/* Fill fds[0..max) with what to wait for, lower *timeout_ms (-1:
	 * none) for a deadline; return the number of fds used.  Runs on the
	 * loop thread. */
	int (*prepare)(struct loop_source *s, struct pollfd *fds, int max, int *timeout_ms);
	/* After the wait: the same fds with revents (n may be 0 on a timeout
	 * or when the wait failed).  Runs on the loop thread. */
	void (*dispatch)(struct loop_source *s, struct pollfd *fds, int n);
	/* Private to loop.c. */
	struct loop_source *next;
	int first, nfds;
};

/* Blocking work for the pool: fn runs on one worker thread. */
struct loop_work {
	void (*fn)(struct loop_work *w);
	/* Private to loop.c. */
	struct loop_work *next;
	bool queued;            /* on the queue, not yet started */
	bool running;           /* fn is running on a worker */
};

/* The process's loop, started on first use; loop_put when done with it
 * (the last put stops its threads). */
int loop_get(struct loop **out) MUST_CHECK;
void loop_put(struct loop *l);
/* Sources: added and removed from any thread; loop_remove returns when
 * the source is neither in prepare nor in dispatch, so its owner may free it. */
int loop_add(struct loop *l, struct loop_source *s) MUST_CHECK;
void loop_remove(struct loop *l, struct loop_source *s);
/* Make the loop run another turn soon (a source's state changed). */
void loop_wake(struct loop *l);
/* Queue w for the pool; false when it is already queued and not yet
 * started (the earlier submission will do the work). */
bool loop_submit(struct loop *l, struct loop_work *w);
/* Take w off the queue if it is there, and wait until no worker runs it:
 * afterwards its owner may free it (unless it submits it again). */
void loop_cancel(struct loop *l, struct loop_work *w);
/* Threads the loop and its pool use (for tests: constant in devices). */
int loop_threads(void);

#endif
