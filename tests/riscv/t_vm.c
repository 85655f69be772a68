/* t_vm.c - Sv39 and Sv48 translation: 4 KiB pages and superpages at every level, permission
 * and U/SUM/MXR checks, A/D set by hardware, misaligned superpages, invalid/reserved PTEs,
 * non-canonical addresses, sfence.vma, satp WARL; data via MPRV, fetches via mret to S/U. */
#include "test.h"

#define SV39 (8ull << 60)
#define SV48 (9ull << 60)
#define LEAF_RW (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define PTE(pa, fl) ((((uint64_t)(uintptr_t)(pa)) >> 12 << 10) | (fl))

static uint64_t pt[16][512] __attribute__((aligned(4096)));	/* page-table pool */
static uint64_t page[4][512] __attribute__((aligned(4096)));	/* data pages */
static uint32_t xpage[1024] __attribute__((aligned(4096)));	/* code: ebreak */
static volatile uint64_t magic = 0x5a5a5a5a12345678ull;
static int npt;

static uint64_t *new_pt(void)
{
	uint64_t *p = pt[npt++];
	memset(p, 0, 4096);
	return p;
}

static long load(int prv, uint64_t va, uint64_t *val) { return try_access(prv, 0, va, val); }
static long store(int prv, uint64_t va, uint64_t val) { return try_access(prv, 1, va, &val); }
#define exec_at try_exec

static void set_satp(uint64_t mode, uint64_t *root)
{
	csr_write(satp, mode | ((uintptr_t)root >> 12));
	__asm__ volatile("sfence.vma" ::: "memory");
}

#define FAULT(n, expr, cause, va) do { long c_ = (expr); \
	if (c_ != (cause)) { printf_("case %d: cause %d, want %d\n", n, c_, (long)(cause)); test_fail(n); } \
	CHECK(n, trap_tval == (va)); } while (0)
#define OK(n, expr) do { long c_ = (expr); \
	if (c_ != -1) { printf_("case %d: unexpected cause %d tval %x\n", n, c_, trap_tval); test_fail(n); } } while (0)

