/* mmu.c - address translation (Sv39/Sv48), PMP, the soft TLBs and the slow
 * paths of loads, stores, atomics and instruction fetch.  The interpreter
 * inlines TLB hits; everything that misses comes here. */
#include "riscv/internal.h"

#include <stdlib.h>

#define PAGE_MASK 0xfffull
#define PTE_V (1u << 0)
#define PTE_R (1u << 1)
#define PTE_W (1u << 2)
#define PTE_X (1u << 3)
#define PTE_U (1u << 4)
#define PTE_A (1u << 6)
#define PTE_D (1u << 7)
#define PTE_PPN(p) (((p) >> 10) & ((1ull << 44) - 1))
#define PTE_RESERVED 0xffc0000000000000ull /* N, PBMT, reserved: unsupported */

static const uint64_t page_fault[3] = { RV_EXC_LOAD_PAGE, RV_EXC_STORE_PAGE, RV_EXC_INSN_PAGE };
static const uint64_t access_fault[3] = { RV_EXC_LOAD_ACCESS, RV_EXC_STORE_ACCESS, RV_EXC_INSN_ACCESS };

static bool fault(rv_exc *e, uint64_t cause, uint64_t tval)
{
	e->cause = cause;
	e->tval = tval;
	return false;
}

/* ---- physical memory ---- */

/* Host bytes behind [pa, pa+len) (len within one page): RAM through mem, or
 * a ROM region (*rom set); NULL for MMIO or nothing. */
static inline __attribute__((always_inline)) uint8_t *phys(struct rv_bus *b, uint64_t pa, uint64_t len, bool *rom)
{
	if (likely(mem_contains(b->mem, pa, len))) {
		*rom = false;
		return mem_page(b->mem, pa) + (pa & PAGE_MASK);
	}
	for (int i = 0; i < b->nrom; i++) {
		rv_rom *r = &b->rom[i];
		if (pa >= r->base && pa - r->base < r->size && len <= r->size - (pa - r->base)) {
			*rom = true;
			return (uint8_t *)r->host + (pa - r->base);
		}
	}
	return NULL;
}

/* Whether the whole 4 KiB page at pg is behind one host mapping. */
static bool whole_page(struct rv_bus *b, uint64_t pg, bool rom)
{
	if (!rom)
		return mem_contains(b->mem, pg, 4096);
	for (int i = 0; i < b->nrom; i++)
		if (pg >= b->rom[i].base && pg + 4096 <= b->rom[i].base + b->rom[i].size)
			return true;
	return false;
}

/* ---- PMP ---- */

/* Range [lo, hi) of entry i; false if OFF. */
static bool pmp_range(rv_hart *h, int i, uint64_t *lo, uint64_t *hi)
{
	uint8_t a = (h->pmpcfg[i] >> 3) & 3;
	uint64_t addr = h->pmpaddr[i];
	switch (a) {
	case 1: /* TOR */
		*lo = i ? h->pmpaddr[i - 1] << 2 : 0;
		*hi = addr << 2;
		return true;
	case 2: /* NA4 */
		*lo = addr << 2;
		*hi = *lo + 4;
		return true;
	case 3: { /* NAPOT */
		int t = __builtin_ctzll(~addr);
		if (t >= 54) {
			*lo = 0;
			*hi = UINT64_MAX;
			return true;
		}
		*lo = (addr & ~((1ull << t) - 1)) << 2;
		*hi = *lo + (1ull << (t + 3));
		return true;
	}
	}
	return false;
}

/* 1: allowed, 0: denied.  *whole says whether the decision covers the
 * whole 4 KiB page around pa (so a TLB entry may cache it). */
