/* fdt.c - the board's device tree, built with libfdt from what exists:
 * memory, the harts and their interrupt controllers, every device's own node
 * (each device adds it through its fdt operation), /chosen, poweroff/reboot. */
#include "machine/machine.h"

#include <libfdt.h>
#include <stdlib.h>

#define FDT_ROOM (64 * 1024)
#define CHECK(x) do { int e_ = (x); if (e_ < 0) return e_; } while (0)

int fdt_dev_node(struct machine *m, void *fdt, int soc, const char *name, uint64_t base, uint64_t size, int irq)
{
	char full[48];
	snprintf(full, sizeof full, "%s@%llx", name, (unsigned long long)base);
	int n = fdt_add_subnode(fdt, soc, full);
	CHECK(n);
	if (irq > 0) {
		CHECK(fdt_setprop_u32(fdt, n, "interrupts", (uint32_t)irq));
		CHECK(fdt_setprop_u32(fdt, n, "interrupt-parent", machine_plic_phandle(m)));
	}
	CHECK(fdt_setprop_u64(fdt, n, "reg", base));
	CHECK(fdt_appendprop_u64(fdt, n, "reg", size));
	return n;
}

/* The ISA string Linux 6.1 and OpenSBI parse. */
static const char isa[] = "rv64imafdc_zicsr_zifencei_zba_zbb_zbs_sstc";

static int add_cpu(void *fdt, int cpus, struct machine *m, int h, uint32_t cpu_ph)
{
	char name[16];
	snprintf(name, sizeof name, "cpu@%d", h);
	int c = fdt_add_subnode(fdt, cpus, name);
	CHECK(c);
	CHECK(fdt_setprop_u32(fdt, c, "phandle", cpu_ph));
	CHECK(fdt_setprop_string(fdt, c, "device_type", "cpu"));
	CHECK(fdt_setprop_u32(fdt, c, "reg", (uint32_t)h));
	CHECK(fdt_setprop_string(fdt, c, "status", "okay"));
	CHECK(fdt_setprop_string(fdt, c, "compatible", "riscv"));
	CHECK(fdt_setprop_string(fdt, c, "riscv,isa", isa));
	CHECK(fdt_setprop_string(fdt, c, "mmu-type", "riscv,sv48"));
	int ic = fdt_add_subnode(fdt, c, "interrupt-controller");
	CHECK(ic);
	CHECK(fdt_setprop_u32(fdt, ic, "#interrupt-cells", 1));
	CHECK(fdt_setprop(fdt, ic, "interrupt-controller", NULL, 0));
	CHECK(fdt_setprop_string(fdt, ic, "compatible", "riscv,cpu-intc"));
	CHECK(fdt_setprop_u32(fdt, ic, "phandle", m->intc_phandle[h]));
	return 0;
}

static int add_cpus(void *fdt, struct machine *m)
{
	int cpus = fdt_add_subnode(fdt, 0, "cpus");
	CHECK(cpus);
	CHECK(fdt_setprop_u32(fdt, cpus, "#address-cells", 1));
	CHECK(fdt_setprop_u32(fdt, cpus, "#size-cells", 0));
	CHECK(fdt_setprop_u32(fdt, cpus, "timebase-frequency", 10000000));
	uint32_t cpu_ph[VIRT_MAX_HARTS];
	for (int h = 0; h < m->nharts; h++) {
		cpu_ph[h] = machine_new_phandle(m);
		CHECK(add_cpu(fdt, cpus, m, h, cpu_ph[h]));
	}
	/* cpu-map: one cluster, one core per hart (Linux warns without it). */
	int map = fdt_add_subnode(fdt, cpus, "cpu-map");
	CHECK(map);
	int cl = fdt_add_subnode(fdt, map, "cluster0");
	CHECK(cl);
	for (int h = m->nharts - 1; h >= 0; h--) {
		char name[16];
		snprintf(name, sizeof name, "core%d", h);
		int core = fdt_add_subnode(fdt, cl, name);
		CHECK(core);
		CHECK(fdt_setprop_u32(fdt, core, "cpu", cpu_ph[h]));
	}
	return 0;
}

