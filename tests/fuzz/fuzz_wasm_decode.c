/* fuzz_wasm_decode.c - libFuzzer target: the binary decoder, validator and
 * compiler on arbitrary bytes.  Any input must be rejected with a message or
 * accepted; never a crash, leak or sanitizer report. */
#include "wasm/runtime.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wa_module *m;
	wa_err e;
	if (wa_decode(data, size, &m, &e))
		return 0;
	if (!wa_validate(m, &e) && wa_compile(m, &e)) {
		/* a validated module always compiles */
		abort();
	}
	wa_module_free(m);
	return 0;
}
