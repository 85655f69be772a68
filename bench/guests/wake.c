/* wake.c - wake-up latency of a parked hart, measured by the guest itself:
 * COUNT times, arm mtimecmp PERIOD ticks ahead (plus a little jitter), WFI
 * with the timer enabled in mie (mstatus.MIE off: WFI resumes, no trap),
 * and record how late mtime is when the hart runs again.  Prints
 * "wake n=N min=.. p50=.. p99=.. max=.. ns" (mtime is 10 MHz: 100 ns steps)
 * and exits 0. */
#include "test.h"

#define REG64(a) (*(volatile uint64_t *)(uintptr_t)(a))
#define COUNT 2000
#define PERIOD 10000 /* 1 ms */
#define MIP_MTIP (1 << 7)

static uint32_t late[COUNT];

static void sort(uint32_t *a, int n) /* shell sort: no libc here */
{
	for (int gap = n / 2; gap > 0; gap /= 2)
		for (int i = gap; i < n; i++)
			for (int j = i; j >= gap && a[j - gap] > a[j]; j -= gap) {
				uint32_t t = a[j];
				a[j] = a[j - gap];
				a[j - gap] = t;
			}
}

int main(void)
{
	uint32_t seed = 12345;
	csr_clear(mstatus, MSTATUS_MIE);
	csr_write(mie, MIP_MTIP);
	for (int k = 0; k < COUNT; k++) {
		seed = seed * 1103515245 + 12345;
		uint64_t target = REG64(CLINT_MTIME) + PERIOD + (seed >> 16) % 500;
		REG64(CLINT_MTIMECMP) = target;
		while (!(csr_read(mip) & MIP_MTIP))
			__asm__ volatile("wfi");
		uint64_t now = REG64(CLINT_MTIME);
		late[k] = (uint32_t)(now - target);
	}
	REG64(CLINT_MTIMECMP) = ~0ull;
	sort(late, COUNT);
	printf_("wake n=%u min=%u p50=%u p99=%u max=%u ns\n", (uint64_t)COUNT, late[0] * 100ull,
		late[COUNT / 2] * 100ull, late[COUNT * 99 / 100] * 100ull, late[COUNT - 1] * 100ull);
	exit(0);
}
