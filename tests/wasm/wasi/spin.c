/* spin.c - CPU-bound work for the scheduler tests: `spin ROUNDS N [EXIT
 * [NAP_MS]]` runs ROUNDS rounds of N iterations of a hash chain (every
 * iteration feeds the next, so lost or repeated work changes the result),
 * prints each round's value, naps NAP_MS between rounds (a sleep through
 * poll_oneoff), and exits with EXIT. */
#include "check.h"

#include <stdint.h>
#include <time.h>

int main(int argc, char **argv)
{
	CHECK(argc >= 3);
	long rounds = atol(argv[1]), n = atol(argv[2]);
	int code = argc > 3 ? atoi(argv[3]) : 0;
	long nap = argc > 4 ? atol(argv[4]) : 0;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (long r = 0; r < rounds; r++) {
		for (long i = 0; i < n; i++) {
			x ^= x >> 29;
			x = x * 0xbf58476d1ce4e5b9ull + (uint64_t)i;
		}
		printf("spin round %ld: %016llx\n", r + 1, (unsigned long long)x);
		fflush(stdout);
		if (nap) {
			struct timespec d = { nap / 1000, (nap % 1000) * 1000000 };
			CHECK(nanosleep(&d, NULL) == 0);
		}
	}
	printf("spin: done\n");
	return code;
}
