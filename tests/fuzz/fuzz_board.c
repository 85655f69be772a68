/* fuzz_board.c - libFuzzer target for the board's MMIO devices: random
 * register reads and writes (any offset, size, value) to the PLIC, UART,
 * CLINT, RTC and test device, as a hostile guest would issue them.  Any
 * crash, hang or sanitizer report is a bug; halts and resets are fine. */
#include <stdio.h>
#include <stdlib.h>

#include "machine/machine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct machine *m;

static const uint64_t regions[][2] = {
	{ VIRT_PLIC_BASE, VIRT_PLIC_SIZE }, { VIRT_UART0_BASE, 0x100 }, { VIRT_CLINT_BASE, 0x10000 },
	{ VIRT_RTC_BASE, 0x1000 }, { VIRT_TEST_BASE, 0x1000 },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!m) {
		struct machine_config cfg = { .ram_size = 1ull << 20, .smp = 2 };
		if (machine_create(&m, &cfg))
			abort();
		m->console = fopen("/dev/null", "w");
	}
	/* Each 12-byte record: region, size, flags, offset (4), value (5). */
	for (size_t k = 0; k + 12 <= size; k += 12) {
		const uint8_t *r = data + k;
		const uint64_t *reg = regions[r[0] % ARRAY_SIZE(regions)];
		int sz = 1 << (r[1] & 3);
		uint64_t off = ld_le32(r + 3);
		/* Mostly in range, sometimes anywhere near the region. */
		off = (r[2] & 0x80) ? off % (reg[1] + 64) : off % reg[1];
		uint64_t val = ld_le32(r + 7) | (uint64_t)r[11] << 32, out;
		if (r[2] & 1)
			(void)!m->bus.mmio_write(m->bus.ctx, reg[0] + off, sz, val);
		else
			(void)!m->bus.mmio_read(m->bus.ctx, reg[0] + off, sz, &out);
		if (r[2] & 2) {
			struct irq_line l = machine_irq(m, (int)(val % (VIRT_NIRQ + 4)) - 2);
			irq_set(&l, val & 0x100);
		}
		if (r[2] & 4)
			(void)!uart_receive(m->uart, (uint8_t)val);
	}
	/* Whatever the input did, start the next one from a quiet board. */
	m->halted = 0;
	m->reset_requested = false;
	return 0;
}
