/* csr.c - control and status registers, trap entry, xRET and interrupt
 * selection (privileged spec 1.12).  WARL fields are legalised on write so
 * reads never need to. */
#include "riscv/internal.h"

#include "riscv/fpu.h"

enum {
	CSR_FFLAGS = 0x001, CSR_FRM = 0x002, CSR_FCSR = 0x003,
	CSR_SSTATUS = 0x100, CSR_SIE = 0x104, CSR_STVEC = 0x105, CSR_SCOUNTEREN = 0x106,
	CSR_SENVCFG = 0x10a, CSR_SSCRATCH = 0x140, CSR_SEPC = 0x141, CSR_SCAUSE = 0x142,
	CSR_STVAL = 0x143, CSR_SIP = 0x144, CSR_STIMECMP = 0x14d, CSR_SATP = 0x180,
	CSR_MSTATUS = 0x300, CSR_MISA = 0x301, CSR_MEDELEG = 0x302, CSR_MIDELEG = 0x303,
	CSR_MIE = 0x304, CSR_MTVEC = 0x305, CSR_MCOUNTEREN = 0x306, CSR_MENVCFG = 0x30a,
	CSR_MCOUNTINHIBIT = 0x320, CSR_MSCRATCH = 0x340, CSR_MEPC = 0x341, CSR_MCAUSE = 0x342,
	CSR_MTVAL = 0x343, CSR_MIP = 0x344, CSR_MTINST = 0x34a, CSR_MTVAL2 = 0x34b,
	CSR_PMPCFG0 = 0x3a0, CSR_PMPADDR0 = 0x3b0,
	CSR_TSELECT = 0x7a0, CSR_TDATA1 = 0x7a1, CSR_TDATA2 = 0x7a2, CSR_TDATA3 = 0x7a3,
	CSR_MCYCLE = 0xb00, CSR_MINSTRET = 0xb02,
	CSR_CYCLE = 0xc00, CSR_TIME = 0xc01, CSR_INSTRET = 0xc02,
	CSR_MVENDORID = 0xf11, CSR_MARCHID = 0xf12, CSR_MIMPID = 0xf13, CSR_MHARTID = 0xf14,
	CSR_MCONFIGPTR = 0xf15,
};

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

