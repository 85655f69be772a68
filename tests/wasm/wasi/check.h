/* check.h - self-checking WASI test programs: CHECK prints the failed
 * condition with errno and exits 1; the test scripts look for "ok" lines. */
#ifndef WASI_TEST_CHECK_H
#define WASI_TEST_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c) do { \
		if (!(c)) { \
			printf("FAIL %s:%d: %s (errno %d: %s)\n", __FILE__, __LINE__, #c, errno, strerror(errno)); \
			fflush(stdout); \
			exit(1); \
		} \
	} while (0)

/* A call that must fail with errno e. */
#define FAILS(call, e) do { \
		errno = 0; \
		long r_ = (long)(call); \
		if (r_ >= 0 || errno != (e)) { \
			printf("FAIL %s:%d: %s gave %ld, errno %d (%s), expected errno %d\n", __FILE__, __LINE__, \
			       #call, r_, errno, strerror(errno), (e)); \
			fflush(stdout); \
			exit(1); \
		} \
	} while (0)

#endif
