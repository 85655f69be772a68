/* test_state.c - device state through save and restore (base/state.h,
 * machine_save_devices): the PLIC, UART and RTC come back exactly as they
 * were after a reset in between; every truncation of a saved stream and
 * random corruption are refused cleanly; a board with a device that cannot
 * be saved yet says so. */
#include <stdio.h>
#include <stdlib.h>

#include "base/state.h"
#include "machine/virtio.h"

static int failures;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static uint64_t rd(struct machine *m, uint64_t pa, int size)
{
	uint64_t v = 0;
	CHECK(m->bus.mmio_read(m->bus.ctx, pa, size, &v) == 0);
	return v;
}

static void wr(struct machine *m, uint64_t pa, int size, uint64_t v)
{
	CHECK(m->bus.mmio_write(m->bus.ctx, pa, size, v) == 0);
}

/* Registers whose values must survive. */
static const struct { uint64_t pa; int size; } regs[] = {
	{ VIRT_PLIC_BASE + 4 * 10, 4 }, { VIRT_PLIC_BASE + 4 * 11, 4 },       /* priorities */
	{ VIRT_PLIC_BASE + 0x2000, 4 }, { VIRT_PLIC_BASE + 0x2080, 4 },       /* enables, contexts 0, 1 */
	{ VIRT_PLIC_BASE + 0x200000, 4 }, { VIRT_PLIC_BASE + 0x201000, 4 },   /* thresholds */
	{ VIRT_PLIC_BASE + 0x1000, 4 },                                       /* pending */
	{ VIRT_UART0_BASE + 1, 1 }, { VIRT_UART0_BASE + 3, 1 }, { VIRT_UART0_BASE + 4, 1 },
	{ VIRT_UART0_BASE + 7, 1 }, { VIRT_UART0_BASE + 2, 1 },               /* IER, LCR, MCR, SCR, IIR */
	{ VIRT_RTC_BASE + 0x08, 4 }, { VIRT_RTC_BASE + 0x0c, 4 }, { VIRT_RTC_BASE + 0x10, 4 },
};

static void snapshot(struct machine *m, uint64_t *out)
{
	for (size_t k = 0; k < ARRAY_SIZE(regs); k++)
		out[k] = rd(m, regs[k].pa, regs[k].size);
}

static void reset_devices(struct machine *m)
{
	for (int k = 0; k < m->ndevs; k++)
		if (m->devs[k].ops->reset)
			m->devs[k].ops->reset(m->devs[k].opaque);
}

int main(void)
{
	struct machine *m;
	struct machine_config cfg = { .ram_size = 16ull << 20, .smp = 2 };
	CHECK(machine_create(&m, &cfg) == 0);
	/* Some state in every device. */
	wr(m, VIRT_PLIC_BASE + 4 * 10, 4, 5);
	wr(m, VIRT_PLIC_BASE + 4 * 11, 4, 3);
	wr(m, VIRT_PLIC_BASE + 0x2000, 4, 1u << 10);
	wr(m, VIRT_PLIC_BASE + 0x2080, 4, 1u << 11);
	wr(m, VIRT_PLIC_BASE + 0x200000, 4, 2);
	wr(m, VIRT_PLIC_BASE + 0x201000, 4, 1);
	wr(m, VIRT_UART0_BASE + 3, 1, 0x03);
	wr(m, VIRT_UART0_BASE + 4, 1, 0x0b);
	wr(m, VIRT_UART0_BASE + 7, 1, 0x5a);
	wr(m, VIRT_UART0_BASE + 1, 1, 0x01);
	for (const char *p = "hi!"; *p; p++)
		CHECK(uart_receive(m->uart, (uint8_t)*p));
	wr(m, VIRT_RTC_BASE + 0x0c, 4, 0x7fffffff);
	wr(m, VIRT_RTC_BASE + 0x08, 4, 1234);
	wr(m, VIRT_RTC_BASE + 0x10, 4, 1);
	uint64_t before[ARRAY_SIZE(regs)], after[ARRAY_SIZE(regs)];
	snapshot(m, before);
	CHECK(before[11] == 0x04 || (before[11] & 0x0f) == 0x04); /* RX data pending */

	struct state_buf s;
	state_writer(&s);
	CHECK(machine_save_devices(m, &s) == 0 && s.len > 0);
	reset_devices(m);
	snapshot(m, after);
	CHECK(memcmp(before, after, sizeof before) != 0); /* the reset changed something */
	struct state_buf r;
	state_reader(&r, s.p, s.len);
	CHECK(machine_restore_devices(m, &r) == 0);
	snapshot(m, after);
	CHECK(memcmp(before, after, sizeof before) == 0);
	/* The FIFO's bytes come back in order. */
	char got[4] = { 0 };
	for (int k = 0; k < 3; k++)
		got[k] = (char)rd(m, VIRT_UART0_BASE, 1);
	CHECK(!strcmp(got, "hi!"));

	/* Every truncation, and a longer stream, are refused. */
	int refused = 0;
	for (size_t n = 0; n < s.len; n++) {
		state_reader(&r, s.p, n);
		refused += machine_restore_devices(m, &r) == -ERR_FORMAT;
	}
	CHECK(refused == (int)s.len);
	uint8_t *longer = malloc(s.len + 1);
	memcpy(longer, s.p, s.len);
	longer[s.len] = 0;
	state_reader(&r, longer, s.len + 1);
	CHECK(machine_restore_devices(m, &r) == -ERR_FORMAT);
	/* Random corruption: an error or a state, never a crash (ASan). */
	srand(1);
	for (int k = 0; k < 2000; k++) {
		memcpy(longer, s.p, s.len);
		for (int f = 0; f < 4; f++)
			longer[(size_t)rand() % s.len] ^= (uint8_t)(1 + rand() % 255);
		state_reader(&r, longer, s.len);
		(void)!machine_restore_devices(m, &r);
	}
	free(longer);
	state_free(&s);
	machine_destroy(m);

	/* A virtio device cannot be saved yet: an error that names it. */
	CHECK(machine_create(&m, &cfg) == 0);
	CHECK(virtio_rng_create(m, VIRTIO_MMIO_BASE, 1) == 0);
	state_writer(&s);
	CHECK(machine_save_devices(m, &s) == -ERR_UNSUPP && strstr(m->err.msg, "virtio"));
	state_free(&s);
	machine_destroy(m);
	if (failures) {
		fprintf(stderr, "test_state: %d failures\n", failures);
		return 1;
	}
	printf("test_state: ok\n");
	return 0;
}
