/* decode.c - instruction decoder and disassembler, generated from insns.h.
 * At first use the table is sorted into buckets by major opcode and funct3
 * so a decode scans a handful of rows, not all of them. */
#include "riscv/internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

const void *rv_handlers[RV_OP_COUNT], *rv_handlers_c[RV_OP_COUNT];

enum rv_fmt { F_R, F_I, F_S, F_B, F_U, F_J, F_SH6, F_SH5, F_CSR, F_CSRI, F_SYS, F_AMO,
	      F_R4, F_RM, F_RM1, F_FR, F_F2I, F_F2X, F_FCMP, F_I2F, F_X2F, F_FL, F_FS, F_R1 };
enum rv_cfmt { C_CIW, C_CL_W, C_CL_D, C_CS_W, C_CS_D, C_CI, C_CI_W, C_CI_LI, C_CI_SP16,
	       C_CI_LUI, C_CB_SH, C_CB_ANDI, C_CA, C_CJ, C_CB, C_CI_SH, C_CI_LDSP,
	       C_CI_LWSP, C_CNONE, C_CR_JR, C_CR_MV, C_CR_JALR, C_CR, C_CSS_W, C_CSS_D };

static const struct row { const char *name; uint32_t match, mask; uint8_t fmt; uint16_t op; } rows[] = {
#define RV(n, m, k, f) { #n, m, k, F_##f, RV_OP_##n },
	RV_INSNS(RV)
#undef RV
};
static const struct crow { const char *name; uint16_t match, mask; uint8_t fmt; uint16_t op; } crows[] = {
#define C(n, m, k, f, o) { #n, m, k, C_##f, RV_OP_##o },
	RV_CINSNS(C)
#undef C
};

/* Buckets: 32-bit by opcode[6:2] and funct3, 16-bit by quadrant and funct3. */
static uint8_t bucket[32 * 8][64], bucket_n[32 * 8];
static uint8_t cbucket[3 * 8][16], cbucket_n[3 * 8];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build_buckets(void)
{
	for (uint32_t key = 0; key < 256; key++) {
		uint32_t bits = ((key >> 3) << 2) | 3 | ((key & 7) << 12);
		for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
			uint32_t km = rows[i].mask & 0x707c;
			if ((bits & km) == (rows[i].match & km)) {
				if (bucket_n[key] == sizeof bucket[0])
					abort(); /* the table outgrew the buckets: raise the size */
				bucket[key][bucket_n[key]++] = (uint8_t)i;
			}
		}
	}
	for (uint32_t key = 0; key < 24; key++) {
		uint32_t bits = (key >> 3) | ((key & 7) << 13);
		for (size_t i = 0; i < ARRAY_SIZE(crows); i++)
			if ((bits & 0xe003) == (crows[i].match & 0xe003)) {
				if (cbucket_n[key] == sizeof cbucket[0])
					abort();
				cbucket[key][cbucket_n[key]++] = (uint8_t)i;
			}
	}
}

static inline uint32_t bits(uint32_t w, int hi, int lo) { return (w >> lo) & ((1u << (hi - lo + 1)) - 1); }
static inline int32_t sext(uint32_t v, int nbits) { return (int32_t)(v << (32 - nbits)) >> (32 - nbits); }
static inline uint8_t rdx(uint32_t r) { return r ? (uint8_t)r : 32; } /* x0 writes go to the sink */

static void fields32(rv_insn *o, uint32_t w, int fmt)
{
	uint32_t rd = bits(w, 11, 7), rs1 = bits(w, 19, 15), rs2 = bits(w, 24, 20);
	o->rs1 = (uint8_t)rs1;
	o->rs2 = (uint8_t)rs2;
	o->rd = rdx(rd);
	o->imm = 0;
	o->flags = 2 | (bits(w, 14, 12) << 2);
	switch (fmt) {
	case F_I: case F_FL: case F_AMO:
		o->imm = sext(bits(w, 31, 20), 12);
		break;
	case F_S: case F_FS:
		o->imm = sext(bits(w, 31, 25) << 5 | rd, 12);
		break;
	case F_B:
		o->imm = sext(bits(w, 31, 31) << 12 | bits(w, 7, 7) << 11 | bits(w, 30, 25) << 5 | bits(w, 11, 8) << 1, 13);
		break;
	case F_U:
		o->imm = (int32_t)(w & 0xfffff000);
		break;
	case F_J:
		o->imm = sext(bits(w, 31, 31) << 20 | bits(w, 19, 12) << 12 | bits(w, 20, 20) << 11 | bits(w, 30, 21) << 1, 21);
		break;
	case F_SH6: o->imm = (int32_t)bits(w, 25, 20); break;
	case F_SH5: o->imm = (int32_t)bits(w, 24, 20); break;
	case F_CSR: case F_CSRI: o->imm = (int32_t)bits(w, 31, 20); break;
	case F_R4: o->imm = (int32_t)bits(w, 31, 27); break;
	}
	/* FP destinations are f registers: f0 is a real register. */
	if (fmt == F_RM || fmt == F_RM1 || fmt == F_FR || fmt == F_R4 || fmt == F_I2F || fmt == F_X2F || fmt == F_FL)
		o->rd = (uint8_t)rd;
}

