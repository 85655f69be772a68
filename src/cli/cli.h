/* cli.h - one entry point per cairn subcommand (src/cli/<name>.c). */
#ifndef CAIRN_CLI_H
#define CAIRN_CLI_H

int cli_vm(int argc, char **argv);
int cli_hv(int argc, char **argv);
int cli_wast(int argc, char **argv);
int cli_run(int argc, char **argv);

struct hv;
/* Before any thread starts: SIGINT/SIGTERM/SIGHUP go to one waiting thread,
 * which terminates the hypervisor given to cli_signals_target (NULL: none,
 * the signal then kills as usual). */
int cli_signals_start(void);
void cli_signals_target(struct hv *hv);

#include <stddef.h>
/* The whole file in a malloc'd buffer (NUL-terminated), or NULL with errno. */
char *cli_read_file(const char *path, size_t *len);

#endif
