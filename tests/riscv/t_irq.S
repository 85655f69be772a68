/* t_irq.S - interrupts: CLINT msip (MSI) and mtimecmp (MTI), software-set SEIP/SSIP/STIP,
 * Sstc stimecmp (menvcfg.STCE) in S-mode, mideleg delegation, global-enable rules per
 * mode, vectored mtvec. Priority order among several pending interrupts is in t_spec.S. */
#include "test.h"
#define CSR_MENVCFG	0x30a
#define CSR_STIMECMP	0x14d
#define STCE		(1 << 63)

/* wait (bounded) until irq_n reaches `count`, else fail */
#define WAIT_IRQ(count) \
	li t0, 2000000; 1: la t1, irq_n; ld t1, 0(t1); li t2, count; bgeu t1, t2, 2f; \
	addi t0, t0, -1; bnez t0, 1b; j fail; 2:
#define CHECK_LOG(i, cause) la t0, irq_log; ld t0, (i)*8(t0); li t1, cause; bne t0, t1, fail
#define RESET_LOG la t0, irq_n; sd zero, 0(t0)

	.text
	.globl main
main:
	la	t0, strap_entry
	csrw	stvec, t0
	la	t0, __strap_stack_top
	csrw	sscratch, t0
	la	t0, m_irq_hook
	la	t1, trap_hook
	sd	t0, 0(t1)
	la	t0, s_irq_hook
	la	t1, strap_hook
	sd	t0, 0(t1)
	csrw	mideleg, zero
	csrw	mie, zero
	li	t0, -1
	li	t1, CLINT_MTIMECMP
	sd	t0, 0(t1)

	/* 1: machine software interrupt through CLINT msip */
	li	TESTNUM, 1
	RESET_LOG
	li	t0, CLINT_MSIP
	li	t1, 1
	sw	t1, 0(t0)
	TEST_CASE(2, a0, 8, csrr a0, mip; andi a0, a0, 8)	/* MSIP visible in mip */
	csrsi	mie, 8
	csrsi	mstatus, MSTATUS_MIE
	WAIT_IRQ(1)
	CHECK_LOG(0, CAUSE_INT(IRQ_MSI))
	csrci	mstatus, MSTATUS_MIE
	TEST_CASE(3, a0, 0, csrr a0, mip; andi a0, a0, 8)

	/* 4: machine timer interrupt: mtimecmp = mtime + 2000 (200 us) */
	li	TESTNUM, 4
	RESET_LOG
	li	t0, CLINT_MTIME
	ld	t1, 0(t0)
	addi	t1, t1, 2000
	li	t0, CLINT_MTIMECMP
	sd	t1, 0(t0)
	li	t0, 1 << IRQ_MTI
	csrw	mie, t0
	csrsi	mstatus, MSTATUS_MIE
	WAIT_IRQ(1)
	CHECK_LOG(0, CAUSE_INT(IRQ_MTI))
	csrci	mstatus, MSTATUS_MIE
	TEST_CASE(5, a0, 0, csrr a0, mip; andi a0, a0, 1 << IRQ_MTI)	/* cleared by mtimecmp = -1 */
	/* 6: MTIP follows mtime >= mtimecmp even with interrupts off */
	li	TESTNUM, 6
	csrw	mie, zero
	li	t0, CLINT_MTIMECMP
	sd	zero, 0(t0)
	TEST_CASE(7, a0, 1 << IRQ_MTI, csrr a0, mip; andi a0, a0, 1 << IRQ_MTI)
	li	t1, -1
	sd	t1, 0(t0)

	/* 8: M-level interrupts are taken in S/U even when mstatus.MIE = 0 */
	li	TESTNUM, 8
	RESET_LOG
	csrci	mstatus, MSTATUS_MIE
	csrsi	mie, 8
	li	t0, CLINT_MSIP
	li	t1, 1
	sw	t1, 0(t0)
	li	a0, 1000
1:	addi	a0, a0, -1
	bnez	a0, 1b
	TEST_CASE(9, a0, 0, la a0, irq_n; ld a0, 0(a0))		/* not taken in M */
	GOTO_MODE(PRV_U)
	WAIT_IRQ(1)
	GOTO_M
	CHECK_LOG(0, CAUSE_INT(IRQ_MSI))
	csrw	mie, zero

	/* 10: SEIP/SSIP/STIP set by M software, not delegated: taken in M from S */
	li	TESTNUM, 10
	RESET_LOG
	li	t0, (1 << IRQ_SEI)
	csrs	mip, t0
	csrs	mie, t0
	GOTO_MODE(PRV_S)
	WAIT_IRQ(1)
	GOTO_M
	CHECK_LOG(0, CAUSE_INT(IRQ_SEI))
	RESET_LOG
	li	t0, (1 << IRQ_SSI)
	csrw	mie, t0
	csrs	mip, t0
	csrsi	mstatus, MSTATUS_MIE
	WAIT_IRQ(1)
	CHECK_LOG(0, CAUSE_INT(IRQ_SSI))
	csrci	mstatus, MSTATUS_MIE

	/* 12: delegated SSI goes to S; not taken while in M; taken in S only with SIE */
	li	TESTNUM, 12
	RESET_LOG
	li	t0, (1 << IRQ_SSI) | (1 << IRQ_STI) | (1 << IRQ_SEI)
	csrw	mideleg, t0
	csrw	mie, t0
	csrsi	mstatus, MSTATUS_MIE
	csrsi	mip, 1 << IRQ_SSI
	li	a0, 1000
1:	addi	a0, a0, -1
	bnez	a0, 1b
	TEST_CASE(13, a0, 0, la a0, irq_n; ld a0, 0(a0))	/* M never takes S interrupts */
	csrci	mstatus, MSTATUS_MIE
	csrci	sstatus, MSTATUS_SIE
	GOTO_MODE(PRV_S)
	li	a0, 1000
