/* test_loop.c - the shared I/O loop and worker pool (src/sched/loop.c): many
 * sources on one thread see every byte written to them, a removed source is
 * never called again (it is freed at once: ASan would see a late call), the
 * pool runs every submitted work item exactly once, and the thread count
 * stays fixed however many sources there are. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sched/loop.h"

static int failures;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

struct pipe_src {
	struct loop_source src;
	int fd[2];
	long got;               /* bytes read, atomics */
};

static int pipe_prepare(struct loop_source *s, struct pollfd *fds, int max, int *timeout_ms)
{
	struct pipe_src *p = (struct pipe_src *)s;
	if (max < 1)
		return 0;
	fds[0] = (struct pollfd){ p->fd[0], POLLIN, 0 };
	return 1;
}

static void pipe_dispatch(struct loop_source *s, struct pollfd *fds, int n)
{
	struct pipe_src *p = (struct pipe_src *)s;
	char buf[256];
	if (n < 1 || !(fds[0].revents & POLLIN))
		return;
	ssize_t r = read(p->fd[0], buf, sizeof buf);
	if (r > 0)
		__atomic_add_fetch(&p->got, r, __ATOMIC_RELEASE);
}

static struct pipe_src *pipe_src_new(void)
{
	struct pipe_src *p = calloc(1, sizeof *p);
	CHECK(p && pipe(p->fd) == 0);
	p->src.prepare = pipe_prepare;
	p->src.dispatch = pipe_dispatch;
	return p;
}

static void pipe_src_free(struct pipe_src *p)
{
	close(p->fd[0]);
	close(p->fd[1]);
	free(p);
}

static void wait_for(long *v, long want)
{
	for (int k = 0; k < 20000 && __atomic_load_n(v, __ATOMIC_ACQUIRE) < want; k++)
		usleep(100);
}

/* 64 sources, 200 bytes each in small writes. */
static void test_many_sources(struct loop *l)
{
	enum { N = 64 };
	struct pipe_src *p[N];
	for (int k = 0; k < N; k++) {
		p[k] = pipe_src_new();
		CHECK(loop_add(l, &p[k]->src) == 0);
	}
	CHECK(loop_threads() == 3);
	for (int round = 0; round < 100; round++)
		for (int k = 0; k < N; k++)
			CHECK(write(p[k]->fd[1], "ab", 2) == 2);
	for (int k = 0; k < N; k++) {
		wait_for(&p[k]->got, 200);
		CHECK(p[k]->got == 200);
		loop_remove(l, &p[k]->src);
		pipe_src_free(p[k]);
	}
}

/* Sources come and go while others are busy: a removed one is freed at
 * once, so any later call into it is a use after free. */
static void test_churn(struct loop *l)
{
	struct pipe_src *busy = pipe_src_new();
	CHECK(loop_add(l, &busy->src) == 0);
	for (int k = 0; k < 2000; k++) {
		struct pipe_src *p = pipe_src_new();
		CHECK(loop_add(l, &p->src) == 0);
		CHECK(write(p->fd[1], "x", 1) == 1);
		CHECK(write(busy->fd[1], "y", 1) == 1);
		if (k & 1)
			wait_for(&p->got, 1);
		loop_remove(l, &p->src);
		pipe_src_free(p);
	}
	wait_for(&busy->got, 2000);
	CHECK(busy->got == 2000);
	loop_remove(l, &busy->src);
	pipe_src_free(busy);
}

struct job { struct loop_work w; long *count; };

static void job_fn(struct loop_work *w)
{
	struct job *j = (struct job *)w;
	__atomic_add_fetch(j->count, 1, __ATOMIC_RELEASE);
}

static void test_pool(struct loop *l)
{
	enum { N = 1000 };
	static struct job jobs[N];
	long count = 0;
	for (int k = 0; k < N; k++) {
		jobs[k] = (struct job){ { .fn = job_fn }, &count };
		CHECK(loop_submit(l, &jobs[k].w));
	}
	wait_for(&count, N);
	CHECK(count == N);
	/* A queued item submitted again is not queued twice. */
	long c2 = 0;
	struct job once = { { .fn = job_fn }, &c2 };
	int fresh = 0;
	for (int k = 0; k < 50; k++)
		fresh += loop_submit(l, &once.w);
	wait_for(&c2, fresh);
	usleep(20000);
	CHECK(c2 == fresh && fresh >= 1);
	/* Cancel: a queued item never runs; a running one is waited for. */
	long c3 = 0;
	static struct job many[64];
	for (int k = 0; k < 64; k++) {
		many[k] = (struct job){ { .fn = job_fn }, &c3 };
		CHECK(loop_submit(l, &many[k].w));
	}
	int cancelled = 0;
	for (int k = 63; k >= 0; k--) {
		bool was_queued = __atomic_load_n(&many[k].w.queued, __ATOMIC_ACQUIRE);
		loop_cancel(l, &many[k].w);
		cancelled += was_queued;
		CHECK(!many[k].w.queued && !many[k].w.running);
	}
	usleep(20000);
	CHECK(c3 <= 64 && c3 >= 64 - cancelled);
}

int main(void)
{
	struct loop *l, *l2;
	CHECK(loop_get(&l) == 0 && loop_get(&l2) == 0 && l == l2);
	test_many_sources(l);
	test_churn(l);
	test_pool(l);
	loop_put(l2);
	CHECK(loop_threads() == 3);
	loop_put(l);
	CHECK(loop_threads() == 0);
	if (failures) {
		fprintf(stderr, "test_loop: %d failures\n", failures);
		return 1;
	}
	printf("test_loop: ok\n");
	return 0;
}
