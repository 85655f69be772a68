/* t_csr.S - Zicsr and machine/supervisor CSRs: csrrw/s/c(i) semantics, read-only and
 * nonexistent CSRs, privilege checks by CSR address, the sstatus/sie/sip views of mstatus/
 * mie/mip, misa/mhartid, and Zicntr counters with mcounteren/scounteren gating. */
#include "test.h"
	.text
	.globl main
main:
	la	t0, strap_entry
	csrw	stvec, t0
	la	t0, __strap_stack_top
	csrw	sscratch, t0
	/* the six CSR instructions, on mscratch (the trap stack pointer: saved in s11) */
	csrr	s11, mscratch
	TEST_CASE(1, a0, 0, csrw mscratch, zero; li a1, 0xf0; csrrw a0, mscratch, a1)
	TEST_CASE(2, a0, 0xf0, li a1, 0x0f; csrrs a0, mscratch, a1)
	TEST_CASE(3, a0, 0xff, li a1, 0xf0; csrrc a0, mscratch, a1)
	TEST_CASE(4, a0, 0x0f, csrrwi a0, mscratch, 0x1f)
	TEST_CASE(5, a0, 0x1f, csrrsi a0, mscratch, 0x20 - 1; csrrci a0, mscratch, 0x3)
	TEST_CASE(6, a0, 0x1c, csrr a0, mscratch)
	TEST_CASE(7, a0, 0x1c, csrrs a0, mscratch, x0)	/* rs1 = x0: no write */
	TEST_CASE(8, a0, 0x1c, csrrsi a0, mscratch, 0; csrrci a0, mscratch, 0)
	TEST_CASE(9, a1, 5, li a1, 5; csrw mscratch, a1; csrrw a1, mscratch, a1)	/* rd == rs1 */
	csrw	mscratch, s11
	/* identification CSRs */
	TEST_CASE(10, a0, 0, csrr a0, mhartid)
	TEST_CASE(11, a0, 2, csrr a0, misa; srli a0, a0, 62)			/* MXL = 64 */
	li	t0, (1<<0)|(1<<2)|(1<<3)|(1<<5)|(1<<8)|(1<<12)|(1<<18)|(1<<20)	/* A C D F I M S U */
	TEST_CASE(12, a0, 0, csrr a0, misa; and a0, a0, t0; xor a0, a0, t0)
	csrr	a0, mvendorid
	csrr	a0, marchid
	csrr	a0, mimpid
	/* writes to read-only CSRs are illegal, reads are fine; mtval = the instruction */
	TEST_TRAP(20, CAUSE_ILLEGAL, csrw mvendorid, zero)
	TEST_TRAP(21, CAUSE_ILLEGAL, 1: csrrs a0, mhartid, sp)
	la	t0, 1b
	lwu	t0, 0(t0)
	CHECK_TRAP_R(CAUSE_ILLEGAL, t0)
	TEST_TRAP(22, CAUSE_ILLEGAL, csrrwi zero, cycle, 0)		/* user counters are read-only */
	TEST_TRAP(23, CAUSE_ILLEGAL, csrrci a0, instret, 1)
	TEST_TRAP(24, CAUSE_ILLEGAL, csrw time, zero)
	TEST_CASE(25, a0, 0, csrrc a0, mhartid, x0)			/* no write: legal */
	/* nonexistent CSRs */
	TEST_TRAP(26, CAUSE_ILLEGAL, csrr a0, 0x7ff)
	TEST_TRAP(27, CAUSE_ILLEGAL, csrr a0, 0x5ff)
	TEST_TRAP(28, CAUSE_ILLEGAL, csrr a0, 0x0ff)

	/* sstatus is a view of mstatus */
	li	s1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR
	csrc	mstatus, s1
	TEST_CASE(30, a0, MSTATUS_SIE, csrsi sstatus, MSTATUS_SIE; csrr a0, mstatus; and a0, a0, s1)
	TEST_CASE(31, a0, 0, li a1, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM; \
		csrs mstatus, a1; csrr a0, sstatus; and a0, a0, a1; csrc mstatus, a1)	/* M bits hidden */
	TEST_CASE(32, a0, MSTATUS_SUM | MSTATUS_MXR, li a1, MSTATUS_SUM | MSTATUS_MXR; csrw sstatus, a1; \
		csrr a0, mstatus; and a0, a0, s1)
	TEST_CASE(33, a0, 0, li a1, MSTATUS_MIE; csrs sstatus, a1; csrr a0, mstatus; and a0, a0, a1)	/* not writable via sstatus */
	csrc	mstatus, s1
	TEST_CASE(34, a0, 2, csrr a0, mstatus; srli a0, a0, 32; andi a0, a0, 3)		/* UXL = 64 */
	TEST_CASE(35, a0, 2, csrr a0, sstatus; srli a0, a0, 32; andi a0, a0, 3)
	TEST_CASE(36, a0, 2, csrr a0, mstatus; srli a0, a0, 34; andi a0, a0, 3)		/* SXL = 64 */
	/* MPP WARL (2 is not kept) is in t_spec.S: QEMU 7.2 keeps it */
	/* sie/sip show only what mideleg delegates */
	csrw	mideleg, zero
	csrw	mie, zero
	TEST_CASE(40, a0, 0, li a1, 0x222; csrw sie, a1; csrr a0, mie)
	li	t0, 0x222
	csrw	mideleg, t0
	TEST_CASE(41, a0, 0x222, csrr a0, mideleg; andi a0, a0, 0x2aa)	/* QEMU also shows VS bits (H) */
	TEST_CASE(42, a0, 0x222, li a1, 0xaaa; csrw sie, a1; csrr a0, mie)
	TEST_CASE(43, a0, 0x222, csrr a0, sie)
	TEST_CASE(44, a0, 0x2, csrsi sip, 2; csrr a0, mip; andi a0, a0, 0x2)	/* SSIP via sip */
	TEST_CASE(45, a0, 0, csrci sip, 2; csrr a0, mip; andi a0, a0, 0x2)
	TEST_CASE(46, a0, 0x80, csrw mie, zero; li a1, 0x80; csrs mie, a1; csrr a0, mie; csrr a1, sie; or a0, a0, a1)
	csrw	mie, zero
	csrw	mideleg, zero
	TEST_CASE(47, a0, 0, csrr a0, sie)
	/* mtvec/stvec: direct (0) and vectored (1) modes are kept */
	TEST_CASE(50, a0, 0x80000101, li a1, 0x80000101; csrrw s2, mtvec, a1; csrr a0, mtvec; csrw mtvec, s2)
	TEST_CASE(51, a0, 0x80000201, li a1, 0x80000201; csrw stvec, a1; csrr a0, stvec)
	la	t0, strap_entry
	csrw	stvec, t0
	/* mepc/sepc: bit 0 always reads zero (see t_spec.S for the QEMU deviation) */
	TEST_CASE(52, a0, 0x80000002, li a1, 0x80000002; csrw sepc, a1; csrr a0, sepc)
	/* scause/stval/sscratch are plain read-write */
	TEST_CASE(53, a0, 0x1234, li a1, 0x1234; csrw sscratch, a1; csrr a0, sscratch; la t0, __strap_stack_top; csrw sscratch, t0)

	/* counters: in M they always work, and advance */
	TEST_CASE(60, a0, 1, csrr a1, cycle; csrr a2, instret; nop; nop; csrr a3, instret; sltu a0, a2, a3)
	TEST_CASE(61, a0, 1, csrr a1, time; li a2, 20000; 1: addi a2, a2, -1; bnez a2, 1b; csrr a3, time; sltu a0, a1, a3)
	TEST_CASE(62, a0, 1, li a1, CLINT_MTIME; ld a1, 0(a1); csrr a2, time; sub a0, a2, a1; li t0, 10000; sltu a0, a0, t0) /* time == mtime */
	TEST_CASE(63, a0, 1, csrr a1, mcycle; csrr a2, cycle; sltu a0, a1, a2)
	/* loose bounds: without -icount QEMU's instret counts host ticks */
	TEST_CASE(64, a0, 1, li a1, 1000000000; csrw minstret, a1; csrr a2, minstret; sub a2, a2, a1; li t0, 1000000; sltu a0, a2, t0) /* writable */
	TEST_CASE(65, a0, 1, csrr a1, instret; csrr a2, minstret; sub a2, a2, a1; li t0, 1000000; sltu a0, a2, t0)
	/* mcounteren gates S and U; scounteren additionally gates U */
	csrw	mcounteren, zero
	csrw	scounteren, zero
	GOTO_MODE(PRV_S)
	TEST_TRAP(70, CAUSE_ILLEGAL, csrr a0, cycle)
	TEST_TRAP(71, CAUSE_ILLEGAL, csrr a0, time)
	TEST_TRAP(72, CAUSE_ILLEGAL, csrr a0, instret)
	GOTO_M
	li	t0, 7
	csrw	mcounteren, t0
	GOTO_MODE(PRV_S)
	TEST_CASE(73, a0, 1, csrr a1, cycle; csrr a1, time; csrr a1, instret; li a0, 1)
	TEST_CASE(74, a0, 5, li a0, 5; csrw scounteren, a0; csrr a0, scounteren)	/* S may read/write scounteren */
	TEST_TRAP(75, CAUSE_ILLEGAL, csrr a0, mcounteren)
	GOTO_MODE_U_FROM_S
	TEST_CASE(76, a0, 1, csrr a1, cycle; csrr a1, instret; li a0, 1)	/* CY, IR enabled in both */
	TEST_TRAP(77, CAUSE_ILLEGAL, csrr a0, time)				/* TM off in scounteren */
	GOTO_M
	li	t0, 2
	csrw	mcounteren, t0			/* only TM for S; scounteren still CY|IR */
	GOTO_MODE(PRV_U)
	TEST_TRAP(78, CAUSE_ILLEGAL, csrr a0, cycle)	/* mcounteren off wins */
	TEST_TRAP(79, CAUSE_ILLEGAL, csrr a0, time)	/* scounteren off */
	GOTO_M

	/* privilege of CSR addresses: U can't touch S or M CSRs, S can't touch M CSRs */
	GOTO_MODE(PRV_U)
	TEST_TRAP(80, CAUSE_ILLEGAL, csrr a0, sstatus)
	TEST_TRAP(81, CAUSE_ILLEGAL, csrr a0, mstatus)
	TEST_TRAP(82, CAUSE_ILLEGAL, csrw sscratch, zero)
	TEST_TRAP(83, CAUSE_ILLEGAL, csrr a0, satp)
	GOTO_M
	GOTO_MODE(PRV_S)
	TEST_TRAP(84, CAUSE_ILLEGAL, csrr a0, mstatus)
	TEST_TRAP(85, CAUSE_ILLEGAL, csrr a0, mscratch)
	TEST_TRAP(86, CAUSE_ILLEGAL, csrr a0, mhartid)
	TEST_TRAP(87, CAUSE_ILLEGAL, csrw medeleg, zero)
	TEST_CASE(88, a0, 0x55, li a1, 0x55; csrw sscratch, a1; csrr a0, sscratch)
	la	t0, __strap_stack_top
	csrw	sscratch, t0
	GOTO_M
	TEST_PASS


