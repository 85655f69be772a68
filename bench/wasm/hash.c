/* hash.c - integer hashing: FNV-1a, a murmur3-style 32-bit block hash, a
 * table-driven CRC-32 and a 64-bit mixing hash over a 64 KiB buffer, many
 * rounds.  Stresses i32/i64 ALU ops (mul, rotates, shifts, xor) and byte loads. */
#include "bench.h"

#define WANT 0x1d5d78dcd04880bdull /* the checksum every correct build prints */

#ifndef ROUNDS
#define ROUNDS 500
#endif
#define LEN 65536

static uint8_t buf[LEN];
static uint32_t crc_table[256];

static uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static uint32_t murmur(const uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t h = seed;
	for (size_t i = 0; i + 4 <= n; i += 4) {
		uint32_t k;
		memcpy(&k, p + i, 4);
		k *= 0xcc9e2d51u;
		k = rotl32(k, 15);
		k *= 0x1b873593u;
		h ^= k;
		h = rotl32(h, 13) * 5 + 0xe6546b64u;
	}
	h ^= (uint32_t)n;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

static uint32_t crc32(const uint8_t *p, size_t n, uint32_t crc)
{
	crc = ~crc;
	for (size_t i = 0; i < n; i++)
		crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint64_t mix64(const uint8_t *p, size_t n, uint64_t h)
{
	for (size_t i = 0; i + 8 <= n; i += 8) {
		uint64_t k;
		memcpy(&k, p + i, 8);
		h ^= k * 0x9e3779b97f4a7c15ull;
		h = (h << 31 | h >> 33) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 29;
	}
	return h;
}

int main(void)
{
	uint64_t sum = 0;
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
		crc_table[i] = c;
	}
	for (size_t i = 0; i < LEN; i++)
		buf[i] = (uint8_t)rnd32();
	for (int r = 0; r < ROUNDS; r++) {
		uint32_t a = fnv1a(buf, LEN);
		uint32_t b = murmur(buf, LEN, a);
		uint32_t c = crc32(buf, LEN, b);
		uint64_t d = mix64(buf, LEN, sum);
		sum = (sum ^ d) * 31 + a + ((uint64_t)b << 16) + c;
		buf[r * 97 % LEN] ^= (uint8_t)sum; /* each round hashes different data */
	}
	return report("hash", sum, WANT);
}
