/* test_net.c - -netdev user's options on virtio-net, with the test playing
 * the guest: it sends Ethernet frames through the transmit queue and reads
 * what slirp answers in the receive buffers.  restrict=on is checked against
 * a real listener on the host's loopback (127.0.0.1 only): an unrestricted
 * guest's SYN to 10.0.2.2 reaches it, a restricted one's does not, while
 * guestfwd= and hostfwd= paths still work.  net= and host= move the network. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vdriver.h"

#define NRX 16

struct nic {
	struct dev *d;
	struct ring rx, tx;
	uint64_t at;            /* this NIC's guest RAM: rings, then buffers */
};

static uint64_t rx_buf(const struct nic *n, int i) { return n->at + 0x8000 + 2048 * (uint64_t)i; }

static int nic_create(struct nic *n, int slot, const struct net_opts *o)
{
	int err = virtio_net_create(m, VIRTIO_MMIO_BASE + (uint64_t)slot * 0x1000, 1 + slot, o);
	if (err)
		return err;
	n->d = last_dev();
	n->at = 0x100000 + (uint64_t)slot * 0x40000;
	negotiate(n->d, 0);
	ring_setup(&n->rx, n->d, 0, NRX, n->at);
	ring_setup(&n->tx, n->d, 1, 8, n->at + 0x3000);
	driver_ok(n->d);
	for (int i = 0; i < NRX; i++) {
		memset(host(RAM(rx_buf(n, i)), 2048), 0, 2048);
		set_desc(n->rx.desc, i, RAM(rx_buf(n, i)), 2048, 2, 0);
		submit(&n->rx, (uint16_t)i);
	}
	return 0;
}

static void nic_send(struct nic *n, const uint8_t *frame, size_t len)
{
	uint16_t i = n->tx.avail_idx % 8;
	uint8_t *p = host(RAM(n->at + 0x6000 + 0x100 * (uint64_t)i), 12 + len);
	memset(p, 0, 12);
	memcpy(p + 12, frame, len);
	set_desc(n->tx.desc, i, RAM(n->at + 0x6000 + 0x100 * (uint64_t)i), (uint32_t)(12 + len), 0, 0);
	submit(&n->tx, i);
	wait_used(&n->tx, n->tx.avail_idx);
}

/* ---- Frames ---- */

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static void put_ip(uint8_t *p, uint32_t a) { st_le32(p, htonl(a)); }
static uint32_t ip(const char *s) { struct in_addr a; inet_pton(AF_INET, s, &a); return ntohl(a.s_addr); }

static uint16_t csum(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t k = 0; k + 1 < n; k += 2)
		sum += (uint32_t)p[k] << 8 | p[k + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put_be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }
static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* An ARP request from the guest (10.0.2.15 or src) for target. */
static size_t arp(uint8_t *f, uint32_t src, uint32_t target)
{
	memset(f, 0, 42);
	memset(f, 0xff, 6);
	memcpy(f + 6, guest_mac, 6);
	put_be16(f + 12, 0x0806);
	put_be16(f + 14, 1), put_be16(f + 16, 0x0800), f[18] = 6, f[19] = 4, put_be16(f + 20, 1);
	memcpy(f + 22, guest_mac, 6);
	put_ip(f + 28, src);
	put_ip(f + 38, target);
	return 42;
}

/* A TCP SYN from src:sport to dst:dport (no options). */
static size_t syn(uint8_t *f, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	memset(f, 0, 54);
	memcpy(f, "\x52\x55\x0a\x00\x02\x02", 6);
	memcpy(f + 6, guest_mac, 6);
	put_be16(f + 12, 0x0800);
	uint8_t *iph = f + 14, *t = f + 34;
	iph[0] = 0x45, put_be16(iph + 2, 40), put_be16(iph + 6, 0x4000), iph[8] = 64, iph[9] = 6;
	put_ip(iph + 12, src), put_ip(iph + 16, dst);
	put_be16(iph + 10, csum(iph, 20, 0));
	put_be16(t, sport), put_be16(t + 2, dport), st_le32(t + 4, htonl(1000));
	t[12] = 5 << 4, t[13] = 0x02, put_be16(t + 14, 65535);
	uint32_t pseudo = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 + 20;
	put_be16(t + 16, csum(t, 20, pseudo));
	return 54;
}