static int pmp_check(rv_hart *h, uint64_t pa, uint64_t len, int acc, int priv, bool *whole)
{
	uint64_t pg = pa & ~PAGE_MASK;
	*whole = true;
	if (!h->pmp_active)
		return priv == RV_PRIV_M;
	for (int n = 0; n < h->pmp_n; n++) {
		int i = h->pmp_on[n];
		uint64_t lo, hi;
		if (!pmp_range(h, i, &lo, &hi) || hi <= lo)
			continue;
		if (pg < hi && lo < pg + 4096 && !(lo <= pg && pg + 4096 <= hi))
			*whole = false; /* the entry splits this page */
		if (!(pa < hi && lo < pa + len))
			continue;
		if (!(lo <= pa && pa + len <= hi))
			return 0;
		uint8_t cfg = h->pmpcfg[i];
		if (priv == RV_PRIV_M && !(cfg & 0x80))
			return 1;
		return (cfg >> acc) & 1; /* R=bit0, W=bit1, X=bit2 */
	}
	return priv == RV_PRIV_M;
}

static bool pmp_ok(rv_hart *h, uint64_t pa, uint64_t len, int acc, int priv)
{
	bool whole;
	return pmp_check(h, pa, len, acc, priv, &whole);
}

/* ---- translation ---- */

/* Effective privilege of a data access (MPRV). */
static int data_priv(rv_hart *h)
{
	if (h->priv == RV_PRIV_M && (h->mstatus & MSTATUS_MPRV))
		return (h->mstatus >> MSTATUS_MPP_SHIFT) & 3;
	return h->priv;
}

static bool leaf_allowed(rv_hart *h, uint64_t pte, int acc, int priv)
{
	if (acc == RV_ACC_X && !(pte & PTE_X))
		return false;
	if (acc == RV_ACC_R && !((pte & PTE_R) || ((h->mstatus & MSTATUS_MXR) && (pte & PTE_X))))
		return false;
	if (acc == RV_ACC_W && !(pte & PTE_W))
		return false;
	if (priv == RV_PRIV_U)
		return pte & PTE_U;
	if (pte & PTE_U) /* S-mode on a user page */
		return acc != RV_ACC_X && (h->mstatus & MSTATUS_SUM);
	return true;
}

/* Update A (and D) with a compare-and-swap; false if the PTE changed. */
static bool set_ad(uint8_t *p, uint64_t pte, int acc)
{
	uint64_t want = pte | PTE_A | (acc == RV_ACC_W ? PTE_D : 0);
	if (want == pte)
		return true;
	uint64_t expect = pte;
	return __atomic_compare_exchange_n((uint64_t *)p, &expect, want, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/* The walker's A/D update is a store to guest RAM like any other: it breaks
 * a share first and tells mem afterwards (decoded code, dirty log). */
static void store_effects(rv_hart *h, uint64_t pa, int size, bool *reload);
/* 1 done, 0 the PTE changed under us (walk again), -1 retry the instruction. */
static int update_ad(rv_hart *h, uint8_t *p, uint64_t pte_pa, uint64_t pte, int acc)
{
	struct mem *m = h->bus->mem;
	uint8_t st = mem_state(m, pte_pa);
	if ((st & MEM_SHARED) && !mem_prepare_store(m, pte_pa))
		return -1;
	if (!set_ad(p, pte, acc))
		return 0;
	bool reload = false; /* the page being run keeps its slots until left */
	if (st)
		store_effects(h, pte_pa, 8, &reload);
	return 1;
}

static bool walk(rv_hart *h, uint64_t va, int acc, int priv, uint64_t *pa, int *level, rv_exc *e)
{
	int mode = (int)(h->satp >> 60), levels = mode == 9 ? 4 : 3;
	int vbits = 12 + 9 * levels;
	if ((uint64_t)((int64_t)(va << (64 - vbits)) >> (64 - vbits)) != va)
		return fault(e, page_fault[acc], va);
again:;
	uint64_t base = (h->satp & ((1ull << 44) - 1)) << 12;
	for (int lvl = levels - 1; lvl >= 0; lvl--) {
		uint64_t pte_pa = base + ((va >> (12 + 9 * lvl)) & 511) * 8;
		bool rom;
		uint8_t *p = phys(h->bus, pte_pa, 8, &rom);
		if (!p || !pmp_ok(h, pte_pa, 8, RV_ACC_R, RV_PRIV_S))
			return fault(e, access_fault[acc], va);
		uint64_t pte = __atomic_load_n((uint64_t *)p, __ATOMIC_ACQUIRE);
		if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) || (pte & PTE_RESERVED))
			return fault(e, page_fault[acc], va);
		if (!(pte & (PTE_R | PTE_X))) {
			if (lvl == 0 || (pte & (PTE_A | PTE_D | PTE_U)))
				return fault(e, page_fault[acc], va);
			base = PTE_PPN(pte) << 12;
			continue;
		}
		uint64_t ppn = PTE_PPN(pte), lowmask = (1ull << (9 * lvl)) - 1;
		if ((ppn & lowmask) || !leaf_allowed(h, pte, acc, priv))
			return fault(e, page_fault[acc], va);
		bool ad_ok = pte & PTE_A && (acc != RV_ACC_W || (pte & PTE_D));
		if (rom && !ad_ok)
			return fault(e, access_fault[acc], va);
		if (!rom && !ad_ok) {
			int r = update_ad(h, p, pte_pa, pte, acc);
			if (r < 0)
				return fault(e, RV_EXC_RETRY, va);
			if (!r)
				goto again;
		}
		*pa = ((ppn & ~lowmask) << 12) | (va & ((1ull << (12 + 9 * lvl)) - 1));
		*level = lvl;
		return true;
	}
	return fault(e, page_fault[acc], va);
}

