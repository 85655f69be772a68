/* virtio_net.c - virtio network device (virtio 1.2, 5.1) on libslirp's
 * user-mode stack (QEMU's -netdev user): 10.0.2.0/24, host 10.0.2.2 by
 * default; restrict=on is libslirp's restricted mode (no connections out
 * except guestfwd targets; hostfwd still comes in).  Slirp is
 * not thread-safe: every call into it holds n->mu.  Its poll fds and timers
 * are a source of the process's I/O loop (sched/loop.h): no thread per NIC. */
#include "machine/net_filter.h"
#include "machine/virtio.h"
#include "sched/loop.h"

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
#define MAX_TIMERS 16

struct timer {
	SlirpTimerCb cb;
	void *cb_opaque;
	int64_t expire_ms;      /* -1: not armed */
	bool used;
};

struct net {
	struct loop_source src; /* first: the loop hands it back */
	struct loop *loop;
	bool added;             /* src is on the loop */
	cairn_errbuf *err;      /* the machine's: option errors as values */
	struct virtio *vd;
	Slirp *slirp;
	pthread_mutex_t mu;     /* slirp, timers, the tx buffers */
	struct pollfd *fds;     /* this turn's slots in the loop's array */
	int nfds, maxfds;
	struct timer timers[MAX_TIMERS];
	struct virtio_req rx, tx;
	uint8_t frame[MAX_FRAME];
	struct net_filter filter;       /* between the guest and slirp: net_filter.h */
};

static int64_t now_ns(void)
{
	return (int64_t)base_now_ns();
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
	loop_wake(n->loop);
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
	if (n->nfds == n->maxfds)
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

/* Milliseconds until the first armed timer (0 if due), or -1. */
static int timers_due_in(struct net *n)
{
	int64_t ms = now_ns() / 1000000, best = -1;
	for (int k = 0; k < MAX_TIMERS; k++) {
		struct timer *t = &n->timers[k];
		if (t->used && t->expire_ms >= 0 && (best < 0 || t->expire_ms - ms < best))
			best = t->expire_ms - ms < 0 ? 0 : t->expire_ms - ms;
	}
	return best > 1000000 ? 1000000 : (int)best;
}

static int net_prepare(struct loop_source *src, struct pollfd *fds, int max, int *timeout_ms)
{
	struct net *n = (struct net *)src;
	pthread_mutex_lock(&n->mu);
	n->fds = fds;
	n->nfds = 0;
	n->maxfds = max;
	uint32_t t = *timeout_ms < 0 ? UINT32_MAX : (uint32_t)*timeout_ms;
	slirp_pollfds_fill(n->slirp, &t, add_poll, n);
	int due = timers_due_in(n);
	if (due >= 0 && (uint32_t)due < t)
		t = (uint32_t)due;
	*timeout_ms = t == UINT32_MAX ? -1 : (int)t;
	int used = n->nfds;
	pthread_mutex_unlock(&n->mu);
	return used;
}

static void net_dispatch(struct loop_source *src, struct pollfd *fds, int count)
{
	struct net *n = (struct net *)src;
	pthread_mutex_lock(&n->mu);
	n->fds = fds;
	n->nfds = count;
	slirp_pollfds_poll(n->slirp, false, get_revents, n);
	run_timers(n);
	pthread_mutex_unlock(&n->mu);
}

/* ---- Creation: -netdev user's options ---- */

/* The virtual network, QEMU's defaults adjusted by net=, host=, dns=, dhcpstart=. */
struct vnet {
	struct in_addr net, mask, host, dns, dhcp;
};

static bool ip_of(const char *s, struct in_addr *a)
{
	return inet_pton(AF_INET, s, a) == 1;
}

/* Without a /MASK, QEMU takes the address's historic class (net/slirp.c). */
static uint32_t class_mask(uint32_t a)
{
	if (!(a & 0x80000000u))
		return 0xff000000u;
	if ((a & 0xfff00000u) == 0xac100000u)
		return 0xfff00000u;
	if ((a & 0xc0000000u) == 0x80000000u || (a & 0xffff0000u) == 0xc0a80000u)
		return 0xffff0000u;
	return (a & 0xe0000000u) == 0xe0000000u ? 0xffffff00u : 0xfffffff0u;
}

/* net=ADDR[/BITS|/MASK]: also moves the host, DNS and DHCP defaults into it. */
static int parse_net(const char *spec, struct vnet *v, cairn_errbuf *e)
{
	char *addr = strdup(spec), *slash = addr ? strchr(addr, '/') : NULL, *end;
	uint32_t mask = 0;
	bool ok = addr != NULL;
	if (slash)
		*slash++ = 0;
	ok = ok && ip_of(addr, &v->net);
	if (ok && slash) {
		long bits = strtol(slash, &end, 10);
		if (*slash && !*end && bits >= 0 && bits <= 32)
			mask = bits ? ~0u << (32 - bits) : 0;
		else if ((ok = ip_of(slash, &v->mask)))
			mask = ntohl(v->mask.s_addr);
	} else if (ok) {
		mask = class_mask(ntohl(v->net.s_addr));
	}
	free(addr);
	if (!ok) {
		cairn_errorf(e, "virtio-net: net=%s: Failed to parse netmask or address", spec);
		return -ERR_INVAL;
	}
	uint32_t net = ntohl(v->net.s_addr) & mask;
	v->net.s_addr = htonl(net);
	v->mask.s_addr = htonl(mask);
	v->host.s_addr = htonl(net | (0x0202 & ~mask));
	v->dns.s_addr = htonl(net | (0x0203 & ~mask));
	v->dhcp.s_addr = htonl(net | (0x020f & ~mask));
	return 0;
}

/* An address option inside the network, with QEMU's messages. */
static int net_addr(const char *val, const char *what, const struct vnet *v, struct in_addr *out, cairn_errbuf *e)
{
	if (val && !ip_of(val, out)) {
		cairn_errorf(e, "virtio-net: Failed to parse %s address '%s'", what, val);
		return -ERR_INVAL;
	}
	if ((out->s_addr & v->mask.s_addr) != v->net.s_addr) {
		cairn_errorf(e, "virtio-net: %s doesn't belong to network", what);
		return -ERR_INVAL;
	}
	return 0;
}

static int make_vnet(const struct net_opts *o, struct vnet *v, cairn_errbuf *e)
{
	*v = (struct vnet){ { htonl(0x0a000200) }, { htonl(0xffffff00) }, { htonl(0x0a000202) },
			    { htonl(0x0a000203) }, { htonl(0x0a00020f) } };
	int err = o->net ? parse_net(o->net, v, e) : 0;
	if (!err)
		err = net_addr(o->host, "Host", v, &v->host, e);
	if (!err)
		err = net_addr(o->dns, "DNS", v, &v->dns, e);
	if (!err)
		err = net_addr(o->dhcpstart, "DHCP", v, &v->dhcp, e);
	if (!err && v->dns.s_addr == v->host.s_addr) {
		cairn_errorf(e, "virtio-net: DNS must be different from host");
		err = -ERR_INVAL;
	}
	if (!err && (v->dhcp.s_addr == v->host.s_addr || v->dhcp.s_addr == v->dns.s_addr)) {
		cairn_errorf(e, "virtio-net: DHCP must be different from host and DNS");
		err = -ERR_INVAL;
	}
	return err;
}

/* Next field of a rule up to sep, as a malloc'd string in *out; the rest,
 * or NULL when sep is missing (sep 0: the whole rest). */
static const char *field(const char *p, char sep, char **out)
{
	const char *e = sep ? strchr(p, sep) : NULL;
	size_t len = e ? (size_t)(e - p) : strlen(p);
	if (sep && !e)
		return NULL;
	*out = strndup(p, len);
	return e ? e + 1 : p + len;
}

static bool port_of(const char *s, unsigned *port)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	*port = (unsigned)v;
	return *s >= '0' && *s <= '9' && !*end && v <= 65535;
}

