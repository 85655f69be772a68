/* t_m.S - RV64M: every multiply/divide/remainder form incl. W variants, the high-half
 * multiplies with mixed signs, division by zero and the signed-overflow case
 * (no traps: quotient all ones / dividend, remainder dividend / zero). */
#include "test.h"
	.text
	.globl main
main:
	TEST_RR(1, mul, 0x0000000000001200, 0x80, 0x24)
	TEST_RR(2, mul, 0x8000000000000000, 0x4000000000000000, 2)
	TEST_RR(3, mul, 1, -1, -1)
	TEST_RR(4, mulh, 0xffffffffffffffff, -1, 1)
	TEST_RR(5, mulh, 0x4000000000000000, 0x8000000000000000, 0x8000000000000000)
	TEST_RR(6, mulhu, 0xfffffffffffffffe, -1, -1)
	TEST_RR(7, mulhu, 0, 1, -1)
	TEST_RR(8, mulhsu, 0xffffffffffffffff, -1, -1)	/* -1 * (2^64-1) */
	TEST_RR(9, mulhsu, 0xc000000000000000, 0x8000000000000000, 0x8000000000000000)
	TEST_RR(10, mulw, 0xffffffff80000000, 0x10000, 0x8000)
	TEST_RR(11, mulw, 1, 0xffffffffffffffff, 0x00000000ffffffff)
	TEST_RR(12, mulw, 0, 0x100000000, 5)
	TEST_RR(20, div, -3, 20, -6)
	TEST_RR(21, div, 3, -20, -6)
	TEST_RR(22, div, -1, 5, 0)			/* divide by zero */
	TEST_RR(23, div, 0x8000000000000000, 0x8000000000000000, -1) /* overflow */
	TEST_RR(24, divu, 0x7fffffffffffffff, -1, 2)
	TEST_RR(25, divu, -1, 7, 0)
	TEST_RR(26, rem, 2, 20, -6)
	TEST_RR(27, rem, -2, -20, 6)
	TEST_RR(28, rem, 5, 5, 0)
	TEST_RR(29, rem, 0, 0x8000000000000000, -1)
	TEST_RR(30, remu, 1, -1, 2)
	TEST_RR(31, remu, -7, -7, 0)
	TEST_RR(40, divw, -3, 20, -6)
	TEST_RR(41, divw, 0xffffffff80000000, 0x80000000, -1)	/* overflow */
	TEST_RR(42, divw, -1, 5, 0)
	TEST_RR(43, divw, 2, 0x100000004, 2)		/* upper bits ignored */
	TEST_RR(44, divuw, 0x7fffffff, 0xffffffff, 2)
	TEST_RR(45, divuw, -1, 5, 0x100000000)		/* divisor low word zero */
	TEST_RR(46, divuw, 0xffffffff80000000, 0x80000000, 1)	/* result sign-extended */
	TEST_RR(47, remw, -2, -20, 6)
	TEST_RR(48, remw, 0, 0x80000000, -1)
	TEST_RR(49, remw, 0xfffffffff0000000, 0xf0000000, 0)
	TEST_RR(50, remuw, 1, 0xffffffff, 2)
	TEST_RR(51, remuw, 0xffffffff80000005, 0x80000005, 0)
	TEST_RR(52, remuw, 0xffffffff80000000, 0xffffffff80000000, 0xffffffff80000001)
	TEST_RR_SRC1(53, mul, 42, 6, 7)
	TEST_RR_ZERO(54, div, 6, 0)
	TEST_PASS