/* *level: 0 for a 4 KiB page, 1.. for superpages (whose TLB entries a
 * targeted SFENCE.VMA must also drop). */
static bool translate_lvl(rv_hart *h, uint64_t va, int acc, int priv, uint64_t *pa, int *level, rv_exc *e)
{
	int mode = (int)(h->satp >> 60);
	*level = 0;
	if (priv == RV_PRIV_M || mode == 0) {
		*pa = va;
		return true;
	}
	return walk(h, va, acc, priv, pa, level, e);
}

static bool translate(rv_hart *h, uint64_t va, int acc, int priv, uint64_t *pa, rv_exc *e)
{
	int level;
	return translate_lvl(h, va, acc, priv, pa, &level, e);
}

/* Remember TLB entries filled from superpages (see rv_tlb_flush_va). */
static void note_super(rv_hart *h, uint64_t *tag, int level)
{
	if (!level)
		return;
	if (h->nsuper < RV_SUPER_TRACK)
		h->super_tags[h->nsuper++] = tag;
	else
		h->super_overflow = true;
}

/* ---- TLBs ---- */

void rv_tlb_flush(rv_hart *h)
{
	memset(h->tlb_r, 0xff, sizeof h->tlb_r); /* tag ~0: never matches */
	memset(h->tlb_w, 0xff, sizeof h->tlb_w);
	memset(h->tlb_x, 0xff, sizeof h->tlb_x);
	h->nsuper = 0;
	h->super_overflow = false;
}

/* SFENCE.VMA with an address: that page's entries in every mode, plus every
 * entry that came from a superpage (it may cover the address). */
void rv_tlb_flush_va(rv_hart *h, uint64_t va)
{
	if (h->super_overflow) {
		rv_tlb_flush(h);
		return;
	}
	uint64_t pg = va & ~PAGE_MASK;
	unsigned ix = (va >> 12) & (RV_TLB_SIZE - 1);
	for (int m = 0; m < RV_DM_COUNT; m++) {
		if (h->tlb_r[m][ix].tag == pg)
			h->tlb_r[m][ix].tag = ~0ull;
		if (h->tlb_w[m][ix].tag == pg)
			h->tlb_w[m][ix].tag = ~0ull;
		if (h->tlb_x[m][ix].tag == pg)
			h->tlb_x[m][ix].tag = ~0ull;
	}
	for (int k = 0; k < h->nsuper; k++)
		*h->super_tags[k] = ~0ull;
	h->nsuper = 0;
}

