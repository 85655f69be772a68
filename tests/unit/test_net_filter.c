/* test_net_filter.c - virtio-net with a real libslirp behind it, driven as a guest
 * would: hostile IPv4 fragments must never reach slirp's reassembly (libslirp
 * 4.7.0 writes through pointers taken from a lone last fragment), while
 * fragmented datagrams still work end to end. */
#include <stdio.h>

#include "machine/net_filter.h"
#include "vdriver.h"

#define NBUF 16
#define HDR 12                          /* virtio_net_hdr */
#define TX_BUF(i) RAM(0x40000 + (uint64_t)(i) * 0x1000)
#define RX_BUF(i) RAM(0x60000 + (uint64_t)(i) * 0x1000)

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t guest_ip[4] = { 10, 0, 2, 15 }, host_ip[4] = { 10, 0, 2, 2 }, dns_ip[4] = { 10, 0, 2, 3 };
static struct ring rx, tx;
static uint16_t rx_seen;                /* used rx entries already looked at */

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t k = 0; k + 1 < n; k += 2)
		s += (uint32_t)p[k] << 8 | p[k + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* Ethernet + IPv4 header (20 bytes) + payload into f; frag = flags|offset/8 field. */
static size_t ipv4_frame(uint8_t *f, uint8_t proto, const uint8_t dst[4], uint16_t id, uint16_t frag,
			 const uint8_t *payload, size_t plen)
{
	memset(f, 0xff, 6);
	memcpy(f + 6, guest_mac, 6);
	put16(f + 12, 0x0800);
	uint8_t *ip = f + 14;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + plen));
	put16(ip + 4, id);
	put16(ip + 6, frag);
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, guest_ip, 4);
	memcpy(ip + 16, dst, 4);
	put16(ip + 10, csum(ip, 20));
	memcpy(ip + 20, payload, plen);
	return 14 + 20 + plen;
}

static void send_frame(const uint8_t *frame, size_t len)
{
	int i = tx.avail_idx % NBUF;
	uint8_t *b = host(TX_BUF(i), HDR + len);
	memset(b, 0, HDR);
	memcpy(b + HDR, frame, len);
	set_desc(tx.desc, i, TX_BUF(i), (uint32_t)(HDR + len), 0, 0);
	submit(&tx, (uint16_t)i);
	CHECK(wait_used(&tx, tx.avail_idx), "frame of %zu bytes taken by the device", len);
}

/* Next frame slirp sent to the guest (NULL after a second without one); its
 * buffer goes back on the ring once looked at by the following call. */
static const uint8_t *recv_frame(uint32_t *len)
{
	static int last = -1;
	if (last >= 0)
		submit(&rx, (uint16_t)last);
	last = -1;
	if (!wait_used(&rx, (uint16_t)(rx_seen + 1)))
		return NULL;
	last = (int)used_id(&rx, rx_seen);
	*len = used_len(&rx, rx_seen) - HDR;
	rx_seen++;
	return host(RX_BUF(last) + HDR, *len);
}

static void setup(void)
{
	struct machine_config cfg = { .ram_size = RAM_SIZE, .smp = 1 };
	struct net_opts o = { 0 };
	if (machine_create(&m, &cfg) || virtio_net_create(m, VIRTIO_MMIO_BASE, 1, &o))
		abort();
	struct dev *d = &m->devs[m->ndevs - 1];
	(void)negotiate(d, 0);
	ring_setup(&rx, d, 0, NBUF, 0x10000);
	ring_setup(&tx, d, 1, NBUF, 0x20000);
	driver_ok(d);
	for (int i = 0; i < NBUF; i++) {
		set_desc(rx.desc, i, RX_BUF(i), 2048, 2, 0);
		submit(&rx, (uint16_t)i);
	}
}

