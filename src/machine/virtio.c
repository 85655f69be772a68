/* virtio.c - virtio-mmio v2 transport and split virtqueues (virtio 1.2, 4.2
 * and 2.7).  The guest is untrusted: every ring and buffer address goes
 * through machine_dma, every chain is bounded; a bad one stops the device. */
#include "machine/virtio.h"

#include <libfdt.h>
#include <stdlib.h>

/* Register offsets (virtio 1.2, 4.2.2). */
enum {
	R_MAGIC = 0x000, R_VERSION = 0x004, R_DEVICE_ID = 0x008, R_VENDOR_ID = 0x00c,
	R_DEV_FEAT = 0x010, R_DEV_FEAT_SEL = 0x014, R_DRV_FEAT = 0x020, R_DRV_FEAT_SEL = 0x024,
	R_QUEUE_SEL = 0x030, R_QUEUE_NUM_MAX = 0x034, R_QUEUE_NUM = 0x038, R_QUEUE_READY = 0x044,
	R_QUEUE_NOTIFY = 0x050, R_INT_STATUS = 0x060, R_INT_ACK = 0x064, R_STATUS = 0x070,
	R_DESC_LO = 0x080, R_DESC_HI = 0x084, R_DRIVER_LO = 0x090, R_DRIVER_HI = 0x094,
	R_DEVICE_LO = 0x0a0, R_DEVICE_HI = 0x0a4, R_SHM_SEL = 0x0ac, R_SHM_LEN_LO = 0x0b0,
	R_SHM_BASE_HI = 0x0bc, R_QUEUE_RESET = 0x0c0, R_CONFIG_GEN = 0x0fc, R_CONFIG = 0x100,
};
#define MAGIC  0x74726976u /* "virt" */
#define VENDOR 0x4e524143u /* "CARN" */

enum { DESC_F_NEXT = 1, DESC_F_WRITE = 2, DESC_F_INDIRECT = 4 };
enum { AVAIL_F_NO_INTERRUPT = 1 };
enum { INT_USED = 1, INT_CONFIG = 2 };

struct vq {
	uint32_t num;
	bool ready;
	uint64_t desc, driver, device;  /* guest addresses */
	uint8_t *d, *a, *u;             /* host addresses, valid while ready */
	struct mem_pin pin[3];          /* the three ring areas, pinned while ready */
	uint16_t last_avail, used_idx;
	uint32_t epoch;                 /* bumped on reset: stale requests are dropped */
	uint32_t inflight;              /* popped, not yet pushed (kept across resets) */
};

struct virtio {
	struct machine *m;
	const struct virtio_dev_ops *ops;
	void *priv;
	uint64_t base;
	int irq;
	struct irq_line line;           /* irq at the board's interrupt controller */
	pthread_mutex_t mu;
	pthread_cond_t drained;         /* a queue's last in-flight request was pushed */
	uint32_t status, isr, gen;
	uint32_t dev_feat_sel, drv_feat_sel, qsel;
	uint64_t dev_features, drv_features;
	struct vq q[VIRTIO_MAX_QUEUES];
	uint32_t config_size;
	uint8_t config[VIRTIO_CONFIG_MAX];
};

void *virtio_priv(struct virtio *vd) { return vd->priv; }
struct machine *virtio_machine(struct virtio *vd) { return vd->m; }

uint64_t virtio_features(struct virtio *vd)
{
	pthread_mutex_lock(&vd->mu);
	uint64_t f = vd->drv_features;
	pthread_mutex_unlock(&vd->mu);
	return f;
}

/* ---- Interrupts and the error state (lock held) ---- */

static void update_irq(struct virtio *vd)
{
	irq_set(&vd->line, vd->isr != 0);
}

static void raise_int(struct virtio *vd, uint32_t bits)
{
	vd->isr |= bits;
	update_irq(vd);
}

static void set_error_locked(struct virtio *vd)
{
	if (vd->status & VIRTIO_S_NEEDS_RESET)
		return;
	vd->status |= VIRTIO_S_NEEDS_RESET;
	/* Only a driver that finished setup listens for it (virtio 1.2, 2.1.2). */
	if (vd->status & VIRTIO_S_DRIVER_OK)
		raise_int(vd, INT_CONFIG);
}

void virtio_set_error(struct virtio *vd)
{
	pthread_mutex_lock(&vd->mu);
	set_error_locked(vd);
	pthread_mutex_unlock(&vd->mu);
}

