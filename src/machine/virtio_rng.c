/* virtio_rng.c - virtio entropy device (virtio 1.2, 5.4): one queue whose
 * writable buffers are filled from the host's getrandom.  Small and
 * synchronous: the work is done in the notify call itself. */
#include "machine/virtio.h"

#include <stdlib.h>
#include <sys/random.h>

/* A guest may post huge buffers; it gets at most this much per request. */
#define RNG_MAX_PER_REQ 65536

static uint32_t fill_random(const struct virtio_req *r)
{
	uint64_t want = r->wlen < RNG_MAX_PER_REQ ? r->wlen : RNG_MAX_PER_REQ, done = 0;
	for (int k = r->nr; k < r->nr + r->nw && done < want; k++) {
		uint64_t n = r->seg[k].len < want - done ? r->seg[k].len : want - done, got = 0;
		while (got < n) {
			ssize_t g = getrandom(r->seg[k].p + got, n - got, 0);
			if (g <= 0)
				return (uint32_t)(done + got);
			got += (uint64_t)g;
		}
		done += n;
	}
	return (uint32_t)done;
}

static void rng_notify(struct virtio *vd, int q)
{
	struct virtio_req *r = malloc(sizeof *r);
	if (!r)
		return;
	while (virtio_pop(vd, q, r) > 0)
		virtio_push(vd, r, fill_random(r));
	free(r);
}

static const struct virtio_dev_ops rng_ops = {
	.name = "virtio-rng",
	.device_id = VIRTIO_ID_RNG,
	.nqueues = 1,
	.notify = rng_notify,
};

int virtio_rng_create(struct machine *m, uint64_t base, int irq)
{
	return virtio_mmio_create(m, base, irq, &rng_ops, NULL, NULL, 0, NULL);
}
