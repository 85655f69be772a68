/* demo.c - cairn's bare-metal demo guest: prints through the NS16550A UART
 * at 0x10000000 like any QEMU virt program, draws a Mandelbrot set with the
 * FPU, reports the hart's counters, and powers off. */
#include <stdint.h>

#define UART ((volatile uint8_t *)0x10000000)

static void putc_(char c)
{
	while (!(UART[5] & 0x20))
		;
	UART[0] = (uint8_t)c;
}

static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void putu(uint64_t v)
{
	char b[24];
	int n = 0;
	do
		b[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		putc_(b[--n]);
}

static uint64_t csr_instret(void) { uint64_t v; __asm__ volatile("csrr %0, minstret" : "=r"(v)); return v; }
static uint64_t csr_time(void) { return *(volatile uint64_t *)0x200bff8; } /* CLINT mtime, 10 MHz */

int main(void)
{
	static const char shade[] = " .:-=+*#%@";
	uint64_t i0 = csr_instret(), t0 = csr_time();
	puts_("\r\ncairn bare-metal demo: RV64GC hart on the virt board\r\n\r\n");
	for (int y = 0; y < 24; y++) {
		for (int x = 0; x < 72; x++) {
			double cr = -2.2 + x * 3.2 / 72, ci = -1.2 + y * 2.4 / 24, zr = 0, zi = 0;
			int k = 0;
			while (k < 200 && zr * zr + zi * zi < 4) {
				double t = zr * zr - zi * zi + cr;
				zi = 2 * zr * zi + ci;
				zr = t;
				k++;
			}
			putc_(shade[k >= 200 ? 9 : k % 9]);
		}
		puts_("\r\n");
	}
	uint64_t n = csr_instret() - i0, us = (csr_time() - t0) / 10;
	puts_("\r\n");
	putu(n);
	puts_(" instructions in ");
	putu(us);
	puts_(" us; powering off.\r\n");
	return 0;
}
