/* qmp.h - QEMU's machine protocol (QMP) as QEMU 7.2 speaks it: the
 * greeting, capabilities negotiation, requests {"execute", "arguments",
 * "id"} answered by {"return"} or {"error": {"class", "desc"}} with QEMU's
 * classes and messages, and events with their timestamps.  With a VM it
 * serves that VM (`cairn vm -qmp`); without, it is the hypervisor's control
 * socket (`cairn hv --control`/`--qmp`): multi-VM commands beside the same
 * per-VM commands, routed by a "vm" member (docs/QMP.md). */
#ifndef CAIRN_HV_QMP_H
#define CAIRN_HV_QMP_H

#include <stddef.h>

#include "base/base.h"

struct hv;
struct vm;

#define QMP_MAX_REQUEST (1u << 20)  /* bytes of one JSON value; more and the client is cut off */
#define QMP_MAX_DEPTH   1024        /* nesting, as QEMU's limit */

/* spec is QEMU's -qmp argument: unix:PATH,server,nowait (or server=on,
 * wait=off), tcp:HOST:PORT,server,nowait, stdio or none (*out NULL).
 * Without wait=off the first client is awaited here, as QEMU does. */
struct qmp_server;
int qmp_open(struct hv *hv, struct vm *vm, const char *spec, struct qmp_server **out,
	     cairn_errbuf *e) MUST_CHECK;
/* Sends what is queued (the reply to quit) briefly, then closes. */
void qmp_close(struct qmp_server *s);

/* The protocol without a socket (tests, fuzzers): the greeting is written
 * at once; requests run on the caller's thread as they complete. */
typedef void qmp_write_fn(void *ctx, const char *s, size_t n);
struct qmp_conn;
struct qmp_conn *qmp_conn_new(struct hv *hv, struct vm *vm, qmp_write_fn *write, void *ctx);
/* Bytes from the client; -1 when a server would hang up (after the
 * error it wrote: a value over QMP_MAX_REQUEST or nested too deep). */
int qmp_conn_input(struct qmp_conn *c, const void *buf, size_t n);
/* An hv event as the server delivers it (only after negotiation). */
void qmp_conn_event(struct qmp_conn *c, struct vm *vm, const char *event, const char *data);
void qmp_conn_free(struct qmp_conn *c);

#endif
