/* devices.c - the small fixed devices of the virt board: CLINT (mtime,
 * mtimecmp, msip), the SiFive test finisher, the goldfish RTC and HTIF. */
#include "machine/machine.h"

#include "base/state.h"

#include <stdlib.h>
#include <libfdt.h>
#include <time.h>
#include <unistd.h>

/* ---- CLINT: msip at 0, mtimecmp at 0x4000, mtime at 0xbff8 ---- */

static int clint_read(void *opaque, uint64_t off, int size, uint64_t *val)
{
	struct machine *m = opaque;
	uint64_t v = 0, shift = (off & 7) * 8;
	if (off < 0x4000) {
		int hart = (int)(off / 4);
		if (hart < m->nharts && !(off & 3))
			v = rv_get_msip(&m->vcpu[hart]->hart);
		*val = v;
		return 0;
	}
	if (off >= 0x4000 && off < 0x4000 + 8u * (uint64_t)m->nharts)
		v = rv_get_mtimecmp(&m->vcpu[(off - 0x4000) / 8]->hart);
	else if (off >= 0xbff8 && off < 0xc000)
		v = machine_time(m);
	*val = size == 8 ? v : (v >> shift) & ((1ull << (size * 8)) - 1);
	return 0;
}

static int clint_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct machine *m = opaque;
	if (off < 0x4000) {
		int hart = (int)(off / 4);
		if (hart < m->nharts && !(off & 3)) {
			rv_set_msip(&m->vcpu[hart]->hart, val & 1);
			machine_wake(m, hart);
		}
		return 0;
	}
	if (off >= 0x4000 && off < 0x4000 + 8u * (uint64_t)m->nharts) {
		int hart = (int)((off - 0x4000) / 8);
		rv_hart *h = &m->vcpu[hart]->hart;
		uint64_t old = rv_get_mtimecmp(h), shift = (off & 7) * 8;
		uint64_t mask = size == 8 ? ~0ull : ((1ull << (size * 8)) - 1) << shift;
		rv_set_mtimecmp(h, (old & ~mask) | ((val << shift) & mask));
		machine_wake(m, hart);
	}
	/* mtime is read-only here: the host clock drives it. */
	return 0;
}

static int clint_fdt(void *opaque, struct machine *m, void *fdt, int soc)
{
	int n = fdt_dev_node(m, fdt, soc, "clint", VIRT_CLINT_BASE, 0x10000, 0);
	if (n < 0)
		return n;
	uint32_t ext[4 * VIRT_MAX_HARTS];
	for (int h = 0; h < m->nharts; h++) {
		ext[4 * h + 0] = cpu_to_fdt32(m->intc_phandle[h]);
		ext[4 * h + 1] = cpu_to_fdt32(RV_IRQ_MSI);
		ext[4 * h + 2] = cpu_to_fdt32(m->intc_phandle[h]);
		ext[4 * h + 3] = cpu_to_fdt32(RV_IRQ_MTI);
	}
	int err = fdt_setprop(fdt, n, "interrupts-extended", ext, (int)(16 * m->nharts));
	static const char compat[] = "sifive,clint0\0riscv,clint0";
	err |= fdt_setprop(fdt, n, "compatible", compat, sizeof compat);
	return err ? -1 : 0;
}

/* msip and mtimecmp live in each hart's rv_state: the CLINT itself holds nothing. */
static const struct dev_ops clint_ops = {
	.name = "clint", .read = clint_read, .write = clint_write, .fdt = clint_fdt, .stateless = true,
};

int clint_create(struct machine *m, uint64_t base)
{
	return machine_add_dev(m, base, 0x10000, &clint_ops, m);
}

/* ---- SiFive test finisher: 0x5555 pass, (code << 16) | 0x3333 fail ---- */

static int test_read(void *opaque, uint64_t off, int size, uint64_t *val)
{
	*val = 0;
	return 0;
}