static bool running_locked(const struct virtio *vd)
{
	return (vd->status & (VIRTIO_S_DRIVER_OK | VIRTIO_S_NEEDS_RESET | VIRTIO_S_FAILED)) == VIRTIO_S_DRIVER_OK;
}

bool virtio_running(struct virtio *vd)
{
	pthread_mutex_lock(&vd->mu);
	bool r = running_locked(vd);
	pthread_mutex_unlock(&vd->mu);
	return r;
}

/* ---- Reset and status ---- */

static void queue_release(struct virtio *vd, struct vq *q)
{
	for (int k = 0; k < 3; k++)
		mem_unpin(vd->m->mem, &q->pin[k]);
	q->d = q->a = q->u = NULL;
	q->ready = false;
}

static void reset_locked(struct virtio *vd)
{
	vd->status = vd->isr = 0;
	vd->dev_feat_sel = vd->drv_feat_sel = vd->qsel = 0;
	vd->drv_features = 0;
	for (int k = 0; k < VIRTIO_MAX_QUEUES; k++) {
		struct vq *q = &vd->q[k];
		uint32_t epoch = q->epoch + 1, inflight = q->inflight;
		queue_release(vd, q);
		*q = (struct vq){ .num = VIRTIO_QUEUE_MAX, .epoch = epoch, .inflight = inflight };
	}
	update_irq(vd);
}

/* The driver may only add bits; FEATURES_OK sticks only if the features it
 * chose are ones we offered, VERSION_1 among them (virtio 1.2, 3.1.1). */
static void write_status(struct virtio *vd, uint32_t v)
{
	uint32_t old = vd->status, added = (v & 0xff & ~VIRTIO_S_NEEDS_RESET) & ~old;
	if (added & VIRTIO_S_FEATURES_OK) {
		bool ok = !(vd->drv_features & ~vd->dev_features) &&
			  (vd->drv_features >> VIRTIO_F_VERSION_1 & 1);
		if (!ok)
			added &= ~(uint32_t)VIRTIO_S_FEATURES_OK;
	}
	vd->status = old | added;
	if ((added & VIRTIO_S_DRIVER_OK) && !(vd->status & VIRTIO_S_FEATURES_OK))
		set_error_locked(vd);
}

/* ---- Queue set-up ---- */

static struct vq *cur_queue(struct virtio *vd)
{
	return vd->qsel < (uint32_t)vd->ops->nqueues ? &vd->q[vd->qsel] : NULL;
}

/* Check the three ring areas once: aligned and wholly in RAM (virtio 1.2, 2.7). */
static int queue_enable(struct virtio *vd, struct vq *q)
{
	uint64_t n = q->num;
	if ((q->desc & 15) || (q->driver & 1) || (q->device & 3))
		return -ERR_INVAL;
	/* Pinned: the frames stay private and in place while the device
	 * holds these pointers (the used ring is written by the device). */
	struct mem *m = vd->m->mem;
	if (mem_pin(m, q->desc, 16 * n, false, &q->pin[0]) || mem_pin(m, q->driver, 6 + 2 * n, false, &q->pin[1]) ||
	    mem_pin(m, q->device, 6 + 8 * n, true, &q->pin[2])) {
		queue_release(vd, q);
		return -ERR_RANGE;
	}
	q->d = q->pin[0].host;
	q->a = q->pin[1].host;
	q->u = q->pin[2].host;
	q->last_avail = q->used_idx = 0;
	q->ready = true;
	return 0;
}

static void write_queue_ready(struct virtio *vd, struct vq *q, uint32_t v)
{
	if (!v) {
		queue_release(vd, q);
		q->epoch++;
		return;
	}
	if (!q->ready && queue_enable(vd, q))
		set_error_locked(vd);
}

static void write_queue_num(struct virtio *vd, struct vq *q, uint32_t v)
{
	if (!v || v > VIRTIO_QUEUE_MAX || (v & (v - 1)))
		set_error_locked(vd);
	else
		q->num = v;
}

static void set_half(uint64_t *r, bool hi, uint32_t v)
{
	*r = hi ? (*r & 0xffffffffull) | (uint64_t)v << 32 : (*r & ~0xffffffffull) | v;
}