/* Expand a compressed instruction into its 32-bit equivalent's fields;
 * false for reserved encodings. */
static bool fields16(rv_insn *o, uint32_t w, int fmt)
{
	uint8_t r1 = (uint8_t)bits(w, 11, 7), r2 = (uint8_t)bits(w, 6, 2);
	uint8_t r1p = (uint8_t)(8 + bits(w, 9, 7)), r2p = (uint8_t)(8 + bits(w, 4, 2));
	int32_t ci = sext(bits(w, 12, 12) << 5 | bits(w, 6, 2), 6);
	o->flags = 1;
	o->imm = 0;
	o->rs2 = 0;
	switch (fmt) {
	case C_CIW:
		o->rd = r2p; o->rs1 = 2;
		o->imm = (int32_t)(bits(w, 12, 11) << 4 | bits(w, 10, 7) << 6 | bits(w, 6, 6) << 2 | bits(w, 5, 5) << 3);
		return o->imm != 0;
	case C_CL_W: case C_CL_D: case C_CS_W: case C_CS_D:
		o->rs1 = r1p;
		o->rd = r2p; o->rs2 = r2p;
		o->imm = (int32_t)(bits(w, 12, 10) << 3);
		o->imm |= (fmt == C_CL_W || fmt == C_CS_W) ? (int32_t)(bits(w, 6, 6) << 2 | bits(w, 5, 5) << 6)
							    : (int32_t)(bits(w, 6, 5) << 6);
		return true;
	case C_CI: case C_CI_W:
		o->rd = rdx(r1); o->rs1 = r1; o->imm = ci;
		return fmt == C_CI || r1 != 0;
	case C_CI_LI:
		o->rd = rdx(r1); o->rs1 = 0; o->imm = ci;
		return true;
	case C_CI_SP16:
		o->rd = 2; o->rs1 = 2;
		o->imm = sext(bits(w, 12, 12) << 9 | bits(w, 6, 6) << 4 | bits(w, 5, 5) << 6 |
			      bits(w, 4, 3) << 7 | bits(w, 2, 2) << 5, 10);
		return o->imm != 0;
	case C_CI_LUI:
		o->rd = rdx(r1); o->imm = (int32_t)((uint32_t)ci << 12);
		return ci != 0;
	case C_CB_SH: case C_CB_ANDI:
		o->rd = r1p; o->rs1 = r1p;
		o->imm = fmt == C_CB_ANDI ? ci : (int32_t)(bits(w, 12, 12) << 5 | bits(w, 6, 2));
		return true;
	case C_CA:
		o->rd = r1p; o->rs1 = r1p; o->rs2 = r2p;
		return true;
	case C_CJ:
		o->rd = 32;
		o->imm = sext(bits(w, 12, 12) << 11 | bits(w, 11, 11) << 4 | bits(w, 10, 9) << 8 |
			      bits(w, 8, 8) << 10 | bits(w, 7, 7) << 6 | bits(w, 6, 6) << 7 |
			      bits(w, 5, 3) << 1 | bits(w, 2, 2) << 5, 12);
		return true;
	case C_CB:
		o->rs1 = r1p; o->rs2 = 0;
		o->imm = sext(bits(w, 12, 12) << 8 | bits(w, 11, 10) << 3 | bits(w, 6, 5) << 6 |
			      bits(w, 4, 3) << 1 | bits(w, 2, 2) << 5, 9);
		return true;
	case C_CI_SH:
		o->rd = rdx(r1); o->rs1 = r1;
		o->imm = (int32_t)(bits(w, 12, 12) << 5 | bits(w, 6, 2));
		return true;
	case C_CI_LDSP: case C_CI_LWSP:
		o->rd = (o->op == RV_OP_fld) ? r1 : rdx(r1); o->rs1 = 2;
		o->imm = fmt == C_CI_LDSP ? (int32_t)(bits(w, 12, 12) << 5 | bits(w, 6, 5) << 3 | bits(w, 4, 2) << 6)
					  : (int32_t)(bits(w, 12, 12) << 5 | bits(w, 6, 4) << 2 | bits(w, 3, 2) << 6);
		return o->op == RV_OP_fld || r1 != 0;
	case C_CNONE:
		return true;
	case C_CR_JR:
		o->rd = 32; o->rs1 = r1;
		return r1 != 0;
	case C_CR_MV:
		o->rd = rdx(r1); o->rs1 = 0; o->rs2 = r2;
		return true;
	case C_CR_JALR:
		o->rd = 1; o->rs1 = r1;
		return true;
	case C_CR:
		o->rd = rdx(r1); o->rs1 = r1; o->rs2 = r2;
		return true;
	case C_CSS_W: case C_CSS_D:
		o->rs1 = 2; o->rs2 = r2;
		o->imm = fmt == C_CSS_W ? (int32_t)(bits(w, 12, 9) << 2 | bits(w, 8, 7) << 6)
					: (int32_t)(bits(w, 12, 10) << 3 | bits(w, 9, 7) << 6);
		return true;
	}
	return false;
}

