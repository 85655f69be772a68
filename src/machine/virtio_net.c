/* virtio_net.c - virtio network device (virtio 1.2, 5.1) on libslirp's
 * user-mode stack (QEMU's -netdev user): 10.0.2.0/24, host 10.0.2.2.  Slirp is
 * not thread-safe: every call into it holds n->mu; its poll loop has a thread. */
#include "machine/net_filter.h"
#include "machine/virtio.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <slirp/libslirp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

enum { Q_RX = 0, Q_TX = 1 };
#define NET_F_MAC  5
#define HDR_BYTES  12           /* struct virtio_net_hdr with VERSION_1 */
#define MAX_FRAME  65536
#define MAX_FDS    256
#define MAX_TIMERS 16

struct timer {
	SlirpTimerCb cb;
	void *cb_opaque;
	int64_t expire_ms;      /* -1: not armed */
	bool used;
};

struct net {
	struct virtio *vd;
	Slirp *slirp;
	pthread_mutex_t mu;     /* slirp, timers, the tx buffers */
	pthread_t thread;
	bool started, stop;
	int wake[2];
	struct pollfd fds[MAX_FDS];
	int nfds;
	struct timer timers[MAX_TIMERS];
	struct virtio_req rx, tx;
	uint8_t frame[MAX_FRAME];
	struct net_filter filter;       /* between the guest and slirp: net_filter.h */
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- Guest -> slirp ---- */

static void to_slirp(void *opaque, const uint8_t *frame, size_t len)
{
	struct net *n = opaque;
	slirp_input(n->slirp, frame, (int)len);
}

/* Every frame goes through the filter: slirp must never see a malformed
 * frame or a fragment (libslirp 4.7.0 cannot be trusted with either). */
static void transmit(struct net *n)
{
	while (virtio_pop(n->vd, Q_TX, &n->tx) > 0) {
		uint64_t len = n->tx.rlen > HDR_BYTES ? n->tx.rlen - HDR_BYTES : 0;
		if (len > MAX_FRAME)
			len = MAX_FRAME;    /* oversized frames are cut, never overrun */
		virtio_req_read(&n->tx, HDR_BYTES, n->frame, len);
		net_filter_input(&n->filter, n->frame, len, now_ns() / 1000000, to_slirp, n);
		virtio_push(n->vd, &n->tx, 0);
	}
}

static void net_notify(struct virtio *vd, int q)
{
	struct net *n = virtio_priv(vd);
	if (q != Q_TX)
		return;                 /* rx buffers are taken when a frame arrives */
	pthread_mutex_lock(&n->mu);
	transmit(n);
	pthread_mutex_unlock(&n->mu);
}

/* ---- Slirp -> guest (called with n->mu held) ---- */

static ssize_t send_packet(const void *buf, size_t len, void *opaque)
{
	struct net *n = opaque;
	uint8_t hdr[HDR_BYTES] = { 0 };
	st_le16(hdr + 10, 1);   /* num_buffers */
	/* No buffer: drop, as a full NIC would; TCP retransmits. */
	if (virtio_pop(n->vd, Q_RX, &n->rx) <= 0)
		return (ssize_t)len;
	if (n->rx.wlen < HDR_BYTES + len) {
		virtio_push(n->vd, &n->rx, 0);
		return (ssize_t)len;
	}
	virtio_req_write(&n->rx, 0, hdr, HDR_BYTES);
	virtio_req_write(&n->rx, HDR_BYTES, buf, len);
	virtio_push(n->vd, &n->rx, (uint32_t)(HDR_BYTES + len));
	return (ssize_t)len;
}

static void guest_error(const char *msg, void *opaque)
{
	(void)opaque;
	cairn_warn("virtio-net: slirp: %s", msg);
}

static int64_t clock_get_ns(void *opaque)
{
	(void)opaque;
	return now_ns();
}

static void *timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct net *n = opaque;
	for (int k = 0; k < MAX_TIMERS; k++)
		if (!n->timers[k].used) {
			n->timers[k] = (struct timer){ cb, cb_opaque, -1, true };
			return &n->timers[k];
		}
	return NULL;
}