/* Queue registers: ignored for a queue that does not exist or is running. */
static void write_queue_reg(struct virtio *vd, uint32_t off, uint32_t v)
{
	struct vq *q = cur_queue(vd);
	if (!q)
		return;
	if (off == R_QUEUE_READY) {
		write_queue_ready(vd, q, v);
		return;
	}
	if (q->ready)
		return;
	switch (off) {
	case R_QUEUE_NUM: write_queue_num(vd, q, v); break;
	case R_DESC_LO: case R_DESC_HI: set_half(&q->desc, off & 4, v); break;
	case R_DRIVER_LO: case R_DRIVER_HI: set_half(&q->driver, off & 4, v); break;
	case R_DEVICE_LO: case R_DEVICE_HI: set_half(&q->device, off & 4, v); break;
	}
}

/* ---- Registers ---- */

static uint32_t read_queue_reg(struct virtio *vd, uint32_t off)
{
	struct vq *q = cur_queue(vd);
	if (!q)
		return 0;
	switch (off) {
	case R_QUEUE_NUM_MAX: return VIRTIO_QUEUE_MAX;
	case R_QUEUE_NUM: return q->num;
	case R_QUEUE_READY: return q->ready;
	case R_DESC_LO: case R_DESC_HI: return (uint32_t)(q->desc >> (off & 4) * 8);
	case R_DRIVER_LO: case R_DRIVER_HI: return (uint32_t)(q->driver >> (off & 4) * 8);
	case R_DEVICE_LO: case R_DEVICE_HI: return (uint32_t)(q->device >> (off & 4) * 8);
	}
	return 0;
}

static uint32_t read_reg(struct virtio *vd, uint32_t off)
{
	switch (off) {
	case R_MAGIC: return MAGIC;
	case R_VERSION: return 2;
	case R_DEVICE_ID: return vd->ops->device_id;
	case R_VENDOR_ID: return VENDOR;
	case R_DEV_FEAT:
		return vd->dev_feat_sel < 2 ? (uint32_t)(vd->dev_features >> 32 * vd->dev_feat_sel) : 0;
	case R_INT_STATUS: return vd->isr;
	case R_STATUS: return vd->status;
	case R_CONFIG_GEN: return vd->gen;
	/* No shared memory regions: length and base read as all ones. */
	case R_SHM_LEN_LO: case R_SHM_LEN_LO + 4: case R_SHM_BASE_HI - 4: case R_SHM_BASE_HI:
		return 0xffffffffu;
	}
	return read_queue_reg(vd, off);
}

/* Returns the queue to notify, or -1. */
static int write_reg(struct virtio *vd, uint32_t off, uint32_t v)
{
	switch (off) {
	case R_DEV_FEAT_SEL: vd->dev_feat_sel = v; break;
	case R_DRV_FEAT_SEL: vd->drv_feat_sel = v; break;
	case R_DRV_FEAT:
		/* Fixed once FEATURES_OK is set. */
		if (!(vd->status & VIRTIO_S_FEATURES_OK) && vd->drv_feat_sel < 2)
			set_half(&vd->drv_features, vd->drv_feat_sel, v);
		break;
	case R_QUEUE_SEL: vd->qsel = v; break;
	case R_QUEUE_NOTIFY:
		if (running_locked(vd) && v < (uint32_t)vd->ops->nqueues && vd->q[v].ready)
			return (int)v;
		break;
	case R_INT_ACK:
		vd->isr &= ~v;
		update_irq(vd);
		break;
	case R_STATUS:
		if (v == 0)
			reset_locked(vd);
		else
			write_status(vd, v);
		break;
	case R_QUEUE_NUM: case R_QUEUE_READY: case R_DESC_LO: case R_DESC_HI:
	case R_DRIVER_LO: case R_DRIVER_HI: case R_DEVICE_LO: case R_DEVICE_HI:
		write_queue_reg(vd, off, v);
		break;
	}
	/* Everything else is read-only or unimplemented: ignored. */
	return -1;
}

/* A reset or a queue disable returns to the driver only once the device
 * has pushed every request it popped before (virtio 1.2, 2.4 and 4.2.2.1:
 * after the write the buffers are the driver's again).  Nothing new is
 * popped meanwhile: the queue is not ready or the device not running.
 * Devices push every request they pop, so this ends (lock held, released
 * while waiting so the device can push). */
static void drain_locked(struct virtio *vd, int first, int end)
{
	for (int k = first; k < end; k++)
		while (vd->q[k].inflight)
			pthread_cond_wait(&vd->drained, &vd->mu);
}

static void drain_after_write(struct virtio *vd, uint32_t off, uint32_t v)
{
	if (off == R_STATUS && v == 0)
		drain_locked(vd, 0, vd->ops->nqueues);
	else if (off == R_QUEUE_READY && v == 0 && vd->qsel < (uint32_t)vd->ops->nqueues)
		drain_locked(vd, (int)vd->qsel, (int)vd->qsel + 1);
}

