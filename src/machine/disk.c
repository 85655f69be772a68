/* disk.c - disk back ends: raw images (regular files, block devices) and the
 * -snapshot overlay.  Opening checks everything a guest could trip over
 * later: the kind of file, its format, its size, and QEMU's image locks. */
#include "machine/disk.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

#define PROBE_BYTES 512         /* what QEMU reads to guess a format */

/* ---- Host I/O ---- */

int disk_pio(int fd, uint64_t pos, uint8_t *p, uint64_t n, bool write)
{
	while (n) {
		ssize_t k = write ? pwrite(fd, p, n, (off_t)pos) : pread(fd, p, n, (off_t)pos);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -ERR_IO;
		p += k, pos += (uint64_t)k, n -= (uint64_t)k;
	}
	return 0;
}

/* ---- Probing (QEMU's bdrv_probe_all, the formats Debian's QEMU knows) ---- */

static const struct magic {
	const char *format;
	unsigned off, len;
	const char *bytes;
} magics[] = {
	{ "qcow2", 0, 4, "QFI\xfb" },  /* qcow (version 1) shares it: told apart below */
	{ "qed", 0, 4, "QED\0" },
	{ "vmdk", 0, 4, "KDMV" },
	{ "vmdk", 0, 4, "COWD" },
	{ "vmdk", 0, 21, "# Disk DescriptorFile" },
	{ "vdi", 64, 4, "\x7f\x10\xda\xbe" },
	{ "vhdx", 0, 8, "vhdxfile" },
	{ "vpc", 0, 8, "conectix" },
	{ "parallels", 0, 16, "WithoutFreeSpace" },
	{ "parallels", 0, 16, "WithouFreSpacExt" },
	{ "luks", 0, 6, "LUKS\xba\xbe" },
	{ "bochs", 0, 22, "Bochs Virtual HD Image" },
	{ "cloop", 0, 23, "#!/bin/sh\n#V2.0 Format\n" },
};

const char *disk_probe(const uint8_t *head, uint64_t len)
{
	for (size_t k = 0; k < ARRAY_SIZE(magics); k++) {
		const struct magic *m = &magics[k];
		if (len < m->off + m->len || memcmp(head + m->off, m->bytes, m->len))
			continue;
		if (!strcmp(m->format, "qcow2") && len >= 8 && head[4] == 0 && head[5] == 0 && head[6] == 0 && head[7] == 1)
			return "qcow";
		return m->format;
	}
	return "raw";
}

/* ---- Raw ---- */

struct raw {
	struct disk d;
	int fd;
	uint64_t size;
	bool probed;        /* format guessed: block 0 may not turn into another format */
};

static int raw_read(struct disk *d, uint64_t off, void *buf, uint64_t len)
{
	struct raw *r = (struct raw *)d;
	return disk_pio(r->fd, off, buf, len, false);
}

/* QEMU's rule for a probed raw image: a write that would make the first
 * sector look like another format is refused, or the next start would
 * probe it as, say, qcow2 and let the guest read host files through a
 * backing-file name it chose. */
static bool turns_format(struct raw *r, uint64_t off, const void *buf, uint64_t len)
{
	if (!r->probed || off >= PROBE_BYTES)
		return false;
	uint8_t head[PROBE_BYTES] = { 0 };
	uint64_t have = r->size < PROBE_BYTES ? r->size : PROBE_BYTES;
	if (disk_pio(r->fd, 0, head, have, false))
		return true;
	uint64_t n = PROBE_BYTES - off < len ? PROBE_BYTES - off : len;
	memcpy(head + off, buf, n);
	return strcmp(disk_probe(head, have), "raw") != 0;
}

static int raw_write(struct disk *d, uint64_t off, const void *buf, uint64_t len)
{
	struct raw *r = (struct raw *)d;
	if (turns_format(r, off, buf, len))
		return -ERR_IO;
	return disk_pio(r->fd, off, (uint8_t *)buf, len, true);
}

