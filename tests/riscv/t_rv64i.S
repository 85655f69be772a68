/* t_rv64i.S - RV64I base instructions: ALU register/immediate and W forms, shifts,
 * compares, lui/auipc, branches, jal/jalr links, loads/stores of every width with sign
 * extension, x0 as destination, fence, and misaligned loads/stores done in hardware. */
#include "test.h"
	.text
	.option norvc
	.globl main
main:
	TEST_RR(1, add, 0x0000000100000000, 0xffffffff, 1)
	TEST_RR(2, add, 0, -1, 1)
	TEST_RR(3, sub, -1, 0, 1)
	TEST_RR(4, sub, 0x8000000000000000, 0x7fffffffffffffff, -1)
	TEST_RR(5, addw, 0xffffffff80000000, 0x7fffffff, 1)
	TEST_RR(6, addw, 0, 0x1ffffffff, 1)
	TEST_RR(7, subw, 0x7fffffff, 0x80000000, 1)
	TEST_RI(8, addi, -2048, 0, -2048)
	TEST_RI(9, addi, 0x7ff, 0, 0x7ff)
	TEST_RI(10, addiw, 0xffffffff80000000, 0x7fffffff, 1)
	TEST_RI(11, addiw, 0x7ffffffe, 0x17fffffff, -1)
	TEST_RR(12, and, 0x0f000f00, 0xff00ff00, 0x0f0f0f0f)
	TEST_RR(13, or, 0xff0fff0f, 0xff00ff00, 0x0f0f0f0f)
	TEST_RR(14, xor, 0xf00ff00f, 0xff00ff00, 0x0f0f0f0f)
	TEST_RI(15, andi, 0xff00ff00, 0xff00ff00, -1)
	TEST_RI(16, ori, 0xff00ff0f, 0xff00ff00, 0x70f)
	TEST_RI(17, xori, 0xffffffff00ff00ff, 0xff00ff00, -1)
	TEST_RR(20, sll, 0x8000000000000000, 1, 63)
	TEST_RR(21, sll, 2, 1, 65)			/* only 6 bits of shamt */
	TEST_RR(22, srl, 1, 0x8000000000000000, 63)
	TEST_RR(23, sra, -1, 0x8000000000000000, 63)
	TEST_RI(24, slli, 0xff00000000000000, 0xff, 56)
	TEST_RI(25, srli, 0x00ffffffffffffff, -1, 8)
	TEST_RI(26, srai, 0xffffffffffffff00, 0x8000000000000000, 55)
	TEST_RR(27, sllw, 0xffffffff80000000, 1, 31)
	TEST_RR(28, sllw, 2, 1, 33)			/* only 5 bits */
	TEST_RR(29, srlw, 1, 0xffffffff80000000, 31)
	TEST_RR(30, srlw, 0x7fffffff, -1, 1)
	TEST_RR(31, sraw, -1, 0x80000000, 31)
	TEST_RR(32, sraw, 0x1234, 0xffffffff00012340, 4) /* upper bits ignored */
	TEST_RI(33, slliw, 0xffffffff80000000, 0x12345671, 31)
	TEST_RI(34, srliw, 0x0fffffff, 0xfffffffff, 4)
	TEST_RI(35, sraiw, 0xfffffffff8000000, 0x80000000, 4)
	TEST_RR(40, slt, 1, -1, 0)
	TEST_RR(41, sltu, 0, -1, 0)
	TEST_RR(42, slt, 0, 5, 5)
	TEST_RI(43, slti, 1, -2049, -2048)
	TEST_RI(44, sltiu, 1, 5, -1)			/* imm sign-extended, then unsigned */
	TEST_RI(45, sltiu, 1, 0, 1)			/* seqz */
	TEST_RR_SRC1(46, add, 30, 10, 20)
	TEST_RR_ZERO(47, add, 1, 2)
	TEST_CASE(48, a0, 0xfffffffffffff000, lui a0, 0xfffff)
	TEST_CASE(49, a0, 0xffffffff80000000, lui a0, 0x80000)
	TEST_CASE(50, a0, 0, 1: auipc a0, 0; la a1, 1b; sub a0, a0, a1)
	TEST_CASE(51, a0, 0x1000, 1: auipc a0, 1; la a1, 1b; sub a0, a0, a1)
	/* branches */
	TEST_BR(60, beq, 1, 3, 3)
	TEST_BR(61, beq, 0, 3, 4)
	TEST_BR(62, bne, 1, 3, 4)
	TEST_BR(63, blt, 1, -1, 0)
	TEST_BR(64, blt, 0, 0, -1)
	TEST_BR(65, bge, 1, 0, 0)
	TEST_BR(66, bge, 0, -1, 0)
	TEST_BR(67, bltu, 1, 0, -1)
	TEST_BR(68, bltu, 0, -1, 0)
	TEST_BR(69, bgeu, 1, -1, 0)
	TEST_BR(70, bgeu, 0, 0, 1)
	/* jal/jalr: link = pc + 4; jalr clears bit 0 of the target; rd == rs1 */
	li	TESTNUM, 71
	jal	a0, 1f