static int mmio_read(void *opaque, uint64_t off, int size, uint64_t *val)
{
	struct virtio *vd = opaque;
	*val = 0;
	pthread_mutex_lock(&vd->mu);
	if (off < R_CONFIG) {
		/* Registers are 32-bit, aligned (virtio 1.2, 4.2.2.2); others read 0. */
		if (size == 4 && !(off & 3))
			*val = read_reg(vd, (uint32_t)off);
	} else if (off - R_CONFIG + (uint64_t)size <= vd->config_size) {
		for (int k = 0; k < size; k++)
			*val |= (uint64_t)vd->config[off - R_CONFIG + (uint64_t)k] << 8 * k;
	}
	pthread_mutex_unlock(&vd->mu);
	return 0;
}

static void notify_all_ready(struct virtio *vd)
{
	for (int k = 0; k < vd->ops->nqueues; k++)
		if (vd->ops->notify)
			vd->ops->notify(vd, k);
}

static int mmio_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct virtio *vd = opaque;
	int notify = -1;
	bool was_ok, reset = false;
	if (off >= R_CONFIG) {
		if (off - R_CONFIG + (uint64_t)size <= vd->config_size && vd->ops->config_write)
			vd->ops->config_write(vd, (uint32_t)(off - R_CONFIG), size, val);
		return 0;
	}
	if (size != 4 || (off & 3))
		return 0;
	pthread_mutex_lock(&vd->mu);
	was_ok = running_locked(vd);
	notify = write_reg(vd, (uint32_t)off, (uint32_t)val);
	drain_after_write(vd, (uint32_t)off, (uint32_t)val);
	reset = off == R_STATUS && val == 0;
	bool now_ok = running_locked(vd);
	pthread_mutex_unlock(&vd->mu);
	/* Device callbacks run unlocked: they pop and push, which lock. */
	if (reset && vd->ops->reset)
		vd->ops->reset(vd);
	if (notify >= 0 && vd->ops->notify)
		vd->ops->notify(vd, notify);
	/* Buffers posted before DRIVER_OK (drivers may kick early) are seen now. */
	if (!was_ok && now_ok)
		notify_all_ready(vd);
	return 0;
}

static void unpin_segs(struct virtio *vd, struct virtio_req *r)
{
	for (int k = 0; k < r->nr + r->nw; k++) {
		struct mem_pin p = { r->seg[k].p, r->seg[k].gpa, r->seg[k].len, k >= r->nr };
		mem_unpin(vd->m->mem, &p);
	}
	r->nr = r->nw = 0;
}

/* ---- Split virtqueue: popping a chain ---- */

static int add_seg(struct virtio *vd, struct virtio_req *r, uint64_t addr, uint32_t len, bool w)
{
	if (!len)
		return 0;
	if (r->nr + r->nw == VIRTIO_QUEUE_MAX || (!w && r->nw))
		return -ERR_FORMAT;     /* too many, or readable after writable */
	/* Pinned until the chain is pushed back; a writable buffer declares
	 * the write now, before the device's bytes land (shares broken,
	 * decoded code dropped). */
	struct mem_pin pin;
	if (mem_pin(vd->m->mem, addr, len, w, &pin))
		return -ERR_RANGE;      /* outside RAM: MMIO, ROM or nothing */
	r->seg[r->nr + r->nw] = (struct virtio_seg){ pin.host, addr, len };
	if (w) {
		r->nw++;
		r->wlen += len;
	} else {
		r->nr++;
		r->rlen += len;
	}
	return 0;
}

/* An indirect table replaces the chain (virtio 1.2, 2.7.5.3): it must be
 * the head, alone, not nested, of whole descriptors. */
static const uint8_t *indirect_table(struct virtio *vd, uint64_t addr, uint32_t len, uint16_t flags,
				     uint32_t *size)
{
	if (!(vd->drv_features >> VIRTIO_F_INDIRECT_DESC & 1) || (flags & DESC_F_NEXT))
		return NULL;
	if (!len || len % 16 || len / 16 > VIRTIO_QUEUE_MAX)
		return NULL;
	*size = len / 16;
	return machine_dma(vd->m, addr, len, false);
}

