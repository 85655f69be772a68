/* base.c - error messages, diagnostics, time and thread helpers shared by
 * every module. */
#include "base/base.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t base_now_ns(void) { return clock_ns(CLOCK_MONOTONIC); }
uint64_t base_wall_ns(void) { return clock_ns(CLOCK_REALTIME); }

int base_cond_init(pthread_cond_t *cv)
{
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	int r = pthread_cond_init(cv, &a);
	pthread_condattr_destroy(&a);
	return r;
}

int base_cond_wait_until(pthread_cond_t *cv, pthread_mutex_t *mu, uint64_t when_ns)
{
	if (when_ns > (uint64_t)INT64_MAX)
		when_ns = (uint64_t)INT64_MAX; /* far enough: no overflow in tv_sec */
	struct timespec ts = { (time_t)(when_ns / 1000000000ull), (long)(when_ns % 1000000000ull) };
	return pthread_cond_timedwait(cv, mu, &ts);
}

const char *cairn_strerror(int err)
{
	static const char *const msgs[] = {
#define X(name, msg) msg,
		CAIRN_ERRORS(X)
#undef X
	};
	if (err < 0)
		err = -err;
	return (size_t)err < ARRAY_SIZE(msgs) ? msgs[err] : "unknown error";
}

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	fputs("cairn: ", stderr);
	if (kind)
		fputs(kind, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cairn_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(NULL, fmt, ap);
	va_end(ap);
}

void cairn_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void cairn_errorf(cairn_errbuf *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (e) {
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		if (!e->code)
			e->code = ERR_INVAL;
	} else {
		vmsg(NULL, fmt, ap);
	}
	va_end(ap);
}
