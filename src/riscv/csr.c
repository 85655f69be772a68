/* csr.c - control and status registers, trap entry, xRET and interrupt
 * selection (privileged spec 1.12).  WARL fields are legalised on write so
 * reads never need to. */
#include "riscv/internal.h"

#include "riscv/fpu.h"

#include <pthread.h>


#define SSTATUS_MASK (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM | \
		      MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD)
#define MSTATUS_WMASK (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | \
		       MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | \
		       MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
#define S_INTS (RV_MIP_SSIP | RV_MIP_STIP | RV_MIP_SEIP)
#define MEDELEG_MASK 0xb3ffull /* all but ecall-from-M and reserved causes */
#define MENVCFG_STCE (1ull << 63)
#define COUNTER_MASK 7ull      /* CY, TM, IR: the only counters that count */

uint64_t rv_time(rv_hart *h)
{
	return h->bus->time ? h->bus->time(h->bus->ctx) : 0;
}

static uint64_t instret_now(rv_hart *h)
{
	return h->instret;
}

/* The live mip: software-visible bits plus the wires. */
static uint64_t mip_read(rv_hart *h)
{
	uint64_t mip = h->mip & (RV_MIP_SSIP | RV_MIP_STIP | RV_MIP_SEIP);
	mip |= __atomic_load_n(&h->mip_ext, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&h->msip, __ATOMIC_ACQUIRE))
		mip |= RV_MIP_MSIP;
	uint64_t t = rv_time(h);
	if (t >= __atomic_load_n(&h->mtimecmp, __ATOMIC_ACQUIRE))
		mip |= RV_MIP_MTIP;
	if (h->menvcfg & MENVCFG_STCE) {
		mip &= ~(uint64_t)RV_MIP_STIP;
		if (t >= h->stimecmp)
			mip |= RV_MIP_STIP;
	}
	return mip;
}

bool rv_wakeup_pending(rv_hart *h)
{
	return (mip_read(h) & h->mie) != 0;
}

int rv_irq_pending(rv_hart *h)
{
	uint64_t pend = mip_read(h) & h->mie;
	if (!pend)
		return -1;
	uint64_t m = pend & ~h->mideleg, s = pend & h->mideleg;
	bool m_on = h->priv < RV_PRIV_M || (h->mstatus & MSTATUS_MIE);
	bool s_on = h->priv < RV_PRIV_S || (h->priv == RV_PRIV_S && (h->mstatus & MSTATUS_SIE));
	static const int order[] = { RV_IRQ_MEI, RV_IRQ_MSI, RV_IRQ_MTI, RV_IRQ_SEI, RV_IRQ_SSI, RV_IRQ_STI };
	uint64_t take = (m_on ? m : 0) | (s_on ? s : 0);
	for (size_t i = 0; i < ARRAY_SIZE(order); i++)
		if (take & (1ull << order[i]))
			return order[i];
	return -1;
}

void rv_take_trap(rv_hart *h, uint64_t cause, uint64_t tval, bool irq)
{
	uint64_t deleg = irq ? h->mideleg : h->medeleg;
	uint64_t mcause = cause | (irq ? 1ull << 63 : 0);
	if (h->priv <= RV_PRIV_S && ((deleg >> cause) & 1)) {
		h->scause = mcause;
		h->sepc = h->pc;
		h->stval = tval;
		uint64_t st = h->mstatus & ~(MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE);
		if (h->priv == RV_PRIV_S)
			st |= MSTATUS_SPP;
		if (h->mstatus & MSTATUS_SIE)
			st |= MSTATUS_SPIE;
		h->mstatus = st;
		h->priv = RV_PRIV_S;
		h->pc = (h->stvec & ~3ull) + ((irq && (h->stvec & 1)) ? 4 * cause : 0);
	} else {
		h->mcause = mcause;
		h->mepc = h->pc;
		h->mtval = tval;
		uint64_t st = h->mstatus & ~(MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE);
		st |= (uint64_t)h->priv << MSTATUS_MPP_SHIFT;
		if (h->mstatus & MSTATUS_MIE)
			st |= MSTATUS_MPIE;
		h->mstatus = st;
		h->priv = RV_PRIV_M;
		h->pc = (h->mtvec & ~3ull) + ((irq && (h->mtvec & 1)) ? 4 * cause : 0);
	}
	h->lr_valid = false;
	rv_update_mode(h);
}