static int raw_flush(struct disk *d)
{
	return fdatasync(((struct raw *)d)->fd) ? -ERR_IO : 0;
}

static uint64_t raw_size(struct disk *d)
{
	return ((struct raw *)d)->size;
}

static void raw_close(struct disk *d)
{
	struct raw *r = (struct raw *)d;
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}

static const struct disk_ops raw_ops = {
	.name = "raw", .read = raw_read, .write = raw_write, .flush = raw_flush, .size = raw_size,
	.close = raw_close,
};

/* ---- Image locks, as QEMU's file-posix.c takes them ----
 * Each permission bit i is a shared OFD lock on byte 100 + i while this
 * process holds the permission, and on byte 200 + i while it refuses to
 * share it; a conflict is another open file's lock on the opposite byte.
 * Verified against qemu-system-riscv64 7.2 through /proc/locks: read-write
 * holds 100-101 and 201, readonly=on 100 and 201, snapshot=on 100, 201, 203. */
enum { PERM_READ = 1, PERM_WRITE = 2, PERM_WRITE_UNCHANGED = 4, PERM_RESIZE = 8, PERM_ALL = 15 };
enum { LOCK_PERM_BASE = 100, LOCK_SHARED_BASE = 200 };
static const char *const perm_names[] = { "consistent read", "write", "write unchanged", "resize" };

static int lock_byte(int fd, int cmd, off_t at, short *type)
{
	struct flock fl = { .l_type = *type, .l_whence = SEEK_SET, .l_start = at, .l_len = 1 };
	int r = fcntl(fd, cmd, &fl);
	*type = fl.l_type;
	return r;
}

/* 0, 1 when the host has no OFD locks (locking=auto then goes without), or -1. */
static int take_locks(int fd, unsigned perm, unsigned shared, const char *file, cairn_errbuf *e)
{
	for (int i = 0; i < 4; i++) {
		short rd = F_RDLCK;
		if (((perm >> i & 1) && lock_byte(fd, F_OFD_SETLK, LOCK_PERM_BASE + i, &rd)) ||
		    (!(shared >> i & 1) && lock_byte(fd, F_OFD_SETLK, LOCK_SHARED_BASE + i, &rd))) {
			if (errno == EINVAL || errno == ENOTSUP || errno == ENOLCK)
				return 1;
			cairn_errorf(e, "virtio-blk: %s: Failed to lock byte %d: %s. Is another process using the image [%s]?",
				    file, (perm >> i & 1) ? LOCK_PERM_BASE + i : LOCK_SHARED_BASE + i, strerror(errno), file);
			return -1;
		}
	}
	for (int i = 0; i < 4; i++) {
		short t = F_WRLCK;
		if ((perm >> i & 1) && (lock_byte(fd, F_OFD_GETLK, LOCK_SHARED_BASE + i, &t) || t != F_UNLCK)) {
			cairn_errorf(e, "virtio-blk: %s: Failed to get \"%s\" lock. Is another process using the image [%s]?",
				    file, perm_names[i], file);
			return -1;
		}
		t = F_WRLCK;
		if (!(shared >> i & 1) && (lock_byte(fd, F_OFD_GETLK, LOCK_PERM_BASE + i, &t) || t != F_UNLCK)) {
			cairn_errorf(e, "virtio-blk: %s: Failed to get shared \"%s\" lock. Is another process using the "
				    "image [%s]?", file, perm_names[i], file);
			return -1;
		}
	}
	return 0;
}

/* The permissions QEMU's guest devices ask for. */
static int lock_image(int fd, unsigned flags, const char *file, cairn_errbuf *e)
{
	if (flags & DISK_NO_LOCK)
		return 0;
	if (flags & DISK_SNAPSHOT)
		return take_locks(fd, PERM_READ, PERM_ALL & ~(PERM_WRITE | PERM_RESIZE), file, e) < 0 ? -1 : 0;
	if (flags & DISK_READONLY)
		return take_locks(fd, PERM_READ, PERM_ALL & ~PERM_WRITE, file, e) < 0 ? -1 : 0;
	return take_locks(fd, PERM_READ | PERM_WRITE, PERM_ALL & ~PERM_WRITE, file, e) < 0 ? -1 : 0;
}

