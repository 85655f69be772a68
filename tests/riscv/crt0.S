/* crt0.S - start-up and default trap handlers for cairn's guest tests: parks harts != 0,
 * sets up stack/bss/FPU/PMP, calls main(hartid), exits. Handlers record cause/tval/epc; an ecall
 * with a7=GOTO_M_MAGIC returns to M, interrupts go to xtrap_hook, others resume at xtrap_resume. */
#include "test.h"

	.section .text.init
	.globl _start
_start:
	csrr	t0, mhartid
	bnez	t0, park
	la	sp, __stack_top
	la	t0, trap_entry
	csrw	mtvec, t0
	la	t0, __trap_stack_top
	csrw	mscratch, t0
	/* PMP entry 15: NAPOT over all memory, RWX, so S/U can run; 0..14 stay free. */
	li	t0, -1
	csrw	pmpaddr15, t0
	li	t0, 0x1f << 56
	csrw	pmpcfg2, t0
	/* FS = Initial so compiled code may use the FPU. */
	li	t0, MSTATUS_FS_INITIAL
	csrs	mstatus, t0
	csrwi	fcsr, 0
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	li	a0, 0
	call	main
	call	exit
/* Harts != 0 wait for main to publish secondary_entry (t_smp), then run it
 * on a 4 KiB stack of their own with a0 = hartid.  The trap handlers keep
 * one scratch stack, so only hart 0 may take traps. */
park:	la	t1, secondary_entry
1:	ld	t2, 0(t1)
	bnez	t2, 2f
	nop
	j	1b
2:	la	sp, smp_stacks
	addi	t3, t0, 1
	slli	t3, t3, 12
	add	sp, sp, t3
	mv	a0, t0
	jr	t2

	.data
	.balign	8
	.globl	secondary_entry
secondary_entry: .dword 0
	.bss
	.balign	16
smp_stacks: .space 4096 * 8
	.text

/* Asm tests end with `j pass` / `j fail` (case number in gp); both go back to M first. */
	.globl	pass, fail
pass:	li	a7, GOTO_M_MAGIC
	ecall
	la	sp, __stack_top
	call	test_pass
fail:	li	a7, GOTO_M_MAGIC
	ecall
	la	sp, __stack_top
	mv	a0, gp
	call	test_fail

/* Save all GPRs (except sp) on the trap stack; sp swapped with xSCRATCH. */
.macro SAVE_REGS
	addi	sp, sp, -32*8
	.irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\r, \r*8(sp)
	.endr
.endm
.macro RESTORE_REGS
	.irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\r, \r*8(sp)
	.endr
	addi	sp, sp, 32*8
.endm

/* M-mode handler. Order: record; hook; resume point; "back to M" ecall; else fail. */
	.text
	.balign	64
	.globl	trap_entry
trap_entry:
	csrrw	sp, mscratch, sp
	SAVE_REGS
	csrr	t0, mcause
	csrr	t1, mtval
	csrr	t2, mepc
	csrr	t3, mstatus
	la	t4, trap_cause
	sd	t0, 0(t4)
	sd	t1, 8(t4)		/* trap_tval */
	sd	t2, 16(t4)		/* trap_epc */
	sd	t3, 24(t4)		/* trap_status */
	ld	t5, 32(t4)		/* trap_count++ */
	addi	t5, t5, 1
	sd	t5, 32(t4)
	bltz	t0, 1f
	li	t5, 8			/* ecall from U/S/M with a7 == GOTO_M_MAGIC: back to M */
	bltu	t0, t5, 1f
	li	t5, 11
	bgtu	t0, t5, 1f
	ld	t5, 17*8(sp)
	li	t6, GOTO_M_MAGIC
	bne	t5, t6, 1f
	addi	t2, t2, 4
	csrw	mepc, t2
	li	t5, MSTATUS_MPP
	csrs	mstatus, t5
	j	m_out
1:	bgez	t0, 2f			/* trap_hook(frame): interrupts only */
	ld	t5, 40(t4)
	beqz	t5, 2f
	mv	a0, sp
	jalr	t5
	j	m_out
2:	ld	t5, 48(t4)		/* trap_resume: one-shot continuation */
	beqz	t5, m_bad
	sd	zero, 48(t4)
	andi	t6, t5, 1		/* bit 0 set: continue in M-mode */
	beqz	t6, 3f
	li	t6, MSTATUS_MPP
	csrs	mstatus, t6
	andi	t5, t5, -2
3:	csrw	mepc, t5
m_out:
	RESTORE_REGS
	csrrw	sp, mscratch, sp
	mret
m_bad:	la	sp, __stack_top
	mv	a0, t0
	mv	a1, t2
	mv	a2, t1
	mv	a3, gp			/* gp = current test number */
	call	unexpected_trap

/* S-mode handler: same bookkeeping in strap_* variables, resume at strap_resume. */
	.balign	64
	.globl	strap_entry
strap_entry:
	csrrw	sp, sscratch, sp
	SAVE_REGS
	csrr	t0, scause
	csrr	t1, stval
	csrr	t2, sepc
	csrr	t3, sstatus
	la	t4, strap_cause
	sd	t0, 0(t4)
	sd	t1, 8(t4)
	sd	t2, 16(t4)
	sd	t3, 24(t4)
	ld	t5, 32(t4)
	addi	t5, t5, 1
	sd	t5, 32(t4)
	bgez	t0, 1f			/* strap_hook(frame): interrupts only */
	ld	t5, 40(t4)
	beqz	t5, 1f
	mv	a0, sp
	jalr	t5
	j	s_out
1:	ld	t5, 48(t4)
	beqz	t5, s_bad
	sd	zero, 48(t4)
	csrw	sepc, t5
s_out:
	RESTORE_REGS
	csrrw	sp, sscratch, sp
	sret
s_bad:	/* unexpected S trap: report through M by an ecall-free path */
	mv	a0, t0
	mv	a1, t2
	mv	a2, t1
	mv	a3, gp
	la	sp, __strap_stack_top
	call	unexpected_strap

	.data
	.balign	8
	.globl	trap_cause, trap_tval, trap_epc, trap_status, trap_count, trap_hook, trap_resume
trap_cause:	.dword 0
trap_tval:	.dword 0
trap_epc:	.dword 0
trap_status:	.dword 0
trap_count:	.dword 0
trap_hook:	.dword 0
trap_resume:	.dword 0
	.globl	strap_cause, strap_tval, strap_epc, strap_status, strap_count, strap_hook, strap_resume
strap_cause:	.dword 0
strap_tval:	.dword 0
strap_epc:	.dword 0
strap_status:	.dword 0
strap_count:	.dword 0
strap_hook:	.dword 0
strap_resume:	.dword 0
