/* fuzz_elf.c - libFuzzer target for the image loader: arbitrary bytes as an
 * ELF or raw kernel must load or be rejected with an error, never crash. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "machine/machine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct machine *m;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!m) {
		struct machine_config cfg = { .ram_size = 1ull << 20, .smp = 1 };
		if (machine_create(&m, &cfg))
			abort();
		/* Loader errors are expected; keep the fuzzer's output readable.
		 * Only the stdio stream moves (glibc lets a program assign stderr):
		 * descriptor 2 stays, so sanitizer reports, which the runtimes
		 * write to it directly, still show. */
		FILE *null = fopen("/dev/null", "w");
		if (!null)
			abort();
		stderr = null;
	}
	struct elf_info info;
	(void)!load_buffer(m, "fuzz", data, size, VIRT_DRAM_BASE, &info);
	return 0;
}
