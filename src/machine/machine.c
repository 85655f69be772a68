/* machine.c - building the virt board and running its harts as scheduler
 * units (sched/): a hart in WFI is idle until an interrupt may be pending,
 * and its timer deadline is armed in the scheduler's timer heap. */
#include "machine/machine.h"

#include <errno.h>
#include <libfdt.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define SLICE 100000 /* instructions between interrupt checks */

static const struct sched_unit_ops vcpu_ops;

uint64_t machine_time(struct machine *m)
{
	return (base_now_ns() - m->time_base_ns) / 100; /* 10 MHz, as QEMU's virt */
}

/* The host time at which mtime reaches t. */
static uint64_t mtime_to_ns(struct machine *m, uint64_t t)
{
	if (t > (UINT64_MAX - m->time_base_ns) / 100)
		return UINT64_MAX;
	return m->time_base_ns + t * 100;
}

/* A hart's timer compare changed: arm its deadline in the scheduler. */
static void bus_timer_changed(void *ctx, rv_hart *h)
{
	struct machine *m = ctx;
	struct vcpu *v = m->vcpu[h->mhartid];
	uint64_t d = rv_next_deadline(h);
	sched_set_deadline(&v->unit, d == UINT64_MAX ? UINT64_MAX : mtime_to_ns(m, d));
}

static uint64_t bus_time(void *ctx)
{
	return machine_time(ctx);
}

static struct dev *find_dev(struct machine *m, uint64_t pa)
{
	for (int k = 0; k < m->ndevs; k++)
		if (pa >= m->devs[k].base && pa - m->devs[k].base < m->devs[k].size)
			return &m->devs[k];
	return NULL;
}

static int bus_read(void *ctx, uint64_t pa, int size, uint64_t *val)
{
	struct dev *d = find_dev(ctx, pa);
	if (!d)
		return -1;
	return d->ops->read(d->opaque, pa - d->base, size, val);
}

static int bus_write(void *ctx, uint64_t pa, int size, uint64_t val)
{
	struct dev *d = find_dev(ctx, pa);
	if (!d)
		return -1;
	return d->ops->write(d->opaque, pa - d->base, size, val);
}

static void ram_watch(void *ctx, uint64_t pa, int size)
{
	htif_store_hook(ctx, pa, size);
}

int machine_add_dev(struct machine *m, uint64_t base, uint64_t size, const struct dev_ops *ops, void *opaque)
{
	if (m->ndevs == (int)ARRAY_SIZE(m->devs))
		return -ERR_NOMEM;
	m->devs[m->ndevs++] = (struct dev){ base, size, ops, opaque };
	return 0;
}

