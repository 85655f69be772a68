/* hart.c - creating, resetting and freeing a hart.
 * The decoded-code pool is sized so a kernel's hot code fits; when it
 * fills, the whole pool is recycled (cheap, and rare). */
#include "riscv/internal.h"

#include <stddef.h>
#include <stdlib.h>

#define DPOOL_PAGES 2048 /* 64 MiB of decoded slots per hart at most */
#define DHASH_SIZE  4096

/* mem's shootdown reaches the hart as a kick; the run loop acks. */
static void mapper_kick(struct mem_mapper *mp)
{
	rv_kick((rv_hart *)((char *)mp - offsetof(rv_hart, mapper)));
}

int rv_hart_init(rv_hart *h, struct rv_bus *bus, uint64_t hartid)
{
	static bool labels_ready;
	if (!__atomic_load_n(&labels_ready, __ATOMIC_ACQUIRE)) {
		rv_run(NULL, 0);
		__atomic_store_n(&labels_ready, true, __ATOMIC_RELEASE);
	}
	memset(h, 0, sizeof *h);
	h->bus = bus;
	h->mhartid = hartid;
	h->dhash_size = DHASH_SIZE;
	h->dhash = calloc(DHASH_SIZE, sizeof *h->dhash);
	h->dpool_cap = DPOOL_PAGES;
	/* Reserved address space; pages are touched only as code is decoded. */
	h->dpool = malloc((size_t)DPOOL_PAGES * sizeof(rv_dpage));
	if (!h->dhash || !h->dpool) {
		rv_hart_free(h);
		return -ERR_NOMEM;
	}
	/* Idle until a run loop takes it: a shootdown never waits for a hart
	 * that is not running. */
	h->mapper.kick = mapper_kick;
	h->mapper.idle = 1;
	int err = mem_mapper_add(bus->mem, &h->mapper);
	if (err) {
		rv_hart_free(h);
		return err;
	}
	rv_hart_reset(h, 0x1000);
	return 0;
}

void rv_hart_free(rv_hart *h)
{
	if (h->mapper.kick && h->bus)
		mem_mapper_remove(h->bus->mem, &h->mapper);
	h->mapper.kick = NULL;
	free(h->dhash);
	free(h->dpool);
	h->dhash = NULL;
	h->dpool = NULL;
}

void rv_hart_reset(rv_hart *h, uint64_t pc)
{
	memset(h->x, 0, sizeof h->x);
	memset(h->f, 0, sizeof h->f);
	h->pc = pc;
	h->priv = RV_PRIV_M;
	/* RV64 with A C D F I M S U; UXL = SXL = 64 bits. */
	h->misa = (2ull << 62) | (1u << 0) | (1u << 2) | (1u << 3) | (1u << 5) | (1u << 8) |
		  (1u << 12) | (1u << 18) | (1u << 20);
	h->mstatus = (2ull << 32) | (2ull << 34);
	h->medeleg = h->mideleg = h->mie = h->mip = 0;
	h->mtvec = h->stvec = h->mepc = h->sepc = h->mcause = h->scause = 0;
	h->mtval = h->stval = h->satp = h->mcounteren = h->scounteren = 0;
	h->menvcfg = h->senvcfg = h->mscratch = h->sscratch = 0;
	h->stimecmp = UINT64_MAX;
	h->mtimecmp = UINT64_MAX;
	h->fcsr = 0;
	h->instret = 0;
	memset(h->pmpcfg, 0, sizeof h->pmpcfg);
	memset(h->pmpaddr, 0, sizeof h->pmpaddr);
	h->pmp_active = false;
	h->pmp_n = 0;
	h->lr_valid = false;
	h->wfi = false;
	h->scratch.host = NULL;
	h->scratch.ppn = ~0ull;
	rv_tlb_flush(h);
	rv_code_flush(h);
	rv_update_mode(h);
}

void rv_set_ext_irq(rv_hart *h, uint32_t bit, bool level)
{
	if (level)
		__atomic_fetch_or(&h->mip_ext, bit, __ATOMIC_ACQ_REL);
	else
		__atomic_fetch_and(&h->mip_ext, ~bit, __ATOMIC_ACQ_REL);
	rv_kick(h);
}

uint32_t rv_get_ext_irq(rv_hart *h)
{
	return __atomic_load_n(&h->mip_ext, __ATOMIC_ACQUIRE);
}

void rv_request_stop(rv_hart *h)
{
	__atomic_store_n(&h->stop_req, 1, __ATOMIC_RELEASE);
	rv_kick(h);
}

void rv_set_msip(rv_hart *h, bool level)
{
	__atomic_store_n(&h->msip, level ? 1u : 0u, __ATOMIC_RELEASE);
	rv_kick(h);
}

bool rv_get_msip(rv_hart *h)
{
	return __atomic_load_n(&h->msip, __ATOMIC_ACQUIRE) != 0;
}

void rv_set_mtimecmp(rv_hart *h, uint64_t v)
{
	__atomic_store_n(&h->mtimecmp, v, __ATOMIC_RELEASE);
	rv_kick(h);
	if (h->bus->timer_changed)
		h->bus->timer_changed(h->bus->ctx, h);
}

uint64_t rv_get_mtimecmp(rv_hart *h)
{
	return __atomic_load_n(&h->mtimecmp, __ATOMIC_ACQUIRE);
}

uint64_t rv_next_deadline(rv_hart *h)
{
	uint64_t t = rv_get_mtimecmp(h);
	/* stimecmp belongs to the hart's thread; a stale read only makes the
	 * scheduler's timer fire early, and the hart re-checks. */
	uint64_t s = __atomic_load_n(&h->stimecmp, __ATOMIC_RELAXED);
	if ((__atomic_load_n(&h->menvcfg, __ATOMIC_RELAXED) >> 63) && s < t)
		t = s;
	return t;
}
