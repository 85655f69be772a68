/* monitor.c - QEMU's human monitor: one table of commands (name|alias,
 * parameters, help, handler) and one of `info` subcommands; arguments
 * parsed as QEMU 7.2 parses them (x/xp's /FMT, expressions with + - * / %
 * & | ^ and parentheses), errors worded as QEMU words them.  Sessions give
 * it a byte stream: line input with echo and the "(qemu) " prompt. */
#include "hv/monitor.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cairn.h"
#include "hv/chan.h"
#include "hv/hv.h"
#include "riscv/hart.h"

#define LINE_MAX_BYTES 4096
#define DUMP_MAX (1u << 20)     /* x/xp bytes per command: output stays bounded */

/* ---- output ---- */

/* printf to the monitor, "\n" written as "\r\n" (QEMU's monitor_puts). */
static void __attribute__((format(printf, 2, 3))) mprintf(struct monitor *m, const char *fmt, ...)
{
	char small[512], *p = small;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof small) {
		if (!(p = malloc((size_t)n + 1)))
			return;
		va_start(ap, fmt);
		vsnprintf(p, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	for (char *s = p, *nl; *s; s = nl + 1) {
		if (!(nl = strchr(s, '\n'))) {
			m->write(m->ctx, s, strlen(s));
			break;
		}
		m->write(m->ctx, s, (size_t)(nl - s));
		m->write(m->ctx, "\r\n", 2);
	}
	if (p != small)
		free(p);
}

/* ---- argument parsing ---- */

/* A parse error: QEMU's message, then where to read more. */
struct parse {
	const char *p;
	const char *err;        /* NULL, or the first error (in msg when formatted) */
	char msg[96];
};

static void skip_ws(struct parse *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

static bool perr(struct parse *ps, const char *msg)
{
	if (!ps->err)
		ps->err = msg;
	return false;
}

static bool expr_sum(struct parse *ps, uint64_t *v);

/* A number (strtoull base 0, as QEMU), a parenthesized sum, or a unary
 * operator.  QEMU's riscv monitor knows no $registers. */
static bool expr_unary(struct parse *ps, uint64_t *v)
{
	skip_ws(ps);
	char c = *ps->p;
	if (c == '+' || c == '-' || c == '~') {
		ps->p++;
		if (!expr_unary(ps, v))
			return false;
		*v = c == '-' ? -*v : c == '~' ? ~*v : *v;
		return true;
	}
	if (c == '(') {
		ps->p++;
		if (!expr_sum(ps, v))
			return false;
		skip_ws(ps);
		if (*ps->p != ')')
			return perr(ps, "')' expected");
		ps->p++;
		return true;
	}
	if (c == '$')
		return perr(ps, "unknown register");
	if (!c)
		return perr(ps, "unexpected end of expression");
	if (!isdigit((unsigned char)c)) {
		snprintf(ps->msg, sizeof ps->msg, "invalid char '%c' in expression", c);
		return perr(ps, ps->msg);
	}
	char *end;
	errno = 0;
	*v = strtoull(ps->p, &end, 0);
	if (errno == ERANGE)
		return perr(ps, "number too large");
	ps->p = end;
	return true;
}

static bool expr_prod(struct parse *ps, uint64_t *v)
{
	if (!expr_unary(ps, v))
		return false;
	for (;;) {
		skip_ws(ps);
		char op = *ps->p;
		if (op != '*' && op != '/' && op != '%')
			return true;
		ps->p++;
		uint64_t r;
		if (!expr_unary(ps, &r))
			return false;
		if (op != '*' && !r)
			return perr(ps, "division by zero");
		*v = op == '*' ? *v * r : op == '/' ? (uint64_t)((int64_t)*v / (int64_t)r)
						 : (uint64_t)((int64_t)*v % (int64_t)r);
	}
}

static bool expr_logic(struct parse *ps, uint64_t *v)
{
	if (!expr_prod(ps, v))
		return false;
	for (;;) {
		skip_ws(ps);
		char op = *ps->p;
		if (op != '&' && op != '|' && op != '^')
			return true;
		ps->p++;
		uint64_t r;
		if (!expr_prod(ps, &r))
			return false;
		*v = op == '&' ? *v & r : op == '|' ? *v | r : *v ^ r;
	}
}

static bool expr_sum(struct parse *ps, uint64_t *v)
{
	if (!expr_logic(ps, v))
		return false;
	for (;;) {
		skip_ws(ps);
		char op = *ps->p;
		if (op != '+' && op != '-')
			return true;
		ps->p++;
		uint64_t r;
		if (!expr_logic(ps, &r))
			return false;
		*v = op == '+' ? *v + r : *v - r;
	}
}

/* "/[count][format][size]" as QEMU's monitor_parse_command reads it; the
 * format and size stick to the monitor (m->fmt, m->size). */
struct fmt { int count; char format; int size; };

static bool parse_fmt(struct parse *ps, struct monitor *m, struct fmt *f)
{
	skip_ws(ps);
	f->count = 1;
	if (*ps->p != '/') {
		f->format = m->fmt;
		f->size = m->fmt == 'i' ? -1 : m->size;
		return true;
	}
	ps->p++;
	if (isdigit((unsigned char)*ps->p)) {
		f->count = 0;
		while (isdigit((unsigned char)*ps->p) && f->count < 100000000)
			f->count = f->count * 10 + (*ps->p++ - '0');
	}
	int format = -1, size = -1;
	for (;; ps->p++) {
		char c = *ps->p;
		if (strchr("oduxic", c) && c)
			format = c;
		else if (c == 'b') size = 1;
		else if (c == 'h') size = 2;
		else if (c == 'w') size = 4;
		else if (c == 'g' || c == 'L') size = 8;
		else break;
	}
	if (*ps->p && !isspace((unsigned char)*ps->p)) {
		snprintf(ps->msg, sizeof ps->msg, "invalid char in format: '%c'", *ps->p);
		return perr(ps, ps->msg);
	}
	f->format = (char)(format < 0 ? m->fmt : format);
	if (f->format != 'i') {
		f->size = size < 0 ? m->size : size;
		m->size = f->size;
	} else {
		f->size = -1;
	}
	m->fmt = f->format;
	return true;
}

static bool at_end(struct parse *ps)
{
	skip_ws(ps);
	return !*ps->p;
}

/* ---- harts ---- */

/* Run fn with every hart held still at an instruction boundary: a
 * running VM is held without a state change or events (vm_inspect), as
 * QEMU shows live registers. */
struct inspect { struct monitor *m; void (*fn)(struct monitor *m, void *arg); void *arg; };

static void inspect_cb(struct vm *vm, void *arg)
{
	struct inspect *in = arg;
	in->fn(in->m, in->arg);
}

static void with_harts(struct monitor *m, void (*fn)(struct monitor *m, void *arg), void *arg)
{
	struct inspect in = { m, fn, arg };
	if (vm_inspect(m->vm, inspect_cb, &in))
		mprintf(m, "Error: the VM's harts cannot be read now\n");
}

bool monitor_cpu_valid(struct vm *vm, int cpu)
{
	return vm && cpu >= 0 && cpu < vm_nharts(vm);
}

/* The live mip as the hart's CSR read shows it: the software bits plus
 * the interrupt wires and the timer comparisons (riscv/csr.c mip_read). */
static uint64_t live_mip(rv_hart *h)
{
	uint64_t mip = h->mip & (RV_MIP_SSIP | RV_MIP_STIP | RV_MIP_SEIP);
	mip |= h->mip_ext;
	if (h->msip)
		mip |= RV_MIP_MSIP;
	uint64_t t = h->bus && h->bus->time ? h->bus->time(h->bus->ctx) : 0;
	if (t >= h->mtimecmp)
		mip |= RV_MIP_MTIP;
	if (h->menvcfg >> 63 & 1) { /* STCE: Sstc's stimecmp drives STIP */
		mip &= ~(uint64_t)RV_MIP_STIP;
		if (t >= h->stimecmp)
			mip |= RV_MIP_STIP;
	}
	return mip;
}

static const char *const int_names[32] = {
	"x0/zero", "x1/ra", "x2/sp", "x3/gp", "x4/tp", "x5/t0", "x6/t1", "x7/t2",
	"x8/s0", "x9/s1", "x10/a0", "x11/a1", "x12/a2", "x13/a3", "x14/a4", "x15/a5",
	"x16/a6", "x17/a7", "x18/s2", "x19/s3", "x20/s4", "x21/s5", "x22/s6", "x23/s7",
	"x24/s8", "x25/s9", "x26/s10", "x27/s11", "x28/t3", "x29/t4", "x30/t5", "x31/t6",
};
static const char *const fp_names[32] = {
	"f0/ft0", "f1/ft1", "f2/ft2", "f3/ft3", "f4/ft4", "f5/ft5", "f6/ft6", "f7/ft7",
	"f8/fs0", "f9/fs1", "f10/fa0", "f11/fa1", "f12/fa2", "f13/fa3", "f14/fa4", "f15/fa5",
	"f16/fa6", "f17/fa7", "f18/fs2", "f19/fs3", "f20/fs4", "f21/fs5", "f22/fs6", "f23/fs7",
	"f24/fs8", "f25/fs9", "f26/fs10", "f27/fs11", "f28/ft8", "f29/ft9", "f30/ft10", "f31/ft11",
};

/* QEMU 7.2's riscv_cpu_dump_state with CPU_DUMP_FPU: pc, the CSRs a hart
 * without the H extension has, the integer then the FP registers, four a
 * line.  (QEMU's default CPU has H: it adds V, hstatus, vsstatus ...) */
static void dump_hart(struct monitor *m, int k)
{
	rv_hart *h = vm_hart(m->vm, k);
	mprintf(m, "\nCPU#%d\n", k);
	if (!h) {
		mprintf(m, " (the hart's state cannot be read while the VM runs)\n");
		return;
	}
	const struct { const char *name; uint64_t v; } csrs[] = {
		{ "mhartid", h->mhartid }, { "mstatus", h->mstatus }, { "mip", live_mip(h) },
		{ "mie", h->mie }, { "mideleg", h->mideleg }, { "medeleg", h->medeleg },
		{ "mtvec", h->mtvec }, { "stvec", h->stvec }, { "mepc", h->mepc }, { "sepc", h->sepc },
		{ "mcause", h->mcause }, { "scause", h->scause }, { "mtval", h->mtval },
		{ "stval", h->stval }, { "mscratch", h->mscratch }, { "sscratch", h->sscratch },
		{ "satp", h->satp },
	};
	mprintf(m, " %s %016" PRIx64 "\n", "pc      ", h->pc);
	for (size_t i = 0; i < ARRAY_SIZE(csrs); i++)
		mprintf(m, " %-8s %016" PRIx64 "\n", csrs[i].name, csrs[i].v);
	for (int i = 0; i < 32; i++)
		mprintf(m, " %-8s %016" PRIx64 "%s", int_names[i], i ? h->x[i] : 0, (i & 3) == 3 ? "\n" : "");
	for (int i = 0; i < 32; i++)
		mprintf(m, " %-8s %016" PRIx64 "%s", fp_names[i], h->f[i], (i & 3) == 3 ? "\n" : "");
}

struct regs_arg { int first, last; };

static void dump_harts(struct monitor *m, void *arg)
{
	struct regs_arg *r = arg;
	for (int k = r->first; k <= r->last; k++)
		dump_hart(m, k);
}

/* ---- guest memory ---- */

/* A debugger's page walk (Sv39/Sv48/Sv57): reads page tables through
 * vm_read_phys, sets no A/D bits, checks no permissions (QEMU's
 * get_phys_page_debug).  M-mode and a bare satp use physical addresses. */
static bool translate(struct vm *vm, const rv_hart *h, uint64_t va, uint64_t *pa)
{
	unsigned mode = (unsigned)(h->satp >> 60);
	if (h->priv == RV_PRIV_M || mode == 0) {
		*pa = va;
		return true;
	}
	if (mode < 8 || mode > 10)
		return false;
	int levels = (int)mode - 5, bits = 12 + 9 * levels;
	if ((uint64_t)((int64_t)(va << (64 - bits)) >> (64 - bits)) != va)
		return false; /* not sign-extended: no page maps it */
	uint64_t table = (h->satp & ((1ull << 44) - 1)) << 12;
	for (int i = levels - 1; i >= 0; i--) {
		uint8_t b[8];
		if (!vm_read_phys(vm, table + ((va >> (12 + 9 * i)) & 511) * 8, b, 8))
			return false;
		uint64_t pte = ld_le64(b), ppn = pte >> 10 & ((1ull << 44) - 1);
		if (!(pte & 1) || (!(pte & 2) && (pte & 4)))
			return false;
		if (pte & 0xa) { /* R or X: a leaf */
			uint64_t span = 1ull << (12 + 9 * i);
			if ((ppn << 12) & (span - 1))
				return false; /* a misaligned superpage */
			*pa = (ppn << 12) | (va & (span - 1));
			return true;
		}
		table = ppn << 12;
	}
	return false;
}

struct dump_arg { struct fmt f; uint64_t addr; bool physical; };

/* Read n bytes at addr (virtual: page by page through the current hart's
 * translation). */
static bool read_mem(struct monitor *m, const struct dump_arg *d, uint64_t addr, uint8_t *buf, size_t n)
{
	if (d->physical)
		return vm_read_phys(m->vm, addr, buf, n);
	rv_hart *h = vm_hart(m->vm, m->cpu);
	while (n) {
		uint64_t pa;
		size_t chunk = 4096 - (addr & 4095);
		chunk = chunk < n ? chunk : n;
		if (!h || !translate(m->vm, h, addr, &pa) || !vm_read_phys(m->vm, pa, buf, chunk))
			return false;
		addr += chunk, buf += chunk, n -= chunk;
	}
	return true;
}

/* QEMU's monitor_printc. */
static void printc(struct monitor *m, unsigned c)
{
	switch (c) {
	case '\'': mprintf(m, "'\\''"); break;
	case '\\': mprintf(m, "'\\\\'"); break;
	case '\n': mprintf(m, "'\\n'"); break;
	case '\r': mprintf(m, "'\\r'"); break;
	default:
		if (c >= 32 && c <= 126)
			mprintf(m, "'%c'", c);
		else
			mprintf(m, "'\\x%02x'", c);
	}
}

static void dump_insns(struct monitor *m, const struct dump_arg *d)
{
	uint64_t pc = d->addr;
	for (int i = 0; i < d->f.count; i++) {
		uint8_t b[4];
		if (!read_mem(m, d, pc, b, 2)) {
			mprintf(m, "0x%016" PRIx64 ":  Cannot access memory\n", pc);
			return;
		}
		int len = (b[0] & 3) == 3 ? 4 : 2;
		if (len == 4 && !read_mem(m, d, pc + 2, b + 2, 2)) {
			mprintf(m, "0x%016" PRIx64 ":  Cannot access memory\n", pc);
			return;
		}
		uint32_t w = len == 4 ? ld_le32(b) : ld_le16(b);
		char text[96], hex[12];
		rv_disasm(text, sizeof text, pc, w);
		snprintf(hex, sizeof hex, "%0*" PRIx32, len * 2, w);
		mprintf(m, "0x%016" PRIx64 ":  %-18s%s\n", pc, hex, text);
		pc += (uint64_t)len;
	}
}

static void print_unit(struct monitor *m, char format, int size, uint64_t v)
{
	int digits = format == 'o' ? (size * 8 + 2) / 3 : format == 'x' ? size * 2 : (size * 80 + 32) / 33;
	switch (format) {
	case 'o': mprintf(m, " %#*" PRIo64, digits, v); break;
	case 'u': mprintf(m, " %*" PRIu64, digits, v); break;
	case 'd': mprintf(m, " %*" PRId64, digits, (int64_t)v); break;
	case 'c': mprintf(m, " "); printc(m, (unsigned)v & 0xff); break;
	default: mprintf(m, " 0x%0*" PRIx64, digits, v); break;
	}
}

/* QEMU's memory_dump: lines of 16 bytes (8 for bytes), "Cannot access
 * memory" where RAM ends. */
static void dump_mem(struct monitor *m, void *arg)
{
	struct dump_arg *d = arg;
	if (d->f.format == 'i') {
		dump_insns(m, d);
		return;
	}
	int size = d->f.format == 'c' ? 1 : d->f.size;
	uint64_t len = (uint64_t)size * (uint64_t)d->f.count, addr = d->addr;
	size_t line = size == 1 ? 8 : 16;
	if (len > DUMP_MAX)
		len = DUMP_MAX;
	while (len) {
		uint8_t buf[16];
		size_t l = len < line ? (size_t)len : line;
		mprintf(m, "%016" PRIx64 ":", addr);
		if (!read_mem(m, d, addr, buf, l)) {
			mprintf(m, " Cannot access memory\n");
			return;
		}
		for (size_t i = 0; i < l; i += (size_t)size)
			print_unit(m, d->f.format, size, size == 1 ? buf[i] : size == 2 ? ld_le16(buf + i)
							: size == 4 ? ld_le32(buf + i) : ld_le64(buf + i));
		mprintf(m, "\n");
		addr += l;
		len -= l;
	}
}

/* ---- commands ---- */

struct hmp_cmd {
	const char *name;       /* "cont|c": the name and its aliases */
	const char *params;
	const char *help;
	/* Returns false on a parse error (ps->err set: "Try help" follows). */
	bool (*fn)(struct monitor *m, struct parse *ps);
};

static bool require_end(struct monitor *m, struct parse *ps, const char *name)
{
	if (at_end(ps))
		return true;
	if (!ps->err)
		snprintf(ps->msg, sizeof ps->msg, "%s: extraneous characters at the end of line", name);
	return perr(ps, ps->msg);
}

static bool hmp_stop(struct monitor *m, struct parse *ps)
{
	if (vm_state(m->vm) == VM_RUNNING && vm_pause(m->vm))
		mprintf(m, "Error: the VM could not be stopped\n");
	return true;
}

static bool hmp_cont(struct monitor *m, struct parse *ps)
{
	enum vm_state s = vm_state(m->vm);
	int err = 0;
	if (s == VM_SHUTDOWN || s == VM_ERROR)
		mprintf(m, "Error: Resetting the Virtual Machine is required\n");
	else if (s == VM_PAUSED)
		err = vm_resume(m->vm);
	else if (s == VM_PRELAUNCH)
		err = vm_start(m->vm);
	if (err)
		mprintf(m, "Error: the VM could not be started: %s\n", cairn_strerror(-err));
	return true;
}

static bool hmp_reset(struct monitor *m, struct parse *ps)
{
	if (vm_reset(m->vm))
		mprintf(m, "Error: the VM could not be reset\n");
	return true;
}

static bool hmp_powerdown(struct monitor *m, struct parse *ps)
{
	if (vm_powerdown(m->vm))
		mprintf(m, "Error: the VM could not be asked to power down\n");
	return true;
}

#define QUIT_WAIT_NS 1000000000ull
#define QUIT_MAX_VMS 1024

/* Until vm's harts stopped for good (its SHUTDOWN is queued before the
 * state changes), or the deadline.  A VM never started has no harts. */
static void wait_down(struct vm *vm, uint64_t deadline)
{
	for (;;) {
		enum vm_state s = vm_state(vm);
		if (s == VM_SHUTDOWN || s == VM_ERROR || s == VM_PRELAUNCH || base_now_ns() >= deadline)
			return;
		usleep(2000);
	}
}

void monitor_quit(struct hv *hv, struct vm *vm)
{
	uint64_t deadline = base_now_ns() + QUIT_WAIT_NS;
	if (vm) {
		bool last = vm_next(hv, NULL) == vm && !vm_next(hv, vm);
		vm_poweroff(vm, true);
		if (last) {
			wait_down(vm, deadline);
			hv_quit(hv, 0); /* hv_run delivers what is queued (SHUTDOWN) first */
		}
		return;
	}
	/* The VMs stay allocated meanwhile: a VM is freed only after the
	 * command running this (chan_quiesce) returns. */
	struct vm *all[QUIT_MAX_VMS];
	int n = 0;
	for (struct vm *v = vm_next(hv, NULL); v && n < QUIT_MAX_VMS; v = vm_next(hv, v))
		all[n++] = v;
	for (int k = 0; k < n; k++)
		vm_poweroff(all[k], true);
	for (int k = 0; k < n; k++)
		wait_down(all[k], deadline);
	hv_quit(hv, 0);
}

static bool hmp_quit(struct monitor *m, struct parse *ps)
{
	monitor_quit(m->hv, m->vm);
	return true;
}

static bool hmp_cpu(struct monitor *m, struct parse *ps)
{
	uint64_t v;
	if (!expr_sum(ps, &v) || !require_end(m, ps, "cpu"))
		return false;
	if (v >= (uint64_t)vm_nharts(m->vm))
		mprintf(m, "invalid CPU index\n");
	else
		m->cpu = (int)v;
	return true;
}

static bool hmp_dump(struct monitor *m, struct parse *ps, bool physical, const char *name)
{
	struct dump_arg d = { .physical = physical };
	if (!parse_fmt(ps, m, &d.f) || !expr_sum(ps, &d.addr) || !require_end(m, ps, name))
		return false;
	if (!vm_nharts(m->vm) && (!physical || d.f.format == 'i'))
		mprintf(m, "Can not dump without CPU\n"); /* QEMU's words */
	else if (physical)
		dump_mem(m, &d);
	else
		with_harts(m, dump_mem, &d); /* the translation needs the hart's satp */
	return true;
}

static bool hmp_x(struct monitor *m, struct parse *ps) { return hmp_dump(m, ps, false, "x"); }
static bool hmp_xp(struct monitor *m, struct parse *ps) { return hmp_dump(m, ps, true, "xp"); }

static bool hmp_print(struct monitor *m, struct parse *ps)
{
	struct fmt f;
	uint64_t v;
	if (!parse_fmt(ps, m, &f) || !expr_sum(ps, &v) || !require_end(m, ps, "print|p"))
		return false;
	switch (f.format) {
	case 'o': mprintf(m, "%#" PRIo64 "\n", v); break;
	case 'x': mprintf(m, "%#" PRIx64 "\n", v); break;
	case 'u': mprintf(m, "%" PRIu64 "\n", v); break;
	case 'c': printc(m, (unsigned)v & 0xff); mprintf(m, "\n"); break;
	default: mprintf(m, "%" PRId64 "\n", (int64_t)v); break;
	}
	return true;
}

/* -- info -- */

static bool info_status(struct monitor *m, struct parse *ps)
{
	enum vm_state s = vm_state(m->vm);
	if (s == VM_RUNNING)
		mprintf(m, "VM status: running\n");
	else if (s == VM_PAUSED)
		mprintf(m, "VM status: paused\n");
	else
		mprintf(m, "VM status: paused (%s)\n", vm_state_name(s));
	return true;
}

static int64_t hart_tid(struct vm *vm, int k)
{
	struct vm_hart_info hi;
	vm_hart_info(vm, k, &hi);
	return hi.thread_id >= 0 ? hi.thread_id : (int64_t)getpid(); /* never ran yet */
}

static bool info_cpus(struct monitor *m, struct parse *ps)
{
	for (int k = 0; k < vm_nharts(m->vm); k++)
		mprintf(m, "%c CPU #%d: thread_id=%" PRId64 "\n", k == m->cpu ? '*' : ' ', k, hart_tid(m->vm, k));
	return true;
}

/* info registers [-a|vcpu] */
static bool info_registers(struct monitor *m, struct parse *ps)
{
	struct regs_arg r = { m->cpu, m->cpu };
	skip_ws(ps);
	if (ps->p[0] == '-' && ps->p[1] == 'a' && (!ps->p[2] || isspace((unsigned char)ps->p[2]))) {
		ps->p += 2;
		r = (struct regs_arg){ 0, vm_nharts(m->vm) - 1 };
	} else if (*ps->p) {
		uint64_t v;
		if (!expr_sum(ps, &v))
			return false;
		if (v >= (uint64_t)vm_nharts(m->vm)) {
			if (require_end(m, ps, "registers"))
				mprintf(m, "CPU#%" PRId64 " not available\n", (int64_t)v);
			return !ps->err;
		}
		r.first = r.last = (int)v;
	}
	if (!require_end(m, ps, "registers"))
		return false;
	if (!vm_nharts(m->vm))
		mprintf(m, "No CPU available\n"); /* a wasm program */
	else
		with_harts(m, dump_harts, &r);
	return true;
}

static bool info_version(struct monitor *m, struct parse *ps)
{
	mprintf(m, "7.2.0 (cairn %s)\n", CAIRN_VERSION);
	return true;
}

static bool info_name(struct monitor *m, struct parse *ps)
{
	mprintf(m, "%s\n", vm_name(m->vm));
	return true;
}

static const struct hmp_cmd info_cmds[] = {
	{ "cpus", "", "show infos for each CPU", info_cpus },
	{ "name", "", "show the current VM name", info_name },
	{ "registers", "[-a|vcpu]", "show the cpu registers (-a: show register info for all cpus; vcpu: "
	  "specific vCPU to query; show the current CPU's registers if no argument is specified)", info_registers },
	{ "status", "", "show the current VM status (running|paused)", info_status },
	{ "version", "", "show the version of QEMU (the protocol level) and of cairn", info_version },
};

static bool hmp_info(struct monitor *m, struct parse *ps);
static bool hmp_help(struct monitor *m, struct parse *ps);

static const struct hmp_cmd cmds[] = {
	{ "cont|c", "", "resume emulation", hmp_cont },
	{ "cpu", "index", "set the default CPU", hmp_cpu },
	{ "help|?", "[cmd]", "show the help", hmp_help },
	{ "info", "[subcommand]", "show various information about the system state", hmp_info },
	{ "print|p", "/fmt expr", "print expression value (use $reg for CPU register access)", hmp_print },
	{ "quit|q", "", "quit the emulator", hmp_quit },
	{ "stop|s", "", "stop emulation", hmp_stop },
	{ "system_powerdown", "", "send system power down event", hmp_powerdown },
	{ "system_reset", "", "reset the system", hmp_reset },
	{ "x", "/fmt addr", "virtual memory dump starting at 'addr'", hmp_x },
	{ "xp", "/fmt addr", "physical memory dump starting at 'addr'", hmp_xp },
};

/* Whether word (n bytes) is one of the |-separated names. */
static bool name_is(const char *names, const char *word, size_t n)
{
	for (const char *p = names; *p; ) {
		size_t l = strcspn(p, "|");
		if (l == n && !strncmp(p, word, n))
			return true;
		p += l + (p[l] == '|');
	}
	return false;
}

static const struct hmp_cmd *find(const struct hmp_cmd *t, size_t nt, const char *w, size_t n)
{
	for (size_t i = 0; i < nt; i++)
		if (name_is(t[i].name, w, n))
			return &t[i];
	return NULL;
}

/* The next word of ps (up to white space). */
static size_t word(struct parse *ps, const char **w)
{
	skip_ws(ps);
	*w = ps->p;
	while (*ps->p && !isspace((unsigned char)*ps->p))
		ps->p++;
	return (size_t)(ps->p - *w);
}

static void help_line(struct monitor *m, const char *prefix, const struct hmp_cmd *c)
{
	mprintf(m, "%s%s %s -- %s\n", prefix, c->name, c->params, c->help);
}

static bool hmp_info(struct monitor *m, struct parse *ps)
{
	const char *w;
	size_t n = word(ps, &w);
	if (!n) {
		for (size_t i = 0; i < ARRAY_SIZE(info_cmds); i++)
			help_line(m, "info ", &info_cmds[i]);
		return true;
	}
	const struct hmp_cmd *c = find(info_cmds, ARRAY_SIZE(info_cmds), w, n);
	if (!c) {
		mprintf(m, "unknown command: 'info %.*s'\n", (int)n, w);
		return true;
	}
	if (c->fn == info_registers)
		return c->fn(m, ps);
	return require_end(m, ps, c->name) && c->fn(m, ps);
}

static bool hmp_help(struct monitor *m, struct parse *ps)
{
	const char *w;
	size_t n = word(ps, &w);
	if (!n) {
		for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
			help_line(m, "", &cmds[i]);
		return true;
	}
	const struct hmp_cmd *c = find(cmds, ARRAY_SIZE(cmds), w, n);
	if (!c) {
		mprintf(m, "unknown command: '%.*s'\n", (int)n, w);
		return true;
	}
	if (c->fn != hmp_info) {
		help_line(m, "", c);
		return true;
	}
	n = word(ps, &w);
	const struct hmp_cmd *ic = n ? find(info_cmds, ARRAY_SIZE(info_cmds), w, n) : NULL;
	for (size_t i = 0; i < ARRAY_SIZE(info_cmds); i++)
		if (!ic || ic == &info_cmds[i])
			help_line(m, "info ", &info_cmds[i]);
	return true;
}

void monitor_init(struct monitor *m, struct hv *hv, struct vm *vm, monitor_write_fn *write, void *ctx)
{
	*m = (struct monitor){ .hv = hv, .vm = vm, .fmt = 'x', .size = 4, .write = write, .ctx = ctx };
}

int monitor_exec(struct monitor *m, const char *line)
{
	struct parse ps = { .p = line };
	const char *w;
	size_t n = word(&ps, &w);
	if (!n)
		return 0;
	const struct hmp_cmd *c = find(cmds, ARRAY_SIZE(cmds), w, n);
	if (!c) {
		mprintf(m, "unknown command: '%.*s'\n", (int)n, w);
		return 0;
	}
	bool ok = c->fn == hmp_info || c->fn == hmp_help || c->fn == hmp_cpu || c->fn == hmp_x ||
		  c->fn == hmp_xp || c->fn == hmp_print || require_end(m, &ps, c->name);
	if (ok && !c->fn(m, &ps))
		ok = false;
	if (!ok) {
		/* "help info registers" for an info subcommand's error */
		const char *sub = c->fn == hmp_info ? w + n : "";
		while (isspace((unsigned char)*sub))
			sub++;
		mprintf(m, "%s\nTry \"help %.*s%s%.*s\" for more information\n", ps.err ? ps.err : "error",
			(int)n, w, *sub ? " " : "", (int)strcspn(sub, " \t"), sub);
		return 0;
	}
	return c->fn == hmp_quit;
}

/* ---- collected output ---- */

struct strbuf { char *p; size_t len, cap; bool oom; };

static void strbuf_write(void *ctx, const char *s, size_t n)
{
	struct strbuf *b = ctx;
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

char *monitor_run(struct hv *hv, struct vm *vm, int cpu, const char *line, bool *quit)
{
	struct strbuf b = { 0 };
	struct monitor m;
	monitor_init(&m, hv, vm, strbuf_write, &b);
	m.cpu = cpu;
	*quit = monitor_exec(&m, line) == 1;
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p ? b.p : strdup("");
}

/* ---- sessions: line input, echo, prompt ---- */

struct monitor_server {
	struct hv *hv;
	struct vm *vm;
	struct chan_server *chan;
	bool listening;
	bool vm_gone;           /* vm was freed: under chan_quiesce */
};

struct line_job {
	struct line_job *next;
	struct monitor_session *ms;
	char line[];
};

struct monitor_session {
	struct monitor m;
	char line[LINE_MAX_BYTES];
	size_t len;
	int esc;                        /* in an escape sequence (arrow keys): 1 after ESC, 2 in CSI */
	bool cr;                        /* the last byte was \r (its \n is not a second line) */
	bool quit;                      /* quit ran: input is ignored */
	struct chan_client *client;      /* a -monitor client: lines run on its server's thread */
	struct monitor_server *srv;
	/* Otherwise the session's own thread and queue. */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct line_job *head, *tail;
	bool stop;
};

#define PROMPT "(qemu) "

static void run_line(struct monitor_session *ms, const char *line)
{
	if (__atomic_load_n(&ms->quit, __ATOMIC_ACQUIRE))
		return;
	if (ms->srv && ms->srv->vm_gone) {
		mprintf(&ms->m, "Error: the VM has been destroyed\n" PROMPT);
		return;
	}
	if (monitor_exec(&ms->m, line) == 1) {
		__atomic_store_n(&ms->quit, true, __ATOMIC_RELEASE);
		return;
	}
	ms->m.write(ms->m.ctx, PROMPT, strlen(PROMPT));
}

static void *session_thread(void *arg)
{
	struct monitor_session *ms = arg;
	pthread_mutex_lock(&ms->mu);
	for (;;) {
		while (!ms->head && !ms->stop)
			pthread_cond_wait(&ms->cv, &ms->mu);
		struct line_job *j = ms->head;
		if (!j || ms->stop)
			break;
		ms->head = j->next;
		if (!ms->head)
			ms->tail = NULL;
		pthread_mutex_unlock(&ms->mu);
		run_line(ms, j->line);
		free(j);
		pthread_mutex_lock(&ms->mu);
	}
	pthread_mutex_unlock(&ms->mu);
	return NULL;
}

static void chan_line(struct chan_client *c, void *arg, bool gone)
{
	struct line_job *j = arg;
	if (!gone)
		run_line(j->ms, j->line);
	free(j);
}

static void submit_line(struct monitor_session *ms)
{
	struct line_job *j = malloc(sizeof *j + ms->len + 1);
	if (!j)
		return;
	j->next = NULL;
	j->ms = ms;
	memcpy(j->line, ms->line, ms->len);
	j->line[ms->len] = 0;
	if (ms->client) {
		if (chan_submit(ms->client, chan_line, j))
			free(j);
		return;
	}
	pthread_mutex_lock(&ms->mu);
	if (ms->tail)
		ms->tail->next = j;
	else
		ms->head = j;
	ms->tail = j;
	pthread_cond_signal(&ms->cv);
	pthread_mutex_unlock(&ms->mu);
}

/* One typed byte: editing keys, echo, Enter runs the line. */
static void session_byte(struct monitor_session *ms, unsigned char b)
{
	bool cr = ms->cr;
	ms->cr = false;
	if (ms->esc) { /* ESC [ ... final byte, or ESC O x: dropped */
		ms->esc = ms->esc == 1 && (b == '[' || b == 'O') ? 2 : (ms->esc == 2 && (b < 0x40 || b > 0x7e)) ? 2 : 0;
		return;
	}
	if (b == 0x1b) {
		ms->esc = 1;
	} else if (b == '\r' || (b == '\n' && !cr)) {
		ms->cr = b == '\r';
		ms->m.write(ms->m.ctx, "\r\n", 2);
		submit_line(ms);
		ms->len = 0;
	} else if (b == 0x7f || b == 0x08) {
		if (ms->len) {
			ms->len--;
			ms->m.write(ms->m.ctx, "\b \b", 3);
		}
	} else if (b >= 0x20 && ms->len < sizeof ms->line - 1) {
		ms->line[ms->len++] = (char)b;
		ms->m.write(ms->m.ctx, (const char *)&b, 1);
	}
}

void monitor_session_input(struct monitor_session *ms, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		session_byte(ms, (unsigned char)buf[i]);
}

void monitor_session_greet(struct monitor_session *ms)
{
	char banner[128];
	int n = snprintf(banner, sizeof banner, "cairn %s monitor - type 'help' for more information\r\n" PROMPT,
			 CAIRN_VERSION);
	ms->m.write(ms->m.ctx, banner, (size_t)n);
}

static struct monitor_session *session_alloc(struct hv *hv, struct vm *vm, monitor_write_fn *write, void *ctx)
{
	struct monitor_session *ms = calloc(1, sizeof *ms);
	if (!ms)
		return NULL;
	monitor_init(&ms->m, hv, vm, write, ctx);
	pthread_mutex_init(&ms->mu, NULL);
	pthread_cond_init(&ms->cv, NULL);
	return ms;
}

static void session_free(struct monitor_session *ms)
{
	while (ms->head) {
		struct line_job *j = ms->head;
		ms->head = j->next;
		free(j);
	}
	pthread_mutex_destroy(&ms->mu);
	pthread_cond_destroy(&ms->cv);
	free(ms);
}

int monitor_session_new(struct hv *hv, struct vm *vm, monitor_write_fn *write, void *ctx,
			struct monitor_session **out)
{
	struct monitor_session *ms = session_alloc(hv, vm, write, ctx);
	if (!ms)
		return -ERR_NOMEM;
	if (pthread_create(&ms->thread, NULL, session_thread, ms)) {
		session_free(ms);
		return -ERR_NOMEM;
	}
	*out = ms;
	return 0;
}

void monitor_session_free(struct monitor_session *ms)
{
	if (!ms)
		return;
	pthread_mutex_lock(&ms->mu);
	ms->stop = true;
	pthread_cond_signal(&ms->cv);
	pthread_mutex_unlock(&ms->mu);
	pthread_join(ms->thread, NULL);
	session_free(ms);
}

/* ---- -monitor servers ---- */


static void client_write(void *ctx, const char *s, size_t n)
{
	chan_write(ctx, s, n);
}

static void *mon_open(void *ctx, struct chan_client *c)
{
	struct monitor_server *s = ctx;
	struct monitor_session *ms = session_alloc(s->hv, s->vm, client_write, c);
	if (!ms)
		return NULL;
	ms->client = c;
	ms->srv = s;
	monitor_session_greet(ms);
	return ms;
}

static int mon_input(void *state, const char *buf, size_t n)
{
	monitor_session_input(state, buf, n);
	return 0;
}

static void mon_free(void *state)
{
	session_free(state);
}

static const struct chan_ops mon_ops = { mon_open, mon_input, mon_free };

static void drop_vm(void *arg)
{
	struct monitor_server *s = arg;
	s->vm_gone = true;
}

/* Before the VM is freed: the command using it finishes, none follows. */
static void on_event(void *ctx, struct vm *vm, const char *event, const char *data)
{
	struct monitor_server *s = ctx;
	if (vm == s->vm && !s->vm_gone && !strcmp(event, HV_EVENT_FREE))
		chan_quiesce(s->chan, drop_vm, s); /* (vm_gone: a new VM at the old address) */
}

int monitor_open(struct hv *hv, struct vm *vm, const char *spec, struct monitor_server **out, cairn_errbuf *e)
{
	*out = NULL;
	struct monitor_server *s = calloc(1, sizeof *s);
	if (!s) {
		cairn_errorf(e, "out of memory");
		return -ERR_NOMEM;
	}
	s->hv = hv;
	s->vm = vm;
	int err = chan_open(spec, &mon_ops, s, &s->chan, e);
	if (!err && s->chan && (err = hv_add_listener(hv, on_event, s)))
		cairn_errorf(e, "cannot listen to the hypervisor's events: %s", cairn_strerror(-err));
	s->listening = !err;
	if (err || !s->chan) {
		monitor_close(s);
		return err;
	}
	*out = s;
	return 0;
}

void monitor_close(struct monitor_server *s)
{
	if (!s)
		return;
	if (s->listening && s->chan)
		hv_remove_listener(s->hv, on_event, s);
	chan_close(s->chan);
	free(s);
}