static void wtlb_flush(rv_hart *h)
{
	memset(h->tlb_w, 0xff, sizeof h->tlb_w);
}

void rv_update_mode(rv_hart *h)
{
	int p = data_priv(h);
	if (p == RV_PRIV_M)
		h->dmode = RV_DM_M;
	else if (p == RV_PRIV_S)
		h->dmode = (h->mstatus & MSTATUS_SUM) ? RV_DM_SSUM : RV_DM_S;
	else
		h->dmode = RV_DM_U;
	h->rtlb = h->tlb_r[h->dmode];
	h->wtlb = h->tlb_w[h->dmode];
	h->xtlb = h->tlb_x[h->priv];
}

/* Translate + PMP + find the RAM behind a data access.  On success *host is
 * the host address (NULL for MMIO) and the TLB may have been filled. */
static bool data_access(rv_hart *h, uint64_t va, int size, int acc, uint8_t **host, uint64_t *pa_out, rv_exc *e)
{
	int priv = data_priv(h), level;
	uint64_t pa;
	bool whole;
	if (!translate_lvl(h, va, acc, priv, &pa, &level, e))
		return false;
	if (!pmp_check(h, pa, size, acc, priv, &whole))
		return fault(e, access_fault[acc], va);
	*pa_out = pa;
	bool rom;
	*host = phys(h->bus, pa, size, &rom);
	if (!*host)
		return true;
	if (acc == RV_ACC_W && rom)
		return fault(e, access_fault[acc], va);
	if (!whole)
		return true;
	/* Fill the TLB when the whole page is plain RAM (or ROM), and for
	 * writes only when no store to it needs the slow path. */
	uint64_t pg = pa & ~PAGE_MASK;
	if (!whole_page(h->bus, pg, rom))
		return true;
	if (acc == RV_ACC_W && (mem_state(h->bus->mem, pa) & MEM_NOWRITE_FAST))
		return true;
	rv_tlbe *t = (acc == RV_ACC_W ? h->wtlb : h->rtlb) + ((va >> 12) & (RV_TLB_SIZE - 1));
	t->tag = va & ~PAGE_MASK;
	note_super(h, &t->tag, level);
	t->addend = (uintptr_t)(*host - (pa & PAGE_MASK)) - (uintptr_t)(va & ~PAGE_MASK);
	return true;
}

static uint64_t ld_host(const uint8_t *p, int size)
{
	switch (size) {
	case 1: return ld_le8(p);
	case 2: return ld_le16(p);
	case 4: return ld_le32(p);
	default: return ld_le64(p);
	}
}

static void st_host(uint8_t *p, int size, uint64_t v)
{
	switch (size) {
	case 1: st_le8(p, (uint8_t)v); break;
	case 2: st_le16(p, (uint16_t)v); break;
	case 4: st_le32(p, (uint32_t)v); break;
	default: st_le64(p, v); break;
	}
}

bool rv_load_slow(rv_hart *h, uint64_t va, int size, uint64_t *val, rv_exc *e)
{
	if (unlikely(((va & PAGE_MASK) + size) > 4096)) {
		/* Misaligned across a page: byte by byte, little-endian. */
		uint64_t v = 0, b;
		for (int i = 0; i < size; i++) {
			if (!rv_load_slow(h, va + i, 1, &b, e))
				return fault(e, e->cause, va);
			v |= b << (8 * i);
		}
		*val = v;
		return true;
	}
	uint8_t *host;
	uint64_t pa;
	if (!data_access(h, va, size, RV_ACC_R, &host, &pa, e))
		return false;
	if (host) {
		*val = ld_host(host, size);
		return true;
	}
	if ((pa & (size - 1)) || h->bus->mmio_read(h->bus->ctx, pa, size, val))
		return fault(e, RV_EXC_LOAD_ACCESS, va);
	return true;
}

