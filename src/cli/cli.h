/* cli.h - one entry point per cairn subcommand (src/cli/<name>.c). */
#ifndef CAIRN_CLI_H
#define CAIRN_CLI_H

int cli_vm(int argc, char **argv);
int cli_wast(int argc, char **argv);

#endif