static void sv39(void)
{
	uint64_t *root = new_pt(), *l1 = new_pt(), *l0 = new_pt(), v;
	uint64_t pa_magic = (uintptr_t)&magic;
	npt = 3;
	root[0] = PTE(l1, PTE_V);			/* VA 0..1G via l1 */
	l1[0] = PTE(l0, PTE_V);				/* VA 0..2M via l0 */
	root[2] = PTE(0x80000000, LEAF_RW | PTE_X);	/* gigapage identity (S only) */
	root[3] = PTE(0x80000000, LEAF_RW | PTE_U);	/* VA 3G -> RAM, user */
	l1[1] = PTE(0x80000000, LEAF_RW);		/* 2 MiB megapage VA 2M -> RAM start */
	l1[2] = PTE(0x80001000, LEAF_RW);		/* misaligned megapage */
	l0[1] = PTE(page[0], LEAF_RW);			/* VA 0x1000 */
	l0[2] = PTE(page[1], PTE_V | PTE_R | PTE_A);	/* read-only */
	l0[3] = PTE(page[2], PTE_V | PTE_X | PTE_A);	/* execute-only */
	l0[4] = PTE(page[3], LEAF_RW | PTE_U);		/* user page */
	l0[5] = PTE(page[0], PTE_V | PTE_W | PTE_A | PTE_D);	/* W without R: reserved */
	l0[6] = PTE(page[0], PTE_R | PTE_W | PTE_A | PTE_D);	/* not valid */
	l0[7] = PTE(page[1], PTE_V | PTE_R | PTE_W);	/* A = D = 0: hardware sets them */
	l0[8] = PTE(xpage, PTE_V | PTE_X | PTE_A);	/* S code */
	l0[9] = PTE(xpage, PTE_V | PTE_X | PTE_A | PTE_U);	/* U code */
	l0[10] = PTE(xpage, PTE_V | PTE_R | PTE_A);	/* not executable */
	l0[11] = PTE(0x1000000, LEAF_RW);		/* leaf -> unbacked physical memory */
	l0[12] = PTE(l1, PTE_V);			/* non-leaf at level 0 */
	l0[13] = PTE(page[0], PTE_V | PTE_R | PTE_W | PTE_A);	/* D = 0 */
	page[0][0] = 0x1111; page[1][0] = 0x2222; page[2][0] = 0x3333; page[3][0] = 0x4444;
	xpage[0] = 0x00100073;	/* ebreak */
	__asm__ volatile("fence.i");
	set_satp(SV39, root);

	CHECK(1, csr_read(satp) == (SV39 | ((uintptr_t)root >> 12)));
	OK(2, load(PRV_S, 0x1000, &v)); CHECK(2, v == 0x1111);
	OK(3, store(PRV_S, 0x1008, 0xabc)); CHECK(3, page[0][1] == 0xabc);
	OK(4, load(PRV_S, 0x80000000 + (pa_magic - 0x80000000), &v)); CHECK(4, v == magic);	/* gigapage */
	OK(5, load(PRV_S, 0x200000 + (pa_magic - 0x80000000), &v)); CHECK(5, v == magic);	/* megapage */
	FAULT(6, load(PRV_S, 0x400000, &v), CAUSE_LOAD_PAGE, 0x400000);		/* misaligned megapage */
	FAULT(7, store(PRV_S, 0x2000, 1), CAUSE_STORE_PAGE, 0x2000);		/* read-only */
	OK(8, load(PRV_S, 0x2000, &v)); CHECK(8, v == 0x2222);
	FAULT(9, load(PRV_S, 0x3000, &v), CAUSE_LOAD_PAGE, 0x3000);		/* execute-only */
	csr_set(mstatus, MSTATUS_MXR);
	OK(10, load(PRV_S, 0x3000, &v)); CHECK(10, v == 0x3333);			/* MXR */
	csr_clear(mstatus, MSTATUS_MXR);
	FAULT(11, load(PRV_S, 0x4000, &v), CAUSE_LOAD_PAGE, 0x4000);		/* U page, SUM = 0 */
	FAULT(12, store(PRV_S, 0x4000, 1), CAUSE_STORE_PAGE, 0x4000);
	csr_set(mstatus, MSTATUS_SUM);
	OK(13, load(PRV_S, 0x4000, &v)); CHECK(13, v == 0x4444);			/* SUM */
	OK(14, store(PRV_S, 0x4008, 5));
	csr_clear(mstatus, MSTATUS_SUM);
	OK(15, load(PRV_U, 0x4000, &v));						/* U on U page */
	FAULT(16, load(PRV_U, 0x1000, &v), CAUSE_LOAD_PAGE, 0x1000);		/* U on S page */
	OK(17, load(PRV_U, 0xc0000000 + (pa_magic - 0x80000000) + 8, &v));	/* U gigapage */
	FAULT(18, load(PRV_S, 0x5000, &v), CAUSE_LOAD_PAGE, 0x5000);		/* W without R */
	FAULT(19, store(PRV_S, 0x5000, 1), CAUSE_STORE_PAGE, 0x5000);
	FAULT(20, load(PRV_S, 0x6010, &v), CAUSE_LOAD_PAGE, 0x6010);		/* V = 0 */
	FAULT(21, load(PRV_S, 0xc000, &v), CAUSE_LOAD_PAGE, 0xc000);		/* non-leaf at level 0 */
	FAULT(22, load(PRV_S, 0x8000000000ull, &v), CAUSE_LOAD_PAGE, 0x8000000000ull);	/* non-canonical */
	FAULT(23, load(PRV_S, 0x4000000000ull, &v), CAUSE_LOAD_PAGE, 0x4000000000ull);	/* bit 38 set, 63:39 clear */
	/* A/D bits are set by the hardware */
	OK(24, load(PRV_S, 0x7000, &v)); CHECK(24, (l0[7] & (PTE_A | PTE_D)) == PTE_A);
	OK(25, store(PRV_S, 0x7000, 0x2222)); CHECK(25, (l0[7] & (PTE_A | PTE_D)) == (PTE_A | PTE_D));
	OK(26, store(PRV_S, 0xd000, 0x1111)); CHECK(26, l0[13] & PTE_D);
	/* access fault, not page fault, when the leaf points at nothing */
	FAULT(27, load(PRV_S, 0xb008, &v), CAUSE_LOAD_ACCESS, 0xb008);
	FAULT(28, store(PRV_S, 0xb008, 1), CAUSE_STORE_ACCESS, 0xb008);
	/* instruction fetch: X bit, U bit in both directions */
	CHECK(30, exec_at(PRV_S, 0x8000) == CAUSE_BREAKPOINT);
	FAULT(31, exec_at(PRV_U, 0x8000), CAUSE_FETCH_PAGE, 0x8000);		/* U fetch from S page */
	CHECK(32, exec_at(PRV_U, 0x9000) == CAUSE_BREAKPOINT);
	FAULT(33, exec_at(PRV_S, 0x9000), CAUSE_FETCH_PAGE, 0x9000);		/* S fetch from U page */
	csr_set(mstatus, MSTATUS_SUM);
	FAULT(34, exec_at(PRV_S, 0x9000), CAUSE_FETCH_PAGE, 0x9000);		/* ... even with SUM */
	csr_clear(mstatus, MSTATUS_SUM);
	FAULT(35, exec_at(PRV_S, 0xa000), CAUSE_FETCH_PAGE, 0xa000);		/* not executable */
	/* sfence.vma makes a changed PTE visible */
	OK(40, load(PRV_S, 0x1000, &v)); CHECK(40, v == 0x1111);
	l0[1] = PTE(page[3], LEAF_RW);
	__asm__ volatile("sfence.vma" ::: "memory");
	OK(41, load(PRV_S, 0x1000, &v)); CHECK(41, v == 0x4444);
	l0[1] = 0;
	__asm__ volatile("sfence.vma %0, zero" :: "r"(0x1000ull) : "memory");
	FAULT(42, load(PRV_S, 0x1000, &v), CAUSE_LOAD_PAGE, 0x1000);
	/* a page fault in S-mode itself, delegated to S: scause/stval/sepc in S */
	{
		extern char strap_entry[], __strap_stack_top[];
		extern volatile uint64_t strap_cause, strap_tval, strap_count;
		uint64_t before = strap_count;
		csr_write(stvec, strap_entry);
		csr_write(sscratch, __strap_stack_top);
		csr_write(medeleg, (1 << CAUSE_LOAD_PAGE) | (1 << CAUSE_STORE_PAGE));
		__asm__ volatile(
			"li t0, 0x1800; csrc mstatus, t0; li t0, 0x800; csrs mstatus, t0\n"
			"la t0, 1f; csrw mepc, t0; mret\n"
			"1: la t0, 2f; la t1, strap_resume; sd t0, 0(t1)\n"
			"li t0, 0x6000; sd zero, 0(t0)\n"		/* V = 0: store page fault */
			"2: li a7, %0; ecall"
			:: "i"(GOTO_M_MAGIC) : "t0", "t1", "a7", "memory");
		csr_write(medeleg, 0);
		CHECK(47, strap_count == before + 1);
		CHECK(48, strap_cause == CAUSE_STORE_PAGE && strap_tval == 0x6000);
	}
	/* MPRV with MPP = M: no translation */
	OK(43, load(PRV_M, pa_magic, &v)); CHECK(43, v == magic);
	/* satp: an unsupported mode is not written at all */
	uint64_t old = csr_read(satp);
	csr_write(satp, (5ull << 60) | 0x1234);
	CHECK(44, csr_read(satp) == old);
	csr_write(satp, 0);
	CHECK(45, csr_read(satp) == 0);
	OK(46, load(PRV_S, pa_magic, &v)); CHECK(46, v == magic);			/* Bare */
}