/* An ARP request for 10.0.2.2 is answered: slirp is alive (and has learnt our MAC). */
static void check_arp(const char *when)
{
	uint8_t f[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	memcpy(f + 6, guest_mac, 6);
	static const uint8_t arp[] = { 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01 };
	memcpy(f + 12, arp, sizeof arp);
	memcpy(f + 22, guest_mac, 6);
	memcpy(f + 28, guest_ip, 4);
	memcpy(f + 38, host_ip, 4);
	send_frame(f, sizeof f);
	uint32_t len;
	const uint8_t *r = recv_frame(&len);
	CHECK(r && len >= 42 && get16(r + 12) == 0x0806 && get16(r + 20) == 2 && !memcmp(r + 28, host_ip, 4),
	      "ARP reply from 10.0.2.2 %s", when);
}

/* The frame that makes libslirp 4.7.0 write through a pointer from its own
 * payload: an IPv4 last fragment (MF clear, offset 8) with no first
 * fragment, UDP to the DNS address, payload of 0x41 bytes. */
static void test_lone_last_fragment(void)
{
	uint8_t payload[64], f[128];
	memset(payload, 0x41, sizeof payload);
	send_frame(f, ipv4_frame(f, 17, dns_ip, 0x1234, 1, payload, sizeof payload));
	for (uint16_t off = 2; off < 200; off += 37)
		send_frame(f, ipv4_frame(f, 17, dns_ip, (uint16_t)(0x1235 + off), off, payload, sizeof payload));
	check_arp("after lone last fragments");
}

/* ping -s 3000 10.0.2.2: the echo request leaves the guest in three
 * fragments; slirp answers with a 3008-byte reply, fragmented again. */
static void test_fragmented_ping(void)
{
	static uint8_t icmp[3008], f[2048];
	icmp[0] = 8;                         /* echo request */
	put16(icmp + 4, 0x77);
	put16(icmp + 6, 1);
	for (size_t k = 8; k < sizeof icmp; k++)
		icmp[k] = (uint8_t)k;
	put16(icmp + 2, csum(icmp, sizeof icmp));
	/* Out of order: the last fragment first, then the first and the middle one. */
	send_frame(f, ipv4_frame(f, 1, host_ip, 0x4242, 2960 / 8, icmp + 2960, 48));
	send_frame(f, ipv4_frame(f, 1, host_ip, 0x4242, 0x2000, icmp, 1480));
	send_frame(f, ipv4_frame(f, 1, host_ip, 0x4242, 0x2000 | 1480 / 8, icmp + 1480, 1480));
	size_t got = 0;
	bool reply = false;
	uint32_t len;
	for (const uint8_t *r; got < sizeof icmp && (r = recv_frame(&len));) {
		const uint8_t *ip = r + 14;
		if (len < 34 || get16(r + 12) != 0x0800 || ip[9] != 1 || memcmp(ip + 12, host_ip, 4))
			continue;
		size_t hl = (ip[0] & 15) * 4u, off = (get16(ip + 6) & 0x1fff) * 8u;
		got += get16(ip + 2) - hl;
		if (off == 0)
			reply = ip[hl] == 0 && get16(ip + hl + 4) == 0x77;
	}
	CHECK(reply && got == sizeof icmp, "fragmented echo reply, %zu of %zu bytes", got, sizeof icmp);
}

/* ---- The filter on its own ---- */

static struct net_filter flt;
static uint8_t got[NF_ETH_HLEN + NF_IP_MAX];
static size_t got_len;
static int delivered;

static void catch_frame(void *opaque, const uint8_t *frame, size_t len)
{
	memcpy(got, frame, len);
	got_len = len;
	delivered++;
}

static enum nf_verdict feed(const uint8_t *frame, size_t len, int64_t now_ms)
{
	return net_filter_input(&flt, frame, len, now_ms, catch_frame, NULL);
}

/* A UDP fragment of datagram `id` (payload bytes = offset, so holes show). */
static enum nf_verdict frag(uint16_t id, uint32_t off, uint32_t n, bool more, int64_t now_ms)
{
	static uint8_t p[NF_IP_MAX], f[NF_ETH_HLEN + NF_IP_MAX];
	for (uint32_t k = 0; k < n; k++)
		p[k] = (uint8_t)(off + k);
	if (off == 0 && n >= 8) {
		put16(p, 1000);
		put16(p + 2, 53);
		put16(p + 4, 8);                /* UDP length: its header only, the rest is slack */
	}
	uint16_t fl = (uint16_t)((more ? 0x2000 : 0) | off / 8);
	return feed(f, ipv4_frame(f, 17, dns_ip, id, fl, p, n), now_ms);
}

static void test_filter_reassembly(void)
{
	delivered = 0;
	CHECK(frag(1, 8, 64, false, 0) == NF_HELD && delivered == 0, "lone last fragment held, not delivered");
	CHECK(frag(1, 200, 8, true, 1) == NF_DROP && delivered == 0, "fragment past the last one dropped");
	CHECK(frag(1, 0, 8, true, 2) == NF_HELD, "new datagram after the poisoned one");
	CHECK(frag(1, 8, 64, false, 3) == NF_PASS && delivered == 1, "two fragments reassembled");
	const uint8_t *ip = got + 14;
	CHECK(got_len == 14 + 20 + 72 && get16(ip + 2) == 92 && get16(ip + 6) == 0 && csum(ip, 20) == 0 &&
	      got[14 + 20 + 8] == 8 && got[14 + 20 + 71] == 71, "reassembled datagram: length, flags, checksum, bytes");
	/* Out of order, three pieces. */
	CHECK(frag(2, 1480, 1480, true, 0) == NF_HELD && frag(2, 2960, 40, false, 0) == NF_HELD &&
	      frag(2, 0, 1480, true, 0) == NF_PASS && delivered == 2 && got_len == 14 + 20 + 3000 &&
	      got[14 + 20 + 2999] == (uint8_t)2999, "three fragments out of order");
	/* Overlaps and duplicates poison the datagram. */
	CHECK(frag(3, 0, 16, true, 0) == NF_HELD && frag(3, 8, 16, true, 0) == NF_DROP, "overlap dropped");
	CHECK(frag(3, 16, 8, false, 0) == NF_HELD && delivered == 2, "nothing of the overlapped datagram kept");
	net_filter_reset(&flt);
	CHECK(frag(4, 0, 16, true, 0) == NF_HELD && frag(4, 0, 16, true, 0) == NF_DROP, "duplicate dropped");
	CHECK(frag(5, 16, 8, false, 0) == NF_HELD && frag(5, 24, 8, false, 0) == NF_DROP, "second last fragment");
	CHECK(frag(6, 32, 8, true, 0) == NF_HELD && frag(6, 8, 8, false, 0) == NF_DROP, "last fragment before data");
	CHECK(frag(7, 0, 12, true, 0) == NF_DROP && frag(7, 8, 0, false, 0) == NF_DROP, "fragment lengths");
	CHECK(frag(8, 65528, 8, false, 0) == NF_DROP, "fragment ending past 65535 dropped");
	CHECK(frag(9, 0, 65512, true, 0) == NF_HELD && frag(9, 65512, 4, false, 0) == NF_DROP,
	      "datagram of 65536 bytes refused");
	CHECK(delivered == 2, "no delivery from refused fragments");
}

static void test_filter_bounds(void)
{
	net_filter_reset(&flt);
	delivered = 0;
	/* Timeout: the first half expires, the second half starts a new datagram. */
	CHECK(frag(10, 0, 8, true, 1000) == NF_HELD && frag(10, 8, 8, false, 1000 + NF_TIMEOUT_MS + 1) == NF_HELD &&
	      delivered == 0, "fragments %d ms apart not joined", NF_TIMEOUT_MS);
	/* Bounded in flight: one more than the table holds evicts the oldest. */
	net_filter_reset(&flt);
	for (int k = 0; k <= NF_MAX_DGRAMS; k++)
		frag((uint16_t)(100 + k), 0, 8, true, k);
	CHECK(frag(100, 8, 8, false, 50) == NF_HELD && delivered == 0, "oldest datagram evicted when the table is full");
	CHECK(frag(100 + NF_MAX_DGRAMS, 8, 8, false, 50) == NF_PASS && delivered == 1, "newest still reassembles");
}

static void test_filter_headers(void)
{
	static uint8_t f[256], pl[64];
	put16(pl + 4, 8);
	size_t n = ipv4_frame(f, 17, dns_ip, 1, 0, pl, sizeof pl);
	delivered = 0;
	memset(f + n, 0xee, 16);
	CHECK(feed(f, n + 16, 0) == NF_PASS && got_len == n, "whole UDP datagram passes, padding cut");
	struct { size_t at; uint8_t v; const char *what; } bad[] = {
		{ 14, 0x65, "version 6 in an IPv4 frame" }, { 14, 0x44, "IHL 4" }, { 14, 0x4f, "IHL past total length" },
		{ 16, 0x01, "total length past the frame" }, { 24, 0x00, "bad header checksum" },
		{ 38, 0x01, "UDP length past the datagram" }, { 23, 0x02, "IGMP" }, { 12, 0x88, "unknown EtherType" },
	};
	for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
		uint8_t c[256];
		memcpy(c, f, n);
		c[bad[k].at] = bad[k].v;
		if (bad[k].at >= 14 && bad[k].at < 34 && bad[k].at != 24) {
			put16(c + 24, 0);       /* a valid checksum: only the one fault */
			put16(c + 24, csum(c + 14, 20));
		}
		CHECK(feed(c, n, 0) == NF_DROP, "%s dropped", bad[k].what);
	}
	CHECK(feed(f, 13, 0) == NF_DROP && feed(f, 33, 0) == NF_DROP, "short frames dropped");
	uint8_t tcp[40] = { 0 };
	tcp[12] = 0xf0;                         /* data offset 60 > 40 bytes */
	n = ipv4_frame(f, 6, host_ip, 2, 0, tcp, sizeof tcp);
	CHECK(feed(f, n, 0) == NF_DROP, "TCP data offset past the segment dropped");
	uint8_t v6[14 + 40 + 8] = { [12] = 0x86, [13] = 0xdd, [14] = 0x60, [19] = 9, [20] = 17 };
	CHECK(feed(v6, sizeof v6, 0) == NF_DROP, "IPv6 payload length past the frame dropped");
	v6[19] = 8;
	v6[20] = 44;
	CHECK(feed(v6, sizeof v6, 0) == NF_DROP, "IPv6 fragment header dropped");
	uint8_t arp[42] = { [12] = 0x08, [13] = 0x06 };
	CHECK(feed(arp, 41, 0) == NF_DROP && feed(arp, 42, 0) == NF_DROP, "short or non-Ethernet ARP dropped");
	CHECK(delivered == 1, "only the good frame delivered");
}

int main(void)
{
	test_filter_headers();
	test_filter_reassembly();
	test_filter_bounds();
	setup();
	check_arp("at start");
	test_lone_last_fragment();
	test_fragmented_ping();
	machine_destroy(m);
	printf("net: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
