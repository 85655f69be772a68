/* virtio_console.c - virtio console with one port (virtio 1.2, 5.3): the
 * transmit queue prints to the machine's console FILE; host input waits in a
 * small buffer until the guest posts receive buffers. */
#include "machine/virtio.h"

#include <stdlib.h>

enum { Q_RX = 0, Q_TX = 1 };
#define CONSOLE_F_EMERG_WRITE 2
#define CONFIG_BYTES 12         /* cols, rows, max_nr_ports, emerg_wr */
#define CFG_EMERG_WR 8
#define INPUT_BUF 4096

struct virtio_console {
	struct virtio *vd;
	pthread_mutex_t mu;     /* input buffer; also keeps output chains in order */
	uint8_t in[INPUT_BUF];
	size_t in_head, in_len;
	struct virtio_req req;
};

/* Read each time: the console layer may redirect it after creation. */
static FILE *out(struct virtio_console *c)
{
	return virtio_machine(c->vd)->console;
}

/* Hand buffered input to the guest's receive buffers (c->mu held). */
static void deliver(struct virtio_console *c)
{
	while (c->in_len && virtio_pop(c->vd, Q_RX, &c->req) > 0) {
		uint64_t done = 0;
		while (c->in_len && done < c->req.wlen) {
			size_t run = INPUT_BUF - c->in_head < c->in_len ? INPUT_BUF - c->in_head : c->in_len;
			uint64_t n = virtio_req_write(&c->req, done, c->in + c->in_head, run);
			c->in_head = (c->in_head + n) % INPUT_BUF;
			c->in_len -= n;
			done += n;
		}
		virtio_push(c->vd, &c->req, (uint32_t)done);
	}
}

static void transmit(struct virtio_console *c)
{
	while (virtio_pop(c->vd, Q_TX, &c->req) > 0) {
		for (int k = 0; k < c->req.nr; k++)
			fwrite(c->req.seg[k].p, 1, c->req.seg[k].len, out(c));
		virtio_push(c->vd, &c->req, 0);
	}
	fflush(out(c));
}

static void console_notify(struct virtio *vd, int q)
{
	struct virtio_console *c = virtio_priv(vd);
	pthread_mutex_lock(&c->mu);
	if (q == Q_TX)
		transmit(c);
	else
		deliver(c);
	pthread_mutex_unlock(&c->mu);
}

size_t virtio_console_input(struct virtio_console *c, const uint8_t *buf, size_t len)
{
	pthread_mutex_lock(&c->mu);
	size_t n = INPUT_BUF - c->in_len < len ? INPUT_BUF - c->in_len : len;
	for (size_t k = 0; k < n; k++)
		c->in[(c->in_head + c->in_len + k) % INPUT_BUF] = buf[k];
	c->in_len += n;
	deliver(c);
	pthread_mutex_unlock(&c->mu);
	return n;
}

/* emerg_wr: one character written before the queues exist (early boot). */
static void console_config_write(struct virtio *vd, uint32_t off, int size, uint64_t val)
{
	struct virtio_console *c = virtio_priv(vd);
	if (off != CFG_EMERG_WR || !(virtio_features(vd) >> CONSOLE_F_EMERG_WRITE & 1))
		return;
	pthread_mutex_lock(&c->mu);
	fputc((int)(val & 0xff), out(c));
	fflush(out(c));
	pthread_mutex_unlock(&c->mu);
}

static void console_reset(struct virtio *vd)
{
	struct virtio_console *c = virtio_priv(vd);
	pthread_mutex_lock(&c->mu);
	c->in_head = c->in_len = 0;
	pthread_mutex_unlock(&c->mu);
}

static void console_destroy(struct virtio *vd)
{
	struct virtio_console *c = virtio_priv(vd);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static const struct virtio_dev_ops console_ops = {
	.name = "virtio-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.nqueues = 2,
	.features = 1ull << CONSOLE_F_EMERG_WRITE,
	.notify = console_notify,
	.config_write = console_config_write,
	.reset = console_reset,
	.destroy = console_destroy,
};

int virtio_console_create(struct machine *m, uint64_t base, int irq, struct virtio_console **out)
{
	struct virtio_console *c = calloc(1, sizeof *c);
	if (!c)
		return -ERR_NOMEM;
	pthread_mutex_init(&c->mu, NULL);
	uint8_t cfg[CONFIG_BYTES] = { 80, 0, 25, 0, 1, 0, 0, 0 }; /* 80x25, one port */
	int err = virtio_mmio_create(m, base, irq, &console_ops, c, cfg, sizeof cfg, &c->vd);
	if (err) {
		pthread_mutex_destroy(&c->mu);
		free(c);
		return err;
	}
	if (out)
		*out = c;
	return 0;
}
