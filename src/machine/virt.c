/* virt.c - QEMU's "virt" board on top of the bus: its memory map, its fixed
 * devices (one table), and booting - firmware, kernel, initrd and device
 * tree placed by one layout that refuses overlaps, and the reset vector. */
#include "machine/machine.h"

#include <errno.h>
#include <libfdt.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- the fixed devices: one row each (virtio devices come from the
 * command line into the virtio-mmio slots) ---- */

static int add_plic(struct machine *m, uint64_t base, int irq) { return plic_create(m, base, &m->plic); }
static int add_uart(struct machine *m, uint64_t base, int irq) { return uart_create(m, base, machine_irq(m, irq), &m->uart); }
static int add_rtc(struct machine *m, uint64_t base, int irq) { return rtc_create(m, base, machine_irq(m, irq)); }
static int add_clint(struct machine *m, uint64_t base, int irq) { return clint_create(m, base); }
static int add_test(struct machine *m, uint64_t base, int irq) { return sifive_test_create(m, base); }

static const struct virt_dev {
	const char *name;
	uint64_t base;
	int irq;
	int (*add)(struct machine *m, uint64_t base, int irq);
} virt_devs[] = {
	{ "plic",        VIRT_PLIC_BASE,  0,              add_plic },  /* first: the others' lines */
	{ "uart0",       VIRT_UART0_BASE, VIRT_UART0_IRQ, add_uart },
	{ "rtc",         VIRT_RTC_BASE,   VIRT_RTC_IRQ,   add_rtc },
	{ "clint",       VIRT_CLINT_BASE, 0,              add_clint },
	{ "sifive_test", VIRT_TEST_BASE,  0,              add_test },
};

int machine_create(struct machine **out, const struct machine_config *cfg)
{
	struct machine *m = calloc(1, sizeof *m);
	if (!m)
		return -ERR_NOMEM;
	m->cfg = *cfg;
	int err = machine_bus_init(m);
	for (int h = 0; h < cfg->smp; h++)
		m->intc_phandle[h] = machine_new_phandle(m);
	m->test_phandle = machine_new_phandle(m);
	for (size_t k = 0; !err && k < ARRAY_SIZE(virt_devs); k++)
		err = virt_devs[k].add(m, virt_devs[k].base, virt_devs[k].irq);
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
	machine_bus_fini(m);
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
	cairn_errbuf *err;
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
		cairn_errorf(l->err, "%s at 0x%llx-0x%llx overlaps the %s (-m %llu MiB)", what, (unsigned long long)lo,
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
	int err = read_whole_file(m->cfg.initrd, &d, &n, &m->err);
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
		cairn_errorf(&m->err, "initrd '%s' (%zu bytes) does not fit in guest RAM at 0x%llx (-m %llu MiB)", m->cfg.initrd,
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
	int err = read_whole_file(m->cfg.dtb, &d, &n, &m->err);
	if (err)
		return err;
	if (n < 40 || fdt_check_header(d) || fdt_totalsize(d) > n) {
		cairn_errorf(&m->err, "'%s' is not a flattened device tree", m->cfg.dtb);
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
		cairn_errorf(&m->err, "cannot update /chosen in '%s'", m->cfg.dtb);
		free(fdt);
		return -ERR_FORMAT;
	}
	fdt_pack(fdt);
	*blob = fdt;
	*size = fdt_totalsize(fdt);
	return 0;
}

static int write_file(const char *path, const void *d, size_t n, cairn_errbuf *e)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(d, 1, n, f) != n || fclose(f)) {
		cairn_errorf(e, "cannot write '%s': %s", path, strerror(errno));
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
		err = write_file(m->cfg.dumpdtb, blob, n, &m->err);
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
		cairn_errorf(&m->err, "the device tree does not fit in guest RAM");
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
	struct layout l = { .n = 0, .ram_size = m->cfg.ram_size, .err = &m->err };
	m->err = (cairn_errbuf){ 0 };
	const char *bios = m->cfg.bios ? m->cfg.bios : "default";
	bool have_bios = strcmp(bios, "none") != 0;
	uint64_t start = VIRT_DRAM_BASE, kernel_entry = 0, fdt_addr;
	int err;
	if (!strcmp(bios, "default") && !(bios = default_bios())) {
		cairn_errorf(&m->err, "-bios default: OpenSBI not found (install Debian's opensbi package)");
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
		cairn_errorf(&m->err, "vm: nothing to run: give -kernel FILE or -bios FILE");
		return -ERR_INVAL;
	}
	m->initrd_start = m->initrd_end = 0;
	if (m->cfg.initrd) {
		if (!m->cfg.kernel) {
			cairn_errorf(&m->err, "vm: -initrd needs -kernel");
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
