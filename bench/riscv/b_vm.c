/* b_vm.c - paging benchmark: M-mode builds Sv39 tables (a 1 GiB identity gigapage for
 * code/stack, 4 MiB of data as scattered 4 KiB pages) and mret's to S-mode, which runs a
 * hash-table workload over the paged data with periodic sfence.vma; measures the MMU path. */
#include "bench.h"

#define PAGES 1024			/* 4 MiB of data */
#define DATA_VA 0x100000000ull		/* 4 GiB: root index 4 */
#define SLOTS (PAGES * 4096 / 16)
#define ROUNDS 60

static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l0[PAGES / 512][512] __attribute__((aligned(4096)));
static uint8_t frames[PAGES][4096] __attribute__((aligned(4096)));

#define PTE(pa, flags) ((((uint64_t)(uintptr_t)(pa)) >> 12 << 10) | (flags))
#define LEAF (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)

struct slot { uint64_t key, val; };

static uint64_t s_work(void)
{
	struct slot *t = (struct slot *)DATA_VA;
	uint64_t sum = 0, x = 88172645463325252ull;
	for (int r = 0; r < ROUNDS; r++) {
		for (uint32_t i = 0; i < SLOTS; i++)
			t[i].key = 0;
		for (uint32_t n = 0; n < SLOTS / 2; n++) {	/* insert, linear probing */
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			uint64_t k = x | 1;
			uint32_t h = (uint32_t)(k * 0x9e3779b97f4a7c15ull >> 40) % SLOTS;
			while (t[h].key && t[h].key != k)
				h = (h + 1) % SLOTS;
			t[h].key = k;
			t[h].val = n;
			if ((n & 4095) == 0)
				__asm__ volatile("sfence.vma" ::: "memory");
		}
		for (uint32_t i = 0; i < SLOTS; i += 7)
			sum += t[i].key ? t[i].val ^ (t[i].key >> 32) : i;
	}
	return sum;
}

int main(void)
{
	root[2] = PTE(0x80000000u, LEAF | PTE_X | PTE_G);	/* identity gigapage */
	root[4] = PTE(l1, PTE_V);
	for (int i = 0; i < PAGES / 512; i++)
		l1[i] = PTE(l0[i], PTE_V);
	for (uint32_t i = 0; i < PAGES; i++)		/* scatter: virtual page i -> frame i*389 mod PAGES */
		l0[i / 512][i % 512] = PTE(frames[(i * 389) % PAGES], LEAF);
	csr_write(satp, (8ull << 60) | ((uintptr_t)root >> 12));
	__asm__ volatile("sfence.vma" ::: "memory");

	uint64_t t0 = instret_now(), sum;
	/* Enter S-mode right here (MPP=S, mepc=1f), work, then come back with the crt0 ecall. */
	__asm__ volatile("la t0, 1f; csrw mepc, t0; li t0, 0x1800; csrc mstatus, t0;"
			 "li t0, 0x800; csrs mstatus, t0; mret; 1:" ::: "t0", "memory");
	sum = s_work();
	__asm__ volatile("li a7, %0; ecall" :: "i"(GOTO_M_MAGIC) : "a7", "memory");
	csr_write(satp, 0);
	report(instret_now() - t0, sum, 0x0008935a67d1751bull);
}
