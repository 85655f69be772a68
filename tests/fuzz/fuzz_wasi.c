/* fuzz_wasi.c - libFuzzer target: a hostile guest's WASI calls.  The input is
 * a sequence of calls (any preview1 function, arguments biased toward the
 * edges of a one-page memory, small fds and flags) and memory writes, made
 * against a fresh context whose only preopen is a scratch directory.  Every
 * call must return an errno or a trap; afterwards nothing may have changed
 * outside the scratch directory. */
#include "wasm/text.h"
#include "wasm/wasi.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char top[64], box[80], outside[96];
static wa_module *mod;
static int devnull = -1;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag;
	if (ftw->level > 0)
		remove(path);
	return 0;
}

static void teardown(void)
{
	nftw(top, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	rmdir(top);
}

static int setup(void)
{
	static const char src[] = "(module (memory (export \"memory\") 1))";
	wa_err e;
	uint8_t *bin;
	size_t len;
	snprintf(top, sizeof top, "/tmp/cairn-fuzz-wasi-XXXXXX");
	if (!mkdtemp(top))
		return -1;
	snprintf(box, sizeof box, "%s/box", top);
	snprintf(outside, sizeof outside, "%s/outside.txt", top);
	if (mkdir(box, 0755) || close(open(outside, O_CREAT | O_WRONLY, 0444)))
		return -1;
	atexit(teardown);
	devnull = open("/dev/null", O_WRONLY);
	if (wa_wat_to_wasm(src, sizeof src - 1, &bin, &len, &e))
		return -1;
	int err = wa_decode(bin, len, &mod, &e) || wa_validate(mod, &e);
	free(bin);
	return err ? -1 : 0;
}

/* The top directory holds only box/ and an empty outside.txt. */
static void check_outside(void)
{
	struct stat st;
	int n = 0;
	if (stat(outside, &st) || st.st_size != 0 || (st.st_mode & 0777) != 0444)
		abort();
	int fd = open(top, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		abort();
	DIR *d = fdopendir(fd);
	for (struct dirent *de; d && (de = readdir(d));)
		n += de->d_name[0] != '.';
	closedir(d);
	if (n != 2)
		abort(); /* something was created beside box/ */
}

typedef struct input {
	const uint8_t *p, *end;
} input;

static uint8_t byte(input *in)
{
	return in->p < in->end ? *in->p++ : 0;
}

/* An argument: small numbers, fds, memory edges, or raw bits. */
static uint64_t arg(input *in, uint8_t type)
{
	uint8_t sel = byte(in), b = byte(in);
	uint64_t v = 0;
	switch (sel & 7) {
	case 0: case 1: return b;
	case 2: return b & 7;                           /* an fd */
	case 3: return 65536 - (uint64_t)b;             /* near the end of memory */
	case 4: return 0xffffffffu - b;
	case 5: return (uint64_t)b << 8 | byte(in);
	default:
		for (int i = 0; i < (type == WA_I64 ? 8 : 4); i++)
			v = v << 8 | byte(in);
		return v;
	}
}

/* No call may sleep long or fill the disk. */
static void tame(const char *name, uint64_t *a, uint8_t *mem)
{
	if (!strcmp(name, "poll_oneoff")) {
		for (uint64_t i = 0; i < (uint32_t)a[2] && (uint32_t)a[0] + 48 * (i + 1) <= 65536; i++) {
			uint8_t *s = mem + (uint32_t)a[0] + 48 * i;
			uint64_t t;
			memcpy(&t, s + 24, 8);
			t %= 1000000; /* at most 1 ms */
			memcpy(s + 24, &t, 8);
			s[40] &= ~1; /* relative */
		}
	}
	if (!strcmp(name, "fd_allocate"))
		a[2] %= 1 << 20;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready, runs;
	static wa_thread t;
	wa_wasi_dir dirs[1] = { { box, "/box" } };
	const char *argv[] = { "fuzz" }, *env[] = { "A=1" };
	wa_wasi_config c = { argv, 1, env, 1, dirs, 1, NULL, 0, { -1, -1, -1 }, 0 };
	wa_wasi *w;
	wa_instance *inst = NULL;
	wa_extern mem;
	wa_err e;
	input in = { data, data + size };
	if (!ready) {
		if (setup() || wa_thread_init(&t, 1 << 12, 100))
			abort();
		ready = 1;
	}
	c.stdio[1] = c.stdio[2] = devnull;
	if (wa_wasi_new(&c, &w, &e) || wa_instantiate(mod, NULL, &t, &inst, &e) ||
	    wa_instance_export(inst, "memory", 6, &mem))
		abort();
	wa_wasi_bind(w, inst);
	for (int calls = 0; calls < 48 && in.p < in.end; calls++) {
		uint8_t op = byte(&in);
		const char *name;
		wa_func *f = wa_wasi_func(w, op >> 1, &name);
		if (!f || (op & 1)) { /* a memory write: offset, length, bytes */
			uint32_t off = (uint32_t)(byte(&in) << 8 | byte(&in)), n = byte(&in) & 63;
			for (uint32_t k = 0; k < n && off + k < 65536; k++)
				mem.mem->base[off + k] = byte(&in);
			continue;
		}
		uint64_t slots[16] = { 0 };
		for (uint32_t i = 0; i < f->type->nparams; i++)
			slots[i] = arg(&in, f->type->types[i]);
		tame(name, slots, mem.mem->base);
		(void)f->host(&t, f->env, slots);
	}
	wa_instance_free(inst);
	wa_wasi_free(w);
	check_outside();
	if (++runs % 256 == 0)
		nftw(box, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