static void *map_zeroed(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

int machine_create(struct machine **out, const struct machine_config *cfg)
{
	struct machine *m = calloc(1, sizeof *m);
	if (!m)
		return -ERR_NOMEM;
	m->cfg = *cfg;
	m->console = stdout;
	m->time_base_ns = base_now_ns();
	pthread_mutex_init(&m->halt_mu, NULL);
	int err = mem_create(&m->mem, VIRT_DRAM_BASE, cfg->ram_size);
	m->mrom = map_zeroed(VIRT_MROM_SIZE);
	if (err || !m->mrom) {
		machine_destroy(m);
		return err ? err : -ERR_NOMEM;
	}
	mem_set_watcher(m->mem, ram_watch, m);
	m->bus.mem = m->mem;
	m->bus.rom[0] = (rv_rom){ VIRT_MROM_BASE, VIRT_MROM_SIZE, m->mrom };
	m->bus.nrom = 1;
	m->bus.mmio_read = bus_read;
	m->bus.mmio_write = bus_write;
	m->bus.time = bus_time;
	m->bus.timer_changed = bus_timer_changed;
	m->bus.ctx = m;
	for (int h = 0; h < cfg->smp; h++)
		m->intc_phandle[h] = machine_new_phandle(m);
	m->test_phandle = machine_new_phandle(m);
	err = sched_create(&m->sched);
	if (err) {
		machine_destroy(m);
		return err;
	}
	err = plic_create(m, VIRT_PLIC_BASE, &m->plic);
	if (!err)
		err = uart_create(m, VIRT_UART0_BASE, machine_irq(m, VIRT_UART0_IRQ), &m->uart);
	if (!err)
		err = rtc_create(m, VIRT_RTC_BASE, machine_irq(m, VIRT_RTC_IRQ));
	if (!err)
		err = clint_create(m, VIRT_CLINT_BASE);
	if (!err)
		err = sifive_test_create(m, VIRT_TEST_BASE);
	for (int k = 0; !err && k < cfg->smp; k++) {
		struct vcpu *v = calloc(1, sizeof *v);
		if (!v) {
			err = -ERR_NOMEM;
			break;
		}
		m->vcpu[m->nharts++] = v;
		v->m = m;
		err = rv_hart_init(&v->hart, &m->bus, (uint64_t)k);
		if (!err)
			err = sched_add(m->sched, &v->unit, &vcpu_ops);
		v->hart.trace = cfg->trace;
	}
	if (err) {
		machine_destroy(m);
		return err;
	}
	*out = m;
	return 0;
}

void machine_destroy(struct machine *m)
{
	if (!m)
		return;
	sched_destroy(m->sched); /* its timer thread may still kick harts */
	for (int k = 0; k < m->nharts; k++) {
		rv_hart_free(&m->vcpu[k]->hart);
		free(m->vcpu[k]);
	}
	for (int k = 0; k < m->ndevs; k++)
		if (m->devs[k].ops->destroy)
			m->devs[k].ops->destroy(m->devs[k].opaque);
		else if (m->devs[k].opaque != m)
			free(m->devs[k].opaque);
	mem_destroy(m->mem);
	if (m->mrom)
		munmap(m->mrom, VIRT_MROM_SIZE);
	free(m);
}

/* The reset vector, as QEMU's virt board has it: a0 = hartid, a1 = device
 * tree, a2 = fw_dynamic info (for OpenSBI), then jump to the start address. */
static void write_reset_rom(struct machine *m, uint64_t start, uint64_t fdt, uint64_t next)
{
	static const uint32_t code[] = {
		0x00000297, /* auipc t0, 0 */
		0x02828613, /* addi a2, t0, 40 */
		0xf1402573, /* csrr a0, mhartid */
		0x0202b583, /* ld a1, 32(t0) */
		0x0182b283, /* ld t0, 24(t0) */
		0x00028067, /* jr t0 */
	};
	memset(m->mrom, 0, VIRT_MROM_SIZE);
	for (size_t k = 0; k < ARRAY_SIZE(code); k++)
		st_le32(m->mrom + 4 * k, code[k]);
	st_le64(m->mrom + 24, start);
	st_le64(m->mrom + 32, fdt);
	/* struct fw_dynamic_info (version 2): magic, version, next_addr,
	 * next_mode (1 = S), options, boot_hart. */
	static const uint64_t magic = 0x4942534f, version = 2, mode_s = 1;
	uint64_t info[6] = { magic, version, next, mode_s, 0, 0 };
	for (int k = 0; k < 6; k++)
		st_le64(m->mrom + 40 + 8 * k, info[k]);
}

static void watch_page(struct machine *m, uint64_t pa)
{
	if (mem_contains(m->mem, pa, 8))
		mem_state_set(m->mem, pa, MEM_WATCHED);
}

/* ---- boot layout: every image claims its range; overlaps are errors ---- */

struct layout {
	struct { const char *what; uint64_t lo, hi; } r[4];
	int n;
	uint64_t ram_size;
};

static const char *layout_overlap(const struct layout *l, uint64_t lo, uint64_t hi)
{
	for (int k = 0; k < l->n; k++)
		if (lo < l->r[k].hi && l->r[k].lo < hi)
			return l->r[k].what;
	return NULL;
}

static int layout_claim(struct layout *l, const char *what, uint64_t lo, uint64_t hi)
{
	uint64_t m_ram_mib = l->ram_size >> 20;
	const char *other = layout_overlap(l, lo, hi);
	if (other) {
		cairn_error("%s at 0x%llx-0x%llx overlaps the %s (-m %llu MiB)", what, (unsigned long long)lo,
			    (unsigned long long)hi, other, (unsigned long long)(m_ram_mib));
		return -ERR_RANGE;
	}
	if (l->n < (int)ARRAY_SIZE(l->r))
		l->r[l->n++] = (typeof(l->r[0])){ what, lo, hi };
	return 0;
}

/* The highest address below top, aligned to align, where n bytes fit
 * without overlapping anything claimed; 0 when none (RAM starts far above). */
static uint64_t layout_top_fit(const struct layout *l, uint64_t bottom, uint64_t top, uint64_t n, uint64_t align)
{
	if (top < bottom + n)
		return 0;
	for (uint64_t at = (top - n) & ~(align - 1); at >= bottom; at = (at - align) & ~(align - 1)) {
		if (!layout_overlap(l, at, at + n))
			return at;
		if (at < align)
			break;
	}
	return 0;
}

/* Debian's OpenSBI for "-bios default", then QEMU's copy. */
static const char *default_bios(void)
{
	static const char *const paths[] = {
		"/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin",
		"/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin",
	};
	for (size_t k = 0; k < ARRAY_SIZE(paths); k++)
		if (access(paths[k], R_OK) == 0)
			return paths[k];
	return NULL;
}

static int load_initrd(struct machine *m, struct layout *l, uint64_t kernel_entry)
{
	uint8_t *d;
	size_t n;
	int err = read_whole_file(m->cfg.initrd, &d, &n);
	if (err)
		return err;
	/* As QEMU: far enough above the kernel that its decompression cannot
	 * reach it, but low enough to stay in lowmem. */
	uint64_t half = m->cfg.ram_size / 2, at = kernel_entry + (half < (128ull << 20) ? half : (128ull << 20));
	uint8_t *dst = machine_dma(m, at, n, true);
	if (dst && layout_claim(l, "initrd", at, at + n)) {
		free(d);
		return -ERR_RANGE;
	}
	if (!dst) {
		cairn_error("initrd '%s' (%zu bytes) does not fit in guest RAM at 0x%llx (-m %llu MiB)", m->cfg.initrd,
			    n, (unsigned long long)at, (unsigned long long)(m->cfg.ram_size >> 20));
		free(d);
		return -ERR_RANGE;
	}
	memcpy(dst, d, n);
	free(d);
	m->initrd_start = at;
	m->initrd_end = at + n;
	return 0;
}

/* Our generated tree, or the -dtb file with /chosen updated as QEMU does. */
static int make_fdt(struct machine *m, void **blob, size_t *size)
{
	if (!m->cfg.dtb)
		return fdt_build(m, blob, size);
	uint8_t *d;
	size_t n;
	int err = read_whole_file(m->cfg.dtb, &d, &n);
	if (err)
		return err;
	if (n < 40 || fdt_check_header(d) || fdt_totalsize(d) > n) {
		cairn_error("'%s' is not a flattened device tree", m->cfg.dtb);
		free(d);
		return -ERR_FORMAT;
	}
	size_t room = n + 4096 + (m->cfg.append ? strlen(m->cfg.append) : 0);
	void *fdt = calloc(1, room);
	int ch = -1;
	if (fdt && fdt_open_into(d, fdt, (int)room) == 0) {
		ch = fdt_path_offset(fdt, "/chosen");
		if (ch < 0)
			ch = fdt_add_subnode(fdt, 0, "chosen");
	}
	free(d);
	if (ch < 0 || (m->cfg.append && fdt_setprop_string(fdt, ch, "bootargs", m->cfg.append)) ||
	    (m->initrd_end && (fdt_setprop_u64(fdt, ch, "linux,initrd-start", m->initrd_start) ||
			       fdt_setprop_u64(fdt, ch, "linux,initrd-end", m->initrd_end)))) {
		cairn_error("cannot update /chosen in '%s'", m->cfg.dtb);
		free(fdt);
		return -ERR_FORMAT;
	}
	fdt_pack(fdt);
	*blob = fdt;
	*size = fdt_totalsize(fdt);
	return 0;
}

static int write_file(const char *path, const void *d, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(d, 1, n, f) != n || fclose(f)) {
		cairn_error("cannot write '%s': %s", path, strerror(errno));
		return -ERR_IO;
	}
	return 0;
}

