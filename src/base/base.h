/* base.h - small things every cairn module uses: branch hints, little-endian
 * access to guest bytes, error codes and the one list of their messages. */
#ifndef CAIRN_BASE_H
#define CAIRN_BASE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define MUST_CHECK  __attribute__((warn_unused_result))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Guest memory is little-endian; never cast a guest pointer of unknown
 * alignment.  memcpy compiles to one move on hosts that allow it. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LE(bits) \
	static inline uint##bits##_t ld_le##bits(const void *p) { uint##bits##_t v; memcpy(&v, p, sizeof v); return v; } \
	static inline void st_le##bits(void *p, uint##bits##_t v) { memcpy(p, &v, sizeof v); }
#else
#define LE(bits) \
	static inline uint##bits##_t ld_le##bits(const void *p) { uint##bits##_t v; memcpy(&v, p, sizeof v); return __builtin_bswap##bits(v); } \
	static inline void st_le##bits(void *p, uint##bits##_t v) { v = __builtin_bswap##bits(v); memcpy(p, &v, sizeof v); }
#endif
LE(16) LE(32) LE(64)
#undef LE
static inline uint8_t ld_le8(const void *p) { return *(const uint8_t *)p; }
static inline void st_le8(void *p, uint8_t v) { *(uint8_t *)p = v; }

/* Error codes: host-side functions return 0 or -ERR_x. */
#define CAIRN_ERRORS(X) \
	X(OK, "success") \
	X(NOMEM, "out of memory") \
	X(IO, "input/output error") \
	X(NOENT, "no such file") \
	X(INVAL, "invalid argument") \
	X(FORMAT, "malformed file") \
	X(RANGE, "does not fit in guest memory") \
	X(UNSUPP, "not supported") \
	X(STATE, "not possible in the current state")
enum cairn_err {
#define X(name, msg) ERR_##name,
	CAIRN_ERRORS(X)
#undef X
};
const char *cairn_strerror(int err);

/* Time: CLOCK_MONOTONIC and CLOCK_REALTIME in nanoseconds. */
uint64_t base_now_ns(void);
uint64_t base_wall_ns(void);
/* Threads: a condition variable whose timed waits use CLOCK_MONOTONIC
 * (immune to wall-clock steps), and a wait until a monotonic time. */
int base_cond_init(pthread_cond_t *cv);
int base_cond_wait_until(pthread_cond_t *cv, pthread_mutex_t *mu, uint64_t when_ns);

/* An error as a value: its code and one-line message, for callers that
 * report it elsewhere (the CLI prints it, a control socket sends it).
 * cairn_errorf fills it (e may be NULL: then the message is printed). */
typedef struct cairn_errbuf {
	int code;               /* ERR_x, 0 when nothing failed */
	char msg[256];
} cairn_errbuf;
void cairn_errorf(cairn_errbuf *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A whole file in a malloc'd buffer (NUL-terminated), or NULL with errno. */
char *base_read_file(const char *path, size_t *len);

/* The latest bytes of a stream (a console's output, for whoever attaches
 * later): a fixed ring that keeps the newest cap bytes.  Callers lock. */
struct base_ring {
	char *buf;
	size_t cap, len, head;  /* len bytes held; head: where the next goes */
};
int base_ring_init(struct base_ring *r, size_t cap) MUST_CHECK;
void base_ring_free(struct base_ring *r);
void base_ring_put(struct base_ring *r, const void *buf, size_t n);
/* The newest min(len, cap) bytes, oldest first, into out; their count. */
size_t base_ring_latest(const struct base_ring *r, char *out, size_t cap);

/* Diagnostics go to stderr prefixed with "cairn: ". */
void cairn_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cairn_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
