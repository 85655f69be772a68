/* console.c - the guest console, as QEMU's -nographic: on stdio the host
 * terminal goes raw (restored on every exit path), typed bytes feed the UART,
 * Ctrl-A is the escape (x quit, h help, a a literal Ctrl-A); or on a unix
 * socket (-serial unix:PATH,server) that clients connect to, one at a time. */
#include "machine/machine.h"
#include "machine/virtio.h"

#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
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
	bool vcon = m->vcon && m->input_to_vcon;
	while (!(vcon ? virtio_console_input(m->vcon, &c, 1) == 1 : uart_receive(m->uart, c)) &&
	       !__atomic_load_n(&m->halted, __ATOMIC_ACQUIRE)) {
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
				"C-a c    switch input between the UART and the virtio console\r\nC-a C-a  send C-a\r\n");
		break;
	case 'c':
		/* QEMU switches the mux between frontends; here: UART <-> virtio console. */
		if (m->vcon) {
			m->input_to_vcon = !m->input_to_vcon;
			fprintf(stderr, "\r\ncairn: console input now goes to the %s\r\n",
				m->input_to_vcon ? "virtio console" : "UART");
		} else {
			fprintf(stderr, "\r\ncairn: no monitor and no virtio console to switch to\r\n");
		}
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

/* ---- unix socket backend ---- */

struct sock {
	struct machine *m;
	pthread_mutex_t mu;
	int lfd, cfd;
};

static ssize_t sock_write(void *cookie, const char *buf, size_t n)
{
	struct sock *s = cookie;
	pthread_mutex_lock(&s->mu);
	if (s->cfd >= 0 && send(s->cfd, buf, n, MSG_NOSIGNAL) < 0) {
		close(s->cfd); /* the client went away: output is dropped until the next */
		s->cfd = -1;
	}
	pthread_mutex_unlock(&s->mu);
	return (ssize_t)n;
}

static void sock_accept(struct sock *s)
{
	int fd = accept(s->lfd, NULL, NULL);
	pthread_mutex_lock(&s->mu);
	s->cfd = fd;
	pthread_mutex_unlock(&s->mu);
}

static void *sock_reader(void *arg)
{
	struct sock *s = arg;
	uint8_t buf[256];
	for (;;) {
		if (s->cfd < 0)
			sock_accept(s);
		ssize_t n = s->cfd >= 0 ? recv(s->cfd, buf, sizeof buf, 0) : -1;
		if (n <= 0) {
			pthread_mutex_lock(&s->mu);
			if (s->cfd >= 0)
				close(s->cfd);
			s->cfd = -1;
			pthread_mutex_unlock(&s->mu);
			continue;
		}
		for (ssize_t k = 0; k < n; k++)
			feed(s->m, buf[k]);
	}
	return NULL;
}

static int sock_start(struct machine *m)
{
	const char *path = m->cfg.serial_socket;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof a.sun_path) {
		cairn_error("socket path too long: '%s'", path);
		return -ERR_INVAL;
	}
	strcpy(a.sun_path, path);
	struct sock *s = calloc(1, sizeof *s);
	if (!s)
		return -ERR_NOMEM;
	s->m = m;
	s->cfd = -1;
	pthread_mutex_init(&s->mu, NULL);
	unlink(path);
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&a, sizeof a) || listen(s->lfd, 1)) {
		cairn_error("cannot listen on '%s': %s", path, strerror(errno));
		return -ERR_IO;
	}
	cookie_io_functions_t io = { .write = sock_write };
	FILE *f = fopencookie(s, "w", io);
	if (!f)
		return -ERR_NOMEM;
	setvbuf(f, NULL, _IOLBF, 0);
	m->console = f;
	if (m->cfg.serial_wait) {
		fprintf(stderr, "cairn: waiting for a connection on unix:%s\n", path);
		sock_accept(s);
	}
	pthread_t t;
	if (pthread_create(&t, NULL, sock_reader, s))
		return -ERR_NOMEM;
	pthread_detach(t);
	return 0;
}

int console_start(struct machine *m)
{
	if (m->cfg.serial_socket)
		return sock_start(m);
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
