/* disk.h - disk image back ends behind one small operations struct (the
 * shape of kvmtool's disk_image_operations): raw files and block devices
 * today, qcow2 later, and the -snapshot overlay as a back end layered on
 * another.  disk_open validates the image up front (kind, format, locks) and
 * prints one message naming the file when it refuses it. */
#ifndef CAIRN_MACHINE_DISK_H
#define CAIRN_MACHINE_DISK_H

#include <stdbool.h>
#include <stdint.h>

#include "base/base.h"

struct disk;

struct disk_ops {
	const char *name;
	/* Whole transfers or an error: 0 or -ERR_IO.  The caller keeps
	 * [off, off + len) inside size(). */
	int (*read)(struct disk *d, uint64_t off, void *buf, uint64_t len);
	int (*write)(struct disk *d, uint64_t off, const void *buf, uint64_t len);
	int (*flush)(struct disk *d);
	uint64_t (*size)(struct disk *d);
	void (*close)(struct disk *d);
};

struct disk {
	const struct disk_ops *ops;
};

enum {
	DISK_READONLY = 1,   /* open read-only; writes fail */
	DISK_SNAPSHOT = 2,   /* writes go to a temporary overlay; the image is untouched */
	DISK_NO_LOCK = 4,    /* locking=off: take no QEMU-compatible image locks */
};

/* Open file as a disk.  format is "raw" or NULL (probe as QEMU does: raw is
 * used with QEMU's warning, other formats are refused).  Prints the reason
 * and returns -ERR_x on failure. */
int disk_open(struct disk **out, const char *file, const char *format, unsigned flags, cairn_errbuf *e);

static inline int disk_read(struct disk *d, uint64_t off, void *buf, uint64_t len)
{
	return d->ops->read(d, off, buf, len);
}
static inline int disk_write(struct disk *d, uint64_t off, const void *buf, uint64_t len)
{
	return d->ops->write(d, off, buf, len);
}
static inline int disk_flush(struct disk *d) { return d->ops->flush(d); }
static inline uint64_t disk_size(struct disk *d) { return d->ops->size(d); }
static inline void disk_close(struct disk *d)
{
	if (d)
		d->ops->close(d);
}

/* Positional I/O of exactly n bytes (retries short transfers and EINTR). */
int disk_pio(int fd, uint64_t pos, uint8_t *p, uint64_t n, bool write) MUST_CHECK;

/* disk_overlay.c: the -snapshot back end over base (which it then owns):
 * written blocks live in an unlinked sparse temporary file. */
int disk_overlay(struct disk **out, struct disk *base, const char *file, cairn_errbuf *e);
#define DISK_OVERLAY_BLOCK 4096u

/* The format a first sector shows (QEMU's probing): "raw" when no known
 * magic matches.  Exposed for tests. */
const char *disk_probe(const uint8_t *head, uint64_t len);

#endif
