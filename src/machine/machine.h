/* machine.h - the RISC-V "virt" board: bus.c has the services below the
 * devices (RAM through mem, boot ROM, MMIO dispatch, harts as scheduler
 * units), virt.c the board above them (memory map, fixed devices, boot).
 * Compatible with QEMU's virt memory map so that firmware and kernels built
 * for QEMU run unchanged. */
#ifndef CAIRN_MACHINE_H
#define CAIRN_MACHINE_H

#include <pthread.h>
#include <stdio.h>

#include "machine/irq.h"
#include "riscv/hart.h"
#include "sched/sched.h"

#define VIRT_MROM_BASE   0x1000ull
#define VIRT_MROM_SIZE   0xf000ull
#define VIRT_TEST_BASE   0x100000ull
#define VIRT_CLINT_BASE  0x2000000ull
#define VIRT_UART0_BASE  0x10000000ull
#define VIRT_RTC_BASE    0x101000ull
#define VIRT_PLIC_BASE   0xc000000ull
#define VIRT_PLIC_SIZE   0x600000ull
#define VIRT_VIRTIO_BASE 0x10001000ull  /* 8 slots, stride 0x1000, IRQ 1..8 */
#define VIRT_DRAM_BASE   0x80000000ull
#define VIRT_MAX_HARTS   8
#define VIRT_NIRQ        96             /* PLIC sources, 0 included (QEMU's count) */
#define VIRT_UART0_IRQ   10
#define VIRT_RTC_IRQ     11

struct machine;

/* A device: operations plus an opaque pointer, registered at an address.
 * read/write get the offset inside the device and return 0, or -1 for an
 * access fault.  Optional: fdt adds the device's node under /soc (libfdt
 * read-write API on the tree being built), reset returns it to power-on
 * state, destroy frees it, save appends its state to a stream and restore
 * takes it back (a hostile stream is an error, never a crash: state.h).
 * stateless: the device has nothing to save (save and restore unset). */
struct state_buf;
struct dev_ops {
	const char *name;
	int (*read)(void *opaque, uint64_t off, int size, uint64_t *val);
	int (*write)(void *opaque, uint64_t off, int size, uint64_t val);
	int (*fdt)(void *opaque, struct machine *m, void *fdt, int soc);
	void (*reset)(void *opaque);
	void (*destroy)(void *opaque);
	void (*save)(void *opaque, struct state_buf *s);
	int (*restore)(void *opaque, struct state_buf *s);
	bool stateless;
};
struct dev {
	uint64_t base, size;
	const struct dev_ops *ops;
	void *opaque;
};

struct machine_config {
	uint64_t ram_size;
	int smp;
	const char *bios;       /* "none", "default" (Debian's OpenSBI) or a file */
	const char *kernel;
	const char *initrd;
	const char *append;     /* kernel command line */
	const char *dtb;        /* a device tree from outside instead of ours */
	const char *dumpdtb;    /* write the generated tree here and exit */
	/* Where the console (UART, HTIF, virtio console) goes: */
	enum { CONSOLE_STDIO, CONSOLE_NULL, CONSOLE_FILE, CONSOLE_UNIX } console;
	const char *console_path;  /* FILE: the file; UNIX: the socket (a server) */
	bool console_wait;         /* UNIX: wait for a client before the guest starts */
	bool console_append;       /* FILE: append instead of truncating */
	bool trace;             /* -d in_asm */
	FILE *trace_file;
	/* The worker pool the harts run on (a hypervisor's, shared with other
	 * VMs); NULL: the machine makes its own, one worker per hart. */
	struct sched *sched;
	/* Called (on a worker thread) when every hart has stopped after
	 * machine_halt or machine_reset: the owner then reboots or ends it. */
	void (*on_stop)(void *ctx);
	void *stop_ctx;
};

/* A hart as a scheduler unit. */
struct vcpu {
	rv_hart hart;
	struct sched_unit unit;
	struct machine *m;
	int reset_pending;      /* atomic: reset while parked, must run (not wait for an interrupt) */
};

