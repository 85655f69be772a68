/* test_wasi_stdio.c - the rights of the guest's stdio (wasmtime's): with
 * stdio a regular file, an O_APPEND file, a directory, a pipe or a socket,
 * fd 0 reads and fds 1-2 write, fdstat/filestat_get work, seeking only where
 * the file can and is not in append mode, and nothing changes a file's size
 * or times, allocates, or reaches a directory through a path (fd 0 on a
 * directory is no preopen).  The host checks that nothing changed.
 * Also poll_oneoff on more distinct host fds than RLIMIT_NOFILE (lowered
 * after they were opened): ppoll refuses that many, cairn polls in pieces.
 * The WASI functions are re-exported by a module and called directly.
 * Prints failures; exit 0 = ok. */
#include "wasm/text.h"
#include "wasm/wasi.h"
#include "wasm/wasi_path.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

/* witx rights bits used here */
#define R_READ (1u << 1)
#define R_SEEK (1u << 2)
#define R_TELL (1u << 5)
#define R_WRITE (1u << 6)
#define R_ALLOCATE (1u << 8)
#define R_PATH_ANY 0x71ffe00ull /* every path_* right and readdir: bits 9-20 and 24-26 */
#define R_SET_SIZE (1u << 22)
#define R_SET_TIMES (1u << 23)

static const struct { const char *name, *params; } fns[] = {
	{ "fd_fdstat_get", "ii" }, { "fd_allocate", "ill" }, { "fd_filestat_set_size", "il" },
	{ "fd_filestat_set_times", "illi" }, { "fd_seek", "ilii" }, { "fd_tell", "ii" },
	{ "fd_write", "iiii" }, { "fd_read", "iiii" }, { "fd_readdir", "iiili" },
	{ "fd_filestat_get", "ii" }, { "path_create_directory", "iii" }, { "path_symlink", "iiiii" },
	{ "path_unlink_file", "iii" }, { "path_rename", "iiiiii" }, { "path_open", "iiiiillii" },
	{ "path_filestat_get", "iiiii" }, { "fd_prestat_get", "ii" }, { "fd_fdstat_set_rights", "ill" },
	{ "sock_shutdown", "ii" }, { "fd_datasync", "i" }, { "fd_pwrite", "iiili" },
	{ "poll_oneoff", "iiii" },
};

static wa_module *mod;
static char *mem;
static wa_thread th;
static wa_instance *inst;

static wa_module *load(void)
{
	char src[8192], *p = src;
	p += sprintf(p, "(module\n");
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		p += sprintf(p, "(import \"wasi_snapshot_preview1\" \"%s\" (func $%s (param", fns[i].name, fns[i].name);
		for (const char *t = fns[i].params; *t; t++)
			p += sprintf(p, " %s", *t == 'i' ? "i32" : "i64");
		p += sprintf(p, ") (result i32)))\n(export \"%s\" (func $%s))\n", fns[i].name, fns[i].name);
	}
	sprintf(p, "(memory (export \"memory\") 1))");
	uint8_t *bin;
	size_t len;
	wa_err e;
	wa_module *m = NULL;
	if (wa_wat_to_wasm(src, strlen(src), &bin, &len, &e)) {
		printf("text: line %zu: %s\n", e.offset, e.msg);
		return NULL;
	}
	if (wa_decode(bin, len, &m, &e) || wa_validate(m, &e)) {
		printf("module: %s\n", e.msg);
		wa_module_free(m);
		m = NULL;
	}
	free(bin);
	return m;
}

/* A WASI call by name; its errno. */
static int call(const char *name, int n, ...)
{
	uint64_t a[10] = { 0 };
	va_list ap;
	wa_extern x;
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		a[i] = va_arg(ap, uint64_t);
	va_end(ap);
	if (wa_instance_export(inst, name, strlen(name), &x) || wa_call(&th, x.func, a, a))
		return -1;
	return (int)(uint32_t)a[0];
}
#define C(name, ...) call(name, (int)(sizeof((uint64_t[]){ __VA_ARGS__ }) / 8), __VA_ARGS__)

static uint64_t rights_of(int fd)
{
	uint64_t r;
	if (C("fd_fdstat_get", (uint64_t)fd, 1024))
		return ~0ull;
	memcpy(&r, mem + 1024 + 8, 8);
	return r;
}

static int put_str(uint32_t at, const char *s)
{
	memcpy(mem + at, s, strlen(s));
	return (int)strlen(s);
}

static char dir[64];

/* What no stdio fd may do, whatever its host file: nothing changes. */
static void no_changes(int fd)
{
	uint64_t r = rights_of(fd);
	CHECK(!(r & (R_ALLOCATE | R_SET_SIZE | R_SET_TIMES | R_PATH_ANY)));
	CHECK(C("fd_allocate", (uint64_t)fd, 0, 4096) == WE_NOTCAPABLE);
	CHECK(C("fd_filestat_set_size", (uint64_t)fd, 0) == WE_NOTCAPABLE);
	CHECK(C("fd_filestat_set_times", (uint64_t)fd, 1, 1, 1 | 4) == WE_NOTCAPABLE);
	CHECK(C("fd_datasync", (uint64_t)fd) == WE_NOTCAPABLE);
	CHECK(C("sock_shutdown", (uint64_t)fd, 3) == WE_NOTCAPABLE || C("sock_shutdown", (uint64_t)fd, 3) == WE_NOTSOCK);
	int n = put_str(2048, "made");
	int l = put_str(2100, "link");
	CHECK(C("path_create_directory", (uint64_t)fd, 2048, (uint64_t)n) == WE_NOTCAPABLE);
	CHECK(C("path_symlink", 2048, (uint64_t)n, (uint64_t)fd, 2100, (uint64_t)l) == WE_NOTCAPABLE);
	n = put_str(2048, "victim");
	CHECK(C("path_unlink_file", (uint64_t)fd, 2048, (uint64_t)n) == WE_NOTCAPABLE);
	CHECK(C("path_rename", (uint64_t)fd, 2048, (uint64_t)n, (uint64_t)fd, 2100, (uint64_t)l) == WE_NOTCAPABLE);
	CHECK(C("path_filestat_get", (uint64_t)fd, 0, 2048, (uint64_t)n, 3000) == WE_NOTCAPABLE);
	CHECK(C("path_open", (uint64_t)fd, 0, 2048, (uint64_t)n, 0, R_READ, 0, 0, 3000) == WE_NOTCAPABLE);
	int rd = C("fd_readdir", (uint64_t)fd, 3000, 256, 0, 3500);
	CHECK(rd == WE_NOTCAPABLE || rd == WE_NOTDIR);
	CHECK(C("fd_prestat_get", (uint64_t)fd, 3000) == WE_BADF);
	/* rights never grow back */
	CHECK(C("fd_fdstat_set_rights", (uint64_t)fd, r | R_ALLOCATE, 0) == WE_NOTCAPABLE);
	CHECK(C("fd_fdstat_set_rights", (uint64_t)fd, r, R_READ) == WE_NOTCAPABLE);
	/* fd_filestat_get works */
	CHECK(C("fd_filestat_get", (uint64_t)fd, 3000) == 0);
}

/* A context with the given host fds as stdio (and sockets from fd 3), and
 * an instance on it. */
static wa_wasi *start_socks(int in, int out, int err, const int *socks, int nsocks)
{
	wa_wasi_config c = { NULL, 0, NULL, 0, NULL, 0, socks, nsocks, { in, out, err }, 0 };
	wa_wasi *w;
	wa_extern *imports, x;
	wa_err e;
	if (wa_wasi_new(&c, &w, &e) || wa_wasi_imports(w, mod, &imports, &e) ||
	    wa_instantiate(mod, imports, &th, &inst, &e))
		return NULL;
	free(imports);
	wa_wasi_bind(w, inst);
	CHECK(!wa_instance_export(inst, "memory", 6, &x));
	mem = (char *)x.mem->base;
	return w;
}

static wa_wasi *start(int in, int out, int err)
{
	return start_socks(in, out, err, NULL, 0);
}

static void stop(wa_wasi *w)
{
	wa_instance_free(inst);
	wa_wasi_free(w);
	inst = NULL;
}

