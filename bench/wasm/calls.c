/* calls.c - calls and recursion: recursive fib, Takeuchi's tak, Ackermann and
 * calls through a function-pointer table (call_indirect).  Stresses frame
 * setup, argument passing and returns. */
#include "bench.h"

#define WANT 0x0000947e045f3d3aull /* the checksum every correct build prints */

#ifndef FIB
#define FIB 34
#endif

__attribute__((noinline)) static uint32_t fib(uint32_t n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

__attribute__((noinline)) static int tak(int x, int y, int z)
{
	return y < x ? tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y)) : z;
}

__attribute__((noinline)) static uint32_t ack(uint32_t m, uint32_t n)
{
	while (m) {
		n = n ? ack(m, n - 1) : 1;
		m--;
	}
	return n + 1;
}

typedef uint32_t (*op_fn)(uint32_t, uint32_t);
__attribute__((noinline)) static uint32_t op_add(uint32_t a, uint32_t b) { return a + b; }
__attribute__((noinline)) static uint32_t op_xor(uint32_t a, uint32_t b) { return a ^ (b << 1); }
__attribute__((noinline)) static uint32_t op_mul(uint32_t a, uint32_t b) { return a * (b | 1); }
__attribute__((noinline)) static uint32_t op_rot(uint32_t a, uint32_t b) { return (a << 7 | a >> 25) + b; }
static op_fn volatile ops[4] = { op_add, op_xor, op_mul, op_rot };

int main(void)
{
	uint64_t sum = fib(FIB);
	sum = sum * 31 + (uint32_t)tak(18, 12, 6);
	sum = sum * 31 + (uint32_t)tak(22, 14, 7);
	sum = sum * 31 + ack(2, 500);
	sum = sum * 31 + ack(3, 7);
	uint32_t acc = 1;
	for (uint32_t i = 0; i < 20000000; i++)
		acc = ops[(acc ^ i) & 3](acc, i);
	sum = sum * 31 + acc;
	return report("calls", sum, WANT);
}