/* Place the tree at the end of RAM (below 3 GiB), 16 MiB aligned, as QEMU;
 * when that would cover an image (small -m), the highest free 4 KiB-aligned
 * place instead. */
static int place_fdt(struct machine *m, struct layout *l, uint64_t *addr)
{
	void *blob;
	size_t n;
	int err = make_fdt(m, &blob, &n);
	if (err)
		return err;
	if (m->cfg.dumpdtb) {
		err = write_file(m->cfg.dumpdtb, blob, n);
		free(blob);
		return err ? err : 1;
	}
	uint64_t end = VIRT_DRAM_BASE + m->cfg.ram_size, top = 0xc0000000ull;
	uint64_t lim = end < top ? end : top;
	uint64_t at = lim >= VIRT_DRAM_BASE + n ? (lim - n) & ~((16ull << 20) - 1) : 0;
	if (at < VIRT_DRAM_BASE || layout_overlap(l, at, at + n))
		at = layout_top_fit(l, VIRT_DRAM_BASE, lim, n, 4096);
	uint8_t *dst = at >= VIRT_DRAM_BASE ? machine_dma(m, at, n, true) : NULL;
	if (!dst) {
		cairn_error("the device tree does not fit in guest RAM");
		free(blob);
		return -ERR_RANGE;
	}
	memcpy(dst, blob, n);
	free(blob);
	*addr = at;
	return 0;
}

