/* chan.c - listening sockets and their clients as one source of the I/O
 * loop, and the server's command thread.  Only the loop thread touches
 * fds and the client list; other threads queue output and jobs under the
 * server's lock and wake the loop.  A client is freed when the loop has
 * closed it and no queued job refers to it any more. */
#include "hv/chan.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/opts.h"
#include "sched/loop.h"

#define READ_CHUNK   65536
#define HANGUP_NS    2000000000ull /* a hung-up client that reads nothing is closed after this */
#define FLUSH_NS     200000000ull  /* chan_close's last chance to send */
#define MAX_POLL     (2 * CHAN_MAX_CLIENTS + 1)

struct chan_client {
	struct chan_server *s;
	struct chan_client *next;        /* s->clients */
	int in_fd, out_fd;              /* one socket, or stdin and stdout */
	void *state;
	int refs;                       /* the list's and each job's; under s->mu */
	int pending;                    /* jobs queued or running */
	bool dead;                      /* to be closed: no input, output dropped */
	bool hangup;                    /* close once the output is sent */
	uint64_t hangup_at;
	char *out;                      /* out[off..len) not sent yet */
	size_t off, len, cap;
};

struct chan_job {
	struct chan_job *next;
	struct chan_client *c;
	chan_job_fn *fn;
	void *arg;
};

struct chan_server {
	struct loop_source src;         /* first: the loop hands it back */
	struct loop *loop;
	const struct chan_ops *ops;
	void *ctx;
	int lfd;                        /* listening socket, or -1 */
	char *path;                     /* a unix socket's, removed on close */
	bool stdio;
	pthread_mutex_t mu;
	struct chan_client *clients;
	int nclients;
	pthread_t thread;
	pthread_mutex_t run_mu;         /* held while a job runs (chan_quiesce) */
	pthread_cond_t cv;
	struct chan_job *head, *tail;
	bool quit;
	/* Loop thread only: which client each polled fd belongs to. */
	struct chan_client *who[MAX_POLL];
	char rbuf[READ_CHUNK];
};

/* ---- clients and their references ---- */

/* Drop one reference under s->mu; true when it was the last (the caller
 * frees the client with client_free once the lock is released). */
static bool unref_locked(struct chan_client *c)
{
	return --c->refs == 0;
}

static void client_free(struct chan_client *c)
{
	if (c->state)
		c->s->ops->free(c->state);
	free(c->out);
	free(c);
}

