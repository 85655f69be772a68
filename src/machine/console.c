/* console.c - a machine's console, as QEMU's -serial: on stdio the host
 * terminal goes raw (restored on every exit path), typed bytes feed the UART,
 * Ctrl-A is the escape (x quit, h help, c switch, a a literal Ctrl-A); in a
 * file; nowhere (null); or on a unix socket server (-serial unix:PATH,server)
 * that clients attach to, one at a time, and detach from without losing
 * output: the latest CON_RING bytes are kept and replayed to each new client.
 *
 * Output is written by harts, so it must never wait for a client: sends are
 * non-blocking and what a slow client cannot take is dropped (the ring still
 * has it).  Input is a source of the process's I/O loop (sched/loop.h): no
 * thread of its own.  A byte the guest's FIFO cannot take yet stays pending
 * and is offered again a millisecond later, as a real line would hold it. */
#include "machine/machine.h"
#include "machine/virtio.h"
#include "sched/loop.h"

#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define CON_RING 65536

static struct termios saved;
static volatile sig_atomic_t raw_on;
static struct machine *stdio_owner; /* the one machine on the terminal */
static pthread_mutex_t stdio_mu = PTHREAD_MUTEX_INITIALIZER;

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
	static bool once;
	if (once)
		return;
	once = true;
	atexit(restore_tty);
	static const int sigs[] = { SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
	for (size_t k = 0; k < ARRAY_SIZE(sigs); k++)
		signal(sigs[k], on_fatal_signal);
}

struct con {
	struct loop_source src;         /* first: the loop hands it back */
	struct loop *loop;
	struct machine *m;
	int in_fd;                      /* stdin, or the socket's client (-1: none) */
	int lfd;                        /* the listening socket, or -1 */
	FILE *out;                      /* what m->console is, when it is ours */
	bool esc, eof;
	uint8_t buf[256];
	int len, pos;                   /* buf[pos..len): read, not yet taken by the guest */
	pthread_mutex_t mu;             /* in_fd and the ring against the output path */
	struct base_ring ring;          /* the latest output (sockets, null) */
};

/* One byte to the guest (or the monitor); false when it cannot take it now. */
static bool feed(struct machine *m, uint8_t c)
{
	if (m->input_to_monitor) {
		m->console_monitor(m->console_ctx, &c, 1);
		return true;
	}
	bool vcon = m->vcon && m->input_to_vcon;
	return vcon ? virtio_console_input(m->vcon, &c, 1) == 1 : uart_receive(m->uart, c);
}

/* Ctrl-A c: the next of UART, monitor, virtio console (QEMU's mux cycles
 * through its front ends the same way). */
static void switch_input(struct machine *m)
{
	if (!m->input_to_monitor && !m->input_to_vcon && m->console_monitor) {
		m->input_to_monitor = true;
		fprintf(stderr, "\r\n");
		m->console_monitor(m->console_ctx, NULL, 0);
		return;
	}
	if (m->input_to_monitor) {
		m->input_to_monitor = false;
		if (m->vcon) {
			m->input_to_vcon = true;
			fprintf(stderr, "\r\ncairn: console input now goes to the virtio console\r\n");
		}
		return;
	}
	if (m->vcon) {
		m->input_to_vcon = !m->input_to_vcon;
		fprintf(stderr, "\r\ncairn: console input now goes to the %s\r\n",
			m->input_to_vcon ? "virtio console" : "UART");
	} else {
		fprintf(stderr, "\r\ncairn: no monitor and no virtio console to switch to\r\n");
	}
}

/* The byte after Ctrl-A; false when it must be offered again. */
static bool escape(struct machine *m, uint8_t c)
{
	switch (c) {
	case 'x':
		fprintf(stderr, "cairn: terminated by Ctrl-A x\r\n");
		if (m->console_quit)
			m->console_quit(m->console_ctx);
		else
			machine_halt(m, 0);
		break;
	case 'h': case '?':
		fprintf(stderr, "\r\nC-a h    print this help\r\nC-a x    exit emulator\r\n"
				"C-a c    switch between console and monitor (and the virtio console)\r\n"
				"C-a C-a  sends C-a\r\n");
		break;
	case 'c':
		switch_input(m);
		break;
	case 1: case 'a':
		return feed(m, 1);
	}
	return true;
}

