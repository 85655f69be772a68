/* bench.h - shared bits of cairn's guest benchmarks: instret reading and the result line.
 * Each benchmark prints "instret: N" (minstret at exit: the whole program's count) and
 * "checksum: X"; a wrong checksum exits non-zero. Portable C so a host build can check it. */
#include <stdint.h>
#ifdef __riscv
#include "test.h"
static inline uint64_t instret_now(void) { return rdinstret(); }
/* n: instret of the measured part; the whole program's count (used for MIPS) is printed too */
__attribute__((noreturn)) static inline void report(uint64_t n, uint64_t sum, uint64_t want)
{
	printf_("instret: %u\nwork instret: %u\nchecksum: %x\n", instret_now(), n, sum);
	if (sum != want) {
		printf_("FAIL: checksum, want %x\n", want);
		exit(1);
	}
	exit(0);
}
#else
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static inline uint64_t instret_now(void) { return 0; }
__attribute__((noreturn)) static inline void report(uint64_t n, uint64_t sum, uint64_t want)
{
	printf("checksum: 0x%016llx (want 0x%016llx)\n", (unsigned long long)sum, (unsigned long long)want);
	exit(sum != want);
}
#endif
