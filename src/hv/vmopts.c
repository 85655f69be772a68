/* vmopts.c - `cairn vm` options (qemu-system-riscv64's) into a VM spec.
 * Options QEMU users know keep QEMU's meaning; an option cairn does not have
 * yet is an error, never silently ignored.  Comma lists (-drive, -netdev,
 * -device, -chardev, -serial unix:, -machine, -m, -smp) are parsed by
 * base/opts.c against one table per group below, so every key is known and
 * typed and a misspelt one is refused with QEMU's wording.  Errors are
 * values (cairn_errbuf): the CLI prints them, a control socket sends them. */
#include "hv/vmspec.h"

#include <stdlib.h>
#include <string.h>

/* Parse one option's list against its group, or fail with
 * "vm: -opt VALUE: <QEMU's message>". */
static int parse_group(const struct opt_group *g, const char *opt, const char *val, struct opts *o, cairn_errbuf *e)
{
	char *err;
	if (!opts_parse(g, val, o, &err))
		return 0;
	/* -serial unix:PATH,... parses what follows "unix:" but shows it all. */
	const char *shown = !strcmp(opt, "-serial") ? val - 5 : val;
	cairn_errorf(e, "vm: %s %s: %s", opt, shown, err ? err : "out of memory");
	free(err);
	return -1;
}

static int need_key(const struct opts *o, const char *opt, const char *val, const char *key, cairn_errbuf *e)
{
	if (opts_has(o, key))
		return 0;
	cairn_errorf(e, "vm: %s %s: Parameter '%s' is missing", opt, val, key);
	return -1;
}

/* ---- -machine, -m, -smp ---- */

