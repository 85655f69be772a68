/* chan.h - QEMU's server character devices for the control plane: the
 * -qmp/-monitor spellings `unix:PATH,server,nowait` (or server=on,wait=off),
 * `tcp:HOST:PORT,server,nowait` and `stdio`, served on the process's I/O
 * loop (sched/loop.h: no thread per client), each client with a bounded
 * output queue, and one command thread per server on which the protocol
 * runs its commands in arrival order (they may wait: stop waits for harts). */
#ifndef CAIRN_HV_CHAN_H
#define CAIRN_HV_CHAN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/base.h"

#define CHAN_MAX_CLIENTS 128        /* more wait in the listen backlog */
#define CHAN_MAX_PENDING 8          /* commands queued per client before it is not read (QEMU's 8) */
#define CHAN_OUT_MAX     (8u << 20) /* unread output per client; more and it is dropped */

struct chan_server;
struct chan_client;

struct chan_ops {
	/* A client connected: its protocol state, or NULL to refuse it.
	 * May chan_write (a greeting).  Loop thread, or chan_open's. */
	void *(*open)(void *ctx, struct chan_client *c);
	/* Bytes from the client (loop thread); return -1 to hang up (the
	 * output queued so far is still sent). */
	int (*input)(void *state, const char *buf, size_t n);
	/* The client is gone and nothing refers to it: free state.  Any thread. */
	void (*free)(void *state);
};

/* Whether spec is a server that waits for its first client (no nowait). */
bool chan_spec_waits(const char *spec);
/* Listen on spec (stdio: stdin/stdout as the one client).  A server
 * without wait=off accepts its first client before returning, as QEMU does.
 * "none" gives *out NULL.  Messages name no option (the CLI adds it). */
int chan_open(const char *spec, const struct chan_ops *ops, void *ctx, struct chan_server **out,
	     cairn_errbuf *e) MUST_CHECK;
/* Stop listening, let the command thread finish, send what is queued
 * (briefly), close every client. */
void chan_close(struct chan_server *s);

/* Queue output for c (any thread).  A client whose unread output passes
 * CHAN_OUT_MAX is disconnected: it does not read. */
void chan_write(struct chan_client *c, const char *s, size_t n);
/* The same text to every client for which want(state, arg) holds; want
 * runs under the server's lock and must not call chan_. */
void chan_broadcast(struct chan_server *s, bool (*want)(void *state, void *arg), void *arg,
		   const char *text, size_t n);
/* Run fn on the server's command thread after everything submitted
 * before (all clients, FIFO).  gone: the client disconnected first (fn
 * only frees arg).  A client with CHAN_MAX_PENDING jobs is not read. */
typedef void chan_job_fn(struct chan_client *c, void *arg, bool gone);
int chan_submit(struct chan_client *c, chan_job_fn *fn, void *arg) MUST_CHECK;
/* Close c once its queued jobs ran and their output is sent. */
void chan_hangup(struct chan_client *c);
/* fn(arg) while no job runs (a job in progress finishes first): how an
 * hv listener drops a VM that commands may be using.  Not from a job. */
void chan_quiesce(struct chan_server *s, void (*fn)(void *arg), void *arg);
/* From a job of c: let chan_quiesce callers in while the job waits for
 * something that does not touch what they drop (an event); then back. */
void chan_gate_open(struct chan_client *c);
void chan_gate_close(struct chan_client *c);

#endif
