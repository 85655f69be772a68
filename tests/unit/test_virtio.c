/* test_virtio.c - unit tests for the virtio-mmio transport and devices: the
 * test plays the guest driver (registers through the device's ops, rings in
 * guest RAM via machine_dma), including the hostile cases that must stop it. */
#include <fcntl.h>
#include <libfdt.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "machine/virtio.h"

#include "vdriver.h"

/* ---- Transport ---- */

static void test_registers(struct dev *d)
{
	CHECK(rd(d, 0) == 0x74726976, "magic");
	CHECK(rd(d, 4) == 2, "version 2");
	CHECK(rd(d, 8) == VIRTIO_ID_RNG, "device id");
	wr(d, 0x14, 1);
	CHECK(rd(d, 0x10) & 1, "VERSION_1 offered");
	wr(d, 0x14, 0);
	CHECK(rd(d, 0x10) & 1u << VIRTIO_F_INDIRECT_DESC, "INDIRECT_DESC offered");
	wr(d, 0x30, 0);
	CHECK(rd(d, 0x34) == VIRTIO_QUEUE_MAX, "QueueNumMax");
	wr(d, 0x30, 7);
	CHECK(rd(d, 0x34) == 0, "QueueNumMax of a missing queue is 0");
	/* Read-only registers ignore writes; bad sizes and alignment are ignored. */
	wr(d, 0, 0x12345678);
	wr(d, 0x34, 4);
	wr(d, 0x30, 0);
	CHECK(rd(d, 0) == 0x74726976 && rd(d, 0x34) == VIRTIO_QUEUE_MAX, "read-only registers");
	uint64_t v = 1;
	(void)d->ops->read(d->opaque, 2, 4, &v);
	CHECK(v == 0, "unaligned read gives 0");
	(void)d->ops->read(d->opaque, 0, 1, &v);
	CHECK(v == 0, "byte read of a register gives 0");
	(void)d->ops->write(d->opaque, 0x70, 2, VIRTIO_S_ACKNOWLEDGE);
	CHECK(rd(d, 0x70) == 0, "16-bit status write ignored");
	(void)d->ops->read(d->opaque, 0x100, 4, &v);
	CHECK(v == 0, "config beyond its size reads 0");
}

static void test_negotiation(struct dev *d)
{
	uint32_t st = negotiate(d, 1ull << VIRTIO_F_VERSION_1);
	CHECK(!(st & VIRTIO_S_FEATURES_OK), "FEATURES_OK refused without VERSION_1");
	wr(d, 0x70, 0);
	wr(d, 0x70, 3);
	wr(d, 0x24, 1);
	wr(d, 0x20, 1 | 1u << 20); /* a feature not offered */
	wr(d, 0x70, 3 | VIRTIO_S_FEATURES_OK);
	CHECK(!(rd(d, 0x70) & VIRTIO_S_FEATURES_OK), "FEATURES_OK refused with unoffered bits");
	st = negotiate(d, 0);
	CHECK(st & VIRTIO_S_FEATURES_OK, "FEATURES_OK accepted");
	wr(d, 0x70, 0);
	CHECK(rd(d, 0x70) == 0 && rd(d, 0x60) == 0, "reset by writing 0");
}

/* ---- virtio-rng ---- */

static bool nonzero(const uint8_t *p, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (p[k])
			return true;
	return false;
}

