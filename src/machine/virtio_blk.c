/* virtio_blk.c - virtio block device (virtio 1.2, 5.2) over a raw image file.
 * Requests run on a worker thread so a hart never waits for the disk;
 * -snapshot keeps writes in memory chunks and leaves the file untouched. */
#include "machine/virtio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Feature bits and request types (virtio 1.2, 5.2.3 and 5.2.6). */
#define BLK_F_SEG_MAX  2
#define BLK_F_RO       5
#define BLK_F_BLK_SIZE 6
#define BLK_F_FLUSH    9
enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8 };
enum { S_OK = 0, S_IOERR = 1, S_UNSUPP = 2 };
#define SECTOR    512u
#define ID_BYTES  20
#define HDR_BYTES 16
#define CHUNK     65536u  /* snapshot overlay granule */
#define CONFIG_BYTES 60

struct blk {
	struct virtio *vd;
	int fd;
	uint64_t size, capacity;      /* bytes in the file, sectors shown to the guest */
	bool ro, snapshot;
	char serial[ID_BYTES];
	uint8_t **overlay;            /* snapshot: one copy per written chunk */
	uint64_t nchunks;
	pthread_t thread;
	bool started, pending, busy, stop;
	pthread_mutex_t mu;
	pthread_cond_t cv, idle;
	struct virtio_req req;        /* the worker's current request */
};

/* ---- Host I/O ---- */

static int file_io(int fd, uint64_t pos, uint8_t *p, uint64_t n, bool write)
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

/* The chunk's private copy, made on first write from the file's bytes. */
static uint8_t *overlay_chunk(struct blk *b, uint64_t c)
{
	if (b->overlay[c])
		return b->overlay[c];
	uint8_t *p = calloc(1, CHUNK);
	if (!p)
		return NULL;
	uint64_t at = c * CHUNK, n = b->size - at < CHUNK ? b->size - at : CHUNK;
	if (file_io(b->fd, at, p, n, false)) {
		free(p);
		return NULL;
	}
	return b->overlay[c] = p;
}

static int snapshot_io(struct blk *b, uint64_t pos, uint8_t *p, uint64_t n, bool write)
{
	while (n) {
		uint64_t c = pos / CHUNK, in = pos % CHUNK, k = CHUNK - in < n ? CHUNK - in : n;
		uint8_t *chunk = write ? overlay_chunk(b, c) : b->overlay[c];
		if (write && !chunk)
			return -ERR_IO;
		if (write)
			memcpy(chunk + in, p, k);
		else if (chunk)
			memcpy(p, chunk + in, k);
		else if (file_io(b->fd, pos, p, k, false))
			return -ERR_IO;
		pos += k, p += k, n -= k;
	}
	return 0;
}

static int disk_io(struct blk *b, uint64_t pos, uint8_t *p, uint64_t n, bool write)
{
	return b->snapshot ? snapshot_io(b, pos, p, n, write) : file_io(b->fd, pos, p, n, write);
}

/* ---- Requests ---- */

/* Move len bytes between the disk at pos and the request's data bytes:
 * readable part from byte off (OUT), or writable part from off (IN). */
static int xfer(struct blk *b, const struct virtio_req *r, bool out, uint64_t off, uint64_t len, uint64_t pos)
{
	int k = out ? 0 : r->nr, end = out ? r->nr : r->nr + r->nw;
	for (; k < end && len; k++) {
		const struct virtio_seg *s = &r->seg[k];
		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		uint64_t n = s->len - off < len ? s->len - off : len;
		if (disk_io(b, pos, s->p + off, n, out))
			return -ERR_IO;
		pos += n, len -= n, off = 0;
	}
	return 0;
}

static uint8_t rw(struct blk *b, const struct virtio_req *r, bool out, uint64_t sector, uint64_t len)
{
	if (out && b->ro)
		return S_IOERR;
	if (len % SECTOR || sector > b->capacity || len / SECTOR > b->capacity - sector)
		return S_IOERR;
	return xfer(b, r, out, out ? HDR_BYTES : 0, len, sector * SECTOR) ? S_IOERR : S_OK;
}

static uint8_t flush(struct blk *b)
{
	if (b->snapshot || b->ro)
		return S_OK;
	return fsync(b->fd) ? S_IOERR : S_OK;
}

/* Serve one request; returns the bytes written into the chain. */
static uint32_t handle(struct blk *b, const struct virtio_req *r)
{
	uint8_t hdr[HDR_BYTES], st;
	if (!r->wlen)
		return 0;               /* nowhere to put a status: nothing to do */
	uint64_t data = r->wlen - 1, used = 0;
	if (virtio_req_read(r, 0, hdr, HDR_BYTES) != HDR_BYTES) {
		st = S_IOERR;
	} else {
		uint64_t sector = ld_le64(hdr + 8);
		switch (ld_le32(hdr)) {
		case T_IN:
			st = rw(b, r, false, sector, data);
			used = st == S_OK ? data : 0;
			break;
		case T_OUT: st = rw(b, r, true, sector, r->rlen - HDR_BYTES); break;
		case T_FLUSH: st = flush(b); break;
		case T_GET_ID:
			used = virtio_req_write(r, 0, b->serial, data < ID_BYTES ? data : ID_BYTES);
			st = S_OK;
			break;
		default: st = S_UNSUPP;
		}
	}
	virtio_req_write(r, r->wlen - 1, &st, 1);
	return (uint32_t)(used + 1);
}

