/* devices.c - the small fixed devices of the virt board: NS16550A UART,
 * CLINT (mtime, mtimecmp, msip) and the SiFive test finisher. */
#include "machine/machine.h"

#include <stdlib.h>
#include <unistd.h>

/* ---- NS16550A UART (output; input arrives with the console work) ---- */

struct uart {
	struct machine *m;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
};

static int uart_read(void *opaque, uint64_t off, int size, uint64_t *val)
{
	struct uart *u = opaque;
	bool dlab = u->lcr & 0x80;
	switch (off) {
	case 0: *val = dlab ? u->dll : 0; break;          /* RBR: nothing received */
	case 1: *val = dlab ? u->dlm : u->ier; break;
	case 2: *val = 0xc1; break;                        /* IIR: FIFOs on, no interrupt */
	case 3: *val = u->lcr; break;
	case 4: *val = u->mcr; break;
	case 5: *val = 0x60; break;                        /* LSR: THR and TX empty */
	case 6: *val = 0xb0; break;                        /* MSR: DCD, DSR, CTS */
	case 7: *val = u->scr; break;
	default: *val = 0;
	}
	return 0;
}

static int uart_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct uart *u = opaque;
	bool dlab = u->lcr & 0x80;
	uint8_t b = (uint8_t)val;
	switch (off) {
	case 0:
		if (dlab) {
			u->dll = b;
		} else {
			fputc(b, u->m->console);
			if (b == '\n')
				fflush(u->m->console);
		}
		break;
	case 1: if (dlab) u->dlm = b; else u->ier = b & 0x0f; break;
	case 2: u->fcr = b; break;
	case 3: u->lcr = b; break;
	case 4: u->mcr = b & 0x1f; break;
	case 7: u->scr = b; break;
	}
	return 0;
}

static const struct dev_ops uart_ops = { .name = "ns16550a", .read = uart_read, .write = uart_write };

int uart_create(struct machine *m, uint64_t base)
{
	struct uart *u = calloc(1, sizeof *u);
	if (!u)
		return -ERR_NOMEM;
	u->m = m;
	return machine_add_dev(m, base, 0x100, &uart_ops, u);
}

/* ---- CLINT: msip at 0, mtimecmp at 0x4000, mtime at 0xbff8 ---- */

static int clint_read(void *opaque, uint64_t off, int size, uint64_t *val)
{
	struct machine *m = opaque;
	uint64_t v = 0, shift = (off & 7) * 8;
	if (off < 0x4000) {
		int hart = (int)(off / 4);
		if (hart < m->nharts && !(off & 3))
			v = m->vcpu[hart]->hart.msip;
		*val = v;
		return 0;
	}
	if (off >= 0x4000 && off < 0x4000 + 8u * (uint64_t)m->nharts)
		v = m->vcpu[(off - 0x4000) / 8]->hart.mtimecmp;
	else if (off >= 0xbff8 && off < 0xc000)
		v = machine_time(m);
	*val = size == 8 ? v : (v >> shift) & ((1ull << (size * 8)) - 1);
	return 0;
}

static int clint_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct machine *m = opaque;
	if (off < 0x4000) {
		int hart = (int)(off / 4);
		if (hart < m->nharts && !(off & 3)) {
			__atomic_store_n(&m->vcpu[hart]->hart.msip, (uint32_t)(val & 1), __ATOMIC_RELEASE);
			machine_wake(m, hart);
		}
		return 0;
	}
	if (off >= 0x4000 && off < 0x4000 + 8u * (uint64_t)m->nharts) {
		int hart = (int)((off - 0x4000) / 8);
		uint64_t *p = &m->vcpu[hart]->hart.mtimecmp, old = *p, shift = (off & 7) * 8;
		uint64_t mask = size == 8 ? ~0ull : ((1ull << (size * 8)) - 1) << shift;
		__atomic_store_n(p, (old & ~mask) | ((val << shift) & mask), __ATOMIC_RELEASE);
		machine_wake(m, hart);
	}
	/* mtime is read-only here: the host clock drives it. */
	return 0;
}

static const struct dev_ops clint_ops = { .name = "clint", .read = clint_read, .write = clint_write };

int clint_create(struct machine *m, uint64_t base)
{
	return machine_add_dev(m, base, 0x10000, &clint_ops, m);
}

/* ---- SiFive test finisher: 0x5555 pass, (code << 16) | 0x3333 fail ---- */

static int test_read(void *opaque, uint64_t off, int size, uint64_t *val)
{
	*val = 0;
	return 0;
}

static int test_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct machine *m = opaque;
	if (off != 0)
		return 0;
	switch (val & 0xffff) {
	case 0x5555: machine_halt(m, 0); break;
	case 0x3333: machine_halt(m, (int)((val >> 16) & 0xffff)); break;
	case 0x7777: machine_reset(m); break;
	}
	return 0;
}

static const struct dev_ops test_ops = { .name = "sifive,test0", .read = test_read, .write = test_write };

int sifive_test_create(struct machine *m, uint64_t base)
{
	return machine_add_dev(m, base, 0x1000, &test_ops, m);
}

/* ---- HTIF: tohost/fromhost words in RAM, found through ELF symbols ---- */

static uint64_t ram_ld64(struct machine *m, uint64_t pa)
{
	if (pa < VIRT_DRAM_BASE || pa - VIRT_DRAM_BASE > m->cfg.ram_size - 8)
		return 0;
	return ld_le64(m->ram + (pa - VIRT_DRAM_BASE));
}

static void ram_st64(struct machine *m, uint64_t pa, uint64_t v)
{
	if (pa >= VIRT_DRAM_BASE && pa - VIRT_DRAM_BASE <= m->cfg.ram_size - 8)
		st_le64(m->ram + (pa - VIRT_DRAM_BASE), v);
}

/* riscv-tests' syscall proxy: magic_mem[0] = number, [1..3] = args. */
static void htif_syscall(struct machine *m, uint64_t pa)
{
	uint64_t num = ram_ld64(m, pa), fd = ram_ld64(m, pa + 8);
	uint64_t buf = ram_ld64(m, pa + 16), len = ram_ld64(m, pa + 24), ret = (uint64_t)-38;
	if (num == 64 && (fd == 1 || fd == 2) && buf >= VIRT_DRAM_BASE &&
	    buf - VIRT_DRAM_BASE < m->cfg.ram_size && len <= m->cfg.ram_size - (buf - VIRT_DRAM_BASE)) {
		fwrite(m->ram + (buf - VIRT_DRAM_BASE), 1, len, m->console);
		fflush(m->console);
		ret = len;
	}
	ram_st64(m, pa, ret);
}

void htif_store_hook(struct machine *m, uint64_t pa, int size)
{
	if (!m->tohost || pa + (uint64_t)size <= m->tohost || pa >= m->tohost + 8)
		return;
	uint64_t v = ram_ld64(m, m->tohost);
	if (!v)
		return;
	unsigned dev = (unsigned)(v >> 56), cmd = (unsigned)(v >> 48) & 0xff;
	uint64_t payload = v & ((1ull << 48) - 1);
	if (dev == 0 && cmd == 0) {
		if (payload & 1) {
			machine_halt(m, (int)(payload >> 1));
			return;
		}
		htif_syscall(m, payload);
	} else if (dev == 1 && cmd == 1) {
		fputc((int)(payload & 0xff), m->console);
		fflush(m->console);
	}
	ram_st64(m, m->tohost, 0);
	if (m->fromhost)
		ram_st64(m, m->fromhost, (uint64_t)dev << 56 | (uint64_t)cmd << 48 | 1);
}
