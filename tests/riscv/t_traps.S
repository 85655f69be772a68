/* t_traps.S - synchronous traps: ecall/ebreak from each mode, illegal instructions
 * (mtval = bits), privileged instructions in the wrong mode, TVM/TW/TSR, mstatus stacking
 * on trap and xRET, medeleg delegation to S, access faults, fence.i SMC, WFI, misa.C. */
#include "test.h"
	.text
	.option norvc
	.globl main
main:
	la	t0, strap_entry
	csrw	stvec, t0
	la	t0, __strap_stack_top
	csrw	sscratch, t0
	csrw	medeleg, zero

	/* ecall from M, S, U: cause 11/9/8, mepc = the ecall, mtval = 0 */
	li	a7, 0
	TEST_TRAP(1, CAUSE_ECALL_M, 1: ecall)
	la	s1, 1b
	CHECK_EPC_R(s1)
	CHECK_TRAP(CAUSE_ECALL_M, 0)
	GOTO_MODE(PRV_S)
	TEST_TRAP(2, CAUSE_ECALL_S, li a7, 0; 1: ecall)
	la	s1, 1b
	CHECK_EPC_R(s1)
	GOTO_M
	GOTO_MODE(PRV_U)
	TEST_TRAP(3, CAUSE_ECALL_U, li a7, 0; ecall)
	GOTO_M
	/* mstatus at the U trap: MPP = U, MPIE = old MIE */
	TEST_CASE(4, a0, 0, la a0, trap_status; ld a0, 0(a0); li t0, MSTATUS_MPP; and a0, a0, t0)
	/* ebreak: cause 3, mepc = the ebreak */
	TEST_TRAP(5, CAUSE_BREAKPOINT, 1: ebreak)
	la	s1, 1b
	CHECK_EPC_R(s1)
	GOTO_MODE(PRV_U)
	TEST_TRAP(6, CAUSE_BREAKPOINT, ebreak)
	GOTO_M

	/* illegal instructions: mtval = the instruction bits */
	TEST_TRAP(10, CAUSE_ILLEGAL, .word 0x0000000b)	/* custom-0 */
	CHECK_TRAP(CAUSE_ILLEGAL, 0x0000000b)
	TEST_TRAP(11, CAUSE_ILLEGAL, .word 0x00000000)
	TEST_TRAP(12, CAUSE_ILLEGAL, .word 0xffffffff)
	TEST_TRAP(14, CAUSE_ILLEGAL, .word 0x40001033)	/* OP funct7=0x20 funct3=1 (reserved) */
	CHECK_TRAP(CAUSE_ILLEGAL, 0x40001033)
	TEST_TRAP(15, CAUSE_ILLEGAL, .word 0x0200105b)	/* reserved major opcode 0x5b */
	TEST_TRAP(16, CAUSE_ILLEGAL, .word 0x00003033 | (1 << 30))	/* OP funct7=0x20 funct3=3 */
	TEST_TRAP(17, CAUSE_ILLEGAL, .word 0x0000701b)	/* OP-IMM-32 funct3=7 */
	TEST_TRAP(18, CAUSE_ILLEGAL, .word 0x00007003)	/* LOAD funct3=7 */
	TEST_TRAP(19, CAUSE_ILLEGAL, .word 0x00004023)	/* STORE funct3=4 */
	TEST_TRAP(20, CAUSE_ILLEGAL, .word 0x00002067)	/* JALR funct3=2 */
	TEST_TRAP(21, CAUSE_ILLEGAL, .word 0x00002063)	/* BRANCH funct3=2 */
	TEST_TRAP(22, CAUSE_ILLEGAL, .word 0x0400101b | (1 << 25))	/* slliw with shamt[5]=1 */
	TEST_TRAP(23, CAUSE_ILLEGAL, .word 0x00000073 | (5 << 20))	/* SYSTEM funct12=5 */
	TEST_TRAP(24, CAUSE_ILLEGAL, .word 0x3800202f)	/* AMO funct5=0x07 .w: reserved */
	TEST_TRAP(25, CAUSE_ILLEGAL, .word 0x1000302f | (1 << 20))	/* lr.d with rs2 != 0 */

	/* privileged instructions in the wrong mode */
	GOTO_MODE(PRV_U)
	TEST_TRAP(30, CAUSE_ILLEGAL, 1: mret)
	CHECK_TRAP(CAUSE_ILLEGAL, 0x30200073)
	TEST_TRAP(31, CAUSE_ILLEGAL, sret)
	TEST_TRAP(32, CAUSE_ILLEGAL, sfence.vma)
	TEST_TRAP(33, CAUSE_ILLEGAL, wfi)		/* U-mode WFI (mstatus.TW = 0) */
	GOTO_M
	GOTO_MODE(PRV_S)
	TEST_TRAP(34, CAUSE_ILLEGAL, mret)
	GOTO_M
	/* TSR: sret in S illegal; TVM: satp and sfence.vma in S illegal; TW: wfi in S illegal */
	li	t0, MSTATUS_TSR | MSTATUS_TVM | MSTATUS_TW
	csrs	mstatus, t0
	GOTO_MODE(PRV_S)
	TEST_TRAP(35, CAUSE_ILLEGAL, sret)
	TEST_TRAP(36, CAUSE_ILLEGAL, csrr a0, satp)
	TEST_TRAP(37, CAUSE_ILLEGAL, sfence.vma)
	TEST_TRAP(38, CAUSE_ILLEGAL, wfi)
	GOTO_M
	li	t0, MSTATUS_TSR | MSTATUS_TVM | MSTATUS_TW
	csrc	mstatus, t0
	GOTO_MODE(PRV_S)
	TEST_CASE(39, a0, 0, csrr a0, satp; sfence.vma; li a0, 0)	/* fine without TVM */
	GOTO_M

	/* mret: MIE <- MPIE, MPIE <- 1, MPP <- U; to M keeps MPRV */
	li	TESTNUM, 40
	li	t0, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
	csrc	mstatus, t0
	li	t0, MSTATUS_MPP			/* MPP = M, MPIE = 0 */
	csrs	mstatus, t0
	la	t0, 1f
	csrw	mepc, t0
	mret