static bool csr_read(rv_hart *h, int csr, uint64_t *v)
{
	switch (csr) {
	case CSR_FFLAGS: *v = h->fcsr & 0x1f; break;
	case CSR_FRM: *v = (h->fcsr >> 5) & 7; break;
	case CSR_FCSR: *v = h->fcsr & 0xff; break;
	case CSR_SSTATUS: *v = h->mstatus & SSTATUS_MASK; break;
	case CSR_SIE: *v = h->mie & h->mideleg; break;
	case CSR_STVEC: *v = h->stvec; break;
	case CSR_SCOUNTEREN: *v = h->scounteren; break;
	case CSR_SENVCFG: *v = h->senvcfg; break;
	case CSR_SSCRATCH: *v = h->sscratch; break;
	case CSR_SEPC: *v = h->sepc; break;
	case CSR_SCAUSE: *v = h->scause; break;
	case CSR_STVAL: *v = h->stval; break;
	case CSR_SIP: *v = mip_read(h) & h->mideleg; break;
	case CSR_STIMECMP:
		if (!stimecmp_ok(h))
			return false;
		*v = h->stimecmp;
		break;
	case CSR_SATP:
		if (h->priv == RV_PRIV_S && (h->mstatus & MSTATUS_TVM))
			return false;
		*v = h->satp;
		break;
	case CSR_MSTATUS: *v = h->mstatus; break;
	case CSR_MISA: *v = h->misa; break;
	case CSR_MEDELEG: *v = h->medeleg; break;
	case CSR_MIDELEG: *v = h->mideleg; break;
	case CSR_MIE: *v = h->mie; break;
	case CSR_MTVEC: *v = h->mtvec; break;
	case CSR_MCOUNTEREN: *v = h->mcounteren; break;
	case CSR_MENVCFG: *v = h->menvcfg; break;
	case CSR_MCOUNTINHIBIT: *v = h->mcountinhibit; break;
	case CSR_MSCRATCH: *v = h->mscratch; break;
	case CSR_MEPC: *v = h->mepc; break;
	case CSR_MCAUSE: *v = h->mcause; break;
	case CSR_MTVAL: *v = h->mtval; break;
	case CSR_MIP: *v = mip_read(h); break;
	case CSR_MTINST: case CSR_MTVAL2: *v = 0; break;
	case CSR_TSELECT: *v = h->tselect; break;
	case CSR_TDATA1: case CSR_TDATA2: case CSR_TDATA3: *v = 0; break;
	case CSR_MCYCLE: case CSR_MINSTRET: *v = instret_now(h); break;
	case CSR_CYCLE: case CSR_INSTRET:
		if (!counter_ok(h, csr))
			return false;
		*v = instret_now(h);
		break;
	case CSR_TIME:
		if (!counter_ok(h, csr))
			return false;
		*v = rv_time(h);
		break;
	case CSR_MVENDORID: case CSR_MARCHID: case CSR_MIMPID: case CSR_MCONFIGPTR: *v = 0; break;
	case CSR_MHARTID: *v = h->mhartid; break;
	default:
		if (csr >= CSR_PMPCFG0 && csr < CSR_PMPCFG0 + 16) {
			int n = csr - CSR_PMPCFG0;
			if (n & 1)
				return false; /* odd pmpcfg do not exist on RV64 */
			*v = 0;
			for (int i = 0; i < 8 && n * 4 + i < RV_PMP_COUNT; i++)
				*v |= (uint64_t)h->pmpcfg[n * 4 + i] << (8 * i);
		} else if (csr >= CSR_PMPADDR0 && csr < CSR_PMPADDR0 + 64) {
			int n = csr - CSR_PMPADDR0;
			*v = n < RV_PMP_COUNT ? h->pmpaddr[n] : 0;
		} else if ((csr > 0xb02 && csr < 0xb20) || (csr >= 0x323 && csr < 0x340)) {
			*v = 0; /* hpm counters and events: hardwired zero */
		} else if (csr > 0xc02 && csr < 0xc20) {
			if (!counter_ok(h, csr))
				return false;
			*v = 0;
		} else {
			return false;
		}
	}
	return true;
}