static int test_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct machine *m = opaque;
	if (off != 0)
		return 0;
	switch (val & 0xffff) {
	case 0x5555: machine_halt(m, 0); break;
	case 0x3333: machine_halt(m, (int)((val >> 16) & 0xffff)); break;
	case 0x7777: machine_reset(m); break;
	}
	return 0;
}

static int test_fdt(void *opaque, struct machine *m, void *fdt, int soc)
{
	int n = fdt_dev_node(m, fdt, soc, "test", VIRT_TEST_BASE, 0x1000, 0);
	if (n < 0)
		return n;
	int err = fdt_setprop_u32(fdt, n, "phandle", m->test_phandle);
	static const char compat[] = "sifive,test1\0sifive,test0\0syscon";
	err |= fdt_setprop(fdt, n, "compatible", compat, sizeof compat);
	return err ? -1 : 0;
}

static const struct dev_ops test_ops = {
	.name = "sifive,test0", .read = test_read, .write = test_write, .fdt = test_fdt, .stateless = true,
};

int sifive_test_create(struct machine *m, uint64_t base)
{
	return machine_add_dev(m, base, 0x1000, &test_ops, m);
}

/* ---- goldfish RTC: host wall-clock time in ns; reading TIME_LOW latches
 * TIME_HIGH.  The alarm is kept and raised when a hart reads the time. */

struct rtc {
	struct machine *m;
	pthread_mutex_t mu;
	struct irq_line irq;
	uint32_t time_high, alarm_low, alarm_high, irq_enabled;
	bool alarm_armed, fired;
};

static uint64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void rtc_check_alarm(struct rtc *r)
{
	uint64_t alarm = (uint64_t)r->alarm_high << 32 | r->alarm_low;
	if (r->alarm_armed && wall_ns() >= alarm) {
		r->alarm_armed = false;
		r->fired = true;
	}
	irq_set(&r->irq, r->fired && r->irq_enabled);
}

static int rtc_read(void *opaque, uint64_t off, int size, uint64_t *val)
{
	struct rtc *r = opaque;
	pthread_mutex_lock(&r->mu);
	uint64_t now = wall_ns();
	switch (off) {
	case 0x00: *val = (uint32_t)now; r->time_high = (uint32_t)(now >> 32); break;
	case 0x04: *val = r->time_high; break;
	case 0x08: *val = r->alarm_low; break;
	case 0x0c: *val = r->alarm_high; break;
	case 0x10: *val = r->irq_enabled; break;
	case 0x18: *val = r->alarm_armed; break;
	default: *val = 0;
	}
	rtc_check_alarm(r);
	pthread_mutex_unlock(&r->mu);
	return 0;
}

static int rtc_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct rtc *r = opaque;
	pthread_mutex_lock(&r->mu);
	switch (off) {
	case 0x08: r->alarm_low = (uint32_t)val; r->alarm_armed = true; break; /* low word arms */
	case 0x0c: r->alarm_high = (uint32_t)val; break;
	case 0x10: r->irq_enabled = val & 1; break;
	case 0x14: r->alarm_armed = false; break;
	case 0x1c: r->fired = false; break;
	}
	rtc_check_alarm(r);
	pthread_mutex_unlock(&r->mu);
	return 0;
}

static int rtc_fdt(void *opaque, struct machine *m, void *fdt, int soc)
{
	struct rtc *r = opaque;
	int n = fdt_dev_node(m, fdt, soc, "rtc", VIRT_RTC_BASE, 0x1000, r->irq.n);
	if (n < 0)
		return n;
	return fdt_setprop_string(fdt, n, "compatible", "google,goldfish-rtc");
}

static void rtc_destroy(void *opaque)
{
	struct rtc *r = opaque;
	pthread_mutex_destroy(&r->mu);
	free(r);
}