/* ---- Opening ---- */

static const char *kind_of(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device" :
	       S_ISSOCK(m) ? "a socket" : "not a regular file";
}

/* O_NONBLOCK so that a FIFO cannot hang start-up; fstat then refuses what
 * is not a regular file or a block device. */
static int open_image(const char *file, bool rw, uint64_t *size, cairn_errbuf *e)
{
	int fd = open(file, (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	if (fd < 0 && errno == EISDIR) {
		cairn_errorf(e, "virtio-blk: %s: is a directory, not a disk image (want a regular file or a block device)", file);
		return -ERR_INVAL;
	}
	if (fd < 0) {
		int en = errno;
		cairn_errorf(e, "virtio-blk: %s: %s", file, strerror(en));
		return en == ENOENT ? -ERR_NOENT : -ERR_IO;
	}
	if (fstat(fd, &st) || (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))) {
		cairn_errorf(e, "virtio-blk: %s: is %s, not a disk image (want a regular file or a block device)", file,
			    kind_of(st.st_mode));
		close(fd);
		return -ERR_INVAL;
	}
	*size = (uint64_t)st.st_size;
	if (S_ISBLK(st.st_mode) && ioctl(fd, BLKGETSIZE64, size)) {
		cairn_errorf(e, "virtio-blk: %s: cannot get the block device's size: %s", file, strerror(errno));
		close(fd);
		return -ERR_IO;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

/* format= given or probed; 0, or -ERR_UNSUPP with a message. */
static int check_format(struct raw *r, const char *file, const char *format, cairn_errbuf *e)
{
	uint8_t head[PROBE_BYTES];
	if (format && !strcmp(format, "raw"))
		return 0;
	if (format) {
		cairn_errorf(e, "virtio-blk: %s: format=%s: cairn cannot serve %s images yet (only raw; convert with "
			    "'qemu-img convert -O raw')", file, format, format);
		return -ERR_UNSUPP;
	}
	uint64_t n = r->size < PROBE_BYTES ? r->size : PROBE_BYTES;
	if (disk_pio(r->fd, 0, head, n, false)) {
		cairn_errorf(e, "virtio-blk: %s: cannot read the first sector", file);
		return -ERR_IO;
	}
	const char *probed = disk_probe(head, n);
	if (strcmp(probed, "raw")) {
		cairn_errorf(e, "virtio-blk: %s: the image is in %s format, which cairn cannot serve yet (convert with "
			    "'qemu-img convert -O raw', or give format=raw to use the bytes as they are)", file, probed);
		return -ERR_UNSUPP;
	}
	cairn_warn("Image format was not specified for '%s' and probing guessed raw.\n"
		   "         Automatically detecting the format is dangerous for raw images, write operations on "
		   "block 0 will be restricted.\n"
		   "         Specify the 'raw' format explicitly to remove the restrictions.", file);
	r->probed = true;
	return 0;
}

int disk_open(struct disk **out, const char *file, const char *format, unsigned flags, cairn_errbuf *e)
{
	bool rw = !(flags & (DISK_READONLY | DISK_SNAPSHOT));
	struct raw *r = calloc(1, sizeof *r);
	if (!r)
		return -ERR_NOMEM;
	r->d.ops = &raw_ops;
	r->fd = open_image(file, rw, &r->size, e);
	if (r->fd < 0) {
		int err = r->fd;
		free(r);
		return err;
	}
	int err = check_format(r, file, format, e);
	if (!err && lock_image(r->fd, flags, file, e))
		err = -ERR_IO;
	if (!err && (flags & DISK_SNAPSHOT))
		return disk_overlay(out, &r->d, file, e);
	if (err) {
		raw_close(&r->d);
		return err;
	}
	*out = &r->d;
	return 0;
}