void rv_mret(rv_hart *h)
{
	int mpp = (int)((h->mstatus >> MSTATUS_MPP_SHIFT) & 3);
	uint64_t st = h->mstatus & ~(MSTATUS_MPP | MSTATUS_MIE);
	if (h->mstatus & MSTATUS_MPIE)
		st |= MSTATUS_MIE;
	st |= MSTATUS_MPIE;
	if (mpp != RV_PRIV_M)
		st &= ~MSTATUS_MPRV;
	h->mstatus = st;
	h->priv = mpp;
	h->pc = h->mepc;
	rv_update_mode(h);
}

void rv_sret(rv_hart *h)
{
	uint64_t st = h->mstatus & ~(MSTATUS_SPP | MSTATUS_SIE | MSTATUS_MPRV);
	if (h->mstatus & MSTATUS_SPIE)
		st |= MSTATUS_SIE;
	st |= MSTATUS_SPIE;
	h->priv = (h->mstatus & MSTATUS_SPP) ? RV_PRIV_S : RV_PRIV_U;
	h->mstatus = st;
	h->pc = h->sepc;
	rv_update_mode(h);
}

/* Counter access from S/U is gated by mcounteren/scounteren. */
static bool counter_ok(rv_hart *h, int csr)
{
	uint64_t bit = 1ull << (csr & 31);
	if (h->priv < RV_PRIV_M && !(h->mcounteren & bit))
		return false;
	if (h->priv < RV_PRIV_S && !(h->scounteren & bit))
		return false;
	return true;
}

/* Sstc: M-mode always; S-mode only with menvcfg.STCE and mcounteren.TM. */
static bool stimecmp_ok(rv_hart *h)
{
	return h->priv == RV_PRIV_M || ((h->menvcfg & MENVCFG_STCE) && (h->mcounteren & 2));
}

static uint64_t sd_fix(uint64_t st)
{
	st &= ~MSTATUS_SD;
	if ((st & MSTATUS_FS) == MSTATUS_FS)
		st |= MSTATUS_SD;
	return st;
}

void rv_pmp_changed(rv_hart *h)
{
	h->pmp_n = 0;
	for (int i = 0; i < RV_PMP_COUNT; i++)
		if (h->pmpcfg[i] & 0x18)
			h->pmp_on[h->pmp_n++] = (uint8_t)i;
	h->pmp_active = h->pmp_n != 0;
	rv_tlb_flush(h);
	rv_code_flush(h);
}

static void pmp_refresh(rv_hart *h)
{
	rv_pmp_changed(h);
}

static void pmpcfg_write(rv_hart *h, int n, uint64_t v)
{
	for (int i = 0; i < 8 && n * 4 + i < RV_PMP_COUNT; i++) {
		int e = n * 4 + i;
		uint8_t c = (uint8_t)(v >> (8 * i));
		if (h->pmpcfg[e] & 0x80)
			continue; /* locked */
		c &= 0x9f;
		if ((c & 3) == 2) /* W without R is reserved: keep the old value */
			c = h->pmpcfg[e];
		h->pmpcfg[e] = c;
	}
	pmp_refresh(h);
}

static void pmpaddr_write(rv_hart *h, int n, uint64_t v)
{
	if (n >= RV_PMP_COUNT || (h->pmpcfg[n] & 0x80))
		return;
	/* An entry is also locked when the next is a locked TOR entry. */
	if (n + 1 < RV_PMP_COUNT && (h->pmpcfg[n + 1] & 0x80) && ((h->pmpcfg[n + 1] >> 3) & 3) == 1)
		return;
	h->pmpaddr[n] = v & ((1ull << 54) - 1);
	pmp_refresh(h);
}

