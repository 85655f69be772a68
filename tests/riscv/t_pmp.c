/* t_pmp.c - physical memory protection: 16 entries, OFF/TOR/NA4/NAPOT matching, R/W/X per
 * entry, lowest-numbered match wins, S/U denied when nothing matches (M allowed), L bit
 * locking (entry and, for TOR, the address below) and enforcement on M-mode. */
#include "test.h"

#define OFF 0
#define TOR (1 << 3)
#define NA4 (2 << 3)
#define NAPOT (3 << 3)
#define R 1
#define W 2
#define X 4
#define L 0x80

static uint64_t page[4][512] __attribute__((aligned(4096)));
static uint32_t xpage[1024] __attribute__((aligned(4096)));

/* pmpcfg0 holds entries 0-7, pmpcfg2 entries 8-15 (RV64) */
static void set_cfg(int i, uint64_t cfg)
{
	int sh = (i % 8) * 8;
	if (i < 8) {
		csr_clear(pmpcfg0, 0xffull << sh);
		csr_set(pmpcfg0, cfg << sh);
	} else {
		csr_clear(pmpcfg2, 0xffull << sh);
		csr_set(pmpcfg2, cfg << sh);
	}
}

static uint64_t get_cfg(int i)
{
	return ((i < 8 ? csr_read(pmpcfg0) : csr_read(pmpcfg2)) >> ((i % 8) * 8)) & 0xff;
}

static void set_addr(int i, uint64_t a)
{
	switch (i) {
	case 0: csr_write(pmpaddr0, a); break;
	case 1: csr_write(pmpaddr1, a); break;
	case 2: csr_write(pmpaddr2, a); break;
	case 3: csr_write(pmpaddr3, a); break;
	case 4: csr_write(pmpaddr4, a); break;
	}
}

static uint64_t napot(void *base, uint64_t size) { return ((uintptr_t)base >> 2) | (size / 8 - 1); }
#define A(p) ((uint64_t)(uintptr_t)(p))

static long ld_as(int prv, uint64_t a) { uint64_t v = 0; return try_access(prv, 0, a, &v); }
static long st_as(int prv, uint64_t a) { uint64_t v = 0x77; return try_access(prv, 1, a, &v); }

#define EXPECT(n, expr, cause) do { long c_ = (expr); \
	if (c_ != (cause)) { printf_("case %d: cause %d, want %d\n", n, c_, (long)(cause)); test_fail(n); } } while (0)

