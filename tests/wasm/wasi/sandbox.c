/* sandbox.c - escapes that must fail.  Modes (argv[1]):
 *   box     the host made /box (fd 3) holding inner.txt, sub/up -> ../inner.txt,
 *           abs_link -> /abs/path/secret.txt, rel_link -> ../secret.txt,
 *           dir_link -> .., loop1 <-> loop2; secret.txt lies beside it.
 *   none    no preopen at all: nothing is reachable.
 *   race N  reads /box/swap/file.txt N times while the host swaps the
 *           directory swap with a symlink to the outside: never "outside". */
#include "check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static __wasi_errno_t raw_open(__wasi_fd_t dir, const char *path, __wasi_lookupflags_t follow, __wasi_fd_t *fd)
{
	return __wasi_path_open(dir, follow, path, 0, __WASI_RIGHTS_FD_READ, 0, 0, fd);
}

static void read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	ssize_t n = read(fd, buf, len - 1);
	CHECK(n >= 0);
	buf[n] = 0;
	close(fd);
}

static void box(void)
{
	__wasi_fd_t fd;
	struct stat st;
	char buf[64];
	/* `..` and absolute paths, through libc and raw */
	FAILS(open("/box/../secret.txt", O_RDONLY), ENOTCAPABLE);
	FAILS(open("/box/sub/../../secret.txt", O_RDONLY), ENOTCAPABLE);
	FAILS(open("/box/sub/../sub/../../box/inner.txt", O_RDONLY), ENOTCAPABLE);
	CHECK(raw_open(3, "../secret.txt", 0, &fd) == __WASI_ERRNO_NOTCAPABLE);
	CHECK(raw_open(3, "..", 0, &fd) == __WASI_ERRNO_NOTCAPABLE);
	CHECK(raw_open(3, "/etc/passwd", 0, &fd) == __WASI_ERRNO_NOTCAPABLE);
	CHECK(raw_open(3, "sub/../../box/inner.txt", 0, &fd) == __WASI_ERRNO_NOTCAPABLE);
	CHECK(open("/etc/passwd", O_RDONLY) < 0);
	/* symlinks to the outside, absolute and relative, last or inner component */
	FAILS(open("/box/abs_link", O_RDONLY), ENOTCAPABLE);
	FAILS(open("/box/rel_link", O_RDONLY), ENOTCAPABLE);
	FAILS(open("/box/rel_link", O_WRONLY | O_TRUNC), ENOTCAPABLE);
	FAILS(open("/box/dir_link/secret.txt", O_RDONLY), ENOTCAPABLE);
	FAILS(stat("/box/rel_link", &st), ENOTCAPABLE);
	FAILS(stat("/box/dir_link/", &st), ENOTCAPABLE);
	FAILS(mkdir("/box/dir_link/evil", 0755), ENOTCAPABLE);
	CHECK(raw_open(3, "rel_link", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, &fd) == __WASI_ERRNO_NOTCAPABLE);
	CHECK(raw_open(3, "rel_link", 0, &fd) == __WASI_ERRNO_LOOP); /* not followed: O_NOFOLLOW */
	CHECK(lstat("/box/rel_link", &st) == 0 && S_ISLNK(st.st_mode)); /* the link itself is inside */
	FAILS(open("/box/loop1", O_RDONLY), ELOOP);
	/* inside stays reachable, through links too */
	read_text("/box/inner.txt", buf, sizeof buf);
	CHECK(!strcmp(buf, "inside\n"));
	read_text("/box/sub/up", buf, sizeof buf);
	CHECK(!strcmp(buf, "inside\n"));
	read_text("/box/sub/../inner.txt", buf, sizeof buf);
	CHECK(!strcmp(buf, "inside\n"));
	/* the guest's own links and renames cannot reach out either */
	CHECK(symlink("../secret.txt", "/box/mylink") == 0);
	FAILS(open("/box/mylink", O_RDONLY), ENOTCAPABLE);
	FAILS(symlink("/etc/passwd", "/box/abs2"), ENOTCAPABLE);
	FAILS(rename("/box/inner.txt", "/box/../stolen.txt"), ENOTCAPABLE);
	FAILS(rename("/box/inner.txt", "/box/dir_link/stolen.txt"), ENOTCAPABLE);
	FAILS(link("/box/inner.txt", "/box/dir_link/stolen.txt"), ENOTCAPABLE);
	FAILS(link("/box/rel_link/..", "/box/x"), ENOTCAPABLE);
	FAILS(mkdir("/box/../evil", 0755), ENOTCAPABLE);
	FAILS(unlink("/box/../secret.txt"), ENOTCAPABLE);
	FAILS(rmdir("/box/dir_link/box"), ENOTCAPABLE);
	CHECK(unlink("/box/rel_link") == 0); /* removes the link, not its target */
	printf("ok sandbox holds\n");
}

static void none(void)
{
	__wasi_fd_t fd;
	__wasi_prestat_t ps;
	CHECK(open("/etc/passwd", O_RDONLY) < 0);
	CHECK(open("secret.txt", O_RDONLY) < 0);
	CHECK(open(".", O_RDONLY) < 0);
	CHECK(__wasi_fd_prestat_get(3, &ps) == __WASI_ERRNO_BADF);
	CHECK(raw_open(3, "etc/passwd", 0, &fd) == __WASI_ERRNO_BADF);
	CHECK(raw_open(1, "etc/passwd", 0, &fd) == __WASI_ERRNO_NOTCAPABLE); /* stdout has no path rights */
	printf("ok nothing reachable without a preopen\n");
}

static void race(int n)
{
	char buf[64];
	int inside = 0, other = 0;
	for (int i = 0; i < n; i++) {
		int fd = open("/box/swap/file.txt", O_RDONLY);
		if (fd < 0) {
			other++;
			continue;
		}
		ssize_t r = read(fd, buf, sizeof buf - 1);
		close(fd);
		buf[r > 0 ? r : 0] = 0;
		if (strstr(buf, "outside")) {
			printf("FAIL read the outside file through the swapped link\n");
			exit(1);
		}
		inside += !strcmp(buf, "inside\n");
	}
	printf("ok race: %d reads inside, %d refused or missing, none outside\n", inside, other);
}

int main(int argc, char **argv)
{
	CHECK(argc >= 2);
	if (!strcmp(argv[1], "box"))
		box();
	else if (!strcmp(argv[1], "none"))
		none();
	else if (!strcmp(argv[1], "race") && argc == 3)
		race(atoi(argv[2]));
	else
		return 2;
	return 0;
}