static void test_rng(struct dev *d)
{
	struct ring r;
	negotiate(d, 0);
	ring_setup(&r, d, 0, 16, 0x10000);
	uint8_t *buf = host(RAM(0x20000), 256);
	memset(buf, 0, 256);
	set_desc(r.desc, 0, RAM(0x20000), 64, 2, 0);
	submit(&r, 0);
	CHECK(used_idx(&r) == 0, "notify before DRIVER_OK ignored");
	driver_ok(d);
	CHECK(wait_used(&r, 1) && used_len(&r, 0) == 64 && nonzero(buf, 64), "rng fills a buffer");
	CHECK(!nonzero(buf + 64, 192), "rng writes only inside the buffer");
	CHECK(rd(d, 0x60) & 1, "used-buffer interrupt");
	wr(d, 0x64, 1);
	CHECK(rd(d, 0x60) == 0, "interrupt acknowledged");
	/* Indirect: one descriptor pointing at a table of two writable ones. */
	memset(buf, 0, 256);
	set_desc(RAM(0x30000), 0, RAM(0x20000), 16, 2 | 1, 1);
	set_desc(RAM(0x30000), 1, RAM(0x20080), 16, 2, 0);
	set_desc(r.desc, 1, RAM(0x30000), 32, 4, 0);
	submit(&r, 1);
	CHECK(wait_used(&r, 2) && used_len(&r, 1) == 32 && nonzero(buf, 16) && nonzero(buf + 0x80, 16) &&
	      !nonzero(buf + 16, 0x70), "rng through an indirect table");
	wr(d, 0x30, 5);
	wr(d, 0x50, 5);
	wr(d, 0x50, 3);
	CHECK(!(rd(d, 0x70) & VIRTIO_S_NEEDS_RESET), "notify of a missing queue ignored");
}

/* ---- Hostile chains: each must end in the error state, nothing else ---- */

typedef void (*hostile_fn)(struct ring *r);

static void h_mmio(struct ring *r) { set_desc(r->desc, 0, VIRT_UART0_BASE, 16, 2, 0); submit(r, 0); }
static void h_outside(struct ring *r) { set_desc(r->desc, 0, 0x1000, 16, 2, 0); submit(r, 0); }
static void h_overflow(struct ring *r) { set_desc(r->desc, 0, RAM(RAM_SIZE - 8), 0xffffffffu, 2, 0); submit(r, 0); }
static void h_wrap(struct ring *r) { set_desc(r->desc, 0, ~0ull - 4, 16, 2, 0); submit(r, 0); }
static void h_head(struct ring *r) { submit(r, 200); }

static void h_loop(struct ring *r)
{
	set_desc(r->desc, 0, RAM(0x20000), 8, 2 | 1, 1);
	set_desc(r->desc, 1, RAM(0x20000), 8, 2 | 1, 0);
	submit(r, 0);
}

/* Zero-length descriptors add no segment: only the step bound ends this. */
static void h_loop0(struct ring *r)
{
	set_desc(r->desc, 0, RAM(0x20000), 0, 2 | 1, 1);
	set_desc(r->desc, 1, RAM(0x20000), 0, 2 | 1, 0);
	submit(r, 0);
}

static void h_next_range(struct ring *r)
{
	set_desc(r->desc, 0, RAM(0x20000), 8, 2 | 1, 40);
	submit(r, 0);
}

static void h_read_after_write(struct ring *r)
{
	set_desc(r->desc, 0, RAM(0x20000), 8, 2 | 1, 1);
	set_desc(r->desc, 1, RAM(0x20000), 8, 0, 0);
	submit(r, 0);
}

static void h_avail_jump(struct ring *r)
{
	set_desc(r->desc, 0, RAM(0x20000), 8, 2, 0);
	st_le16(host(r->avail + 2, 2), 100);
	wr(r->d, 0x50, 0);
}

static void h_nested(struct ring *r)
{
	set_desc(RAM(0x30000), 0, RAM(0x30100), 16, 4, 0);
	set_desc(r->desc, 0, RAM(0x30000), 16, 4, 0);
	submit(r, 0);
}

static void h_indirect_loop(struct ring *r)
{
	set_desc(RAM(0x30000), 0, RAM(0x20000), 8, 2 | 1, 1);
	set_desc(RAM(0x30000), 1, RAM(0x20000), 8, 2 | 1, 0);
	set_desc(r->desc, 0, RAM(0x30000), 32, 4, 0);
	submit(r, 0);
}

static void h_indirect_huge(struct ring *r)
{
	set_desc(r->desc, 0, RAM(0x30000), 16 * 300, 4, 0);
	submit(r, 0);
}

static void h_indirect_odd(struct ring *r)
{
	set_desc(r->desc, 0, RAM(0x30000), 24, 4, 0);
	submit(r, 0);
}

static void h_indirect_next(struct ring *r)
{
	set_desc(r->desc, 0, RAM(0x30000), 16, 4 | 1, 1);
	submit(r, 0);
}

