/* work.c - the compute guest of bench/hv.sh: a fixed unit of integer work
 * (a hash mixed over a 512-byte buffer, no memory beyond a few KiB) looped
 * forever; every 100 ms of mtime it prints "work t=MTIME u=UNITS i=INSTRET".
 * The runner reads two lines a known distance apart: units per second is
 * what it compares (QEMU's minstret counts host ticks without -icount, so
 * instructions per unit come from cairn's exact minstret). */
#include "test.h"

#define REG64(a) (*(volatile uint64_t *)(uintptr_t)(a))
#define TICKS_PER_REPORT 1000000 /* 100 ms of the 10 MHz mtime */

static uint8_t buf[512];

/* One unit: about 2,600 instructions whatever the emulator. */
static uint64_t unit(uint64_t h)
{
	for (int k = 0; k < (int)sizeof buf; k += 2) {
		h ^= buf[k] | (uint64_t)buf[k + 1] << 8;
		h *= 0x100000001b3ull;
		h ^= h >> 29;
	}
	buf[h & (sizeof buf - 1)] ^= (uint8_t)h;
	return h;
}

int main(void)
{
	for (int k = 0; k < (int)sizeof buf; k++)
		buf[k] = (uint8_t)(k * 7 + 3);
	uint64_t h = 0xcbf29ce484222325ull, units = 0;
	uint64_t next = REG64(CLINT_MTIME);
	for (;;) {
		for (int k = 0; k < 64; k++)
			h = unit(h);
		units += 64;
		uint64_t now = REG64(CLINT_MTIME);
		if (now >= next) {
			printf_("work t=%u u=%u i=%u h=%x\n", now, units, rdinstret(), h & 0xff);
			next = now + TICKS_PER_REPORT;
		}
	}
}