/* ---- Worker thread ---- */

static void *worker(void *arg)
{
	struct blk *b = arg;
	pthread_mutex_lock(&b->mu);
	while (!b->stop) {
		if (!b->pending) {
			pthread_cond_wait(&b->cv, &b->mu);
			continue;
		}
		b->pending = false;
		b->busy = true;
		pthread_mutex_unlock(&b->mu);
		while (virtio_pop(b->vd, 0, &b->req) > 0)
			virtio_push(b->vd, &b->req, handle(b, &b->req));
		pthread_mutex_lock(&b->mu);
		b->busy = false;
		pthread_cond_broadcast(&b->idle);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

static void blk_notify(struct virtio *vd, int q)
{
	struct blk *b = virtio_priv(vd);
	pthread_mutex_lock(&b->mu);
	b->pending = true;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

/* After a reset no request may touch guest memory: wait out the one in flight. */
static void blk_reset(struct virtio *vd)
{
	struct blk *b = virtio_priv(vd);
	pthread_mutex_lock(&b->mu);
	b->pending = false;
	while (b->busy)
		pthread_cond_wait(&b->idle, &b->mu);
	pthread_mutex_unlock(&b->mu);
}

static void blk_free(struct blk *b)
{
	if (b->fd >= 0)
		close(b->fd);
	for (uint64_t c = 0; b->overlay && c < b->nchunks; c++)
		free(b->overlay[c]);
	free(b->overlay);
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->cv);
	pthread_cond_destroy(&b->idle);
	free(b);
}

static void blk_destroy(struct virtio *vd)
{
	struct blk *b = virtio_priv(vd);
	pthread_mutex_lock(&b->mu);
	b->stop = true;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
	if (b->started)
		pthread_join(b->thread, NULL);
	blk_free(b);
}

static const struct virtio_dev_ops blk_ops_rw = {
	.name = "virtio-blk", .device_id = VIRTIO_ID_BLK, .nqueues = 1,
	.features = 1ull << BLK_F_SEG_MAX | 1ull << BLK_F_BLK_SIZE | 1ull << BLK_F_FLUSH,
	.notify = blk_notify, .reset = blk_reset, .destroy = blk_destroy,
};
static const struct virtio_dev_ops blk_ops_ro = {
	.name = "virtio-blk", .device_id = VIRTIO_ID_BLK, .nqueues = 1,
	.features = 1ull << BLK_F_SEG_MAX | 1ull << BLK_F_BLK_SIZE | 1ull << BLK_F_FLUSH | 1ull << BLK_F_RO,
	.notify = blk_notify, .reset = blk_reset, .destroy = blk_destroy,
};

/* ---- Creation ---- */

static int blk_open(struct blk *b, const struct blk_opts *o)
{
	if (o->format && strcmp(o->format, "raw")) {
		cairn_error("virtio-blk: %s: format=%s: only raw images are supported", o->file, o->format);
		return -ERR_UNSUPP;
	}
	b->fd = open(o->file, (b->ro || b->snapshot ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (b->fd < 0) {
		int e = errno;
		cairn_error("virtio-blk: %s: %s", o->file, strerror(e));
		return e == ENOENT ? -ERR_NOENT : -ERR_IO;
	}
	off_t end = lseek(b->fd, 0, SEEK_END);
	if (end < 0)
		return -ERR_IO;
	b->size = (uint64_t)end;
	b->capacity = b->size / SECTOR;
	if (b->snapshot) {
		b->nchunks = (b->size + CHUNK - 1) / CHUNK;
		b->overlay = calloc(b->nchunks ? b->nchunks : 1, sizeof *b->overlay);
		if (!b->overlay)
			return -ERR_NOMEM;
	}
	const char *id = o->serial ? o->serial : strrchr(o->file, '/') ? strrchr(o->file, '/') + 1 : o->file;
	/* 20 bytes, NUL-padded, not terminated when full (5.2.6). */
	memcpy(b->serial, id, strnlen(id, ID_BYTES));
	return 0;
}

static void blk_config(const struct blk *b, uint8_t *cfg)
{
	memset(cfg, 0, CONFIG_BYTES);
	st_le64(cfg, b->capacity);
	st_le32(cfg + 12, VIRTIO_QUEUE_MAX - 2); /* seg_max: the header and status take two */
	st_le32(cfg + 20, SECTOR);               /* blk_size */
}

int virtio_blk_create(struct machine *m, uint64_t base, int irq, const struct blk_opts *o)
{
	struct blk *b = calloc(1, sizeof *b);
	if (!b)
		return -ERR_NOMEM;
	b->fd = -1;
	b->ro = o->readonly;
	b->snapshot = o->snapshot;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	pthread_cond_init(&b->idle, NULL);
	uint8_t cfg[CONFIG_BYTES];
	int err = blk_open(b, o);
	if (!err) {
		blk_config(b, cfg);
		err = virtio_mmio_create(m, base, irq, b->ro ? &blk_ops_ro : &blk_ops_rw, b, cfg, sizeof cfg, &b->vd);
	}
	if (err) {
		blk_free(b);
		return err;
	}
	/* From here the machine owns b and frees it through blk_destroy. */
	if (pthread_create(&b->thread, NULL, worker, b))
		return -ERR_NOMEM;
	b->started = true;
	return 0;
}
