/* vdriver.h - the guest-driver side of the virtio unit tests (test_virtio.c,
 * test_net.c): registers through the device's ops, split rings laid out in
 * guest RAM via machine_dma.  One test file includes it once. */
#ifndef CAIRN_TESTS_VDRIVER_H
#define CAIRN_TESTS_VDRIVER_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "machine/virtio.h"

static int passed, failed;
#define CHECK(c, ...) do { if (c) passed++; else { failed++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
	printf(__VA_ARGS__); printf("\n"); } } while (0)

static struct machine *m;
#define RAM(off) (VIRT_DRAM_BASE + (off))
#define RAM_SIZE (4ull << 20)

/* ---- Driver side: registers ---- */

static inline uint32_t rd(struct dev *d, uint64_t off)
{
	uint64_t v = 0;
	(void)d->ops->read(d->opaque, off, 4, &v);
	return (uint32_t)v;
}

static inline void wr(struct dev *d, uint64_t off, uint32_t v)
{
	(void)d->ops->write(d->opaque, off, 4, v);
}

static inline uint8_t *host(uint64_t gpa, uint64_t len)
{
	uint8_t *p = machine_dma(m, gpa, len, false);
	if (!p)
		abort();
	return p;
}

/* ACKNOWLEDGE, DRIVER, features (all offered minus `drop`), FEATURES_OK. */
static inline uint32_t negotiate(struct dev *d, uint64_t drop)
{
	wr(d, 0x70, 0);
	wr(d, 0x70, VIRTIO_S_ACKNOWLEDGE);
	wr(d, 0x70, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER);
	wr(d, 0x14, 0);
	uint64_t f = rd(d, 0x10);
	wr(d, 0x14, 1);
	f |= (uint64_t)rd(d, 0x10) << 32;
	f &= ~drop;
	wr(d, 0x24, 0);
	wr(d, 0x20, (uint32_t)f);
	wr(d, 0x24, 1);
	wr(d, 0x20, (uint32_t)(f >> 32));
	wr(d, 0x70, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK);
	return rd(d, 0x70);
}

/* A split ring laid out by the "driver" at a fixed place per queue. */
struct ring {
	struct dev *d;
	int q;
	uint32_t num;
	uint64_t desc, avail, used;
	uint16_t avail_idx;
};

static inline void ring_setup(struct ring *r, struct dev *d, int q, uint32_t num, uint64_t at)
{
	*r = (struct ring){ d, q, num, RAM(at), RAM(at + 0x1000), RAM(at + 0x2000), 0 };
	memset(host(r->desc, 0x3000), 0, 0x3000);
	wr(d, 0x30, (uint32_t)q);
	wr(d, 0x38, num);
	wr(d, 0x80, (uint32_t)r->desc);
	wr(d, 0x84, (uint32_t)(r->desc >> 32));
	wr(d, 0x90, (uint32_t)r->avail);
	wr(d, 0x94, (uint32_t)(r->avail >> 32));
	wr(d, 0xa0, (uint32_t)r->used);
	wr(d, 0xa4, (uint32_t)(r->used >> 32));
	wr(d, 0x44, 1);
}

static inline void driver_ok(struct dev *d)
{
	wr(d, 0x70, rd(d, 0x70) | VIRTIO_S_DRIVER_OK);
}

static inline void set_desc(uint64_t table, int i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *p = host(table + 16 * (uint64_t)i, 16);
	st_le64(p, addr);
	st_le32(p + 8, len);
	st_le16(p + 12, flags);
	st_le16(p + 14, next);
}

static inline void submit(struct ring *r, uint16_t head)
{
	st_le16(host(r->avail + 4 + 2 * (r->avail_idx % r->num), 2), head);
	st_le16(host(r->avail + 2, 2), ++r->avail_idx);
	wr(r->d, 0x50, (uint32_t)r->q);
}

static inline uint16_t used_idx(const struct ring *r)
{
	return __atomic_load_n((uint16_t *)host(r->used + 2, 2), __ATOMIC_ACQUIRE);
}

/* Devices may complete on another thread: poll up to two seconds. */
static inline bool wait_used(const struct ring *r, uint16_t want)
{
	for (int k = 0; k < 2000 && (int16_t)(used_idx(r) - want) < 0; k++)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	return (int16_t)(used_idx(r) - want) >= 0;
}

/* The head index of used entry i. */
static inline uint32_t used_id(const struct ring *r, uint16_t i)
{
	return ld_le32(host(r->used + 4 + 8 * (uint64_t)(i % r->num), 4));
}

static inline uint32_t used_len(const struct ring *r, uint16_t i)
{
	return ld_le32(host(r->used + 4 + 8 * (uint64_t)(i % r->num) + 4, 4));
}

static inline bool needs_reset(struct dev *d)
{
	return (rd(d, 0x70) & VIRTIO_S_NEEDS_RESET) && (rd(d, 0x60) & 2);
}

static inline struct dev *last_dev(void)
{
	return &m->devs[m->ndevs - 1];
}

#endif
