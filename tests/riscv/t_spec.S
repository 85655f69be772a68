/* t_spec.S - spec points where QEMU 7.2 deviates (so this file FAILS on QEMU, by design):
 * interrupt priority, MPRV cleared by xRET below M, mepc/sepc bit 0, pmpaddr WARL width,
 * MPP WARL, access fault for an unbacked root table, AMO misaligned/access fault causes. */
#include "test.h"
#define CSR_MENVCFG	0x30a
#define CSR_STIMECMP	0x14d

/* Non-fatal check: every deviation is reported ("FAIL n (continuing)"), then exit != 0. */
#define SOFT(n, reg, expect) li t6, expect; beq reg, t6, 200f; mv a1, reg; li a0, n; call soft_fail; 200:
#define SOFT_TRAP(n, cause, tvalreg, insn...) \
	ON_TRAP(201f); insn; 201: la t5, trap_cause; ld a1, 0(t5); SOFT(n, a1, cause); \
	la t5, trap_tval; ld a1, 0(t5); beq a1, tvalreg, 202f; li a0, n + 100; call soft_fail; 202:

	.text
	.globl main
main:
	csrw	mideleg, zero
	csrw	medeleg, zero
	la	t0, irq_hook
	la	t1, trap_hook
	sd	t0, 0(t1)

	/* 1: priority MEI > MSI > MTI > SEI > SSI > STI (QEMU: lowest cause number first).
	 * MEI needs a PLIC source, so the five others are pended together, then enabled. */
	csrci	mstatus, MSTATUS_MIE
	li	t0, CLINT_MSIP
	li	t1, 1
	sw	t1, 0(t0)			/* MSI */
	li	t0, CLINT_MTIMECMP
	sd	zero, 0(t0)			/* MTI */
	li	t0, (1 << IRQ_SEI) | (1 << IRQ_SSI) | (1 << IRQ_STI)
	csrs	mip, t0				/* SEI, SSI, STI (menvcfg.STCE = 0: STIP writable) */
	li	t0, 0xaaa
	csrw	mie, t0
	csrsi	mstatus, MSTATUS_MIE		/* all five are taken here, one by one */
	nop
	csrci	mstatus, MSTATUS_MIE
	csrw	mie, zero
	la	s1, irq_log
	ld	a1, 0(s1)
	SOFT(1, a1, CAUSE_INT(IRQ_MSI))
	ld	a1, 8(s1)
	SOFT(2, a1, CAUSE_INT(IRQ_MTI))
	ld	a1, 16(s1)
	SOFT(3, a1, CAUSE_INT(IRQ_SEI))
	ld	a1, 24(s1)
	SOFT(4, a1, CAUSE_INT(IRQ_SSI))
	ld	a1, 32(s1)
	SOFT(5, a1, CAUSE_INT(IRQ_STI))

	/* 10: mret to S (and U) clears MPRV (QEMU leaves it set) */
	li	t0, MSTATUS_MPRV
	csrs	mstatus, t0
	GOTO_MODE(PRV_S)
	GOTO_M
	csrr	a1, mstatus
	li	t0, MSTATUS_MPRV
	and	a1, a1, t0
	SOFT(10, a1, 0)
	csrs	mstatus, t0
	GOTO_MODE(PRV_U)
	GOTO_M
	csrr	a1, mstatus
	li	t0, MSTATUS_MPRV
	and	a1, a1, t0
	SOFT(11, a1, 0)
	/* 12: mret to M keeps MPRV */
	csrs	mstatus, t0
	GOTO_MODE(PRV_M)
	csrr	a1, mstatus
	and	a1, a1, t0
	SOFT(12, a1, MSTATUS_MPRV)
	csrc	mstatus, t0

	/* 20: mepc/sepc bit 0 is always zero (QEMU keeps it) */
	li	t0, 0x80000001
	csrw	mepc, t0
	csrr	a1, mepc
	SOFT(20, a1, 0x80000000)
	csrw	sepc, t0
	csrr	a1, sepc
	SOFT(21, a1, 0x80000000)

	/* 30: pmpaddr is WARL with 54 implemented bits (QEMU keeps all 64) */
	li	t0, -1
	csrw	pmpaddr13, t0
	csrr	a1, pmpaddr13
	SOFT(30, a1, 0x003fffffffffffff)
	csrw	pmpaddr13, zero

	/* 31: mstatus.MPP is WARL: 2 (no H) is not kept (QEMU keeps it) */
	li	t0, MSTATUS_MPP
	csrc	mstatus, t0
	li	t0, 2 << 11
	csrs	mstatus, t0
	csrr	a1, mstatus
	srli	a1, a1, 11
	andi	a1, a1, 3
	xori	a1, a1, 2
	snez	a1, a1
	SOFT(31, a1, 1)
	li	t0, MSTATUS_MPP
	csrs	mstatus, t0

	/* 40: a root page table in unbacked memory: access fault (QEMU: page fault) */
	li	t0, (8 << 60) | (0x1000000 >> 12)
	csrw	satp, t0
	sfence.vma
	li	t0, MSTATUS_MPP
	csrc	mstatus, t0
	ON_TRAP(1f)	/* before MPRV: its own store must not be translated */
	li	t0, MSTATUS_MPP_S | MSTATUS_MPRV
	csrs	mstatus, t0
	li	s1, 0x1000
	ld	a1, 0(s1)
