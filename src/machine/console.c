/* console.c - the guest console on stdio, as QEMU's -nographic: the host
 * terminal goes raw (restored on every exit path), typed bytes feed the UART,
 * and Ctrl-A is the escape (x quit, h help, a a literal Ctrl-A). */
#include "machine/machine.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static struct termios saved;
static volatile sig_atomic_t raw_on;

static void restore_tty(void)
{
	if (raw_on) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		raw_on = 0;
	}
}

static void on_fatal_signal(int sig)
{
	restore_tty();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void make_raw(void)
{
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved))
		return;
	struct termios t = saved;
	/* Like cfmakeraw, but keep output processing off too: the guest sends
	 * its own \r\n.  Signals come from the guest's point of view. */
	cfmakeraw(&t);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t))
		return;
	raw_on = 1;
	atexit(restore_tty);
	static const int sigs[] = { SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
	for (size_t k = 0; k < ARRAY_SIZE(sigs); k++)
		signal(sigs[k], on_fatal_signal);
}

static void feed(struct machine *m, uint8_t c)
{
	/* A full FIFO waits for the guest to read, as a real line would. */
	while (!uart_receive(m->uart, c) && !__atomic_load_n(&m->halted, __ATOMIC_ACQUIRE)) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
}

static void escape(struct machine *m, uint8_t c)
{
	switch (c) {
	case 'x':
		fprintf(stderr, "cairn: terminated by Ctrl-A x\r\n");
		machine_halt(m, 0);
		break;
	case 'h': case '?':
		fprintf(stderr, "\r\nC-a h    print this help\r\nC-a x    exit emulator\r\n"
				"C-a c    monitor (not available in cairn)\r\nC-a C-a  send C-a\r\n");
		break;
	case 'c':
		fprintf(stderr, "\r\ncairn: no monitor; use 'cairn ctl' once the control socket exists\r\n");
		break;
	case 1: case 'a':
		feed(m, 1);
		break;
	}
}

static void *reader(void *arg)
{
	struct machine *m = arg;
	bool esc = false;
	uint8_t buf[256];
	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL; /* EOF: the guest just gets no more input */
		for (ssize_t k = 0; k < n; k++) {
			if (esc) {
				escape(m, buf[k]);
				esc = false;
			} else if (buf[k] == 1 && raw_on) {
				esc = true;
			} else {
				feed(m, buf[k]);
			}
		}
	}
}

int console_start(struct machine *m)
{
	make_raw();
	pthread_t t;
	if (pthread_create(&t, NULL, reader, m))
		return -ERR_NOMEM;
	pthread_detach(t);
	return 0;
}

void console_stop(void)
{
	restore_tty();
}