1:	addi	a0, a0, -1
	bnez	a0, 1b
	TEST_CASE(14, a0, 0, la a0, irq_n; ld a0, 0(a0))	/* SIE = 0 in S: held */
	csrsi	sstatus, MSTATUS_SIE
	WAIT_IRQ(1)
	CHECK_LOG(0, CAUSE_INT(IRQ_SSI))
	csrci	sstatus, MSTATUS_SIE
	/* 15: in U, delegated S interrupts are taken regardless of SIE */
	li	TESTNUM, 15
	RESET_LOG
	csrsi	sip, 1 << IRQ_SSI
	GOTO_MODE_U_FROM_S
	WAIT_IRQ(1)
	GOTO_M
	CHECK_LOG(0, CAUSE_INT(IRQ_SSI))

	/* 16: Sstc: S-mode timer via stimecmp, delegated */
	li	TESTNUM, 16
	RESET_LOG
	li	t0, STCE
	csrs	CSR_MENVCFG, t0
	li	t0, 2				/* mcounteren.TM: S may access stimecmp/time */
	csrw	mcounteren, t0
	li	t0, -1
	csrw	CSR_STIMECMP, t0
	TEST_CASE(17, a0, 0, csrr a0, mip; andi a0, a0, 1 << IRQ_STI)
	csrw	CSR_STIMECMP, zero		/* time >= 0: STIP pending at once */
	TEST_CASE(18, a0, 1 << IRQ_STI, csrr a0, mip; andi a0, a0, 1 << IRQ_STI)
	li	t0, -1
	csrw	CSR_STIMECMP, t0
	TEST_CASE(19, a0, 0, csrr a0, mip; andi a0, a0, 1 << IRQ_STI)
	GOTO_MODE(PRV_S)
	csrr	t1, time
	addi	t1, t1, 2000
	csrw	CSR_STIMECMP, t1
	csrsi	sstatus, MSTATUS_SIE
	WAIT_IRQ(1)
	csrci	sstatus, MSTATUS_SIE
	GOTO_M
	CHECK_LOG(0, CAUSE_INT(IRQ_STI))
	li	t0, STCE
	csrc	CSR_MENVCFG, t0
	csrw	mideleg, zero
	csrw	mie, zero

	/* 20: vectored mtvec: interrupt cause n at base + 4n, exceptions at base */
	li	TESTNUM, 20
	RESET_LOG
	la	t0, vectors + 1
	csrw	mtvec, t0
	li	t1, CLINT_MSIP
	li	t2, 1
	sw	t2, 0(t1)
	csrsi	mie, 8
	csrsi	mstatus, MSTATUS_MIE
	WAIT_IRQ(1)
	csrci	mstatus, MSTATUS_MIE
	TEST_CASE(21, a0, 3, la a0, vec_hit; ld a0, 0(a0))		/* entry 3 used */
	TEST_TRAP(22, CAUSE_BREAKPOINT, ebreak)
	TEST_CASE(23, a0, 0, la a0, vec_hit; ld a0, 0(a0))		/* entry 0 for exceptions */
	la	t0, trap_entry
	csrw	mtvec, t0
	csrw	mie, zero
	TEST_PASS

/* Interrupt hooks, called by the crt0 handlers: log the cause, silence its source. */
#define LOG(reg) la t1, irq_n; ld t2, 0(t1); addi t3, t2, 1; sd t3, 0(t1); \
	la t1, irq_log; andi t2, t2, 7; slli t2, t2, 3; add t1, t1, t2; sd reg, 0(t1)
m_irq_hook:
	csrr	t0, mcause
	LOG(t0)
	andi	t0, t0, 0x3f
	li	t1, IRQ_MSI
	bne	t0, t1, 1f
	li	t1, CLINT_MSIP
	sw	zero, 0(t1)
1:	li	t1, IRQ_MTI
	bne	t0, t1, 1f
	li	t1, CLINT_MTIMECMP
	li	t2, -1
	sd	t2, 0(t1)
1:	li	t1, IRQ_SEI
	bne	t0, t1, 1f
	li	t1, 1 << IRQ_SEI
	csrc	mip, t1
1:	li	t1, IRQ_SSI
	bne	t0, t1, 1f
	csrci	mip, 1 << IRQ_SSI
1:	li	t1, IRQ_STI
	bne	t0, t1, 1f
	li	t1, -1
	csrw	CSR_STIMECMP, t1
	li	t1, 1 << IRQ_STI
	csrc	mip, t1
1:	ret
s_irq_hook:
	csrr	t0, scause
	LOG(t0)
	andi	t0, t0, 0x3f
	li	t1, IRQ_SSI
	bne	t0, t1, 1f
	csrci	sip, 1 << IRQ_SSI
1:	li	t1, IRQ_STI
	bne	t0, t1, 1f
	li	t1, -1
	csrw	CSR_STIMECMP, t1
1:	ret

/* Vectored table: entry n records n in vec_hit, then runs the common crt0 handler. */
	.balign	64
vectors:
	.option push
	.option norvc
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11
	j	vec_\n
	.endr
	.option pop
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11
vec_\n:	csrrw	sp, mscratch, sp
	sd	t0, -8(sp)
	sd	t1, -16(sp)
	la	t0, vec_hit
	li	t1, \n
	sd	t1, 0(t0)
	ld	t0, -8(sp)
	ld	t1, -16(sp)
	csrrw	sp, mscratch, sp
	j	trap_entry
	.endr

	.data
	.balign 8
	.globl	irq_n, irq_log
irq_n:	.dword 0
irq_log: .dword 0, 0, 0, 0, 0, 0, 0, 0
vec_hit: .dword -1