static const struct opt_desc machine_keys[] = {
	{ "type", OPT_STRING, 0, (const char *const[]){ "virt", NULL } },
	{ "dumpdtb", OPT_STRING, 0, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct opt_group machine_group = { "type", "virt-machine", machine_keys };

static int opt_machine(const char *v, struct vm_spec *sp, cairn_errbuf *e)
{
	struct opts o;
	if (parse_group(&machine_group, "-machine", v, &o, e))
		return -1;
	if (opts_str(&o, "dumpdtb"))
		sp->cfg.dumpdtb = strdup(opts_str(&o, "dumpdtb"));
	opts_free(&o);
	return 0;
}

static const struct opt_desc memory_keys[] = {
	{ "size", OPT_SIZE, OPT_MIB, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct opt_group memory_group = { "size", NULL, memory_keys };

static int opt_memory(const char *v, struct vm_spec *sp, cairn_errbuf *e)
{
	struct opts o;
	if (parse_group(&memory_group, "-m", v, &o, e))
		return -1;
	uint64_t size = opts_num(&o, "size", sp->cfg.ram_size);
	opts_free(&o);
	if (size < (1u << 20) || size > (1ull << 40) || (size & 0xfff)) {
		cairn_errorf(e, "vm: -m %s: RAM size must be 1 MiB to 1 TiB in whole pages (e.g. -m 256M, -m 2G)", v);
		return -1;
	}
	sp->cfg.ram_size = size;
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
static int smp_topology(const struct opts *o, const char *v, uint64_t *cpus_out, cairn_errbuf *e)
{
	uint64_t cpus = opts_num(o, "cpus", 0), maxcpus = opts_num(o, "maxcpus", 0);
	uint64_t sockets = opts_num(o, "sockets", 0), cores = opts_num(o, "cores", 0);
	uint64_t threads = opts_num(o, "threads", 0);
	for (size_t k = 0; k < o->n; k++)
		if (o->v[k].num == 0 || o->v[k].num > 1u << 16) {
			cairn_errorf(e, "vm: -smp %s: '%s' must be 1 to 65536", v, o->v[k].desc->name);
			return -1;
		}
	if (opts_num(o, "dies", 1) != 1 || opts_num(o, "clusters", 1) != 1) {
		cairn_errorf(e, "vm: -smp %s: dies and clusters are not supported by this machine's CPU topology", v);
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
		cairn_errorf(e, "vm: -smp %s: Invalid CPU topology: sockets (%llu) * cores (%llu) * threads (%llu) = %llu, "
			    "maxcpus %llu, cpus %llu", v, (unsigned long long)sockets, (unsigned long long)cores,
			    (unsigned long long)threads, (unsigned long long)total, (unsigned long long)maxcpus,
			    (unsigned long long)cpus);
		return -1;
	}
	if (maxcpus > VIRT_MAX_HARTS) {
		cairn_errorf(e, "vm: -smp %s: Invalid SMP CPUs %llu. The max CPUs supported by machine 'virt' is %d",
			    v, (unsigned long long)maxcpus, VIRT_MAX_HARTS);
		return -1;
	}
	*cpus_out = cpus;
	return 0;
}

static int opt_smp(const char *v, struct vm_spec *sp, cairn_errbuf *e)
{
	struct opts o;
	uint64_t cpus;
	if (parse_group(&smp_group, "-smp", v, &o, e))
		return -1;
	int r = smp_topology(&o, v, &cpus, e);
	opts_free(&o);
	if (!r)
		sp->cfg.smp = (int)cpus;
	return r;
}

/* ---- -chardev and -serial ---- */

static const struct opt_desc chardev_keys[] = {
	{ "backend", OPT_STRING, 0, (const char *const[]){ "socket", "file", "null", "stdio", NULL } },
	{ "id", OPT_ID, 0, NULL },
	{ "path", OPT_STRING, 0, NULL },
	{ "server", OPT_BOOL, 0, NULL },
	{ "wait", OPT_BOOL, 0, NULL },
	{ "append", OPT_BOOL, 0, NULL },
	{ "mux", OPT_BOOL, 0, NULL },
	{ "signal", OPT_BOOL, 0, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct opt_group chardev_group = { "backend", NULL, chardev_keys };
/* -serial unix:PATH,... is the same list with the path first (QEMU's compat form). */
static const struct opt_group serial_unix_group = { "path", NULL, chardev_keys };

/* What chardev options o describe, as -opt v (for messages). */
static int chr_from_opts(const struct opts *o, const char *opt, const char *v, const char *backend,
			 struct chr_spec *c, cairn_errbuf *e)
{
	*c = (struct chr_spec){ .kind = CHR_NULL };
	if (!strcmp(backend, "null"))
		return 0;
	if (!strcmp(backend, "stdio")) {
		c->kind = CHR_STDIO;
		c->mux = opts_bool(o, "mux", false);
		return 0;
	}
	if (!opts_str(o, "path") || !*opts_str(o, "path")) {
		cairn_errorf(e, "vm: %s %s: Parameter 'path' is missing", opt, v);
		return -1;
	}
	c->path = opts_str(o, "path");
	if (!strcmp(backend, "file")) {
		c->kind = CHR_FILE;
		c->append = opts_bool(o, "append", false);
		return 0;
	}
	if (!opts_bool(o, "server", false)) {
		cairn_errorf(e, "vm: %s %s: only server mode is supported (add ,server=on)", opt, v);
		return -1;
	}
	c->kind = CHR_UNIX;
	c->wait = opts_bool(o, "wait", true);
	return 0;
}

static int opt_chardev(const char *v, struct vm_spec *sp, cairn_errbuf *e)
{
	if (sp->nchardevs == VIRTIO_MMIO_SLOTS) {
		cairn_errorf(e, "vm: at most %d -chardev", VIRTIO_MMIO_SLOTS);
		return -1;
	}
	struct chardev *c = &sp->chardevs[sp->nchardevs];
	if (parse_group(&chardev_group, "-chardev", v, &c->o, e)) {
		opts_free(&c->o);
		return -1;
	}
	sp->nchardevs++; /* freed with the spec from here on */
	if (need_key(&c->o, "-chardev", v, "id", e))
		return -1;
	c->id = opts_str(&c->o, "id");
	for (int k = 0; k < sp->nchardevs - 1; k++)
		if (!strcmp(sp->chardevs[k].id, c->id)) {
			cairn_errorf(e, "vm: -chardev %s: Duplicate ID '%s' for chardev", v, c->id);
			return -1;
		}
	const char *backend = opts_str(&c->o, "backend");
	return chr_from_opts(&c->o, "-chardev", v, backend ? backend : "", &c->chr, e);
}

/* -serial stdio | mon:stdio | null | none | file:PATH | unix:PATH,server=on[,wait=off] | chardev:ID */
static int opt_serial(const char *v, struct vm_spec *sp, cairn_errbuf *e)
{
	if (!strcmp(v, "stdio") || !strcmp(v, "mon:stdio")) {
		sp->serial = (struct chr_spec){ .kind = CHR_STDIO, .mux = v[0] == 'm' };
		return 0;
	}
	if (!strcmp(v, "null") || !strcmp(v, "none")) {
		sp->serial = (struct chr_spec){ .kind = CHR_NULL };
		return 0;
	}
	if (!strncmp(v, "file:", 5) && v[5]) {
		sp->serial = (struct chr_spec){ .kind = CHR_FILE, .path = v + 5 };
		return 0;
	}
	if (!strncmp(v, "chardev:", 8)) {
		for (int k = 0; k < sp->nchardevs; k++)
			if (!strcmp(sp->chardevs[k].id, v + 8)) {
				sp->serial = sp->chardevs[k].chr;
				return 0;
			}
		cairn_errorf(e, "vm: -serial %s: no such -chardev", v);
		return -1;
	}
	if (!strncmp(v, "unix:", 5)) {
		opts_free(&sp->serial_opts);
		if (parse_group(&serial_unix_group, "-serial", v + 5, &sp->serial_opts, e))
			return -1;
		return chr_from_opts(&sp->serial_opts, "-serial", v, "socket", &sp->serial, e);
	}
	cairn_errorf(e, "vm: unsupported -serial '%s' (stdio, mon:stdio, null, file:PATH, unix:PATH,server=on, chardev:ID)", v);
	return -1;
}

/* ---- virtio devices: -drive, -netdev, -device, -snapshot ---- */

/* Each virtio device asked for knows how it is made (slot k of sp). */
static int create_blk(struct machine *m, uint64_t base, int irq, struct vm_spec *sp, int k)
{
	sp->vdev[k].blk.snapshot |= sp->snapshot_all;
	return virtio_blk_create(m, base, irq, &sp->vdev[k].blk);
}
static int create_net(struct machine *m, uint64_t base, int irq, struct vm_spec *sp, int k)
{
	return virtio_net_create(m, base, irq, &sp->vdev[k].net);
}
static int create_rng(struct machine *m, uint64_t base, int irq, struct vm_spec *sp, int k)
{
	return virtio_rng_create(m, base, irq);
}
static int create_con(struct machine *m, uint64_t base, int irq, struct vm_spec *sp, int k)
{
	return virtio_console_create(m, base, irq, &m->vcon);
}

static int add_vdev(struct vm_spec *sp, vdev_create *create, cairn_errbuf *e)
{
	if (sp->nvdev == VIRTIO_MMIO_SLOTS) {
		cairn_errorf(e, "vm: at most %d virtio devices", VIRTIO_MMIO_SLOTS);
		return -1;
	}
	sp->vdev[sp->nvdev].create = create;
	return sp->nvdev++;
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

static struct drive *find_drive(struct vm_spec *sp, const char *id)
{
	for (int k = 0; id && k < sp->ndrives; k++)
		if (sp->drives[k].id && !strcmp(sp->drives[k].id, id))
			return &sp->drives[k];
	return NULL;
}

static int opt_drive(const char *v, struct vm_spec *sp, cairn_errbuf *e)
{
	if (sp->ndrives == VIRTIO_MMIO_SLOTS) {
		cairn_errorf(e, "vm: at most %d drives", VIRTIO_MMIO_SLOTS);
		return -1;
	}
	struct drive *d = &sp->drives[sp->ndrives];
	if (parse_group(&drive_group, "-drive", v, &d->o, e)) {
		opts_free(&d->o);
		return -1;
	}
	const struct opts *o = &d->o;
	d->id = opts_str(o, "id");
	bool dup = find_drive(sp, d->id) != NULL;
	sp->ndrives++; /* freed with the spec from here on */
	if (!opts_str(o, "file") || !*opts_str(o, "file")) {
		cairn_errorf(e, "vm: -drive %s: needs file=", v);
		return -1;
	}
	if (dup) {
		cairn_errorf(e, "vm: -drive %s: Duplicate ID '%s' for drive", v, d->id);
		return -1;
	}
	d->blk = (struct blk_opts){
		.file = opts_str(o, "file"), .format = opts_str(o, "format"), .serial = opts_str(o, "serial"),
		.readonly = opts_bool(o, "readonly", false) || opts_bool(o, "read-only", false),
		.snapshot = opts_bool(o, "snapshot", false), .no_lock = locking_off(o),
	};
	const char *iface = opts_str(o, "if");
	d->if_none = iface && !strcmp(iface, "none");
	if (!d->if_none) { /* if=virtio (a PCI device on QEMU; virtio-mmio here) */
		int k = add_vdev(sp, create_blk, e);
		if (k < 0)
			return -1;
		sp->vdev[k].blk = d->blk;
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

static int opt_netdev(const char *v, struct vm_spec *sp, cairn_errbuf *e)
{
	size_t tl = strcspn(v, ",");
	if (tl != 4 || strncmp(v, "user", 4)) {
		cairn_errorf(e, "vm: -netdev %s: only user-mode networking (-netdev user,id=ID) is supported", v);
		return -1;
	}
	if (sp->nnetdevs == VIRTIO_MMIO_SLOTS) {
		cairn_errorf(e, "vm: at most %d -netdev", VIRTIO_MMIO_SLOTS);
		return -1;
	}
	struct netdev *n = &sp->netdevs[sp->nnetdevs];
	if (parse_group(&netdev_group, "-netdev", v, &n->o, e)) {
		opts_free(&n->o);
		return -1;
	}
	sp->nnetdevs++; /* freed with the spec from here on */
	if (need_key(&n->o, "-netdev", v, "id", e))
		return -1;
	const struct opts *o = &n->o;
	n->id = opts_str(o, "id");
	for (int k = 0; k < sp->nnetdevs - 1; k++)
		if (!strcmp(sp->netdevs[k].id, n->id)) {
			cairn_errorf(e, "vm: -netdev %s: Duplicate ID '%s' for netdev", v, n->id);
			return -1;
		}
	n->net = (struct net_opts){
		.restricted = opts_bool(o, "restrict", false), .net = opts_str(o, "net"),
		.host = opts_str(o, "host"), .dns = opts_str(o, "dns"), .dhcpstart = opts_str(o, "dhcpstart"),
		.hostname = opts_str(o, "hostname"), .domain = opts_str(o, "domain"),
	};
	n->net.hostfwd = all_values(o, "hostfwd", &n->net.nhostfwd);
	n->net.guestfwd = all_values(o, "guestfwd", &n->net.nguestfwd);
	if (!n->net.hostfwd || !n->net.guestfwd) {
		cairn_errorf(e, "vm: out of memory");
		return -1;
	}
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

static int add_blk_device(struct vm_spec *sp, const struct opts *o, const char *v, cairn_errbuf *e)
{
	if (need_key(o, "-device", v, "drive", e))
		return -1;
	struct drive *d = find_drive(sp, opts_str(o, "drive"));
	if (!d || !d->if_none || d->used) {
		cairn_errorf(e, "vm: -device %s: no unused -drive if=none,id=%s", v, opts_str(o, "drive"));
		return -1;
	}
	int s = add_vdev(sp, create_blk, e);
	if (s < 0)
		return -1;
	sp->vdev[s].blk = d->blk;
	if (opts_str(o, "serial"))
		sp->vdev[s].blk.serial = sp->vdev[s].serial = strdup(opts_str(o, "serial"));
	d->used = true;
	return 0;
}

static int add_net_device(struct vm_spec *sp, const struct opts *o, const char *v, cairn_errbuf *e)
{
	const char *id = opts_str(o, "netdev");
	for (int k = 0; id && k < sp->nnetdevs; k++)
		if (!strcmp(sp->netdevs[k].id, id)) {
			int s = add_vdev(sp, create_net, e);
			if (s < 0)
				return -1;
			sp->vdev[s].net = sp->netdevs[k].net;
			if (opts_str(o, "mac"))
				sp->vdev[s].net.mac = sp->vdev[s].mac = strdup(opts_str(o, "mac"));
			return 0;
		}
	cairn_errorf(e, "vm: -device %s: no -netdev with id=%s", v, id ? id : "?");
	return -1;
}

static int add_rng_device(struct vm_spec *sp, const struct opts *o, const char *v, cairn_errbuf *e)
{
	return add_vdev(sp, create_rng, e) < 0 ? -1 : 0;
}
static int add_serial_device(struct vm_spec *sp, const struct opts *o, const char *v, cairn_errbuf *e)
{
	return add_vdev(sp, create_con, e) < 0 ? -1 : 0;
}
/* The port of virtio-serial-device: it has one console port already. */
static int add_virtconsole(struct vm_spec *sp, const struct opts *o, const char *v, cairn_errbuf *e)
{
	return 0;
}

static const struct device_model {
	const char *name;
	const struct opt_desc *keys;
	int (*add)(struct vm_spec *sp, const struct opts *o, const char *v, cairn_errbuf *e);
} device_models[] = {
	{ "virtio-blk-device", blk_device_keys, add_blk_device },
	{ "virtio-net-device", net_device_keys, add_net_device },
	{ "virtio-rng-device", plain_device_keys, add_rng_device },
	{ "virtio-serial-device", plain_device_keys, add_serial_device },
	{ "virtconsole", plain_device_keys, add_virtconsole },
};

static int opt_device(const char *v, struct vm_spec *sp, cairn_errbuf *e)
{
	size_t nl = strcspn(v, ",");
	for (size_t k = 0; k < ARRAY_SIZE(device_models); k++) {
		const struct device_model *dm = &device_models[k];
		if (strlen(dm->name) != nl || strncmp(v, dm->name, nl))
			continue;
		struct opt_group g = { "driver", dm->name, dm->keys };
		struct opts o;
		if (parse_group(&g, "-device", v, &o, e)) {
			opts_free(&o);
			return -1;
		}
		int r = dm->add(sp, &o, v, e);
		opts_free(&o);
		return r;
	}
	cairn_errorf(e, "vm: unsupported -device '%.*s' (virtio-blk-device, virtio-net-device, virtio-rng-device, "
		    "virtio-serial-device, virtconsole)", (int)nl, v);
	return -1;
}

static int opt_snapshot(const char *v, struct vm_spec *sp, cairn_errbuf *e)
{
	sp->snapshot_all = true;
	return 0;
}

int vm_spec_build(struct vm_spec *sp, struct machine *m, cairn_errbuf *e)
{
	for (int k = 0; k < sp->ndrives; k++)
		if (sp->drives[k].if_none && !sp->drives[k].used)
			cairn_warn("vm: -drive id=%s is not used by any -device", sp->drives[k].id ? sp->drives[k].id : "?");
	for (int k = 0; k < sp->nvdev; k++) {
		uint64_t base = VIRTIO_MMIO_BASE + (uint64_t)k * VIRTIO_MMIO_SIZE;
		m->err = (cairn_errbuf){ 0 };
		int err = sp->vdev[k].create(m, base, 1 + k, sp, k);
		if (err) {
			/* devices return errors as values */
			cairn_errorf(e, "%s", m->err.msg[0] ? m->err.msg : cairn_strerror(err));
			return err;
		}
	}
	return 0;
}

/* ---- The rest of the command line ---- */

static int opt_bios(const char *v, struct vm_spec *sp, cairn_errbuf *e) { sp->cfg.bios = v; return 0; }
static int opt_kernel(const char *v, struct vm_spec *sp, cairn_errbuf *e) { sp->cfg.kernel = v; return 0; }
static int opt_initrd(const char *v, struct vm_spec *sp, cairn_errbuf *e) { sp->cfg.initrd = v; return 0; }
static int opt_append(const char *v, struct vm_spec *sp, cairn_errbuf *e) { sp->cfg.append = v; return 0; }
static int opt_dtb(const char *v, struct vm_spec *sp, cairn_errbuf *e) { sp->cfg.dtb = v; return 0; }
static int opt_dfile(const char *v, struct vm_spec *sp, cairn_errbuf *e) { sp->trace_path = v; return 0; }
static int opt_nothing(const char *v, struct vm_spec *sp, cairn_errbuf *e) { return 0; }
static int opt_paused(const char *v, struct vm_spec *sp, cairn_errbuf *e) { sp->start_paused = true; return 0; }
static int opt_no_shutdown(const char *v, struct vm_spec *sp, cairn_errbuf *e) { sp->no_shutdown = true; return 0; }

/* -name NAME or -name guest=NAME[,...]: QEMU's form with keys. */
static int opt_name(const char *v, struct vm_spec *sp, cairn_errbuf *e)
{
	const char *n = !strncmp(v, "guest=", 6) ? v + 6 : v;
	size_t len = strcspn(n, ",");
	if (!len || len > 63 || n[len]) {
		cairn_errorf(e, "vm: -name %s: a name of 1 to 63 characters (no commas)", v);
		return -1;
	}
	for (size_t k = 0; k < len; k++)
		if (!(n[k] == '-' || n[k] == '_' || n[k] == '.' || (n[k] >= '0' && n[k] <= '9') ||
		      ((n[k] | 32) >= 'a' && (n[k] | 32) <= 'z'))) {
			cairn_errorf(e, "vm: -name %s: names are letters, digits, '-', '_' and '.'", v);
			return -1;
		}
	sp->name = n;
	return 0;
}

static int opt_qmp(const char *v, struct vm_spec *sp, cairn_errbuf *e)
{
	if (sp->nqmp == VM_MAX_CONTROL) {
		cairn_errorf(e, "vm: at most %d -qmp", VM_MAX_CONTROL);
		return -1;
	}
	sp->qmp[sp->nqmp++] = v;
	return 0;
}

static int opt_monitor(const char *v, struct vm_spec *sp, cairn_errbuf *e)
{
	sp->monitor = strcmp(v, "none") ? v : NULL;
	return 0;
}

static int opt_display(const char *v, struct vm_spec *sp, cairn_errbuf *e)
{
	if (strcmp(v, "none")) {
		cairn_errorf(e, "vm: only '-display none' is supported");
		return -1;
	}
	return 0;
}

/* -d ITEM[,ITEM]: the items that mean "show me the instructions". */
static int opt_log(const char *v, struct vm_spec *sp, cairn_errbuf *e)
{
	static const char *const items[] = { "in_asm", "exec", "cpu" };
	for (const char *p = v; ; p++) {
		size_t n = strcspn(p, ","), k = 0;
		while (k < ARRAY_SIZE(items) && (strlen(items[k]) != n || strncmp(p, items[k], n)))
			k++;
		if (k == ARRAY_SIZE(items)) {
			cairn_errorf(e, "vm: unsupported -d item '%.*s' (in_asm, exec, cpu)", (int)n, p);
			return -1;
		}
		sp->cfg.trace = true;
		p += n;
		if (!*p)
			return 0;
	}
}

/* Every option cairn vm takes: name, whether it has an argument, handler. */
static const struct vm_option {
	const char *name;
	bool arg;
	int (*fn)(const char *v, struct vm_spec *sp, cairn_errbuf *e);
} vm_options[] = {
	{ "-nographic", false, opt_nothing }, { "-snapshot", false, opt_snapshot },
	{ "-S", false, opt_paused }, { "-no-shutdown", false, opt_no_shutdown },
	{ "-name", true, opt_name },
	{ "-M", true, opt_machine }, { "-machine", true, opt_machine },
	{ "-m", true, opt_memory }, { "-smp", true, opt_smp },
	{ "-bios", true, opt_bios }, { "-kernel", true, opt_kernel },
	{ "-initrd", true, opt_initrd }, { "-append", true, opt_append }, { "-dtb", true, opt_dtb },
	{ "-drive", true, opt_drive }, { "-netdev", true, opt_netdev }, { "-device", true, opt_device },
	{ "-serial", true, opt_serial }, { "-chardev", true, opt_chardev },
	{ "-qmp", true, opt_qmp }, { "-monitor", true, opt_monitor },
	{ "-display", true, opt_display }, { "-d", true, opt_log }, { "-D", true, opt_dfile },
};

static int parse_args(struct vm_spec *sp, cairn_errbuf *e)
{
	for (int k = 0; k < sp->argc; k++) {
		const char *o = sp->argv[k];
		if (o[0] == '-' && o[1] == '-' && o[2])
			o++; /* QEMU accepts --opt for -opt */
		size_t i = 0;
		while (i < ARRAY_SIZE(vm_options) && strcmp(o, vm_options[i].name))
			i++;
		if (i == ARRAY_SIZE(vm_options)) {
			cairn_errorf(e, "vm: unknown option '%s' (try 'cairn vm -h')", sp->argv[k]);
			return -1;
		}
		if (vm_options[i].arg && k + 1 >= sp->argc) {
			cairn_errorf(e, "vm: option '%s' needs an argument", sp->argv[k]);
			return -1;
		}
		if (vm_options[i].fn(vm_options[i].arg ? sp->argv[++k] : NULL, sp, e))
			return -1;
	}
	return 0;
}

/* The console, -qmp and -monitor cannot all read stdin: QEMU refuses a
 * second user of stdio with these words (its -nographic console already
 * multiplexes the monitor: Ctrl-A c). */
static int stdio_once(const struct vm_spec *sp, cairn_errbuf *e)
{
	int users = sp->serial.kind == CHR_STDIO;
	const char *spec = sp->monitor && !strcmp(sp->monitor, "stdio") ? "-monitor stdio" : NULL;
	users += spec != NULL;
	for (int k = 0; k < sp->nqmp; k++)
		if (!strcmp(sp->qmp[k], "stdio")) {
			users++;
			spec = "-qmp stdio";
		}
	if (users < 2)
		return 0;
	cairn_errorf(e, "vm: %s: cannot use stdio by multiple character devices%s", spec,
		     sp->serial.kind == CHR_STDIO ? " (the console is on stdio: add -serial null, file: or unix:)" : "");
	return -ERR_INVAL;
}

struct vm_spec *vm_spec_parse(int argc, char **argv, cairn_errbuf *e)
{
	struct vm_spec *sp = calloc(1, sizeof *sp);
	if (!sp || !(sp->argv = calloc((size_t)argc + 1, sizeof *sp->argv))) {
		free(sp);
		cairn_errorf(e, "vm: out of memory");
		return NULL;
	}
	sp->cfg = (struct machine_config){ .ram_size = 128ull << 20, .smp = 1 };
	sp->serial = (struct chr_spec){ .kind = CHR_STDIO, .mux = true };
	for (; sp->argc < argc; sp->argc++)
		if (!(sp->argv[sp->argc] = strdup(argv[sp->argc]))) {
			cairn_errorf(e, "vm: out of memory");
			vm_spec_free(sp);
			return NULL;
		}
	if (parse_args(sp, e) || stdio_once(sp, e)) {
		vm_spec_free(sp);
		return NULL;
	}
	return sp;
}

void vm_spec_free(struct vm_spec *sp)
{
	if (!sp)
		return;
	for (int k = 0; k < sp->nchardevs; k++)
		opts_free(&sp->chardevs[k].o);
	for (int k = 0; k < sp->ndrives; k++)
		opts_free(&sp->drives[k].o);
	for (int k = 0; k < sp->nnetdevs; k++) {
		free((void *)sp->netdevs[k].net.hostfwd);
		free((void *)sp->netdevs[k].net.guestfwd);
		opts_free(&sp->netdevs[k].o);
	}
	for (int k = 0; k < sp->nvdev; k++) {
		free(sp->vdev[k].serial);
		free(sp->vdev[k].mac);
	}
	opts_free(&sp->serial_opts);
	free((void *)sp->cfg.dumpdtb);
	for (int k = 0; k < sp->argc; k++)
		free(sp->argv[k]);
	free(sp->argv);
	free(sp);
}
