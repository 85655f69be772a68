/* virtio_blk.c - virtio block device (virtio 1.2, 5.2) over a disk back end
 * (disk.h: raw image, -snapshot overlay).  Requests run on the process's
 * I/O worker pool (sched/loop.h), one disk's queue on one worker at a time,
 * so a hart never waits for the disk and disks add no threads. */
#include "machine/disk.h"
#include "machine/virtio.h"
#include "sched/loop.h"

#include <errno.h>
#include <stddef.h>
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
#define CONFIG_BYTES 60

struct blk {
	struct virtio *vd;
	struct disk *disk;
	uint64_t capacity;            /* sectors shown to the guest */
	bool ro;
	char serial[ID_BYTES];
	struct loop *loop;
	struct loop_work work;        /* drains the queue on a pool worker */
	bool pending, busy, stop;
	pthread_mutex_t mu;
	pthread_cond_t idle;
	struct virtio_req req;        /* the worker's current request */
};

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
		if (out ? disk_write(b->disk, pos, s->p + off, n) : disk_read(b->disk, pos, s->p + off, n))
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
	if (b->ro)
		return S_OK;
	return disk_flush(b->disk) ? S_IOERR : S_OK;
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

/* ---- Work on the pool ---- */

/* Drain the queue until no notify came in meanwhile.  A second submission
 * while one runs finds busy set and leaves the work to the running one, so
 * one disk's requests never run on two workers. */
static void blk_work(struct loop_work *w)
{
	struct blk *b = (struct blk *)((char *)w - offsetof(struct blk, work));
	pthread_mutex_lock(&b->mu);
	if (b->busy || b->stop) {
		pthread_mutex_unlock(&b->mu);
		return;
	}
	b->busy = true;
	while (b->pending && !b->stop) {
		b->pending = false;
		pthread_mutex_unlock(&b->mu);
		while (virtio_pop(b->vd, 0, &b->req) > 0)
			virtio_push(b->vd, &b->req, handle(b, &b->req));
		pthread_mutex_lock(&b->mu);
	}
	b->busy = false;
	pthread_cond_broadcast(&b->idle);
	pthread_mutex_unlock(&b->mu);
}

static void blk_notify(struct virtio *vd, int q)
{
	struct blk *b = virtio_priv(vd);
	pthread_mutex_lock(&b->mu);
	b->pending = true;
	bool submit = !b->busy;
	pthread_mutex_unlock(&b->mu);
	if (submit)
		loop_submit(b->loop, &b->work);
}

/* The transport has already waited for every popped request to be pushed
 * (virtio.c, drain_locked); this drops a notify that raced with the reset. */
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
	disk_close(b->disk);
	if (b->loop)
		loop_put(b->loop);
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->idle);
	free(b);
}

static void blk_destroy(struct virtio *vd)
{
	struct blk *b = virtio_priv(vd);
	pthread_mutex_lock(&b->mu);
	b->stop = true;
	pthread_mutex_unlock(&b->mu);
	loop_cancel(b->loop, &b->work); /* queued or running: gone after this */
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

static int blk_open(struct blk *b, const struct blk_opts *o, cairn_errbuf *e)
{
	unsigned flags = (o->readonly ? DISK_READONLY : 0) | (o->snapshot ? DISK_SNAPSHOT : 0) |
			 (o->no_lock ? DISK_NO_LOCK : 0);
	int err = disk_open(&b->disk, o->file, o->format, flags, e);
	if (err)
		return err;
	b->capacity = disk_size(b->disk) / SECTOR;
	if (disk_size(b->disk) % SECTOR)
		cairn_warn("virtio-blk: %s: size %llu is not a multiple of %u: the last %llu bytes are not shown to "
			   "the guest", o->file, (unsigned long long)disk_size(b->disk), SECTOR,
			   (unsigned long long)(disk_size(b->disk) % SECTOR));
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
	b->ro = o->readonly;
	b->work.fn = blk_work;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->idle, NULL);
	uint8_t cfg[CONFIG_BYTES];
	int err = loop_get(&b->loop);
	if (!err)
		err = blk_open(b, o, &m->err);
	if (!err) {
		blk_config(b, cfg);
		err = virtio_mmio_create(m, base, irq, b->ro ? &blk_ops_ro : &blk_ops_rw, b, cfg, sizeof cfg, &b->vd);
	}
	if (err) {
		blk_free(b);
		return err;
	}
	/* From here the machine owns b and frees it through blk_destroy. */
	return 0;
}
