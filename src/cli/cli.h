/* cli.h - one entry point per cairn subcommand (src/cli/<name>.c). */
#ifndef CAIRN_CLI_H
#define CAIRN_CLI_H

int cli_vm(int argc, char **argv);
int cli_hv(int argc, char **argv);
int cli_wast(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_ctl(int argc, char **argv);

struct hv;
/* Before any thread starts: SIGINT/SIGTERM/SIGHUP go to one waiting thread,
 * which terminates the hypervisor given to cli_signals_target (NULL: none,
 * the signal then kills as usual). */
int cli_signals_start(void);
void cli_signals_target(struct hv *hv);

/* A VM's own -qmp and -monitor servers (cli/control.c), opened before it
 * starts (a server without nowait waits for its client there) and closed
 * after hv_run, before hv_destroy (their last replies are sent). */
struct vm;
struct qmp_server;
struct monitor_server;
struct cli_control {
	struct qmp_server *qmp[8];
	int nqmp;
	struct monitor_server *mon;
};
/* who: how messages name the VM ("vm", "hv: VM 'a'"). */
int cli_control_open(struct hv *hv, struct vm *vm, const char *who, struct cli_control *c);
void cli_control_close(struct cli_control *c);

#include <stddef.h>

#endif