struct machine {
	struct machine_config cfg;
	struct rv_bus bus;
	struct mem *mem;        /* guest RAM */
	uint8_t *mrom;
	struct dev devs[16];
	int ndevs;
	struct vcpu *vcpu[VIRT_MAX_HARTS];
	int nharts;
	struct sched *sched;    /* runs the harts, owns their timers */
	struct sched_group *group; /* the harts, as one group of units */
	bool own_sched;         /* sched is ours (cfg.sched was NULL) */
	bool running;           /* started, not all harts stopped yet */
	int paused;             /* machine_pause depth */
	pthread_cond_t stop_cv; /* running became false */
	uint64_t time_base_ns;
	/* HTIF, when the ELF has a tohost symbol. */
	uint64_t tohost, fromhost;
	/* Stopping: set once by whoever ends the machine. */
	volatile int halted;
	bool reset_requested;   /* halted for a reboot, not for good */
	int exit_code;
	pthread_mutex_t halt_mu;
	/* Console output (UART, HTIF). */
	FILE *console;
	volatile bool console_dirty; /* unflushed output: flushed when harts pause */
	struct plic *plic;
	struct uart *uart;
	struct virtio_console *vcon; /* the virtio console, if any */
	volatile bool input_to_vcon; /* Ctrl-A c moves stdin between the UART and it */
	struct con *con;        /* console.c's state */
	/* Ctrl-A x on the console (NULL: machine_halt(m, 0), as QEMU quits). */
	void (*console_quit)(void *ctx);
	/* The human monitor behind Ctrl-A c (NULL: none): n == 0 when input
	 * switches to it (show the banner and prompt), else typed bytes. */
	void (*console_monitor)(void *ctx, const uint8_t *buf, size_t n);
	void *console_ctx;
	volatile bool input_to_monitor; /* Ctrl-A c: stdin goes to the monitor */
	uint32_t next_phandle;
	uint32_t intc_phandle[VIRT_MAX_HARTS];
	uint32_t test_phandle;
	uint64_t initrd_start, initrd_end; /* 0: no initrd */
	cairn_errbuf err;          /* why machine_load (or a loader) failed, as a value */
};

/* virt.c: the board */
int machine_create(struct machine **out, const struct machine_config *cfg) MUST_CHECK;
/* Load firmware, kernel, initrd and device tree per cfg.  On failure the
 * message is in m->err (nothing is printed).  Returns 1 when cfg.dumpdtb
 * was written (nothing to run). */
int machine_load(struct machine *m) MUST_CHECK;
/* Run until the guest powers off (rebooting it when it asks); returns the
 * guest's exit code.  For a machine nobody else drives. */
int machine_run(struct machine *m);
/* The pieces machine_run is made of, for a hypervisor: start the harts
 * (cfg.on_stop is called once all have stopped), wait for that, and the
 * warm reboot that restarts the images (all harts stopped; returns an
 * error with the message in m->err). */
void machine_start(struct machine *m);
void machine_wait_stopped(struct machine *m);
int machine_reboot(struct machine *m) MUST_CHECK;
/* Stop every hart at an instruction boundary and keep them stopped (their
 * state may be read and written meanwhile); resume lets them run again.
 * Nest.  Not from one of the machine's own harts. */
void machine_pause(struct machine *m);
void machine_resume(struct machine *m);
void machine_destroy(struct machine *m);

/* The state of every device, in registration order, each tagged with its
 * name and length; restore checks both (for snapshots and migration).  A
 * device that cannot be saved yet makes both fail with ERR_UNSUPP. */
int machine_save_devices(struct machine *m, struct state_buf *s) MUST_CHECK;
int machine_restore_devices(struct machine *m, struct state_buf *s) MUST_CHECK;

/* bus.c: the services below the devices, for the board (virt.c). */
int machine_bus_init(struct machine *m) MUST_CHECK;
void machine_bus_fini(struct machine *m);