static void sv48(void)
{
	uint64_t *l3 = new_pt(), *l2 = new_pt(), *l1 = new_pt(), *l0 = new_pt(), v;
	uint64_t pa_magic = (uintptr_t)&magic;
	l3[0] = PTE(l2, PTE_V);
	l3[1] = PTE(0, LEAF_RW);			/* 512 GiB terapage: VA 512G -> PA 0 */
	l3[2] = PTE(0x40000000, LEAF_RW);		/* misaligned terapage */
	l2[0] = PTE(l1, PTE_V);
	l2[2] = PTE(0x80000000, LEAF_RW);		/* gigapage VA 2G */
	l1[0] = PTE(l0, PTE_V);
	l1[1] = PTE(0x80000000, LEAF_RW);		/* megapage VA 2M */
	l0[1] = PTE(page[0], LEAF_RW);			/* page VA 4K */
	page[0][0] = 0x9999;
	set_satp(SV48, l3);
	if (csr_read(satp) >> 60 != 9) {
		puts_("Sv48 not supported: skipped\n");
		return;
	}
	OK(50, load(PRV_S, 0x1000, &v)); CHECK(50, v == 0x9999);
	OK(51, load(PRV_S, 0x200000 + (pa_magic - 0x80000000), &v)); CHECK(51, v == magic);
	OK(52, load(PRV_S, 0x80000000 + (pa_magic - 0x80000000), &v)); CHECK(52, v == magic);
	OK(53, load(PRV_S, 0x8000000000ull + pa_magic, &v)); CHECK(53, v == magic);
	FAULT(54, load(PRV_S, 0x10000000000ull, &v), CAUSE_LOAD_PAGE, 0x10000000000ull);	/* misaligned */
	FAULT(55, load(PRV_S, 0x800000000000ull, &v), CAUSE_LOAD_PAGE, 0x800000000000ull);	/* non-canonical */
	OK(56, load(PRV_S, 0x8000000000ull + 0x80000000 + 0x4, &v));	/* 0x8000_0004 via terapage */
	FAULT(57, load(PRV_S, 0x3000, &v), CAUSE_LOAD_PAGE, 0x3000);
	csr_write(satp, 0);
}

int main(void)
{
	sv39();
	npt = 0;
	sv48();
	puts_("t_vm: ");
	test_pass();
}
