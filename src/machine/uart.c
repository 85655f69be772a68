/* uart.c - NS16550A UART: transmit to the console, a receive FIFO fed by the
 * console thread, and the interrupt logic Linux's 8250 driver relies on
 * (receive-data and THR-empty interrupts through the PLIC). */
#include "machine/machine.h"

#include "base/state.h"

#include <libfdt.h>
#include <stdlib.h>

#define FIFO 16

struct uart {
	struct machine *m;
	pthread_mutex_t mu;
	struct irq_line irq;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thr_ipending;      /* THR empty interrupt waiting to be seen in IIR */
	uint8_t rx[FIFO];
	int rx_head, rx_count;
	uint64_t base;
};

/* IIR value: the highest-priority pending interrupt, 1 when none. */
static uint8_t iir(struct uart *u)
{
	if ((u->ier & 1) && u->rx_count)
		return 0x04;
	if ((u->ier & 2) && u->thr_ipending)
		return 0x02;
	return 0x01;
}

static void update_irq(struct uart *u)
{
	irq_set(&u->irq, iir(u) != 0x01);
}

static uint8_t rx_pop(struct uart *u)
{
	if (!u->rx_count)
		return 0;
	uint8_t c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % FIFO;
	u->rx_count--;
	return c;
}

bool uart_receive(struct uart *u, uint8_t c)
{
	pthread_mutex_lock(&u->mu);
	bool ok = u->rx_count < FIFO;
	if (ok) {
		u->rx[(u->rx_head + u->rx_count) % FIFO] = c;
		u->rx_count++;
		update_irq(u);
	}
	pthread_mutex_unlock(&u->mu);
	return ok;
}

static uint64_t reg_read(struct uart *u, uint64_t off)
{
	bool dlab = u->lcr & 0x80;
	switch (off) {
	case 0: return dlab ? u->dll : rx_pop(u);
	case 1: return dlab ? u->dlm : u->ier;
	case 2: {
		uint8_t v = iir(u);
		if (v == 0x02)
			u->thr_ipending = false; /* reading IIR acknowledges THRE */
		return v | ((u->fcr & 1) ? 0xc0 : 0);
	}
	case 3: return u->lcr;
	case 4: return u->mcr;
	case 5: return 0x60 | (u->rx_count ? 1 : 0); /* THRE, TEMT, DR */
	case 6: return (u->mcr & 0x10) ? 0 : 0xb0;   /* DCD, DSR, CTS */
	case 7: return u->scr;
	}
	return 0;
}

static void reg_write(struct uart *u, uint64_t off, uint8_t b)
{
	bool dlab = u->lcr & 0x80;
	switch (off) {
	case 0:
		if (dlab) {
			u->dll = b;
			break;
		}
		fputc(b, u->m->console);
		u->m->console_dirty = true;
		u->thr_ipending = true; /* sent at once: THR is empty again */
		break;
	case 1:
		if (dlab) {
			u->dlm = b;
			break;
		}
		if ((b & 2) && !(u->ier & 2))
			u->thr_ipending = true; /* enabling THRE with THR empty */
		u->ier = b & 0x0f;
		break;
	case 2:
		u->fcr = b & 0xc9;
		if (b & 2)
			u->rx_head = u->rx_count = 0;
		break;
	case 3: u->lcr = b; break;
	case 4: u->mcr = b & 0x1f; break;
	case 7: u->scr = b; break;
	}
}

static int uart_read(void *opaque, uint64_t off, int size, uint64_t *val)
{
	struct uart *u = opaque;
	pthread_mutex_lock(&u->mu);
	*val = reg_read(u, off);
	update_irq(u);
	pthread_mutex_unlock(&u->mu);
	return 0;
}

static int uart_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct uart *u = opaque;
	pthread_mutex_lock(&u->mu);
	reg_write(u, off, (uint8_t)val);
	update_irq(u);
	pthread_mutex_unlock(&u->mu);
	return 0;
}

static int uart_fdt(void *opaque, struct machine *m, void *fdt, int soc)
{
	struct uart *u = opaque;
	int n = fdt_dev_node(m, fdt, soc, "serial", u->base, 0x100, u->irq.n);
	if (n < 0)
		return n;
	int err = fdt_setprop_u32(fdt, n, "clock-frequency", 0x384000);
	err |= fdt_setprop_string(fdt, n, "compatible", "ns16550a");
	return err ? -1 : 0;
}

static void uart_reset(void *opaque)
{
	struct uart *u = opaque;
	pthread_mutex_lock(&u->mu);
	u->ier = u->lcr = u->mcr = u->scr = u->dll = u->dlm = u->fcr = 0;
	u->thr_ipending = false;
	update_irq(u);
	pthread_mutex_unlock(&u->mu);
}

static void uart_destroy(void *opaque)
{
	struct uart *u = opaque;
	pthread_mutex_destroy(&u->mu);
	free(u);
}

static void uart_save(void *opaque, struct state_buf *s)
{
	struct uart *u = opaque;
	pthread_mutex_lock(&u->mu);
	const uint8_t regs[] = { u->ier, u->lcr, u->mcr, u->scr, u->dll, u->dlm, u->fcr, u->thr_ipending };
	state_put_bytes(s, regs, sizeof regs);
	state_put_u32(s, (uint32_t)u->rx_count);
	for (int k = 0; k < u->rx_count; k++)
		state_put_u8(s, u->rx[(u->rx_head + k) % FIFO]);
	pthread_mutex_unlock(&u->mu);
}

static int uart_restore(void *opaque, struct state_buf *s)
{
	struct uart *u = opaque;
	uint8_t regs[8], rx[FIFO];
	state_get_bytes(s, regs, sizeof regs);
	uint32_t n = state_get_below(s, FIFO + 1);
	state_get_bytes(s, rx, n);
	if (state_done(s))
		return -ERR_FORMAT;
	pthread_mutex_lock(&u->mu);
	u->ier = regs[0] & 0x0f;
	u->lcr = regs[1];
	u->mcr = regs[2];
	u->scr = regs[3];
	u->dll = regs[4];
	u->dlm = regs[5];
	u->fcr = regs[6];
	u->thr_ipending = regs[7] != 0;
	memcpy(u->rx, rx, n);
	u->rx_head = 0;
	u->rx_count = (int)n;
	update_irq(u);
	pthread_mutex_unlock(&u->mu);
	return 0;
}

static const struct dev_ops uart_ops = {
	.name = "ns16550a", .read = uart_read, .write = uart_write, .fdt = uart_fdt,
	.reset = uart_reset, .destroy = uart_destroy, .save = uart_save, .restore = uart_restore,
};

int uart_create(struct machine *m, uint64_t base, struct irq_line irq, struct uart **out)
{
	struct uart *u = calloc(1, sizeof *u);
	if (!u)
		return -ERR_NOMEM;
	u->m = m;
	u->irq = irq;
	u->base = base;
	pthread_mutex_init(&u->mu, NULL);
	*out = u;
	return machine_add_dev(m, base, 0x100, &uart_ops, u);
}
