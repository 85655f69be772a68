/* vm.c - `cairn vm`: one RISC-V machine from qemu-system-riscv64 options.
 * Options QEMU users know keep QEMU's meaning; an option cairn does not have
 * yet is an error, never silently ignored.  Comma lists (-drive, -netdev,
 * -device, -chardev, -serial unix:, -machine, -m, -smp) are parsed by
 * base/opts.c against one table per group below, so every key is known and
 * typed and a misspelt one is refused with QEMU's wording. */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/opts.h"
#include "machine/machine.h"
#include "machine/virtio.h"

static void vm_usage(FILE *f)
{
	fprintf(f,
		"usage: cairn vm [options]   (qemu-system-riscv64 compatible)\n"
		"  -M, -machine virt[,dumpdtb=FILE]  the board (QEMU's virt; the only one)\n"
		"  -m [size=]SIZE         RAM size (default 128M; suffixes K M G T, plain number = MiB)\n"
		"  -smp [cpus=]N[,maxcpus=N,sockets=N,cores=N,threads=N]  harts (1-%d)\n"
		"  -bios default|none|FILE  firmware at 0x80000000 (default: Debian's OpenSBI)\n"
		"  -kernel FILE           kernel (Linux Image, ELF or raw) or bare-metal program\n"
		"  -initrd FILE           initial ramdisk\n"
		"  -append STRING         kernel command line\n"
		"  -dtb FILE              use this device tree instead of the generated one\n"
		"  -drive file=F,format=raw,if=virtio[,readonly=on][,snapshot=on][,serial=S][,locking=off]\n"
		"  -drive if=none,id=ID,file=F,format=raw -device virtio-blk-device,drive=ID\n"
		"  -netdev user,id=ID[,restrict=on][,net=ADDR/MASK][,host=IP][,dns=IP][,dhcpstart=IP]\n"
		"         [,hostfwd=tcp:[HADDR]:HPORT-[GADDR]:GPORT]...[,guestfwd=tcp:IP:PORT-cmd:CMD]...\n"
		"         -device virtio-net-device,netdev=ID[,mac=52:54:00:12:34:56]\n"
		"  -device virtio-rng-device | virtio-serial-device [-device virtconsole]\n"
		"  -snapshot              disk writes go to a temporary overlay; image files are untouched\n"
		"  -serial stdio|mon:stdio  the UART on stdio (the default)\n"
		"  -serial unix:PATH,server=on[,wait=off]  the UART on a unix socket\n"
		"  -chardev socket,id=ID,path=PATH,server=on[,wait=off]  with -serial chardev:ID\n"
		"  -nographic             console on stdio (the default)\n"
		"  -display none          accepted, no effect\n"
		"  -d in_asm              trace executed instructions to stderr (or -D FILE)\n"
		"  -D FILE                write -d output to FILE\n"
		"  Lists take QEMU's syntax: ',,' is a literal comma, a bare 'key' means key=on.\n"
		"  -h, --help             this text\n", VIRT_MAX_HARTS);
}

/* Parse one option's list against its group, or print
 * "vm: -opt VALUE: <QEMU's message>". */
static int parse_group(const struct opt_group *g, const char *opt, const char *val, struct opts *o)
{
	char *err;
	if (!opts_parse(g, val, o, &err))
		return 0;
	/* -serial unix:PATH,... parses what follows "unix:" but shows it all. */
	const char *shown = !strcmp(opt, "-serial") ? val - 5 : val;
	cairn_error("vm: %s %s: %s", opt, shown, err ? err : "out of memory");
	free(err);
	return -1;
}

static int need_key(const struct opts *o, const char *opt, const char *val, const char *key)
{
	if (opts_has(o, key))
		return 0;
	cairn_error("vm: %s %s: Parameter '%s' is missing", opt, val, key);
	return -1;
}

/* ---- -machine, -m, -smp ---- */