/* QEMU's hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT; the
 * guest address defaults to the DHCP start (the guest's address). */
static int add_hostfwd(struct net *n, const char *spec, const struct vnet *v)
{
	char *f[5] = { 0 };
	unsigned hport = 0, gport = 0;
	const char *p = spec;
	bool ok = (p = field(p, ':', &f[0])) && (p = field(p, ':', &f[1])) && (p = field(p, '-', &f[2])) &&
		  (p = field(p, ':', &f[3])) && (p = field(p, 0, &f[4])) && port_of(f[2], &hport) &&
		  port_of(f[4], &gport);
	struct in_addr h = { .s_addr = htonl(INADDR_ANY) }, g = v->dhcp;
	ok = ok && (!f[1][0] || ip_of(f[1], &h)) && (!f[3][0] || ip_of(f[3], &g));
	bool udp = ok && !strcmp(f[0], "udp");
	ok = ok && (udp || !f[0][0] || !strcmp(f[0], "tcp"));
	for (int k = 0; k < 5; k++)
		free(f[k]);
	if (!ok) {
		cairn_errorf(n->err, "virtio-net: bad hostfwd '%s' (want tcp:[HOSTADDR]:PORT-[GUESTADDR]:PORT)", spec);
		return -ERR_INVAL;
	}
	if (slirp_add_hostfwd(n->slirp, udp, h, (int)hport, g, (int)gport) < 0) {
		cairn_errorf(n->err, "virtio-net: hostfwd %s: cannot listen on port %u", spec, hport);
		return -ERR_IO;
	}
	return 0;
}

/* QEMU's guestfwd=[tcp]:SERVER:PORT-cmd:COMMAND (a command per connection,
 * on its stdin/stdout) or -unix:PATH (QEMU's chardev spec for a unix socket
 * client).  Other chardev targets need QEMU's chardev layer: refused. */
