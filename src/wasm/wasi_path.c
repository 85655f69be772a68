/* wasi_path.c - path lookup beneath a WASI preopen.  Directories are opened
 * with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), or, where the kernel
 * lacks it, by a walk that opens one component at a time relative to the
 * previous fd with O_NOFOLLOW, expands symlinks itself and takes ".." from
 * its own stack of fds, so neither races nor links can leave the root. */
#include "wasm/wasi_path.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_HOPS 40             /* symlinks followed in one lookup, as Linux */

int wa_wasi_errno(int e)
{
	switch (e) {
#define X(name, host) case host: return WE_##name;
	WA_WASI_ERRNOS(X)
#undef X
	}
	return WE_IO;
}

/* ---- the component walk (no openat2) ---- */

typedef struct walk {
	int *fds;               /* fds[0] is the root (not ours), then each level */
	size_t n, cap;
	char *rest;             /* components still to take, symlink text spliced in */
	int hops;
} walk;

static void walk_pop(walk *k)
{
	close(k->fds[--k->n]);
}

static int walk_push(walk *k, int fd)
{
	if (k->n == k->cap) {
		size_t cap = k->cap * 2;
		int *f = realloc(k->fds, cap * sizeof *f);
		if (!f) {
			close(fd);
			return WE_NOMEM;
		}
		k->fds = f;
		k->cap = cap;
	}
	k->fds[k->n++] = fd;
	return 0;
}

/* A symlink met at comp: its target replaces it in front of what is left. */
static int walk_splice(walk *k, const char *comp, const char *after)
{
	char target[WA_WPATH_MAX + 1];
	ssize_t n = readlinkat(k->fds[k->n - 1], comp, target, sizeof target);
	if (n < 0)
		return errno == EINVAL ? WE_NOTDIR : wa_wasi_errno(errno);
	if (n > WA_WPATH_MAX)
		return WE_NAMETOOLONG;
	if (++k->hops > MAX_HOPS)
		return WE_LOOP;
	if (n == 0)
		return WE_NOENT;
	if (target[0] == '/')
		return WE_NOTCAPABLE;
	size_t alen = strlen(after);
	if ((size_t)n + 1 + alen > 2 * WA_WPATH_MAX)
		return WE_NAMETOOLONG;
	char *r = malloc((size_t)n + alen + 2);
	if (!r)
		return WE_NOMEM;
	memcpy(r, target, (size_t)n);
	r[n] = '/';
	memcpy(r + n + 1, after, alen + 1);
	free(k->rest);
	k->rest = r;
	return 0;
}