static void h_queue_num(struct ring *r)
{
	wr(r->d, 0x44, 0);
	wr(r->d, 0x38, 3);
}

static void h_queue_big(struct ring *r)
{
	wr(r->d, 0x44, 0);
	wr(r->d, 0x38, 512);
}

static void h_ring_outside(struct ring *r)
{
	wr(r->d, 0x44, 0);
	wr(r->d, 0x80, 0x10000000);
	wr(r->d, 0x44, 1);
}

static void h_ring_unaligned(struct ring *r)
{
	wr(r->d, 0x44, 0);
	wr(r->d, 0xa0, (uint32_t)r->used + 2);
	wr(r->d, 0x44, 1);
}

static void test_hostile(struct dev *d)
{
	static const struct { const char *name; hostile_fn fn; } cases[] = {
		{ "buffer at MMIO", h_mmio }, { "buffer outside RAM", h_outside },
		{ "length past RAM end", h_overflow }, { "address wraps", h_wrap },
		{ "head beyond queue", h_head }, { "descriptor loop", h_loop },
		{ "loop of empty descriptors", h_loop0 },
		{ "next beyond queue", h_next_range }, { "readable after writable", h_read_after_write },
		{ "avail index jump", h_avail_jump }, { "nested indirect", h_nested },
		{ "loop in indirect table", h_indirect_loop }, { "indirect table too long", h_indirect_huge },
		{ "indirect length not whole", h_indirect_odd }, { "indirect with NEXT", h_indirect_next },
		{ "queue size not a power of 2", h_queue_num }, { "queue size above max", h_queue_big },
		{ "ring outside RAM", h_ring_outside }, { "used ring unaligned", h_ring_unaligned },
	};
	for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
		struct ring r;
		negotiate(d, 0);
		ring_setup(&r, d, 0, 16, 0x10000);
		driver_ok(d);
		memset(host(RAM(0x20000), 0x100), 0, 0x100);
		cases[k].fn(&r);
		CHECK(needs_reset(d) && used_idx(&r) == 0, "hostile: %s -> DEVICE_NEEDS_RESET", cases[k].name);
		CHECK(!nonzero(host(RAM(0x20000), 0x100), 0x100), "hostile: %s wrote nothing", cases[k].name);
		/* Stays stopped until reset: a good chain is not served. */
		set_desc(r.desc, 2, RAM(0x20000), 8, 2, 0);
		wr(d, 0x50, 0);
		CHECK(used_idx(&r) == 0, "hostile: %s: stopped", cases[k].name);
	}
	/* Indirect descriptors the driver did not negotiate. */
	struct ring r;
	negotiate(d, 1ull << VIRTIO_F_INDIRECT_DESC);
	ring_setup(&r, d, 0, 16, 0x10000);
	driver_ok(d);
	set_desc(RAM(0x30000), 0, RAM(0x20000), 8, 2, 0);
	set_desc(r.desc, 0, RAM(0x30000), 16, 4, 0);
	submit(&r, 0);
	CHECK(needs_reset(d), "hostile: indirect without the feature");
	/* DRIVER_OK without FEATURES_OK. */
	wr(d, 0x70, 0);
	wr(d, 0x70, 3);
	wr(d, 0x70, 3 | VIRTIO_S_DRIVER_OK);
	CHECK(rd(d, 0x70) & VIRTIO_S_NEEDS_RESET, "hostile: DRIVER_OK before FEATURES_OK");
	/* After a reset the device works again. */
	negotiate(d, 0);
	ring_setup(&r, d, 0, 16, 0x10000);
	driver_ok(d);
	set_desc(r.desc, 0, RAM(0x20000), 8, 2, 0);
	submit(&r, 0);
	CHECK(wait_used(&r, 1) && !(rd(d, 0x70) & VIRTIO_S_NEEDS_RESET), "reset recovers from the error state");
	wr(d, 0x70, 0);
}

/* ---- virtio-blk ---- */

enum { HDR = 0x20000, DATA = 0x21000, STAT = 0x23000 };