2:	j	fail
1:	la	a1, 2b
	bne	a0, a1, fail
	li	TESTNUM, 72
	la	a1, 3f
	addi	a1, a1, 1
	jalr	a0, 0(a1)
4:	j	fail
3:	la	a2, 4b
	bne	a0, a2, fail
	li	TESTNUM, 73
	la	a1, 5f
	jalr	a1, -4(a1)		/* rd == rs1: target computed from the old value */
	j	fail
	j	6f
5:	j	fail
6:	li	TESTNUM, 74
	la	a0, 7f
	jalr	x0, 8(a0)
7:	j	fail
	j	fail
	/* loads: sign/zero extension */
	TEST_LD(80, lb, 0xffffffffffffff81, ldata, 0)
	TEST_LD(81, lbu, 0x81, ldata, 0)
	TEST_LD(82, lh, 0xffffffffffff8281, ldata, 0)
	TEST_LD(83, lhu, 0x8281, ldata, 0)
	TEST_LD(84, lw, 0xffffffff84838281, ldata, 0)
	TEST_LD(85, lwu, 0x84838281, ldata, 0)
	TEST_LD(86, ld, 0x8887868584838281, ldata, 0)
	TEST_LD(87, lb, 0x7f, ldata, 8)
	TEST_LD(88, lw, 0x7ffffff, ldata, 12)
	TEST_LD(89, ld, 0x8887868584838281, ldata+16, -16)	/* negative offset */
	TEST_ST(90, sb, ld, 0xef, 0x123456789abcdef, sdata, 0)
	TEST_ST(91, sh, lhu, 0xcdef, 0x123456789abcdef, sdata, 2)
	TEST_ST(92, sw, ld, 0x89abcdef, 0x123456789abcdef, sdata, 4)
	TEST_ST(93, sd, ld, 0x123456789abcdef, 0x123456789abcdef, sdata, 8)
	TEST_ST(94, sw, lw, 0xffffffff89abcdef, 0x123456789abcdef, sdata, 16)
	/* misaligned loads and stores complete in hardware (no trap) */
	TEST_LD(100, lh, 0xffffffffffff8382, ldata, 1)
	TEST_LD(101, lw, 0xffffffff85848382, ldata, 1)
	TEST_LD(102, lwu, 0x86858483, ldata, 2)
	TEST_LD(103, ld, 0x7f88878685848382, ldata, 1)
	TEST_LD(104, ld, 0x0000007f88878685, ldata, 4) /* crosses into the next dword */
	TEST_ST(105, sd, ld, 0x1122334455667788, 0x1122334455667788, sdata, 3)
	TEST_ST(106, sw, lwu, 0xdeadbeef, 0xdeadbeef, sdata, 7)
	TEST_ST(107, sh, lh, 0xffffffffffffbeef, 0xbeef, sdata, 15)
	/* misaligned access crossing a 4 KiB page */
	TEST_ST(108, sd, ld, 0x0102030405060708, 0x0102030405060708, pagecross+4092, 0)
	/* fence/fence.tso/pause are plain no-ops here */
	fence
	fence rw, rw
	fence.tso
	.word 0x0100000f	/* pause */
	/* x0 stays zero */
	TEST_CASE(110, x0, 0, li x0, 5; lui x0, 1; addi x0, x0, 1)
	TEST_CASE(111, a0, 0, la a1, ldata; lw x0, 0(a1); mv a0, x0)
	TEST_PASS

	.data
	.balign 8
ldata:	.dword 0x8887868584838281, 0x07ffffff0000007f
sdata:	.dword 0, 0, 0, 0
	.balign 4096
pagecross: .space 8192
