/* b_mem.c - memory benchmark: memcpy/memset over 4 MiB buffers, a strided sweep and
 * dependent random reads/updates (pointer chasing) over 8 MiB.
 * Measures load/store throughput and the cost of guest memory access paths. */
#include "bench.h"

#define MIB (1u << 20)
#define ROUNDS 12
static uint64_t bufa[4 * MIB / 8], bufb[4 * MIB / 8];
static uint32_t chase[8 * MIB / 4];

static void copy64(uint64_t *d, const uint64_t *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i += 4) {
		d[i] = s[i]; d[i + 1] = s[i + 1]; d[i + 2] = s[i + 2]; d[i + 3] = s[i + 3];
	}
}

static void fill8(uint8_t *d, uint8_t v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		d[i] = v + (uint8_t)i;
}

int main(void)
{
	const uint32_t nw = 4 * MIB / 8, nc = 8 * MIB / 4;
	for (uint32_t i = 0; i < nw; i++)
		bufa[i] = i * 0x9e3779b97f4a7c15ull;
	/* one random cycle through chase[] (Sattolo's shuffle) */
	for (uint32_t i = 0; i < nc; i++)
		chase[i] = i;
	uint32_t r = 12345;
	for (uint32_t i = nc - 1; i > 0; i--) {
		r = r * 1664525u + 1013904223u;
		uint32_t j = r % i, t = chase[i];
		chase[i] = chase[j];
		chase[j] = t;
	}

	uint64_t t0 = instret_now(), sum = 0;
	for (int round = 0; round < ROUNDS; round++) {
		copy64(bufb, bufa, nw);
		fill8((uint8_t *)bufa + (round & 7) * 65536, (uint8_t)round, MIB);
		for (uint32_t i = 0; i < nw; i += 64)
			sum += bufb[i] ^ bufa[(i * 7) % nw];
		uint32_t p = (uint32_t)round;
		for (uint32_t k = 0; k < 400000; k++) {
			p = chase[p];
			chase[(p * 13) & (nc - 1)] ^= 0;	/* a store on a random line */
			sum += p;
		}
		sum = sum * 33 + bufa[round];
	}
	report(instret_now() - t0, sum, 0x246b638ca1fee771ull);
}
