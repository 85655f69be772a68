/* fuzz_net.c - libFuzzer target for what a guest can send on virtio-net:
 * sequences of Ethernet frames go through net_filter into a real libslirp
 * instance (under ASan in cairn's code, SEGV/BUS caught anywhere), the way
 * virtio_net.c's transmit path hands them on.  Nothing may crash.
 *
 * Input: records of [flags][length, 2 bytes LE][frame bytes].  flags bits
 * 1-7 advance the (fake) clock by that many seconds before the frame, so
 * reassembly and slirp timeouts run; bit 0 asks for the IPv4 header checksum
 * to be fixed up, so mutations get past it to the layers behind.
 *
 * slirp runs restricted (no connections to the host: nothing leaves the
 * process) but still parses everything: ARP, IP input and reassembly, ICMP
 * echo to 10.0.2.2, DHCP, TCP and UDP headers.  libslirp is not instrumented,
 * so the seeds in tests/fuzz/seeds/fuzz_net (ARP, DHCP, a fragmented ping,
 * the lone last fragment) give it frames slirp acts on.  NET_FUZZ_NO_FILTER=1
 * feeds slirp directly: on the lone-last-fragment seed libslirp 4.7.0 dies,
 * which shows the target reaches the bug the filter keeps out. */
#include <slirp/libslirp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "machine/net_filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct net_filter filter;
static int64_t clock_ns;
static bool no_filter;

struct timer {
	SlirpTimerCb cb;
	void *opaque;
	int64_t expire_ms;
	bool used;
};
static struct timer timers[16];

static ssize_t send_packet(const void *buf, size_t len, void *opaque) { return (ssize_t)len; }
static void guest_error(const char *msg, void *opaque) { }
static int64_t clock_get_ns(void *opaque) { return clock_ns; }
static void poll_fd_nop(int fd, void *opaque) { }
static void notify_nop(void *opaque) { }

static void *timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	for (size_t k = 0; k < sizeof timers / sizeof *timers; k++)
		if (!timers[k].used) {
			timers[k] = (struct timer){ cb, cb_opaque, -1, true };
			return &timers[k];
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

static const SlirpCb callbacks = {
	.send_packet = send_packet, .guest_error = guest_error, .clock_get_ns = clock_get_ns,
	.timer_new = timer_new, .timer_free = timer_free, .timer_mod = timer_mod,
	.register_poll_fd = poll_fd_nop, .unregister_poll_fd = poll_fd_nop, .notify = notify_nop,
};

static Slirp *new_slirp(void)
{
	SlirpConfig c = { .version = 1, .restricted = true, .in_enabled = true };
	inet_pton(AF_INET, "10.0.2.0", &c.vnetwork);
	inet_pton(AF_INET, "255.255.255.0", &c.vnetmask);
	inet_pton(AF_INET, "10.0.2.2", &c.vhost);
	inet_pton(AF_INET, "10.0.2.15", &c.vdhcp_start);
	inet_pton(AF_INET, "10.0.2.3", &c.vnameserver);
	return slirp_new(&c, &callbacks, NULL);
}

static int add_poll(int fd, int events, void *opaque) { return -1; }
static int get_revents(int idx, void *opaque) { return 0; }

/* slirp's own timeouts (fragment queues, TCP timers) and its timers. */
static void run_time(Slirp *s)
{
	uint32_t timeout = 0;
	slirp_pollfds_fill(s, &timeout, add_poll, NULL);
	slirp_pollfds_poll(s, 0, get_revents, NULL);
	for (size_t k = 0; k < sizeof timers / sizeof *timers; k++) {
		struct timer *t = &timers[k];
		if (t->used && t->expire_ms >= 0 && t->expire_ms <= clock_ns / 1000000) {
			t->expire_ms = -1;
			t->cb(t->opaque);
		}
	}
}

static void fix_ipv4_sum(uint8_t *f, size_t len)
{
	if (len < 34 || f[12] != 0x08 || f[13] != 0x00)
		return;
	size_t hlen = (f[14] & 15) * 4u;
	if (hlen < 20 || 14 + hlen > len)
		return;
	f[24] = f[25] = 0;
	uint32_t s = 0;
	for (size_t k = 0; k < hlen; k += 2)
		s += (uint32_t)f[14 + k] << 8 | f[15 + k];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	f[24] = (uint8_t)(~s >> 8);
	f[25] = (uint8_t)~s;
}

static void to_slirp(void *opaque, const uint8_t *frame, size_t len)
{
	slirp_input(opaque, frame, (int)len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[65536];
	static bool init;
	if (!init) {
		no_filter = getenv("NET_FUZZ_NO_FILTER") != NULL;
		init = true;
	}
	memset(timers, 0, sizeof timers);
	clock_ns = 1000000000;
	net_filter_reset(&filter);
	Slirp *s = new_slirp();
	if (!s)
		abort();
	while (size >= 3) {
		uint8_t flags = data[0];
		size_t len = (size_t)(data[1] | data[2] << 8);
		data += 3, size -= 3;
		len = len < size ? len : size;
		memcpy(frame, data, len);
		data += len, size -= len;
		if (flags & 1)
			fix_ipv4_sum(frame, len);
		clock_ns += (int64_t)(flags >> 1) * 1000000000;
		if (no_filter)
			to_slirp(s, frame, len);
		else
			net_filter_input(&filter, frame, len, clock_ns / 1000000, to_slirp, s);
		run_time(s);
	}
	slirp_cleanup(s);
	return 0;
}
