/* wast.c - `cairn wast FILE...`: the WebAssembly spec-script runner. */
#include "cli/cli.h"

#include <stdio.h>

int cli_wast(int argc, char **argv)
{
	fprintf(stderr, "cairn: wast: the WebAssembly engine is not built yet\n");
	return 2;
}
