/* monitor.h - QEMU's human monitor (HMP) for one VM: `info status`,
 * `info registers`, `info cpus`, `info version`, `info name`, `stop`,
 * `cont`, `system_reset`, `system_powerdown`, `quit`, `cpu N`, `x`, `xp`,
 * `print`, `help`, with QEMU 7.2's wording and layout.  The same commands
 * serve QMP's human-monitor-command, -monitor sockets and the console's
 * Ctrl-A c.  Output lines end in "\r\n", as QEMU's monitor writes them. */
#ifndef CAIRN_HV_MONITOR_H
#define CAIRN_HV_MONITOR_H

#include <stdbool.h>
#include <stddef.h>

#include "base/base.h"

struct hv;
struct vm;

typedef void monitor_write_fn(void *ctx, const char *s, size_t n);

/* One monitor's state: QEMU keeps the current CPU and x/xp's last format
 * and unit size per monitor. */
struct monitor {
	struct hv *hv;
	struct vm *vm;
	int cpu;                /* `cpu N`: what info registers and x show */
	char fmt;               /* x/xp's last format (x d u o c i) */
	int size;               /* and unit size (1 2 4 8) */
	monitor_write_fn *write;
	void *ctx;
};
void monitor_init(struct monitor *m, struct hv *hv, struct vm *vm, monitor_write_fn *write, void *ctx);
/* Run one command line; errors are output too, as in QEMU.  Returns 1
 * after quit (the VM is powering off), else 0. */
int monitor_exec(struct monitor *m, const char *line);
/* One line with its output collected (human-monitor-command): a malloc'd
 * string, NULL when out of memory; *quit as monitor_exec's result. */
char *monitor_run(struct hv *hv, struct vm *vm, int cpu, const char *line, bool *quit);
/* QEMU's quit: vm powers off (SHUTDOWN, host-qmp-quit) and, when it is
 * the last VM, the process ends (hv_quit) once its SHUTDOWN is queued.
 * vm NULL (the control socket): every VM, then the process.  Waits at
 * most about a second for the harts. */
void monitor_quit(struct hv *hv, struct vm *vm);
/* Whether cpu is a hart of vm (human-monitor-command's cpu-index). */
bool monitor_cpu_valid(struct vm *vm, int cpu);

/* A monitor on a byte stream (the console's Ctrl-A c): typed bytes in,
 * echoed, one line at a time; the "(qemu) " prompt after each command.
 * Commands run on the session's own thread, not the caller's (stop waits
 * for every hart), so write is called from that thread. */
struct monitor_session;
int monitor_session_new(struct hv *hv, struct vm *vm, monitor_write_fn *write, void *ctx,
			struct monitor_session **out) MUST_CHECK;
/* QEMU's banner and the first prompt. */
void monitor_session_greet(struct monitor_session *ms);
void monitor_session_input(struct monitor_session *ms, const char *buf, size_t n);
/* Waits for a command in progress. */
void monitor_session_free(struct monitor_session *ms);

/* -monitor SPEC (stdio, unix:PATH,server,nowait, tcp:HOST:PORT,server,nowait,
 * none): every client gets the banner and a session of its own. */
struct monitor_server;
int monitor_open(struct hv *hv, struct vm *vm, const char *spec, struct monitor_server **out,
		 cairn_errbuf *e) MUST_CHECK;
void monitor_close(struct monitor_server *s);

#endif