1:	csrr	a0, mstatus
	andi	t1, a0, MSTATUS_MPIE
	beqz	t1, fail			/* MPIE = 1 */
	andi	t1, a0, MSTATUS_MIE
	bnez	t1, fail			/* MIE = old MPIE = 0 */
	li	t1, MSTATUS_MPP
	and	t1, a0, t1
	bnez	t1, fail			/* MPP = U */
	/* a trap stacks MIE into MPIE and clears MIE */
	li	TESTNUM, 41
	csrw	mie, zero
	csrsi	mstatus, MSTATUS_MIE
	ON_TRAP(1f)
	li	a7, 0
	ecall
1:	la	t0, trap_status
	ld	a0, 0(t0)
	andi	t1, a0, MSTATUS_MPIE
	beqz	t1, fail
	andi	t1, a0, MSTATUS_MIE
	bnez	t1, fail
	li	t1, MSTATUS_MPP
	and	t1, a0, t1
	li	t2, MSTATUS_MPP
	bne	t1, t2, fail			/* MPP = M */
	csrci	mstatus, MSTATUS_MIE

	/* delegation: ecall from U and illegal instruction from S handled in S */
	li	t0, (1 << CAUSE_ECALL_U) | (1 << CAUSE_ILLEGAL) | (1 << CAUSE_BREAKPOINT)
	csrw	medeleg, t0
	li	t0, MSTATUS_SPP | MSTATUS_SPIE
	csrc	mstatus, t0
	GOTO_MODE(PRV_S)
	csrsi	sstatus, MSTATUS_SIE
	li	TESTNUM, 50
	ON_STRAP(1f)
2:	.word	0x0000000b
	j	fail
