/* wast.c - `cairn wast [-v] [--fuel N] FILE...`: runs WebAssembly spec-test scripts,
 * prints each file's assertion counts and a final "N passed, N failed". */
#include "cli/cli.h"
#include "base/base.h"
#include "wasm/script.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_wast(int argc, char **argv)
{
	unsigned passed = 0, failed = 0, mism = 0;
	wa_script_opts o = { 0, -1 };
	int nfiles = 0;
	for (int i = 1; i < argc; i++) {
		wa_script_stats st;
		size_t len = 0;
		char *src;
		if (!strcmp(argv[i], "-v")) {
			o.verbose++;
			continue;
		}
		if (!strcmp(argv[i], "--fuel") && i + 1 < argc) {
			o.fuel = strtoll(argv[++i], NULL, 0);
			continue;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: cairn wast [-v] [--fuel N] FILE.wast...\n"
			       "  -v        list failures (twice: also unexpected rejection messages)\n"
			       "  --fuel N  trap \"fuel exhausted\" after N loop iterations + calls per action\n");
			return 0;
		}
		nfiles++;
		src = base_read_file(argv[i], &len);
		if (!src) {
			fprintf(stderr, "cairn: wast: cannot read %s\n", argv[i]);
			failed++;
			continue;
		}
		if (wa_script_run(argv[i], src, len, &o, &st)) {
			fprintf(stderr, "cairn: wast: %s: out of memory\n", argv[i]);
			st.failed++;
		}
		free(src);
		printf("%s: %u passed, %u failed\n", argv[i], st.passed, st.failed);
		fflush(stdout);
		passed += st.passed;
		failed += st.failed;
		mism += st.msg_mismatch;
	}
	if (!nfiles) {
		fprintf(stderr, "usage: cairn wast [-v] FILE.wast...\n");
		return 2;
	}
	if (mism)
		printf("(%u rejections with a message other than the expected one)\n", mism);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
