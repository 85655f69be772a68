/* fuzz_state.c - hostile saved device state (a snapshot file's device
 * section) restored into a board: an error or a state, never a crash,
 * never a read past the stream. */
#include <stdio.h>
#include <stdlib.h>

#include "base/state.h"
#include "machine/machine.h"

static struct machine *m;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!m) {
		struct machine_config cfg = { .ram_size = 1ull << 20, .smp = 2 };
		if (machine_create(&m, &cfg))
			abort();
	}
	/* The stream is copied to a buffer of exactly its size, so ASan sees
	 * any read past its end. */
	uint8_t *copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	struct state_buf s;
	state_reader(&s, copy, size);
	(void)!machine_restore_devices(m, &s);
	free(copy);
	return 0;
}
