/* fuzz_wasm_text.c - libFuzzer target: the S-expression reader and .wat
 * encoder on arbitrary text, then the binary path on whatever they produce. */
#include "wasm/text.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wa_sx top;
	wa_err e;
	if (wa_sx_parse((const char *)data, size, &top, &e))
		return 0;
	for (uint32_t i = 0; i < top.n; i++) {
		uint8_t *bin;
		size_t len;
		wa_module *m;
		if (wa_wat_encode(&top.items[i], &bin, &len, &e))
			continue;
		if (!wa_decode(bin, len, &m, &e)) {
			(void)wa_validate(m, &e);
			wa_module_free(m);
		}
		free(bin);
	}
	wa_sx_free(&top);
	return 0;
}