/* Each table is walked at most its size steps: a loop is a malformed chain. */
static int walk_chain(struct virtio *vd, struct vq *q, struct virtio_req *r)
{
	const uint8_t *table = q->d;
	uint32_t size = q->num, steps = 0, i = r->head;
	bool indirect = false;
	for (;;) {
		if (i >= size || steps++ == size)
			return -ERR_FORMAT;
		const uint8_t *d = table + 16 * i;
		uint64_t addr = ld_le64(d);
		uint32_t len = ld_le32(d + 8);
		uint16_t flags = ld_le16(d + 12), next = ld_le16(d + 14);
		if (flags & DESC_F_INDIRECT) {
			if (indirect || steps != 1 || !(table = indirect_table(vd, addr, len, flags, &size)))
				return -ERR_FORMAT;
			indirect = true;
			i = steps = 0;
			continue;
		}
		int err = add_seg(vd, r, addr, len, flags & DESC_F_WRITE);
		if (err)
			return err;
		if (!(flags & DESC_F_NEXT))
			return 0;
		i = next;
	}
}

int virtio_pop(struct virtio *vd, int qi, struct virtio_req *r)
{
	int ret = 0;
	if (qi < 0 || qi >= vd->ops->nqueues)
		return 0;
	pthread_mutex_lock(&vd->mu);
	struct vq *q = &vd->q[qi];
	if (!running_locked(vd) || !q->ready)
		goto out;
	uint16_t avail = ld_le16(q->a + 2);
	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* ring entries after the index */
	if (avail == q->last_avail)
		goto out;
	if ((uint16_t)(avail - q->last_avail) > q->num) {
		ret = -ERR_FORMAT;      /* more buffers than the ring holds */
		goto out;
	}
	*r = (struct virtio_req){ .q = qi, .epoch = q->epoch };
	r->head = ld_le16(q->a + 4 + 2 * (q->last_avail % q->num));
	q->last_avail++;
	ret = walk_chain(vd, q, r);
	if (!ret) {
		ret = 1;
		q->inflight++;
	} else {
		unpin_segs(vd, r);
	}
out:
	if (ret < 0)
		set_error_locked(vd);
	pthread_mutex_unlock(&vd->mu);
	return ret;
}

/* ---- Returning a chain ---- */

/* Tell mem again which guest bytes the device changed: code decoded from
 * them since the pop is dropped, the frames are logged dirty. */
static void mark_written(struct virtio *vd, const struct virtio_req *r, uint32_t len)
{
	for (int k = r->nr; k < r->nr + r->nw && len; k++) {
		uint32_t n = r->seg[k].len < len ? r->seg[k].len : len;
		(void)machine_dma(vd->m, r->seg[k].gpa, n, true);
		len -= n;
	}
}

void virtio_push(struct virtio *vd, struct virtio_req *r, uint32_t len)
{
	pthread_mutex_lock(&vd->mu);
	struct vq *q = &vd->q[r->q];
	if (q->inflight && !--q->inflight)
		pthread_cond_broadcast(&vd->drained);
	if (r->epoch != q->epoch || !q->ready || !running_locked(vd))
		goto out;
	if (len > r->wlen)
		len = (uint32_t)r->wlen;
	mark_written(vd, r, len);
	unpin_segs(vd, r);
	uint8_t *e = q->u + 4 + 8 * (q->used_idx % q->num);
	st_le32(e, r->head);
	st_le32(e + 4, len);
	__atomic_thread_fence(__ATOMIC_RELEASE); /* the element before the index */
	st_le16(q->u + 2, ++q->used_idx);
	(void)machine_dma(vd->m, q->device, 6 + 8 * (uint64_t)q->num, true);
	/* Full fence: the index must be visible before we read the driver's flags. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(ld_le16(q->a) & AVAIL_F_NO_INTERRUPT))
		raise_int(vd, INT_USED);
out:
	unpin_segs(vd, r); /* a dropped request too */
	pthread_mutex_unlock(&vd->mu);
}

static uint64_t req_copy(const struct virtio_req *r, bool w, uint64_t off, void *buf, uint64_t len)
{
	int first = w ? r->nr : 0, end = w ? r->nr + r->nw : r->nr;
	uint64_t done = 0;
	for (int k = first; k < end && done < len; k++) {
		const struct virtio_seg *s = &r->seg[k];
		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		uint64_t n = s->len - off < len - done ? s->len - off : len - done;
		if (w)
			memcpy(s->p + off, (const uint8_t *)buf + done, n);
		else
			memcpy((uint8_t *)buf + done, s->p + off, n);
		done += n;
		off = 0;
	}
	return done;
}

