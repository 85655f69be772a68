/* plic.c - the platform-level interrupt controller (SiFive PLIC as on QEMU's
 * virt board): level-triggered sources with gateways, per-context enables,
 * priorities, thresholds and claim/complete; contexts 2h and 2h+1 are hart
 * h's M and S modes.  Devices raise lines from any thread: one mutex. */
#include "machine/machine.h"

#include "base/state.h"

#include <libfdt.h>
#include <stdlib.h>

#define NSRC     VIRT_NIRQ
#define NWORDS   ((NSRC + 31) / 32)
#define NCTX     (2 * VIRT_MAX_HARTS)

struct plic {
	struct machine *m;
	pthread_mutex_t mu;
	uint32_t prio[NSRC];
	uint32_t level[NWORDS];     /* input line state */
	uint32_t pending[NWORDS];   /* gateway: waiting to be claimed */
	uint32_t claimed[NWORDS];   /* in service until completed */
	uint32_t enable[NCTX][NWORDS];
	uint32_t threshold[NCTX];
	uint32_t phandle;
};

static bool bit(const uint32_t *w, int n) { return (w[n / 32] >> (n % 32)) & 1; }
static void setbit(uint32_t *w, int n, bool v)
{
	if (v)
		w[n / 32] |= 1u << (n % 32);
	else
		w[n / 32] &= ~(1u << (n % 32));
}

/* Highest-priority pending enabled source above the threshold, or 0. */
static int best(struct plic *p, int ctx)
{
	int id = 0;
	uint32_t top = p->threshold[ctx];
	for (int s = 1; s < NSRC; s++)
		if (bit(p->pending, s) && bit(p->enable[ctx], s) && p->prio[s] > top) {
			top = p->prio[s];
			id = s;
		}
	return id;
}

/* Recompute every context's output wire (MEIP/SEIP of its hart). */
static void update(struct plic *p)
{
	for (int h = 0; h < p->m->nharts; h++) {
		rv_hart *hart = &p->m->vcpu[h]->hart;
		bool me = best(p, 2 * h) != 0, se = best(p, 2 * h + 1) != 0;
		uint32_t want = (me ? RV_MIP_MEIP : 0) | (se ? RV_MIP_SEIP : 0);
		uint32_t have = rv_get_ext_irq(hart) & (RV_MIP_MEIP | RV_MIP_SEIP);
		if (want != have) {
			rv_set_ext_irq(hart, RV_MIP_MEIP, me);
			rv_set_ext_irq(hart, RV_MIP_SEIP, se);
			machine_wake(p->m, h);
		}
	}
}

static void plic_set_irq(void *opaque, int irq, bool level)
{
	struct plic *p = opaque;
	if (irq <= 0 || irq >= NSRC)
		return;
	pthread_mutex_lock(&p->mu);
	setbit(p->level, irq, level);
	/* The gateway forwards one request per assertion; a request already
	 * pending stays pending even if the line drops (PLIC spec, gateways). */
	if (level && !bit(p->claimed, irq))
		setbit(p->pending, irq, true);
	update(p);
	pthread_mutex_unlock(&p->mu);
}

struct irq_line plic_line(struct plic *p, int irq)
{
	return (struct irq_line){ plic_set_irq, p, irq };
}

static uint32_t claim(struct plic *p, int ctx)
{
	int id = best(p, ctx);
	if (id) {
		setbit(p->pending, id, false);
		setbit(p->claimed, id, true);
	}
	return (uint32_t)id;
}

static void complete(struct plic *p, int ctx, uint32_t id)
{
	if (id == 0 || id >= NSRC || !bit(p->enable[ctx], (int)id))
		return;
	setbit(p->claimed, (int)id, false);
	if (bit(p->level, (int)id))
		setbit(p->pending, (int)id, true); /* still asserted: again */
}

static int plic_read(void *opaque, uint64_t off, int size, uint64_t *val)
{
	struct plic *p = opaque;
	int nctx = 2 * p->m->nharts;
	if (size != 4)
		return -1;
	pthread_mutex_lock(&p->mu);
	*val = 0;
	if (off < 0x1000) {
		if (off / 4 < NSRC)
			*val = p->prio[off / 4];
	} else if (off >= 0x1000 && off < 0x1000 + 4 * NWORDS) {
		*val = p->pending[(off - 0x1000) / 4];
	} else if (off >= 0x2000 && off < 0x200000) {
		uint64_t ctx = (off - 0x2000) / 0x80, w = (off - 0x2000) % 0x80 / 4;
		if (ctx < (uint64_t)nctx && w < NWORDS)
			*val = p->enable[ctx][w];
	} else if (off >= 0x200000) {
		uint64_t ctx = (off - 0x200000) / 0x1000, r = (off - 0x200000) % 0x1000;
		if (ctx < (uint64_t)nctx && r == 0)
			*val = p->threshold[ctx];
		else if (ctx < (uint64_t)nctx && r == 4) {
			*val = claim(p, (int)ctx);
			update(p);
		}
	}
	pthread_mutex_unlock(&p->mu);
	return 0;
}