/* One step: take the next component of k->rest.  -1 when none is left. */
static int walk_step(walk *k)
{
	char *p = k->rest, *end, comp[256];
	while (*p == '/')
		p++;
	if (!*p)
		return -1;
	end = strchrnul(p, '/');
	if ((size_t)(end - p) >= sizeof comp)
		return WE_NAMETOOLONG;
	memcpy(comp, p, (size_t)(end - p));
	comp[end - p] = 0;
	memmove(k->rest, end, strlen(end) + 1);
	if (!strcmp(comp, "."))
		return 0;
	if (!strcmp(comp, "..")) {
		if (k->n == 1)
			return WE_NOTCAPABLE;
		walk_pop(k);
		return 0;
	}
	int fd = openat(k->fds[k->n - 1], comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		return walk_push(k, fd);
	if (errno != ENOTDIR && errno != ELOOP)
		return wa_wasi_errno(errno);
	return walk_splice(k, comp, k->rest);
}

static int walk_dir(int root, const char *dir, int *out)
{
	walk k = { malloc(16 * sizeof(int)), 1, 16, strdup(dir), 0 };
	int err = k.fds && k.rest ? 0 : WE_NOMEM;
	if (k.fds)
		k.fds[0] = root;
	while (!err)
		err = walk_step(&k);
	if (err == -1) {
		err = 0;
		*out = k.fds[--k.n]; /* the root itself when n was 1 */
	}
	while (k.n > 1)
		walk_pop(&k);
	free(k.fds);
	free(k.rest);
	return err;
}

/* ---- openat2 ---- */

static int have_openat2(int root)
{
	static int state; /* 0 unknown, 1 yes, -1 no (ENOSYS, or a seccomp filter) */
	if (!__atomic_load_n(&state, __ATOMIC_RELAXED)) {
		struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
					.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
		long fd = syscall(SYS_openat2, root, ".", &how, sizeof how);
		int s = fd >= 0 || (errno != ENOSYS && errno != EPERM) ? 1 : -1;
		if (fd >= 0)
			close((int)fd);
		__atomic_store_n(&state, s, __ATOMIC_RELAXED);
	}
	return state > 0;
}

/* Open the directory dir (relative, may be empty) beneath root. */
static int open_dir(int root, const char *dir, bool no_openat2, int *out)
{
	if (!*dir) {
		*out = root;
		return 0;
	}
	if (no_openat2 || !have_openat2(root))
		return walk_dir(root, dir, out);
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
	for (int tries = 0; tries < 8; tries++) {
		long fd = syscall(SYS_openat2, root, dir, &how, sizeof how);
		if (fd >= 0) {
			*out = (int)fd;
			return 0;
		}
		if (errno != EAGAIN) /* EAGAIN: a rename raced the lookup */
			break;
	}
	return errno == EXDEV ? WE_NOTCAPABLE : wa_wasi_errno(errno);
}

/* ---- the lookup ---- */

static bool is_dots(const char *s)
{
	return !strcmp(s, ".") || !strcmp(s, "..");
}

/* Split cur into its directory part (cur itself, cut) and last component.
 * Trailing slashes are dropped and reported. */
static char *split(char *cur, bool *slash)
{
	size_t n = strlen(cur);
	while (n > 1 && cur[n - 1] == '/') {
		cur[--n] = 0;
		*slash = true;
	}
	char *s = strrchr(cur, '/');
	if (!s)
		return NULL;
	*s = 0;
	return s + 1;
}

static void release(int root, int fd)
{
	if (fd != root)
		close(fd);
}

/* One round: open the parent of cur, and see whether the last component is
 * a symlink to follow.  Returns 0 done, -1 go on with *next, else errno. */
static int round_(int root, char *cur, bool follow, bool no_openat2, wa_wpath *out, char **next)
{
	char target[WA_WPATH_MAX + 1];
	char *last = split(cur, &out->must_dir);
	const char *dir = last ? cur : "", *name;
	int fd = -1, err;
	name = last ? last : cur;
	if (is_dots(name)) { /* "a/.." is the directory a/.. itself, named "." */
		if (last)
			last[-1] = '/';
		dir = cur;
		name = ".";
	}
	if (strlen(name) >= sizeof out->name)
		return WE_NAMETOOLONG;
	if ((err = open_dir(root, dir, no_openat2, &fd)))
		return err;
	if (!follow && !out->must_dir) /* a trailing slash follows a link, as POSIX says */
		goto done;
	ssize_t n = readlinkat(fd, name, target, sizeof target);
	if (n < 0)
		goto done; /* not a link (or absent): the caller's call will say */
	release(root, fd);
	if (n > WA_WPATH_MAX)
		return WE_NAMETOOLONG;
	if (n == 0)
		return WE_NOENT;
	if (target[0] == '/')
		return WE_NOTCAPABLE;
	size_t dl = strlen(dir), at = dl ? dl + 1 : 0; /* the target is relative to dir */
	char *p = malloc(at + (size_t)n + 1);
	if (!p)
		return WE_NOMEM;
	memcpy(p, dir, dl);
	if (dl)
		p[dl] = '/';
	memcpy(p + at, target, (size_t)n);
	p[at + n] = 0;
	*next = p;
	return -1;
done:
	out->dir = fd;
	out->own = fd != root;
	strcpy(out->name, name);
	return 0;
}

int wa_wpath_resolve(int root, const char *path, size_t len, bool follow, bool no_openat2,
		     wa_wpath *out)
{
	char *cur, *next = NULL;
	int err;
	memset(out, 0, sizeof *out);
	out->dir = -1;
	if (!len)
		return WE_NOENT;
	if (len > WA_WPATH_MAX)
		return WE_NAMETOOLONG;
	if (memchr(path, 0, len))
		return WE_INVAL;
	if (path[0] == '/')
		return WE_NOTCAPABLE;
	if (!(cur = strndup(path, len)))
		return WE_NOMEM;
	for (int hops = 0;; hops++) {
		err = round_(root, cur, follow, no_openat2, out, &next);
		free(cur);
		if (err != -1)
			return err;
		cur = next;
		if (hops == MAX_HOPS) {
			free(cur);
			return WE_LOOP;
		}
	}
}

void wa_wpath_done(wa_wpath *p)
{
	if (p->own && p->dir >= 0)
		close(p->dir);
	p->dir = -1;
	p->own = false;
}
