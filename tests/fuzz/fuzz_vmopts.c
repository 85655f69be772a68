/* fuzz_vmopts.c - hostile `cairn vm` command lines (as `cairn hv --vm "..."`
 * and a control socket's vm-create pass them): split into words, parsed
 * into a VM spec.  An error or a spec, never a crash, a leak or a read
 * past the input.  Building the machine is not fuzzed here (files). */
#include <stdlib.h>
#include <string.h>

#include "base/words.h"
#include "hv/vmspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0; /* a NUL inside ends the string early, as argv would */
	int argc;
	char **argv;
	cairn_errbuf e = { 0 };
	if (!words_split(s, &argc, &argv, &e)) {
		struct vm_spec *sp = vm_spec_parse(argc, argv, &e);
		vm_spec_free(sp);
		words_free(argv);
	}
	free(s);
	return 0;
}