int machine_load(struct machine *m)
{
	struct elf_info fw = { 0 }, k = { 0 };
	struct layout l = { .n = 0, .ram_size = m->cfg.ram_size };
	const char *bios = m->cfg.bios ? m->cfg.bios : "default";
	bool have_bios = strcmp(bios, "none") != 0;
	uint64_t start = VIRT_DRAM_BASE, kernel_entry = 0, fdt_addr;
	int err;
	if (!strcmp(bios, "default") && !(bios = default_bios())) {
		cairn_error("-bios default: OpenSBI not found (install Debian's opensbi package)");
		return -ERR_NOENT;
	}
	if (have_bios) {
		if ((err = load_image(m, bios, VIRT_DRAM_BASE, &fw)) || (err = layout_claim(&l, "firmware", fw.lo, fw.hi)))
			return err;
		start = fw.entry;
	}
	if (m->cfg.kernel) {
		/* After firmware, the kernel goes at the next 2 MiB boundary. */
		uint64_t at = have_bios ? (fw.hi + 0x1fffff) & ~0x1fffffull : VIRT_DRAM_BASE;
		if ((err = load_image(m, m->cfg.kernel, at, &k)) || (err = layout_claim(&l, "kernel", k.lo, k.hi)))
			return err;
		kernel_entry = k.entry;
		if (!have_bios)
			start = k.entry;
	} else if (!have_bios) {
		cairn_error("vm: nothing to run: give -kernel FILE or -bios FILE");
		return -ERR_INVAL;
	}
	m->initrd_start = m->initrd_end = 0;
	if (m->cfg.initrd) {
		if (!m->cfg.kernel) {
			cairn_error("vm: -initrd needs -kernel");
			return -ERR_INVAL;
		}
		if ((err = load_initrd(m, &l, kernel_entry)))
			return err;
	}
	if ((err = place_fdt(m, &l, &fdt_addr)))
		return err;
	m->tohost = k.tohost ? k.tohost : fw.tohost;
	m->fromhost = k.tohost ? k.fromhost : fw.fromhost;
	if (m->tohost)
		watch_page(m, m->tohost);
	write_reset_rom(m, start, fdt_addr, kernel_entry);
	for (int d = 0; d < m->ndevs; d++)
		if (m->devs[d].ops->reset)
			m->devs[d].ops->reset(m->devs[d].opaque);
	for (int h = 0; h < m->nharts; h++)
		rv_hart_reset(&m->vcpu[h]->hart, VIRT_MROM_BASE);
	return 0;
}

uint8_t *machine_dma(struct machine *m, uint64_t gpa, uint64_t len, bool write)
{
	/* Write intent goes to mem before the bytes land: decoded code over
	 * them is dropped, shares broken, frames logged dirty. */
	return write ? mem_map_write(m->mem, gpa, len) : (uint8_t *)mem_map_read(m->mem, gpa, len);
}

void machine_wake(struct machine *m, int hartid)
{
	if (hartid < 0 || hartid >= m->nharts)
		return;
	struct vcpu *v = m->vcpu[hartid];
	rv_kick(&v->hart);
	sched_wake(&v->unit);
}