static int find_op(uint32_t w, bool *compressed, int *fmt)
{
	pthread_once(&once, build_buckets);
	if ((w & 3) != 3) {
		uint32_t key = (w & 3) * 8 + ((w >> 13) & 7);
		*compressed = true;
		for (int i = 0; i < cbucket_n[key]; i++) {
			const struct crow *c = &crows[cbucket[key][i]];
			if ((w & c->mask) == c->match) {
				*fmt = c->fmt;
				return c->op;
			}
		}
		return -1;
	}
	*compressed = false;
	if ((w & 0x1c) == 0x1c) /* 48-bit and longer encodings */
		return -1;
	uint32_t key = ((w >> 2) & 31) * 8 + ((w >> 12) & 7);
	for (int i = 0; i < bucket_n[key]; i++) {
		const struct row *r = &rows[bucket[key][i]];
		if ((w & r->mask) == r->match) {
			*fmt = r->fmt;
			return r->op;
		}
	}
	return -1;
}

int rv_decode(rv_insn *o, uint32_t w)
{
	bool c;
	int fmt = 0, op = find_op(w, &c, &fmt);
	if (c)
		w &= 0xffff;
	const void *const *tab = c ? rv_handlers_c : rv_handlers;
	if (op >= 0) {
		o->op = (uintptr_t)op; /* fields16 looks at it */
		if (c ? fields16(o, w, fmt) : (fields32(o, w, fmt), true)) {
			o->h = tab[op];
			return c ? 2 : 4;
		}
	}
	/* Illegal: keep the raw word in imm for mtval. */
	o->h = tab[RV_OP_illegal];
	o->imm = (int32_t)w;
	o->rd = o->rs1 = o->rs2 = 0;
	o->flags = c ? 1 : 2;
	return c ? 2 : 4;
}

void rv_localize(rv_insn *i, size_t off)
{
	static const struct { uint16_t from, fwd, back; } map[] = {
		{ RV_OP_beq, RV_OP_beq_l, RV_OP_beq_lb }, { RV_OP_bne, RV_OP_bne_l, RV_OP_bne_lb },
		{ RV_OP_blt, RV_OP_blt_l, RV_OP_blt_lb }, { RV_OP_bge, RV_OP_bge_l, RV_OP_bge_lb },
		{ RV_OP_bltu, RV_OP_bltu_l, RV_OP_bltu_lb }, { RV_OP_bgeu, RV_OP_bgeu_l, RV_OP_bgeu_lb },
		{ RV_OP_jal, RV_OP_jal_l, RV_OP_jal_lb },
	};
	int64_t t = (int64_t)off + i->imm;
	if (t < 0 || t >= 4096)
		return;
	for (size_t k = 0; k < ARRAY_SIZE(map); k++)
		for (int c = 0; c < 2; c++) {
			const void *const *tab = c ? rv_handlers_c : rv_handlers;
			if (i->h == tab[map[k].from]) {
				i->h = tab[i->imm <= 0 ? map[k].back : map[k].fwd];
				i->imm /= 2;
				return;
			}
		}
}

const char *rv_op_name(int op)
{
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		if (rows[i].op == op)
			return rows[i].name;
	return "?";
}

