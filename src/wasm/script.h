/* script.h - the .wast spec-script runner (script.c): runs one script's
 * commands against the engine and counts the assertions that passed. */
#ifndef CAIRN_WASM_SCRIPT_H
#define CAIRN_WASM_SCRIPT_H

#include <stddef.h>

typedef struct wa_script_stats {
	unsigned passed, failed;
	unsigned msg_mismatch;  /* rejected as expected, but with another message */
} wa_script_stats;

#include <stdint.h>

typedef struct wa_script_opts {
	int verbose;            /* 0 quiet, 1 failures, 2 also message mismatches */
	int64_t fuel;           /* per action: loop iterations + calls; < 0 unlimited */
} wa_script_opts;

int wa_script_run(const char *file, const char *src, size_t len, const wa_script_opts *o,
		  wa_script_stats *st);

#endif
