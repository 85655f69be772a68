/* virtio.h - the virtio-mmio (version 2, modern) transport and split
 * virtqueues, shared by every virtio device (blk, rng, console...).  Devices
 * see only this API: they never parse rings or touch registers themselves. */
#ifndef CAIRN_MACHINE_VIRTIO_H
#define CAIRN_MACHINE_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/machine.h"

/* The board's virtio slots: slot n at VIRTIO_MMIO_BASE + n * 0x1000, IRQ 1 + n. */
#define VIRTIO_MMIO_BASE  0x10001000ull
#define VIRTIO_MMIO_SIZE  0x1000ull
#define VIRTIO_MMIO_SLOTS 8

/* Device IDs (virtio 1.2, 5). */
enum { VIRTIO_ID_NET = 1, VIRTIO_ID_BLK = 2, VIRTIO_ID_CONSOLE = 3, VIRTIO_ID_RNG = 4 };

/* Transport feature bits (virtio 1.2, 6). */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX     29
#define VIRTIO_F_VERSION_1     32

/* Device status bits (virtio 1.2, 2.1). */
enum {
	VIRTIO_S_ACKNOWLEDGE = 1, VIRTIO_S_DRIVER = 2, VIRTIO_S_DRIVER_OK = 4,
	VIRTIO_S_FEATURES_OK = 8, VIRTIO_S_NEEDS_RESET = 64, VIRTIO_S_FAILED = 128,
};

/* Queue size limit: also the bound on a chain's length, indirect included. */
#define VIRTIO_QUEUE_MAX 256
#define VIRTIO_MAX_QUEUES 4
#define VIRTIO_CONFIG_MAX 256

struct virtio;

/* One guest buffer, already checked to lie wholly in RAM. */
struct virtio_seg {
	uint8_t *p;      /* host address */
	uint64_t gpa;
	uint32_t len;
};

/* A popped descriptor chain: the readable (driver -> device) segments come
 * first in the chain, then the writable ones (virtio 1.2, 2.7.4.2). */
struct virtio_req {
	int q;
	uint16_t head;
	uint32_t epoch;              /* queue generation when popped */
	int nr, nw;                  /* seg[0..nr) readable, seg[nr..nr+nw) writable */
	uint64_t rlen, wlen;         /* byte totals of each part */
	struct virtio_seg seg[VIRTIO_QUEUE_MAX];
};

/* What a device tells the transport.  Callbacks run without the transport
 * lock held, so they may pop and push. */
struct virtio_dev_ops {
	const char *name;
	uint32_t device_id;
	int nqueues;
	uint64_t features;           /* device-specific bits; VERSION_1 etc. added by the transport */
	/* The driver made buffers available on queue q (only after DRIVER_OK). */
	void (*notify)(struct virtio *vd, int q);
	/* Optional: a driver write into config space (already bounds-checked). */
	void (*config_write)(struct virtio *vd, uint32_t off, int size, uint64_t val);
	/* Optional: the driver reset the device; in-flight work must stop. */
	void (*reset)(struct virtio *vd);
	/* Optional: free the device's own state (priv); threads stopped first. */
	void (*destroy)(struct virtio *vd);
};

/* Register a virtio-mmio device at base with interrupt line irq.  config
 * (config_size bytes, at most VIRTIO_CONFIG_MAX) is copied as the initial
 * config space.  On success *out (if not NULL) is the transport handle; the
 * machine owns it and destroys it with the machine. */
int virtio_mmio_create(struct machine *m, uint64_t base, int irq, const struct virtio_dev_ops *ops,
		       void *priv, const void *config, uint32_t config_size, struct virtio **out) MUST_CHECK;

void *virtio_priv(struct virtio *vd);
struct machine *virtio_machine(struct virtio *vd);
/* Negotiated features (valid once the driver set FEATURES_OK). */
uint64_t virtio_features(struct virtio *vd);

/* Take the next available chain of queue q into req.  Returns 1 when a chain
 * was taken, 0 when none is available (or the queue is not running), and a
 * negative error when the chain is malformed: the device is then in its error
 * state (DEVICE_NEEDS_RESET) and the queue stops. */
int virtio_pop(struct virtio *vd, int q, struct virtio_req *req) MUST_CHECK;
/* Return req to the driver with len bytes written, and interrupt it.  A
 * request popped before a reset is dropped silently.  Every popped request
 * must be pushed, and soon: a reset or QueueReady=0 waits for them all. */
void virtio_push(struct virtio *vd, struct virtio_req *req, uint32_t len);

/* Copy out of the readable part / into the writable part, starting at byte
 * off of that part.  Return the number of bytes copied. */
uint64_t virtio_req_read(const struct virtio_req *req, uint64_t off, void *buf, uint64_t len);
uint64_t virtio_req_write(const struct virtio_req *req, uint64_t off, const void *buf, uint64_t len);

/* Change config space bytes; notify raises the config-change interrupt. */
void virtio_config_set(struct virtio *vd, uint32_t off, const void *data, uint32_t len, bool notify);
/* Put the device into its error state: DEVICE_NEEDS_RESET + config interrupt. */
void virtio_set_error(struct virtio *vd);
/* True when the driver has set DRIVER_OK and the device is not in error. */
bool virtio_running(struct virtio *vd);

/* ---- Devices (one file each) ---- */

struct blk_opts {
	const char *file;
	const char *serial;   /* returned by GET_ID (NULL: the file's name) */
	const char *format;   /* "raw", or NULL: probe the image as QEMU does */
	bool readonly;        /* readonly=on: the guest sees VIRTIO_BLK_F_RO */
	bool snapshot;        /* -snapshot: writes go to a temporary overlay, the file is untouched */
	bool no_lock;         /* locking=off: no QEMU-compatible image locks */
};
int virtio_blk_create(struct machine *m, uint64_t base, int irq, const struct blk_opts *o) MUST_CHECK;

int virtio_rng_create(struct machine *m, uint64_t base, int irq) MUST_CHECK;

struct virtio_console;
/* Output goes to m->console; *out receives the handle for input. */
int virtio_console_create(struct machine *m, uint64_t base, int irq, struct virtio_console **out) MUST_CHECK;
/* Host input for the guest: queued (up to a small buffer) and delivered as
 * the driver posts receive buffers.  Returns the number of bytes accepted. */
size_t virtio_console_input(struct virtio_console *c, const uint8_t *buf, size_t len);

/* -netdev user's keys as QEMU has them; NULL strings take QEMU's defaults
 * (net 10.0.2.0/24, host .2, dns .3, dhcpstart .15). */
struct net_opts {
	const char *mac;      /* -device virtio-net-device,mac=; NULL: QEMU's 52:54:00:12:34:56 + slot */
	bool restricted;      /* restrict=on: the guest reaches only hostfwd/guestfwd paths */
	const char *net;      /* ADDR[/MASK] (MASK a prefix length or a dotted mask) */
	const char *host, *dns, *dhcpstart, *hostname, *domain;
	/* hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT */
	const char *const *hostfwd;
	size_t nhostfwd;
	/* guestfwd=[tcp]:SERVER:PORT-cmd:COMMAND */
	const char *const *guestfwd;
	size_t nguestfwd;
};
/* User-mode networking (libslirp): by default guest 10.0.2.15, host 10.0.2.2, DNS 10.0.2.3.
 * Bad option values print one error and return -ERR_INVAL. */
int virtio_net_create(struct machine *m, uint64_t base, int irq, const struct net_opts *o) MUST_CHECK;

#endif
