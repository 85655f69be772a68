/* test.h - constants and a small riscv-tests-style macro framework for cairn's guest tests.
 * Assembly tests keep the current case number in gp (TESTNUM) and `j fail` on a mismatch;
 * lib.c prints "PASS" or "FAIL n" and stops through the SiFive test finisher. */
#ifndef CAIRN_TEST_H
#define CAIRN_TEST_H

#define UART_BASE	0x10000000
#define FINISHER_BASE	0x100000
#define CLINT_BASE	0x2000000
#define CLINT_MSIP	(CLINT_BASE + 0x0)
#define CLINT_MTIMECMP	(CLINT_BASE + 0x4000)
#define CLINT_MTIME	(CLINT_BASE + 0xbff8)

#define MSTATUS_SIE	(1 << 1)
#define MSTATUS_MIE	(1 << 3)
#define MSTATUS_SPIE	(1 << 5)
#define MSTATUS_MPIE	(1 << 7)
#define MSTATUS_SPP	(1 << 8)
#define MSTATUS_MPP	(3 << 11)
#define MSTATUS_MPP_S	(1 << 11)
#define MSTATUS_FS	(3 << 13)
#define MSTATUS_FS_INITIAL (1 << 13)
#define MSTATUS_FS_CLEAN   (2 << 13)
#define MSTATUS_FS_DIRTY   (3 << 13)
#define MSTATUS_MPRV	(1 << 17)
#define MSTATUS_SUM	(1 << 18)
#define MSTATUS_MXR	(1 << 19)
#define MSTATUS_TVM	(1 << 20)
#define MSTATUS_TW	(1 << 21)
#define MSTATUS_TSR	(1 << 22)

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

#define CAUSE_MISALIGNED_FETCH	0
#define CAUSE_FETCH_ACCESS	1
#define CAUSE_ILLEGAL		2
#define CAUSE_BREAKPOINT	3
#define CAUSE_MISALIGNED_LOAD	4
#define CAUSE_LOAD_ACCESS	5
#define CAUSE_MISALIGNED_STORE	6
#define CAUSE_STORE_ACCESS	7
#define CAUSE_ECALL_U		8
#define CAUSE_ECALL_S		9
#define CAUSE_ECALL_M		11
#define CAUSE_FETCH_PAGE	12
#define CAUSE_LOAD_PAGE		13
#define CAUSE_STORE_PAGE	15
#define IRQ_SSI 1
#define IRQ_MSI 3
#define IRQ_STI 5
#define IRQ_MTI 7
#define IRQ_SEI 9
#define IRQ_MEI 11
#define CAUSE_INT(n)	(0x8000000000000000 | (n))

#define PTE_V (1 << 0)
#define PTE_R (1 << 1)
#define PTE_W (1 << 2)
#define PTE_X (1 << 3)
#define PTE_U (1 << 4)
#define PTE_G (1 << 5)
#define PTE_A (1 << 6)
#define PTE_D (1 << 7)

/* a7 value that makes an ecall from any mode return to M-mode right after the ecall. */
#define GOTO_M_MAGIC	0xca1

#ifdef __ASSEMBLER__

#define TESTNUM gp

/* ---- control ---- */
#define TEST_PASS	j pass
#define TEST_FAIL	j fail

/* Set the case number, run `code`, compare register `reg` against `expect`. */
#define TEST_CASE(n, reg, expect, code...) \
	li TESTNUM, n; code; li t6, expect; bne reg, t6, fail

/* Arrange for the next trap (any mode into M) to continue at label `lbl`. */
#define ON_TRAP(lbl)	la t6, lbl; la t5, trap_resume; sd t6, 0(t5)
/* ... and continue there in M-mode, whatever mode trapped */
#define ON_TRAP_M(lbl)	la t6, lbl; addi t6, t6, 1; la t5, trap_resume; sd t6, 0(t5)
#define ON_STRAP(lbl)	la t6, lbl; la t5, strap_resume; sd t6, 0(t5)

/* Check the values the M handler recorded: cause, tval. Clobbers t5, t6. */
#define CHECK_TRAP(cause, tval) \
	la t5, trap_cause; ld t5, 0(t5); li t6, cause; bne t5, t6, fail; \
	la t5, trap_tval; ld t5, 0(t5); li t6, tval; bne t5, t6, fail
#define CHECK_CAUSE(cause) \
	la t5, trap_cause; ld t5, 0(t5); li t6, cause; bne t5, t6, fail
#define CHECK_STRAP(cause, tval) \
	la t5, strap_cause; ld t5, 0(t5); li t6, cause; bne t5, t6, fail; \
	la t5, strap_tval; ld t5, 0(t5); li t6, tval; bne t5, t6, fail
/* tval held in a register */
#define CHECK_TRAP_R(cause, treg) \
	la t5, trap_cause; ld t5, 0(t5); li t6, cause; bne t5, t6, fail; \
	la t5, trap_tval; ld t5, 0(t5); bne t5, treg, fail
#define CHECK_EPC_R(reg) la t5, trap_epc; ld t5, 0(t5); bne t5, reg, fail

