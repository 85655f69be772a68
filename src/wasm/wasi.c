/* wasi.c - WASI preview1 (wasi_snapshot_preview1) on a POSIX host: the guest's
 * fd table with preview1 rights, every call of the witx interface, and guest
 * pointers checked against the memory's size before any host access.
 * Paths go through wasi_path.c and never leave their preopen. */
#include "wasm/wasi.h"
#include "wasm/wasi_path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

const char wa_wasi_exit_trap[] = "exit";

/* ---- witx types ---- */

enum { FT_UNKNOWN, FT_BLOCK, FT_CHAR, FT_DIR, FT_FILE, FT_DGRAM, FT_STREAM, FT_SYMLINK };
enum { FDF_APPEND = 1, FDF_DSYNC = 2, FDF_NONBLOCK = 4, FDF_RSYNC = 8, FDF_SYNC = 16 };
enum { OF_CREAT = 1, OF_DIRECTORY = 2, OF_EXCL = 4, OF_TRUNC = 8 };
enum { FST_ATIM = 1, FST_ATIM_NOW = 2, FST_MTIM = 4, FST_MTIM_NOW = 8 };
enum { LOOKUP_FOLLOW = 1 };

#define R(n) ((uint64_t)1 << (n))
enum {
	R_FD_DATASYNC = 0, R_FD_READ, R_FD_SEEK, R_FD_FDSTAT_SET_FLAGS, R_FD_SYNC, R_FD_TELL,
	R_FD_WRITE, R_FD_ADVISE, R_FD_ALLOCATE, R_PATH_CREATE_DIRECTORY, R_PATH_CREATE_FILE,
	R_PATH_LINK_SOURCE, R_PATH_LINK_TARGET, R_PATH_OPEN, R_FD_READDIR, R_PATH_READLINK,
	R_PATH_RENAME_SOURCE, R_PATH_RENAME_TARGET, R_PATH_FILESTAT_GET, R_PATH_FILESTAT_SET_SIZE,
	R_PATH_FILESTAT_SET_TIMES, R_FD_FILESTAT_GET, R_FD_FILESTAT_SET_SIZE, R_FD_FILESTAT_SET_TIMES,
	R_PATH_SYMLINK, R_PATH_REMOVE_DIRECTORY, R_PATH_UNLINK_FILE, R_POLL_FD_READWRITE,
	R_SOCK_SHUTDOWN, R_SOCK_ACCEPT,
};
/* What each kind of fd can do at most (wasmtime's sets). */
#define RIGHTS_FILE (R(R_FD_DATASYNC) | R(R_FD_READ) | R(R_FD_SEEK) | R(R_FD_FDSTAT_SET_FLAGS) | \
	R(R_FD_SYNC) | R(R_FD_TELL) | R(R_FD_WRITE) | R(R_FD_ADVISE) | R(R_FD_ALLOCATE) | \
	R(R_FD_FILESTAT_GET) | R(R_FD_FILESTAT_SET_SIZE) | R(R_FD_FILESTAT_SET_TIMES) | \
	R(R_POLL_FD_READWRITE))
#define RIGHTS_DIR (R(R_FD_DATASYNC) | R(R_FD_FDSTAT_SET_FLAGS) | R(R_FD_SYNC) | \
	R(R_PATH_CREATE_DIRECTORY) | R(R_PATH_CREATE_FILE) | R(R_PATH_LINK_SOURCE) | \
	R(R_PATH_LINK_TARGET) | R(R_PATH_OPEN) | R(R_FD_READDIR) | R(R_PATH_READLINK) | \
	R(R_PATH_RENAME_SOURCE) | R(R_PATH_RENAME_TARGET) | R(R_PATH_FILESTAT_GET) | \
	R(R_PATH_FILESTAT_SET_SIZE) | R(R_PATH_FILESTAT_SET_TIMES) | R(R_FD_FILESTAT_GET) | \
	R(R_FD_FILESTAT_SET_TIMES) | R(R_PATH_SYMLINK) | R(R_PATH_REMOVE_DIRECTORY) | \
	R(R_PATH_UNLINK_FILE) | R(R_POLL_FD_READWRITE))
#define RIGHTS_TTY (R(R_FD_READ) | R(R_FD_WRITE) | R(R_FD_FDSTAT_SET_FLAGS) | \
	R(R_FD_FILESTAT_GET) | R(R_POLL_FD_READWRITE))
#define RIGHTS_SOCK (RIGHTS_TTY | R(R_SOCK_SHUTDOWN) | R(R_SOCK_ACCEPT))
/* Rights that make path_open ask the host for reading or for writing. */
#define RIGHTS_READING (R(R_FD_READ) | R(R_FD_READDIR))
#define RIGHTS_WRITING (R(R_FD_WRITE) | R(R_FD_DATASYNC) | R(R_FD_ALLOCATE) | R(R_FD_FILESTAT_SET_SIZE))

#define MAX_FDS 16384
#define MAX_SUBS 65536          /* poll_oneoff subscriptions per call */

typedef struct wfd {
	int host;               /* -1: free slot */
	uint8_t type;
	bool own;               /* closed by us (stdio is borrowed) */
	bool nonblock;          /* emulated: the host fd stays blocking */
	bool no_nowait;         /* pwritev2 RWF_NOWAIT is not supported on it */
	uint8_t stream;         /* 1, 2: the guest's stdout or stderr (hooks->output sees it) */
	uint64_t base, inh;     /* rights */
	char *preopen;          /* guest name of a preopened directory */
	DIR *dir;               /* fd_readdir's stream, opened on first use */
	uint64_t dirpos;        /* index of the entry dir reads next */
} wfd;

struct wa_wasi {
	char **argv, **env;
	uint32_t argc, nenv;
	uint32_t argv_bytes, env_bytes;
	wfd *fds;
	uint32_t nfds;
	bool no_openat2, no_nowait;
	wa_memory *mem;
	int64_t exit_code;
	const char *trap;
	int intr[2];            /* wa_wasi_interrupt writes here; waits poll it */
	const wa_wasi_hooks *hooks;
	void *hooks_ctx;
	wa_functype *types;
	wa_func *funcs;
	uint8_t *typebuf;
};

/* ---- guest memory ---- */

/* A guest range as a host pointer, NULL when any byte is outside memory. */
static inline uint8_t *gp(wa_wasi *w, uint32_t p, uint64_t n)
{
	return (uint64_t)p + n <= w->mem->size ? w->mem->base + p : NULL;
}
#define GP(var, p, n) uint8_t *var = gp(w, (p), (n)); if (!var) return WE_FAULT

/* ---- fd table ---- */

static int fd_get(wa_wasi *w, uint32_t fd, uint64_t rights, wfd **out)
{
	if (fd >= w->nfds || w->fds[fd].host < 0)
		return WE_BADF;
	if ((w->fds[fd].base & rights) != rights)
		return WE_NOTCAPABLE;
	*out = &w->fds[fd];
	return 0;
}
#define FD(var, fd, rights) wfd *var; { int e_ = fd_get(w, (fd), (rights), &var); if (e_) return e_; }

/* A free slot: the lowest (want < 0, as POSIX), or exactly want. */
static int fd_alloc(wa_wasi *w, int want, uint32_t *out)
{
	uint32_t i = want < 0 ? 0 : (uint32_t)want;
	while (want < 0 && i < w->nfds && w->fds[i].host >= 0)
		i++;
	if (i >= MAX_FDS)
		return WE_MFILE;
	if (i >= w->nfds) {
		uint32_t n = w->nfds ? w->nfds : 8;
		while (n <= i)
			n *= 2;
		wfd *f = realloc(w->fds, n * sizeof *f);
		if (!f)
			return WE_NOMEM;
		for (uint32_t k = w->nfds; k < n; k++)
			f[k] = (wfd){ .host = -1 };
		w->fds = f;
		w->nfds = n;
	}
	if (w->fds[i].host >= 0)
		return WE_BADF;
	*out = i;
	return 0;
}

static void fd_release(wfd *f)
{
	if (f->dir)
		closedir(f->dir);
	if (f->own && f->host >= 0)
		close(f->host);
	free(f->preopen);
	*f = (wfd){ .host = -1 };
}

static uint8_t host_type(int fd, const struct stat *st)
{
	int so = 0;
	socklen_t len = sizeof so;
	switch (st->st_mode & S_IFMT) {
	case S_IFBLK: return FT_BLOCK;
	case S_IFCHR: return FT_CHAR;
	case S_IFDIR: return FT_DIR;
	case S_IFREG: return FT_FILE;
	case S_IFLNK: return FT_SYMLINK;
	case S_IFSOCK:
		if (fd >= 0 && !getsockopt(fd, SOL_SOCKET, SO_TYPE, &so, &len))
			return so == SOCK_DGRAM ? FT_DGRAM : FT_STREAM;
		return FT_STREAM;
	default: return FT_UNKNOWN; /* FIFOs have no witx type */
	}
}

