/* vm.c - `cairn vm`: one RISC-V machine from qemu-system-riscv64 options.
 * Options QEMU users know keep QEMU's meaning; an option cairn does not have
 * yet is an error, never silently ignored. */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/machine.h"

static void vm_usage(FILE *f)
{
	fprintf(f,
		"usage: cairn vm [options]   (qemu-system-riscv64 compatible)\n"
		"  -M, -machine virt      the board (QEMU's virt; the only one)\n"
		"  -m SIZE                RAM size (default 128M; suffixes K M G, plain number = MiB)\n"
		"  -smp N[,cpus=N]        number of harts (1-%d)\n"
		"  -bios default|none|FILE  firmware at 0x80000000 (default: Debian's OpenSBI)\n"
		"  -kernel FILE           kernel (Linux Image, ELF or raw) or bare-metal program\n"
		"  -initrd FILE           initial ramdisk\n"
		"  -append STRING         kernel command line\n"
		"  -dtb FILE              use this device tree instead of the generated one\n"
		"  -M virt,dumpdtb=FILE   write the generated device tree and exit\n"
		"  -serial stdio|mon:stdio  the UART on stdio (the default)\n"
		"  -serial unix:PATH,server[,nowait]  the UART on a unix socket\n"
		"  -chardev socket,id=ID,path=PATH,server=on[,wait=off]  with -serial chardev:ID\n"
		"  -nographic             console on stdio (the default)\n"
		"  -display none          accepted, no effect\n"
		"  -d in_asm              trace executed instructions to stderr (or -D FILE)\n"
		"  -D FILE                write -d output to FILE\n"
		"  -h, --help             this text\n", VIRT_MAX_HARTS);
}

/* QEMU's size syntax: a number with an optional K/M/G/T suffix, MiB if none. */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v <= 0)
		return -1;
	uint64_t mul = 1ull << 20;
	switch (*end) {
	case 'k': case 'K': mul = 1ull << 10; end++; break;
	case 'm': case 'M': mul = 1ull << 20; end++; break;
	case 'g': case 'G': mul = 1ull << 30; end++; break;
	case 't': case 'T': mul = 1ull << 40; end++; break;
	case 'b': case 'B': mul = 1; end++; break;
	}
	if (*end == 'i' || *end == 'B')
		end++;
	if (*end || v * (double)mul > (double)(1ull << 40))
		return -1;
	*out = (uint64_t)(v * (double)mul);
	return 0;
}

static int parse_smp(const char *s, int *out)
{
	const char *p = strstr(s, "cpus=");
	char *end;
	long n = strtol(p ? p + 5 : s, &end, 10);
	if (end == (p ? p + 5 : s) || n < 1 || n > VIRT_MAX_HARTS)
		return -1;
	*out = (int)n;
	return 0;
}

/* -machine virt[,dumpdtb=FILE] */
static int parse_machine(const char *v, struct machine_config *cfg)
{
	if (strncmp(v, "virt", 4) || (v[4] && v[4] != ',')) {
		cairn_error("vm: unsupported machine '%s' (only 'virt')", v);
		return -1;
	}
	for (const char *p = v + 4; *p == ','; ) {
		p++;
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > 8 && !strncmp(p, "dumpdtb=", 8)) {
			cfg->dumpdtb = strndup(p + 8, len - 8);
		} else {
			cairn_error("vm: unsupported machine property '%.*s'", (int)len, p);
			return -1;
		}
		p += len;
	}
	return 0;
}

/* QEMU's key=value option lists: "kind,key=val,flag,...". */
static const char *opt_get(const char *list, const char *key, char *buf, size_t n)
{
	size_t kl = strlen(key);
	for (const char *p = strchr(list, ','); p; p = strchr(p + 1, ',')) {
		const char *q = p + 1, *end = strchr(q, ',');
		size_t len = end ? (size_t)(end - q) : strlen(q);
		if (len >= kl && !strncmp(q, key, kl) && (q[kl] == '=' || len == kl)) {
			if (len == kl)
				snprintf(buf, n, "on"); /* a bare flag: "server" */
			else
				snprintf(buf, n, "%.*s", (int)(len - kl - 1), q + kl + 1);
			return buf;
		}
	}
	return NULL;
}