/* For devices. */
/* Guest RAM for DMA: the host address of [gpa, gpa+len) when it lies wholly
 * in RAM, else NULL (the device must then fail the request, never touch the
 * host).  write=true tells the machine the bytes will change, so decoded
 * guest code over them is invalidated. */
uint8_t *machine_dma(struct machine *m, uint64_t gpa, uint64_t len, bool write);
/* Interrupt line irq (1..VIRT_NIRQ-1) of the board's interrupt controller. */
struct irq_line machine_irq(struct machine *m, int irq);
/* The interrupt controller's phandle, for devices' interrupt-parent. */
uint32_t machine_plic_phandle(struct machine *m);
int machine_add_dev(struct machine *m, uint64_t base, uint64_t size, const struct dev_ops *ops, void *opaque) MUST_CHECK;
void machine_halt(struct machine *m, int code);
/* Reboot: stop every hart, reload the images, start again (like QEMU's reset). */
void machine_reset(struct machine *m);
void machine_wake(struct machine *m, int hartid);
uint64_t machine_time(struct machine *m);

uint32_t machine_new_phandle(struct machine *m);
uint32_t machine_plic_phandle(struct machine *m);

/* Devices of this board (one file each). */
struct plic;
int plic_create(struct machine *m, uint64_t base, struct plic **out) MUST_CHECK;
/* A source's line: irq_set drives it (any thread). */
struct irq_line plic_line(struct plic *p, int irq);
uint32_t plic_phandle(const struct plic *p);
struct uart;
int uart_create(struct machine *m, uint64_t base, struct irq_line irq, struct uart **out) MUST_CHECK;
/* Bytes typed on the console; false when the receive FIFO is full. */
bool uart_receive(struct uart *u, uint8_t c);
int rtc_create(struct machine *m, uint64_t base, struct irq_line irq) MUST_CHECK;
int clint_create(struct machine *m, uint64_t base) MUST_CHECK;
int sifive_test_create(struct machine *m, uint64_t base) MUST_CHECK;
void htif_store_hook(struct machine *m, uint64_t pa, int size);

/* console.c: the console per cfg.console: stdio (raw terminal, Ctrl-A
 * escapes; one machine per process), a file, nothing, or a unix socket
 * server that replays its recent output (a ring) to each client that
 * attaches.  Output never blocks a hart: a client that does not read
 * loses bytes, the ring keeps the latest.  The error is in m->err. */
int console_start(struct machine *m) MUST_CHECK;
void console_stop(struct machine *m);
/* The latest console output (up to cap bytes) into buf; returns its length. */
size_t console_recent(struct machine *m, char *buf, size_t cap);

/* fdt.c: a device's node "name@base" under soc with reg and, if irq > 0, its
 * PLIC interrupt; returns the node offset or a negative libfdt error. */
int fdt_dev_node(struct machine *m, void *fdt, int soc, const char *name, uint64_t base, uint64_t size, int irq);
/* fdt.c: the device tree of the board as built, in a malloc'd blob. */
int fdt_build(struct machine *m, void **blob, size_t *size) MUST_CHECK;

/* loader.c */
/* A whole file into a malloc'd buffer; the error names the file. */
int read_whole_file(const char *path, uint8_t **data, size_t *len, cairn_errbuf *e) MUST_CHECK;
struct elf_info {
	uint64_t entry, lo, hi; /* lowest and highest loaded physical address */
	uint64_t tohost, fromhost;
};
/* Load an ELF64 RISC-V executable, or a raw image at load_addr if the file
 * is not ELF.  Everything must land in RAM. */
int load_image(struct machine *m, const char *path, uint64_t load_addr, struct elf_info *info) MUST_CHECK;
/* The same from memory; path only names the image in messages. */
int load_buffer(struct machine *m, const char *path, const uint8_t *d, size_t n, uint64_t load_addr,
		struct elf_info *info) MUST_CHECK;

#endif