static int add_guestfwd(struct net *n, const char *spec)
{
	char *proto = NULL, *server = NULL, *port = NULL;
	const char *p = spec, *target = NULL;
	struct in_addr a;
	unsigned gport = 0;
	bool ok = (p = field(p, ':', &proto)) && (p = field(p, ':', &server)) && (target = field(p, '-', &port)) &&
		  (!proto[0] || !strcmp(proto, "tcp")) && ip_of(server, &a) && port_of(port, &gport);
	free(proto), free(server), free(port);
	int r = -1;
	if (ok && !strncmp(target, "cmd:", 4))
		r = slirp_add_exec(n->slirp, target + 4, &a, (int)gport);
	else if (ok && !strncmp(target, "unix:", 5))
		r = slirp_add_unix(n->slirp, target + 5, &a, (int)gport);
	else if (ok) {
		cairn_errorf(n->err, "virtio-net: guestfwd '%s': only cmd:COMMAND and unix:PATH targets are supported", spec);
		return -ERR_UNSUPP;
	}
	if (!ok) {
		cairn_errorf(n->err, "virtio-net: bad guestfwd '%s' (want tcp:SERVER:PORT-cmd:COMMAND)", spec);
		return -ERR_INVAL;
	}
	if (r < 0) {
		cairn_errorf(n->err, "virtio-net: Conflicting/invalid host:port in guest forwarding rule '%s'", spec);
		return -ERR_INVAL;
	}
	return 0;
}

static int slirp_start(struct net *n, const struct net_opts *o, const struct vnet *v)
{
	SlirpConfig c = {
		.version = 1, .in_enabled = true, .restricted = o->restricted,
		.vnetwork = v->net, .vnetmask = v->mask, .vhost = v->host,
		.vdhcp_start = v->dhcp, .vnameserver = v->dns,
		.vhostname = o->hostname, .vdomainname = o->domain,
	};
	n->slirp = slirp_new(&c, &callbacks, n);
	return n->slirp ? 0 : -ERR_NOMEM;
}

static void net_free(struct net *n)
{
	if (n->added)
		loop_remove(n->loop, &n->src); /* not in prepare or dispatch after this */
	if (n->slirp)
		slirp_cleanup(n->slirp);
	if (n->loop)
		loop_put(n->loop);
	pthread_mutex_destroy(&n->mu);
	free(n);
}

static void net_destroy(struct virtio *vd)
{
	net_free(virtio_priv(vd));
}

static const struct virtio_dev_ops net_ops = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.nqueues = 2,
	.features = 1ull << NET_F_MAC,
	.notify = net_notify,
	.destroy = net_destroy,
};

/* -device virtio-net-device,mac=52:54:00:12:34:57: six hex pairs, unicast. */
static int parse_mac(const char *s, uint8_t *mac, cairn_errbuf *e)
{
	unsigned v[6];
	int end = 0;
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &end) != 6 ||
	    s[end] || end != 17 || (v[0] & 1)) {
		cairn_errorf(e, "virtio-net: Property 'virtio-net-device.mac' doesn't take value '%s'", s);
		return -1;
	}
	for (int k = 0; k < 6; k++)
		mac[k] = (uint8_t)v[k];
	return 0;
}

static int net_init(struct net *n, const struct net_opts *o)
{
	struct vnet v;
	int err = make_vnet(o, &v, n->err);
	if (err)
		return err;
	err = slirp_start(n, o, &v);
	for (size_t k = 0; !err && k < o->nhostfwd; k++)
		err = add_hostfwd(n, o->hostfwd[k], &v);
	for (size_t k = 0; !err && k < o->nguestfwd; k++)
		err = add_guestfwd(n, o->guestfwd[k]);
	return err;
}

int virtio_net_create(struct machine *m, uint64_t base, int irq, const struct net_opts *o)
{
	struct net *n = calloc(1, sizeof *n);
	if (!n)
		return -ERR_NOMEM;
	n->err = &m->err;
	n->src.prepare = net_prepare;
	n->src.dispatch = net_dispatch;
	pthread_mutex_init(&n->mu, NULL);
	/* QEMU's default MAC, 52:54:00:12:34:56 (+ slot), in config space with a link-up status. */
	uint8_t cfg[8] = { 0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)(0x56 + (irq - 1)), 1, 0 };
	int err = o->mac && parse_mac(o->mac, cfg, &m->err) ? -ERR_INVAL : 0;
	if (!err)
		err = loop_get(&n->loop);
	if (!err)
		err = net_init(n, o);
	if (!err)
		err = virtio_mmio_create(m, base, irq, &net_ops, n, cfg, sizeof cfg, &n->vd);
	if (err) {
		net_free(n);
		return err;
	}
	/* From here the machine owns n and frees it through net_destroy. */
	n->added = true;
	return loop_add(n->loop, &n->src);
}
