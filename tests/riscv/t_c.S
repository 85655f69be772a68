/* t_c.S - the C extension: every RV64C instruction form (loads/stores incl. FP and
 * sp-relative, c.lui/c.addi16sp/c.addi4spn, ALU, jumps, c.ebreak) and the reserved
 * encodings that must trap as illegal instructions (mtval = the 16-bit instruction). */
#include "test.h"
	.text
	.option rvc
	.globl main
main:
	la	s0, cdata
	TEST_CASE(1, a0, 0xffffffff87654321, c.lw a0, 0(s0))
	TEST_CASE(2, a0, 0x1122334487654321, c.ld a0, 0(s0))
	TEST_CASE(3, a0, 0x55, li a1, 0x55; c.sw a1, 8(s0); c.lw a0, 8(s0))
	TEST_CASE(4, a0, -2, li a1, -2; c.sd a1, 16(s0); c.ld a0, 16(s0))
	TEST_CASE(5, a0, 0x1122334487654321, c.fld fa0, 0(s0); c.fsd fa0, 24(s0); c.ld a0, 24(s0))
	/* sp-relative */
	mv	s1, sp
	addi	sp, sp, -64
	TEST_CASE(10, a0, 0xabc, li a1, 0xabc; c.sdsp a1, 8(sp); c.ldsp a0, 8(sp))
	TEST_CASE(11, a0, 0xffffffff80000000, li a1, 0x80000000; c.swsp a1, 16(sp); c.lwsp a0, 16(sp))
	TEST_CASE(12, a0, 0x4000000000000000, li a1, 0x4000000000000000; fmv.d.x fa1, a1; c.fsdsp fa1, 24(sp); c.fldsp fa0, 24(sp); fmv.x.d a0, fa0)
	TEST_CASE(13, a0, 16, c.addi4spn a0, sp, 16; sub a0, a0, sp)
	TEST_CASE(14, a0, -32, mv a1, sp; c.addi16sp sp, -32; sub a0, sp, a1; c.addi16sp sp, 32)
	TEST_CASE(15, a0, 496, mv a1, sp; c.addi16sp sp, 496; sub a0, sp, a1; addi sp, sp, -496)
	mv	sp, s1
	/* immediates */
	TEST_CASE(20, a0, -32, c.li a0, -32)
	TEST_CASE(21, a0, 31, c.li a0, 31)
	TEST_CASE(22, a0, 0xfffffffffffe0000, c.lui a0, 0xfffe0)	/* imm 0x20 -> sign-extended */
	TEST_CASE(23, a0, 0x1f000, c.lui a0, 0x1f)
	TEST_CASE(24, a0, 5, li a0, 10; c.addi a0, -5)
	TEST_CASE(25, a0, 0xffffffff80000000, li a0, 0x7fffffff; c.addiw a0, 1)
	TEST_CASE(26, a0, 0x7fffffff, li a0, 0x17fffffff; c.addiw a0, 0)	/* sext.w */
	c.nop
	/* shifts and ALU */
	TEST_CASE(30, a0, 0x8000000000000000, li a0, 1; c.slli a0, 63)
	TEST_CASE(31, a0, 1, li a0, 0x8000000000000000; c.srli a0, 63)
	TEST_CASE(32, a0, -1, li a0, 0x8000000000000000; c.srai a0, 63)
	TEST_CASE(33, a0, 0x10, li a0, 0xff0; c.andi a0, 0x1f)
	TEST_CASE(34, a0, 0xff0, li a0, 0xff0; c.andi a0, -1)
	TEST_CASE(35, a0, 3, li a0, 5; li a1, 2; c.sub a0, a1)
	TEST_CASE(36, a0, 6, li a0, 5; li a1, 3; c.xor a0, a1)
	TEST_CASE(37, a0, 7, li a0, 5; li a1, 3; c.or a0, a1)
	TEST_CASE(38, a0, 1, li a0, 5; li a1, 3; c.and a0, a1)
	TEST_CASE(39, a0, 0xffffffff80000000, li a0, 0x7fffffff; li a1, -1; c.subw a0, a1)
	TEST_CASE(40, a0, 0, li a0, 0xffffffff; li a1, 1; c.addw a0, a1)
	TEST_CASE(41, a0, 42, li a1, 42; c.mv a0, a1)
	TEST_CASE(42, a0, 50, li a0, 8; li a1, 42; c.add a0, a1)
	TEST_CASE(43, t3, 9, li t3, 4; li t4, 5; c.add t3, t4)		/* full register set */
	/* control transfer */
	li	TESTNUM, 50
	c.j	1f
	j	fail
1:	li	TESTNUM, 51
	li	a0, 0
	c.beqz	a0, 1f
	j	fail
1:	c.bnez	a0, fail_near
	li	TESTNUM, 52
	li	a0, 1
	c.bnez	a0, 1f
	j	fail
1:	li	TESTNUM, 53
	la	a1, 1f
	c.jr	a1
	j	fail
1:	li	TESTNUM, 54
	la	a1, 1f
	c.jalr	a1
2:	j	fail
1:	la	a2, 2b
	bne	ra, a2, fail		/* link = pc + 2 */
	li	TESTNUM, 55
	ON_TRAP(1f)
2:	c.ebreak
	j	fail
1:	la	a2, 2b
	CHECK_CAUSE(CAUSE_BREAKPOINT)
	CHECK_EPC_R(a2)
	/* reserved / illegal compressed encodings: mtval = the instruction bits */
	TEST_TRAP(60, CAUSE_ILLEGAL, .hword 0x0000)	/* all zeros */
	CHECK_TRAP(CAUSE_ILLEGAL, 0)
	TEST_TRAP(61, CAUSE_ILLEGAL, .hword 0x6101)	/* c.addi16sp imm=0 */
	CHECK_TRAP(CAUSE_ILLEGAL, 0x6101)
	TEST_TRAP(62, CAUSE_ILLEGAL, .hword 0x6501)	/* c.lui a0, 0 */
	CHECK_TRAP(CAUSE_ILLEGAL, 0x6501)
	TEST_TRAP(63, CAUSE_ILLEGAL, .hword 0x8002)	/* c.jr x0 */
	CHECK_TRAP(CAUSE_ILLEGAL, 0x8002)
	TEST_TRAP(64, CAUSE_ILLEGAL, .hword 0x2001)	/* c.addiw x0 */
	CHECK_TRAP(CAUSE_ILLEGAL, 0x2001)
	TEST_TRAP(65, CAUSE_ILLEGAL, .hword 0x4002)	/* c.lwsp x0 */
	CHECK_TRAP(CAUSE_ILLEGAL, 0x4002)
	TEST_TRAP(66, CAUSE_ILLEGAL, .hword 0x6002)	/* c.ldsp x0 */
	CHECK_TRAP(CAUSE_ILLEGAL, 0x6002)
	TEST_TRAP(67, CAUSE_ILLEGAL, .hword 0x9c41)	/* c.subw-space reserved (funct 10 w/ bit12) */
	TEST_TRAP(68, CAUSE_ILLEGAL, .hword 0x0000)
	/* C code with 2-byte alignment: a 4-byte instruction at pc % 4 == 2 */
	li	TESTNUM, 70
	.balign 4
	c.nop
	li	a0, 0x12345
	addi	a0, a0, 1
	li	t6, 0x12346
	bne	a0, t6, fail
	TEST_PASS
fail_near:
	j	fail

	.data
	.balign 8
cdata:	.dword 0x1122334487654321, 0, 0, 0
