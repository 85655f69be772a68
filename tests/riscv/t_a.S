/* t_a.S - RV64A: every AMO in .w and .d form (old value returned, .w results sign-
 * extended, memory updated) and LR/SC reservation rules (the reservation set is the
 * exact address, as in QEMU). Misaligned AMO/LR/SC are in t_spec.S. */
#include "test.h"

/* AMO case: mem <- init; a0 <- op(mem, v); check a0 == old and then mem == want */
#define TEST_AMO(n, op, ld, init, v, old, want) \
	li TESTNUM, n; la a1, amo; li a2, init; sd zero, 0(a1); sd a2, 0(a1); li a3, v; \
	op a0, a3, (a1); li t6, old; bne a0, t6, fail; ld a4, 0(a1); li t6, want; bne a4, t6, fail

	.text
	.globl main
main:
	TEST_AMO(1, amoswap.d, ld, 0x1111, -1, 0x1111, -1)
	TEST_AMO(2, amoadd.d, ld, 0x7fffffffffffffff, 1, 0x7fffffffffffffff, 0x8000000000000000)
	TEST_AMO(3, amoand.d, ld, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0x0f000f000f000f00)
	TEST_AMO(4, amoor.d, ld, 0xff00, 0x00ff, 0xff00, 0xffff)
	TEST_AMO(5, amoxor.d, ld, 0xff00, 0x0ff0, 0xff00, 0xf0f0)
	TEST_AMO(6, amomax.d, ld, -5, 3, -5, 3)
	TEST_AMO(7, amomaxu.d, ld, -5, 3, -5, -5)
	TEST_AMO(8, amomin.d, ld, -5, 3, -5, -5)
	TEST_AMO(9, amominu.d, ld, -5, 3, -5, 3)
	/* .w: only the low word changes; the loaded word is sign-extended */
	TEST_AMO(10, amoswap.w, ld, 0x1234567880000000, 0x7fffffff, 0xffffffff80000000, 0x123456787fffffff)
	TEST_AMO(11, amoadd.w, ld, 0x00000000ffffffff, 1, -1, 0)	/* no carry out */
	TEST_AMO(12, amoand.w, ld, 0xffffffffffffffff, 0x0f0f0f0f0f0f0f0f, -1, 0xffffffff0f0f0f0f)
	TEST_AMO(13, amoor.w, ld, 0x80000000, 1, 0xffffffff80000000, 0x80000001)
	TEST_AMO(14, amoxor.w, ld, 0x7fffffff, -1, 0x7fffffff, 0x80000000)
	TEST_AMO(15, amomax.w, ld, 0x80000000, 1, 0xffffffff80000000, 1)	/* signed 32-bit */
	TEST_AMO(16, amomaxu.w, ld, 0x80000000, 0xffffffff00000001, 0xffffffff80000000, 0x80000000)
	TEST_AMO(17, amomin.w, ld, 0x80000000, 0x100000001, 0xffffffff80000000, 0x80000000)
	TEST_AMO(18, amominu.w, ld, 0x80000000, 0x100000001, 0xffffffff80000000, 1)
	TEST_AMO(19, amoadd.d.aqrl, ld, 5, 6, 5, 11)
	TEST_AMO(20, amoswap.w.aq, ld, 0, 0x1ffffffff, 0, 0xffffffff)
	/* rd == x0 still writes memory */
	TEST_CASE(21, a0, 9, la a1, amo; sd zero, 0(a1); li a3, 9; amoadd.d x0, a3, (a1); ld a0, 0(a1))

	/* LR/SC */
	TEST_CASE(30, a0, 0, la a1, amo; li a2, 5; sd a2, 0(a1); lr.d a3, (a1); addi a3, a3, 1; sc.d a0, a3, (a1))
	TEST_CASE(31, a0, 6, ld a0, 0(a1))
	TEST_CASE(32, a0, 1, sc.d a0, a3, (a1))			/* reservation consumed */
	TEST_CASE(33, a0, 1, la a1, amo; addi a4, a1, 8; lr.d a3, (a1); sc.d a0, a3, (a4)) /* other address */
	TEST_CASE(34, a0, 6, ld a0, 8(a1); addi a0, a0, 6)	/* ... which was not written */
	TEST_CASE(35, a0, 0xffffffff80000000, li a2, 0x80000000; sw a2, 0(a1); lr.w a0, (a1)) /* sign-extended */
	TEST_CASE(36, a0, 0, li a2, 0x12345; sc.w a0, a2, (a1))
	TEST_CASE(37, a0, 0x12345, lw a0, 0(a1))
	/* an SC after a trap (xRET) fails: the reservation is lost on mret */
	li	TESTNUM, 38
	la	a1, amo
	lr.d	a3, (a1)
	ON_TRAP(1f)
	ecall
1:	sc.d	a0, a3, (a1)
	li	t6, 1
	bne	a0, t6, fail
	/* sc without any lr fails and does not write */
	TEST_CASE(39, a0, 1, la a1, amo+16; li a2, 77; sc.d a0, a2, (a1))
	TEST_CASE(40, a0, 0, ld a0, 0(a1))

	/* misaligned AMO/LR/SC (store/AMO misaligned) is checked in t_spec.S: QEMU 7.2 differs */
	TEST_PASS

	.data
	.balign 16
amo:	.dword 0, 0, 0, 0
