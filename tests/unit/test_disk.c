/* test_disk.c - the disk back ends (src/machine/disk.c, disk_overlay.c):
 * what disk_open refuses (directories, FIFOs, devices, qcow2 and other
 * formats), the probed-raw block 0 rule, QEMU-compatible image locks between
 * open files, and the -snapshot overlay: correct data, the image untouched,
 * and memory that stays flat under scattered writes. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "machine/disk.h"

static int passed, failed;
#define CHECK(c, ...) do { if (c) passed++; else { failed++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
	printf(__VA_ARGS__); printf("\n"); } } while (0)

static char dir[64];

static char *path_of(const char *name)
{
	static char buf[8][128];
	static int k;
	char *p = buf[k++ % 8];
	snprintf(p, 128, "%s/%s", dir, name);
	return p;
}

static const char *make_file(const char *name, uint64_t size, const void *head, size_t hlen)
{
	const char *p = path_of(name);
	int fd = open(p, O_CREAT | O_TRUNC | O_RDWR, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)size) || (hlen && pwrite(fd, head, hlen, 0) != (ssize_t)hlen))
		abort();
	close(fd);
	return p;
}

static int try_open(const char *file, const char *format, unsigned flags)
{
	struct disk *d = NULL;
	int err = disk_open(&d, file, format, flags, NULL);
	disk_close(d);
	return err;
}

static void test_refused(void)
{
	const char *raw = make_file("raw.img", 1 << 20, NULL, 0);
	const char *d = path_of("a-dir");
	const char *fifo = path_of("fifo");
	if (mkdir(d, 0755) || mkfifo(fifo, 0644))
		abort();
	alarm(10); /* a FIFO opened without O_NONBLOCK would hang here */
	CHECK(try_open(d, "raw", 0) == -ERR_INVAL, "a directory, read-write");
	CHECK(try_open(d, "raw", DISK_READONLY) == -ERR_INVAL, "a directory, read-only");
	CHECK(try_open(d, "raw", DISK_SNAPSHOT) == -ERR_INVAL, "a directory with snapshot=on");
	CHECK(try_open(fifo, "raw", 0) == -ERR_INVAL, "a FIFO, read-write");
	CHECK(try_open(fifo, "raw", DISK_READONLY) == -ERR_INVAL, "a FIFO, read-only (no hang)");
	CHECK(try_open(fifo, NULL, DISK_READONLY | DISK_SNAPSHOT) == -ERR_INVAL, "a FIFO, probed");
	CHECK(try_open("/dev/null", "raw", DISK_READONLY) == -ERR_INVAL, "a character device");
	alarm(0);
	CHECK(try_open(raw, "qcow2", 0) == -ERR_UNSUPP, "format=qcow2 refused for now");
	CHECK(try_open(raw, "vmdk", 0) == -ERR_UNSUPP, "format=vmdk refused");
	static const uint8_t qcow2[8] = { 'Q', 'F', 'I', 0xfb, 0, 0, 0, 3 };
	const char *q = make_file("q.qcow2", 1 << 20, qcow2, sizeof qcow2);
	CHECK(try_open(q, NULL, 0) == -ERR_UNSUPP, "a qcow2 image without format= refused");
	CHECK(try_open(q, NULL, DISK_SNAPSHOT) == -ERR_UNSUPP, "... with snapshot=on too");
	CHECK(try_open(q, "raw", DISK_NO_LOCK) == 0, "format=raw uses its bytes as they are");
	CHECK(try_open(raw, NULL, 0) == 0, "an unknown first sector is probed as raw");
	CHECK(!strcmp(disk_probe(qcow2, 8), "qcow2") && !strcmp(disk_probe((const uint8_t *)"QFI\xfb\0\0\0\1", 8), "qcow") &&
	      !strcmp(disk_probe((const uint8_t *)"vhdxfile", 8), "vhdx") && !strcmp(disk_probe(qcow2, 3), "raw"),
	      "probing");
	struct disk *disk;
	CHECK(disk_open(&disk, raw, "raw", DISK_NO_LOCK, NULL) == 0 && disk_size(disk) == 1 << 20, "size");
	disk_close(disk);
}

