/* lib.c - tiny freestanding runtime for cairn's guest tests and benchmarks.
 * UART output (NS16550A THR/LSR), exit through the SiFive test finisher,
 * and the few libc routines gcc may call (memcpy, memset, ...). */
#include "test.h"
#include <stdarg.h>

/* keep gcc from turning the copy loops below into calls to themselves */
#pragma GCC optimize("no-tree-loop-distribute-patterns")

#define REG8(a) (*(volatile uint8_t *)(uintptr_t)(a))
#define REG32(a) (*(volatile uint32_t *)(uintptr_t)(a))

void putch(int c)
{
	while (!(REG8(UART_BASE + 5) & 0x20))
		;
	REG8(UART_BASE) = (uint8_t)c;
}

void puts_(const char *s)
{
	while (*s)
		putch(*s++);
}

void puthex(uint64_t v)
{
	puts_("0x");
	for (int i = 60; i >= 0; i -= 4)
		putch("0123456789abcdef"[(v >> i) & 15]);
}

void putdec(int64_t v)
{
	char buf[24];
	int n = 0;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	if (v < 0)
		putch('-');
	do
		buf[n++] = '0' + u % 10;
	while ((u /= 10) != 0);
	while (n)
		putch(buf[--n]);
}

/* %d %u %x %s %c only; l modifiers accepted and ignored (everything is 64-bit). */
void printf_(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			putch(*fmt);
			continue;
		}
		while (*++fmt == 'l')
			;
		switch (*fmt) {
		case 'd': putdec(va_arg(ap, long)); break;
		case 'u': putdec((int64_t)va_arg(ap, unsigned long)); break;
		case 'x': puthex(va_arg(ap, unsigned long)); break;
		case 's': puts_(va_arg(ap, const char *)); break;
		case 'c': putch(va_arg(ap, int)); break;
		default: putch(*fmt); break;
		}
	}
	va_end(ap);
}

void exit(int code)
{
	uint32_t v = code == 0 ? 0x5555 : ((uint32_t)(code > 255 || code < 0 ? 255 : code) << 16) | 0x3333;
	for (;;)
		REG32(FINISHER_BASE) = v;
}

void test_pass(void)
{
	puts_("PASS\n");
	exit(0);
}

extern volatile uint64_t trap_cause, trap_tval, trap_epc, trap_count;

void test_fail(long n)
{
	csr_clear(mstatus, MSTATUS_MPRV);
	if (trap_count)	/* the last trap taken is often the clue */
		printf_("last trap: mcause=%x mepc=%x mtval=%x\n", trap_cause, trap_epc, trap_tval);
	printf_("FAIL %d\n", n);
	exit(n <= 0 || n > 255 ? 255 : (int)n);
}

void unexpected_trap(uint64_t cause, uint64_t epc, uint64_t tval, long testnum);
void unexpected_trap(uint64_t cause, uint64_t epc, uint64_t tval, long testnum)
{
	csr_clear(mstatus, MSTATUS_MPRV);
	printf_("unexpected trap: mcause=%x mepc=%x mtval=%x\n", cause, epc, tval);
	test_fail(testnum);
}

void unexpected_strap(uint64_t cause, uint64_t epc, uint64_t tval, long testnum);
void unexpected_strap(uint64_t cause, uint64_t epc, uint64_t tval, long testnum)
{
	printf_("unexpected S trap: scause=%x sepc=%x stval=%x\n", cause, epc, tval);
	printf_("FAIL %d\n", testnum);
	exit(testnum <= 0 || testnum > 255 ? 255 : (int)testnum);
}

/* Load (store=0) or store through MPRV as privilege prv; returns the trap cause or -1. */
long try_access(int prv, int store, uint64_t va, uint64_t *val)
{
	uint64_t before = trap_count, v = *val;
	__asm__ volatile(
		"la t0, 1f; la t1, trap_resume; sd t0, 0(t1)\n"
		"li t0, 0x1800; csrc mstatus, t0; slli t0, %[prv], 11; csrs mstatus, t0\n"
		"li t0, 0x20000; csrs mstatus, t0\n"
		"bnez %[st], 2f; ld %[v], 0(%[va]); j 1f\n"
		"2: sd %[v], 0(%[va])\n"
		"1: li t0, 0x20000; csrc mstatus, t0; la t1, trap_resume; sd zero, 0(t1)"
		: [v] "+r"(v) : [prv] "r"((uint64_t)prv), [st] "r"((uint64_t)store), [va] "r"(va)
		: "t0", "t1", "memory");
	*val = v;
	return trap_count != before ? (long)trap_cause : -1;
}


/* Jump to va in mode prv; the page holds ebreak. Returns the cause (3 = it ran). */
long try_exec(int prv, uint64_t va)
{
	uint64_t before = trap_count;
	__asm__ volatile(
		"la t0, 1f; ori t0, t0, 1; la t1, trap_resume; sd t0, 0(t1)\n"
		"li t0, 0x1800; csrc mstatus, t0; slli t0, %0, 11; csrs mstatus, t0\n"
		"csrw mepc, %1; mret\n"
		".balign 4\n1:"
		:: "r"((uint64_t)prv), "r"(va) : "t0", "t1", "memory");
	return trap_count != before ? (long)trap_cause : -1;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;
	if ((((uintptr_t)dp | (uintptr_t)sp | n) & 7) == 0) {
		for (; n; n -= 8, dp += 8, sp += 8)
			*(uint64_t *)dp = *(const uint64_t *)sp;
		return d;
	}
	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memset(void *d, int c, size_t n)
{
	unsigned char *dp = d;
	if ((((uintptr_t)dp | n) & 7) == 0) {
		uint64_t v = 0x0101010101010101ull * (unsigned char)c;
		for (; n; n -= 8, dp += 8)
			*(uint64_t *)dp = v;
		return d;
	}
	while (n--)
		*dp++ = (unsigned char)c;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

/* Non-fatal checks (t_spec.S): report each failing case, fail once at the end. */
static long soft_failures;

void soft_fail(long n, uint64_t got);
void soft_fail(long n, uint64_t got)
{
	printf_("FAIL %d (got %x; continuing)\n", n, got);
	soft_failures++;
}

void soft_done(void);
void soft_done(void)
{
	if (soft_failures) {
		printf_("%d spec check(s) failed\n", soft_failures);
		exit(soft_failures > 255 ? 255 : (int)soft_failures);
	}
	test_pass();
}
