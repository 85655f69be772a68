/* vm.c - `cairn vm`: one RISC-V machine from qemu-system-riscv64 options.
 * Options QEMU users know keep QEMU's meaning; an option cairn does not have
 * yet is an error, never silently ignored. */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/machine.h"
#include "machine/virtio.h"

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
		"  -drive file=F,format=raw,if=virtio[,readonly=on]   a virtio-blk disk\n"
		"  -drive if=none,id=ID,file=F,format=raw -device virtio-blk-device,drive=ID\n"
		"  -netdev user,id=ID[,hostfwd=tcp::HOST-:GUEST] -device virtio-net-device,netdev=ID\n"
		"  -device virtio-rng-device | virtio-serial-device [-device virtconsole]\n"
		"  -snapshot              disk writes stay in memory; image files are untouched\n"
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

/* ---- virtio devices: -drive, -netdev, -device, -snapshot ---- */

enum { V_BLK, V_NET, V_RNG, V_CON };
static struct { int kind; struct blk_opts blk; struct net_opts net; } vdev[VIRTIO_MMIO_SLOTS];
static int nvdev;
static struct drive { char id[64]; struct blk_opts o; bool used, if_none; } drives[VIRTIO_MMIO_SLOTS];
static int ndrives;
static struct netdev { char id[64]; struct net_opts o; } netdevs[VIRTIO_MMIO_SLOTS];
static int nnetdevs;
static bool snapshot_all;

static int add_vdev(int kind)
{
	if (nvdev == VIRTIO_MMIO_SLOTS) {
		cairn_error("vm: at most %d virtio devices", VIRTIO_MMIO_SLOTS);
		return -1;
	}
	vdev[nvdev].kind = kind;
	return nvdev++;
}

/* -drive file=F[,format=raw][,if=virtio|none][,id=ID][,readonly=on]; list is
 * the option string with a dummy first item so opt_get sees every key. */
static int drive_opts(const char *list)
{
	char b[512];
	if (ndrives == VIRTIO_MMIO_SLOTS) {
		cairn_error("vm: at most %d drives", VIRTIO_MMIO_SLOTS);
		return -1;
	}
	struct drive *d = &drives[ndrives];
	const char *f = opt_get(list, "file", b, sizeof b);
	if (!f || !*f) {
		cairn_error("vm: -drive needs file=");
		return -1;
	}
	d->o.file = strdup(f);
	const char *fmt = opt_get(list, "format", b, sizeof b);
	if (fmt && strcmp(fmt, "raw")) {
		cairn_error("vm: -drive format=%s: only raw images are supported", fmt);
		return -1;
	}
	d->o.readonly = opt_on(opt_get(list, "readonly", b, sizeof b));
	d->o.snapshot = opt_on(opt_get(list, "snapshot", b, sizeof b));
	if (opt_get(list, "id", b, sizeof b))
		snprintf(d->id, sizeof d->id, "%.63s", b);
	const char *iface = opt_get(list, "if", b, sizeof b);
	if (iface && strcmp(iface, "virtio") && strcmp(iface, "none")) {
		cairn_error("vm: -drive if=%s: use if=virtio, or if=none with -device virtio-blk-device", iface);
		return -1;
	}
	d->if_none = iface && !strcmp(iface, "none");
	ndrives++;
	if (!d->if_none) { /* if=virtio (a PCI device on QEMU; virtio-mmio here) */
		int k = add_vdev(V_BLK);
		if (k < 0)
			return -1;
		vdev[k].blk = d->o;
		d->used = true;
	}
	return 0;
}

/* -netdev user,id=ID[,hostfwd=RULE]... */
static int parse_netdev(const char *v)
{
	char b[256];
	if (strncmp(v, "user", 4) || (v[4] && v[4] != ',')) {
		cairn_error("vm: -netdev %s: only user-mode networking (-netdev user,id=ID) is supported", v);
		return -1;
	}
	if (nnetdevs == VIRTIO_MMIO_SLOTS)
		return -1;
	struct netdev *n = &netdevs[nnetdevs++];
	if (!opt_get(v, "id", n->id, sizeof n->id)) {
		cairn_error("vm: -netdev user needs id=");
		return -1;
	}
	int h = 0;
	for (const char *p = strstr(v, ",hostfwd="); p && h < 8; p = strstr(p + 1, ",hostfwd=")) {
		const char *q = p + 9, *end = strchr(q, ',');
		n->o.hostfwd[h++] = strndup(q, end ? (size_t)(end - q) : strlen(q));
	}
	(void)b;
	return 0;
}