void machine_halt(struct machine *m, int code)
{
	pthread_mutex_lock(&m->halt_mu);
	if (!m->halted) {
		m->exit_code = code;
		__atomic_store_n(&m->halted, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&m->halt_mu);
	for (int k = 0; k < m->nharts; k++) {
		rv_request_stop(&m->vcpu[k]->hart); /* no need to finish the slice */
		sched_wake(&m->vcpu[k]->unit);
	}
}

static int trace_step(struct vcpu *v)
{
	rv_hart *h = &v->hart;
	FILE *f = v->m->cfg.trace_file ? v->m->cfg.trace_file : stderr;
	uint64_t pc = h->pc;
	uint64_t before = h->instret;
	int r = rv_run(h, 1);
	if (h->instret != before) {
		/* Show what ran, read back from physical memory when possible. */
		char buf[96];
		const uint8_t *p = mem_contains(v->m->mem, pc, 4) ? mem_map_read(v->m->mem, pc, 4)
			     : pc >= VIRT_MROM_BASE && pc - VIRT_MROM_BASE + 4 <= VIRT_MROM_SIZE
				     ? v->m->mrom + (pc - VIRT_MROM_BASE) : NULL;
		if (p && h->satp >> 60 == 0) {
			uint32_t w = ld_le16(p);
			if ((w & 3) == 3)
				w = ld_le32(p);
			rv_disasm(buf, sizeof buf, pc, w);
			fprintf(f, "%d 0x%016llx: %s\n", (int)h->mhartid, (unsigned long long)pc, buf);
		} else {
			fprintf(f, "%d 0x%016llx\n", (int)h->mhartid, (unsigned long long)pc);
		}
	}
	return r;
}

/* A hart whose trap vector cannot be fetched would spin forever. */
static void stuck(struct vcpu *v)
{
	rv_hart *h = &v->hart;
	bool s = h->priv == RV_PRIV_S;
	cairn_error("hart %d stopped: its trap vector 0x%llx cannot be fetched (%s %llu, tval 0x%llx)",
		    (int)h->mhartid, (unsigned long long)h->pc, s ? "scause" : "mcause",
		    (unsigned long long)(s ? h->scause : h->mcause), (unsigned long long)(s ? h->stval : h->mtval));
	machine_halt(v->m, 1);
}

static struct vcpu *unit_vcpu(struct sched_unit *u)
{
	return (struct vcpu *)((char *)u - offsetof(struct vcpu, unit));
}

/* One slice of a hart.  Its translations are in use only between
 * mem_mapper_busy and mem_mapper_idle: a shootdown does not wait for an
 * idle hart (rv_run looks at pending requests before anything else). */
static int vcpu_run(struct sched_unit *u)
{
	struct vcpu *v = unit_vcpu(u);
	struct machine *m = v->m;
	rv_hart *h = &v->hart;
	if (__atomic_load_n(&m->halted, __ATOMIC_ACQUIRE)) {
		mem_mapper_idle(&h->mapper);
		return SCHED_UNIT_DONE;
	}
	mem_mapper_busy(&h->mapper);
	h->wfi = false;
	int r = h->trace ? trace_step(v) : rv_run(h, SLICE);
	if (m->console_dirty) {
		m->console_dirty = false;
		fflush(m->console);
	}
	if (r == RV_EXIT_STUCK)
		stuck(v);
	if (r == RV_EXIT_WFI || h->wfi) {
		mem_mapper_idle(&h->mapper);
		return SCHED_UNIT_IDLE;
	}
	return SCHED_UNIT_RUN;
}

static bool vcpu_ready(struct sched_unit *u)
{
	struct vcpu *v = unit_vcpu(u);
	return __atomic_load_n(&v->m->halted, __ATOMIC_ACQUIRE) || rv_wakeup_pending(&v->hart);
}

static void vcpu_kick(struct sched_unit *u)
{
	rv_kick(&unit_vcpu(u)->hart);
}

static const struct sched_unit_ops vcpu_ops = { .run = vcpu_run, .ready = vcpu_ready, .kick = vcpu_kick };

void machine_reset(struct machine *m)
{
	pthread_mutex_lock(&m->halt_mu);
	if (!m->halted)
		m->reset_requested = true;
	pthread_mutex_unlock(&m->halt_mu);
	machine_halt(m, 0);
}

/* A warm reset as QEMU does it: RAM keeps its contents, the images are
 * loaded again, every hart restarts at the reset vector. */
static int reboot(struct machine *m)
{
	mem_reset_code(m->mem);
	m->reset_requested = false;
	m->exit_code = 0;
	__atomic_store_n(&m->halted, 0, __ATOMIC_RELEASE);
	return machine_load(m);
}

int machine_run(struct machine *m)
{
	for (;;) {
		sched_run(m->sched);
		fflush(m->console);
		if (!m->reset_requested)
			return m->exit_code;
		if (reboot(m))
			return 1;
	}
}

struct irq_line machine_irq(struct machine *m, int irq)
{
	return plic_line(m->plic, irq);
}

uint32_t machine_new_phandle(struct machine *m)
{
	return ++m->next_phandle;
}

uint32_t machine_plic_phandle(struct machine *m)
{
	return plic_phandle(m->plic);
}