/* A store reached a frame with state bits (code, watched, dirty logging):
 * keep decoded code coherent and tell mem. */
static void store_effects(rv_hart *h, uint64_t pa, int size, bool *reload)
{
	if (!mem_store_effects(h->bus->mem, pa, size))
		return;
	/* Unlink (not reset) our decoded copy: the instruction doing this
	 * store may live in it and must stay intact until it finishes. */
	uint64_t ppn = pa >> 12;
	for (rv_dpage **pp = &h->dhash[ppn & (h->dhash_size - 1)]; *pp; pp = &(*pp)->hnext)
		if ((*pp)->ppn == ppn) {
			*pp = (*pp)->hnext;
			break;
		}
	memset(h->tlb_x, 0xff, sizeof h->tlb_x);
	*reload = true;
}

/* Before the bytes of a RAM store land: a shared frame becomes private.
 * Returns the frame's state as it was, or -1 when the instruction must be
 * retried (RV_EXC_RETRY). */
static int store_prepare(rv_hart *h, uint64_t pa)
{
	uint8_t st = mem_state(h->bus->mem, pa);
	if ((st & MEM_SHARED) && !mem_prepare_store(h->bus->mem, pa))
		return -1;
	return st;
}

bool rv_store_slow(rv_hart *h, uint64_t va, int size, uint64_t val, rv_exc *e, bool *reload)
{
	if (unlikely(((va & PAGE_MASK) + size) > 4096)) {
		/* Check both pages first so a fault leaves memory untouched. */
		uint8_t *h1, *h2;
		uint64_t p1, p2, first = 4096 - (va & PAGE_MASK);
		if (!data_access(h, va, (int)first, RV_ACC_W, &h1, &p1, e) ||
		    !data_access(h, va + first, size - (int)first, RV_ACC_W, &h2, &p2, e))
			return fault(e, e->cause, va);
		for (int i = 0; i < size; i++)
			if (!rv_store_slow(h, va + i, 1, val >> (8 * i), e, reload))
				return fault(e, e->cause, va);
		return true;
	}
	uint8_t *host;
	uint64_t pa;
	if (!data_access(h, va, size, RV_ACC_W, &host, &pa, e))
		return false;
	if (host) {
		int st = store_prepare(h, pa);
		if (st < 0)
			return fault(e, RV_EXC_RETRY, va);
		st_host(host, size, val);
		if (st)
			store_effects(h, pa, size, reload);
		if (h->lr_valid && (h->lr_addr >> 3) == (va >> 3))
			h->lr_valid = false;
		return true;
	}
	if ((pa & (size - 1)) || h->bus->mmio_write(h->bus->ctx, pa, size, val))
		return fault(e, RV_EXC_STORE_ACCESS, va);
	return true;
}

void *rv_amo_ptr(rv_hart *h, uint64_t va, int size, int acc, rv_exc *e, bool *reload)
{
	if (va & (size - 1)) {
		fault(e, acc == RV_ACC_R ? RV_EXC_LOAD_MISALIGNED : RV_EXC_STORE_MISALIGNED, va);
		return NULL;
	}
	uint8_t *host;
	uint64_t pa;
	if (!data_access(h, va, size, acc, &host, &pa, e))
		return NULL;
	if (!host) {
		fault(e, acc == RV_ACC_R ? RV_EXC_LOAD_ACCESS : RV_EXC_STORE_ACCESS, va);
		return NULL;
	}
	if (acc == RV_ACC_W) {
		int st = store_prepare(h, pa);
		if (st < 0) {
			fault(e, RV_EXC_RETRY, va);
			return NULL;
		}
		/* The atomic lands after this returns: the effects (code
		 * generation, watcher) are taken first, which is what a store
		 * to code needs too (re-decode on the next fetch). */
		if (st)
			store_effects(h, pa, size, reload);
	}
	return host;
}