static void timer_free(void *t, void *opaque)
{
	if (t)
		((struct timer *)t)->used = false;
}

static void timer_mod(void *t, int64_t expire_ms, void *opaque)
{
	if (t)
		((struct timer *)t)->expire_ms = expire_ms;
}

static void poll_fd_nop(int fd, void *opaque) { }

static void kick(void *opaque)
{
	struct net *n = opaque;
	if (write(n->wake[1], "", 1) < 0) {
		/* Pipe full: the thread is already due to wake. */
	}
}

static const SlirpCb callbacks = {
	.send_packet = send_packet,
	.guest_error = guest_error,
	.clock_get_ns = clock_get_ns,
	.timer_new = timer_new,
	.timer_free = timer_free,
	.timer_mod = timer_mod,
	.register_poll_fd = poll_fd_nop,
	.unregister_poll_fd = poll_fd_nop,
	.notify = kick,
};

/* ---- The poll loop ---- */

static int add_poll(int fd, int events, void *opaque)
{
	struct net *n = opaque;
	if (n->nfds == MAX_FDS)
		return -1;
	short ev = 0;
	ev |= events & SLIRP_POLL_IN ? POLLIN : 0;
	ev |= events & SLIRP_POLL_OUT ? POLLOUT : 0;
	ev |= events & SLIRP_POLL_PRI ? POLLPRI : 0;
	n->fds[n->nfds] = (struct pollfd){ .fd = fd, .events = ev };
	return n->nfds++;
}

static int get_revents(int idx, void *opaque)
{
	struct net *n = opaque;
	if (idx < 0 || idx >= n->nfds)
		return 0;
	short r = n->fds[idx].revents;
	return (r & POLLIN ? SLIRP_POLL_IN : 0) | (r & POLLOUT ? SLIRP_POLL_OUT : 0) |
	       (r & POLLPRI ? SLIRP_POLL_PRI : 0) | (r & POLLERR ? SLIRP_POLL_ERR : 0) |
	       (r & POLLHUP ? SLIRP_POLL_HUP : 0);
}

static void run_timers(struct net *n)
{
	int64_t ms = now_ns() / 1000000;
	for (int k = 0; k < MAX_TIMERS; k++) {
		struct timer *t = &n->timers[k];
		if (t->used && t->expire_ms >= 0 && t->expire_ms <= ms) {
			t->expire_ms = -1;
			t->cb(t->cb_opaque);
		}
	}
}

static void *io_thread(void *arg)
{
	struct net *n = arg;
	pthread_mutex_lock(&n->mu);
	while (!n->stop) {
		uint32_t timeout = 100;  /* ms; bounded so timers run */
		n->nfds = 0;
		add_poll(n->wake[0], SLIRP_POLL_IN, n);
		slirp_pollfds_fill(n->slirp, &timeout, add_poll, n);
		pthread_mutex_unlock(&n->mu);
		int r = poll(n->fds, (nfds_t)n->nfds, (int)timeout);
		char drain[64];
		if (r > 0 && (n->fds[0].revents & POLLIN))
			(void)!read(n->wake[0], drain, sizeof drain);
		pthread_mutex_lock(&n->mu);
		slirp_pollfds_poll(n->slirp, r < 0, get_revents, n);
		run_timers(n);
	}
	pthread_mutex_unlock(&n->mu);
	return NULL;
}

/* ---- Creation and teardown ---- */

/* Next field of a hostfwd rule up to sep (copied into out); NULL if too long. */
static const char *field(const char *p, char sep, char *out, size_t n)
{
	const char *e = strchr(p, sep);
	size_t len = e ? (size_t)(e - p) : strlen(p);
	if (len >= n)
		return NULL;
	memcpy(out, p, len);
	out[len] = 0;
	return e ? e + 1 : p + len;
}

static bool port_of(const char *s, unsigned *port)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	*port = (unsigned)v;
	return *s && !*end && v <= 65535;
}

