/* fuzz_riscv_exec.c - libFuzzer target: random bytes become a hart's code,
 * registers and CSR-relevant state; the hart runs a bounded number of
 * instructions.  Any host crash or sanitizer report is a bug. */
#include <stdio.h>
#include <stdlib.h>

#include "machine/machine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct machine *m;

static void setup(void)
{
	struct machine_config cfg = { .ram_size = 1ull << 20, .smp = 1 };
	if (machine_create(&m, &cfg))
		abort();
	m->console = fopen("/dev/null", "w");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!m)
		setup();
	rv_hart *h = &m->vcpu[0]->hart;
	uint8_t *ram = mem_map_write(m->mem, VIRT_DRAM_BASE, 1 << 16);
	memset(ram, 0, 1 << 16);
	/* The first 256 bytes seed registers; the rest is code at RAM base. */
	size_t nregs = size < 256 ? size : 256;
	rv_hart_reset(h, VIRT_DRAM_BASE);
	memcpy(h->x + 1, data, nregs < 31 * 8 ? nregs : 31 * 8);
	h->x[32] = 0;
	if (size > 256)
		memcpy(ram, data + 256, size - 256 < (1 << 16) ? size - 256 : (1 << 16));
	/* Start in a mode picked by the input, with paging sometimes on. */
	if (size > 0) {
		h->priv = data[0] & 1 ? RV_PRIV_S : RV_PRIV_M;
		if (data[0] & 2)
			h->satp = (8ull << 60) | ((VIRT_DRAM_BASE + 0x8000) >> 12);
		h->mstatus |= (uint64_t)(data[0] >> 2 & 3) << 13; /* FS */
		h->pmpcfg[0] = 0x1f;
		h->pmpaddr[0] = ~0ull >> 10;
		rv_pmp_changed(h);
		h->mtvec = VIRT_DRAM_BASE + 0x100;
		h->stvec = VIRT_DRAM_BASE + 0x200;
	}
	m->halted = 0;
	for (int k = 0; k < 4; k++)
		if (rv_run(h, 2000) != RV_EXIT_BUDGET)
			break;
	return 0;
}