/* ---- disassembler ---- */

static const char *const xn[33] = {
	"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
	"a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6", "zero" };

static void dotname(char *dst, size_t n, const char *name)
{
	snprintf(dst, n, "%s", name);
	for (char *p = dst; *p; p++)
		if (*p == '_')
			*p = '.';
}

void rv_disasm(char *buf, size_t n, uint64_t pc, uint32_t w)
{
	bool c;
	int fmt = 0, op = find_op(w, &c, &fmt);
	char name[24];
	rv_insn o = { .op = (uintptr_t)(op < 0 ? 0 : op) };
	if (op < 0 || (c ? !fields16(&o, w & 0xffff, fmt) : (fields32(&o, w, fmt), false))) {
		snprintf(buf, n, "illegal 0x%0*x", c ? 4 : 8, c ? w & 0xffff : w);
		return;
	}
	dotname(name, sizeof name, rv_op_name(op));
	if (c) { /* the compressed mnemonic, operands as in the expanded form */
		for (size_t i = 0; i < ARRAY_SIZE(crows); i++)
			if ((w & crows[i].mask) == crows[i].match) {
				dotname(name, sizeof name, crows[i].name);
				break;
			}
		fmt = -1;
		for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
			if (rows[i].op == op)
				fmt = rows[i].fmt;
	}
	switch (fmt) {
	case F_R: case F_AMO:
		snprintf(buf, n, "%s %s,%s,%s", name, xn[o.rd], xn[o.rs1], xn[o.rs2]); break;
	case F_R1:
		snprintf(buf, n, "%s %s,%s", name, xn[o.rd], xn[o.rs1]); break;
	case F_I: case F_SH5: case F_SH6:
		if ((op >= RV_OP_lb && op <= RV_OP_lwu) || op == RV_OP_jalr)
			snprintf(buf, n, "%s %s,%d(%s)", name, xn[o.rd], o.imm, xn[o.rs1]);
		else
			snprintf(buf, n, "%s %s,%s,%d", name, xn[o.rd], xn[o.rs1], o.imm);
		break;
	case F_S:
		snprintf(buf, n, "%s %s,%d(%s)", name, xn[o.rs2], o.imm, xn[o.rs1]); break;
	case F_B:
		snprintf(buf, n, "%s %s,%s,0x%llx", name, xn[o.rs1], xn[o.rs2], (unsigned long long)(pc + o.imm)); break;
	case F_U:
		snprintf(buf, n, "%s %s,0x%x", name, xn[o.rd], (uint32_t)o.imm >> 12); break;
	case F_J:
		snprintf(buf, n, "%s %s,0x%llx", name, xn[o.rd], (unsigned long long)(pc + o.imm)); break;
	case F_CSR:
		snprintf(buf, n, "%s %s,0x%x,%s", name, xn[o.rd], o.imm, xn[o.rs1]); break;
	case F_CSRI:
		snprintf(buf, n, "%s %s,0x%x,%d", name, xn[o.rd], o.imm, o.rs1); break;
	case F_FL:
		snprintf(buf, n, "%s f%d,%d(%s)", name, o.rd, o.imm, xn[o.rs1]); break;
	case F_FS:
		snprintf(buf, n, "%s f%d,%d(%s)", name, o.rs2, o.imm, xn[o.rs1]); break;
	case F_R4:
		snprintf(buf, n, "%s f%d,f%d,f%d,f%d", name, o.rd, o.rs1, o.rs2, o.imm); break;
	case F_RM: case F_FR:
		snprintf(buf, n, "%s f%d,f%d,f%d", name, o.rd, o.rs1, o.rs2); break;
	case F_RM1: case F_X2F: case F_I2F:
		snprintf(buf, n, "%s f%d,%s%d", name, o.rd, fmt == F_RM1 ? "f" : "x", o.rs1); break;
	case F_F2I: case F_F2X:
		snprintf(buf, n, "%s %s,f%d", name, xn[o.rd], o.rs1); break;
	case F_FCMP:
		snprintf(buf, n, "%s %s,f%d,f%d", name, xn[o.rd], o.rs1, o.rs2); break;
	case -1:
		snprintf(buf, n, "%s (rd=%s rs1=%s rs2=%s imm=%d)", name, xn[o.rd < 33 ? o.rd : 0],
			 xn[o.rs1], xn[o.rs2], o.imm); break;
	default:
		snprintf(buf, n, "%s", name); break;
	}
}
