/* signals.c - SIGINT, SIGTERM and SIGHUP end a hypervisor as they end QEMU:
 * "terminating on signal N", every VM powers off (SHUTDOWN event, reason
 * host-signal), exit status 0.  The signals are blocked in every thread
 * (so no worker is interrupted mid-slice) and one thread waits for them. */
#include "cli/cli.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>

#include "hv/hv.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct hv *target;
static sigset_t set;

static void *waiter(void *arg)
{
	for (;;) {
		int sig;
		if (sigwait(&set, &sig))
			continue;
		pthread_mutex_lock(&mu);
		if (target) {
			fprintf(stderr, "\r\ncairn: terminating on signal %d\r\n", sig);
			hv_terminate(target, sig);
		} else {
			pthread_mutex_unlock(&mu);
			signal(sig, SIG_DFL); /* nothing to shut down: die as if unhandled */
			pthread_sigmask(SIG_UNBLOCK, &set, NULL);
			raise(sig);
			continue;
		}
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

int cli_signals_start(void)
{
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -1;
	pthread_t t;
	if (pthread_create(&t, NULL, waiter, NULL)) {
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		return -1;
	}
	pthread_detach(t);
	return 0;
}

void cli_signals_target(struct hv *hv)
{
	pthread_mutex_lock(&mu);
	target = hv;
	pthread_mutex_unlock(&mu);
}