1:	CHECK_STRAP(CAUSE_ILLEGAL, 0x0000000b)
	la	t0, strap_epc
	ld	t0, 0(t0)
	la	t1, 2b
	bne	t0, t1, fail
	/* S trap stacking: SPP = S, SPIE = old SIE, SIE = 0 (after sret SIE is restored) */
	la	t0, strap_status
	ld	a0, 0(t0)
	andi	t1, a0, MSTATUS_SPP
	beqz	t1, fail
	andi	t1, a0, MSTATUS_SPIE
	beqz	t1, fail
	andi	t1, a0, MSTATUS_SIE
	bnez	t1, fail
	csrr	a0, sstatus
	andi	t1, a0, MSTATUS_SIE
	beqz	t1, fail			/* sret: SIE <- SPIE */
	csrci	sstatus, MSTATUS_SIE
	GOTO_MODE_U_FROM_S
	li	TESTNUM, 51
	ON_STRAP(1f)
	li	a7, 0
	ecall
	j	fail
1:	CHECK_STRAP(CAUSE_ECALL_U, 0)
	la	t0, strap_status
	ld	a0, 0(t0)
	andi	t1, a0, MSTATUS_SPP
	bnez	t1, fail			/* SPP = U */
	/* ebreak from U, delegated */
	TEST_CASE(52, a0, CAUSE_BREAKPOINT, ON_STRAP(1f); ebreak; j fail; 1: la a0, strap_cause; ld a0, 0(a0))
	/* an undelegated cause (load access fault) still goes to M */
	li	TESTNUM, 53
	ON_TRAP_M(1f)
	ld	a0, 0(zero)
	j	fail
1:	CHECK_TRAP(CAUSE_LOAD_ACCESS, 0)
	csrw	medeleg, zero

	/* access faults: mtval = the address; fetch fault mepc = mtval = target */
	li	s1, 0x1000000			/* nothing mapped at 16 MiB on virt */
	TEST_TRAP(60, CAUSE_LOAD_ACCESS, lw a0, 0(s1))
	CHECK_TRAP_R(CAUSE_LOAD_ACCESS, s1)
	TEST_TRAP(61, CAUSE_STORE_ACCESS, sd a0, 8(s1))
	addi	s2, s1, 8
	CHECK_TRAP_R(CAUSE_STORE_ACCESS, s2)
	/* AMO access fault = store/AMO access fault: in t_spec.S (QEMU 7.2 reports a load fault) */
	TEST_TRAP(63, CAUSE_FETCH_ACCESS, jalr s1)
	CHECK_TRAP_R(CAUSE_FETCH_ACCESS, s1)
	CHECK_EPC_R(s1)
	TEST_TRAP(64, CAUSE_LOAD_ACCESS, lr.d a0, (s1))

	/* self-modifying code made visible by fence.i */
	li	TESTNUM, 70
	la	s1, smc
	li	t0, 0x00200513			/* addi a0, x0, 2 */
	sw	t0, 0(s1)
	fence.i
	jalr	s1
	li	t0, 2
	bne	a0, t0, fail
	li	t0, 0x00300513			/* addi a0, x0, 3 */
	sw	t0, 0(s1)
	fence.i
	jalr	s1
	li	t0, 3
	bne	a0, t0, fail

	/* WFI in M returns once an interrupt is pending, even with MIE = 0 */
	li	TESTNUM, 71
	csrci	mstatus, MSTATUS_MIE
	csrwi	mie, 2				/* SSIE */
	csrsi	mip, 2				/* SSIP pending */
	wfi
	csrci	mip, 2
	csrw	mie, zero

	/* misa.C can be cleared (then a jump to pc%4 == 2 is a misaligned fetch) */
	li	TESTNUM, 72
	li	t0, 1 << 2
	csrc	misa, t0
	csrr	a0, misa
	and	a0, a0, t0
	bnez	a0, 2f				/* C not writable here: skip */
	la	s1, 1f + 2
	ON_TRAP(3f)
	jr	s1
	j	fail
3:	CHECK_TRAP_R(CAUSE_MISALIGNED_FETCH, s1)
	la	s1, 1f
	CHECK_EPC_R(s1)				/* mepc = the jump, not the target */
	j	4f
1:	jr	s1
	j	fail
4:	li	t0, 1 << 2
	csrs	misa, t0
2:
	TEST_PASS

	.data
	.balign 4
smc:	addi	a0, x0, 1
	ret