/* Offer the pending bytes; stop at the first the guest cannot take. */
static void deliver(struct con *c)
{
	while (c->pos < c->len) {
		uint8_t b = c->buf[c->pos];
		bool escapes = c->in_fd == STDIN_FILENO && raw_on;
		if (c->esc) {
			if (!escape(c->m, b))
				return;
			c->esc = false;
		} else if (b == 1 && escapes) {
			c->esc = true;
		} else if (!feed(c->m, b)) {
			return;
		}
		c->pos++;
	}
}

static int con_prepare(struct loop_source *src, struct pollfd *fds, int max, int *timeout_ms)
{
	struct con *c = (struct con *)src;
	int n = 0;
	if (c->pos < c->len) {
		if (*timeout_ms < 0 || *timeout_ms > 1)
			*timeout_ms = 1; /* the guest's FIFO was full */
		return 0;
	}
	pthread_mutex_lock(&c->mu);
	if (c->in_fd >= 0 && !c->eof && n < max)
		fds[n++] = (struct pollfd){ c->in_fd, POLLIN, 0 };
	else if (c->lfd >= 0 && c->in_fd < 0 && n < max)
		fds[n++] = (struct pollfd){ c->lfd, POLLIN, 0 };
	pthread_mutex_unlock(&c->mu);
	return n;
}

static void client_gone_locked(struct con *c)
{
	if (c->in_fd >= 0)
		close(c->in_fd);
	c->in_fd = -1; /* output goes only to the ring until the next client */
}

/* A new client gets the recent output first (as much as it takes now). */
static void attach(struct con *c, int fd)
{
	pthread_mutex_lock(&c->mu);
	c->in_fd = fd;
	char *old = malloc(CON_RING);
	size_t n = old ? base_ring_latest(&c->ring, old, CON_RING) : 0;
	if (n)
		(void)!send(fd, old, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	pthread_mutex_unlock(&c->mu);
	free(old);
}

static void con_dispatch(struct loop_source *src, struct pollfd *fds, int n)
{
	struct con *c = (struct con *)src;
	if (c->pos < c->len) {
		deliver(c);
		return;
	}
	if (n < 1 || !fds[0].revents)
		return;
	if (fds[0].fd == c->lfd) {
		int fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			attach(c, fd);
		return;
	}
	ssize_t r = read(c->in_fd, c->buf, sizeof c->buf);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		if (c->lfd >= 0) {
			pthread_mutex_lock(&c->mu);
			client_gone_locked(c);
			pthread_mutex_unlock(&c->mu);
		} else {
			c->eof = true; /* EOF on stdin: the guest just gets no more input */
		}
		return;
	}
	c->pos = 0;
	c->len = (int)r;
	deliver(c);
}

static ssize_t sock_write(void *cookie, const char *buf, size_t n)
{
	struct con *c = cookie;
	pthread_mutex_lock(&c->mu);
	base_ring_put(&c->ring, buf, n);
	if (c->in_fd >= 0 && send(c->in_fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
	    errno != EAGAIN && errno != EWOULDBLOCK)
		client_gone_locked(c); /* it went away; a slow one just loses these bytes */
	pthread_mutex_unlock(&c->mu);
	return (ssize_t)n;
}

static ssize_t null_write(void *cookie, const char *buf, size_t n)
{
	struct con *c = cookie;
	pthread_mutex_lock(&c->mu);
	base_ring_put(&c->ring, buf, n);
	pthread_mutex_unlock(&c->mu);
	return (ssize_t)n;
}

static struct con *con_new(struct machine *m)
{
	struct con *c = calloc(1, sizeof *c);
	if (!c || base_ring_init(&c->ring, CON_RING)) {
		free(c);
		return NULL;
	}
	c->m = m;
	c->in_fd = c->lfd = -1;
	c->src.prepare = con_prepare;
	c->src.dispatch = con_dispatch;
	pthread_mutex_init(&c->mu, NULL);
	return c;
}

static void con_free(struct con *c)
{
	if (c->lfd >= 0)
		close(c->lfd);
	if (c->in_fd >= 0 && c->in_fd != STDIN_FILENO)
		close(c->in_fd);
	pthread_mutex_destroy(&c->mu);
	base_ring_free(&c->ring);
	free(c);
}

static int cookie_out(struct con *c, cookie_write_function_t *fn)
{
	cookie_io_functions_t io = { .write = fn };
	c->out = fopencookie(c, "w", io);
	if (!c->out)
		return -ERR_NOMEM;
	setvbuf(c->out, NULL, _IOLBF, 0);
	return 0;
}

static int sock_listen(struct con *c)
{
	const char *path = c->m->cfg.console_path;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof a.sun_path) {
		cairn_errorf(&c->m->err, "socket path too long: '%s'", path);
		return -ERR_INVAL;
	}
	strcpy(a.sun_path, path);
	unlink(path);
	c->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->lfd < 0 || bind(c->lfd, (struct sockaddr *)&a, sizeof a) || listen(c->lfd, 1)) {
		cairn_errorf(&c->m->err, "cannot listen on '%s': %s", path, strerror(errno));
		return -ERR_IO;
	}
	int err = cookie_out(c, sock_write);
	if (err)
		return err;
	if (c->m->cfg.console_wait) {
		fprintf(stderr, "cairn: waiting for a connection on unix:%s\n", path);
		c->in_fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC);
	}
	return 0;
}