static const struct opt_desc machine_keys[] = {
	{ "type", OPT_STRING, 0, (const char *const[]){ "virt", NULL } },
	{ "dumpdtb", OPT_STRING, 0, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct opt_group machine_group = { "type", "virt-machine", machine_keys };

static int opt_machine(const char *v, struct machine_config *cfg)
{
	struct opts o;
	if (parse_group(&machine_group, "-machine", v, &o))
		return -1;
	if (opts_str(&o, "dumpdtb"))
		cfg->dumpdtb = strdup(opts_str(&o, "dumpdtb"));
	opts_free(&o);
	return 0;
}

static const struct opt_desc memory_keys[] = {
	{ "size", OPT_SIZE, OPT_MIB, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct opt_group memory_group = { "size", NULL, memory_keys };

static int opt_memory(const char *v, struct machine_config *cfg)
{
	struct opts o;
	if (parse_group(&memory_group, "-m", v, &o))
		return -1;
	uint64_t size = opts_num(&o, "size", cfg->ram_size);
	opts_free(&o);
	if (size < (1u << 20) || size > (1ull << 40) || (size & 0xfff)) {
		cairn_error("vm: -m %s: RAM size must be 1 MiB to 1 TiB in whole pages (e.g. -m 256M, -m 2G)", v);
		return -1;
	}
	cfg->ram_size = size;
	return 0;
}

static const struct opt_desc smp_keys[] = {
	{ "cpus", OPT_NUMBER, 0, NULL }, { "maxcpus", OPT_NUMBER, 0, NULL },
	{ "sockets", OPT_NUMBER, 0, NULL }, { "dies", OPT_NUMBER, 0, NULL },
	{ "clusters", OPT_NUMBER, 0, NULL }, { "cores", OPT_NUMBER, 0, NULL },
	{ "threads", OPT_NUMBER, 0, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct opt_group smp_group = { "cpus", NULL, smp_keys };

/* QEMU 7.2's smp_parse for a machine that prefers cores: missing sockets and
 * threads are 1, missing cores fill maxcpus, and the product must be maxcpus.
 * Harts = cpus; there is no CPU hotplug, so maxcpus only has to hold them. */
static int smp_topology(const struct opts *o, const char *v, uint64_t *cpus_out)
{
	uint64_t cpus = opts_num(o, "cpus", 0), maxcpus = opts_num(o, "maxcpus", 0);
	uint64_t sockets = opts_num(o, "sockets", 0), cores = opts_num(o, "cores", 0);
	uint64_t threads = opts_num(o, "threads", 0);
	for (size_t k = 0; k < o->n; k++)
		if (o->v[k].num == 0 || o->v[k].num > 1u << 16) {
			cairn_error("vm: -smp %s: '%s' must be 1 to 65536", v, o->v[k].desc->name);
			return -1;
		}
	if (opts_num(o, "dies", 1) != 1 || opts_num(o, "clusters", 1) != 1) {
		cairn_error("vm: -smp %s: dies and clusters are not supported by this machine's CPU topology", v);
		return -1;
	}
	sockets = sockets ? sockets : 1;
	threads = threads ? threads : 1;
	if (!cpus && !maxcpus) {
		cores = cores ? cores : 1;
	} else {
		maxcpus = maxcpus ? maxcpus : cpus;
		cores = cores ? cores : maxcpus / (sockets * threads);
	}
	uint64_t total = sockets * cores * threads;
	maxcpus = maxcpus ? maxcpus : total;
	cpus = cpus ? cpus : maxcpus;
	if (total != maxcpus || maxcpus < cpus) {
		cairn_error("vm: -smp %s: Invalid CPU topology: sockets (%llu) * cores (%llu) * threads (%llu) = %llu, "
			    "maxcpus %llu, cpus %llu", v, (unsigned long long)sockets, (unsigned long long)cores,
			    (unsigned long long)threads, (unsigned long long)total, (unsigned long long)maxcpus,
			    (unsigned long long)cpus);
		return -1;
	}
	if (maxcpus > VIRT_MAX_HARTS) {
		cairn_error("vm: -smp %s: Invalid SMP CPUs %llu. The max CPUs supported by machine 'virt' is %d",
			    v, (unsigned long long)maxcpus, VIRT_MAX_HARTS);
		return -1;
	}
	*cpus_out = cpus;
	return 0;
}

static int opt_smp(const char *v, struct machine_config *cfg)
{
	struct opts o;
	uint64_t cpus;
	if (parse_group(&smp_group, "-smp", v, &o))
		return -1;
	int r = smp_topology(&o, v, &cpus);
	opts_free(&o);
	if (!r)
		cfg->smp = (int)cpus;
	return r;
}

/* ---- -chardev and -serial ---- */

static const struct opt_desc chardev_keys[] = {
	{ "backend", OPT_STRING, 0, NULL },
	{ "id", OPT_ID, 0, NULL },
	{ "path", OPT_STRING, 0, NULL },
	{ "server", OPT_BOOL, 0, NULL },
	{ "wait", OPT_BOOL, 0, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct opt_group chardev_group = { "backend", NULL, chardev_keys };
/* -serial unix:PATH,... is the same list with the path first (QEMU's compat form). */
static const struct opt_group serial_unix_group = { "path", NULL, chardev_keys };

static struct chardev { struct opts o; const char *id; } chardevs[VIRTIO_MMIO_SLOTS];
static int nchardevs;

static int opt_chardev(const char *v, struct machine_config *cfg)
{
	if (nchardevs == VIRTIO_MMIO_SLOTS) {
		cairn_error("vm: at most %d -chardev", VIRTIO_MMIO_SLOTS);
		return -1;
	}
	struct chardev *c = &chardevs[nchardevs];
	if (parse_group(&chardev_group, "-chardev", v, &c->o) || need_key(&c->o, "-chardev", v, "id"))
		return -1;
	c->id = opts_str(&c->o, "id");
	for (int k = 0; k < nchardevs; k++)
		if (!strcmp(chardevs[k].id, c->id)) {
			cairn_error("vm: -chardev %s: Duplicate ID '%s' for chardev", v, c->id);
			return -1;
		}
	const char *backend = opts_str(&c->o, "backend");
	if (!backend || strcmp(backend, "socket") || !opts_has(&c->o, "path") || !opts_bool(&c->o, "server", false)) {
		cairn_error("vm: -chardev %s: only 'socket,id=ID,path=PATH,server=on' is supported", v);
		return -1;
	}
	nchardevs++;
	return 0;
}

/* The UART on a unix socket server described by chardev options o. */
static int serial_socket(const struct opts *o, const char *v, struct machine_config *cfg)
{
	if (!opts_bool(o, "server", false)) {
		cairn_error("vm: -serial %s: only server mode is supported (add ,server=on)", v);
		return -1;
	}
	cfg->serial_socket = opts_str(o, "path");
	cfg->serial_wait = opts_bool(o, "wait", true);
	return 0;
}

/* -serial stdio | mon:stdio | unix:PATH,server=on[,wait=off] | chardev:ID */
static int opt_serial(const char *v, struct machine_config *cfg)
{
	static struct opts unix_opts; /* lives as long as cfg points into it */
	if (!strcmp(v, "stdio") || !strcmp(v, "mon:stdio"))
		return 0;
	if (!strncmp(v, "chardev:", 8)) {
		for (int k = 0; k < nchardevs; k++)
			if (!strcmp(chardevs[k].id, v + 8))
				return serial_socket(&chardevs[k].o, v, cfg);
		cairn_error("vm: -serial %s: no such -chardev", v);
		return -1;
	}
	if (!strncmp(v, "unix:", 5)) {
		opts_free(&unix_opts);
		if (parse_group(&serial_unix_group, "-serial", v + 5, &unix_opts))
			return -1;
		return serial_socket(&unix_opts, v, cfg);
	}
	cairn_error("vm: unsupported -serial '%s' (stdio, unix:PATH,server=on, chardev:ID)", v);
	return -1;
}

/* ---- virtio devices: -drive, -netdev, -device, -snapshot ---- */

/* The virtio devices asked for, in slot order: each knows how it is made. */
struct vdev;
typedef int vdev_create(struct machine *m, uint64_t base, int irq, struct vdev *v);
static struct vdev { vdev_create *create; struct blk_opts blk; struct net_opts net; } vdev[VIRTIO_MMIO_SLOTS];
static int nvdev;
static bool snapshot_all;

static int create_blk(struct machine *m, uint64_t base, int irq, struct vdev *v)
{
	v->blk.snapshot |= snapshot_all;
	return virtio_blk_create(m, base, irq, &v->blk);
}
static int create_net(struct machine *m, uint64_t base, int irq, struct vdev *v) { return virtio_net_create(m, base, irq, &v->net); }
static int create_rng(struct machine *m, uint64_t base, int irq, struct vdev *v) { return virtio_rng_create(m, base, irq); }
static int create_con(struct machine *m, uint64_t base, int irq, struct vdev *v) { return virtio_console_create(m, base, irq, &m->vcon); }

static struct drive { struct opts o; const char *id; struct blk_opts blk; bool used, if_none; } drives[VIRTIO_MMIO_SLOTS];
static int ndrives;
static struct netdev { struct opts o; const char *id; struct net_opts net; } netdevs[VIRTIO_MMIO_SLOTS];
static int nnetdevs;

static int add_vdev(vdev_create *create)
{
	if (nvdev == VIRTIO_MMIO_SLOTS) {
		cairn_error("vm: at most %d virtio devices", VIRTIO_MMIO_SLOTS);
		return -1;
	}
	vdev[nvdev].create = create;
	return nvdev++;
}

static const char *const onoffauto[] = { "on", "off", "auto", NULL };
static const struct opt_desc drive_keys[] = {
	{ "file", OPT_STRING, 0, NULL },
	{ "format", OPT_STRING, 0, NULL },       /* checked by the disk layer (probing, qcow2) */
	{ "if", OPT_STRING, 0, (const char *const[]){ "virtio", "none", NULL } },
	{ "id", OPT_ID, 0, NULL },
	{ "media", OPT_STRING, 0, (const char *const[]){ "disk", NULL } },
	{ "readonly", OPT_BOOL, 0, NULL },
	{ "read-only", OPT_BOOL, 0, NULL },      /* the block layer's spelling; QEMU takes both */
	{ "snapshot", OPT_BOOL, 0, NULL },
	{ "serial", OPT_STRING, 0, NULL },
	{ "locking", OPT_STRING, 0, onoffauto },
	{ "file.locking", OPT_STRING, 0, onoffauto },
	{ NULL, 0, 0, NULL },
};
static const struct opt_group drive_group = { NULL, NULL, drive_keys };

static bool locking_off(const struct opts *o)
{
	const char *l = opts_str(o, "file.locking") ? opts_str(o, "file.locking") : opts_str(o, "locking");
	return l && !strcmp(l, "off");
}

static struct drive *find_drive(const char *id)
{
	for (int k = 0; id && k < ndrives; k++)
		if (drives[k].id && !strcmp(drives[k].id, id))
			return &drives[k];
	return NULL;
}

static int opt_drive(const char *v, struct machine_config *cfg)
{
	if (ndrives == VIRTIO_MMIO_SLOTS) {
		cairn_error("vm: at most %d drives", VIRTIO_MMIO_SLOTS);
		return -1;
	}
	struct drive *d = &drives[ndrives];
	if (parse_group(&drive_group, "-drive", v, &d->o))
		return -1;
	const struct opts *o = &d->o;
	if (!opts_str(o, "file") || !*opts_str(o, "file")) {
		cairn_error("vm: -drive %s: needs file=", v);
		return -1;
	}
	d->id = opts_str(o, "id");
	if (find_drive(d->id)) {
		cairn_error("vm: -drive %s: Duplicate ID '%s' for drive", v, d->id);
		return -1;
	}
	d->blk = (struct blk_opts){
		.file = opts_str(o, "file"), .format = opts_str(o, "format"), .serial = opts_str(o, "serial"),
		.readonly = opts_bool(o, "readonly", false) || opts_bool(o, "read-only", false),
		.snapshot = opts_bool(o, "snapshot", false), .no_lock = locking_off(o),
	};
	const char *iface = opts_str(o, "if");
	d->if_none = iface && !strcmp(iface, "none");
	ndrives++;
	if (!d->if_none) { /* if=virtio (a PCI device on QEMU; virtio-mmio here) */
		int k = add_vdev(create_blk);
		if (k < 0)
			return -1;
		vdev[k].blk = d->blk;
		d->used = true;
	}
	return 0;
}

static const struct opt_desc netdev_keys[] = {
	{ "type", OPT_STRING, 0, NULL },
	{ "id", OPT_ID, 0, NULL },
	{ "restrict", OPT_BOOL, 0, NULL },
	{ "net", OPT_STRING, 0, NULL },
	{ "host", OPT_STRING, 0, NULL },
	{ "dns", OPT_STRING, 0, NULL },
	{ "dhcpstart", OPT_STRING, 0, NULL },
	{ "hostname", OPT_STRING, 0, NULL },
	{ "domain", OPT_STRING, 0, NULL },
	{ "hostfwd", OPT_STRING, OPT_MULTI, NULL },
	{ "guestfwd", OPT_STRING, OPT_MULTI, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct opt_group netdev_group = { "type", NULL, netdev_keys };

/* Every value of a repeatable key, in a NULL-terminated array. */
static const char *const *all_values(const struct opts *o, const char *key, size_t *n)
{
	const char **list = calloc(o->n + 1, sizeof *list);
	size_t k = 0;
	*n = 0;
	for (const char *s; list && (s = opts_next(o, key, &k)); )
		list[(*n)++] = s;
	return list;
}

static int opt_netdev(const char *v, struct machine_config *cfg)
{
	size_t tl = strcspn(v, ",");
	if (tl != 4 || strncmp(v, "user", 4)) {
		cairn_error("vm: -netdev %s: only user-mode networking (-netdev user,id=ID) is supported", v);
		return -1;
	}
	if (nnetdevs == VIRTIO_MMIO_SLOTS) {
		cairn_error("vm: at most %d -netdev", VIRTIO_MMIO_SLOTS);
		return -1;
	}
	struct netdev *n = &netdevs[nnetdevs];
	if (parse_group(&netdev_group, "-netdev", v, &n->o) || need_key(&n->o, "-netdev", v, "id"))
		return -1;
	const struct opts *o = &n->o;
	n->id = opts_str(o, "id");
	for (int k = 0; k < nnetdevs; k++)
		if (!strcmp(netdevs[k].id, n->id)) {
			cairn_error("vm: -netdev %s: Duplicate ID '%s' for netdev", v, n->id);
			return -1;
		}
	n->net = (struct net_opts){
		.restricted = opts_bool(o, "restrict", false), .net = opts_str(o, "net"),
		.host = opts_str(o, "host"), .dns = opts_str(o, "dns"), .dhcpstart = opts_str(o, "dhcpstart"),
		.hostname = opts_str(o, "hostname"), .domain = opts_str(o, "domain"),
	};
	n->net.hostfwd = all_values(o, "hostfwd", &n->net.nhostfwd);
	n->net.guestfwd = all_values(o, "guestfwd", &n->net.nguestfwd);
	if (!n->net.hostfwd || !n->net.guestfwd)
		return -1;
	nnetdevs++;
	return 0;
}

/* -device: one row per device model (its name, its key table, what its
 * options become); adding a virtio device is its file, a create_ function
 * above and a row here. */
#define DEVICE_ID { "driver", OPT_STRING, 0, NULL }, { "id", OPT_ID, 0, NULL }
static const struct opt_desc blk_device_keys[] = {
	DEVICE_ID, { "drive", OPT_STRING, 0, NULL }, { "serial", OPT_STRING, 0, NULL }, { NULL, 0, 0, NULL },
};
static const struct opt_desc net_device_keys[] = {
	DEVICE_ID, { "netdev", OPT_STRING, 0, NULL }, { "mac", OPT_STRING, 0, NULL }, { NULL, 0, 0, NULL },
};
static const struct opt_desc plain_device_keys[] = { DEVICE_ID, { NULL, 0, 0, NULL } };

static int add_blk_device(const struct opts *o, const char *v)
{
	if (need_key(o, "-device", v, "drive"))
		return -1;
	struct drive *d = find_drive(opts_str(o, "drive"));
	if (!d || !d->if_none || d->used) {
		cairn_error("vm: -device %s: no unused -drive if=none,id=%s", v, opts_str(o, "drive"));
		return -1;
	}
	int s = add_vdev(create_blk);
	if (s < 0)
		return -1;
	vdev[s].blk = d->blk;
	if (opts_str(o, "serial"))
		vdev[s].blk.serial = strdup(opts_str(o, "serial"));
	d->used = true;
	return 0;
}

static int add_net_device(const struct opts *o, const char *v)
{
	const char *id = opts_str(o, "netdev");
	for (int k = 0; id && k < nnetdevs; k++)
		if (!strcmp(netdevs[k].id, id)) {
			int s = add_vdev(create_net);
			if (s < 0)
				return -1;
			vdev[s].net = netdevs[k].net;
			if (opts_str(o, "mac"))
				vdev[s].net.mac = strdup(opts_str(o, "mac"));
			return 0;
		}
	cairn_error("vm: -device %s: no -netdev with id=%s", v, id ? id : "?");
	return -1;
}

static int add_rng_device(const struct opts *o, const char *v) { return add_vdev(create_rng) < 0 ? -1 : 0; }
static int add_serial_device(const struct opts *o, const char *v) { return add_vdev(create_con) < 0 ? -1 : 0; }
/* The port of virtio-serial-device: it has one console port already. */
static int add_virtconsole(const struct opts *o, const char *v) { return 0; }

static const struct device_model {
	const char *name;
	const struct opt_desc *keys;
	int (*add)(const struct opts *o, const char *v);
} device_models[] = {
	{ "virtio-blk-device", blk_device_keys, add_blk_device },
	{ "virtio-net-device", net_device_keys, add_net_device },
	{ "virtio-rng-device", plain_device_keys, add_rng_device },
	{ "virtio-serial-device", plain_device_keys, add_serial_device },
	{ "virtconsole", plain_device_keys, add_virtconsole },
};

static int opt_device(const char *v, struct machine_config *cfg)
{
	size_t nl = strcspn(v, ",");
	for (size_t k = 0; k < ARRAY_SIZE(device_models); k++) {
		const struct device_model *dm = &device_models[k];
		if (strlen(dm->name) != nl || strncmp(v, dm->name, nl))
			continue;
		struct opt_group g = { "driver", dm->name, dm->keys };
		struct opts o;
		if (parse_group(&g, "-device", v, &o))
			return -1;
		int r = dm->add(&o, v);
		opts_free(&o);
		return r;
	}
	cairn_error("vm: unsupported -device '%.*s' (virtio-blk-device, virtio-net-device, virtio-rng-device, "
		    "virtio-serial-device, virtconsole)", (int)nl, v);
	return -1;
}

static int opt_snapshot(const char *v, struct machine_config *cfg)
{
	snapshot_all = true;
	return 0;
}

static int create_vdevs(struct machine *m)
{
	for (int k = 0; k < ndrives; k++)
		if (drives[k].if_none && !drives[k].used)
			cairn_warn("vm: -drive id=%s is not used by any -device", drives[k].id ? drives[k].id : "?");
	for (int k = 0; k < nvdev; k++) {
		uint64_t base = VIRTIO_MMIO_BASE + (uint64_t)k * VIRTIO_MMIO_SIZE;
		m->err = (cairn_errbuf){ 0 };
		int err = vdev[k].create(m, base, 1 + k, &vdev[k]);
		if (err) {
			if (m->err.msg[0]) /* devices return errors as values; the CLI prints them */
				cairn_error("%s", m->err.msg);
			return err;
		}
	}
	return 0;
}

/* ---- The rest of the command line ---- */

static const char *trace_path;

static int opt_bios(const char *v, struct machine_config *c) { c->bios = v; return 0; }
static int opt_kernel(const char *v, struct machine_config *c) { c->kernel = v; return 0; }
static int opt_initrd(const char *v, struct machine_config *c) { c->initrd = v; return 0; }
static int opt_append(const char *v, struct machine_config *c) { c->append = v; return 0; }
static int opt_dtb(const char *v, struct machine_config *c) { c->dtb = v; return 0; }
static int opt_dfile(const char *v, struct machine_config *c) { trace_path = v; return 0; }
static int opt_nothing(const char *v, struct machine_config *c) { return 0; }

static int opt_help(const char *v, struct machine_config *c)
{
	vm_usage(stdout);
	exit(0);
}

static int opt_display(const char *v, struct machine_config *c)
{
	if (strcmp(v, "none")) {
		cairn_error("vm: only '-display none' is supported");
		return -1;
	}
	return 0;
}

/* -d ITEM[,ITEM]: the items that mean "show me the instructions". */
static int opt_log(const char *v, struct machine_config *c)
{
	static const char *const items[] = { "in_asm", "exec", "cpu" };
	for (const char *p = v; ; p++) {
		size_t n = strcspn(p, ","), k = 0;
		while (k < ARRAY_SIZE(items) && (strlen(items[k]) != n || strncmp(p, items[k], n)))
			k++;
		if (k == ARRAY_SIZE(items)) {
			cairn_error("vm: unsupported -d item '%.*s' (in_asm, exec, cpu)", (int)n, p);
			return -1;
		}
		c->trace = true;
		p += n;
		if (!*p)
			return 0;
	}
}

/* Every option cairn vm takes: name, whether it has an argument, handler. */
static const struct vm_option {
	const char *name;
	bool arg;
	int (*fn)(const char *v, struct machine_config *cfg);
} vm_options[] = {
	{ "-h", false, opt_help }, { "-help", false, opt_help },
	{ "-nographic", false, opt_nothing }, { "-snapshot", false, opt_snapshot },
	{ "-M", true, opt_machine }, { "-machine", true, opt_machine },
	{ "-m", true, opt_memory }, { "-smp", true, opt_smp },
	{ "-bios", true, opt_bios }, { "-kernel", true, opt_kernel },
	{ "-initrd", true, opt_initrd }, { "-append", true, opt_append }, { "-dtb", true, opt_dtb },
	{ "-drive", true, opt_drive }, { "-netdev", true, opt_netdev }, { "-device", true, opt_device },
	{ "-serial", true, opt_serial }, { "-chardev", true, opt_chardev },
	{ "-display", true, opt_display }, { "-d", true, opt_log }, { "-D", true, opt_dfile },
};

static int parse_args(int argc, char **argv, struct machine_config *cfg)
{
	for (int k = 1; k < argc; k++) {
		const char *o = argv[k];
		if (o[0] == '-' && o[1] == '-' && o[2])
			o++; /* QEMU accepts --opt for -opt */
		size_t i = 0;
		while (i < ARRAY_SIZE(vm_options) && strcmp(o, vm_options[i].name))
			i++;
		if (i == ARRAY_SIZE(vm_options)) {
			cairn_error("vm: unknown option '%s' (try 'cairn vm -h')", argv[k]);
			return -1;
		}
		if (vm_options[i].arg && k + 1 >= argc) {
			cairn_error("vm: option '%s' needs an argument", argv[k]);
			return -1;
		}
		if (vm_options[i].fn(vm_options[i].arg ? argv[++k] : NULL, cfg))
			return -1;
	}
	return 0;
}

int cli_vm(int argc, char **argv)
{
	struct machine_config cfg = { .ram_size = 128ull << 20, .smp = 1 };
	if (parse_args(argc, argv, &cfg))
		return 1;
	if (trace_path && !(cfg.trace_file = fopen(trace_path, "w"))) {
		cairn_error("vm: cannot write '%s': %s", trace_path, strerror(errno));
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
	if (r < 0)
		cairn_error("%s", m->err.msg); /* errors are values below; the CLI prints them */
	if (r) {
		machine_destroy(m);
		return r == 1 ? 0 : 1; /* 1: -machine dumpdtb done */
	}
	m->err = (cairn_errbuf){ 0 };
	if (console_start(m)) {
		cairn_error("vm: cannot start the console%s%s", m->err.msg[0] ? ": " : "", m->err.msg);
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