/* Enter a host fd (at slot want, or the lowest free one when want < 0) with
 * the most rights its kind allows, masked by mask. */
static int fd_install(wa_wasi *w, int want, int host, bool own, uint64_t mask, uint64_t inh, uint32_t *out)
{
	struct stat st;
	uint32_t i;
	int err;
	if (fstat(host, &st))
		return wa_wasi_errno(errno);
	if ((err = fd_alloc(w, want, &i)))
		return err;
	wfd *f = &w->fds[i];
	*f = (wfd){ .host = host, .own = own, .type = host_type(host, &st), .no_nowait = w->no_nowait };
	switch (f->type) {
	case FT_DIR: f->base = RIGHTS_DIR; break;
	case FT_FILE: case FT_BLOCK: f->base = RIGHTS_FILE; break;
	case FT_DGRAM: case FT_STREAM: f->base = RIGHTS_SOCK; break;
	default:
		f->base = RIGHTS_TTY;
		/* a tty has no seek (wasi-libc's isatty looks for that); /dev/null has */
		if (f->type == FT_CHAR && !isatty(host))
			f->base |= R(R_FD_SEEK) | R(R_FD_TELL);
	}
	f->base &= mask;
	f->inh = f->type == FT_DIR ? inh : 0;
	*out = i;
	return 0;
}

/* ---- configuration ---- */

/* A copy of n strings and their total size with NULs, or NULL. */
static char **copy_strings(const char *const *v, int n, uint32_t *bytes)
{
	char **c = calloc((size_t)n + 1, sizeof *c);
	uint64_t total = 0;
	for (int i = 0; c && i < n; i++) {
		total += strlen(v[i]) + 1;
		if (!(c[i] = strdup(v[i])) || total > UINT32_MAX / 2) {
			while (i >= 0)
				free(c[i--]);
			free(c);
			return NULL;
		}
	}
	*bytes = (uint32_t)total;
	return c;
}