static bool opt_on(const char *v) { return v && (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true")); }

/* One -chardev socket: remembered until -serial chardev:ID names it. */
static struct { char id[64], path[256]; bool server, wait; } chardev;

static int parse_chardev(const char *v)
{
	char b[256];
	if (strncmp(v, "socket,", 7)) {
		cairn_error("vm: only '-chardev socket,id=ID,path=PATH,server=on' is supported");
		return -1;
	}
	if (!opt_get(v, "id", chardev.id, sizeof chardev.id) || !opt_get(v, "path", chardev.path, sizeof chardev.path)) {
		cairn_error("vm: -chardev socket needs id= and path=");
		return -1;
	}
	chardev.server = opt_on(opt_get(v, "server", b, sizeof b));
	const char *w = opt_get(v, "wait", b, sizeof b);
	chardev.wait = !w || opt_on(w);
	if (opt_get(v, "nowait", b, sizeof b))
		chardev.wait = false;
	if (!chardev.server) {
		cairn_error("vm: -chardev socket: only server=on is supported");
		return -1;
	}
	return 0;
}

/* -serial stdio | mon:stdio | unix:PATH,server[,nowait] | chardev:ID */
static int parse_serial(const char *v, struct machine_config *cfg)
{
	if (!strcmp(v, "stdio") || !strcmp(v, "mon:stdio"))
		return 0;
	if (!strncmp(v, "chardev:", 8)) {
		if (strcmp(v + 8, chardev.id)) {
			cairn_error("vm: -serial %s: no such -chardev", v);
			return -1;
		}
		cfg->serial_socket = chardev.path;
		cfg->serial_wait = chardev.wait;
		return 0;
	}
	if (!strncmp(v, "unix:", 5)) {
		char b[16];
		const char *comma = strchr(v, ',');
		cfg->serial_socket = comma ? strndup(v + 5, (size_t)(comma - v - 5)) : v + 5;
		if (!opt_on(opt_get(v, "server", b, sizeof b))) {
			cairn_error("vm: -serial unix: only server mode is supported (add ,server)");
			return -1;
		}
		const char *w = opt_get(v, "wait", b, sizeof b);
		cfg->serial_wait = !opt_get(v, "nowait", b, sizeof b) && (!w || opt_on(w));
		return 0;
	}
	cairn_error("vm: unsupported -serial '%s' (stdio, unix:PATH,server, chardev:ID)", v);
	return -1;
}

static int need_arg(int argc, char **argv, int k)
{
	if (k + 1 >= argc) {
		cairn_error("vm: option '%s' needs an argument", argv[k]);
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct machine_config *cfg, const char **dfile)
{
	for (int k = 1; k < argc; k++) {
		const char *o = argv[k];
		if (o[0] == '-' && o[1] == '-' && o[2])
			o++; /* QEMU accepts --opt for -opt */
		if (!strcmp(o, "-h") || !strcmp(o, "-help")) {
			vm_usage(stdout);
			exit(0);
		} else if (!strcmp(o, "-nographic")) {
			/* the console is on stdio already */
		} else if (!strcmp(o, "-M") || !strcmp(o, "-machine")) {
			if (need_arg(argc, argv, k) || parse_machine(argv[++k], cfg))
				return -1;
		} else if (!strcmp(o, "-m")) {
			if (need_arg(argc, argv, k))
				return -1;
			const char *v = argv[++k];
			if (!strncmp(v, "size=", 5))
				v += 5;
			if (parse_size(v, &cfg->ram_size) || cfg->ram_size < (1u << 20) || (cfg->ram_size & 0xfff)) {
				cairn_error("vm: invalid memory size '%s' (e.g. -m 256M, -m 2G)", argv[k]);
				return -1;
			}
		} else if (!strcmp(o, "-smp")) {
			if (need_arg(argc, argv, k))
				return -1;
			if (parse_smp(argv[++k], &cfg->smp)) {
				cairn_error("vm: invalid -smp '%s' (1 to %d harts)", argv[k], VIRT_MAX_HARTS);
				return -1;
			}
		} else if (!strcmp(o, "-bios")) {
			if (need_arg(argc, argv, k))
				return -1;
			cfg->bios = argv[++k];
		} else if (!strcmp(o, "-kernel")) {
			if (need_arg(argc, argv, k))
				return -1;
			cfg->kernel = argv[++k];
		} else if (!strcmp(o, "-initrd")) {
			if (need_arg(argc, argv, k))
				return -1;
			cfg->initrd = argv[++k];
		} else if (!strcmp(o, "-append")) {
			if (need_arg(argc, argv, k))
				return -1;
			cfg->append = argv[++k];
		} else if (!strcmp(o, "-dtb")) {
			if (need_arg(argc, argv, k))
				return -1;
			cfg->dtb = argv[++k];
		} else if (!strcmp(o, "-serial")) {
			if (need_arg(argc, argv, k) || parse_serial(argv[++k], cfg))
				return -1;
		} else if (!strcmp(o, "-chardev")) {
			if (need_arg(argc, argv, k) || parse_chardev(argv[++k]))
				return -1;
		} else if (!strcmp(o, "-display")) {
			if (need_arg(argc, argv, k))
				return -1;
			if (strcmp(argv[++k], "none")) {
				cairn_error("vm: only '-display none' is supported");
				return -1;
			}
		} else if (!strcmp(o, "-d")) {
			if (need_arg(argc, argv, k))
				return -1;
			const char *v = argv[++k];
			if (strstr(v, "in_asm") || strstr(v, "exec") || strstr(v, "cpu"))
				cfg->trace = true;
			else {
				cairn_error("vm: unsupported -d item '%s' (in_asm)", v);
				return -1;
			}
		} else if (!strcmp(o, "-D")) {
			if (need_arg(argc, argv, k))
				return -1;
			*dfile = argv[++k];
		} else {
			cairn_error("vm: unknown option '%s' (try 'cairn vm -h')", argv[k]);
			return -1;
		}
	}
	return 0;
}

int cli_vm(int argc, char **argv)
{
	struct machine_config cfg = { .ram_size = 128ull << 20, .smp = 1 };
	const char *dfile = NULL;
	if (parse_args(argc, argv, &cfg, &dfile))
		return 1;
	if (dfile && !(cfg.trace_file = fopen(dfile, "w"))) {
		cairn_error("vm: cannot write '%s': %s", dfile, strerror(errno));
		return 1;
	}
	struct machine *m;
	int err = machine_create(&m, &cfg);
	if (err) {
		cairn_error("vm: cannot create the machine: %s", cairn_strerror(err));
		return 1;
	}
	int r = machine_load(m);
	if (r) {
		machine_destroy(m);
		return r == 1 ? 0 : 1; /* 1: -machine dumpdtb done */
	}
	if (console_start(m)) {
		cairn_error("vm: cannot start the console");
		machine_destroy(m);
		return 1;
	}
	int code = machine_run(m);
	console_stop();
	machine_destroy(m);
	if (cfg.trace_file)
		fclose(cfg.trace_file);
	return code;
}