1:	li	t0, MSTATUS_MPRV
	csrc	mstatus, t0
	csrw	satp, zero
	sfence.vma
	la	t5, trap_cause
	ld	a1, 0(t5)
	SOFT(40, a1, CAUSE_LOAD_ACCESS)
	la	t5, trap_tval
	ld	a1, 0(t5)
	SOFT(41, a1, 0x1000)
	li	t0, MSTATUS_MPP
	csrs	mstatus, t0

	/* 50: misaligned AMO/LR/SC: store/AMO address misaligned, mtval = address (QEMU: cause 4) */
	la	s1, amo + 4
	SOFT_TRAP(50, CAUSE_MISALIGNED_STORE, s1, amoadd.d a0, a2, (s1))
	la	s1, amo + 2
	SOFT_TRAP(51, CAUSE_MISALIGNED_STORE, s1, amoswap.w a0, a2, (s1))
	la	s1, amo + 1
	SOFT_TRAP(52, CAUSE_MISALIGNED_STORE, s1, sc.w a0, a2, (s1))
	la	s1, amo + 4
	/* LR is a load: load address misaligned (as the Sail model and Spike) */
	SOFT_TRAP(53, CAUSE_MISALIGNED_LOAD, s1, lr.d a0, (s1))
	/* 54: AMO to unbacked memory: store/AMO access fault (QEMU: load access fault) */
	li	s1, 0x1000000
	SOFT_TRAP(54, CAUSE_STORE_ACCESS, s1, amoadd.w a0, a2, (s1))

	call	soft_done

/* Log interrupt causes and silence each source. */
irq_hook:
	csrr	t0, mcause
	la	t1, irq_n
	ld	t2, 0(t1)
	addi	t3, t2, 1
	sd	t3, 0(t1)
	andi	t2, t2, 7
	slli	t2, t2, 3
	la	t1, irq_log
	add	t1, t1, t2
	sd	t0, 0(t1)
	andi	t0, t0, 0x3f
	li	t1, IRQ_MSI
	bne	t0, t1, 1f
	li	t1, CLINT_MSIP
	sw	zero, 0(t1)
	ret
1:	li	t1, IRQ_MTI
	bne	t0, t1, 1f
	li	t1, CLINT_MTIMECMP
	li	t2, -1
	sd	t2, 0(t1)
	ret
1:	li	t1, 1
	sll	t1, t1, t0
	csrc	mip, t1				/* SEI/SSI/STI: software-set bits */
	ret

	.data
	.balign 8
irq_n:	.dword 0
irq_log: .dword 0, 0, 0, 0, 0, 0, 0, 0
amo:	.dword 0, 0