static void free_strings(char **v, uint32_t n)
{
	for (uint32_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* Stdio gets wasmtime's rights, not all its host file allows: reading
 * (stdin) or writing (stdout, stderr), fdstat and stat, polling, seeking
 * where the file can seek unless it is in append mode, and nothing else: no
 * size or time changes, no allocation, no sync, no socket shutdown, no
 * directory or path rights at all.  So `>> app.log` stays append-only for
 * the guest and `< somedir` is no preopen. */
static uint64_t stdio_rights(int i, int host)
{
	uint64_t r = R(i ? R_FD_WRITE : R_FD_READ) | R(R_FD_FDSTAT_SET_FLAGS) | R(R_FD_FILESTAT_GET) |
		     R(R_POLL_FD_READWRITE);
	int fl = fcntl(host, F_GETFL);
	if (fl >= 0 && !(fl & O_APPEND))
		r |= R(R_FD_SEEK) | R(R_FD_TELL); /* masked by what the kind allows */
	return r;
}

static int open_stdio(wa_wasi *w, const wa_wasi_config *c, wa_err *e)
{
	for (int i = 0; i < 3; i++) {
		uint32_t fd;
		if (c->stdio[i] < 0)
			continue; /* the slot stays free: EBADF */
		if (fd_install(w, i, c->stdio[i], false, stdio_rights(i, c->stdio[i]), 0, &fd))
			return wa_fail(e, 0, ERR_INVAL, "WASI: bad host fd %d for guest fd %u", c->stdio[i], i);
		w->fds[fd].stream = (uint8_t)i;
	}
	return 0;
}

static int open_preopens(wa_wasi *w, const wa_wasi_config *c, wa_err *e)
{
	uint32_t fd;
	for (int i = 0; i < c->ndirs; i++) {
		int h = open(c->dirs[i].host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (h < 0)
			return wa_fail(e, 0, ERR_NOENT, "cannot open directory %s: %s", c->dirs[i].host, strerror(errno));
		if (fd_install(w, 3 + i, h, true, RIGHTS_DIR, RIGHTS_DIR | RIGHTS_FILE, &fd)) {
			close(h);
			return wa_fail(e, 0, ERR_NOMEM, "out of memory");
		}
		if (!(w->fds[fd].preopen = strdup(c->dirs[i].guest ? c->dirs[i].guest : c->dirs[i].host)))
			return wa_fail(e, 0, ERR_NOMEM, "out of memory");
	}
	for (int i = 0; i < c->nsocks; i++) {
		int h = fcntl(c->socks[i], F_DUPFD_CLOEXEC, 3);
		if (h < 0 || fd_install(w, 3 + c->ndirs + i, h, true, RIGHTS_SOCK, 0, &fd)) {
			if (h >= 0)
				close(h);
			return wa_fail(e, 0, ERR_INVAL, "WASI: bad socket fd %d", c->socks[i]);
		}
	}
	return 0;
}

static int make_types(wa_wasi *w);

int wa_wasi_new(const wa_wasi_config *c, wa_wasi **out, wa_err *e)
{
	wa_wasi *w = calloc(1, sizeof *w);
	int err;
	*out = NULL;
	if (!w)
		return wa_fail(e, 0, ERR_NOMEM, "out of memory");
	w->intr[0] = w->intr[1] = -1;
	w->exit_code = -1;
	w->no_openat2 = c->flags & WA_WASI_NO_OPENAT2;
	w->no_nowait = c->flags & WA_WASI_NO_NOWAIT;
	w->hooks = c->hooks;
	w->hooks_ctx = c->hooks_ctx;
	w->argv = copy_strings(c->argv, c->argc, &w->argv_bytes);
	w->env = copy_strings(c->env, c->nenv, &w->env_bytes);
	w->argc = w->argv ? (uint32_t)c->argc : 0;
	w->nenv = w->env ? (uint32_t)c->nenv : 0;
	err = !w->argv || !w->env || pipe2(w->intr, O_CLOEXEC | O_NONBLOCK) || make_types(w)
		? wa_fail(e, 0, ERR_NOMEM, "WASI: out of memory (or arguments too long)") : 0;
	if (!err)
		err = open_stdio(w, c, e);
	if (!err)
		err = open_preopens(w, c, e);
	if (err) {
		wa_wasi_free(w);
		return err;
	}
	*out = w;
	return 0;
}

void wa_wasi_free(wa_wasi *w)
{
	if (!w)
		return;
	for (uint32_t i = 0; i < w->nfds; i++)
		fd_release(&w->fds[i]);
	free(w->fds);
	free_strings(w->argv, w->argc);
	free_strings(w->env, w->nenv);
	if (w->intr[0] >= 0) {
		close(w->intr[0]);
		close(w->intr[1]);
	}
	free(w->types);
	free(w->funcs);
	free(w->typebuf);
	free(w);
}

void wa_wasi_bind(wa_wasi *w, wa_instance *inst)
{
	wa_extern x;
	w->mem = NULL;
	if (!wa_instance_export(inst, "memory", 6, &x) && x.kind == WA_EXT_MEMORY)
		w->mem = x.mem;
}

int64_t wa_wasi_exit_code(const wa_wasi *w)
{
	return w->exit_code;
}

void wa_wasi_interrupt(wa_wasi *w)
{
	if (write(w->intr[1], "", 1) < 0) {
		/* full pipe: already woken */
	}
}

/* ---- blocking: every wait also watches the interrupt pipe ---- */

#define TRAPPED (-1)

/* The interrupt pipe woke a wait: whether to trap.  An embedder with an
 * interrupted hook may have woken it for something else (a pause): then the
 * pipe is emptied and the wait goes on. */
static bool interrupt_traps(wa_wasi *w)
{
	char buf[64];
	if (!w->hooks || !w->hooks->interrupted)
		return true;
	while (read(w->intr[0], buf, sizeof buf) > 0)
		;
	return w->hooks->interrupted(w->hooks_ctx);
}

/* Wait until f is ready for ev.  Regular files never wait; a nonblocking
 * fd that is not ready gives EAGAIN; an interrupt traps. */
static int wait_fd(wa_wasi *w, wfd *f, short ev)
{
	struct pollfd p[2] = { { f->host, ev, 0 }, { w->intr[0], POLLIN, 0 } };
	int r;
	if (f->type == FT_FILE || f->type == FT_DIR || f->type == FT_BLOCK)
		return 0;
	for (;;) {
		do
			r = poll(p, 2, f->nonblock ? 0 : -1);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			return wa_wasi_errno(errno);
		if (!p[1].revents)
			return p[0].revents ? 0 : WE_AGAIN;
		if (interrupt_traps(w)) {
			w->trap = WA_TRAP_INTERRUPT;
			return TRAPPED;
		}
	}
}

/* ---- args, environment, clocks, random ---- */

static int put_strings(wa_wasi *w, char **v, uint32_t n, uint32_t bytes, uint32_t ptrs, uint32_t buf)
{
	GP(pv, ptrs, (uint64_t)n * 4);
	GP(pb, buf, bytes);
	uint32_t off = 0;
	for (uint32_t i = 0; i < n; i++) {
		size_t len = strlen(v[i]) + 1;
		st_le32(pv + 4 * i, buf + off);
		memcpy(pb + off, v[i], len);
		off += (uint32_t)len;
	}
	return 0;
}

static int put_sizes(wa_wasi *w, uint32_t n, uint32_t bytes, uint32_t pn, uint32_t pb)
{
	GP(a, pn, 4);
	GP(b, pb, 4);
	st_le32(a, n);
	st_le32(b, bytes);
	return 0;
}

static int w_args_get(wa_wasi *w, const uint64_t *a)
{
	return put_strings(w, w->argv, w->argc, w->argv_bytes, (uint32_t)a[0], (uint32_t)a[1]);
}

static int w_args_sizes_get(wa_wasi *w, const uint64_t *a)
{
	return put_sizes(w, w->argc, w->argv_bytes, (uint32_t)a[0], (uint32_t)a[1]);
}

static int w_environ_get(wa_wasi *w, const uint64_t *a)
{
	return put_strings(w, w->env, w->nenv, w->env_bytes, (uint32_t)a[0], (uint32_t)a[1]);
}

static int w_environ_sizes_get(wa_wasi *w, const uint64_t *a)
{
	return put_sizes(w, w->nenv, w->env_bytes, (uint32_t)a[0], (uint32_t)a[1]);
}

static int host_clock(uint32_t id, clockid_t *c)
{
	static const clockid_t ids[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
					 CLOCK_THREAD_CPUTIME_ID };
	if (id >= ARRAY_SIZE(ids))
		return WE_INVAL;
	*c = ids[id];
	return 0;
}

static uint64_t ts_ns(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
}

static int w_clock_res_get(wa_wasi *w, const uint64_t *a)
{
	clockid_t c;
	struct timespec t;
	int err = host_clock((uint32_t)a[0], &c);
	if (err)
		return err;
	GP(p, (uint32_t)a[1], 8);
	if (clock_getres(c, &t))
		return wa_wasi_errno(errno);
	st_le64(p, ts_ns(&t));
	return 0;
}

static int w_clock_time_get(wa_wasi *w, const uint64_t *a)
{
	clockid_t c;
	struct timespec t;
	int err = host_clock((uint32_t)a[0], &c);
	if (err)
		return err;
	GP(p, (uint32_t)a[2], 8);
	if (clock_gettime(c, &t))
		return wa_wasi_errno(errno);
	st_le64(p, ts_ns(&t));
	return 0;
}

static int w_random_get(wa_wasi *w, const uint64_t *a)
{
	uint32_t len = (uint32_t)a[1];
	GP(p, (uint32_t)a[0], len);
	for (uint32_t done = 0; done < len;) {
		ssize_t n = getrandom(p + done, len - done, 0);
		if (n < 0 && errno != EINTR)
			return WE_IO;
		if (n > 0)
			done += (uint32_t)n;
	}
	return 0;
}

static int w_sched_yield(wa_wasi *w, const uint64_t *a)
{
	if (!w->hooks || !w->hooks->sleep) {
		sched_yield();
		return 0;
	}
	if (w->hooks->sleep(w->hooks_ctx, 0)) {
		w->trap = WA_TRAP_INTERRUPT;
		return TRAPPED;
	}
	return 0;
}

static int w_proc_exit(wa_wasi *w, const uint64_t *a)
{
	w->exit_code = (uint32_t)a[0];
	w->trap = wa_wasi_exit_trap;
	return TRAPPED;
}

static int w_proc_raise(wa_wasi *w, const uint64_t *a)
{
	w->trap = "proc_raise unsupported";
	return TRAPPED;
}

/* ---- reading and writing ---- */

/* Guest iovecs (8 bytes each: pointer, length) as host iovecs; at most
 * IOV_MAX are used (a short transfer, as POSIX allows). */
static int get_iovs(wa_wasi *w, uint32_t p, uint32_t n, struct iovec *v, int *cnt)
{
	GP(g, p, (uint64_t)n * 8);
	if (n > IOV_MAX)
		n = IOV_MAX;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t ptr = ld_le32(g + 8 * i), len = ld_le32(g + 8 * i + 4);
		GP(b, ptr, len);
		v[i] = (struct iovec){ b, len };
	}
	*cnt = (int)n;
	return 0;
}

/* Up to max bytes and np iovecs of v[i..n), from byte at of v[i], in piece. */
static int iov_piece(const struct iovec *v, int n, int i, size_t at, size_t max, struct iovec *piece, int np)
{
	int k = 0;
	for (; i < n && max && k < np; i++, at = 0) {
		size_t l = v[i].iov_len - at;
		if (!l)
			continue;
		if (l > max)
			l = max;
		piece[k++] = (struct iovec){ (char *)v[i].iov_base + at, l };
		max -= l;
	}
	return k;
}

/* A write to a pipe, terminal or socket.  The host fd stays blocking (it may
 * be shared with others), and a writev of the whole buffer could block for
 * good after poll said writable, out of reach of an interrupt.  So: poll
 * (watching the interrupt pipe), then write only what cannot block --
 * sockets with MSG_DONTWAIT, pipes with RWF_NOWAIT where the kernel has it,
 * else at most PIPE_BUF bytes, which a pipe that poll calls writable takes
 * at once -- and repeat.  Bytes written before an error, or before a stall
 * of an emulated-nonblocking fd, are a short write; an interrupt traps. */
static int write_stream(wa_wasi *w, wfd *f, const struct iovec *v, int n, uint8_t *res)
{
	struct iovec piece[64];
	bool sock = f->type == FT_STREAM || f->type == FT_DGRAM;
	size_t done = 0, at = 0, total = 0;
	int i = 0, err;
	for (int k = 0; k < n; k++)
		total += v[k].iov_len;
	while (done < total) {
		if ((err = wait_fd(w, f, POLLOUT))) {
			if (err == TRAPPED || !done)
				return err;
			break; /* nonblocking and full */
		}
		int k = iov_piece(v, n, i, at, sock || !f->no_nowait ? total : PIPE_BUF, piece, 64);
		ssize_t r;
		if (sock) {
			struct msghdr m = { .msg_iov = piece, .msg_iovlen = (size_t)k };
			r = sendmsg(f->host, &m, MSG_DONTWAIT);
		} else if (f->no_nowait) {
			r = writev(f->host, piece, k);
		} else {
#ifdef RWF_NOWAIT
			r = pwritev2(f->host, piece, k, -1, RWF_NOWAIT);
			if (r < 0 && (errno == EOPNOTSUPP || errno == EINVAL || errno == ENOSYS))
#else
			r = -1;
#endif
				f->no_nowait = true; /* terminals, older kernels: pieces */
			if (f->no_nowait)
				continue;
		}
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			continue;
		if (r < 0) {
			if (!done)
				return wa_wasi_errno(errno);
			break; /* the error comes again on the next call */
		}
		done += (size_t)r;
		for (size_t adv = (size_t)r; adv && i < n;) {
			size_t left = v[i].iov_len - at;
			if (adv < left) {
				at += adv;
				adv = 0;
			} else {
				adv -= left;
				i++;
				at = 0;
			}
		}
	}
	st_le32(res, (uint32_t)done);
	return 0;
}

/* The first n bytes written from v, for the embedder's output hook. */
static void to_hook(wa_wasi *w, const wfd *f, const struct iovec *v, int cnt, size_t n)
{
	if (!f->stream || !w->hooks || !w->hooks->output)
		return;
	for (int i = 0; i < cnt && n; i++) {
		size_t k = v[i].iov_len < n ? v[i].iov_len : n;
		if (k)
			w->hooks->output(w->hooks_ctx, f->stream, v[i].iov_base, k);
		n -= k;
	}
}

/* Shared by read/write/pread/pwrite: a[1], a[2] are the iovecs, out the
 * result pointer, off the offset (< 0: the fd's position). */
static int rw(wa_wasi *w, const uint64_t *a, bool wr, int64_t off, uint32_t out, uint64_t rights)
{
	struct iovec v[IOV_MAX];
	int n, err;
	ssize_t r;
	FD(f, (uint32_t)a[0], rights);
	if ((err = get_iovs(w, (uint32_t)a[1], (uint32_t)a[2], v, &n)))
		return err;
	GP(res, out, 4);
	if (off < 0 && wr && f->type != FT_FILE && f->type != FT_DIR && f->type != FT_BLOCK) {
		if ((err = write_stream(w, f, v, n, res)))
			return err;
		to_hook(w, f, v, n, ld_le32(res));
		return 0;
	}
	if (off < 0 && (err = wait_fd(w, f, wr ? POLLOUT : POLLIN)))
		return err;
	if (off >= 0)
		r = wr ? pwritev(f->host, v, n, off) : preadv(f->host, v, n, off);
	else
		r = wr ? writev(f->host, v, n) : readv(f->host, v, n);
	if (r < 0)
		return wa_wasi_errno(errno);
	if (wr)
		to_hook(w, f, v, n, (size_t)r);
	st_le32(res, (uint32_t)r);
	return 0;
}

static int w_fd_read(wa_wasi *w, const uint64_t *a)
{
	return rw(w, a, false, -1, (uint32_t)a[3], R(R_FD_READ));
}

static int w_fd_write(wa_wasi *w, const uint64_t *a)
{
	return rw(w, a, true, -1, (uint32_t)a[3], R(R_FD_WRITE));
}

static int w_fd_pread(wa_wasi *w, const uint64_t *a)
{
	if ((int64_t)a[3] < 0)
		return WE_INVAL;
	return rw(w, a, false, (int64_t)a[3], (uint32_t)a[4], R(R_FD_READ) | R(R_FD_SEEK));
}

static int w_fd_pwrite(wa_wasi *w, const uint64_t *a)
{
	if ((int64_t)a[3] < 0)
		return WE_INVAL;
	return rw(w, a, true, (int64_t)a[3], (uint32_t)a[4], R(R_FD_WRITE) | R(R_FD_SEEK));
}

static int w_fd_seek(wa_wasi *w, const uint64_t *a)
{
	static const int whences[] = { SEEK_SET, SEEK_CUR, SEEK_END };
	uint32_t whence = (uint32_t)a[2];
	bool tell = whence == 1 && a[1] == 0;
	FD(f, (uint32_t)a[0], tell ? 0 : R(R_FD_SEEK));
	if (tell && !(f->base & (R(R_FD_SEEK) | R(R_FD_TELL))))
		return WE_NOTCAPABLE;
	if (whence > 2)
		return WE_INVAL;
	GP(p, (uint32_t)a[3], 8);
	off_t r = lseek(f->host, (off_t)a[1], whences[whence]);
	if (r < 0)
		return wa_wasi_errno(errno);
	st_le64(p, (uint64_t)r);
	return 0;
}

static int w_fd_tell(wa_wasi *w, const uint64_t *a)
{
	FD(f, (uint32_t)a[0], R(R_FD_TELL));
	GP(p, (uint32_t)a[1], 8);
	off_t r = lseek(f->host, 0, SEEK_CUR);
	if (r < 0)
		return wa_wasi_errno(errno);
	st_le64(p, (uint64_t)r);
	return 0;
}

/* ---- fd state ---- */

static int w_fd_close(wa_wasi *w, const uint64_t *a)
{
	FD(f, (uint32_t)a[0], 0);
	fd_release(f);
	return 0;
}

static int w_fd_renumber(wa_wasi *w, const uint64_t *a)
{
	FD(from, (uint32_t)a[0], 0);
	FD(to, (uint32_t)a[1], 0);
	if (from == to)
		return 0;
	fd_release(to);
	*to = *from;
	*from = (wfd){ .host = -1 };
	return 0;
}

static int w_fd_sync(wa_wasi *w, const uint64_t *a)
{
	FD(f, (uint32_t)a[0], R(R_FD_SYNC));
	return fsync(f->host) ? wa_wasi_errno(errno) : 0;
}

static int w_fd_datasync(wa_wasi *w, const uint64_t *a)
{
	FD(f, (uint32_t)a[0], R(R_FD_DATASYNC));
	return fdatasync(f->host) ? wa_wasi_errno(errno) : 0;
}

static int w_fd_advise(wa_wasi *w, const uint64_t *a)
{
	static const int adv[] = { POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
				   POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE };
	FD(f, (uint32_t)a[0], R(R_FD_ADVISE));
	if ((uint32_t)a[3] >= ARRAY_SIZE(adv) || (int64_t)a[1] < 0 || (int64_t)a[2] < 0)
		return WE_INVAL;
	int r = posix_fadvise(f->host, (off_t)a[1], (off_t)a[2], adv[(uint32_t)a[3]]);
	return r ? wa_wasi_errno(r) : 0;
}

static int w_fd_allocate(wa_wasi *w, const uint64_t *a)
{
	FD(f, (uint32_t)a[0], R(R_FD_ALLOCATE));
	if ((int64_t)a[1] < 0 || (int64_t)a[2] <= 0 || a[1] + a[2] > (uint64_t)INT64_MAX)
		return WE_INVAL;
	int r = posix_fallocate(f->host, (off_t)a[1], (off_t)a[2]);
	return r ? wa_wasi_errno(r) : 0;
}

static uint16_t fdflags(wfd *f)
{
	int fl = fcntl(f->host, F_GETFL);
	uint16_t r = f->nonblock ? FDF_NONBLOCK : 0;
	if (fl < 0)
		return r;
	if (fl & O_APPEND)
		r |= FDF_APPEND;
	if ((fl & O_SYNC) == O_SYNC)
		r |= FDF_SYNC;
	else if (fl & O_DSYNC)
		r |= FDF_DSYNC;
	return r;
}

static int w_fd_fdstat_get(wa_wasi *w, const uint64_t *a)
{
	FD(f, (uint32_t)a[0], 0);
	GP(p, (uint32_t)a[1], 24);
	memset(p, 0, 24);
	p[0] = f->type;
	st_le16(p + 2, fdflags(f));
	st_le64(p + 8, f->base);
	st_le64(p + 16, f->inh);
	return 0;
}

static int w_fd_fdstat_set_flags(wa_wasi *w, const uint64_t *a)
{
	uint32_t fl = (uint32_t)a[1];
	FD(f, (uint32_t)a[0], R(R_FD_FDSTAT_SET_FLAGS));
	if (fl & ~0x1fu)
		return WE_INVAL;
	if ((fl ^ fdflags(f)) & (FDF_DSYNC | FDF_RSYNC | FDF_SYNC))
		return WE_NOTSUP; /* Linux cannot change these after open */
	if ((fl ^ fdflags(f)) & FDF_APPEND) {
		int hf = fcntl(f->host, F_GETFL);
		if (!f->own)
			return WE_NOTSUP; /* a borrowed fd's description is the host's */
		if (hf < 0 || fcntl(f->host, F_SETFL, (fl & FDF_APPEND) ? hf | O_APPEND : hf & ~O_APPEND))
			return wa_wasi_errno(errno);
	}
	f->nonblock = fl & FDF_NONBLOCK;
	return 0;
}

static int w_fd_fdstat_set_rights(wa_wasi *w, const uint64_t *a)
{
	FD(f, (uint32_t)a[0], 0);
	if ((a[1] & ~f->base) || (a[2] & ~f->inh))
		return WE_NOTCAPABLE; /* rights only shrink */
	f->base = a[1];
	f->inh = a[2];
	return 0;
}

/* ---- file attributes ---- */

static void put_filestat(uint8_t *p, const struct stat *st, uint8_t type)
{
	memset(p, 0, 64);
	st_le64(p, (uint64_t)st->st_dev);
	st_le64(p + 8, (uint64_t)st->st_ino);
	p[16] = type;
	st_le64(p + 24, (uint64_t)st->st_nlink);
	st_le64(p + 32, (uint64_t)st->st_size);
	st_le64(p + 40, ts_ns(&st->st_atim));
	st_le64(p + 48, ts_ns(&st->st_mtim));
	st_le64(p + 56, ts_ns(&st->st_ctim));
}

static int w_fd_filestat_get(wa_wasi *w, const uint64_t *a)
{
	struct stat st;
	FD(f, (uint32_t)a[0], R(R_FD_FILESTAT_GET));
	GP(p, (uint32_t)a[1], 64);
	if (fstat(f->host, &st))
		return wa_wasi_errno(errno);
	put_filestat(p, &st, host_type(f->host, &st));
	return 0;
}

static int w_fd_filestat_set_size(wa_wasi *w, const uint64_t *a)
{
	FD(f, (uint32_t)a[0], R(R_FD_FILESTAT_SET_SIZE));
	if ((int64_t)a[1] < 0)
		return WE_INVAL;
	return ftruncate(f->host, (off_t)a[1]) ? wa_wasi_errno(errno) : 0;
}

/* atim, mtim and fstflags as the two timespecs of utimensat. */
static int fst_times(uint64_t atim, uint64_t mtim, uint32_t fl, struct timespec ts[2])
{
	const uint64_t v[2] = { atim, mtim };
	if (fl & ~0xfu)
		return WE_INVAL;
	for (int i = 0; i < 2; i++) {
		uint32_t set = (fl >> (2 * i)) & 1, now = (fl >> (2 * i + 1)) & 1;
		if (set && now)
			return WE_INVAL;
		ts[i].tv_sec = set ? (time_t)(v[i] / 1000000000u) : 0;
		ts[i].tv_nsec = set ? (long)(v[i] % 1000000000u) : now ? UTIME_NOW : UTIME_OMIT;
	}
	return 0;
}

static int w_fd_filestat_set_times(wa_wasi *w, const uint64_t *a)
{
	struct timespec ts[2];
	FD(f, (uint32_t)a[0], R(R_FD_FILESTAT_SET_TIMES));
	int err = fst_times(a[1], a[2], (uint32_t)a[3], ts);
	if (err)
		return err;
	return futimens(f->host, ts) ? wa_wasi_errno(errno) : 0;
}

/* ---- preopens and directories ---- */

static int w_fd_prestat_get(wa_wasi *w, const uint64_t *a)
{
	FD(f, (uint32_t)a[0], 0);
	if (!f->preopen)
		return WE_BADF; /* wasi-libc's preopen scan stops at EBADF only */
	GP(p, (uint32_t)a[1], 8);
	memset(p, 0, 8);
	st_le32(p + 4, (uint32_t)strlen(f->preopen));
	return 0;
}

static int w_fd_prestat_dir_name(wa_wasi *w, const uint64_t *a)
{
	FD(f, (uint32_t)a[0], 0);
	if (!f->preopen)
		return WE_BADF;
	size_t n = strlen(f->preopen);
	if ((uint32_t)a[2] < n)
		return WE_NAMETOOLONG;
	GP(p, (uint32_t)a[1], n);
	memcpy(p, f->preopen, n);
	return 0;
}

static uint8_t dirent_type(DIR *d, const struct dirent *e)
{
	struct stat st;
	switch (e->d_type) {
	case DT_BLK: return FT_BLOCK;
	case DT_CHR: return FT_CHAR;
	case DT_DIR: return FT_DIR;
	case DT_REG: return FT_FILE;
	case DT_LNK: return FT_SYMLINK;
	case DT_SOCK: return FT_STREAM;
	case DT_UNKNOWN:
		if (!fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			return host_type(-1, &st);
		return FT_UNKNOWN;
	default: return FT_UNKNOWN;
	}
}

/* Put the stream at entry index cookie (cookies are entry indexes). */
static int dir_seek(wfd *f, uint64_t cookie)
{
	if (!f->dir) {
		int fd = openat(f->host, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || !(f->dir = fdopendir(fd))) {
			int err = wa_wasi_errno(errno);
			if (fd >= 0)
				close(fd);
			return err;
		}
		f->dirpos = 0;
	}
	if (cookie == f->dirpos)
		return 0;
	if (cookie < f->dirpos) {
		rewinddir(f->dir);
		f->dirpos = 0;
	}
	while (f->dirpos < cookie && readdir(f->dir))
		f->dirpos++;
	return 0;
}

static int w_fd_readdir(wa_wasi *w, const uint64_t *a)
{
	uint32_t len = (uint32_t)a[2], used = 0;
	FD(f, (uint32_t)a[0], 0);
	if (f->type != FT_DIR)
		return WE_NOTDIR;
	if (!(f->base & R(R_FD_READDIR)))
		return WE_NOTCAPABLE;
	GP(buf, (uint32_t)a[1], len);
	GP(res, (uint32_t)a[4], 4);
	int err = dir_seek(f, a[3]);
	if (err)
		return err;
	while (used < len) {
		long at = telldir(f->dir);
		struct dirent *e = readdir(f->dir);
		uint8_t hdr[24];
		if (!e)
			break;
		uint32_t nl = (uint32_t)strlen(e->d_name), n;
		st_le64(hdr, f->dirpos + 1);
		st_le64(hdr + 8, (uint64_t)e->d_ino);
		st_le32(hdr + 16, nl);
		st_le32(hdr + 20, dirent_type(f->dir, e)); /* type byte and padding */
		n = len - used < 24 ? len - used : 24;
		memcpy(buf + used, hdr, n);
		used += n;
		n = len - used < nl ? len - used : nl;
		memcpy(buf + used, e->d_name, n);
		used += n;
		if (n < nl || used == len) { /* cut short: the guest asks again from here */
			if (n < nl)
				seekdir(f->dir, at);
			else
				f->dirpos++;
			break;
		}
		f->dirpos++;
	}
	st_le32(res, used);
	return 0;
}

/* ---- paths ---- */

/* The guest path (p, len) beneath directory fd dfd, which needs rights. */
static int path_get(wa_wasi *w, uint32_t dfd, uint64_t rights, uint32_t p, uint32_t len, bool follow,
		    wa_wpath *out)
{
	FD(d, dfd, rights);
	GP(s, p, len);
	if (d->type != FT_DIR)
		return WE_NOTDIR;
	return wa_wpath_resolve(d->host, (const char *)s, len, follow, w->no_openat2, out);
}

#define PATH(var, fd, rights, p, len, follow) wa_wpath var; \
	{ int e_ = path_get(w, (fd), (rights), (p), (len), (follow), &var); if (e_) return e_; }

static int done(wa_wpath *p, int r)
{
	int err = r < 0 ? wa_wasi_errno(errno) : 0;
	wa_wpath_done(p);
	return err;
}

/* A path that ended in '/' must name a directory. */
static int check_dir(wa_wpath *p)
{
	struct stat st;
	if (p->must_dir && !fstatat(p->dir, p->name, &st, AT_SYMLINK_NOFOLLOW) && !S_ISDIR(st.st_mode))
		return WE_NOTDIR;
	return 0;
}

static int w_path_create_directory(wa_wasi *w, const uint64_t *a)
{
	PATH(p, (uint32_t)a[0], R(R_PATH_CREATE_DIRECTORY), (uint32_t)a[1], (uint32_t)a[2], false);
	return done(&p, mkdirat(p.dir, p.name, 0777));
}

static int w_path_remove_directory(wa_wasi *w, const uint64_t *a)
{
	PATH(p, (uint32_t)a[0], R(R_PATH_REMOVE_DIRECTORY), (uint32_t)a[1], (uint32_t)a[2], false);
	return done(&p, unlinkat(p.dir, p.name, AT_REMOVEDIR));
}

static int w_path_unlink_file(wa_wasi *w, const uint64_t *a)
{
	PATH(p, (uint32_t)a[0], R(R_PATH_UNLINK_FILE), (uint32_t)a[1], (uint32_t)a[2], false);
	int err = check_dir(&p);
	if (err || p.must_dir) {
		wa_wpath_done(&p);
		return err ? err : WE_ISDIR;
	}
	return done(&p, unlinkat(p.dir, p.name, 0));
}

static int w_path_filestat_get(wa_wasi *w, const uint64_t *a)
{
	struct stat st;
	PATH(p, (uint32_t)a[0], R(R_PATH_FILESTAT_GET), (uint32_t)a[2], (uint32_t)a[3], a[1] & LOOKUP_FOLLOW);
	uint8_t *out = gp(w, (uint32_t)a[4], 64);
	int err = out ? 0 : WE_FAULT;
	if (!err && fstatat(p.dir, p.name, &st, AT_SYMLINK_NOFOLLOW))
		err = wa_wasi_errno(errno);
	if (!err && p.must_dir && !S_ISDIR(st.st_mode))
		err = WE_NOTDIR;
	if (!err)
		put_filestat(out, &st, host_type(-1, &st));
	wa_wpath_done(&p);
	return err;
}

static int w_path_filestat_set_times(wa_wasi *w, const uint64_t *a)
{
	struct timespec ts[2];
	int err = fst_times(a[4], a[5], (uint32_t)a[6], ts);
	if (err)
		return err;
	PATH(p, (uint32_t)a[0], R(R_PATH_FILESTAT_SET_TIMES), (uint32_t)a[2], (uint32_t)a[3],
	     a[1] & LOOKUP_FOLLOW);
	return done(&p, utimensat(p.dir, p.name, ts, AT_SYMLINK_NOFOLLOW));
}

static int w_path_readlink(wa_wasi *w, const uint64_t *a)
{
	char target[WA_WPATH_MAX];
	uint32_t blen = (uint32_t)a[4];
	GP(buf, (uint32_t)a[3], blen);
	GP(res, (uint32_t)a[5], 4);
	PATH(p, (uint32_t)a[0], R(R_PATH_READLINK), (uint32_t)a[1], (uint32_t)a[2], false);
	ssize_t n = readlinkat(p.dir, p.name, target, sizeof target);
	int err = done(&p, (int)n);
	if (err)
		return err;
	if ((uint64_t)n > blen)
		n = blen; /* truncated, as POSIX readlink */
	memcpy(buf, target, (size_t)n);
	st_le32(res, (uint32_t)n);
	return 0;
}

static int w_path_rename(wa_wasi *w, const uint64_t *a)
{
	PATH(o, (uint32_t)a[0], R(R_PATH_RENAME_SOURCE), (uint32_t)a[1], (uint32_t)a[2], false);
	wa_wpath n = { .dir = -1 }; /* done() below even when path_get fails early */
	int err = path_get(w, (uint32_t)a[3], R(R_PATH_RENAME_TARGET), (uint32_t)a[4], (uint32_t)a[5], false, &n);
	if (!err && (err = check_dir(&o)) == 0 && n.must_dir && !o.must_dir)
		o.must_dir = true, err = check_dir(&o);
	if (!err && renameat(o.dir, o.name, n.dir, n.name))
		err = wa_wasi_errno(errno);
	wa_wpath_done(&o);
	wa_wpath_done(&n);
	return err;
}

static int w_path_link(wa_wasi *w, const uint64_t *a)
{
	PATH(o, (uint32_t)a[0], R(R_PATH_LINK_SOURCE), (uint32_t)a[2], (uint32_t)a[3], a[1] & LOOKUP_FOLLOW);
	wa_wpath n = { .dir = -1 }; /* done() below even when path_get fails early */
	int err = path_get(w, (uint32_t)a[4], R(R_PATH_LINK_TARGET), (uint32_t)a[5], (uint32_t)a[6], false, &n);
	if (!err && linkat(o.dir, o.name, n.dir, n.name, 0))
		err = wa_wasi_errno(errno);
	wa_wpath_done(&o);
	wa_wpath_done(&n);
	return err;
}

static int w_path_symlink(wa_wasi *w, const uint64_t *a)
{
	uint32_t tlen = (uint32_t)a[1];
	GP(t, (uint32_t)a[0], tlen);
	if (tlen > WA_WPATH_MAX)
		return WE_NAMETOOLONG;
	if (!tlen || memchr(t, 0, tlen))
		return tlen ? WE_INVAL : WE_NOENT;
	if (t[0] == '/')
		return WE_NOTCAPABLE; /* a link out of the sandbox is of no use to the guest */
	char target[WA_WPATH_MAX + 1];
	memcpy(target, t, tlen);
	target[tlen] = 0;
	PATH(p, (uint32_t)a[2], R(R_PATH_SYMLINK), (uint32_t)a[3], (uint32_t)a[4], false);
	return done(&p, symlinkat(target, p.dir, p.name));
}

/* path_open's host flags from oflags, fdflags and the rights asked for. */
static int open_flags(uint32_t of, uint32_t ff, uint64_t base)
{
	bool rd = base & RIGHTS_READING, wr = base & RIGHTS_WRITING;
	int fl = O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK; /* no waiting on a FIFO's peer */
	fl |= wr ? (rd ? O_RDWR : O_WRONLY) : O_RDONLY;
	if (of & OF_CREAT)
		fl |= O_CREAT;
	if (of & OF_DIRECTORY)
		fl |= O_DIRECTORY;
	if (of & OF_EXCL)
		fl |= O_EXCL;
	if (of & OF_TRUNC)
		fl |= O_TRUNC;
	if (ff & FDF_APPEND)
		fl |= O_APPEND;
	if (ff & FDF_DSYNC)
		fl |= O_DSYNC;
	if (ff & (FDF_SYNC | FDF_RSYNC))
		fl |= O_SYNC;
	return fl;
}

static int w_path_open(wa_wasi *w, const uint64_t *a)
{
	uint32_t of = (uint32_t)a[4], ff = (uint32_t)a[7], nfd;
	uint64_t need = R(R_PATH_OPEN), base = a[5], inh = a[6];
	if (of & ~0xfu || ff & ~0x1fu)
		return WE_INVAL;
	if (of & OF_CREAT)
		need |= R(R_PATH_CREATE_FILE);
	if (of & OF_TRUNC)
		need |= R(R_PATH_FILESTAT_SET_SIZE);
	GP(res, (uint32_t)a[8], 4);
	PATH(p, (uint32_t)a[0], need, (uint32_t)a[2], (uint32_t)a[3], a[1] & LOOKUP_FOLLOW);
	wfd *dir = &w->fds[(uint32_t)a[0]];
	int fl = open_flags(of, ff, base) | (p.must_dir ? O_DIRECTORY : 0);
	int h = openat(p.dir, p.name, fl, 0666);
	int err = done(&p, h);
	if (err)
		return err;
	if (fcntl(h, F_SETFL, fl & (O_APPEND | O_DSYNC | O_SYNC))) { /* back to blocking */
		close(h);
		return wa_wasi_errno(errno);
	}
	uint64_t parent_inh = dir->inh;
	if ((err = fd_install(w, -1, h, true, base & parent_inh, inh & parent_inh, &nfd))) {
		close(h);
		return err;
	}
	w->fds[nfd].nonblock = ff & FDF_NONBLOCK;
	st_le32(res, nfd);
	return 0;
}

/* ---- poll_oneoff ---- */

enum { EV_CLOCK, EV_READ, EV_WRITE };

/* A subscription as read once from guest memory (the events may overwrite
 * it: in and out can overlap). */
typedef struct sub {
	uint64_t userdata;
	uint64_t deadline;      /* clocks: monotonic ns */
	int fd;                 /* fd_read/fd_write: the checked guest fd, else -1 */
	int slot;               /* its host fd's entry in pfd, -1: not polled */
	uint16_t err;           /* fires at once with this error */
	uint8_t tag;
	bool ready;             /* fires at once (a regular file, an error) */
} sub;

/* ppoll refuses more entries than RLIMIT_NOFILE (EINVAL), while a guest may
 * pass 65,536 subscriptions, most on the same few fds: pfd has one entry per
 * distinct host fd (their events merged; found through a hash of host fds),
 * then the interrupt pipe.  Distinct host fds are open fds, within the limit
 * unless it was lowered after they were opened: then poll_wait polls them
 * in pieces. */
typedef struct pollctx {
	sub *subs;
	struct pollfd *pfd;
	uint32_t npfd;
	uint32_t *hash, hmask;  /* pfd index + 1, 0: empty */
	uint64_t earliest;      /* UINT64_MAX: no clock */
	uint32_t nready;
} pollctx;

/* The pfd entry for host fd h, events ev added. */
static int pfd_slot(pollctx *c, int h, short ev)
{
	uint32_t k = ((uint32_t)h * 2654435761u) & c->hmask;
	for (; c->hash[k]; k = (k + 1) & c->hmask)
		if (c->pfd[c->hash[k] - 1].fd == h) {
			c->pfd[c->hash[k] - 1].events |= ev;
			return (int)c->hash[k] - 1;
		}
	c->pfd[c->npfd] = (struct pollfd){ h, ev, 0 };
	c->hash[k] = ++c->npfd;
	return (int)c->npfd - 1;
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return ts_ns(&t);
}

static void sub_clock(pollctx *c, sub *u, const uint8_t *s)
{
	uint32_t id = ld_le32(s + 16);
	uint64_t t = ld_le64(s + 24), now, mono;
	clockid_t hc;
	if (id > 1 || host_clock(id, &hc)) { /* realtime and monotonic only */
		u->err = WE_INVAL;
		u->ready = true;
		return;
	}
	now = now_ns(hc);
	if (ld_le16(s + 40) & 1) /* absolute: the time left on that clock */
		t = t > now ? t - now : 0;
	mono = now_ns(CLOCK_MONOTONIC);
	u->deadline = t > UINT64_MAX - mono ? UINT64_MAX : mono + t;
	if (u->deadline < c->earliest)
		c->earliest = u->deadline;
}

/* Read subscription i (48 bytes at s). */
static int sub_read(wa_wasi *w, pollctx *c, uint32_t i, const uint8_t *s)
{
	sub *u = &c->subs[i];
	wfd *f;
	*u = (sub){ .userdata = ld_le64(s), .tag = s[8], .fd = -1, .slot = -1 };
	if (u->tag == EV_CLOCK) {
		sub_clock(c, u, s);
	} else if (u->tag == EV_READ || u->tag == EV_WRITE) {
		uint32_t fd = ld_le32(s + 16);
		u->err = (uint16_t)fd_get(w, fd, R(R_POLL_FD_READWRITE), &f);
		if (u->err || f->type == FT_FILE || f->type == FT_DIR || f->type == FT_BLOCK) {
			u->ready = true; /* files are always ready */
			u->fd = !u->err && f->type == FT_FILE ? (int)fd : -1;
		} else {
			u->slot = pfd_slot(c, f->host, u->tag == EV_READ ? POLLIN : POLLOUT);
		}
	} else {
		return WE_INVAL;
	}
	c->nready += u->ready;
	return 0;
}

/* The event for subscription i if it fired (32 bytes at ev): 1, else 0. */
static int event_put(wa_wasi *w, pollctx *c, uint32_t i, uint8_t *ev, uint64_t mono)
{
	const sub *u = &c->subs[i];
	uint64_t nbytes = 0;
	uint16_t flags = 0, err = u->err;
	int avail = 0;
	if (u->tag == EV_CLOCK && !u->ready && u->deadline > mono)
		return 0;
	if (u->tag != EV_CLOCK && u->slot >= 0) {
		const struct pollfd *pf = &c->pfd[u->slot];
		short r = pf->revents & ((u->tag == EV_READ ? POLLIN : POLLOUT) | POLLERR | POLLHUP | POLLNVAL);
		if (!r)
			return 0;
		if (r & POLLNVAL)
			err = WE_BADF;
		if (r & POLLHUP)
			flags = 1; /* fd_readwrite_hangup */
		if (u->tag == EV_READ && !ioctl(pf->fd, FIONREAD, &avail) && avail > 0)
			nbytes = (uint64_t)avail;
	} else if (u->tag == EV_READ && u->fd >= 0) { /* a regular file: what is left */
		struct stat st;
		int h = w->fds[u->fd].host;
		off_t pos = lseek(h, 0, SEEK_CUR);
		if (!fstat(h, &st) && pos >= 0 && st.st_size > pos)
			nbytes = (uint64_t)(st.st_size - pos);
	}
	memset(ev, 0, 32);
	st_le64(ev, u->userdata);
	st_le16(ev + 8, err);
	ev[10] = u->tag;
	st_le64(ev + 16, nbytes);
	st_le16(ev + 24, flags);
	return 1;
}

/* ppoll of n entries, more than RLIMIT_NOFILE allows at once: every piece
 * the limit allows polled without waiting, then a nap of at most 10 ms on
 * the last entry alone (the interrupt pipe), until something is ready or
 * the time tp is up. */
static int poll_pieces(struct pollfd *p, uint32_t n, const struct timespec *tp)
{
	struct rlimit rl;
	uint64_t end = tp ? now_ns(CLOCK_MONOTONIC) + ts_ns(tp) : UINT64_MAX;
	uint32_t max = !getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < MAX_SUBS ? (uint32_t)rl.rlim_cur : MAX_SUBS;
	max = max ? max : 1;
	for (;;) {
		int total = 0;
		for (uint32_t i = 0; i < n; i += max) {
			int r = poll(p + i, n - i < max ? n - i : max, 0);
			if (r < 0)
				return -1;
			total += r;
		}
		uint64_t now = now_ns(CLOCK_MONOTONIC);
		if (total || now >= end)
			return total;
		struct timespec nap = { 0, (long)(end - now < 10000000 ? end - now : 10000000) };
		if (ppoll(p + n - 1, 1, &nap, NULL) < 0 && errno != EINTR)
			return -1;
	}
}

/* Wait for the fds (and the interrupt pipe) until the earliest deadline. */
static int poll_wait(wa_wasi *w, pollctx *c)
{
	struct pollfd *p = c->pfd;
	uint32_t n = c->npfd;
	p[n] = (struct pollfd){ w->intr[0], POLLIN, 0 };
	for (;;) {
		uint64_t mono = now_ns(CLOCK_MONOTONIC);
		struct timespec ts, *tp = NULL;
		if (c->nready) {
			ts = (struct timespec){ 0, 0 };
			tp = &ts;
		} else if (c->earliest != UINT64_MAX) {
			uint64_t d = c->earliest > mono ? c->earliest - mono : 0;
			ts = (struct timespec){ (time_t)(d / 1000000000u), (long)(d % 1000000000u) };
			tp = &ts;
		}
		int r = ppoll(p, n + 1, tp, NULL);
		if (r < 0 && errno == EINVAL) /* above RLIMIT_NOFILE */
			r = poll_pieces(p, n + 1, tp);
		if (r < 0 && errno != EINTR)
			return wa_wasi_errno(errno);
		if (p[n].revents) {
			if (interrupt_traps(w)) {
				w->trap = WA_TRAP_INTERRUPT;
				return TRAPPED;
			}
			p[n].revents = 0;
			if (r == 1)
				continue; /* only the wake: wait on */
		}
		if (r > 0 || c->nready || now_ns(CLOCK_MONOTONIC) >= c->earliest)
			return 0;
	}
}

/* Nothing but clocks to wait for, and an embedder that sleeps without
 * holding the thread. */
static bool clocks_only(wa_wasi *w, const pollctx *c)
{
	return w->hooks && w->hooks->sleep && !c->npfd && !c->nready && c->earliest != UINT64_MAX;
}

static int sleep_until(wa_wasi *w, uint64_t deadline)
{
	if (w->hooks->sleep(w->hooks_ctx, deadline)) {
		w->trap = WA_TRAP_INTERRUPT;
		return TRAPPED;
	}
	return 0;
}

static int w_poll_oneoff(wa_wasi *w, const uint64_t *a)
{
	uint32_t n = (uint32_t)a[2], nev = 0;
	pollctx c = { .earliest = UINT64_MAX };
	int err = 0;
	if (!n || n > MAX_SUBS)
		return WE_INVAL;
	GP(in, (uint32_t)a[0], (uint64_t)n * 48);
	GP(out, (uint32_t)a[1], (uint64_t)n * 32);
	GP(res, (uint32_t)a[3], 4);
	uint32_t hsize = 2;
	while (hsize < 2 * n)
		hsize *= 2;
	c.hmask = hsize - 1;
	c.subs = calloc(n, sizeof *c.subs);
	c.pfd = calloc(n + 1, sizeof *c.pfd);
	c.hash = calloc(hsize, sizeof *c.hash);
	if (!c.subs || !c.pfd || !c.hash)
		err = WE_NOMEM;
	for (uint32_t i = 0; !err && i < n; i++)
		err = sub_read(w, &c, i, in + 48 * i);
	if (!err)
		err = clocks_only(w, &c) ? sleep_until(w, c.earliest) : poll_wait(w, &c);
	if (!err) {
		uint64_t mono = now_ns(CLOCK_MONOTONIC);
		for (uint32_t i = 0; i < n; i++)
			nev += (uint32_t)event_put(w, &c, i, out + 32 * nev, mono);
		st_le32(res, nev);
	}
	free(c.subs);
	free(c.pfd);
	free(c.hash);
	return err;
}

/* ---- sockets ---- */

static int sock_get(wa_wasi *w, uint32_t fd, uint64_t rights, wfd **out)
{
	wfd *f;
	int err = fd_get(w, fd, 0, &f);
	if (err)
		return err;
	if (f->type != FT_STREAM && f->type != FT_DGRAM)
		return WE_NOTSOCK;
	return fd_get(w, fd, rights, out);
}
#define SOCK(var, fd, rights) wfd *var; { int e_ = sock_get(w, (fd), (rights), &var); if (e_) return e_; }

static int w_sock_accept(wa_wasi *w, const uint64_t *a)
{
	uint32_t fl = (uint32_t)a[1], nfd;
	SOCK(f, (uint32_t)a[0], R(R_SOCK_ACCEPT));
	if (fl & ~(uint32_t)FDF_NONBLOCK)
		return WE_INVAL;
	GP(res, (uint32_t)a[2], 4);
	int err = wait_fd(w, f, POLLIN);
	if (err)
		return err;
	int h = accept4(f->host, NULL, NULL, SOCK_CLOEXEC);
	if (h < 0)
		return wa_wasi_errno(errno);
	if ((err = fd_install(w, -1, h, true, RIGHTS_SOCK & ~R(R_SOCK_ACCEPT), 0, &nfd))) {
		close(h);
		return err;
	}
	w->fds[nfd].nonblock = fl & FDF_NONBLOCK;
	st_le32(res, nfd);
	return 0;
}

static int w_sock_recv(wa_wasi *w, const uint64_t *a)
{
	struct iovec v[IOV_MAX];
	uint32_t rf = (uint32_t)a[3];
	int n, err;
	SOCK(f, (uint32_t)a[0], R(R_FD_READ));
	if (rf & ~3u)
		return WE_INVAL;
	if ((err = get_iovs(w, (uint32_t)a[1], (uint32_t)a[2], v, &n)))
		return err;
	GP(len, (uint32_t)a[4], 4);
	GP(oflags, (uint32_t)a[5], 2);
	if ((err = wait_fd(w, f, POLLIN)))
		return err;
	struct msghdr m = { .msg_iov = v, .msg_iovlen = (size_t)n };
	ssize_t r = recvmsg(f->host, &m, ((rf & 1) ? MSG_PEEK : 0) | ((rf & 2) ? MSG_WAITALL : 0));
	if (r < 0)
		return wa_wasi_errno(errno);
	st_le32(len, (uint32_t)r);
	st_le16(oflags, (m.msg_flags & MSG_TRUNC) ? 1 : 0);
	return 0;
}

static int w_sock_send(wa_wasi *w, const uint64_t *a)
{
	struct iovec v[IOV_MAX];
	int n, err;
	SOCK(f, (uint32_t)a[0], R(R_FD_WRITE));
	if ((uint32_t)a[3])
		return WE_INVAL; /* no siflags are defined */
	if ((err = get_iovs(w, (uint32_t)a[1], (uint32_t)a[2], v, &n)))
		return err;
	GP(len, (uint32_t)a[4], 4);
	if ((err = wait_fd(w, f, POLLOUT)))
		return err;
	struct msghdr m = { .msg_iov = v, .msg_iovlen = (size_t)n };
	ssize_t r = sendmsg(f->host, &m, MSG_NOSIGNAL);
	if (r < 0)
		return wa_wasi_errno(errno);
	st_le32(len, (uint32_t)r);
	return 0;
}

static int w_sock_shutdown(wa_wasi *w, const uint64_t *a)
{
	static const int how[] = { -1, SHUT_RD, SHUT_WR, SHUT_RDWR };
	uint32_t h = (uint32_t)a[1];
	SOCK(f, (uint32_t)a[0], R(R_SOCK_SHUTDOWN));
	if (h < 1 || h > 3)
		return WE_INVAL;
	return shutdown(f->host, how[h]) ? wa_wasi_errno(errno) : 0;
}

/* ---- the import table ---- */

/* name, parameter types (i = i32, l = i64), result ("i" errno or none),
 * whether the call reads or writes guest memory. */
#define WASI_FUNCS(X) \
	X(args_get, "ii", "i", 1) X(args_sizes_get, "ii", "i", 1) \
	X(environ_get, "ii", "i", 1) X(environ_sizes_get, "ii", "i", 1) \
	X(clock_res_get, "ii", "i", 1) X(clock_time_get, "ili", "i", 1) \
	X(fd_advise, "illi", "i", 0) X(fd_allocate, "ill", "i", 0) \
	X(fd_close, "i", "i", 0) X(fd_datasync, "i", "i", 0) \
	X(fd_fdstat_get, "ii", "i", 1) X(fd_fdstat_set_flags, "ii", "i", 0) \
	X(fd_fdstat_set_rights, "ill", "i", 0) X(fd_filestat_get, "ii", "i", 1) \
	X(fd_filestat_set_size, "il", "i", 0) X(fd_filestat_set_times, "illi", "i", 0) \
	X(fd_pread, "iiili", "i", 1) X(fd_prestat_get, "ii", "i", 1) \
	X(fd_prestat_dir_name, "iii", "i", 1) X(fd_pwrite, "iiili", "i", 1) \
	X(fd_read, "iiii", "i", 1) X(fd_readdir, "iiili", "i", 1) \
	X(fd_renumber, "ii", "i", 0) X(fd_seek, "ilii", "i", 1) \
	X(fd_sync, "i", "i", 0) X(fd_tell, "ii", "i", 1) X(fd_write, "iiii", "i", 1) \
	X(path_create_directory, "iii", "i", 1) X(path_filestat_get, "iiiii", "i", 1) \
	X(path_filestat_set_times, "iiiilli", "i", 1) X(path_link, "iiiiiii", "i", 1) \
	X(path_open, "iiiiillii", "i", 1) X(path_readlink, "iiiiii", "i", 1) \
	X(path_remove_directory, "iii", "i", 1) X(path_rename, "iiiiii", "i", 1) \
	X(path_symlink, "iiiii", "i", 1) X(path_unlink_file, "iii", "i", 1) \
	X(poll_oneoff, "iiii", "i", 1) X(proc_exit, "i", "", 0) X(proc_raise, "i", "i", 0) \
	X(sched_yield, "", "i", 0) X(random_get, "ii", "i", 1) \
	X(sock_accept, "iii", "i", 1) X(sock_recv, "iiiiii", "i", 1) \
	X(sock_send, "iiiii", "i", 1) X(sock_shutdown, "ii", "i", 0)

enum {
#define X(name, params, results, mem) F_##name,
	WASI_FUNCS(X)
#undef X
	NFUNCS
};

static const struct fdef {
	const char *name, *params, *results;
} fdefs[NFUNCS] = {
#define X(name, params, results, mem) { #name, params, results },
	WASI_FUNCS(X)
#undef X
};

/* Before wa_wasi_bind (a start function calling WASI), the memory is the
 * calling instance's export: frames[depth] holds the running function. */
static bool find_memory(wa_wasi *w, wa_thread *t)
{
	const wa_func *f = t->depth ? t->frames[t->depth].func : NULL;
	if (!w->mem && f && f->inst)
		wa_wasi_bind(w, f->inst);
	return w->mem != NULL;
}

static const char *finish(wa_wasi *w, int r, uint64_t *s, bool has_result)
{
	if (r == TRAPPED)
		return w->trap;
	if (has_result)
		s[0] = (uint32_t)r;
	return NULL;
}

#define X(name, params, results, needs_mem) \
	static const char *h_##name(wa_thread *t, void *env, uint64_t *s) \
	{ \
		wa_wasi *w = env; \
		if ((needs_mem) && !find_memory(w, t)) \
			return "WASI call without an exported memory named \"memory\""; \
		return finish(w, w_##name(w, s), s, results[0] != 0); \
	}
WASI_FUNCS(X)
#undef X

static const wa_host_fn handlers[NFUNCS] = {
#define X(name, params, results, mem) h_##name,
	WASI_FUNCS(X)
#undef X
};

static int make_types(wa_wasi *w)
{
	size_t total = 0, at = 0;
	for (int i = 0; i < NFUNCS; i++)
		total += strlen(fdefs[i].params) + strlen(fdefs[i].results);
	w->types = calloc(NFUNCS, sizeof *w->types);
	w->funcs = calloc(NFUNCS, sizeof *w->funcs);
	w->typebuf = malloc(total);
	if (!w->types || !w->funcs || !w->typebuf)
		return -ERR_NOMEM;
	for (int i = 0; i < NFUNCS; i++) {
		wa_functype *ft = &w->types[i];
		const char *p = fdefs[i].params, *r = fdefs[i].results;
		ft->types = w->typebuf + at;
		ft->nparams = (uint32_t)strlen(p);
		ft->nresults = (uint32_t)strlen(r);
		for (; *p; p++)
			w->typebuf[at++] = wa_letter_type(*p);
		for (; *r; r++)
			w->typebuf[at++] = wa_letter_type(*r);
		wa_functype_init(ft);
		w->funcs[i] = (wa_func){ .type = ft, .host = handlers[i], .env = w };
	}
	return 0;
}

int wa_wasi_import(wa_wasi *w, const char *module, size_t mlen, const char *name, size_t nlen,
		   const wa_functype *type, wa_func **out, wa_err *e)
{
	*out = NULL;
	if (mlen == strlen(WA_WASI_MODULE) && !memcmp(module, WA_WASI_MODULE, mlen))
		for (int i = 0; i < NFUNCS; i++) {
			if (strlen(fdefs[i].name) != nlen || memcmp(fdefs[i].name, name, nlen))
				continue;
			if (!type || !wa_functype_eq(type, &w->types[i]))
				return wa_fail(e, 0, ERR_INVAL, "incompatible import type: %.*s.%.*s",
					       (int)mlen, module, (int)nlen, name);
			*out = &w->funcs[i];
			return 0;
		}
	return wa_fail(e, 0, ERR_NOENT, "unknown import: %.*s.%.*s", (int)mlen, module, (int)nlen, name);
}

wa_func *wa_wasi_func(wa_wasi *w, unsigned i, const char **name)
{
	if (i >= NFUNCS)
		return NULL;
	*name = fdefs[i].name;
	return &w->funcs[i];
}

int wa_wasi_imports(wa_wasi *w, const wa_module *m, wa_extern **out, wa_err *e)
{
	wa_extern *x = calloc(m->nimports + 1, sizeof *x);
	*out = NULL;
	if (!x)
		return wa_fail(e, 0, ERR_NOMEM, "out of memory");
	for (uint32_t i = 0; i < m->nimports; i++) {
		const wa_import *im = &m->imports[i];
		const wa_functype *ft = im->kind == WA_EXT_FUNC ? &m->types[im->type] : NULL;
		int err = wa_wasi_import(w, im->module, im->mlen, im->name, im->nlen, ft, &x[i].func, e);
		if (err) {
			free(x);
			return err;
		}
		x[i].kind = WA_EXT_FUNC;
	}
	*out = x;
	return 0;
}
