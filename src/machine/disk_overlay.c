/* disk_overlay.c - the -snapshot back end: guest writes land in an unlinked
 * temporary file at the same offsets as in the image, and a bitmap says
 * which 4 KiB blocks it holds.  The file is sparse and its pages belong to
 * the page cache, so memory stays flat however much the guest writes (the
 * old design kept each written 64 KiB chunk on the heap: 8 MiB of scattered
 * writes cost 1 GiB).  The image itself is only ever read. */
#include "machine/disk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/base.h"

#define BLOCK DISK_OVERLAY_BLOCK

struct overlay {
	struct disk d;
	struct disk *base;
	int fd;                 /* the temporary file */
	uint64_t size;
	uint64_t *map;          /* bit b: block b is in the temporary file */
};

static bool has(const struct overlay *o, uint64_t b) { return o->map[b / 64] >> (b % 64) & 1; }
static void mark(struct overlay *o, uint64_t b) { o->map[b / 64] |= 1ull << (b % 64); }

/* Reads take runs of blocks from one side at a time. */
static int ov_read(struct disk *d, uint64_t off, void *buf, uint64_t len)
{
	struct overlay *o = (struct overlay *)d;
	uint8_t *p = buf;
	while (len) {
		uint64_t b = off / BLOCK, end = off;
		bool mine = has(o, b);
		while (end < off + len && has(o, end / BLOCK) == mine)
			end = (end / BLOCK + 1) * BLOCK;
		uint64_t n = (end < off + len ? end : off + len) - off;
		int err = mine ? disk_pio(o->fd, off, p, n, false) : disk_read(o->base, off, p, n);
		if (err)
			return err;
		off += n, p += n, len -= n;
	}
	return 0;
}

/* A block's first write copies the image's bytes around the written part. */
static int fill_block(struct overlay *o, uint64_t b, uint64_t in, const uint8_t *p, uint64_t n)
{
	uint8_t blk[BLOCK];
	uint64_t at = b * BLOCK, have = o->size - at < BLOCK ? o->size - at : BLOCK;
	if (n < have && disk_read(o->base, at, blk, have))
		return -ERR_IO;
	memcpy(blk + in, p, n);
	if (disk_pio(o->fd, at, blk, have, true))
		return -ERR_IO;
	mark(o, b);
	return 0;
}

static int ov_write(struct disk *d, uint64_t off, const void *buf, uint64_t len)
{
	struct overlay *o = (struct overlay *)d;
	const uint8_t *p = buf;
	while (len) {
		uint64_t b = off / BLOCK, in = off % BLOCK, n = BLOCK - in < len ? BLOCK - in : len;
		int err = has(o, b) ? disk_pio(o->fd, off, (uint8_t *)p, n, true) : fill_block(o, b, in, p, n);
		if (err)
			return err;
		off += n, p += n, len -= n;
	}
	return 0;
}

/* Nothing to make durable: the overlay dies with the process. */
static int ov_flush(struct disk *d) { return 0; }
static uint64_t ov_size(struct disk *d) { return ((struct overlay *)d)->size; }

static void ov_close(struct disk *d)
{
	struct overlay *o = (struct overlay *)d;
	if (o->fd >= 0)
		close(o->fd);
	disk_close(o->base);
	free(o->map);
	free(o);
}

static const struct disk_ops overlay_ops = {
	.name = "snapshot", .read = ov_read, .write = ov_write, .flush = ov_flush, .size = ov_size,
	.close = ov_close,
};

/* Where QEMU puts its -snapshot files: $TMPDIR, else /var/tmp (disk, not tmpfs). */
static int temp_file(void)
{
	const char *dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/var/tmp";
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	char *path;
	if (asprintf(&path, "%s/cairn-snapshot-XXXXXX", dir) < 0)
		return -1;
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	free(path);
	return fd;
}

int disk_overlay(struct disk **out, struct disk *base, const char *file, cairn_errbuf *e)
{
	struct overlay *o = calloc(1, sizeof *o);
	uint64_t size = disk_size(base), blocks = (size + BLOCK - 1) / BLOCK;
	if (o) /* calloc'd pages stay untouched until a block is written */
		o->map = calloc(blocks / 64 + 1, sizeof *o->map);
	if (!o || !o->map) {
		free(o);
		disk_close(base);
		return -ERR_NOMEM;
	}
	*o = (struct overlay){ .d.ops = &overlay_ops, .base = base, .size = size, .map = o->map };
	o->fd = temp_file();
	if (o->fd < 0 || ftruncate(o->fd, (off_t)size)) {
		cairn_errorf(e, "virtio-blk: %s: cannot create the snapshot's temporary file: %s", file, strerror(errno));
		ov_close(&o->d);
		return -ERR_IO;
	}
	*out = &o->d;
	return 0;
}