uint64_t virtio_req_read(const struct virtio_req *r, uint64_t off, void *buf, uint64_t len)
{
	return req_copy(r, false, off, buf, len);
}

uint64_t virtio_req_write(const struct virtio_req *r, uint64_t off, const void *buf, uint64_t len)
{
	return req_copy(r, true, off, (void *)buf, len);
}

/* ---- Config space ---- */

void virtio_config_set(struct virtio *vd, uint32_t off, const void *data, uint32_t len, bool notify)
{
	pthread_mutex_lock(&vd->mu);
	if (off <= vd->config_size && len <= vd->config_size - off) {
		memcpy(vd->config + off, data, len);
		vd->gen++;
		if (notify && running_locked(vd))
			raise_int(vd, INT_CONFIG);
	}
	pthread_mutex_unlock(&vd->mu);
}

/* ---- Device model glue ---- */

static int fdt_err(int e)
{
	return e == -FDT_ERR_NOSPACE ? -ERR_NOMEM : -ERR_INVAL;
}

/* virtio_mmio@BASE { compatible = "virtio,mmio"; reg = <BASE 0x1000>;
 * interrupts = <IRQ>; interrupt-parent = <&plic>; }, as QEMU's virt board. */
static int mmio_fdt(void *opaque, struct machine *m, void *fdt, int soc)
{
	struct virtio *vd = opaque;
	char name[40];
	snprintf(name, sizeof name, "virtio_mmio@%llx", (unsigned long long)vd->base);
	int node = fdt_add_subnode(fdt, soc, name);
	if (node < 0)
		return fdt_err(node);
	fdt64_t reg[2] = { cpu_to_fdt64(vd->base), cpu_to_fdt64(VIRTIO_MMIO_SIZE) };
	int e = fdt_setprop_string(fdt, node, "compatible", "virtio,mmio");
	if (!e)
		e = fdt_setprop(fdt, node, "reg", reg, sizeof reg);
	if (!e)
		e = fdt_setprop_u32(fdt, node, "interrupts", (uint32_t)vd->irq);
	if (!e)
		e = fdt_setprop_u32(fdt, node, "interrupt-parent", machine_plic_phandle(m));
	return e ? fdt_err(e) : 0;
}

static void mmio_reset(void *opaque)
{
	struct virtio *vd = opaque;
	pthread_mutex_lock(&vd->mu);
	reset_locked(vd);
	drain_locked(vd, 0, vd->ops->nqueues);
	pthread_mutex_unlock(&vd->mu);
	if (vd->ops->reset)
		vd->ops->reset(vd);
}

static void mmio_destroy(void *opaque)
{
	struct virtio *vd = opaque;
	if (vd->ops->destroy)
		vd->ops->destroy(vd);
	for (int k = 0; k < VIRTIO_MAX_QUEUES; k++)
		queue_release(vd, &vd->q[k]);
	pthread_mutex_destroy(&vd->mu);
	pthread_cond_destroy(&vd->drained);
	free(vd);
}

static const struct dev_ops mmio_ops = {
	.name = "virtio-mmio",
	.read = mmio_read,
	.write = mmio_write,
	.fdt = mmio_fdt,
	.reset = mmio_reset,
	.destroy = mmio_destroy,
};

int virtio_mmio_create(struct machine *m, uint64_t base, int irq, const struct virtio_dev_ops *ops,
		       void *priv, const void *config, uint32_t config_size, struct virtio **out)
{
	if (config_size > VIRTIO_CONFIG_MAX || ops->nqueues < 1 || ops->nqueues > VIRTIO_MAX_QUEUES)
		return -ERR_INVAL;
	struct virtio *vd = calloc(1, sizeof *vd);
	if (!vd)
		return -ERR_NOMEM;
	*vd = (struct virtio){ .m = m, .ops = ops, .priv = priv, .base = base, .irq = irq, .line = machine_irq(m, irq),
			       .config_size = config_size };
	vd->dev_features = ops->features | 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_F_INDIRECT_DESC;
	if (config_size)
		memcpy(vd->config, config, config_size);
	pthread_mutex_init(&vd->mu, NULL);
	pthread_cond_init(&vd->drained, NULL);
	reset_locked(vd);
	int err = machine_add_dev(m, base, VIRTIO_MMIO_SIZE, &mmio_ops, vd);
	if (err) {
		pthread_mutex_destroy(&vd->mu);
		pthread_cond_destroy(&vd->drained);
		free(vd);
		return err;
	}
	if (out)
		*out = vd;
	return 0;
}
