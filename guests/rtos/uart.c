/* uart.c - console output on the board's 16550 UART by polling (no
 * interrupts: the only interrupt this kernel takes is the one it measures),
 * a printf small enough to read, and the test-finisher exit. */
#include <stdarg.h>

#include "rtos.h"

#define UART_THR 0      /* transmit holding register */
#define UART_LSR 5      /* line status */
#define LSR_THRE 0x20   /* THR empty: room for a byte */

static void kputc(char c)
{
	volatile uint8_t *u = (volatile uint8_t *)UART0;
	while (!(u[UART_LSR] & LSR_THRE))
		;
	u[UART_THR] = (uint8_t)c;
}

void kputs(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			kputc('\r');    /* -nographic passes bytes to a raw terminal */
		kputc(*s);
	}
}

static void kputu(uint64_t v, unsigned base)
{
	char b[21];
	int n = 0;
	do
		b[n++] = "0123456789abcdef"[v % base];
	while (v /= base);
	while (n)
		kputc(b[--n]);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			char one[2] = { *p, 0 };
			kputs(one);
		} else if (p[1] == 's') {
			kputs(va_arg(ap, const char *));
			p++;
		} else if (p[1] == 'l' && (p[2] == 'u' || p[2] == 'x')) {
			kputu(va_arg(ap, unsigned long), p[2] == 'u' ? 10 : 16);
			p += 2;
		} else if (p[1] == '%') {
			kputc('%');
			p++;
		}
	}
	va_end(ap);
}

void board_exit(unsigned code)
{
	volatile uint32_t *fin = (volatile uint32_t *)TEST_FINISHER;
	*fin = code ? code << 16 | 0x3333 : 0x5555;
	for (;;)    /* no finisher on this board: stay quiet */
		__asm__ volatile("wfi");
}