/* ---- decoded code pages ---- */

void rv_dpage_reset(rv_dpage *dp)
{
	for (int i = 0; i < RV_PAGE_SLOTS; i++) {
		dp->slot[i].h = rv_handlers[RV_OP_decode];
		dp->slot[i].flags = 0;
	}
	dp->slot[RV_PAGE_SLOTS].h = rv_handlers[RV_OP_page_end];
}

void rv_code_flush(rv_hart *h)
{
	memset(h->dhash, 0, h->dhash_size * sizeof *h->dhash);
	h->dpool_used = 0;
	memset(h->tlb_x, 0xff, sizeof h->tlb_x);
	uint32_t ep = mem_code_epoch(h->bus->mem);
	if (ep != h->code_epoch) {
		h->code_epoch = ep;
		wtlb_flush(h);
	}
}

static rv_dpage *dpage_get(rv_hart *h, uint64_t pa, uint8_t *host, bool rom)
{
	uint64_t ppn = pa >> 12;
	rv_dpage **slot = &h->dhash[ppn & (h->dhash_size - 1)];
	struct mem *m = h->bus->mem;
	uint32_t gen = rom ? 0 : mem_code_gen(m, pa);
	rv_dpage *dp;
	for (dp = *slot; dp; dp = dp->hnext)
		if (dp->ppn == ppn)
			break;
	if (!dp) {
		if (h->dpool_used == h->dpool_cap) {
			rv_code_flush(h);
			slot = &h->dhash[ppn & (h->dhash_size - 1)];
		}
		dp = (rv_dpage *)((char *)h->dpool + (size_t)h->dpool_used++ * sizeof(rv_dpage));
		dp->ppn = ppn;
		dp->host = host;
		dp->hnext = *slot;
		*slot = dp;
		rv_dpage_reset(dp);
		dp->gen = gen;
	} else if (dp->gen != gen) {
		rv_dpage_reset(dp);
		dp->gen = gen;
	}
	/* Mark the frame as code so stores to it take the slow path. */
	uint32_t ep = rom ? 0 : mem_mark_code(m, pa);
	if (ep) {
		h->code_epoch = ep;
		wtlb_flush(h);
	}
	return dp;
}

rv_dpage *rv_fetch_page(rv_hart *h, uint64_t pc, rv_exc *e, bool *cacheable)
{
	uint64_t pa;
	int level;
	if (!translate_lvl(h, pc, RV_ACC_X, h->priv, &pa, &level, e))
		return NULL;
	bool whole;
	if (!pmp_check(h, pa, 2, RV_ACC_X, h->priv, &whole)) {
		fault(e, RV_EXC_INSN_ACCESS, pc);
		return NULL;
	}
	uint64_t pg = pa & ~PAGE_MASK;
	bool rom;
	uint8_t *host = phys(h->bus, pg, 4096, &rom);
	if (!host) {
		fault(e, RV_EXC_INSN_ACCESS, pc);
		return NULL;
	}
	*cacheable = whole;
	if (!whole)
		return &h->scratch; /* the caller fetches instruction by instruction */
	rv_dpage *dp = dpage_get(h, pg, host, rom);
	{
		rv_xtlbe *t = &h->xtlb[(pc >> 12) & (RV_TLB_SIZE - 1)];
		t->tag = pc & ~PAGE_MASK;
		t->dp = dp;
		note_super(h, &t->tag, level);
	}
	return dp;
}

bool rv_fetch16(rv_hart *h, uint64_t va, uint16_t *out, rv_exc *e)
{
	uint64_t pa;
	if (!translate(h, va, RV_ACC_X, h->priv, &pa, e))
		return false;
	bool rom;
	const uint8_t *p = phys(h->bus, pa, 2, &rom);
	if (!p || !pmp_ok(h, pa, 2, RV_ACC_X, h->priv))
		return fault(e, RV_EXC_INSN_ACCESS, va);
	*out = ld_le16(p);
	return true;
}
