/* console.c - the guest console, as QEMU's -nographic: on stdio the host
 * terminal goes raw (restored on every exit path), typed bytes feed the UART,
 * Ctrl-A is the escape (x quit, h help, a a literal Ctrl-A); or on a unix
 * socket (-serial unix:PATH,server) that clients connect to, one at a time.
 * Input is a source of the process's I/O loop (sched/loop.h): no thread of
 * its own.  A byte the guest's FIFO cannot take yet stays pending and is
 * offered again a millisecond later, as a real line would hold it. */
#include "machine/machine.h"
#include "machine/virtio.h"
#include "sched/loop.h"

#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stdlib.h>
#include <termios.h>
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

struct con {
	struct loop_source src;         /* first: the loop hands it back */
	struct loop *loop;
	struct machine *m;
	int in_fd;                      /* stdin, or the socket's client (-1: none) */
	int lfd;                        /* the listening socket, or -1 */
	bool esc, eof;
	uint8_t buf[256];
	int len, pos;                   /* buf[pos..len): read, not yet taken by the guest */
	pthread_mutex_t mu;             /* in_fd against the output path (socket) */
};
static struct con *the_con;

/* One byte to the guest; false when its FIFO is full. */
static bool feed(struct machine *m, uint8_t c)
{
	bool vcon = m->vcon && m->input_to_vcon;
	return vcon ? virtio_console_input(m->vcon, &c, 1) == 1 : uart_receive(m->uart, c);
}

/* The byte after Ctrl-A; false when it must be offered again. */
static bool escape(struct machine *m, uint8_t c)
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

static void client_gone(struct con *c)
{
	pthread_mutex_lock(&c->mu);
	if (c->in_fd >= 0)
		close(c->in_fd);
	c->in_fd = -1; /* output is dropped until the next client */
	pthread_mutex_unlock(&c->mu);
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
		pthread_mutex_lock(&c->mu);
		c->in_fd = fd;
		pthread_mutex_unlock(&c->mu);
		return;
	}
	ssize_t r = read(c->in_fd, c->buf, sizeof c->buf);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		if (c->lfd >= 0)
			client_gone(c);
		else
			c->eof = true; /* EOF on stdin: the guest just gets no more input */
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
	if (c->in_fd >= 0 && send(c->in_fd, buf, n, MSG_NOSIGNAL) < 0) {
		close(c->in_fd); /* the client went away: output is dropped until the next */
		c->in_fd = -1;
	}
	pthread_mutex_unlock(&c->mu);
	return (ssize_t)n;
}

static struct con *con_new(struct machine *m)
{
	struct con *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->m = m;
	c->in_fd = c->lfd = -1;
	c->src.prepare = con_prepare;
	c->src.dispatch = con_dispatch;
	pthread_mutex_init(&c->mu, NULL);
	return c;
}

static int sock_listen(struct con *c)
{
	const char *path = c->m->cfg.serial_socket;
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
	cookie_io_functions_t io = { .write = sock_write };
	FILE *f = fopencookie(c, "w", io);
	if (!f)
		return -ERR_NOMEM;
	setvbuf(f, NULL, _IOLBF, 0);
	c->m->console = f;
	if (c->m->cfg.serial_wait) {
		fprintf(stderr, "cairn: waiting for a connection on unix:%s\n", path);
		c->in_fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC);
	}
	return 0;
}

int console_start(struct machine *m)
{
	struct con *c = con_new(m);
	if (!c)
		return -ERR_NOMEM;
	int err = loop_get(&c->loop);
	if (err) {
		free(c);
		return err;
	}
	if (m->cfg.serial_socket) {
		if ((err = sock_listen(c))) {
			if (c->lfd >= 0)
				close(c->lfd);
			loop_put(c->loop);
			pthread_mutex_destroy(&c->mu);
			free(c);
			return err;
		}
	} else {
		make_raw();
		c->in_fd = STDIN_FILENO;
	}
	the_con = c;
	return loop_add(c->loop, &c->src);
}

void console_stop(void)
{
	restore_tty();
	struct con *c = the_con;
	if (!c)
		return;
	the_con = NULL;
	loop_remove(c->loop, &c->src);
	loop_put(c->loop);
	if (c->lfd >= 0) {
		/* The socket console's FILE writes through c: the machine's
		 * output goes back to stdout before c goes. */
		FILE *f = c->m->console;
		c->m->console = stdout;
		fclose(f);
		close(c->lfd);
		if (c->in_fd >= 0)
			close(c->in_fd);
	}
	pthread_mutex_destroy(&c->mu);
	free(c);
}
