/* test_wasi_path.c - the WASI sandbox's path lookup as a property: random
 * paths of "..", ".", names, links that lead out (absolute and relative) and
 * links that stay in, resolved with openat2 and with the component walk,
 * followed or not.  Whatever resolves must name a directory beneath the root
 * and one plain component; escapes must be ENOTCAPABLE.  Exit 0 = ok. */
#include "wasm/wasi_path.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;
#define CHECK(c, path) do { if (!(c)) { printf("FAIL %s:%d: %s for '%s'\n", __FILE__, __LINE__, #c, path); \
	if (++failures > 20) exit(1); } } while (0)

static char top[PATH_MAX], root[PATH_MAX + 8];

static void mk(const char *rel, int dir, const char *link)
{
	char p[PATH_MAX * 2];
	snprintf(p, sizeof p, "%s/%s", top, rel);
	if (link) {
		if (symlink(link, p))
			perror(p);
	} else if (dir ? mkdir(p, 0755) : close(open(p, O_CREAT | O_WRONLY, 0644))) {
		perror(p);
	}
}

/* The tree: top/{out.txt, box/{a/{b/, f.txt, up -> .., out -> ../../out.txt}, abs -> top,
 * in -> a/b, loop -> loop, rel -> ../out.txt}} with box as the root. */
static void build(void)
{
	char abs_target[PATH_MAX];
	snprintf(top, sizeof top, "/tmp/cairn-wpath-XXXXXX");
	if (!mkdtemp(top))
		exit(1);
	snprintf(root, sizeof root, "%s/box", top);
	snprintf(abs_target, sizeof abs_target, "%s", top);
	mk("out.txt", 0, NULL);
	mk("box", 1, NULL);
	mk("box/a", 1, NULL);
	mk("box/a/b", 1, NULL);
	mk("box/a/f.txt", 0, NULL);
	mk("box/a/up", 0, "..");
	mk("box/a/out", 0, "../../out.txt");
	mk("box/abs", 0, abs_target);
	mk("box/in", 0, "a/b");
	mk("box/loop", 0, "loop");
	mk("box/rel", 0, "../out.txt");
}

static void cleanup(void)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	if (system(cmd))
		printf("cleanup failed\n");
}

/* Where an fd points, from /proc. */
static int fd_path(int fd, char *out)
{
	char link[64];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, out, PATH_MAX - 1);
	if (n < 0)
		return -1;
	out[n] = 0;
	return 0;
}

static void check_one(int rootfd, const char *path, bool follow, bool walk, long *ok, long *refused)
{
	wa_wpath p;
	char where[PATH_MAX];
	int err = wa_wpath_resolve(rootfd, path, strlen(path), follow, walk, &p);
	if (err) {
		CHECK(err != WE_SUCCESS, path);
		++*refused;
		return;
	}
	++*ok;
	CHECK(!strchr(p.name, '/') && strcmp(p.name, "..") && p.name[0], path);
	CHECK(fd_path(p.dir, where) == 0, path);
	size_t rl = strlen(root);
	CHECK(!strncmp(where, root, rl) && (where[rl] == 0 || where[rl] == '/'), path);
	if (follow) { /* the final name is no link out either */
		char t[PATH_MAX];
		ssize_t n = readlinkat(p.dir, p.name, t, sizeof t - 1);
		CHECK(n < 0, path); /* followed to the end: not a link any more */
	}
	wa_wpath_done(&p);
}

int main(void)
{
	static const char *const parts[] = { "..", ".", "a", "b", "f.txt", "up", "out", "abs", "in", "loop",
					     "rel", "nope", "", "/" };
	long ok = 0, refused = 0;
	build();
	int rootfd = open(root, O_RDONLY | O_DIRECTORY);
	if (rootfd < 0)
		return 1;
	srand(12345);
	for (int i = 0; i < 20000; i++) {
		char path[256] = "";
		int n = 1 + rand() % 6;
		for (int k = 0; k < n; k++) {
			if (k)
				strcat(path, "/");
			strcat(path, parts[rand() % (sizeof parts / sizeof parts[0])]);
		}
		if (!path[0])
			continue;
		check_one(rootfd, path, rand() & 1, rand() & 1, &ok, &refused);
	}
	/* fixed cases: escapes are ENOTCAPABLE, loops ELOOP, inside links work */
	static const struct { const char *path; bool follow; int err; } fixed[] = {
		{ "..", false, WE_NOTCAPABLE }, { "a/../..", false, WE_NOTCAPABLE },
		{ "/etc", false, WE_NOTCAPABLE }, { "abs/out.txt", false, WE_NOTCAPABLE },
		{ "rel", true, WE_NOTCAPABLE }, { "rel", false, 0 }, { "a/out", true, WE_NOTCAPABLE },
		{ "a/up/a/up/..", false, WE_NOTCAPABLE }, { "a/up/a/f.txt", true, 0 },
		{ "in/../f.txt", true, 0 }, { "loop", true, WE_LOOP }, { "loop/x", false, WE_LOOP },
		{ "abs/", false, WE_NOTCAPABLE }, { "", false, WE_NOENT },
	};
	for (int walk = 0; walk < 2; walk++)
		for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
			wa_wpath p;
			int err = wa_wpath_resolve(rootfd, fixed[i].path, strlen(fixed[i].path), fixed[i].follow, walk, &p);
			if (err != fixed[i].err)
				printf("FAIL '%s' (follow %d, walk %d): errno %d, expected %d\n", fixed[i].path,
				       fixed[i].follow, walk, err, fixed[i].err), failures++;
			if (!err)
				wa_wpath_done(&p);
		}
	close(rootfd);
	cleanup();
	printf("test_wasi_path: %ld resolved, %ld refused, %s\n", ok, refused, failures ? "FAILED" : "ok");
	return failures != 0;
}
