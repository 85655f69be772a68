/* fuzz_qmp.c - libFuzzer target: hostile bytes on a QMP connection (the
 * lexer that frames values, jansson, the request checks, every command's
 * argument schema, HMP's parser through human-monitor-command) against a
 * real hypervisor with one small VM.  The first byte picks the connection:
 * bit 0 the control socket (vm routing) instead of the VM's own, bit 1 a
 * connection already past capabilities negotiation.  A reply or a hang-up,
 * never a crash, never a read past the input.
 *
 * The control socket's vm-create and vm-destroy would make the fuzzer
 * open files or free its VM: inputs that could name them (the letters, or
 * a \u escape that could spell them) go to the VM's own socket instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/hv.h"
#include "hv/qmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct hv *hv;
static struct vm *vm;
static char kernel[64];

static void *run_hv(void *arg)
{
	for (;;)
		hv_run(hv); /* returns on every QMP quit: serve on */
	return NULL;
}

static void setup(void)
{
	static const unsigned char code[] = { 0x73, 0x00, 0x50, 0x10, 0xf5, 0xbf }; /* wfi; j .-4 */
	snprintf(kernel, sizeof kernel, "/tmp/fuzz_qmp.%d.bin", (int)getpid());
	FILE *f = fopen(kernel, "wb");
	if (!f || fwrite(code, 1, sizeof code, f) != sizeof code || fclose(f))
		abort();
	struct hv_options ho = { .threads = 1, .persist = true };
	char *argv[] = { "-M", "virt", "-m", "8M", "-bios", "none", "-kernel", kernel, "-serial", "null",
			 "-smp", "2", "-S", "-name", "fz", NULL };
	cairn_errbuf e = { 0 };
	if (hv_create(&hv, &ho) || vm_create(hv, ARRAY_SIZE(argv) - 1, argv, &vm, &e))
		abort();
	unlink(kernel);
	pthread_t t;
	if (pthread_create(&t, NULL, run_hv, NULL))
		abort();
	pthread_detach(t);
}

static void discard(void *ctx, const char *s, size_t n)
{
	*(size_t *)ctx += n;
}

static bool may_name_lifecycle(const uint8_t *data, size_t size)
{
	return memmem(data, size, "reate", 5) || memmem(data, size, "estroy", 6) || memmem(data, size, "\\u", 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!hv)
		setup();
	if (!size)
		return 0;
	bool control = (data[0] & 1) && !may_name_lifecycle(data, size);
	size_t out = 0;
	struct qmp_conn *c = qmp_conn_new(hv, control ? NULL : vm, discard, &out);
	if (data[0] & 2)
		(void)qmp_conn_input(c, "{\"execute\":\"qmp_capabilities\"}", 30);
	/* The bytes are copied to a buffer of exactly their size (ASan sees a
	 * read past the end), fed in two pieces (framing across reads). */
	size_t n = size - 1, half = n / 2;
	uint8_t *copy = malloc(n ? n : 1);
	memcpy(copy, data + 1, n);
	if (qmp_conn_input(c, copy, half) == 0)
		(void)qmp_conn_input(c, copy + half, n - half);
	free(copy);
	qmp_conn_free(c);
	return 0;
}
