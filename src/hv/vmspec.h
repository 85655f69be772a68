/* vmspec.h - a VM as `cairn vm` options describe it (qemu-system-riscv64's
 * options): parsed into a spec, then built into a machine.  Private to hv/:
 * the CLI and the control plane reach it through vm_create (hv.h). */
#ifndef CAIRN_HV_VMSPEC_H
#define CAIRN_HV_VMSPEC_H

#include "base/opts.h"
#include "machine/machine.h"
#include "machine/virtio.h"

/* A character device: where a console's bytes go (-serial, -chardev). */
enum chr_kind { CHR_STDIO, CHR_NULL, CHR_FILE, CHR_UNIX };
struct chr_spec {
	enum chr_kind kind;
	const char *path;       /* CHR_FILE, CHR_UNIX */
	bool wait;              /* CHR_UNIX: wait for a client before the guest starts */
	bool append;            /* CHR_FILE: append=on */
	bool mux;               /* mon:stdio: the monitor shares it (Ctrl-A c) */
};

struct vm_spec;
typedef int vdev_create(struct machine *m, uint64_t base, int irq, struct vm_spec *sp, int k);

#define VM_MAX_CONTROL 4
struct vm_spec {
	int argc;
	char **argv;            /* our copy: every string below points into it */
	const char *name;       /* -name, or NULL */
	struct machine_config cfg;
	struct chr_spec serial;
	bool start_paused;      /* -S */
	bool no_shutdown;       /* -no-shutdown: stay in "shutdown" when the guest powers off */
	bool snapshot_all;      /* -snapshot */
	const char *trace_path; /* -D */
	const char *qmp[VM_MAX_CONTROL];        /* -qmp SPEC, as given */
	int nqmp;
	const char *monitor;    /* -monitor SPEC, or NULL */
	/* -chardev, -drive, -netdev, virtio devices in slot order */
	struct chardev { struct opts o; const char *id; struct chr_spec chr; } chardevs[VIRTIO_MMIO_SLOTS];
	int nchardevs;
	struct drive { struct opts o; const char *id; struct blk_opts blk; bool used, if_none; } drives[VIRTIO_MMIO_SLOTS];
	int ndrives;
	struct netdev { struct opts o; const char *id; struct net_opts net; } netdevs[VIRTIO_MMIO_SLOTS];
	int nnetdevs;
	struct vdev { vdev_create *create; struct blk_opts blk; struct net_opts net; char *serial, *mac; } vdev[VIRTIO_MMIO_SLOTS];
	int nvdev;
	struct opts serial_opts; /* -serial unix:... */
};

/* Parse argv (argv[0] is an option, not a program name) into a new spec;
 * NULL with e set on a bad option.  -h is not an option here (the CLI
 * prints its usage). */
struct vm_spec *vm_spec_parse(int argc, char **argv, cairn_errbuf *e);
void vm_spec_free(struct vm_spec *sp);
/* The spec's virtio devices onto a created machine. */
int vm_spec_build(struct vm_spec *sp, struct machine *m, cairn_errbuf *e) MUST_CHECK;

#endif
