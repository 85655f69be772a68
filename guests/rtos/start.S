/* start.S - entry and trap vector of the rtos guest.  Hart 0 zeroes .bss,
 * takes the one stack and calls rtos_main(a0 = hartid, a1 = device tree, as
 * the board's reset code left them); other harts park with interrupts off.
 * The trap entry saves only what a C call may clobber: the kernel has one
 * stack, no nesting (mstatus.MIE is cleared on entry) and never uses the FPU. */
	.section .text.init
	.globl	_start
_start:
	csrw	mie, zero
	csrr	t0, mhartid
	bnez	t0, park
	la	sp, stack_top
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	la	t0, trap_entry
	csrw	mtvec, t0
	call	rtos_main		/* does not return: it exits the board */
park:
	wfi
	j	park

	.text
	.balign	4			/* mtvec direct mode: low bits are the mode */
trap_entry:
	addi	sp, sp, -128
	sd	ra, 0(sp)
	sd	t0, 8(sp)
	sd	t1, 16(sp)
	sd	t2, 24(sp)
	sd	t3, 32(sp)
	sd	t4, 40(sp)
	sd	t5, 48(sp)
	sd	t6, 56(sp)
	sd	a0, 64(sp)
	sd	a1, 72(sp)
	sd	a2, 80(sp)
	sd	a3, 88(sp)
	sd	a4, 96(sp)
	sd	a5, 104(sp)
	sd	a6, 112(sp)
	sd	a7, 120(sp)
	csrr	a0, mcause
	csrr	a1, mepc
	csrr	a2, mtval
	call	rtos_trap		/* may move mepc (a skipped load) */
	ld	ra, 0(sp)
	ld	t0, 8(sp)
	ld	t1, 16(sp)
	ld	t2, 24(sp)
	ld	t3, 32(sp)
	ld	t4, 40(sp)
	ld	t5, 48(sp)
	ld	t6, 56(sp)
	ld	a0, 64(sp)
	ld	a1, 72(sp)
	ld	a2, 80(sp)
	ld	a3, 88(sp)
	ld	a4, 96(sp)
	ld	a5, 104(sp)
	ld	a6, 112(sp)
	ld	a7, 120(sp)
	addi	sp, sp, 128
	mret

	.bss
	.balign	16
	.space	16384
stack_top:
