/* files.c - file I/O in a preopened directory (argv[1], e.g. /sandbox):
 * create, write, read, seek, pread/pwrite, append, truncate, stat, times,
 * readdir over many entries, rename, link, symlink/readlink, mkdir/rmdir,
 * unlink and the errors of each.  Leaves keep.txt for the host to check. */
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[256];

static const char *P(const char *rel)
{
	static char bufs[4][512];
	static int k;
	char *b = bufs[k++ & 3];
	snprintf(b, 512, "%s/%s", root, rel);
	return b;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	CHECK(f);
	CHECK(fputs(text, f) >= 0);
	CHECK(fclose(f) == 0);
}

static void expect_file(const char *path, const char *text)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	CHECK(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	fclose(f);
	if (strcmp(buf, text)) {
		printf("FAIL %s holds '%s', expected '%s'\n", path, buf, text);
		exit(1);
	}
}

static void basic_io(void)
{
	char buf[64];
	struct stat st;
	CHECK(mkdir(P("d"), 0755) == 0);
	FAILS(mkdir(P("d"), 0755), EEXIST);
	CHECK(stat(P("d"), &st) == 0 && S_ISDIR(st.st_mode));
	write_file(P("d/f.txt"), "hello file\n");
	expect_file(P("d/f.txt"), "hello file\n");

	int fd = open(P("d/f.txt"), O_RDWR);
	CHECK(fd >= 0);
	CHECK(lseek(fd, 6, SEEK_SET) == 6);
	CHECK(read(fd, buf, 4) == 4 && !memcmp(buf, "file", 4));
	CHECK(lseek(fd, 0, SEEK_CUR) == 10);
	CHECK(lseek(fd, -5, SEEK_END) == 6);
	FAILS(lseek(fd, -100, SEEK_CUR), EINVAL);
	CHECK(pwrite(fd, "FILE", 4, 6) == 4);
	CHECK(lseek(fd, 0, SEEK_CUR) == 6); /* pwrite leaves the position */
	CHECK(pread(fd, buf, 10, 0) == 10 && !memcmp(buf, "hello FILE", 10));
	CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 11);
	CHECK(ftruncate(fd, 5) == 0);
	CHECK(fstat(fd, &st) == 0 && st.st_size == 5);
	CHECK(fsync(fd) == 0 && fdatasync(fd) == 0);
	CHECK(close(fd) == 0);
	FAILS(close(fd), EBADF);
	FAILS(read(fd, buf, 1), EBADF);

	fd = open(P("d/f.txt"), O_WRONLY | O_APPEND);
	CHECK(fd >= 0);
	CHECK(write(fd, "+tail", 5) == 5);
	CHECK(fcntl(fd, F_GETFL) & O_APPEND);
	FAILS(read(fd, buf, 1), EBADF); /* opened write-only: no read right */
	close(fd);
	expect_file(P("d/f.txt"), "hello+tail");

	fd = open(P("d/f.txt"), O_RDONLY);
	FAILS(write(fd, "x", 1), EBADF);
	close(fd);
	FAILS(open(P("d/f.txt"), O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	FAILS(open(P("d/missing.txt"), O_RDONLY), ENOENT);
	FAILS(open(P("d/missing/x"), O_RDONLY), ENOENT);
	FAILS(open(P("d/f.txt/x"), O_RDONLY), ENOTDIR);
	FAILS(open(P("d"), O_WRONLY), EISDIR);
	FAILS(open(P("d/f.txt"), O_RDONLY | O_DIRECTORY), ENOTDIR);
	FAILS(rmdir(P("d")), ENOTEMPTY);
	expect_file(P("d/../d/./f.txt"), "hello+tail");
	printf("ok basic io\n");
}

static void big_file(void)
{
	static unsigned char buf[1 << 20], back[1 << 20];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)(i * 7 + (i >> 11));
	int fd = open(P("big.bin"), O_CREAT | O_TRUNC | O_RDWR, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, buf, sizeof buf) == (ssize_t)sizeof buf);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	size_t got = 0;
	ssize_t n;
	while (got < sizeof back && (n = read(fd, back + got, sizeof back - got)) > 0)
		got += (size_t)n;
	CHECK(got == sizeof back && !memcmp(buf, back, sizeof buf));
	CHECK(read(fd, back, 1) == 0); /* end of file */
	close(fd);
	CHECK(unlink(P("big.bin")) == 0);
	printf("ok 1 MiB file\n");
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 300 entries: several fd_readdir calls, entries cut at buffer ends. */
static void many_entries(void)
{
	char name[64], *seen[400];
	int n = 0;
	CHECK(mkdir(P("many"), 0755) == 0);
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "%s/many/entry_with_a_longish_name_%03d", root, i);
		int fd = open(name, O_CREAT | O_WRONLY, 0644);
		CHECK(fd >= 0);
		close(fd);
	}
	DIR *d = opendir(P("many"));
	CHECK(d);
	long mark = -1;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		CHECK(n < 400 && e->d_type == DT_REG);
		seen[n++] = strdup(e->d_name);
		if (n == 150)
			mark = telldir(d);
	}
	CHECK(n == 300);
	qsort(seen, (size_t)n, sizeof *seen, cmp);
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "entry_with_a_longish_name_%03d", i);
		CHECK(!strcmp(seen[i], name));
		free(seen[i]);
	}
	int rest = 0;
	seekdir(d, mark);
	while ((e = readdir(d)))
		rest += e->d_name[0] != '.';
	CHECK(rest > 0 && rest <= 150);
	rewinddir(d);
	n = 0;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	CHECK(n == 300);
	closedir(d);
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "%s/many/entry_with_a_longish_name_%03d", root, i);
		CHECK(unlink(name) == 0);
	}
	CHECK(rmdir(P("many")) == 0);
	FAILS(opendir(P("many")) ? 0 : -1, ENOENT);
	printf("ok readdir of 300 entries\n");
}

static void names(void)
{
	struct stat st, st2;
	char buf[256];
	CHECK(rename(P("d/f.txt"), P("d/g.txt")) == 0);
	FAILS(stat(P("d/f.txt"), &st), ENOENT);
	expect_file(P("d/g.txt"), "hello+tail");
	FAILS(rename(P("d/nothere"), P("d/x")), ENOENT);

	CHECK(link(P("d/g.txt"), P("d/hard.txt")) == 0);
	CHECK(stat(P("d/hard.txt"), &st) == 0 && st.st_nlink == 2);
	CHECK(stat(P("d/g.txt"), &st2) == 0 && st.st_ino == st2.st_ino);

	CHECK(symlink("g.txt", P("d/sym")) == 0);
	ssize_t n = readlink(P("d/sym"), buf, sizeof buf);
	CHECK(n == 5 && !memcmp(buf, "g.txt", 5));
	CHECK(readlink(P("d/sym"), buf, 3) == 3 && !memcmp(buf, "g.t", 3)); /* truncated */
	FAILS(readlink(P("d/g.txt"), buf, sizeof buf), EINVAL);
	CHECK(lstat(P("d/sym"), &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(stat(P("d/sym"), &st) == 0 && S_ISREG(st.st_mode) && st.st_ino == st2.st_ino);
	expect_file(P("d/sym"), "hello+tail");
	FAILS(symlink("g.txt", P("d/sym")), EEXIST);

	CHECK(symlink("d", P("dlink")) == 0); /* a link to a directory, walked through */
	expect_file(P("dlink/g.txt"), "hello+tail");
	CHECK(symlink("../d/./g.txt", P("d/updown")) == 0);
	expect_file(P("d/updown"), "hello+tail");

	struct timespec ts[2] = { { 1000000000, 5 }, { 1234567890, 0 } };
	CHECK(utimensat(AT_FDCWD, P("d/g.txt"), ts, 0) == 0);
	CHECK(stat(P("d/g.txt"), &st) == 0 && st.st_mtim.tv_sec == 1234567890 && st.st_atim.tv_sec == 1000000000);
	int fd = open(P("d/g.txt"), O_RDONLY);
	ts[1].tv_sec = 1500000000;
	ts[0].tv_nsec = UTIME_OMIT;
	CHECK(futimens(fd, ts) == 0);
	CHECK(fstat(fd, &st) == 0 && st.st_mtim.tv_sec == 1500000000 && st.st_atim.tv_sec == 1000000000);
	close(fd);

	CHECK(unlink(P("d/sym")) == 0 && unlink(P("d/updown")) == 0 && unlink(P("dlink")) == 0);
	CHECK(unlink(P("d/hard.txt")) == 0);
	FAILS(unlink(P("d/hard.txt")), ENOENT);
	FAILS(unlink(P("d")), EISDIR);
	FAILS(rmdir(P("d/g.txt")), ENOTDIR);
	CHECK(rename(P("d/g.txt"), P("keep.txt")) == 0);
	CHECK(rmdir(P("d")) == 0);
	FAILS(rmdir(P("d")), ENOENT);
	printf("ok rename, link, symlink, times, unlink, rmdir\n");
}

int main(int argc, char **argv)
{
	CHECK(argc == 2);
	snprintf(root, sizeof root, "%s", argv[1]);
	basic_io();
	big_file();
	many_entries();
	names();
	printf("files: all ok\n");
	return 0;
}