/* QEMU's hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT */
static int add_hostfwd(struct net *n, const char *spec)
{
	char proto[8], haddr[32], hp[8], gaddr[32], gp[8];
	unsigned hport, gport;
	const char *p = spec;
	if (!(p = field(p, ':', proto, sizeof proto)) || !(p = field(p, ':', haddr, sizeof haddr)) ||
	    !(p = field(p, '-', hp, sizeof hp)) || !(p = field(p, ':', gaddr, sizeof gaddr)) ||
	    !(p = field(p, 0, gp, sizeof gp)) || !port_of(hp, &hport) || !port_of(gp, &gport))
		goto bad;
	struct in_addr h = { .s_addr = htonl(INADDR_ANY) }, g;
	inet_pton(AF_INET, "10.0.2.15", &g);
	if ((haddr[0] && inet_pton(AF_INET, haddr, &h) != 1) || (gaddr[0] && inet_pton(AF_INET, gaddr, &g) != 1))
		goto bad;
	bool udp = !strcmp(proto, "udp");
	if (!udp && proto[0] && strcmp(proto, "tcp"))
		goto bad;
	if (slirp_add_hostfwd(n->slirp, udp, h, (int)hport, g, (int)gport) < 0) {
		cairn_error("virtio-net: hostfwd %s: cannot listen on port %u", spec, hport);
		return -ERR_IO;
	}
	return 0;
bad:
	cairn_error("virtio-net: bad hostfwd '%s' (want tcp:[HOSTADDR]:PORT-[GUESTADDR]:PORT)", spec);
	return -ERR_INVAL;
}

static int slirp_start(struct net *n)
{
	SlirpConfig c = { .version = 1, .in_enabled = true };
	inet_pton(AF_INET, "10.0.2.0", &c.vnetwork);
	inet_pton(AF_INET, "255.255.255.0", &c.vnetmask);
	inet_pton(AF_INET, "10.0.2.2", &c.vhost);
	inet_pton(AF_INET, "10.0.2.15", &c.vdhcp_start);
	inet_pton(AF_INET, "10.0.2.3", &c.vnameserver);
	n->slirp = slirp_new(&c, &callbacks, n);
	return n->slirp ? 0 : -ERR_NOMEM;
}

static void net_free(struct net *n)
{
	if (n->slirp)
		slirp_cleanup(n->slirp);
	for (int k = 0; k < 2; k++)
		if (n->wake[k] >= 0)
			close(n->wake[k]);
	pthread_mutex_destroy(&n->mu);
	free(n);
}

static void net_destroy(struct virtio *vd)
{
	struct net *n = virtio_priv(vd);
	pthread_mutex_lock(&n->mu);
	n->stop = true;
	pthread_mutex_unlock(&n->mu);
	kick(n);
	if (n->started)
		pthread_join(n->thread, NULL);
	net_free(n);
}

static const struct virtio_dev_ops net_ops = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.nqueues = 2,
	.features = 1ull << NET_F_MAC,
	.notify = net_notify,
	.destroy = net_destroy,
};

static int net_init(struct net *n, const struct net_opts *o)
{
	if (pipe2(n->wake, O_CLOEXEC | O_NONBLOCK))
		return -ERR_IO;
	int err = slirp_start(n);
	for (int k = 0; !err && k < (int)ARRAY_SIZE(o->hostfwd) && o->hostfwd[k]; k++)
		err = add_hostfwd(n, o->hostfwd[k]);
	return err;
}

int virtio_net_create(struct machine *m, uint64_t base, int irq, const struct net_opts *o)
{
	struct net *n = calloc(1, sizeof *n);
	if (!n)
		return -ERR_NOMEM;
	n->wake[0] = n->wake[1] = -1;
	pthread_mutex_init(&n->mu, NULL);
	/* QEMU's default MAC, 52:54:00:12:34:56 (+ slot), in config space with a link-up status. */
	uint8_t cfg[8] = { 0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)(0x56 + (irq - 1)), 1, 0 };
	int err = net_init(n, o);
	if (!err)
		err = virtio_mmio_create(m, base, irq, &net_ops, n, cfg, sizeof cfg, &n->vd);
	if (err) {
		net_free(n);
		return err;
	}
	if (pthread_create(&n->thread, NULL, io_thread, n))
		return -ERR_NOMEM;
	n->started = true;
	return 0;
}