static const char *make_image(char *path)
{
	strcpy(path, "/tmp/cairn-virtio-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		abort();
	uint8_t sec[512];
	for (int s = 0; s < 2048; s++) {
		memset(sec, s & 0xff, sizeof sec);
		if (write(fd, sec, sizeof sec) != (ssize_t)sizeof sec)
			abort();
	}
	close(fd);
	return path;
}

static int file_byte(const char *path, uint64_t off)
{
	uint8_t b;
	int fd = open(path, O_RDONLY);
	int ok = pread(fd, &b, 1, (off_t)off) == 1;
	close(fd);
	return ok ? b : -1;
}

/* One request: header, optional data (dlen bytes at DATA), status. */
static uint8_t blk_req(struct ring *r, uint32_t type, uint64_t sector, uint32_t dlen, bool dev_writes, uint32_t *len)
{
	uint8_t *h = host(RAM(HDR), 16);
	st_le32(h, type);
	st_le32(h + 4, 0);
	st_le64(h + 8, sector);
	*host(RAM(STAT), 1) = 0xee;
	/* One request at a time, so descriptors 0-2 are always free. */
	set_desc(r->desc, 0, RAM(HDR), 16, 1, dlen ? 1 : 2);
	if (dlen)
		set_desc(r->desc, 1, RAM(DATA), dlen, (uint16_t)(1 | (dev_writes ? 2 : 0)), 2);
	set_desc(r->desc, 2, RAM(STAT), 1, 2, 0);
	uint16_t want = (uint16_t)(used_idx(r) + 1);
	submit(r, 0);
	if (!wait_used(r, want))
		return 0xff;
	*len = used_len(r, (uint16_t)(want - 1));
	return *host(RAM(STAT), 1);
}

static struct dev *blk_dev(const char *path, bool ro, bool snap, struct ring *r)
{
	/* One image opened again and again in this process: no image locks. */
	struct blk_opts o = { .file = path, .serial = "cairn-disk0", .format = "raw", .readonly = ro, .snapshot = snap,
			      .no_lock = true };
	int slot = m->ndevs - 3;
	if (virtio_blk_create(m, VIRTIO_MMIO_BASE + (uint64_t)slot * 0x1000, 1 + slot, &o))
		abort();
	struct dev *d = last_dev();
	negotiate(d, 0);
	ring_setup(r, d, 0, 8, 0x10000);
	driver_ok(d);
	return d;
}

static int thread_count(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/task");
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* Back ends share the process's I/O loop and pool: four more disks and four
 * more NICs on another machine add no thread. */
static void test_blk_threads(const char *img)
{
	struct machine *m2;
	struct machine_config cfg = { .ram_size = 4ull << 20, .smp = 1 };
	if (machine_create(&m2, &cfg))
		abort();
	int before = thread_count();
	struct blk_opts o = { .file = img, .format = "raw", .no_lock = true };
	int made = 0;
	struct net_opts no = { 0 };
	for (int k = 0; k < 8; k++)
		made += (k < 4 ? virtio_blk_create(m2, VIRTIO_MMIO_BASE + (uint64_t)k * 0x1000, 1 + k, &o)
			       : virtio_net_create(m2, VIRTIO_MMIO_BASE + (uint64_t)k * 0x1000, 1 + k, &no)) == 0;
	CHECK(made == 8, "four disks and four NICs (%d)", made);
	CHECK(thread_count() == before, "threads %d before, %d with eight more back ends", before, thread_count());
	machine_destroy(m2);
}

static void test_blk_rw(const char *img)
{
	struct ring r;
	uint32_t len = 0;
	struct dev *d = blk_dev(img, false, false, &r);
	CHECK(rd(d, 8) == VIRTIO_ID_BLK, "blk device id");
	CHECK(rd(d, 0x100) == 2048 && rd(d, 0x104) == 0, "capacity in sectors");
	CHECK(rd(d, 0x100 + 20) == 512, "blk_size");
	wr(d, 0x14, 0);
	CHECK((rd(d, 0x10) & (1u << 5 | 1u << 9)) == 1u << 9, "FLUSH offered, RO not");
	uint8_t *data = host(RAM(DATA), 4096);
	CHECK(blk_req(&r, 0, 3, 1024, true, &len) == 0 && len == 1025 && data[0] == 3 && data[1023] == 4,
	      "read sectors 3-4 (len %u)", len);
	memset(data, 0xab, 512);
	CHECK(blk_req(&r, 1, 5, 512, false, &len) == 0 && len == 1, "write sector 5");
	CHECK(file_byte(img, 5 * 512) == 0xab && file_byte(img, 5 * 512 + 511) == 0xab &&
	      file_byte(img, 6 * 512) == 6, "written bytes reach the file");
	CHECK(blk_req(&r, 4, 0, 0, false, &len) == 0, "flush");
	memset(data, 0, 32);
	CHECK(blk_req(&r, 8, 0, 20, true, &len) == 0 && len == 21 && !memcmp(data, "cairn-disk0", 12), "get id");
	CHECK(blk_req(&r, 0, 2047, 1024, true, &len) == 1, "read past the end: IOERR");
	CHECK(blk_req(&r, 0, ~0ull / 256, 512, true, &len) == 1, "huge sector: IOERR");
	CHECK(blk_req(&r, 0, 0, 100, true, &len) == 1, "partial sector: IOERR");
	CHECK(blk_req(&r, 77, 0, 0, false, &len) == 2, "unknown type: UNSUPP");
	/* Many requests in a row, through the ring's wrap-around. */
	int good = 0;
	for (int k = 0; k < 40; k++)
		good += blk_req(&r, 0, (uint64_t)k, 512, true, &len) == 0 && data[0] == (k == 5 ? 0xab : k);
	CHECK(good == 40, "40 reads through ring wrap (%d good)", good);
	/* Buffers are pinned only while a request is in flight; the rings
	 * while the queue is enabled. */
	CHECK(mem_pinned(m->mem, RAM(DATA)) == 0, "request buffers unpinned after the push");
	CHECK(mem_pinned(m->mem, r.desc) > 0, "rings pinned while the queue is ready");
	wr(d, 0x70, 0);
	CHECK(mem_pinned(m->mem, r.desc) == 0, "rings unpinned by the reset");
}

static void test_blk_ro(const char *img)
{
	struct ring r;
	uint32_t len;
	struct dev *d = blk_dev(img, true, false, &r);
	wr(d, 0x14, 0);
	CHECK(rd(d, 0x10) & 1u << 5, "RO offered for readonly=on");
	memset(host(RAM(DATA), 512), 0xcd, 512);
	CHECK(blk_req(&r, 1, 7, 512, false, &len) == 1, "write to a read-only disk: IOERR");
	CHECK(file_byte(img, 7 * 512) == 7, "read-only file untouched");
	CHECK(blk_req(&r, 0, 7, 512, true, &len) == 0 && *host(RAM(DATA), 1) == 7, "read-only disk reads");
}

static void test_blk_snapshot(const char *img)
{
	struct ring r;
	uint32_t len;
	blk_dev(img, false, true, &r);
	uint8_t *data = host(RAM(DATA), 4096);
	memset(data, 0x5a, 4096);
	CHECK(blk_req(&r, 1, 127, 4096, false, &len) == 0, "snapshot write across a chunk edge");
	memset(data, 0, 4096);
	CHECK(blk_req(&r, 0, 126, 2048, true, &len) == 0 && data[0] == 126 && data[512] == 0x5a && data[2047] == 0x5a,
	      "snapshot reads its own writes");
	CHECK(file_byte(img, 127 * 512) == 127 && file_byte(img, 134 * 512) == 134, "snapshot leaves the file untouched");
}

/* ---- Reset and queue disable stop DMA (virtio 1.2, 2.4 and 4.2.2.1) ----
 * Each round posts a 1 MiB read (64 segments of 16 KiB), lets the worker
 * start after a varying delay, then resets the device or clears QueueReady.
 * Once that register write has returned the "driver" reuses the buffers:
 * it zeroes them and looks again later.  Any byte the device still writes
 * (data, status, used ring) is DMA that landed after the reset. */
enum { BIG = 0x100000, BIG_SEGS = 64, SEG = 0x4000 };

static int stop_round(struct dev *d, struct ring *r, int k, bool reset)
{
	uint8_t *data = host(RAM(BIG), BIG_SEGS * SEG), *st = host(RAM(STAT), 1);
	negotiate(d, 0);
	ring_setup(r, d, 0, 128, 0x10000);
	driver_ok(d);
	memset(data, 0xee, BIG_SEGS * SEG);
	uint8_t *h = host(RAM(HDR), 16);
	st_le32(h, 0);
	st_le32(h + 4, 0);
	st_le64(h + 8, 0);
	set_desc(r->desc, 0, RAM(HDR), 16, 1, 1);
	for (int s = 0; s < BIG_SEGS; s++)
		set_desc(r->desc, 1 + s, RAM(BIG + (uint64_t)s * SEG), SEG, 1 | 2, (uint16_t)(2 + s));
	set_desc(r->desc, 1 + BIG_SEGS, RAM(STAT), 1, 2, 0);
	submit(r, 0);
	for (volatile int spin = 0; spin < (k * 7919) % 20000; spin++)
		;
	if (reset) {
		wr(d, 0x70, 0);
	} else {
		wr(d, 0x30, 0);
		wr(d, 0x44, 0);
	}
	/* The register write returned: the buffers are the driver's again. */
	memset(data, 0, BIG_SEGS * SEG);
	*st = 0;
	uint16_t used = used_idx(r);
	nanosleep(&(struct timespec){ 0, 3000000 }, NULL);
	int late = nonzero(data, BIG_SEGS * SEG) || *st != 0 || used_idx(r) != used;
	wr(d, 0x70, 0);
	return late;
}

static void test_blk_stop(const char *img)
{
	struct ring r;
	struct dev *d = blk_dev(img, false, false, &r);
	int late_reset = 0, late_disable = 0;
	for (int k = 0; k < 300; k++) {
		late_reset += stop_round(d, &r, k, true);
		late_disable += stop_round(d, &r, k, false);
	}
	CHECK(late_reset == 0, "no DMA after a device reset returned (%d of 300 rounds had some)", late_reset);
	CHECK(late_disable == 0, "no DMA after QueueReady=0 returned (%d of 300 rounds had some)", late_disable);
	/* And the device still works afterwards. */
	uint32_t len;
	negotiate(d, 0);
	ring_setup(&r, d, 0, 8, 0x10000);
	driver_ok(d);
	CHECK(blk_req(&r, 0, 9, 512, true, &len) == 0 && *host(RAM(DATA), 1) == 9, "reads after the stress");
	wr(d, 0x70, 0);
}

/* ---- virtio-console ---- */

static void test_console(void)
{
	struct virtio_console *c;
	FILE *out = tmpfile(), *saved = m->console;
	m->console = out;
	int slot = m->ndevs - 3;
	if (virtio_console_create(m, VIRTIO_MMIO_BASE + (uint64_t)slot * 0x1000, 1 + slot, &c))
		abort();
	struct dev *d = last_dev();
	struct ring rx, tx;
	negotiate(d, 0);
	ring_setup(&rx, d, 0, 8, 0x10000);
	ring_setup(&tx, d, 1, 8, 0x13000);
	driver_ok(d);
	memcpy(host(RAM(0x20000), 6), "hello\n", 6);
	set_desc(tx.desc, 0, RAM(0x20000), 6, 0, 0);
	submit(&tx, 0);
	char got[16] = { 0 };
	rewind(out);
	CHECK(wait_used(&tx, 1) && fread(got, 1, 6, out) == 6 && !strcmp(got, "hello\n"), "console output");
	CHECK(virtio_console_input(c, (const uint8_t *)"abc", 3) == 3, "input buffered");
	set_desc(rx.desc, 0, RAM(0x21000), 2, 2, 0);
	set_desc(rx.desc, 1, RAM(0x21100), 64, 2, 0);
	submit(&rx, 0);
	submit(&rx, 1);
	CHECK(wait_used(&rx, 2) && used_len(&rx, 0) == 2 && used_len(&rx, 1) == 1 &&
	      !memcmp(host(RAM(0x21000), 2), "ab", 2) && *host(RAM(0x21100), 1) == 'c', "input delivered in order");
	m->console = saved;
	fclose(out);
}

/* ---- virtio-net: an ARP request for the slirp host gets its reply ---- */

static const uint8_t arp_request[42] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 10, 0, 2, 15,
	0, 0, 0, 0, 0, 0, 10, 0, 2, 2,
};

static void test_net(void)
{
	struct net_opts o = { .hostfwd = (const char *const[]){ "tcp::0-:22" }, .nhostfwd = 1 };
	int slot = m->ndevs - 3;
	if (virtio_net_create(m, VIRTIO_MMIO_BASE + (uint64_t)slot * 0x1000, 1 + slot, &o)) {
		CHECK(0, "virtio-net created");
		return;
	}
	struct dev *d = last_dev();
	struct ring rx, tx;
	CHECK(rd(d, 8) == VIRTIO_ID_NET && rd(d, 0x100) == 0x12005452, "net id and MAC");
	negotiate(d, 0);
	ring_setup(&rx, d, 0, 8, 0x10000);
	ring_setup(&tx, d, 1, 8, 0x13000);
	driver_ok(d);
	memset(host(RAM(0x22000), 2048), 0, 2048);
	set_desc(rx.desc, 0, RAM(0x22000), 2048, 2, 0);
	submit(&rx, 0);
	uint8_t *f = host(RAM(0x20000), 64);
	memset(f, 0, 12);
	memcpy(f + 12, arp_request, sizeof arp_request);
	set_desc(tx.desc, 0, RAM(0x20000), 12 + sizeof arp_request, 0, 0);
	submit(&tx, 0);
	CHECK(wait_used(&tx, 1), "net frame sent");
	const uint8_t *r = host(RAM(0x22000), 64);
	CHECK(wait_used(&rx, 1) && used_len(&rx, 0) >= 12 + 42 && r[12 + 12] == 0x08 && r[12 + 13] == 0x06 &&
	      r[12 + 21] == 2 && r[12 + 28] == 10 && r[12 + 31] == 2, "ARP reply from 10.0.2.2 (len %u)",
	      used_len(&rx, 0));
	struct net_opts bad = { .hostfwd = (const char *const[]){ "tcp:nonsense" }, .nhostfwd = 1 };
	CHECK(virtio_net_create(m, VIRTIO_MMIO_BASE + 0x7000, 8, &bad) == -ERR_INVAL, "bad hostfwd refused");
}

/* ---- Device tree node ---- */

static void test_fdt(struct dev *d)
{
	static char buf[4096];
	int soc = -1;
	if (!fdt_create_empty_tree(buf, sizeof buf))
		soc = fdt_add_subnode(buf, 0, "soc");
	CHECK(soc >= 0 && d->ops->fdt(d->opaque, m, buf, soc) == 0, "fdt callback");
	int node = fdt_path_offset(buf, "/soc/virtio_mmio@10001000");
	const fdt32_t *irq = fdt_getprop(buf, node, "interrupts", NULL);
	const char *compat = fdt_getprop(buf, node, "compatible", NULL);
	int len = 0;
	const fdt64_t *reg = fdt_getprop(buf, node, "reg", &len);
	CHECK(node >= 0 && irq && fdt32_to_cpu(*irq) == 1 && compat && !strcmp(compat, "virtio,mmio") &&
	      len == 16 && fdt64_to_cpu(reg[0]) == 0x10001000 && fdt64_to_cpu(reg[1]) == 0x1000, "fdt node");
}

int main(void)
{
	struct machine_config cfg = { .ram_size = RAM_SIZE, .smp = 1 };
	char img[64];
	if (machine_create(&m, &cfg) || virtio_rng_create(m, VIRTIO_MMIO_BASE, 1))
		abort();
	struct dev *rng = last_dev();
	test_registers(rng);
	test_negotiation(rng);
	test_rng(rng);
	test_hostile(rng);
	test_fdt(rng);
	make_image(img);
	test_blk_rw(img);
	test_blk_ro(img);
	test_blk_snapshot(img);
	test_blk_stop(img);
	test_blk_threads(img);
	test_console();
	test_net();
	struct blk_opts bad = { .file = "/nonexistent/disk.img" };
	CHECK(virtio_blk_create(m, VIRTIO_MMIO_BASE + 0x7000, 8, &bad) == -ERR_NOENT, "missing image file");
	machine_destroy(m);
	unlink(img);
	printf("virtio: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
