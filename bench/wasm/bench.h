/* bench.h - shared bits of the wasm benchmarks: the result line and its check.
 * Each program is plain C built twice (clang-19 --target=wasm32-wasi, gcc -O2
 * natively); it prints "checksum: X" and exits 1 when X is not the known value. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int report(const char *name, uint64_t sum, uint64_t want)
{
	printf("%s checksum: 0x%016llx\n", name, (unsigned long long)sum);
	if (sum != want) {
		printf("FAIL: %s checksum, want 0x%016llx\n", name, (unsigned long long)want);
		fflush(stdout);
		return 1;
	}
	fflush(stdout);
	return 0;
}

/* xorshift64*: the same pseudo-random stream in every build */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static inline uint64_t rnd64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}
static inline uint32_t rnd32(void) { return (uint32_t)(rnd64() >> 32); }