static int take_stdio(struct con *c)
{
	pthread_mutex_lock(&stdio_mu);
	bool taken = stdio_owner != NULL;
	if (!taken)
		stdio_owner = c->m;
	pthread_mutex_unlock(&stdio_mu);
	if (taken) {
		cairn_errorf(&c->m->err, "stdio is already the console of another VM (give this one -serial file:, "
			     "unix: or null)");
		return -ERR_INVAL;
	}
	make_raw();
	c->in_fd = STDIN_FILENO;
	return 0;
}

static int open_out(struct con *c)
{
	struct machine *m = c->m;
	switch (m->cfg.console) {
	case CONSOLE_STDIO:
		return take_stdio(c);
	case CONSOLE_NULL:
		return cookie_out(c, null_write);
	case CONSOLE_FILE:
		c->out = fopen(m->cfg.console_path, m->cfg.console_append ? "a" : "w");
		if (!c->out) {
			cairn_errorf(&m->err, "cannot write '%s': %s", m->cfg.console_path, strerror(errno));
			return -ERR_IO;
		}
		return 0;
	case CONSOLE_UNIX:
		return sock_listen(c);
	}
	return -ERR_INVAL;
}

int console_start(struct machine *m)
{
	struct con *c = con_new(m);
	if (!c)
		return -ERR_NOMEM;
	int err = loop_get(&c->loop);
	if (err) {
		con_free(c);
		return err;
	}
	if ((err = open_out(c))) {
		if (c->out)
			fclose(c->out);
		loop_put(c->loop);
		con_free(c);
		return err;
	}
	if (c->out)
		m->console = c->out;
	m->con = c;
	if (c->in_fd >= 0 || c->lfd >= 0)
		return loop_add(c->loop, &c->src);
	return 0;
}

void console_stop(struct machine *m)
{
	struct con *c = m->con;
	if (!c)
		return;
	m->con = NULL;
	if (c->in_fd >= 0 || c->lfd >= 0)
		loop_remove(c->loop, &c->src);
	loop_put(c->loop);
	pthread_mutex_lock(&stdio_mu);
	if (stdio_owner == m) {
		stdio_owner = NULL;
		restore_tty();
		c->in_fd = -1;
	}
	pthread_mutex_unlock(&stdio_mu);
	fflush(m->console);
	if (c->out) {
		/* A cookie FILE writes through c: the machine's output goes
		 * back to stdout before c goes. */
		m->console = stdout;
		fclose(c->out);
	}
	con_free(c);
}

size_t console_recent(struct machine *m, char *buf, size_t cap)
{
	struct con *c = m->con;
	if (!c)
		return 0;
	fflush(m->console);
	pthread_mutex_lock(&c->mu);
	size_t n = base_ring_latest(&c->ring, buf, cap);
	pthread_mutex_unlock(&c->mu);
	return n;
}