/* Append to c's output under s->mu; a client over its cap dies. */
static void append_locked(struct chan_client *c, const char *p, size_t n)
{
	if (c->dead)
		return;
	if (c->len - c->off + n > CHAN_OUT_MAX) {
		c->dead = true; /* it does not read: memory must not grow for it */
		return;
	}
	if (c->off && c->len + n > c->cap) { /* slide the unsent part down first */
		memmove(c->out, c->out + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	if (c->len + n > c->cap) {
		size_t cap = c->cap ? c->cap : 4096;
		while (cap < c->len + n)
			cap *= 2;
		char *p2 = realloc(c->out, cap);
		if (!p2) {
			c->dead = true;
			return;
		}
		c->out = p2;
		c->cap = cap;
	}
	memcpy(c->out + c->len, p, n);
	c->len += n;
}

void chan_write(struct chan_client *c, const char *p, size_t n)
{
	struct chan_server *s = c->s;
	pthread_mutex_lock(&s->mu);
	append_locked(c, p, n);
	pthread_mutex_unlock(&s->mu);
	loop_wake(s->loop);
}

void chan_broadcast(struct chan_server *s, bool (*want)(void *state, void *arg), void *arg,
		   const char *text, size_t n)
{
	pthread_mutex_lock(&s->mu);
	for (struct chan_client *c = s->clients; c; c = c->next)
		if (!c->dead && c->state && want(c->state, arg))
			append_locked(c, text, n);
	pthread_mutex_unlock(&s->mu);
	loop_wake(s->loop);
}

void chan_hangup(struct chan_client *c)
{
	pthread_mutex_lock(&c->s->mu);
	if (!c->hangup) {
		c->hangup = true;
		c->hangup_at = base_now_ns() + HANGUP_NS;
	}
	pthread_mutex_unlock(&c->s->mu);
	loop_wake(c->s->loop);
}

/* ---- the command thread ---- */

int chan_submit(struct chan_client *c, chan_job_fn *fn, void *arg)
{
	struct chan_job *j = malloc(sizeof *j);
	if (!j)
		return -ERR_NOMEM;
	*j = (struct chan_job){ .c = c, .fn = fn, .arg = arg };
	struct chan_server *s = c->s;
	pthread_mutex_lock(&s->mu);
	c->refs++;
	c->pending++;
	if (s->tail)
		s->tail->next = j;
	else
		s->head = j;
	s->tail = j;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

static void *command_thread(void *arg)
{
	struct chan_server *s = arg;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->head && !s->quit)
			pthread_cond_wait(&s->cv, &s->mu);
		struct chan_job *j = s->head;
		if (!j)
			break;
		s->head = j->next;
		if (!s->head)
			s->tail = NULL;
		bool gone = j->c->dead || s->quit;
		pthread_mutex_unlock(&s->mu);
		pthread_mutex_lock(&s->run_mu);
		j->fn(j->c, j->arg, gone);
		pthread_mutex_unlock(&s->run_mu);
		pthread_mutex_lock(&s->mu);
		j->c->pending--; /* it may be read again */
		bool last = unref_locked(j->c);
		pthread_mutex_unlock(&s->mu);
		if (last)
			client_free(j->c);
		free(j);
		loop_wake(s->loop);
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

void chan_quiesce(struct chan_server *s, void (*fn)(void *arg), void *arg)
{
	pthread_mutex_lock(&s->run_mu);
	fn(arg);
	pthread_mutex_unlock(&s->run_mu);
}

void chan_gate_open(struct chan_client *c)
{
	pthread_mutex_unlock(&c->s->run_mu);
}

void chan_gate_close(struct chan_client *c)
{
	pthread_mutex_lock(&c->s->run_mu);
}

/* ---- the loop source ---- */

static struct chan_client *client_new(struct chan_server *s, int in_fd, int out_fd)
{
	struct chan_client *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->s = s;
	c->in_fd = in_fd;
	c->out_fd = out_fd;
	c->refs = 1; /* the list's */
	pthread_mutex_lock(&s->mu);
	c->next = s->clients;
	s->clients = c;
	s->nclients++;
	pthread_mutex_unlock(&s->mu);
	/* open may write (a greeting): the client is on the list first. */
	c->state = s->ops->open(s->ctx, c);
	if (!c->state) {
		pthread_mutex_lock(&s->mu);
		c->dead = true;
		pthread_mutex_unlock(&s->mu);
	}
	return c;
}

/* Close and unlink every dead client (loop thread, or chan_close's). */
static void reap(struct chan_server *s)
{
	struct chan_client *freed = NULL;
	pthread_mutex_lock(&s->mu);
	uint64_t now = base_now_ns();
	for (struct chan_client **pp = &s->clients; *pp; ) {
		struct chan_client *c = *pp;
		if (c->hangup && ((!c->pending && c->off == c->len) || now >= c->hangup_at))
			c->dead = true; /* its last replies are sent, or it does not read them */
		if (!c->dead) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		s->nclients--;
		if (!s->stdio)
			close(c->in_fd);
		if (unref_locked(c)) {
			c->next = freed;
			freed = c;
		}
	}
	pthread_mutex_unlock(&s->mu);
	while (freed) {
		struct chan_client *c = freed;
		freed = c->next;
		client_free(c);
	}
}

static int add_fd(struct chan_server *s, struct pollfd *fds, int n, int max, struct chan_client *c,
		  int fd, short ev)
{
	if (n >= max || n >= MAX_POLL)
		return n;
	fds[n] = (struct pollfd){ fd, ev, 0 };
	s->who[n] = c;
	return n + 1;
}

static int chan_prepare(struct loop_source *src, struct pollfd *fds, int max, int *timeout_ms)
{
	struct chan_server *s = (struct chan_server *)src;
	reap(s);
	int n = 0;
	pthread_mutex_lock(&s->mu);
	if (s->lfd >= 0 && s->nclients < CHAN_MAX_CLIENTS)
		n = add_fd(s, fds, n, max, NULL, s->lfd, POLLIN);
	for (struct chan_client *c = s->clients; c; c = c->next) {
		bool rd = !c->hangup && c->pending < CHAN_MAX_PENDING;
		bool wr = c->off < c->len;
		if (c->in_fd == c->out_fd && (rd || wr)) {
			n = add_fd(s, fds, n, max, c, c->in_fd, (short)((rd ? POLLIN : 0) | (wr ? POLLOUT : 0)));
			continue;
		}
		if (rd)
			n = add_fd(s, fds, n, max, c, c->in_fd, POLLIN);
		if (wr)
			n = add_fd(s, fds, n, max, c, c->out_fd, POLLOUT);
		if (c->hangup && (*timeout_ms < 0 || *timeout_ms > 100))
			*timeout_ms = 100; /* its deadline is looked at in reap */
	}
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* Send what c has queued, as far as the socket takes it. */
static void flush_out(struct chan_client *c)
{
	struct chan_server *s = c->s;
	pthread_mutex_lock(&s->mu);
	while (!c->dead && c->off < c->len) {
		ssize_t r = s->stdio ? write(c->out_fd, c->out + c->off, c->len - c->off)
				     : send(c->out_fd, c->out + c->off, c->len - c->off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r <= 0) {
			c->dead = true;
			break;
		}
		c->off += (size_t)r;
	}
	if (c->off == c->len)
		c->off = c->len = 0;
	pthread_mutex_unlock(&s->mu);
}

static void kill_client(struct chan_client *c)
{
	pthread_mutex_lock(&c->s->mu);
	c->dead = true; /* queued jobs run as gone; reap closes it */
	pthread_mutex_unlock(&c->s->mu);
}

static void read_in(struct chan_client *c)
{
	struct chan_server *s = c->s;
	ssize_t r = read(c->in_fd, s->rbuf, sizeof s->rbuf);
	if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (r <= 0) {
		kill_client(c); /* EOF or an error */
		return;
	}
	if (c->state && s->ops->input(c->state, s->rbuf, (size_t)r) < 0)
		chan_hangup(c);
}

/* One client; false when none is waiting. */
static bool accept_one(struct chan_server *s)
{
	int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return false;
	if (!client_new(s, fd, fd))
		close(fd);
	return true;
}

/* Every client waiting, up to the limit: a burst of connections must not
 * find the backlog full. */
static void accept_all(struct chan_server *s)
{
	for (;;) {
		pthread_mutex_lock(&s->mu);
		bool room = s->nclients < CHAN_MAX_CLIENTS;
		pthread_mutex_unlock(&s->mu);
		if (!room || !accept_one(s))
			return;
	}
}

static void chan_dispatch(struct loop_source *src, struct pollfd *fds, int n)
{
	struct chan_server *s = (struct chan_server *)src;
	for (int k = 0; k < n; k++) {
		struct chan_client *c = s->who[k];
		short ev = fds[k].revents;
		if (!ev)
			continue;
		if (!c) {
			accept_all(s);
			continue;
		}
		if (ev & POLLOUT)
			flush_out(c);
		if (ev & (POLLIN | POLLHUP | POLLERR)) {
			if (fds[k].events & POLLIN)
				read_in(c);
			else if (ev & (POLLHUP | POLLERR))
				kill_client(c); /* gone while its commands were queued */
		}
	}
	reap(s);
}

/* ---- specs: unix:, tcp:, stdio ---- */

static const struct opt_desc unix_keys[] = {
	{ "path", OPT_STRING, 0, NULL }, { "server", OPT_BOOL, 0, NULL }, { "wait", OPT_BOOL, 0, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct opt_desc tcp_keys[] = {
	{ "host", OPT_STRING, 0, NULL }, { "server", OPT_BOOL, 0, NULL }, { "wait", OPT_BOOL, 0, NULL },
	{ "ipv4", OPT_BOOL, 0, NULL }, { "ipv6", OPT_BOOL, 0, NULL }, { "nodelay", OPT_BOOL, 0, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct opt_group unix_group = { "path", NULL, unix_keys };
static const struct opt_group tcp_group = { "host", NULL, tcp_keys };

/* The option list after "unix:" or "tcp:" parsed; 0 or -ERR_INVAL. */
static int parse_spec(const char *spec, const struct opt_group **g, struct opts *o, cairn_errbuf *e)
{
	const char *rest = NULL;
	if (!strncmp(spec, "unix:", 5)) {
		*g = &unix_group;
		rest = spec + 5;
	} else if (!strncmp(spec, "tcp:", 4)) {
		*g = &tcp_group;
		rest = spec + 4;
	} else {
		cairn_errorf(e, "'%.*s' is not a valid char driver name (unix:PATH,server=on,wait=off, "
			     "tcp:HOST:PORT,server=on,wait=off, stdio, none)", (int)strcspn(spec, ":,"), spec);
		return -ERR_INVAL;
	}
	char *err = NULL;
	if (opts_parse(*g, rest, o, &err)) {
		cairn_errorf(e, "%s", err ? err : "out of memory");
		free(err);
		return -ERR_INVAL;
	}
	if (!opts_bool(o, "server", false)) {
		cairn_errorf(e, "only server mode is supported (add ,server=on)");
		opts_free(o);
		return -ERR_INVAL;
	}
	return 0;
}

bool chan_spec_waits(const char *spec)
{
	const struct opt_group *g;
	struct opts o;
	if (parse_spec(spec, &g, &o, &(cairn_errbuf){ 0 }))
		return false;
	bool w = opts_bool(&o, "wait", true);
	opts_free(&o);
	return w;
}

static int listen_unix(struct chan_server *s, const char *path, cairn_errbuf *e)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (!*path || strlen(path) >= sizeof a.sun_path) {
		cairn_errorf(e, "UNIX socket path '%s' is %s", path, *path ? "too long" : "empty");
		return -ERR_INVAL;
	}
	strcpy(a.sun_path, path);
	unlink(path); /* a stale socket from an earlier run */
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&a, sizeof a) || listen(s->lfd, SOMAXCONN)) {
		cairn_errorf(e, "Failed to bind socket to %s: %s", path, strerror(errno));
		return -ERR_IO;
	}
	s->path = strdup(path);
	return s->path ? 0 : -ERR_NOMEM;
}

/* HOST:PORT (HOST may be empty or [v6]). */
static int listen_tcp(struct chan_server *s, const struct opts *o, cairn_errbuf *e)
{
	const char *hp = opts_str(o, "host");
	const char *colon = hp ? strrchr(hp, ':') : NULL;
	if (!colon || !colon[1]) {
		cairn_errorf(e, "host and/or port not specified in '%s' (tcp:HOST:PORT)", hp ? hp : "");
		return -ERR_INVAL;
	}
	char host[256];
	size_t hl = (size_t)(colon - hp);
	if (hl >= 2 && hp[0] == '[' && hp[hl - 1] == ']')
		hp++, hl -= 2;
	if (hl >= sizeof host) {
		cairn_errorf(e, "host name too long");
		return -ERR_INVAL;
	}
	memcpy(host, hp, hl);
	host[hl] = 0;
	struct addrinfo hints = { .ai_flags = AI_PASSIVE, .ai_socktype = SOCK_STREAM,
				  .ai_family = opts_bool(o, "ipv4", false) ? AF_INET
					     : opts_bool(o, "ipv6", false) ? AF_INET6 : AF_UNSPEC };
	struct addrinfo *res, *ai;
	int g = getaddrinfo(hl ? host : NULL, colon + 1, &hints, &res);
	if (g) {
		cairn_errorf(e, "address resolution failed for %s:%s: %s", host, colon + 1, gai_strerror(g));
		return -ERR_INVAL;
	}
	int err = 0;
	for (ai = res; ai; ai = ai->ai_next) {
		s->lfd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (s->lfd < 0)
			continue;
		int one = 1;
		setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (!bind(s->lfd, ai->ai_addr, ai->ai_addrlen) && !listen(s->lfd, SOMAXCONN))
			break;
		err = errno;
		close(s->lfd);
		s->lfd = -1;
	}
	freeaddrinfo(res);
	if (s->lfd < 0) {
		cairn_errorf(e, "Failed to bind socket to %s:%s: %s", host, colon + 1, strerror(err ? err : EINVAL));
		return -ERR_IO;
	}
	return 0;
}

/* wait=on: the first client before the VM runs (blocking accept). */
static int wait_first(struct chan_server *s)
{
	struct pollfd p = { s->lfd, POLLIN, 0 };
	while (poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			return -ERR_IO;
	(void)accept_one(s);
	return 0;
}

static int listen_spec(struct chan_server *s, const char *spec, cairn_errbuf *e)
{
	if (!strcmp(spec, "stdio")) {
		s->stdio = true;
		return client_new(s, STDIN_FILENO, STDOUT_FILENO) ? 0 : -ERR_NOMEM;
	}
	const struct opt_group *g;
	struct opts o;
	int err = parse_spec(spec, &g, &o, e);
	if (err)
		return err;
	err = g == &unix_group ? listen_unix(s, opts_str(&o, "path") ? opts_str(&o, "path") : "", e)
			       : listen_tcp(s, &o, e);
	if (!err && opts_bool(&o, "wait", true))
		err = wait_first(s);
	opts_free(&o);
	return err;
}

static struct chan_server *server_new(const struct chan_ops *ops, void *ctx)
{
	struct chan_server *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->ops = ops;
	s->ctx = ctx;
	s->lfd = -1;
	s->src.prepare = chan_prepare;
	s->src.dispatch = chan_dispatch;
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->run_mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (loop_get(&s->loop)) {
		free(s);
		return NULL;
	}
	if (pthread_create(&s->thread, NULL, command_thread, s)) {
		loop_put(s->loop);
		free(s);
		return NULL;
	}
	return s;
}

int chan_open(const char *spec, const struct chan_ops *ops, void *ctx, struct chan_server **out, cairn_errbuf *e)
{
	*out = NULL;
	if (!strcmp(spec, "none"))
		return 0;
	struct chan_server *s = server_new(ops, ctx);
	if (!s) {
		cairn_errorf(e, "out of memory");
		return -ERR_NOMEM;
	}
	int err = listen_spec(s, spec, e);
	if (!err)
		err = loop_add(s->loop, &s->src);
	if (err) {
		chan_close(s);
		return err;
	}
	*out = s;
	return 0;
}

/* chan_close's last chance to send queued output (quit's reply). */
static void final_flush(struct chan_server *s)
{
	uint64_t end = base_now_ns() + FLUSH_NS;
	for (struct chan_client *c = s->clients; c; c = c->next) {
		while (!c->dead && c->off < c->len) {
			uint64_t now = base_now_ns();
			struct pollfd p = { c->out_fd, POLLOUT, 0 };
			if (now >= end || poll(&p, 1, (int)((end - now) / 1000000) + 1) <= 0)
				break;
			flush_out(c);
		}
	}
}

void chan_close(struct chan_server *s)
{
	if (!s)
		return;
	loop_remove(s->loop, &s->src); /* no prepare or dispatch runs after this */
	pthread_mutex_lock(&s->mu);
	s->quit = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL); /* the running command finishes; the rest run as gone */
	final_flush(s);
	pthread_mutex_lock(&s->mu);
	for (struct chan_client *c = s->clients; c; c = c->next)
		c->dead = true;
	pthread_mutex_unlock(&s->mu);
	reap(s);
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->path)
		unlink(s->path);
	free(s->path);
	loop_put(s->loop);
	pthread_mutex_destroy(&s->mu);
	pthread_mutex_destroy(&s->run_mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}
