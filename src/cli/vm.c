/* vm.c - `cairn vm`: one RISC-V machine from qemu-system-riscv64 options. */
#include "cli/cli.h"

#include <stdio.h>

int cli_vm(int argc, char **argv)
{
	fprintf(stderr, "cairn: vm: not built yet\n");
	return 2;
}