/* Wait up to ms for a received frame that pred accepts. */
static bool received(struct nic *n, bool (*pred)(const uint8_t *f, uint32_t len, const void *arg), const void *arg, int ms)
{
	for (int waited = 0; ; waited++) {
		uint16_t got = used_idx(&n->rx);
		for (uint16_t k = 0; k < got; k++) {
			uint32_t id = ld_le32(host(n->rx.used + 4 + 8 * (uint64_t)(k % NRX), 4));
			uint32_t len = used_len(&n->rx, k);
			if (id < NRX && len > 12 && pred(host(RAM(rx_buf(n, (int)id)), 2048) + 12, len - 12, arg))
				return true;
		}
		if (waited >= ms)
			return false;
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
}

static bool is_arp_reply_from(const uint8_t *f, uint32_t len, const void *arg)
{
	return len >= 42 && be16(f + 12) == 0x0806 && be16(f + 20) == 2 && ntohl(ld_le32(f + 28)) == *(const uint32_t *)arg;
}

struct tcp_match { uint32_t src; uint16_t sport, dport; uint8_t flags; };

static bool is_tcp(const uint8_t *f, uint32_t len, const void *arg)
{
	const struct tcp_match *t = arg;
	const uint8_t *iph = f + 14, *tcp = f + 14 + 4 * (iph[0] & 15);
	return len >= 54 && be16(f + 12) == 0x0800 && iph[9] == 6 && (!t->src || ntohl(ld_le32(iph + 12)) == t->src) &&
	       (!t->sport || be16(tcp) == t->sport) && be16(tcp + 2) == t->dport && (tcp[13] & 0x12) == t->flags;
}

/* ---- Host side ---- */

static int listener(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 4) ||
	    getsockname(fd, (struct sockaddr *)&a, &len))
		abort();
	*port = ntohs(a.sin_port);
	return fd;
}

/* Did a connection reach the listener within ms? (accepted and closed) */
static bool connected(int lfd, int ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	if (poll(&p, 1, ms) != 1)
		return false;
	int c = accept(lfd, NULL, NULL);
	if (c >= 0)
		close(c);
	return c >= 0;
}

/* A port free right now on 127.0.0.1, for a hostfwd rule. */
static uint16_t free_port(void)
{
	uint16_t port;
	close(listener(&port));
	return port;
}

/* ---- Tests ---- */

static const uint32_t *addr_of(const char *s)
{
	static uint32_t a[4];
	static int k;
	uint32_t *p = &a[k++ % 4];
	*p = ip(s);
	return p;
}

static void test_restrict(void)
{
	uint8_t f[64];
	uint16_t port;
	int lfd = listener(&port);
	struct nic open_nic, closed;
	struct net_opts o = { 0 };
	if (nic_create(&open_nic, 1, &o))
		abort();
	nic_send(&open_nic, f, arp(f, ip("10.0.2.15"), ip("10.0.2.2")));
	CHECK(received(&open_nic, is_arp_reply_from, addr_of("10.0.2.2"), 2000), "ARP reply from 10.0.2.2");
	nic_send(&open_nic, f, syn(f, ip("10.0.2.15"), 40000, ip("10.0.2.2"), port));
	CHECK(connected(lfd, 3000), "unrestricted: the guest's SYN to 10.0.2.2:%u reaches 127.0.0.1:%u", port, port);

	char fwd[64], gfwd[64];
	uint16_t hport = free_port();
	snprintf(fwd, sizeof fwd, "tcp:127.0.0.1:%u-:22", hport);
	snprintf(gfwd, sizeof gfwd, "tcp:10.0.2.100:7777-cmd:cat");
	const char *hostfwd[] = { fwd }, *guestfwd[] = { gfwd };
	struct net_opts r = { .restricted = true, .hostfwd = hostfwd, .nhostfwd = 1, .guestfwd = guestfwd, .nguestfwd = 1 };
	if (nic_create(&closed, 2, &r))
		abort();
	nic_send(&closed, f, arp(f, ip("10.0.2.15"), ip("10.0.2.2")));
	CHECK(received(&closed, is_arp_reply_from, addr_of("10.0.2.2"), 2000), "restricted: ARP still answered");
	nic_send(&closed, f, syn(f, ip("10.0.2.15"), 40001, ip("10.0.2.2"), port));
	CHECK(!connected(lfd, 1500), "restrict=on: the guest's SYN to 10.0.2.2:%u does not reach the host", port);
	/* guestfwd is the one way out of a restricted guest. */
	nic_send(&closed, f, syn(f, ip("10.0.2.15"), 40002, ip("10.0.2.100"), 7777));
	struct tcp_match synack = { ip("10.0.2.100"), 7777, 40002, 0x12 };
	CHECK(received(&closed, is_tcp, &synack, 3000), "restrict=on: guestfwd 10.0.2.100:7777 answers SYN-ACK");
	/* hostfwd still comes in: a host connection becomes a SYN to the guest's port 22. */
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(hport), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	(void)!connect(c, (struct sockaddr *)&a, sizeof a);
	struct tcp_match in = { ip("10.0.2.2"), 0, 22, 0x02 };
	CHECK(received(&closed, is_tcp, &in, 3000), "restrict=on: hostfwd 127.0.0.1:%u reaches the guest's port 22", hport);
	close(c);
	close(lfd);
}

