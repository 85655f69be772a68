/* base.c - error messages, diagnostics, time and thread helpers shared by
 * every module. */
#include "base/base.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

char *base_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
			errno = EIO;
		}
		if (buf)
			buf[n] = 0;
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

int base_ring_init(struct base_ring *r, size_t cap)
{
	*r = (struct base_ring){ .buf = malloc(cap ? cap : 1), .cap = cap };
	return r->buf ? 0 : -ERR_NOMEM;
}

void base_ring_free(struct base_ring *r)
{
	free(r->buf);
	*r = (struct base_ring){ 0 };
}

void base_ring_put(struct base_ring *r, const void *buf, size_t n)
{
	const char *p = buf;
	if (n >= r->cap) { /* only the newest cap bytes can stay */
		p += n - r->cap;
		n = r->cap;
	}
	while (n) {
		size_t k = r->cap - r->head < n ? r->cap - r->head : n;
		memcpy(r->buf + r->head, p, k);
		r->head = (r->head + k) % r->cap;
		r->len = r->len + k > r->cap ? r->cap : r->len + k;
		p += k;
		n -= k;
	}
}

size_t base_ring_latest(const struct base_ring *r, char *out, size_t cap)
{
	size_t n = r->len < cap ? r->len : cap;
	size_t start = (r->head + r->cap - n) % r->cap;
	size_t first = n < r->cap - start ? n : r->cap - start;
	memcpy(out, r->buf + start, first);
	memcpy(out + first, r->buf, n - first);
	return n;
}