static int add_chosen(void *fdt, struct machine *m)
{
	int ch = fdt_add_subnode(fdt, 0, "chosen");
	CHECK(ch);
	char path[48];
	snprintf(path, sizeof path, "/soc/serial@%llx", (unsigned long long)VIRT_UART0_BASE);
	CHECK(fdt_setprop_string(fdt, ch, "stdout-path", path));
	if (m->cfg.append)
		CHECK(fdt_setprop_string(fdt, ch, "bootargs", m->cfg.append));
	if (m->initrd_end) {
		CHECK(fdt_setprop_u64(fdt, ch, "linux,initrd-start", m->initrd_start));
		CHECK(fdt_setprop_u64(fdt, ch, "linux,initrd-end", m->initrd_end));
	}
	return 0;
}

/* syscon-poweroff / syscon-reboot on the SiFive test device, as QEMU. */
static int add_syscon(void *fdt, struct machine *m, const char *name, const char *compat, uint32_t value)
{
	int n = fdt_add_subnode(fdt, 0, name);
	CHECK(n);
	CHECK(fdt_setprop_u32(fdt, n, "value", value));
	CHECK(fdt_setprop_u32(fdt, n, "offset", 0));
	CHECK(fdt_setprop_u32(fdt, n, "regmap", m->test_phandle));
	CHECK(fdt_setprop_string(fdt, n, "compatible", compat));
	return 0;
}

static int build(void *fdt, struct machine *m)
{
	CHECK(fdt_create_empty_tree(fdt, FDT_ROOM));
	CHECK(fdt_setprop_u32(fdt, 0, "#address-cells", 2));
	CHECK(fdt_setprop_u32(fdt, 0, "#size-cells", 2));
	CHECK(fdt_setprop_string(fdt, 0, "compatible", "riscv-virtio"));
	CHECK(fdt_setprop_string(fdt, 0, "model", "riscv-virtio,qemu"));
	CHECK(add_chosen(fdt, m));
	char name[32];
	snprintf(name, sizeof name, "memory@%llx", (unsigned long long)VIRT_DRAM_BASE);
	int mem = fdt_add_subnode(fdt, 0, name);
	CHECK(mem);
	CHECK(fdt_setprop_string(fdt, mem, "device_type", "memory"));
	CHECK(fdt_setprop_u64(fdt, mem, "reg", VIRT_DRAM_BASE));
	CHECK(fdt_appendprop_u64(fdt, mem, "reg", m->cfg.ram_size));
	CHECK(add_cpus(fdt, m));
	int soc = fdt_add_subnode(fdt, 0, "soc");
	CHECK(soc);
	CHECK(fdt_setprop_u32(fdt, soc, "#address-cells", 2));
	CHECK(fdt_setprop_u32(fdt, soc, "#size-cells", 2));
	CHECK(fdt_setprop_string(fdt, soc, "compatible", "simple-bus"));
	CHECK(fdt_setprop(fdt, soc, "ranges", NULL, 0));
	/* Reverse order so nodes appear by address as QEMU lists them. */
	for (int k = m->ndevs - 1; k >= 0; k--)
		if (m->devs[k].ops->fdt)
			CHECK(m->devs[k].ops->fdt(m->devs[k].opaque, m, fdt, soc));
	CHECK(add_syscon(fdt, m, "poweroff", "syscon-poweroff", 0x5555));
	CHECK(add_syscon(fdt, m, "reboot", "syscon-reboot", 0x7777));
	return fdt_pack(fdt);
}

int fdt_build(struct machine *m, void **blob, size_t *size)
{
	void *fdt = calloc(1, FDT_ROOM);
	if (!fdt)
		return -ERR_NOMEM;
	int err = build(fdt, m);
	if (err < 0) {
		cairn_errorf(&m->err, "device tree: %s", fdt_strerror(err));
		free(fdt);
		return -ERR_INVAL;
	}
	*blob = fdt;
	*size = fdt_totalsize(fdt);
	return 0;
}
