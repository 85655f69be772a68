/* pause.c - a guest that spins on the Zihintpause `pause` hint, counting
 * iterations; every 10 ms of mtime it prints "pause t=MTIME n=COUNT".
 * Alone, a pause is a plain instruction; with another unit waiting for the
 * worker it ends the hart's slice (sched's YIELD), so two of these on one
 * worker switch between VMs at every iteration: bench/hv.sh takes the cost
 * of a switch from the rate. */
#include "test.h"

#define REG64(a) (*(volatile uint64_t *)(uintptr_t)(a))

int main(void)
{
	uint64_t n = 0, next = REG64(CLINT_MTIME);
	for (;;) {
		for (int k = 0; k < 16; k++)
			__asm__ volatile(".word 0x0100000f"); /* pause (fence w,0) */
		n += 16;
		uint64_t now = REG64(CLINT_MTIME);
		if (now >= next) {
			printf_("pause t=%u n=%u\n", now, n);
			next = now + 100000;
		}
	}
}