static int write_iov(int fd, const char *s)
{
	uint32_t iov[2] = { 4000, (uint32_t)strlen(s) };
	memcpy(mem + 4000, s, strlen(s));
	memcpy(mem + 3900, iov, 8);
	return C("fd_write", (uint64_t)fd, 3900, 1, 3950);
}

static void test_files(void)
{
	char plain[96], logf[96], input[96];
	snprintf(plain, sizeof plain, "%s/out.txt", dir);
	snprintf(logf, sizeof logf, "%s/app.log", dir);
	snprintf(input, sizeof input, "%s/in.txt", dir);
	int fi = open(input, O_RDWR | O_CREAT | O_TRUNC, 0644);
	int fo = open(plain, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int fa = open(logf, O_RDWR | O_CREAT | O_APPEND, 0644);
	CHECK(fi >= 0 && fo >= 0 && fa >= 0 && write(fi, "input", 5) == 5 && write(fa, "old\n", 4) == 4);
	CHECK(lseek(fi, 0, SEEK_SET) == 0);
	struct stat before, after;
	CHECK(!fstat(fa, &before));
	wa_wasi *w = start(fi, fo, fa);
	CHECK(w);
	if (!w)
		return;
	/* stdin: read and seek, no write; stdout: write and seek; stderr
	 * (O_APPEND): write, no seek */
	CHECK((rights_of(0) & (R_READ | R_WRITE | R_SEEK | R_TELL)) == (R_READ | R_SEEK | R_TELL));
	CHECK((rights_of(1) & (R_READ | R_WRITE | R_SEEK | R_TELL)) == (R_WRITE | R_SEEK | R_TELL));
	CHECK((rights_of(2) & (R_READ | R_WRITE | R_SEEK | R_TELL)) == R_WRITE);
	for (int fd = 0; fd < 3; fd++)
		no_changes(fd);
	CHECK(C("fd_seek", 2, 0, 0, 3000) == WE_NOTCAPABLE);
	CHECK(C("fd_tell", 2, 3000) == WE_NOTCAPABLE);
	CHECK(C("fd_pwrite", 2, 3900, 1, 0, 3950) == WE_NOTCAPABLE);
	CHECK(write_iov(0, "x") == WE_NOTCAPABLE);
	CHECK(write_iov(2, "new\n") == 0);
	CHECK(write_iov(1, "hello") == 0);
	CHECK(C("fd_seek", 1, 0, 0, 3000) == 0 && C("fd_seek", 0, 2, 0, 3000) == 0);
	uint32_t iov[2] = { 4000, 16 };
	memcpy(mem + 3900, iov, 8);
	CHECK(C("fd_read", 0, 3900, 1, 3950) == 0 && !memcmp(mem + 3950, "\3\0\0\0", 4) && !memcmp(mem + 4000, "put", 3));
	stop(w);
	CHECK(!fstat(fa, &after) && after.st_size == 8 && after.st_mtim.tv_sec >= before.st_mtim.tv_sec);
	char buf[16] = { 0 };
	CHECK(pread(fa, buf, 15, 0) == 8 && !strcmp(buf, "old\nnew\n"));
	close(fi);
	close(fo);
	close(fa);
	unlink(plain);
	unlink(logf);
	unlink(input);
}

static int entries(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;
	for (struct dirent *de; d && (de = readdir(d));)
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void test_directory(void)
{
	char victim[96];
	snprintf(victim, sizeof victim, "%s/victim", dir);
	CHECK(!close(open(victim, O_CREAT | O_WRONLY, 0644)));
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	wa_wasi *w = start(fd, -1, -1);
	CHECK(w && fd >= 0);
	if (!w)
		return;
	CHECK(!(rights_of(0) & (R_WRITE | R_SEEK | R_TELL)));
	no_changes(0);
	CHECK(C("fd_seek", 0, 0, 0, 3000) == WE_NOTCAPABLE);
	CHECK(C("fd_fdstat_get", 1, 1024) == WE_BADF);
	stop(w);
	close(fd);
	CHECK(entries(dir) == 1); /* only victim: nothing made, renamed or removed */
	unlink(victim);
}

static void test_streams(void)
{
	int p[2], s[2];
	CHECK(!pipe(p) && !socketpair(AF_UNIX, SOCK_STREAM, 0, s));
	wa_wasi *w = start(p[0], s[0], p[1]);
	CHECK(w);
	if (!w)
		return;
	for (int fd = 0; fd < 3; fd++) {
		CHECK(!(rights_of(fd) & (R_SEEK | R_TELL)));
		no_changes(fd);
	}
	CHECK((rights_of(0) & (R_READ | R_WRITE)) == R_READ);
	CHECK((rights_of(1) & (R_READ | R_WRITE)) == R_WRITE);
	CHECK((rights_of(2) & (R_READ | R_WRITE)) == R_WRITE);
	CHECK(C("sock_shutdown", 1, 3) == WE_NOTCAPABLE); /* the host's connection */
	CHECK(write_iov(1, "sock") == 0 && write_iov(2, "pipe") == 0);
	char buf[8] = { 0 };
	CHECK(read(s[1], buf, 7) == 4 && !strcmp(buf, "sock"));
	uint32_t iov[2] = { 4000, 16 };
	memcpy(mem + 3900, iov, 8);
	CHECK(C("fd_read", 0, 3900, 1, 3950) == 0 && !memcmp(mem + 4000, "pipe", 4));
	CHECK(send(s[1], "x", 1, 0) == 1); /* the socket still works both ways */
	stop(w);
	close(p[0]);
	close(p[1]);
	close(s[0]);
	close(s[1]);
}

/* n fd_read subscriptions on guest fds 3.., then a clock one of ms (if
 * ms >= 0); the number of events, -1 on an error */
static int poll_socks(int n, int ms)
{
	int k = 0;
	for (; k < n + (ms >= 0); k++) {
		char *sub = mem + 8192 + 48 * k;
		memset(sub, 0, 48);
		memcpy(sub, &k, 4);
		sub[8] = k < n ? 1 : 0;
		if (k < n) {
			uint32_t fd = 3 + (uint32_t)k;
			memcpy(sub + 16, &fd, 4);
		} else {
			uint64_t ns = (uint64_t)ms * 1000000;
			memcpy(sub + 24, &ns, 8);
		}
	}
	if (C("poll_oneoff", 8192, 32768, (uint64_t)k, 3000))
		return -1;
	uint32_t nev;
	memcpy(&nev, mem + 3000, 4);
	return (int)nev;
}

static void test_poll_above_rlimit(void)
{
	enum { NS = 48 };
	int pairs[NS][2], socks[NS];
	struct rlimit rl, low;
	for (int i = 0; i < NS; i++) {
		CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, pairs[i]));
		socks[i] = pairs[i][0];
	}
	wa_wasi *w = start_socks(-1, -1, -1, socks, NS);
	CHECK(w && !getrlimit(RLIMIT_NOFILE, &rl));
	if (!w)
		return;
	low = rl;
	low.rlim_cur = 16; /* fewer than the sockets (and their copies) open now */
	CHECK(!setrlimit(RLIMIT_NOFILE, &low));
	CHECK(poll_socks(NS, 50) == 1); /* only the clock, after 50 ms */
	CHECK(write(pairs[NS - 1][1], "x", 1) == 1);
	CHECK(poll_socks(NS, -1) == 1); /* the last socket, no clock: no waiting */
	CHECK(!memcmp(mem + 32768, &(uint32_t){ NS - 1 }, 4) && mem[32768 + 10] == 1);
	CHECK(write(pairs[3][1], "y", 1) == 1);
	CHECK(poll_socks(NS, 1000) == 2);
	CHECK(!setrlimit(RLIMIT_NOFILE, &rl));
	stop(w);
	for (int i = 0; i < NS; i++) {
		close(pairs[i][0]);
		close(pairs[i][1]);
	}
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/cairn-stdio-XXXXXX");
	mod = load();
	CHECK(mod && mkdtemp(dir));
	if (!mod || wa_thread_init(&th, 1 << 16, 1000))
		return 1;
	test_files();
	test_directory();
	test_streams();
	test_poll_above_rlimit();
	rmdir(dir);
	wa_module_free(mod);
	wa_thread_free(&th);
	printf("%s\n", failures ? "test_wasi_stdio: FAILED" : "test_wasi_stdio: ok");
	return failures != 0;
}
