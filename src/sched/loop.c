/* loop.c - one poll() loop thread for every back end in the process and a
 * fixed pool of workers for blocking work.  The loop holds its mutex while
 * it calls sources (prepare, dispatch) and drops it only to wait, which is
 * what lets loop_remove promise that a removed source is not in use. */
#include "sched/loop.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define POOL    2       /* disk workers for the whole process */
#define MAX_FDS 1024

struct loop {
	int refs;
	pthread_mutex_t mu;             /* sources; held while calling them */
	struct loop_source *sources;
	int wake_fd;
	bool quit;
	pthread_t thread;
	pthread_mutex_t wmu;            /* the work queue */
	pthread_cond_t wcv;
	pthread_cond_t done;            /* a work item finished (loop_cancel) */
	bool wquit;                     /* the workers' quit, under wmu */
	struct loop_work *head, *tail;
	pthread_t workers[POOL];
	struct pollfd fds[MAX_FDS];
};

static pthread_mutex_t the_mu = PTHREAD_MUTEX_INITIALIZER;
static struct loop *the_loop;

static void drain_wake(struct loop *l)
{
	uint64_t v;
	while (read(l->wake_fd, &v, sizeof v) > 0)
		;
}

/* One turn: every source prepares, one wait, every source dispatches. */
static void turn(struct loop *l)
{
	int n = 1, timeout = -1;
	l->fds[0] = (struct pollfd){ l->wake_fd, POLLIN, 0 };
	for (struct loop_source *s = l->sources; s; s = s->next) {
		s->first = n;
		s->nfds = s->prepare(s, l->fds + n, MAX_FDS - n, &timeout);
		n += s->nfds;
	}
	pthread_mutex_unlock(&l->mu);
	int r = poll(l->fds, (nfds_t)n, timeout);
	pthread_mutex_lock(&l->mu);
	if (r > 0 && (l->fds[0].revents & POLLIN))
		drain_wake(l);
	for (struct loop_source *s = l->sources; s; s = s->next)
		if (s->nfds >= 0) /* -1: added during the wait, not prepared yet */
			s->dispatch(s, l->fds + s->first, r < 0 ? 0 : s->nfds);
}

static void *loop_thread(void *arg)
{
	struct loop *l = arg;
	pthread_mutex_lock(&l->mu);
	while (!l->quit)
		turn(l);
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

static void *worker(void *arg)
{
	struct loop *l = arg;
	pthread_mutex_lock(&l->wmu);
	for (;;) {
		while (!l->head && !l->wquit)
			pthread_cond_wait(&l->wcv, &l->wmu);
		if (!l->head)
			break; /* quit, and nothing left to do */
		struct loop_work *w = l->head;
		l->head = w->next;
		if (!l->head)
			l->tail = NULL;
		__atomic_store_n(&w->queued, false, __ATOMIC_RELEASE); /* the test peeks at it */
		w->running = true;
		pthread_mutex_unlock(&l->wmu);
		w->fn(w);
		pthread_mutex_lock(&l->wmu);
		w->running = false;
		pthread_cond_broadcast(&l->done);
	}
	pthread_mutex_unlock(&l->wmu);
	return NULL;
}

static void loop_free(struct loop *l)
{
	if (l->wake_fd >= 0)
		close(l->wake_fd);
	pthread_mutex_destroy(&l->mu);
	pthread_mutex_destroy(&l->wmu);
	pthread_cond_destroy(&l->wcv);
	pthread_cond_destroy(&l->done);
	free(l);
}

/* Stop the loop thread and the first nworkers workers, then free l. */
static void loop_stop(struct loop *l, int nworkers)
{
	pthread_mutex_lock(&l->mu);
	l->quit = true;
	pthread_mutex_unlock(&l->mu);
	loop_wake(l);
	pthread_join(l->thread, NULL);
	pthread_mutex_lock(&l->wmu);
	l->wquit = true;
	pthread_cond_broadcast(&l->wcv);
	pthread_mutex_unlock(&l->wmu);
	while (nworkers--)
		pthread_join(l->workers[nworkers], NULL);
	loop_free(l);
}

static int loop_start(struct loop **out)
{
	struct loop *l = calloc(1, sizeof *l);
	if (!l)
		return -ERR_NOMEM;
	pthread_mutex_init(&l->mu, NULL);
	pthread_mutex_init(&l->wmu, NULL);
	pthread_cond_init(&l->wcv, NULL);
	pthread_cond_init(&l->done, NULL);
	l->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (l->wake_fd < 0 || pthread_create(&l->thread, NULL, loop_thread, l)) {
		loop_free(l);
		return -ERR_NOMEM;
	}
	int k = 0;
	while (k < POOL && !pthread_create(&l->workers[k], NULL, worker, l))
		k++;
	if (k < POOL) {
		loop_stop(l, k); /* what started */
		return -ERR_NOMEM;
	}
	*out = l;
	return 0;
}

int loop_get(struct loop **out)
{
	int err = 0;
	pthread_mutex_lock(&the_mu);
	if (!the_loop)
		err = loop_start(&the_loop);
	if (!err) {
		the_loop->refs++;
		*out = the_loop;
	}
	pthread_mutex_unlock(&the_mu);
	return err;
}

void loop_put(struct loop *l)
{
	pthread_mutex_lock(&the_mu);
	if (--l->refs > 0) {
		pthread_mutex_unlock(&the_mu);
		return;
	}
	the_loop = NULL;
	pthread_mutex_unlock(&the_mu);
	loop_stop(l, POOL);
}

int loop_threads(void)
{
	pthread_mutex_lock(&the_mu);
	int n = the_loop ? 1 + POOL : 0;
	pthread_mutex_unlock(&the_mu);
	return n;
}

int loop_add(struct loop *l, struct loop_source *s)
{
	s->nfds = -1;
	pthread_mutex_lock(&l->mu);
	s->next = l->sources;
	l->sources = s;
	pthread_mutex_unlock(&l->mu);
	loop_wake(l); /* let it prepare the new source now */
	return 0;
}

void loop_remove(struct loop *l, struct loop_source *s)
{
	loop_wake(l); /* shortens the wait for the lock */
	pthread_mutex_lock(&l->mu);
	for (struct loop_source **pp = &l->sources; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	pthread_mutex_unlock(&l->mu);
}

void loop_wake(struct loop *l)
{
	uint64_t one = 1;
	while (write(l->wake_fd, &one, sizeof one) < 0 && errno == EINTR)
		;
}

bool loop_submit(struct loop *l, struct loop_work *w)
{
	pthread_mutex_lock(&l->wmu);
	bool fresh = !w->queued;
	if (fresh) {
		__atomic_store_n(&w->queued, true, __ATOMIC_RELEASE);
		w->next = NULL;
		if (l->tail)
			l->tail->next = w;
		else
			l->head = w;
		l->tail = w;
		pthread_cond_signal(&l->wcv);
	}
	pthread_mutex_unlock(&l->wmu);
	return fresh;
}

void loop_cancel(struct loop *l, struct loop_work *w)
{
	pthread_mutex_lock(&l->wmu);
	if (w->queued) {
		struct loop_work **pp = &l->head, *prev = NULL;
		while (*pp && *pp != w) {
			prev = *pp;
			pp = &(*pp)->next;
		}
		if (*pp) {
			*pp = w->next;
			if (l->tail == w)
				l->tail = prev;
		}
		__atomic_store_n(&w->queued, false, __ATOMIC_RELEASE);
	}
	while (w->running)
		pthread_cond_wait(&l->done, &l->wmu);
	pthread_mutex_unlock(&l->wmu);
}
