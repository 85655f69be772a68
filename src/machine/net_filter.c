/* net_filter.c - validation of guest frames and IPv4 reassembly in front of
 * libslirp (see net_filter.h).  Everything here reads guest bytes with
 * explicit bounds: a frame is a length and bytes, nothing more. */
#include "machine/net_filter.h"

#include <string.h>

#define ETH_ARP  0x0806
#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define IP_MF    0x2000
#define IP_DF    0x4000
#define IP_OFF   0x1fff
#define PROTO_ICMP   1
#define PROTO_TCP    6
#define PROTO_UDP    17
#define PROTO_ICMPV6 58

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static void put_be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

static enum nf_verdict drop(struct net_filter *f, const char *why)
{
	f->why = why;
	f->dropped++;
	return NF_DROP;
}

static enum nf_verdict pass(struct net_filter *f, const uint8_t *frame, size_t len, net_deliver_fn *deliver,
			    void *opaque)
{
	f->passed++;
	deliver(opaque, frame, len);
	return NF_PASS;
}

/* The IPv4 header checksum: the one's complement sum over the header is 0xffff. */
static bool ipv4_sum_ok(const uint8_t *ip, size_t hlen)
{
	uint32_t s = 0;
	for (size_t k = 0; k < hlen; k += 2)
		s += be16(ip + k);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

static void ipv4_set_sum(uint8_t *ip, size_t hlen)
{
	put_be16(ip + 10, 0);
	uint32_t s = 0;
	for (size_t k = 0; k < hlen; k += 2)
		s += be16(ip + k);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	put_be16(ip + 10, (uint16_t)~s);
}

/* The transport header of a whole datagram must fit in its payload. */
static const char *check_l4(uint8_t proto, const uint8_t *p, size_t n)
{
	switch (proto) {
	case PROTO_TCP:
		if (n < 20 || (size_t)(p[12] >> 4) * 4 < 20 || (size_t)(p[12] >> 4) * 4 > n)
			return "TCP header";
		return NULL;
	case PROTO_UDP:
		if (n < 8 || be16(p + 4) < 8 || be16(p + 4) > n)
			return "UDP length";
		return NULL;
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		return n < 8 ? "ICMP length" : NULL;
	default:
		return "protocol slirp does not serve";
	}
}

static enum nf_verdict check_arp(struct net_filter *f, const uint8_t *frame, size_t len, net_deliver_fn *deliver,
				 void *opaque)
{
	const uint8_t *a = frame + NF_ETH_HLEN;
	if (len < NF_ETH_HLEN + 28)
		return drop(f, "short ARP");
	if (be16(a) != 1 || be16(a + 2) != ETH_IPV4 || a[4] != 6 || a[5] != 4 || be16(a + 6) < 1 || be16(a + 6) > 2)
		return drop(f, "ARP not Ethernet/IPv4 request or reply");
	return pass(f, frame, NF_ETH_HLEN + 28, deliver, opaque);
}

static enum nf_verdict check_ipv6(struct net_filter *f, const uint8_t *frame, size_t len, net_deliver_fn *deliver,
				  void *opaque)
{
	const uint8_t *ip = frame + NF_ETH_HLEN;
	if (len < NF_ETH_HLEN + 40 || ip[0] >> 4 != 6)
		return drop(f, "IPv6 header");
	size_t plen = be16(ip + 4);
	if (plen > len - NF_ETH_HLEN - 40)
		return drop(f, "IPv6 payload length beyond the frame");
	/* Extension headers (fragments among them) are not for slirp: refused with the rest. */
	const char *bad = check_l4(ip[6], ip + 40, plen);
	if (bad)
		return drop(f, bad);
	return pass(f, frame, NF_ETH_HLEN + 40 + plen, deliver, opaque);
}

/* ---- IPv4 reassembly ---- */

static bool block_test_and_set(uint8_t *map, uint32_t b)
{
	uint8_t bit = (uint8_t)(1u << (b & 7));
	bool was = map[b >> 3] & bit;
	map[b >> 3] |= bit;
	return was;
}

static void forget(struct nf_dgram *d)
{
	d->used = false;
}

static bool same_dgram(const struct nf_dgram *d, const uint8_t *ip)
{
	return d->used && d->proto == ip[9] && d->id == be16(ip + 4) && !memcmp(d->src, ip + 12, 4) &&
	       !memcmp(d->dst, ip + 16, 4);
}

/* The datagram this fragment belongs to, or a fresh slot (expired ones are
 * dropped first; with none free the oldest goes). */
static struct nf_dgram *find_dgram(struct net_filter *f, const uint8_t *ip, int64_t now_ms)
{
	struct nf_dgram *oldest = &f->dg[0], *free_slot = NULL;
	for (int k = 0; k < NF_MAX_DGRAMS; k++) {
		struct nf_dgram *d = &f->dg[k];
		if (d->used && now_ms - d->start_ms > NF_TIMEOUT_MS)
			forget(d);
		if (same_dgram(d, ip))
			return d;
		if (!d->used && !free_slot)
			free_slot = d;
		if (d->used && oldest->used && d->start_ms < oldest->start_ms)
			oldest = d;
	}
	struct nf_dgram *d = free_slot ? free_slot : oldest;
	memset(d, 0, offsetof(struct nf_dgram, data));
	d->used = true;
	d->proto = ip[9];
	d->id = be16(ip + 4);
	memcpy(d->src, ip + 12, 4);
	memcpy(d->dst, ip + 16, 4);
	d->start_ms = now_ms;
	return d;
}

/* Records [off, off+n) of the payload; false if any of it had come before
 * (overlaps and duplicates poison the datagram, RFC 5722's rule). */
static bool add_blocks(struct nf_dgram *d, uint32_t off, uint32_t n)
{
	for (uint32_t b = off / 8; b < (off + n + 7) / 8; b++)
		if (block_test_and_set(d->map, b))
			return false;
	return true;
}

/* Whether a block at or beyond payload offset `end` was received. */
static bool any_beyond(const struct nf_dgram *d, uint32_t end)
{
	for (uint32_t b = (end + 7) / 8; b < sizeof d->map * 8; b++)
		if (d->map[b >> 3] & (1u << (b & 7)))
			return true;
	return false;
}

/* Builds the whole datagram in f->out; returns its frame length, 0 if too big. */
static size_t assemble(struct net_filter *f, const struct nf_dgram *d)
{
	size_t iplen = (size_t)d->hlen + d->total;
	if (iplen > NF_IP_MAX)
		return 0;
	uint8_t *ip = f->out + NF_ETH_HLEN;
	memcpy(f->out, d->eth, NF_ETH_HLEN);
	memcpy(ip, d->hdr, d->hlen);
	memcpy(ip + d->hlen, d->data, d->total);
	put_be16(ip + 2, (uint16_t)iplen);
	put_be16(ip + 6, be16(ip + 6) & IP_DF);
	ipv4_set_sum(ip, d->hlen);
	return NF_ETH_HLEN + iplen;
}

static enum nf_verdict whole_ipv4(struct net_filter *f, const uint8_t *frame, size_t len, net_deliver_fn *deliver,
				  void *opaque);

static enum nf_verdict fragment(struct net_filter *f, const uint8_t *frame, int64_t now_ms, net_deliver_fn *deliver,
				void *opaque)
{
	const uint8_t *ip = frame + NF_ETH_HLEN;
	uint32_t hlen = (ip[0] & 15) * 4u, n = be16(ip + 2) - hlen;
	uint32_t off = (be16(ip + 6) & IP_OFF) * 8u;
	bool more = be16(ip + 6) & IP_MF;
	if (n == 0 || (more && n % 8) || off + n > NF_IP_MAX - 20)
		return drop(f, "IPv4 fragment length");
	struct nf_dgram *d = find_dgram(f, ip, now_ms);
	if ((d->last_seen && (!more || off + n > d->total)) || (!more && any_beyond(d, off + n)) ||
	    !add_blocks(d, off, n)) {
		forget(d);
		return drop(f, "overlapping IPv4 fragments");
	}
	memcpy(d->data + off, ip + hlen, n);
	d->have += n;
	if (!more) {
		d->last_seen = true;
		d->total = off + n;
	}
	if (off == 0) {
		d->hlen = (uint16_t)hlen;
		memcpy(d->eth, frame, NF_ETH_HLEN);
		memcpy(d->hdr, ip, hlen);
	}
	if (!d->last_seen || !d->hlen || d->have != d->total)
		return NF_HELD;
	size_t flen = assemble(f, d);
	forget(d);
	if (!flen)
		return drop(f, "reassembled IPv4 datagram over 65535 bytes");
	f->reassembled++;
	return whole_ipv4(f, f->out, flen, deliver, opaque);
}

/* ---- IPv4 ---- */

/* Header checks shared by fragments and whole datagrams; NULL when sound. */
static const char *ipv4_header(const uint8_t *frame, size_t len)
{
	const uint8_t *ip = frame + NF_ETH_HLEN;
	if (len < NF_ETH_HLEN + 20 || ip[0] >> 4 != 4)
		return "IPv4 header";
	size_t hlen = (ip[0] & 15) * 4u, tot = be16(ip + 2);
	if (hlen < 20 || tot < hlen || tot > len - NF_ETH_HLEN)
		return "IPv4 header or total length";
	return ipv4_sum_ok(ip, hlen) ? NULL : "IPv4 header checksum";
}

static enum nf_verdict whole_ipv4(struct net_filter *f, const uint8_t *frame, size_t len, net_deliver_fn *deliver,
				  void *opaque)
{
	const uint8_t *ip = frame + NF_ETH_HLEN;
	size_t hlen = (ip[0] & 15) * 4u, tot = be16(ip + 2);
	const char *bad = check_l4(ip[9], ip + hlen, tot - hlen);
	if (bad)
		return drop(f, bad);
	return pass(f, frame, NF_ETH_HLEN + tot, deliver, opaque);
}

static enum nf_verdict check_ipv4(struct net_filter *f, const uint8_t *frame, size_t len, int64_t now_ms,
				  net_deliver_fn *deliver, void *opaque)
{
	const char *bad = ipv4_header(frame, len);
	if (bad)
		return drop(f, bad);
	if (be16(frame + NF_ETH_HLEN + 6) & (IP_MF | IP_OFF))
		return fragment(f, frame, now_ms, deliver, opaque);
	return whole_ipv4(f, frame, len, deliver, opaque);
}

enum nf_verdict net_filter_input(struct net_filter *f, const uint8_t *frame, size_t len, int64_t now_ms,
				 net_deliver_fn *deliver, void *opaque)
{
	if (len < NF_ETH_HLEN)
		return drop(f, "short Ethernet frame");
	switch (be16(frame + 12)) {
	case ETH_ARP:
		return check_arp(f, frame, len, deliver, opaque);
	case ETH_IPV4:
		return check_ipv4(f, frame, len, now_ms, deliver, opaque);
	case ETH_IPV6:
		return check_ipv6(f, frame, len, deliver, opaque);
	default:
		return drop(f, "EtherType slirp does not serve");
	}
}

void net_filter_reset(struct net_filter *f)
{
	for (int k = 0; k < NF_MAX_DGRAMS; k++)
		forget(&f->dg[k]);
}
