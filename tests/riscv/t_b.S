/* t_b.S - bit-manipulation extensions Zba (address generation), Zbb (basic bit ops)
 * and Zbs (single-bit ops): every instruction, including the .uw and W forms and the
 * shift-amount masking of rotates. */
#include "test.h"
	.text
	.globl main
main:
	/* Zba */
	TEST_RR(1, add.uw, 0x00000000ffffffff + 1, 0xffffffffffffffff, 1)
	TEST_RR(2, sh1add, 0x11, 8, 1)
	TEST_RR(3, sh2add, 0x21, 8, 1)
	TEST_RR(4, sh3add, 0x41, 8, 1)
	TEST_RR(5, sh1add.uw, 0x1fffffffe + 3, 0xffffffffffffffff, 3)
	TEST_RR(6, sh2add.uw, 0x3fffffffc, 0xffffffffffffffff, 0)
	TEST_RR(7, sh3add.uw, 0x8, 0xffffffff00000001, 0)
	TEST_RI(8, slli.uw, 0x1fffffffe, 0xffffffffffffffff, 1)
	TEST_RI(9, slli.uw, 0x8000000000000000, 0x80000001, 63)
	/* Zbb */
	TEST_RR(10, andn, 0x00f0, 0x00ff, 0x000f)
	TEST_RR(11, orn, 0xfffffffffffff0ff, 0x00ff, 0x0f00)
	TEST_RR(12, xnor, 0xffffffffffffff0f, 0x00ff, 0x000f)
	TEST_R(13, clz, 64, 0)
	TEST_R(14, clz, 0, -1)
	TEST_R(15, clz, 31, 0x100000000)
	TEST_R(16, clzw, 32, 0xffffffff00000000)
	TEST_R(17, clzw, 3, 0x10000000)
	TEST_R(18, ctz, 64, 0)
	TEST_R(19, ctz, 63, 0x8000000000000000)
	TEST_R(20, ctzw, 32, 0x100000000)
	TEST_R(21, ctzw, 31, 0x80000000)
	TEST_R(22, cpop, 64, -1)
	TEST_R(23, cpop, 3, 0x8000000080000001)
	TEST_R(24, cpopw, 2, 0x8000000080000001)
	TEST_RR(25, max, 1, -1, 1)
	TEST_RR(26, maxu, -1, -1, 1)
	TEST_RR(27, min, -1, -1, 1)
	TEST_RR(28, minu, 1, -1, 1)
	TEST_R(29, sext.b, 0xffffffffffffff80, 0x1280)
	TEST_R(30, sext.h, 0xffffffffffff8000, 0x18000)
	TEST_R(31, sext.h, 0x7fff, 0xffff7fff)
	TEST_R(32, zext.h, 0xffff, -1)
	TEST_RR(33, rol, 0x0000000000000003, 0x8000000000000001, 1)
	TEST_RR(34, rol, 0x8000000000000001, 0x8000000000000001, 64) /* shamt mod 64 */
	TEST_RR(35, ror, 0xc000000000000000, 0x8000000000000001, 1)
	TEST_RI(36, rori, 0x1000000000000000, 1, 4)
	TEST_RR(37, rolw, 0x0000000000000003, 0x80000001, 1)
	TEST_RR(38, rolw, 0xffffffff80000000, 0x40000000, 33)	/* shamt mod 32, sign-ext */
	TEST_RR(39, rorw, 0xffffffffc0000000, 0x80000001, 1)
	TEST_RI(40, roriw, 0x0000000010000000, 1, 4)
	TEST_RI(41, roriw, 0xffffffff80000000, 0xffffffff00000001, 1)
	TEST_R(42, orc.b, 0xff00ff0000ffff00, 0x0100800000017f00)
	TEST_R(43, rev8, 0x0807060504030201, 0x0102030405060708)
	/* Zbs */
	TEST_RR(50, bclr, 0x7fffffffffffffff, -1, 63)
	TEST_RR(51, bclr, 0xfffffffffffffffe, -1, 64)		/* index mod 64 */
	TEST_RI(52, bclri, 0xffffffffffffffef, -1, 4)
	TEST_RR(53, bext, 1, 0x8000000000000000, 63)
	TEST_RR(54, bext, 0, 0x8000000000000000, 62)
	TEST_RI(55, bexti, 1, 0x10, 4)
	TEST_RR(56, binv, 0x8000000000000001, 1, 63)
	TEST_RI(57, binvi, 0, 0x100000000, 32)
	TEST_RR(58, bset, 0x100000000, 0, 32)
	TEST_RI(59, bseti, 0x8000000000000000, 0, 63)
	TEST_PASS
