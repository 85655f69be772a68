/* blkw.c - a bare-metal guest with the smallest virtio-blk driver that can
 * tell what the host did: it writes sector 0 of the disk in slot 0, reads it
 * back and prints both statuses ("blk: write status 0" when the write was
 * accepted, 1 = IOERR for a read-only disk).  The CLI tests use it to check
 * that -drive options reach the device (tests/cli/opts.sh, disk.sh). */
#include "test.h"

void printf_(const char *fmt, ...);
void exit(int code);
void *memset(void *d, int c, size_t n);

#define VIO 0x10001000ul
#define R(off) (*(volatile uint32_t *)(VIO + (off)))
enum { F_NEXT = 1, F_WRITE = 2 };

struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
static struct desc desc[4] __attribute__((aligned(16)));
static struct { uint16_t flags, idx, ring[4], event; } avail __attribute__((aligned(4)));
static volatile struct { uint16_t flags, idx; struct { uint32_t id, len; } ring[4]; uint16_t event; } used
	__attribute__((aligned(8)));
static struct { uint32_t type, reserved; uint64_t sector; } hdr;
static uint8_t data[512];
static volatile uint8_t status;

static int request(uint32_t type, uint64_t sector)
{
	hdr.type = type;
	hdr.reserved = 0;
	hdr.sector = sector;
	status = 0xff;
	desc[0] = (struct desc){ (uint64_t)&hdr, 16, F_NEXT, 1 };
	desc[1] = (struct desc){ (uint64_t)data, 512, (uint16_t)(F_NEXT | (type == 0 ? F_WRITE : 0)), 2 };
	desc[2] = (struct desc){ (uint64_t)&status, 1, F_WRITE, 0 };
	uint16_t want = (uint16_t)(used.idx + 1);
	avail.ring[avail.idx % 4] = 0;
	__sync_synchronize();
	avail.idx++;
	__sync_synchronize();
	R(0x50) = 0;
	while (used.idx != want)
		;
	__sync_synchronize();
	return status;
}

int main(void)
{
	if (R(0) != 0x74726976 || R(4) != 2 || R(8) != 2) {
		printf_("blk: no virtio-blk device in slot 0\n");
		exit(2);
	}
	R(0x70) = 0;
	R(0x70) = 1 | 2;
	R(0x24) = 0;
	R(0x20) = 0;
	R(0x24) = 1;
	R(0x20) = 1; /* VERSION_1 only */
	R(0x70) = 1 | 2 | 8;
	R(0x30) = 0;
	R(0x38) = 4;
	R(0x80) = (uint32_t)(uint64_t)desc, R(0x84) = 0;
	R(0x90) = (uint32_t)(uint64_t)&avail, R(0x94) = 0;
	R(0xa0) = (uint32_t)(uint64_t)&used, R(0xa4) = 0;
	R(0x44) = 1;
	R(0x70) = 1 | 2 | 8 | 4;
	static const char msg[] = "cairn-guest-wrote";
	for (int k = 0; k < 512; k++)
		data[k] = (uint8_t)msg[k % (sizeof msg - 1)];
	printf_("blk: write status %d\n", request(1, 0));
	memset(data, 0, sizeof data);
	int st = request(0, 0);
	data[17] = 0;
	printf_("blk: read status %d '%s'\n", st, (const char *)data);
	exit(0);
}