static void mstatus_write(rv_hart *h, uint64_t v, uint64_t mask)
{
	uint64_t old = h->mstatus;
	uint64_t st = (old & ~mask) | (v & mask);
	if (((st >> MSTATUS_MPP_SHIFT) & 3) == 2) /* reserved MPP: keep old */
		st = (st & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
	h->mstatus = sd_fix(st);
	if ((old ^ st) & (MSTATUS_MXR))
		rv_tlb_flush(h);
	rv_update_mode(h);
}

/* ---- the CSR table ----
 * One row per CSR (or per run of numbered CSRs): name, number, count, how
 * it reads, how it writes.  Readers return false for an access that traps
 * (illegal instruction); writers get the value already combined by the
 * csrrw/csrrs/csrrc operation and legalise WARL fields.  Privilege and
 * read-only checks come from the number itself (rv_csr).  Adding a CSR is
 * adding a row and, unless it is a plain field, its two small functions. */
typedef bool csr_rd(rv_hart *h, int n, uint64_t *v);
typedef bool csr_wr(rv_hart *h, int n, uint64_t v);

/* Plain fields: read as stored, write through a mask. */
#define PLAIN(f, mask) \
	static bool rd_##f(rv_hart *h, int n, uint64_t *v) { *v = h->f; return true; } \
	static bool wr_##f(rv_hart *h, int n, uint64_t v) { h->f = v & (mask); return true; }
PLAIN(sscratch, ~0ull) PLAIN(scause, ~0ull) PLAIN(stval, ~0ull) PLAIN(mscratch, ~0ull)
PLAIN(mcause, ~0ull) PLAIN(mtval, ~0ull) PLAIN(tselect, ~0ull)
PLAIN(sepc, ~1ull) PLAIN(mepc, ~1ull) PLAIN(senvcfg, 1) PLAIN(medeleg, MEDELEG_MASK)
PLAIN(mideleg, S_INTS) PLAIN(mie, S_INTS | RV_MIP_MSIP | RV_MIP_MTIP | RV_MIP_MEIP)
PLAIN(scounteren, COUNTER_MASK) PLAIN(mcounteren, COUNTER_MASK) PLAIN(mcountinhibit, 5)
#undef PLAIN

static bool rd_zero(rv_hart *h, int n, uint64_t *v) { *v = 0; return true; }
static bool wr_ignore(rv_hart *h, int n, uint64_t v) { return true; }
static bool wr_none(rv_hart *h, int n, uint64_t v) { return false; }

static bool rd_fflags(rv_hart *h, int n, uint64_t *v) { *v = h->fcsr & 0x1f; return true; }
static bool wr_fflags(rv_hart *h, int n, uint64_t v) { h->fcsr = (h->fcsr & ~0x1fu) | (v & 0x1f); rv_fs_dirty(h); return true; }
static bool rd_frm(rv_hart *h, int n, uint64_t *v) { *v = (h->fcsr >> 5) & 7; return true; }
static bool wr_frm(rv_hart *h, int n, uint64_t v) { h->fcsr = (h->fcsr & 0x1f) | ((v & 7) << 5); rv_fs_dirty(h); return true; }
static bool rd_fcsr(rv_hart *h, int n, uint64_t *v) { *v = h->fcsr & 0xff; return true; }
static bool wr_fcsr(rv_hart *h, int n, uint64_t v) { h->fcsr = (uint32_t)(v & 0xff); rv_fs_dirty(h); return true; }

static bool rd_sstatus(rv_hart *h, int n, uint64_t *v) { *v = h->mstatus & SSTATUS_MASK; return true; }
static bool wr_sstatus(rv_hart *h, int n, uint64_t v) { mstatus_write(h, v, SSTATUS_MASK & MSTATUS_WMASK); return true; }
static bool rd_mstatus(rv_hart *h, int n, uint64_t *v) { *v = h->mstatus; return true; }
static bool wr_mstatus(rv_hart *h, int n, uint64_t v) { mstatus_write(h, v, MSTATUS_WMASK); return true; }
static bool rd_misa(rv_hart *h, int n, uint64_t *v) { *v = h->misa; return true; }

static bool rd_sie(rv_hart *h, int n, uint64_t *v) { *v = h->mie & h->mideleg; return true; }
static bool wr_sie(rv_hart *h, int n, uint64_t v) { h->mie = (h->mie & ~h->mideleg) | (v & h->mideleg & S_INTS); return true; }
static bool rd_sip(rv_hart *h, int n, uint64_t *v) { *v = mip_read(h) & h->mideleg; return true; }
static bool wr_sip(rv_hart *h, int n, uint64_t v)
{
	uint64_t m = h->mideleg & RV_MIP_SSIP;
	h->mip = (h->mip & ~m) | (v & m);
	return true;
}
static bool rd_mip(rv_hart *h, int n, uint64_t *v) { *v = mip_read(h); return true; }
static bool wr_mip(rv_hart *h, int n, uint64_t v)
{
	uint64_t m = RV_MIP_SSIP | RV_MIP_SEIP | ((h->menvcfg & MENVCFG_STCE) ? 0 : RV_MIP_STIP);
	h->mip = (h->mip & ~m) | (v & m);
	return true;
}

/* Vectored mode 2 and 3 are reserved: keep the old mode. */
static uint64_t tvec(uint64_t old, uint64_t v) { return (v & 3) >= 2 ? (v & ~3ull) | (old & 3) : v; }
static bool rd_stvec(rv_hart *h, int n, uint64_t *v) { *v = h->stvec; return true; }
static bool wr_stvec(rv_hart *h, int n, uint64_t v) { h->stvec = tvec(h->stvec, v); return true; }
static bool rd_mtvec(rv_hart *h, int n, uint64_t *v) { *v = h->mtvec; return true; }
static bool wr_mtvec(rv_hart *h, int n, uint64_t v) { h->mtvec = tvec(h->mtvec, v); return true; }

static void timer_changed(rv_hart *h)
{
	if (h->bus->timer_changed)
		h->bus->timer_changed(h->bus->ctx, h);
}
static bool rd_stimecmp(rv_hart *h, int n, uint64_t *v)
{
	if (!stimecmp_ok(h))
		return false;
	*v = h->stimecmp;
	return true;
}
static bool wr_stimecmp(rv_hart *h, int n, uint64_t v)
{
	if (!stimecmp_ok(h))
		return false;
	h->stimecmp = v;
	timer_changed(h);
	return true;
}
static bool rd_menvcfg(rv_hart *h, int n, uint64_t *v) { *v = h->menvcfg; return true; }
static bool wr_menvcfg(rv_hart *h, int n, uint64_t v)
{
	h->menvcfg = v & (MENVCFG_STCE | 1);
	timer_changed(h); /* STCE decides whether stimecmp counts */
	return true;
}

static bool rd_satp(rv_hart *h, int n, uint64_t *v)
{
	if (h->priv == RV_PRIV_S && (h->mstatus & MSTATUS_TVM))
		return false;
	*v = h->satp;
	return true;
}
static bool wr_satp(rv_hart *h, int n, uint64_t v)
{
	if (h->priv == RV_PRIV_S && (h->mstatus & MSTATUS_TVM))
		return false;
	uint64_t mode = v >> 60;
	if (mode != 0 && mode != 8 && mode != 9)
		return true; /* unsupported mode: the write has no effect */
	h->satp = v;
	rv_tlb_flush(h);
	return true;
}

/* Counters: mcycle and minstret both count retired instructions. */
static bool rd_mcounter(rv_hart *h, int n, uint64_t *v) { *v = instret_now(h); return true; }
static bool wr_mcounter(rv_hart *h, int n, uint64_t v) { h->instret = v; return true; }
static bool rd_counter(rv_hart *h, int n, uint64_t *v)
{
	if (!counter_ok(h, 0xc00 + n))
		return false;
	*v = n == 1 ? rv_time(h) : instret_now(h);
	return true;
}
static bool rd_hpmcounter(rv_hart *h, int n, uint64_t *v)
{
	if (!counter_ok(h, 0xc03 + n))
		return false;
	*v = 0;
	return true;
}
static bool rd_mhartid(rv_hart *h, int n, uint64_t *v) { *v = h->mhartid; return true; }

static bool rd_pmpcfg(rv_hart *h, int n, uint64_t *v)
{
	if (n & 1)
		return false; /* odd pmpcfg do not exist on RV64 */
	*v = 0;
	for (int i = 0; i < 8 && n * 4 + i < RV_PMP_COUNT; i++)
		*v |= (uint64_t)h->pmpcfg[n * 4 + i] << (8 * i);
	return true;
}
static bool wr_pmpcfg(rv_hart *h, int n, uint64_t v)
{
	if (n & 1)
		return false;
	pmpcfg_write(h, n, v);
	return true;
}
static bool rd_pmpaddr(rv_hart *h, int n, uint64_t *v) { *v = n < RV_PMP_COUNT ? h->pmpaddr[n] : 0; return true; }
static bool wr_pmpaddr(rv_hart *h, int n, uint64_t v) { pmpaddr_write(h, n, v); return true; }

/*       name           number count read           write */
#define RV_CSRS(X) \
	X(fflags,        0x001, 1,  rd_fflags,     wr_fflags) \
	X(frm,           0x002, 1,  rd_frm,        wr_frm) \
	X(fcsr,          0x003, 1,  rd_fcsr,       wr_fcsr) \
	X(sstatus,       0x100, 1,  rd_sstatus,    wr_sstatus) \
	X(sie,           0x104, 1,  rd_sie,        wr_sie) \
	X(stvec,         0x105, 1,  rd_stvec,      wr_stvec) \
	X(scounteren,    0x106, 1,  rd_scounteren, wr_scounteren) \
	X(senvcfg,       0x10a, 1,  rd_senvcfg,    wr_senvcfg) \
	X(sscratch,      0x140, 1,  rd_sscratch,   wr_sscratch) \
	X(sepc,          0x141, 1,  rd_sepc,       wr_sepc) \
	X(scause,        0x142, 1,  rd_scause,     wr_scause) \
	X(stval,         0x143, 1,  rd_stval,      wr_stval) \
	X(sip,           0x144, 1,  rd_sip,        wr_sip) \
	X(stimecmp,      0x14d, 1,  rd_stimecmp,   wr_stimecmp) \
	X(satp,          0x180, 1,  rd_satp,       wr_satp) \
	X(mstatus,       0x300, 1,  rd_mstatus,    wr_mstatus) \
	X(misa,          0x301, 1,  rd_misa,       wr_ignore)     /* fixed */ \
	X(medeleg,       0x302, 1,  rd_medeleg,    wr_medeleg) \
	X(mideleg,       0x303, 1,  rd_mideleg,    wr_mideleg) \
	X(mie,           0x304, 1,  rd_mie,        wr_mie) \
	X(mtvec,         0x305, 1,  rd_mtvec,      wr_mtvec) \
	X(mcounteren,    0x306, 1,  rd_mcounteren, wr_mcounteren) \
	X(menvcfg,       0x30a, 1,  rd_menvcfg,    wr_menvcfg) \
	X(mcountinhibit, 0x320, 1,  rd_mcountinhibit, wr_mcountinhibit) \
	X(mhpmevent,     0x323, 29, rd_zero,       wr_ignore)     /* no events */ \
	X(mscratch,      0x340, 1,  rd_mscratch,   wr_mscratch) \
	X(mepc,          0x341, 1,  rd_mepc,       wr_mepc) \
	X(mcause,        0x342, 1,  rd_mcause,     wr_mcause) \
	X(mtval,         0x343, 1,  rd_mtval,      wr_mtval) \
	X(mip,           0x344, 1,  rd_mip,        wr_mip) \
	X(mtinst,        0x34a, 1,  rd_zero,       wr_ignore) \
	X(mtval2,        0x34b, 1,  rd_zero,       wr_ignore) \
	X(pmpcfg,        0x3a0, 16, rd_pmpcfg,     wr_pmpcfg) \
	X(pmpaddr,       0x3b0, 64, rd_pmpaddr,    wr_pmpaddr) \
	X(tselect,       0x7a0, 1,  rd_tselect,    wr_tselect) \
	X(tdata,         0x7a1, 3,  rd_zero,       wr_ignore)     /* no triggers */ \
	X(mcycle,        0xb00, 1,  rd_mcounter,   wr_mcounter) \
	X(minstret,      0xb02, 1,  rd_mcounter,   wr_mcounter) \
	X(mhpmcounter,   0xb03, 29, rd_zero,       wr_ignore) \
	X(cycle,         0xc00, 3,  rd_counter,    wr_none)       /* cycle, time, instret */ \
	X(hpmcounter,    0xc03, 29, rd_hpmcounter, wr_none) \
	X(mvendorid,     0xf11, 3,  rd_zero,       wr_none)       /* mvendorid, marchid, mimpid */ \
	X(mhartid,       0xf14, 1,  rd_mhartid,    wr_none) \
	X(mconfigptr,    0xf15, 1,  rd_zero,       wr_none)

static const struct csr_row {
	const char *name;
	uint16_t num, count;
	csr_rd *rd;
	csr_wr *wr;
} csr_rows[] = {
#define X(name, num, count, rd, wr) { #name, num, count, rd, wr },
	RV_CSRS(X)
#undef X
};

/* Row index + 1 per CSR number, built once (0: no such CSR). */
static uint8_t csr_index[4096];
static pthread_once_t csr_once = PTHREAD_ONCE_INIT;

static void csr_index_build(void)
{
	for (size_t r = 0; r < ARRAY_SIZE(csr_rows); r++)
		for (int k = 0; k < csr_rows[r].count; k++)
			csr_index[csr_rows[r].num + k] = (uint8_t)(r + 1);
}

static const struct csr_row *csr_find(int csr, int *n)
{
	pthread_once(&csr_once, csr_index_build);
	int ix = csr_index[csr & 0xfff];
	if (!ix)
		return NULL;
	*n = csr - csr_rows[ix - 1].num;
	return &csr_rows[ix - 1];
}

const char *rv_csr_name(int csr)
{
	int n;
	const struct csr_row *r = csr_find(csr, &n);
	return r ? r->name : NULL;
}

bool rv_csr(rv_hart *h, int csr, int op, uint64_t src, bool write_en, uint64_t *old)
{
	if (((csr >> 8) & 3) > h->priv)
		return false;
	if (write_en && (csr >> 10) == 3)
		return false; /* read-only CSR */
	if (csr <= 3 && !(h->mstatus & MSTATUS_FS))
		return false; /* fflags, frm, fcsr */
	int n;
	const struct csr_row *r = csr_find(csr, &n);
	uint64_t v;
	if (!r || !r->rd(h, n, &v))
		return false;
	*old = v;
	if (!write_en)
		return true;
	/* mip reads OR the interrupt controller's SEIP into the software bit,
	 * but csrrs/csrrc modify only the software bit (priv spec 3.1.9):
	 * otherwise a set of SSIP would latch a device's SEIP forever. */
	uint64_t base = v;
	if (r->rd == rd_mip)
		base = (v & ~(uint64_t)RV_MIP_SEIP) | (h->mip & RV_MIP_SEIP);
	uint64_t nv = op == 0 ? src : op == 1 ? (base | src) : (base & ~src);
	return r->wr(h, n, nv);
}