static void pmp_refresh(rv_hart *h)
{
	h->pmp_active = false;
	for (int i = 0; i < RV_PMP_COUNT; i++)
		if (h->pmpcfg[i] & 0x18)
			h->pmp_active = true;
	rv_tlb_flush(h);
	rv_code_flush(h);
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

static bool csr_write(rv_hart *h, int csr, uint64_t v)
{
	switch (csr) {
	case CSR_FFLAGS: h->fcsr = (h->fcsr & ~0x1fu) | (v & 0x1f); rv_fs_dirty(h); break;
	case CSR_FRM: h->fcsr = (h->fcsr & 0x1f) | ((v & 7) << 5); rv_fs_dirty(h); break;
	case CSR_FCSR: h->fcsr = v & 0xff; rv_fs_dirty(h); break;
	case CSR_SSTATUS: mstatus_write(h, v, SSTATUS_MASK & MSTATUS_WMASK); break;
	case CSR_SIE: h->mie = (h->mie & ~h->mideleg) | (v & h->mideleg & S_INTS); break;
	case CSR_STVEC: h->stvec = (v & 3) >= 2 ? (v & ~3ull) | (h->stvec & 3) : v; break;
	case CSR_SCOUNTEREN: h->scounteren = v & COUNTER_MASK; break;
	case CSR_SENVCFG: h->senvcfg = v & 1; break;
	case CSR_SSCRATCH: h->sscratch = v; break;
	case CSR_SEPC: h->sepc = v & ~1ull; break;
	case CSR_SCAUSE: h->scause = v; break;
	case CSR_STVAL: h->stval = v; break;
	case CSR_SIP: {
		uint64_t m = h->mideleg & RV_MIP_SSIP;
		h->mip = (h->mip & ~m) | (v & m);
		break;
	}
	case CSR_STIMECMP:
		if (!stimecmp_ok(h))
			return false;
		h->stimecmp = v;
		if (h->bus->timer_changed)
			h->bus->timer_changed(h->bus->ctx, h);
		break;
	case CSR_SATP: {
		if (h->priv == RV_PRIV_S && (h->mstatus & MSTATUS_TVM))
			return false;
		uint64_t mode = v >> 60;
		if (mode != 0 && mode != 8 && mode != 9)
			break; /* unsupported mode: the write has no effect */
		h->satp = v;
		rv_tlb_flush(h);
		break;
	}
	case CSR_MSTATUS: mstatus_write(h, v, MSTATUS_WMASK); break;
	case CSR_MISA: break; /* fixed */
	case CSR_MEDELEG: h->medeleg = v & MEDELEG_MASK; break;
	case CSR_MIDELEG: h->mideleg = v & S_INTS; break;
	case CSR_MIE: h->mie = v & (S_INTS | RV_MIP_MSIP | RV_MIP_MTIP | RV_MIP_MEIP); break;
	case CSR_MTVEC: h->mtvec = (v & 3) >= 2 ? (v & ~3ull) | (h->mtvec & 3) : v; break;
	case CSR_MCOUNTEREN: h->mcounteren = v & COUNTER_MASK; break;
	case CSR_MENVCFG:
		h->menvcfg = v & (MENVCFG_STCE | 1);
		if (h->bus->timer_changed) /* STCE decides whether stimecmp counts */
			h->bus->timer_changed(h->bus->ctx, h);
		break;
	case CSR_MCOUNTINHIBIT: h->mcountinhibit = v & 5; break;
	case CSR_MSCRATCH: h->mscratch = v; break;
	case CSR_MEPC: h->mepc = v & ~1ull; break;
	case CSR_MCAUSE: h->mcause = v; break;
	case CSR_MTVAL: h->mtval = v; break;
	case CSR_MIP: {
		uint64_t m = RV_MIP_SSIP | RV_MIP_SEIP | ((h->menvcfg & MENVCFG_STCE) ? 0 : RV_MIP_STIP);
		h->mip = (h->mip & ~m) | (v & m);
		break;
	}
	case CSR_MTINST: case CSR_MTVAL2: break;
	case CSR_TSELECT: h->tselect = v; break;
	case CSR_TDATA1: case CSR_TDATA2: case CSR_TDATA3: break; /* no triggers */
	case CSR_MCYCLE: case CSR_MINSTRET: h->instret = v; break;
	default:
		if (csr >= CSR_PMPCFG0 && csr < CSR_PMPCFG0 + 16) {
			if ((csr - CSR_PMPCFG0) & 1)
				return false;
			pmpcfg_write(h, csr - CSR_PMPCFG0, v);
		} else if (csr >= CSR_PMPADDR0 && csr < CSR_PMPADDR0 + 64) {
			pmpaddr_write(h, csr - CSR_PMPADDR0, v);
		} else if ((csr > 0xb02 && csr < 0xb20) || (csr >= 0x323 && csr < 0x340)) {
			/* hardwired zero */
		} else {
			return false;
		}
	}
	return true;
}

bool rv_csr(rv_hart *h, int csr, int op, uint64_t src, bool write_en, uint64_t *old)
{
	if (((csr >> 8) & 3) > h->priv)
		return false;
	if (write_en && (csr >> 10) == 3)
		return false; /* read-only CSR */
	if ((csr <= CSR_FCSR) && !(h->mstatus & MSTATUS_FS))
		return false;
	uint64_t v;
	if (!csr_read(h, csr, &v))
		return false;
	*old = v;
	if (!write_en)
		return true;
	/* mip reads OR the interrupt controller's SEIP into the software bit,
	 * but csrrs/csrrc modify only the software bit (priv spec 3.1.9):
	 * otherwise a set of SSIP would latch a device's SEIP forever. */
	uint64_t base = v;
	if (csr == CSR_MIP)
		base = (v & ~(uint64_t)RV_MIP_SEIP) | (h->mip & RV_MIP_SEIP);
	uint64_t nv = op == 0 ? src : op == 1 ? (base | src) : (base & ~src);
	return csr_write(h, csr, nv);
}