/* Case n: `insn` must trap with `cause` (tval unchecked); continue after it. */
#define TEST_TRAP(n, cause, insn...) \
	li TESTNUM, n; ON_TRAP(100f); insn; j fail; 100: CHECK_CAUSE(cause)

/* Drop from M to `prv` (PRV_S/PRV_U) and continue at the next instruction. */
#define GOTO_MODE(prv) \
	li t6, MSTATUS_MPP; csrc mstatus, t6; li t6, (prv) << 11; csrs mstatus, t6; \
	la t6, 101f; csrw mepc, t6; mret; 101:
/* From S to U via sret, continuing at the next instruction. */
#define GOTO_MODE_U_FROM_S \
	li t6, MSTATUS_SPP; csrc sstatus, t6; la t6, 101f; csrw sepc, t6; sret; 101:
/* From any mode back to M (default handler), registers preserved except a7. */
#define GOTO_M		li a7, GOTO_M_MAGIC; ecall

/* ---- riscv-tests-style arithmetic checks; operands a1/a2, result a0 ---- */
#define TEST_RR(n, op, exp, v1, v2) \
	TEST_CASE(n, a0, exp, li a1, v1; li a2, v2; op a0, a1, a2)
#define TEST_RI(n, op, exp, v1, imm) \
	TEST_CASE(n, a0, exp, li a1, v1; op a0, a1, imm)
#define TEST_R(n, op, exp, v1) \
	TEST_CASE(n, a0, exp, li a1, v1; op a0, a1)
/* Same-register forms: rd == rs1 */
#define TEST_RR_SRC1(n, op, exp, v1, v2) \
	TEST_CASE(n, a1, exp, li a1, v1; li a2, v2; op a1, a1, a2)
/* Writes to x0 are discarded */
#define TEST_RR_ZERO(n, op, v1, v2) \
	TEST_CASE(n, x0, 0, li a1, v1; li a2, v2; op x0, a1, a2)

/* Loads from label+off */
#define TEST_LD(n, op, exp, lbl, off) \
	TEST_CASE(n, a0, exp, la a1, lbl; op a0, off(a1))
/* Store then load back */
#define TEST_ST(n, sop, lop, exp, val, lbl, off) \
	TEST_CASE(n, a0, exp, la a1, lbl; li a2, val; sop a2, off(a1); lop a0, off(a1))

/* Branch `op` a1,a2: taken? (1/0) */
#define TEST_BR(n, op, taken, v1, v2) \
	TEST_CASE(n, a0, taken, li a1, v1; li a2, v2; li a0, 1; op a1, a2, 102f; li a0, 0; 102:)

/* FP: fd = op fs1, fs2 on 64-bit register patterns (singles must be NaN-boxed by the caller);
 * the 64-bit result is compared bitwise, then fflags */
#define TEST_FP_D(n, op, exp, flags, v1, v2) \
	TEST_CASE(n, a0, exp, li a1, v1; li a2, v2; fmv.d.x fa1, a1; fmv.d.x fa2, a2; \
		fsflags x0; op fa0, fa1, fa2; fmv.x.d a0, fa0); \
	frflags a0; li t6, flags; bne a0, t6, fail
#define TEST_FP_S(n, op, exp, flags, v1, v2) \
	TEST_CASE(n, a0, exp, li a1, v1; li a2, v2; fmv.d.x fa1, a1; fmv.d.x fa2, a2; \
		fsflags x0; op fa0, fa1, fa2; fmv.x.d a0, fa0); \
	frflags a0; li t6, flags; bne a0, t6, fail

#else /* C */

#include <stdint.h>
#include <stddef.h>

void putch(int c);
void puts_(const char *s);
void puthex(uint64_t v);
void putdec(int64_t v);
void printf_(const char *fmt, ...);
void exit(int code) __attribute__((noreturn));
void test_pass(void) __attribute__((noreturn));
void test_fail(long n) __attribute__((noreturn));
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

extern volatile uint64_t trap_cause, trap_tval, trap_epc, trap_status, trap_count;
/* Load (store=0) or store one dword at addr as privilege prv (via MPRV, so translation and
 * PMP apply); returns the trap cause, or -1 when it completed. */
long try_access(int prv, int store, uint64_t addr, uint64_t *val);
/* Jump to addr in mode prv (code there should be ebreak); returns the cause (3 = it ran). */
long try_exec(int prv, uint64_t addr);

#define CHECK(n, cond) do { if (!(cond)) test_fail(n); } while (0)

#define csr_read(csr) ({ uint64_t v_; __asm__ volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" :: "r"((uint64_t)(v)))
#define csr_set(csr, v) __asm__ volatile("csrs " #csr ", %0" :: "r"((uint64_t)(v)))
#define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" :: "r"((uint64_t)(v)))

static inline uint64_t rdinstret(void) { uint64_t v; __asm__ volatile("csrr %0, minstret" : "=r"(v)); return v; }
static inline uint64_t rdcycle(void) { uint64_t v; __asm__ volatile("csrr %0, mcycle" : "=r"(v)); return v; }

#endif
#endif