static void test_addresses(void)
{
	uint8_t f[64];
	struct nic n;
	struct net_opts o = { .net = "10.0.5.0/24" };
	CHECK(nic_create(&n, 3, &o) == 0, "net=10.0.5.0/24");
	nic_send(&n, f, arp(f, ip("10.0.5.15"), ip("10.0.5.2")));
	CHECK(received(&n, is_arp_reply_from, addr_of("10.0.5.2"), 2000), "net=: the host is 10.0.5.2");
	CHECK(rd(n.d, 0x100) == 0x12005452 && (rd(n.d, 0x104) & 0xffff) == 0x5934, "the default MAC: 52:54:00:12:34:56 + slot");
	struct net_opts h = { .mac = "02:11:22:33:44:55", .net = "192.168.7.0/255.255.255.0", .host = "192.168.7.9" };
	CHECK(nic_create(&n, 4, &h) == 0, "net= with a dotted mask, host=");
	nic_send(&n, f, arp(f, ip("192.168.7.15"), ip("192.168.7.9")));
	CHECK(received(&n, is_arp_reply_from, addr_of("192.168.7.9"), 2000), "host=192.168.7.9 answers");
	CHECK(rd(n.d, 0x100) == 0x33221102 && (rd(n.d, 0x104) & 0xffff) == 0x5544, "mac=02:11:22:33:44:55 in config space");
	const struct { struct net_opts o; const char *what; } bad[] = {
		{ { .net = "10.0.5.0/24", .host = "10.0.6.2" }, "host outside net" },
		{ { .dns = "10.0.2.2" }, "dns = host" },
		{ { .dhcpstart = "10.0.3.15" }, "dhcpstart outside net" },
		{ { .net = "10.0.5.0/33" }, "mask /33" },
		{ { .net = "nonsense" }, "net=nonsense" },
		{ { .guestfwd = (const char *const[]){ "tcp:10.0.2.100:80-chardev0" }, .nguestfwd = 1 }, "guestfwd to a chardev" },
		{ { .guestfwd = (const char *const[]){ "tcp:10.0.2.100-cmd:cat" }, .nguestfwd = 1 }, "guestfwd without a port" },
		{ { .hostfwd = (const char *const[]){ "tcp::99999-:22" }, .nhostfwd = 1 }, "hostfwd port 99999" },
		{ { .mac = "52:54:00:12:34" }, "a short MAC" },
		{ { .mac = "52:54:00:12:34:5g" }, "a MAC with a bad digit" },
		{ { .mac = "01:00:5e:00:00:01" }, "a multicast MAC" },
	};
	for (size_t k = 0; k < ARRAY_SIZE(bad); k++)
		CHECK(virtio_net_create(m, VIRTIO_MMIO_BASE + 0x5000, 6, &bad[k].o) < 0, "refused: %s", bad[k].what);
}

int main(void)
{
	struct machine_config cfg = { .ram_size = RAM_SIZE, .smp = 1 };
	if (machine_create(&m, &cfg))
		abort();
	test_restrict();
	test_addresses();
	machine_destroy(m);
	printf("net: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
