/* control.c - the control plane's servers as the CLI opens them: a VM's
 * own -qmp and -monitor (cairn vm, and each VM of cairn hv), with QEMU's
 * note on stderr while a server without nowait waits for its client. */
#include "cli/cli.h"

#include <stdio.h>

#include "hv/chan.h"
#include "hv/hv.h"
#include "hv/monitor.h"
#include "hv/qmp.h"

void cli_control_close(struct cli_control *c)
{
	for (int k = 0; k < c->nqmp; k++)
		qmp_close(c->qmp[k]);
	monitor_close(c->mon);
	*c = (struct cli_control){ 0 };
}

int cli_control_open(struct hv *hv, struct vm *vm, const char *who, struct cli_control *c)
{
	const char *const *qmp;
	int n = vm_qmp_specs(vm, &qmp);
	cairn_errbuf e = { 0 };
	for (int k = 0; k < n && k < (int)ARRAY_SIZE(c->qmp); k++) {
		if (chan_spec_waits(qmp[k]))
			fprintf(stderr, "cairn: %s: -qmp %s: waiting for a connection\n", who, qmp[k]);
		if (qmp_open(hv, vm, qmp[k], &c->qmp[c->nqmp], &e)) {
			cairn_error("%s: -qmp %s: %s", who, qmp[k], e.msg);
			cli_control_close(c);
			return -1;
		}
		c->nqmp += c->qmp[c->nqmp] != NULL;
	}
	const char *mon = vm_monitor_spec(vm);
	if (mon && chan_spec_waits(mon))
		fprintf(stderr, "cairn: %s: -monitor %s: waiting for a connection\n", who, mon);
	if (mon && monitor_open(hv, vm, mon, &c->mon, &e)) {
		cairn_error("%s: -monitor %s: %s", who, mon, e.msg);
		cli_control_close(c);
		return -1;
	}
	return 0;
}