int main(void)
{
	xpage[0] = 0x00100073;	/* ebreak */
	__asm__ volatile("fence.i");
	for (int i = 0; i < 8; i++)
		set_cfg(i, 0);
	/* addresses read back (within the 54 implemented bits) */
	csr_write(pmpaddr14, 0x003fffffffffffffull);
	CHECK(1, csr_read(pmpaddr14) == 0x003fffffffffffffull);
	csr_write(pmpaddr14, 0);
	CHECK(2, get_cfg(15) == (NAPOT | R | W | X));		/* crt0's catch-all entry */

	/* NAPOT, read-only for S/U; M unaffected (not locked) */
	set_addr(0, napot(page[0], 4096));
	set_cfg(0, NAPOT | R);
	CHECK(3, get_cfg(0) == (NAPOT | R));
	EXPECT(4, ld_as(PRV_S, A(page[0])), -1);
	EXPECT(5, st_as(PRV_S, A(page[0]) + 8), CAUSE_STORE_ACCESS);
	CHECK(5, trap_tval == A(page[0]) + 8);
	EXPECT(6, st_as(PRV_U, A(page[0]) + 4088), CAUSE_STORE_ACCESS);
	EXPECT(7, st_as(PRV_M, A(page[0])), -1);
	EXPECT(8, st_as(PRV_S, A(page[1])), -1);			/* outside: catch-all */
	/* fetch: no X */
	set_addr(1, napot(xpage, 4096));
	set_cfg(1, NAPOT | R);
	EXPECT(9, try_exec(PRV_S, A(xpage)), CAUSE_FETCH_ACCESS);
	CHECK(9, trap_tval == A(xpage));
	set_cfg(1, NAPOT | X);
	EXPECT(10, try_exec(PRV_U, A(xpage)), CAUSE_BREAKPOINT);
	EXPECT(11, ld_as(PRV_U, A(xpage)), CAUSE_LOAD_ACCESS);	/* X only */
	set_cfg(1, OFF);
	set_cfg(0, OFF);

	/* TOR: [pmpaddr0, pmpaddr1) with entry 0 OFF */
	set_addr(0, A(page[1]) >> 2);
	set_addr(1, A(page[2]) >> 2);
	set_cfg(1, TOR);						/* no permissions */
	EXPECT(12, ld_as(PRV_S, A(page[1])), CAUSE_LOAD_ACCESS);
	EXPECT(13, ld_as(PRV_S, A(page[2]) - 8), CAUSE_LOAD_ACCESS);
	EXPECT(14, ld_as(PRV_S, A(page[2])), -1);			/* top is exclusive */
	EXPECT(15, ld_as(PRV_S, A(page[1]) - 8), -1);
	EXPECT(16, st_as(PRV_M, A(page[1])), -1);
	/* entry 0 as TOR from address 0 */
	set_cfg(1, OFF);
	set_addr(0, A(page[1]) >> 2);
	set_cfg(0, TOR | R);
	EXPECT(17, st_as(PRV_S, A(page[0])), CAUSE_STORE_ACCESS);
	EXPECT(18, ld_as(PRV_S, A(page[0])), -1);
	EXPECT(19, st_as(PRV_S, A(page[1])), -1);
	set_cfg(0, OFF);

	/* NA4: exactly four bytes */
	set_addr(0, A(page[1]) >> 2);
	set_cfg(0, NA4);
	EXPECT(20, try_access(PRV_S, 0, A(page[1]), &(uint64_t){0}), CAUSE_LOAD_ACCESS);
	EXPECT(21, ld_as(PRV_S, A(page[1]) + 8), -1);
	set_cfg(0, OFF);

	/* priority: the lowest-numbered matching entry decides */
	set_addr(0, napot(page[0], 4096));
	set_addr(1, napot(page[0], 8192));
	set_cfg(0, NAPOT);
	set_cfg(1, NAPOT | R | W);
	EXPECT(22, ld_as(PRV_S, A(page[0])), CAUSE_LOAD_ACCESS);
	EXPECT(23, ld_as(PRV_S, A(page[1])), -1);
	set_cfg(0, NAPOT | R | W);
	set_cfg(1, NAPOT);
	EXPECT(24, ld_as(PRV_S, A(page[0])), -1);
	EXPECT(25, ld_as(PRV_S, A(page[1])), CAUSE_LOAD_ACCESS);
	set_cfg(0, OFF);
	set_cfg(1, OFF);

	/* no matching entry: S/U denied, M allowed */
	csr_clear(pmpcfg2, 0xffull << 56);
	EXPECT(26, ld_as(PRV_S, A(page[0])), CAUSE_LOAD_ACCESS);
	EXPECT(27, st_as(PRV_U, A(page[0])), CAUSE_STORE_ACCESS);
	EXPECT(28, ld_as(PRV_M, A(page[0])), -1);
	csr_set(pmpcfg2, (uint64_t)(NAPOT | R | W | X) << 56);
	EXPECT(29, ld_as(PRV_S, A(page[0])), -1);

	/* pmpcfg1/pmpcfg3 do not exist on RV64 */
	{
		uint64_t before = trap_count, v;
		__asm__ volatile("la t0, 1f; la t1, trap_resume; sd t0, 0(t1); csrr %0, pmpcfg1; 1:"
				 : "=r"(v) :: "t0", "t1", "memory");
		CHECK(30, trap_count == before + 1 && trap_cause == CAUSE_ILLEGAL);
	}

	/* locking: entry 3 (TOR over page[2]) read-only for everyone incl. M; pmpaddr2 frozen too */
	set_addr(2, A(page[2]) >> 2);
	set_addr(3, A(page[3]) >> 2);
	set_cfg(3, TOR | R | L);
	CHECK(31, get_cfg(3) == (TOR | R | L));
	EXPECT(32, st_as(PRV_M, A(page[2])), CAUSE_STORE_ACCESS);
	EXPECT(33, ld_as(PRV_M, A(page[2])), -1);
	EXPECT(34, st_as(PRV_S, A(page[2]) + 16), CAUSE_STORE_ACCESS);
	set_cfg(3, TOR | R | W);					/* ignored */
	CHECK(35, get_cfg(3) == (TOR | R | L));
	set_addr(3, 0);
	CHECK(36, csr_read(pmpaddr3) == A(page[3]) >> 2);
	set_addr(2, 0);							/* TOR base of a locked entry */
	CHECK(37, csr_read(pmpaddr2) == A(page[2]) >> 2);
	set_cfg(2, NAPOT | R);						/* entry 2 itself is not locked */
	CHECK(38, get_cfg(2) == (NAPOT | R));
	set_cfg(2, OFF);
	/* a locked NAPOT entry without X stops M-mode fetches there */
	set_addr(4, napot(xpage, 4096));
	set_cfg(4, NAPOT | R | L);
	EXPECT(39, try_exec(PRV_M, A(xpage)), CAUSE_FETCH_ACCESS);
	EXPECT(40, st_as(PRV_M, A(page[0])), -1);
	/* an entry that splits a code page is enforced on every instruction (QEMU 7.2
	 * checks once per page and runs the ebreak):
	 * four nops run, the fifth word (no X) faults, not the jump target */
	uint32_t *code = (uint32_t *)page[1];
	for (int k = 0; k < 4; k++)
		code[k] = 0x00000013;	/* nop */
	code[4] = 0x00100073;		/* ebreak */
	__asm__ volatile("fence.i");
	csr_write(pmpaddr5, (A(&code[4]) >> 2));
	set_cfg(5, NA4 | R);
	EXPECT(41, try_exec(PRV_S, A(code)), CAUSE_FETCH_ACCESS);
	CHECK(42, trap_tval == A(&code[4]));
	set_cfg(5, NA4 | R | X);
	EXPECT(43, try_exec(PRV_S, A(code)), CAUSE_BREAKPOINT);
	puts_("t_pmp: ");
	test_pass();
}