/* The time itself is the host's: only the alarm and latch travel. */
static void rtc_save(void *opaque, struct state_buf *s)
{
	struct rtc *r = opaque;
	pthread_mutex_lock(&r->mu);
	state_put_u32(s, r->time_high);
	state_put_u32(s, r->alarm_low);
	state_put_u32(s, r->alarm_high);
	state_put_u32(s, r->irq_enabled);
	state_put_u8(s, (uint8_t)(r->alarm_armed | r->fired << 1));
	pthread_mutex_unlock(&r->mu);
}

static int rtc_restore(void *opaque, struct state_buf *s)
{
	struct rtc *r = opaque;
	uint32_t th = state_get_u32(s), al = state_get_u32(s), ah = state_get_u32(s), en = state_get_u32(s);
	uint8_t f = state_get_u8(s);
	if (state_done(s) || f > 3)
		return -ERR_FORMAT;
	pthread_mutex_lock(&r->mu);
	r->time_high = th;
	r->alarm_low = al;
	r->alarm_high = ah;
	r->irq_enabled = en & 1;
	r->alarm_armed = f & 1;
	r->fired = f >> 1;
	rtc_check_alarm(r);
	pthread_mutex_unlock(&r->mu);
	return 0;
}

static const struct dev_ops rtc_ops = {
	.name = "goldfish-rtc", .read = rtc_read, .write = rtc_write, .fdt = rtc_fdt, .destroy = rtc_destroy,
	.save = rtc_save, .restore = rtc_restore,
};

int rtc_create(struct machine *m, uint64_t base, struct irq_line irq)
{
	struct rtc *r = calloc(1, sizeof *r);
	if (!r)
		return -ERR_NOMEM;
	r->m = m;
	r->irq = irq;
	pthread_mutex_init(&r->mu, NULL);
	return machine_add_dev(m, base, 0x1000, &rtc_ops, r);
}

/* ---- HTIF: tohost/fromhost words in RAM, found through ELF symbols ---- */

static uint64_t ram_ld64(struct machine *m, uint64_t pa)
{
	uint8_t b[8];
	return mem_read(m->mem, pa, b, 8) ? ld_le64(b) : 0;
}

static void ram_st64(struct machine *m, uint64_t pa, uint64_t v)
{
	uint8_t b[8];
	st_le64(b, v);
	(void)mem_write(m->mem, pa, b, 8);
}

/* riscv-tests' syscall proxy: magic_mem[0] = number, [1..3] = args. */
static void htif_syscall(struct machine *m, uint64_t pa)
{
	uint64_t num = ram_ld64(m, pa), fd = ram_ld64(m, pa + 8);
	uint64_t buf = ram_ld64(m, pa + 16), len = ram_ld64(m, pa + 24), ret = (uint64_t)-38;
	const uint8_t *p = mem_map_read(m->mem, buf, len);
	if (num == 64 && (fd == 1 || fd == 2) && p) {
		fwrite(p, 1, len, m->console);
		fflush(m->console);
		ret = len;
	}
	ram_st64(m, pa, ret);
}

void htif_store_hook(struct machine *m, uint64_t pa, int size)
{
	if (!m->tohost || pa + (uint64_t)size <= m->tohost || pa >= m->tohost + 8)
		return;
	uint64_t v = ram_ld64(m, m->tohost);
	if (!v)
		return;
	unsigned dev = (unsigned)(v >> 56), cmd = (unsigned)(v >> 48) & 0xff;
	uint64_t payload = v & ((1ull << 48) - 1);
	if (dev == 0 && cmd == 0) {
		if (payload & 1) {
			machine_halt(m, (int)(payload >> 1));
			return;
		}
		htif_syscall(m, payload);
	} else if (dev == 1 && cmd == 1) {
		fputc((int)(payload & 0xff), m->console);
		fflush(m->console);
	}
	ram_st64(m, m->tohost, 0);
	if (m->fromhost)
		ram_st64(m, m->fromhost, (uint64_t)dev << 56 | (uint64_t)cmd << 48 | 1);
}
