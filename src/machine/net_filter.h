/* net_filter.h - what a guest may hand to the user-mode network stack.
 *
 * libslirp trusts the frames it is given more than a hostile guest deserves
 * (4.7.0 writes through a pointer read from a lone last IPv4 fragment), so
 * every frame from virtio-net passes here first.  Only well-formed ARP, IPv4
 * and IPv6 frames go on; IPv4 fragments are reassembled here, within fixed
 * bounds, and slirp only ever sees whole datagrams.  docs/VIRTIO.md has the
 * rules.  Not thread-safe: the caller serialises (virtio-net holds its mutex). */
#ifndef CAIRN_MACHINE_NET_FILTER_H
#define CAIRN_MACHINE_NET_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NF_ETH_HLEN     14
#define NF_IP_MAX       65535   /* largest IPv4 datagram, header included */
#define NF_MAX_DGRAMS   16      /* datagrams being reassembled at once */
#define NF_TIMEOUT_MS   30000   /* a datagram not complete by then is dropped (Linux's ipfrag_time) */

enum nf_verdict {
	NF_PASS,        /* handed on (the frame, or the datagram it completed) */
	NF_HELD,        /* a fragment kept for reassembly */
	NF_DROP,        /* malformed or refused: nothing reaches slirp */
};

/* One datagram under reassembly. */
struct nf_dgram {
	bool used;
	uint8_t proto;
	uint16_t id;
	uint8_t src[4], dst[4];
	int64_t start_ms;
	uint32_t have;                  /* payload bytes received */
	uint32_t total;                 /* payload length, known once the last fragment came */
	bool last_seen;
	uint16_t hlen;                  /* header length of the first fragment, 0 until it came */
	uint8_t eth[NF_ETH_HLEN];       /* the first fragment's Ethernet header */
	uint8_t hdr[60];                /* and its IPv4 header */
	uint8_t map[(NF_IP_MAX + 1) / 64];  /* one bit per 8-byte block received */
	uint8_t data[NF_IP_MAX];        /* the payload, at its offsets */
};

/* All zeroes is a valid, empty filter (about 1.1 MiB). */
struct net_filter {
	struct nf_dgram dg[NF_MAX_DGRAMS];
	uint8_t out[NF_ETH_HLEN + NF_IP_MAX];   /* a reassembled frame */
	const char *why;                /* the reason for the last NF_DROP */
	uint64_t passed, dropped, reassembled;
};

typedef void net_deliver_fn(void *opaque, const uint8_t *frame, size_t len);

/* Checks one frame from the guest at time now_ms; calls deliver at most once
 * with the frame (cut to its IP length) or with the datagram it completed. */
enum nf_verdict net_filter_input(struct net_filter *f, const uint8_t *frame, size_t len, int64_t now_ms,
				 net_deliver_fn *deliver, void *opaque);

/* Forgets every datagram under reassembly. */
void net_filter_reset(struct net_filter *f);

#endif
