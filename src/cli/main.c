/* main.c - the cairn binary: dispatches to one subcommand per engine or tool.
 * A QEMU user may also invoke it under the name qemu-system-riscv64. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#define CAIRN_VERSION "0.1.0"

static const struct {
	const char *name, *help;
	int (*fn)(int argc, char **argv);
} cmds[] = {
	{ "vm", "run one RISC-V virtual machine (qemu-system-riscv64 options)", cli_vm },
	{ "hv", "run many virtual machines in one process (each --vm takes cairn vm options)", cli_hv },
	{ "run", "run a WebAssembly program with WASI (wasmtime's options)", cli_run },
	{ "wast", "run WebAssembly spec-test scripts", cli_wast },
	{ "ctl", "control a running hypervisor through its control socket", cli_ctl },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: cairn COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		fprintf(f, "  %-6s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\n'cairn COMMAND -h' describes one command; 'cairn --version' prints the version.\n");
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	if (strncmp(base, "qemu-system-riscv64", 19) == 0)
		return cli_vm(argc, argv);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("cairn %s\n", CAIRN_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "cairn: unknown command '%s' (try 'cairn --help')\n", argv[1]);
	return 2;
}