static int parse_drive(const char *v)
{
	char *list;
	if (asprintf(&list, "x,%s", v) < 0)
		return -1;
	int r = drive_opts(list);
	free(list);
	return r;
}

static int device_opts(const char *v, const char *list)
{
	char b[128];
	const char *comma = strchr(v, ',');
	size_t nl = comma ? (size_t)(comma - v) : strlen(v);
	if (nl == 17 && !strncmp(v, "virtio-blk-device", nl)) {
		const char *id = opt_get(list, "drive", b, sizeof b);
		for (int k = 0; id && k < ndrives; k++)
			if (drives[k].if_none && !drives[k].used && !strcmp(drives[k].id, id)) {
				int s = add_vdev(V_BLK);
				if (s < 0)
					return -1;
				vdev[s].blk = drives[k].o;
				drives[k].used = true;
				return 0;
			}
		cairn_error("vm: -device virtio-blk-device: no unused -drive if=none,id=%s", id ? id : "?");
		return -1;
	}
	if (nl == 17 && !strncmp(v, "virtio-net-device", nl)) {
		const char *id = opt_get(list, "netdev", b, sizeof b);
		for (int k = 0; id && k < nnetdevs; k++)
			if (!strcmp(netdevs[k].id, id)) {
				int s = add_vdev(V_NET);
				if (s < 0)
					return -1;
				vdev[s].net = netdevs[k].o;
				return 0;
			}
		cairn_error("vm: -device virtio-net-device: no -netdev with id=%s", id ? id : "?");
		return -1;
	}
	if (nl == 17 && !strncmp(v, "virtio-rng-device", nl))
		return add_vdev(V_RNG) < 0 ? -1 : 0;
	if ((nl == 20 && !strncmp(v, "virtio-serial-device", nl)))
		return add_vdev(V_CON) < 0 ? -1 : 0;
	if (nl == 11 && !strncmp(v, "virtconsole", nl))
		return 0; /* the port of virtio-serial-device: one console port */
	cairn_error("vm: unsupported -device '%.*s' (virtio-blk-device, virtio-net-device, virtio-rng-device, "
		    "virtio-serial-device, virtconsole)", (int)nl, v);
	return -1;
}

static int parse_device(const char *v)
{
	char *list;
	const char *comma = strchr(v, ',');
	if (asprintf(&list, "x%s", comma ? comma : "") < 0)
		return -1;
	int r = device_opts(v, list);
	free(list);
	return r;
}

static int create_vdevs(struct machine *m)
{
	for (int k = 0; k < ndrives; k++)
		if (drives[k].if_none && !drives[k].used)
			cairn_warn("vm: -drive id=%s is not used by any -device", drives[k].id);
	for (int k = 0; k < nvdev; k++) {
		uint64_t base = VIRTIO_MMIO_BASE + (uint64_t)k * VIRTIO_MMIO_SIZE;
		int irq = 1 + k, err = 0;
		switch (vdev[k].kind) {
		case V_BLK:
			vdev[k].blk.snapshot |= snapshot_all;
			err = virtio_blk_create(m, base, irq, &vdev[k].blk);
			break;
		case V_NET: err = virtio_net_create(m, base, irq, &vdev[k].net); break;
		case V_RNG: err = virtio_rng_create(m, base, irq); break;
		case V_CON: err = virtio_console_create(m, base, irq, &m->vcon); break;
		}
		if (err)
			return err;
	}
	return 0;
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
		} else if (!strcmp(o, "-drive")) {
			if (need_arg(argc, argv, k) || parse_drive(argv[++k]))
				return -1;
		} else if (!strcmp(o, "-netdev")) {
			if (need_arg(argc, argv, k) || parse_netdev(argv[++k]))
				return -1;
		} else if (!strcmp(o, "-device")) {
			if (need_arg(argc, argv, k) || parse_device(argv[++k]))
				return -1;
		} else if (!strcmp(o, "-snapshot")) {
			snapshot_all = true;
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
	if (create_vdevs(m)) {
		machine_destroy(m);
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
