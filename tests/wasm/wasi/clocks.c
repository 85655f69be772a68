/* clocks.c - clocks, sleeping through poll_oneoff (relative and absolute
 * clock subscriptions, several at once, an fd and a clock), random_get and
 * sched_yield.  Expects stdin to be a pipe holding some bytes. */
#include "check.h"

#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static uint64_t mono(void)
{
	struct timespec t;
	CHECK(clock_gettime(CLOCK_MONOTONIC, &t) == 0);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static __wasi_subscription_t clock_sub(uint64_t id, uint64_t ns, int abs)
{
	__wasi_subscription_t s;
	memset(&s, 0, sizeof s);
	s.userdata = id;
	s.u.tag = __WASI_EVENTTYPE_CLOCK;
	s.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
	s.u.u.clock.timeout = ns;
	s.u.u.clock.flags = abs ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME : 0;
	return s;
}

static void clocks(void)
{
	struct timespec t, r;
	CHECK(clock_gettime(CLOCK_REALTIME, &t) == 0 && t.tv_sec > 1600000000);
	CHECK(clock_getres(CLOCK_MONOTONIC, &r) == 0 && r.tv_sec == 0 && r.tv_nsec > 0);
	uint64_t a = mono(), b = mono();
	CHECK(b >= a);
	volatile double x = 0;
	for (int i = 0; i < 200000; i++)
		x += i * 0.5;
	CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) == 0 && (t.tv_sec > 0 || t.tv_nsec > 0));
	__wasi_timestamp_t ts;
	CHECK(__wasi_clock_time_get(99, 1, &ts) == __WASI_ERRNO_INVAL);
	printf("ok clocks\n");
}

static void sleeping(void)
{
	uint64_t t0 = mono();
	struct timespec d = { 0, 100 * 1000000 };
	CHECK(nanosleep(&d, NULL) == 0);
	uint64_t dt = mono() - t0;
	CHECK(dt >= 100000000u && dt < 2000000000u);

	/* two clocks: the earlier one fires alone */
	__wasi_subscription_t s[2] = { clock_sub(1, 300000000, 0), clock_sub(2, 20000000, 0) };
	__wasi_event_t ev[2];
	__wasi_size_t n = 0;
	t0 = mono();
	CHECK(__wasi_poll_oneoff(s, ev, 2, &n) == 0);
	dt = mono() - t0;
	CHECK(n == 1 && ev[0].userdata == 2 && ev[0].type == __WASI_EVENTTYPE_CLOCK && ev[0].error == 0);
	CHECK(dt >= 20000000u && dt < 290000000u);

	/* an absolute deadline on the monotonic clock */
	__wasi_timestamp_t now;
	CHECK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &now) == 0);
	s[0] = clock_sub(7, now + 30000000, 1);
	CHECK(__wasi_poll_oneoff(s, ev, 1, &n) == 0 && n == 1 && ev[0].userdata == 7);
	CHECK(mono() >= now + 30000000);
	s[0] = clock_sub(8, now, 1); /* already past */
	CHECK(__wasi_poll_oneoff(s, ev, 1, &n) == 0 && n == 1 && ev[0].userdata == 8);
	CHECK(__wasi_poll_oneoff(s, ev, 0, &n) == __WASI_ERRNO_INVAL);
	printf("ok sleep and poll_oneoff clocks\n");
}

static void polling_stdin(void)
{
	__wasi_subscription_t s[2];
	__wasi_event_t ev[2];
	__wasi_size_t n = 0;
	s[0] = clock_sub(1, 5000000000ull, 0);
	memset(&s[1], 0, sizeof s[1]);
	s[1].userdata = 42;
	s[1].u.tag = __WASI_EVENTTYPE_FD_READ;
	s[1].u.u.fd_read.file_descriptor = 0;
	uint64_t t0 = mono();
	CHECK(__wasi_poll_oneoff(s, ev, 2, &n) == 0);
	CHECK(n == 1 && ev[0].userdata == 42 && ev[0].type == __WASI_EVENTTYPE_FD_READ && ev[0].error == 0);
	CHECK(ev[0].fd_readwrite.nbytes > 0 && mono() - t0 < 4000000000ull);
	s[1].u.u.fd_read.file_descriptor = 77; /* a bad fd is an event with an error */
	CHECK(__wasi_poll_oneoff(s, ev, 2, &n) == 0 && n == 1 && ev[0].error == __WASI_ERRNO_BADF);
	printf("ok poll_oneoff on stdin\n");
}

static void randomness(void)
{
	unsigned char a[256], b[256];
	int nonzero = 0;
	CHECK(getentropy(a, sizeof a) == 0 && getentropy(b, sizeof b) == 0);
	CHECK(memcmp(a, b, sizeof a) != 0);
	for (size_t i = 0; i < sizeof a; i++)
		nonzero += a[i] != 0;
	CHECK(nonzero > 200);
	CHECK(__wasi_random_get(a, 0) == 0);
	CHECK(sched_yield() == 0);
	printf("ok random_get, sched_yield\n");
}

int main(void)
{
	clocks();
	sleeping();
	polling_stdin();
	randomness();
	printf("clocks: all ok\n");
	return 0;
}