/* Probed raw: block 0 may not be turned into another format (QEMU's rule). */
static void test_probed_raw(void)
{
	const char *raw = make_file("probed.img", 1 << 20, NULL, 0);
	struct disk *d;
	uint8_t sec[512] = { 'Q', 'F', 'I', 0xfb, 0, 0, 0, 3 };
	if (disk_open(&d, raw, NULL, 0, NULL))
		abort();
	CHECK(disk_write(d, 0, sec, 512) == -ERR_IO, "writing a qcow2 header into block 0 refused");
	CHECK(disk_write(d, 512, sec, 512) == 0, "the same bytes elsewhere are fine");
	memset(sec, 0x11, sizeof sec);
	CHECK(disk_write(d, 0, sec, 512) == 0, "ordinary data in block 0 is fine");
	disk_close(d);
	if (disk_open(&d, raw, "raw", 0, NULL))
		abort();
	sec[0] = 'Q', sec[1] = 'F', sec[2] = 'I', sec[3] = 0xfb;
	CHECK(disk_write(d, 0, sec, 512) == 0, "format=raw: no restriction");
	disk_close(d);
}

/* Image locks between open files of this process behave as between processes
 * (OFD locks), with QEMU's rules: one writer, no reader beside a writer,
 * readers together. */
static void test_locks(void)
{
	const char *img = make_file("lock.img", 1 << 20, NULL, 0);
	struct disk *a, *b;
	if (disk_open(&a, img, "raw", 0, NULL))
		abort();
	CHECK(try_open(img, "raw", 0) == -ERR_IO, "a second writer is refused");
	CHECK(try_open(img, "raw", DISK_READONLY) == -ERR_IO, "a reader beside a writer is refused");
	CHECK(try_open(img, "raw", DISK_SNAPSHOT) == -ERR_IO, "a snapshot beside a writer is refused");
	CHECK(try_open(img, "raw", DISK_NO_LOCK) == 0, "locking=off overrides");
	disk_close(a);
	CHECK(try_open(img, "raw", 0) == 0, "locks go with the closed disk");
	if (disk_open(&a, img, "raw", DISK_READONLY, NULL) || disk_open(&b, img, "raw", DISK_READONLY, NULL))
		abort();
	CHECK(try_open(img, "raw", DISK_SNAPSHOT) == 0, "readers share: read-only twice and a snapshot");
	CHECK(try_open(img, "raw", 0) == -ERR_IO, "a writer beside readers is refused");
	disk_close(a);
	disk_close(b);
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "VmRSS:", 6))
			kib = atol(line + 6);
	if (f)
		fclose(f);
	return kib;
}

/* 8 MiB of 512-byte writes, one per 64 KiB across a 1 GiB image: the old
 * heap overlay grew by 1 GiB; this one must stay within a few MiB. */
static void test_snapshot(void)
{
	const uint64_t size = 1ull << 30, stride = 64 << 10;
	const char *img = make_file("snap.img", size, NULL, 0);
	struct disk *d;
	uint8_t sec[512], got[1024];
	if (disk_open(&d, img, "raw", DISK_SNAPSHOT, NULL))
		abort();
	long before = rss_kib();
	int bad = 0;
	for (uint64_t off = 0; off < size; off += stride) {
		memset(sec, (int)(off / stride) | 1, sizeof sec);
		bad += disk_write(d, off + 1024, sec, sizeof sec) != 0;
	}
	long grown = rss_kib() - before;
	CHECK(bad == 0, "16384 scattered snapshot writes (%d failed)", bad);
	CHECK(grown >= 0 && grown < 16 * 1024, "RSS grew %ld KiB for 8 MiB of scattered writes", grown);
	for (uint64_t off = 0; off < size && !bad; off += 97 * stride) {
		bad += disk_read(d, off + 512, got, sizeof got) != 0;
		bad += got[0] != 0 || got[511] != 0 || got[512] != (uint8_t)((off / stride) | 1) || got[1023] != got[512];
	}
	CHECK(bad == 0, "the snapshot reads its own writes and the image's bytes around them");
	/* A read across written and unwritten blocks, and a write across a block edge. */
	memset(sec, 0x77, sizeof sec);
	CHECK(disk_write(d, 4096 - 256, sec, sizeof sec) == 0 && disk_read(d, 4096 - 512, got, 1024) == 0 &&
	      got[0] == 0 && got[255] == 0 && got[256] == 0x77 && got[767] == 0x77 && got[768] == 0,
	      "across a block edge");
	disk_close(d);
	int fd = open(img, O_RDONLY);
	uint8_t b = 1;
	CHECK(fd >= 0 && pread(fd, &b, 1, 1024) == 1 && b == 0, "the image is untouched");
	struct stat st;
	CHECK(fstat(fd, &st) == 0 && st.st_blocks == 0, "still sparse: nothing written to it");
	close(fd);
}

int main(void)
{
	strcpy(dir, "/tmp/cairn-disk-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	signal(SIGALRM, SIG_DFL);
	test_refused();
	test_probed_raw();
	test_locks();
	test_snapshot();
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd))
		printf("cannot remove %s\n", dir);
	printf("disk: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