static int plic_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct plic *p = opaque;
	int nctx = 2 * p->m->nharts;
	uint32_t v = (uint32_t)val;
	if (size != 4)
		return -1;
	pthread_mutex_lock(&p->mu);
	if (off < 0x1000) {
		if (off / 4 > 0 && off / 4 < NSRC)
			p->prio[off / 4] = v & 7;
	} else if (off >= 0x2000 && off < 0x200000) {
		uint64_t ctx = (off - 0x2000) / 0x80, w = (off - 0x2000) % 0x80 / 4;
		if (ctx < (uint64_t)nctx && w < NWORDS)
			p->enable[ctx][w] = w == 0 ? v & ~1u : v; /* source 0 does not exist */
	} else if (off >= 0x200000) {
		uint64_t ctx = (off - 0x200000) / 0x1000, r = (off - 0x200000) % 0x1000;
		if (ctx < (uint64_t)nctx && r == 0)
			p->threshold[ctx] = v & 7;
		else if (ctx < (uint64_t)nctx && r == 4)
			complete(p, (int)ctx, v);
	}
	update(p);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

static int plic_fdt(void *opaque, struct machine *m, void *fdt, int soc)
{
	struct plic *p = opaque;
	int n = fdt_dev_node(m, fdt, soc, "plic", VIRT_PLIC_BASE, VIRT_PLIC_SIZE, 0);
	if (n < 0)
		return n;
	uint32_t ext[4 * VIRT_MAX_HARTS];
	for (int h = 0; h < m->nharts; h++) {
		ext[4 * h + 0] = cpu_to_fdt32(m->intc_phandle[h]);
		ext[4 * h + 1] = cpu_to_fdt32(RV_IRQ_MEI);
		ext[4 * h + 2] = cpu_to_fdt32(m->intc_phandle[h]);
		ext[4 * h + 3] = cpu_to_fdt32(RV_IRQ_SEI);
	}
	int err = fdt_setprop_u32(fdt, n, "phandle", p->phandle);
	err |= fdt_setprop_u32(fdt, n, "riscv,ndev", NSRC - 1);
	err |= fdt_setprop(fdt, n, "interrupts-extended", ext, (int)(16 * m->nharts));
	err |= fdt_setprop(fdt, n, "interrupt-controller", NULL, 0);
	static const char compat[] = "sifive,plic-1.0.0\0riscv,plic0";
	err |= fdt_setprop(fdt, n, "compatible", compat, sizeof compat);
	err |= fdt_setprop_u32(fdt, n, "#address-cells", 0);
	err |= fdt_setprop_u32(fdt, n, "#interrupt-cells", 1);
	return err ? -1 : 0;
}

static void plic_reset(void *opaque)
{
	struct plic *p = opaque;
	pthread_mutex_lock(&p->mu);
	memset(p->prio, 0, sizeof p->prio);
	memset(p->pending, 0, sizeof p->pending);
	memset(p->claimed, 0, sizeof p->claimed);
	memset(p->enable, 0, sizeof p->enable);
	memset(p->threshold, 0, sizeof p->threshold);
	for (int w = 0; w < NWORDS; w++)
		p->pending[w] = p->level[w]; /* lines still high are pending again */
	pthread_mutex_unlock(&p->mu);
}

static void plic_destroy(void *opaque)
{
	struct plic *p = opaque;
	pthread_mutex_destroy(&p->mu);
	free(p);
}

static void plic_save(void *opaque, struct state_buf *s)
{
	struct plic *p = opaque;
	pthread_mutex_lock(&p->mu);
	for (int k = 0; k < NSRC; k++)
		state_put_u32(s, p->prio[k]);
	for (int w = 0; w < NWORDS; w++) {
		state_put_u32(s, p->level[w]);
		state_put_u32(s, p->pending[w]);
		state_put_u32(s, p->claimed[w]);
	}
	for (int c = 0; c < NCTX; c++) {
		for (int w = 0; w < NWORDS; w++)
			state_put_u32(s, p->enable[c][w]);
		state_put_u32(s, p->threshold[c]);
	}
	pthread_mutex_unlock(&p->mu);
}

static int plic_restore(void *opaque, struct state_buf *s)
{
	struct plic *p = opaque, t = *p;
	for (int k = 0; k < NSRC; k++)
		t.prio[k] = state_get_u32(s) & 7;
	for (int w = 0; w < NWORDS; w++) {
		t.level[w] = state_get_u32(s);
		t.pending[w] = state_get_u32(s);
		t.claimed[w] = state_get_u32(s);
	}
	for (int c = 0; c < NCTX; c++) {
		for (int w = 0; w < NWORDS; w++)
			t.enable[c][w] = state_get_u32(s);
		t.threshold[c] = state_get_u32(s) & 7;
	}
	if (state_done(s))
		return -ERR_FORMAT;
	pthread_mutex_lock(&p->mu);
	memcpy(p->prio, t.prio, sizeof p->prio);
	memcpy(p->level, t.level, sizeof p->level);
	memcpy(p->pending, t.pending, sizeof p->pending);
	memcpy(p->claimed, t.claimed, sizeof p->claimed);
	memcpy(p->enable, t.enable, sizeof p->enable);
	memcpy(p->threshold, t.threshold, sizeof p->threshold);
	update(p); /* the harts' wires follow the restored state */
	pthread_mutex_unlock(&p->mu);
	return 0;
}

static const struct dev_ops plic_ops = {
	.name = "plic", .read = plic_read, .write = plic_write, .fdt = plic_fdt,
	.reset = plic_reset, .destroy = plic_destroy, .save = plic_save, .restore = plic_restore,
};

int plic_create(struct machine *m, uint64_t base, struct plic **out)
{
	struct plic *p = calloc(1, sizeof *p);
	if (!p)
		return -ERR_NOMEM;
	p->m = m;
	pthread_mutex_init(&p->mu, NULL);
	p->phandle = machine_new_phandle(m);
	*out = p;
	return machine_add_dev(m, base, VIRT_PLIC_SIZE, &plic_ops, p);
}

uint32_t plic_phandle(const struct plic *p)
{
	return p->phandle;
}
