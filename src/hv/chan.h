/* chr.h - QEMU's server character devices for the control plane: the
 * -qmp/-monitor spellings `unix:PATH,server,nowait` (or server=on,wait=off),
 * `tcp:HOST:PORT,server,nowait` and `stdio`, served on the process's I/O
 * loop (sched/loop.h: no thread per client), each client with a bounded
 * output queue, and one command thread per server on which the protocol
 * runs its commands in arrival order (they may wait: stop waits for harts). */
#ifndef CAIRN_HV_CHR_H
#define CAIRN_HV_CHR_H

#include <stdbool.h>
#include <stddef.h>

#include "base/base.h"

#define CHR_MAX_CLIENTS 128        /* more wait in the listen backlog */
#define CHR_MAX_PENDING 8          /* commands queued per client before it is not read (QEMU's 8) */
#define CHR_OUT_MAX     (8u << 20) /* unread output per client; more and it is dropped */

struct chr_server;
struct chr_client;

struct chr_ops {
	/* A client connected: its protocol state, or NULL to refuse it.
	 * May chr_write (a greeting).  Loop thread, or chr_open's. */
	void *(*open)(void *ctx, struct chr_client *c);
	/* Bytes from the client (loop thread); return -1 to hang up (the
	 * output queued so far is still sent). */
	int (*input)(void *state, const char *buf, size_t n);
	/* The client is gone and nothing refers to it: free state.  Any thread. */
	void (*free)(void *state);
};

/* Whether spec is a server that waits for its first client (no nowait). */
bool chr_spec_waits(const char *spec);
/* Listen on spec (stdio: stdin/stdout as the one client).  A server
 * without wait=off accepts its first client before returning, as QEMU does.
 * "none" gives *out NULL.  Messages name no option (the CLI adds it). */
int chr_open(const char *spec, const struct chr_ops *ops, void *ctx, struct chr_server **out,
	     cairn_errbuf *e) MUST_CHECK;
/* Stop listening, let the command thread finish, send what is queued
 * (briefly), close every client. */
void chr_close(struct chr_server *s);

/* Queue output for c (any thread).  A client whose unread output passes
 * CHR_OUT_MAX is disconnected: it does not read. */
void chr_write(struct chr_client *c, const char *s, size_t n);
/* The same text to every client for which want(state, arg) holds; want
 * runs under the server's lock and must not call chr_. */
void chr_broadcast(struct chr_server *s, bool (*want)(void *state, void *arg), void *arg,
		   const char *text, size_t n);
/* Run fn on the server's command thread after everything submitted
 * before (all clients, FIFO).  gone: the client disconnected first (fn
 * only frees arg).  A client with CHR_MAX_PENDING jobs is not read. */
typedef void chr_job_fn(struct chr_client *c, void *arg, bool gone);
int chr_submit(struct chr_client *c, chr_job_fn *fn, void *arg) MUST_CHECK;
/* Close c once its queued output is sent. */
void chr_hangup(struct chr_client *c);

#endif
