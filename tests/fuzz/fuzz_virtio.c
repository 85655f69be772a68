/* fuzz_virtio.c - libFuzzer target for the virtio transport and devices: the
 * input is a script of register accesses, RAM writes, ring set-ups and
 * descriptor chains; the host must never crash, hang or leave guest RAM. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "machine/virtio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM_SIZE (256u << 10)
#define NDEV 4

static struct machine *m;
static struct dev *devs[NDEV];
static struct virtio_console *con;

struct input {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct input *in, int bytes)
{
	uint64_t v = 0;
	for (int k = 0; k < bytes && in->n; k++, in->p++, in->n--)
		v |= (uint64_t)*in->p << 8 * k;
	return v;
}

/* Mostly addresses inside RAM, sometimes anything at all. */
static uint64_t take_addr(struct input *in)
{
	uint8_t kind = (uint8_t)take(in, 1);
	if (kind < 0x20)
		return take(in, 8);
	return VIRT_DRAM_BASE + take(in, 3) % RAM_SIZE;
}

static void reg_write(struct dev *d, uint64_t off, uint32_t v)
{
	(void)d->ops->write(d->opaque, off, 4, v);
}

/* Where queue q of device i keeps its rings: 16 KiB per queue. */
static uint64_t ring_base(int i, int q)
{
	return VIRT_DRAM_BASE + (uint64_t)(i * VIRTIO_MAX_QUEUES + q) * 0x4000;
}

/* A well-behaved driver set-up, so random chains reach the devices. */
static void standard_init(struct dev *d, int i, uint32_t num)
{
	reg_write(d, 0x70, 0);
	reg_write(d, 0x70, 3);
	reg_write(d, 0x24, 0);
	reg_write(d, 0x20, 0xffffffffu);
	reg_write(d, 0x24, 1);
	reg_write(d, 0x20, 1);
	reg_write(d, 0x70, 3 | VIRTIO_S_FEATURES_OK);
	for (int q = 0; q < 2; q++) {
		uint64_t b = ring_base(i, q);
		reg_write(d, 0x30, (uint32_t)q);
		reg_write(d, 0x38, num);
		reg_write(d, 0x80, (uint32_t)b);
		reg_write(d, 0x84, (uint32_t)(b >> 32));
		reg_write(d, 0x90, (uint32_t)(b + 0x1000));
		reg_write(d, 0x94, (uint32_t)((b + 0x1000) >> 32));
		reg_write(d, 0xa0, (uint32_t)(b + 0x2000));
		reg_write(d, 0xa4, (uint32_t)((b + 0x2000) >> 32));
		reg_write(d, 0x44, 1);
	}
	reg_write(d, 0x70, 3 | VIRTIO_S_FEATURES_OK | VIRTIO_S_DRIVER_OK);
}

/* Write descriptor `idx` of queue q's table, make `head` available, notify. */
static void add_chain(struct input *in, struct dev *d, int i, int q)
{
	uint64_t b = ring_base(i, q);
	uint16_t idx = (uint16_t)take(in, 1), head = (uint16_t)take(in, 1);
	uint64_t addr = take_addr(in);
	uint32_t len = (uint32_t)take(in, 2);
	if (take(in, 1) & 1)
		len = (uint32_t)take(in, 4);
	uint16_t flags = (uint16_t)take(in, 1), next = (uint16_t)take(in, 1);
	uint8_t *desc = machine_dma(m, b + 16 * (uint64_t)(idx % 256), 16, true);
	uint8_t *avail = machine_dma(m, b + 0x1000, 4 + 2 * 256, true);
	st_le64(desc, addr);
	st_le32(desc + 8, len);
	st_le16(desc + 12, flags);
	st_le16(desc + 14, next);
	uint16_t ai = ld_le16(avail + 2);
	st_le16(avail + 4 + 2 * (ai % 256), head);
	st_le16(avail + 2, (uint16_t)(ai + 1));
	reg_write(d, 0x50, (uint32_t)q);
}

static void step(struct input *in)
{
	uint8_t op = (uint8_t)take(in, 1);
	int i = (op >> 4) % NDEV;
	struct dev *d = devs[i];
	static const int sizes[4] = { 1, 2, 4, 8 };
	uint64_t v;
	switch (op % 7) {
	case 0: {
		uint64_t off = take(in, 2) & 0x1ff;
		int sz = sizes[take(in, 1) & 3];
		(void)d->ops->write(d->opaque, off, sz, take(in, 4));
		break;
	}
	case 1: {
		uint64_t off = take(in, 2) & 0x1ff;
		(void)d->ops->read(d->opaque, off, sizes[take(in, 1) & 3], &v);
		break;
	}
	case 2: {
		uint64_t off = take(in, 3) % RAM_SIZE, len = take(in, 1);
		uint8_t *p = machine_dma(m, VIRT_DRAM_BASE + off, len, true);
		for (uint64_t k = 0; p && k < len; k++)
			p[k] = (uint8_t)take(in, 1);
		break;
	}
	case 3: standard_init(d, i, 1u << (take(in, 1) % 9)); break;
	case 4: case 5: add_chain(in, d, i, (int)(take(in, 1) & 1)); break;
	case 6: {
		uint8_t buf[64];
		size_t n = take(in, 1) % sizeof buf;
		for (size_t k = 0; k < n; k++)
			buf[k] = (uint8_t)take(in, 1);
		(void)virtio_console_input(con, buf, n);
		break;
	}
	}
}

static void setup(void)
{
	struct machine_config cfg = { .ram_size = RAM_SIZE, .smp = 1 };
	char path[] = "/tmp/cairn-fuzz-virtio-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, 64 << 10) || machine_create(&m, &cfg))
		abort();
	close(fd);
	m->console = fopen("/dev/null", "w");
	/* Both open one image: no image locks between them. */
	struct blk_opts rw = { .file = path, .format = "raw", .no_lock = true },
			snap = { .file = path, .format = "raw", .snapshot = true, .no_lock = true };
	if (!m->console || virtio_rng_create(m, VIRTIO_MMIO_BASE, 1) ||
	    virtio_blk_create(m, VIRTIO_MMIO_BASE + 0x1000, 2, &rw) ||
	    virtio_blk_create(m, VIRTIO_MMIO_BASE + 0x2000, 3, &snap) ||
	    virtio_console_create(m, VIRTIO_MMIO_BASE + 0x3000, 4, &con))
		abort();
	unlink(path); /* open descriptors keep it alive */
	for (int k = 0; k < NDEV; k++)
		devs[k] = &m->devs[m->ndevs - NDEV + k];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!m)
		setup();
	struct input in = { data, size };
	for (int steps = 0; in.n && steps < 256; steps++)
		step(&in);
	/* Reset waits for in-flight disk requests, so runs do not overlap. */
	for (int k = 0; k < NDEV; k++)
		reg_write(devs[k], 0x70, 0);
	memset(mem_map_write(m->mem, VIRT_DRAM_BASE, RAM_SIZE), 0, RAM_SIZE);
	return 0;
}
