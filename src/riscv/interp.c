/* interp.c - the hart's interpreter loop: pre-decoded slots, threaded dispatch.
 * The pc is never stored per instruction: it is derived from the slot pointer
 * (vbase + 2 * index), so straight-line code and in-page branches cost nothing. */
#include "riscv/internal.h"

#include "riscv/fpu.h"

#if defined(__GNUC__) && !defined(RV_SWITCH_DISPATCH)
#define THREADED 1
#define CASE(n)     L_##n:
#define DISPATCH()  do { if (unlikely(--budget < 0)) goto out_budget; goto *i->h; } while (0)
#else
#define THREADED 0
#define CASE(n)     case RV_OP_##n:
#define DISPATCH()  do { if (unlikely(--budget < 0)) goto out_budget; goto dispatch; } while (0)
#endif

#define PC()        (vbase + ((uint64_t)(i - base) << 1))
#define LEN()       ((uint64_t)RV_INSN_LEN(i) << 1)
#define NEXT()      do { i += RV_INSN_LEN(i); DISPATCH(); } while (0)
#define RD          x[i->rd]
#define RS1         x[i->rs1]
#define RS2         x[i->rs2]
#define IMM         ((int64_t)i->imm)
#define JUMP(tgt)   do { uint64_t t_ = (tgt); \
		if (likely((t_ >> 12) == vpn)) { i = base + ((t_ & 0xfff) >> 1); DISPATCH(); } \
		h->pc = t_; goto fetch; } while (0)
#define EXC(c, tv)  do { e.cause = (c); e.tval = (tv); goto exception; } while (0)
/* The instruction just dispatched counts as retired from here on. */
#define SYNC()      do { h->instret += (uint64_t)(start - budget); start = budget; } while (0)
#define SEXT32(v)   ((uint64_t)(int64_t)(int32_t)(v))

/* Loads and stores: inline TLB hit for aligned accesses, slow path otherwise. */
#define TAGMASK(sz) (~0xfffull | (uint64_t)((sz) - 1))
#define LOAD(sz, bits, conv, dst) do { uint64_t a_ = RS1 + IMM; \
		rv_tlbe *t_ = &rtlb[(a_ >> 12) & (RV_TLB_SIZE - 1)]; \
		if (likely(t_->tag == (a_ & TAGMASK(sz)))) { \
			dst = conv(ld_le##bits((const void *)(t_->addend + a_))); \
		} else { uint64_t v_; \
			if (!rv_load_slow(h, a_, sz, &v_, &e)) goto exception; \
			dst = conv(v_); } \
	} while (0)
#define STORE(sz, bits, val) do { uint64_t a_ = RS1 + IMM; \
		rv_tlbe *t_ = &wtlb[(a_ >> 12) & (RV_TLB_SIZE - 1)]; \
		if (likely(t_->tag == (a_ & TAGMASK(sz)))) { \
			st_le##bits((void *)(t_->addend + a_), (uint##bits##_t)(val)); \
		} else { bool rl_ = false; \
			if (!rv_store_slow(h, a_, sz, (val), &e, &rl_)) goto exception; \
			if (rl_) { h->pc = PC() + LEN(); goto fetch; } } \
	} while (0)

#define U8(v)  ((uint64_t)(uint8_t)(v))
#define U16(v) ((uint64_t)(uint16_t)(v))
#define U32(v) ((uint64_t)(uint32_t)(v))
#define S8(v)  ((uint64_t)(int64_t)(int8_t)(v))
#define S16(v) ((uint64_t)(int64_t)(int16_t)(v))
#define S32(v) ((uint64_t)(int64_t)(int32_t)(v))
#define ID(v)  ((uint64_t)(v))
#define BOX(v) (0xffffffff00000000ull | (uint32_t)(v))

/* Atomics go straight to host memory with host atomics. */
#define AMO_PTR(sz, acc) ({ bool rl_ = false; void *q_; \
		rv_tlbe *t_ = &wtlb[(RS1 >> 12) & (RV_TLB_SIZE - 1)]; \
		if (likely(t_->tag == (RS1 & TAGMASK(sz)))) q_ = (void *)(t_->addend + RS1); \
		else if (!(q_ = rv_amo_ptr(h, RS1, sz, acc, &e, &rl_))) goto exception; \
		q_; })
#define AMO(sz, T, conv, op) do { T *p_ = AMO_PTR(sz, RV_ACC_W); T v_ = (T)RS2; \
		RD = conv(op); } while (0)
#define AMO_CAS(sz, T, conv, pick) do { T *p_ = AMO_PTR(sz, RV_ACC_W); T src_ = (T)RS2; \
		T old_ = __atomic_load_n(p_, __ATOMIC_RELAXED), new_; \
		do { new_ = pick(old_, src_); } while (!__atomic_compare_exchange_n(p_, &old_, new_, true, \
					__ATOMIC_SEQ_CST, __ATOMIC_RELAXED)); \
		RD = conv(old_); } while (0)
#define PMIN(a, b)  ((a) < (b) ? (a) : (b))
#define PMAX(a, b)  ((a) > (b) ? (a) : (b))
#define PMINS32(a, b) ((int32_t)(a) < (int32_t)(b) ? (a) : (b))
#define PMAXS32(a, b) ((int32_t)(a) > (int32_t)(b) ? (a) : (b))
#define PMINS64(a, b) ((int64_t)(a) < (int64_t)(b) ? (a) : (b))
#define PMAXS64(a, b) ((int64_t)(a) > (int64_t)(b) ? (a) : (b))

/* Floating point: FS must be on; rm 7 means frm; 5 and 6 are reserved. */
#define FPCHECK()   do { if (unlikely(!(h->mstatus & MSTATUS_FS))) goto illegal_insn; } while (0)
#define RM()        ({ int rm_ = RV_INSN_RM(i) == RV_RM_DYN ? (int)(h->fcsr >> 5) & 7 : RV_INSN_RM(i); \
		if (unlikely(rm_ > RV_RM_RMM)) goto illegal_insn; \
		rm_; })
#define FS(r)       unbox(h->f[r])
#define FD(r)       (h->f[r])
/* ff starts as the accumulated flags: once NX is set the FPU skips reading
 * the host's flags for most results (see docs/FPU.md). */
#define FFLAGS()    (h->fcsr & 0x1f)
#define FDONE()     do { h->fcsr |= ff; rv_fs_dirty(h); NEXT(); } while (0)
#define F_RR(fn, rd_expr, A, B) { FPCHECK(); int rm = RM(); uint32_t ff = FFLAGS(); \
		rd_expr(fn(A(i->rs1), B(i->rs2), rm, &ff)); FDONE(); }
#define F_R1(fn, rd_expr, A) { FPCHECK(); int rm = RM(); uint32_t ff = FFLAGS(); \
		rd_expr(fn(A(i->rs1), rm, &ff)); FDONE(); }
#define F_NR(fn, rd_expr, A, B) { FPCHECK(); uint32_t ff = FFLAGS(); \
		rd_expr(fn(A(i->rs1), B(i->rs2), &ff)); FDONE(); }
#define SETFS(v)    (h->f[i->rd] = BOX(v))
#define SETFD(v)    (h->f[i->rd] = (v))
#define SETX(v)     (RD = (uint64_t)(v))
#define XW(r)       ((int32_t)x[r])
#define XWU(r)      ((uint32_t)x[r])
#define XL(r)       ((int64_t)x[r])
#define XLU(r)      (x[r])

static inline uint32_t unbox(uint64_t v)
{
	return (v >> 32) == 0xffffffffu ? (uint32_t)v : RV_F32_CANON_NAN;
}

static inline uint64_t mulhu64(uint64_t a, uint64_t b) { return (uint64_t)(((unsigned __int128)a * b) >> 64); }
static inline uint64_t mulh64(int64_t a, int64_t b) { return (uint64_t)(((__int128)a * b) >> 64); }
static inline uint64_t mulhsu64(int64_t a, uint64_t b) { return (uint64_t)(((__int128)a * (unsigned __int128)b) >> 64); }
static inline uint64_t rol64(uint64_t a, unsigned s) { s &= 63; return s ? (a << s) | (a >> (64 - s)) : a; }
static inline uint64_t ror64(uint64_t a, unsigned s) { s &= 63; return s ? (a >> s) | (a << (64 - s)) : a; }
static inline uint32_t rol32(uint32_t a, unsigned s) { s &= 31; return s ? (a << s) | (a >> (32 - s)) : a; }
static inline uint32_t ror32(uint32_t a, unsigned s) { s &= 31; return s ? (a >> s) | (a << (32 - s)) : a; }

static uint64_t orc_b(uint64_t v)
{
	uint64_t r = 0;
	for (int b = 0; b < 8; b++)
		if ((v >> (8 * b)) & 0xff)
			r |= 0xffull << (8 * b);
	return r;
}

static uint32_t fsgnj32(uint32_t a, uint32_t b, int k)
{
	uint32_t s = k == 0 ? b : k == 1 ? ~b : (a ^ b);
	return (a & 0x7fffffffu) | (s & 0x80000000u);
}

static uint64_t fsgnj64(uint64_t a, uint64_t b, int k)
{
	uint64_t s = k == 0 ? b : k == 1 ? ~b : (a ^ b);
	return (a & ~(1ull << 63)) | (s & (1ull << 63));
}

/* Instruction bits for mtval on an illegal instruction. */
static uint64_t insn_bits(const rv_dpage *dp, const rv_insn *i, const rv_insn *base)
{
	if (i->h == rv_handlers[RV_OP_illegal])
		return (uint32_t)i->imm;
	if (!dp || !dp->host)
		return 0;
	size_t off = (size_t)(i - base) * 2;
	uint16_t lo = ld_le16(dp->host + off);
	if ((lo & 3) != 3)
		return lo;
	return off + 4 <= 4096 ? ld_le32(dp->host + off) : 0;
}

int rv_run(rv_hart *h, int64_t budget)
{
#if THREADED
	static const void *const labels[RV_OP_COUNT] = {
#define X(n) [RV_OP_##n] = &&L_##n,
		RV_INTERNAL_OPS(X)
#undef X
#define RV(n, m, k, f) [RV_OP_##n] = &&L_##n,
		RV_INSNS(RV)
#undef RV
	};
	if (!h) {
		memcpy(rv_handlers, labels, sizeof labels);
		return 0;
	}
#else
	if (!h) {
		for (uintptr_t k = 0; k < RV_OP_COUNT; k++)
			rv_handlers[k] = (const void *)k;
		return 0;
	}
#endif
	uint64_t *const x = h->x;
	rv_tlbe *rtlb, *wtlb;
	rv_insn *i = NULL, *base = NULL;
	rv_dpage *dp = NULL;
	uint64_t vbase = 0, vpn = 0;
	int64_t start = budget;
	rv_exc e;

	{
		uint32_t ep = __atomic_load_n(&h->bus->code_epoch, __ATOMIC_ACQUIRE);
		if (ep != h->code_epoch) {
			h->code_epoch = ep;
			memset(h->tlb_w, 0xff, sizeof h->tlb_w);
		}
	}

check_irq: { /* h->pc is the next instruction */
		int irq = rv_irq_pending(h);
		if (irq >= 0)
			rv_take_trap(h, (uint64_t)irq, 0, true);
	}
fetch: { /* h->pc is the next instruction */
		rtlb = h->rtlb;
		wtlb = h->wtlb;
		uint64_t pc = h->pc;
		rv_xtlbe *t = &h->xtlb[(pc >> 12) & (RV_TLB_SIZE - 1)];
		if (likely(t->tag == (pc & ~0xfffull))) {
			dp = t->dp;
		} else if (!(dp = rv_fetch_page(h, pc, &e))) {
			rv_take_trap(h, e.cause, e.tval, false);
			if (unlikely(h->pc == pc)) {
				SYNC();
				return RV_EXIT_STUCK;
			}
			start--;
			if (unlikely(--budget < 0)) {
				SYNC();
				return RV_EXIT_BUDGET;
			}
			goto fetch;
		}
		base = dp->slot;
		vbase = pc & ~0xfffull;
		vpn = pc >> 12;
		i = base + ((pc & 0xfff) >> 1);
		DISPATCH();
	}

exception: /* e is set; the instruction at i did not retire, but it used up
	 * budget: a guest trapping forever must still end its slice. */
	start--;
	h->pc = PC();
	SYNC();
	rv_take_trap(h, e.cause, e.tval, false);
	goto fetch;
illegal_insn:
	EXC(RV_EXC_ILLEGAL, insn_bits(dp, i, base));
out_budget:
	budget++;
	h->pc = PC();
	SYNC();
	return RV_EXIT_BUDGET;

#if !THREADED
dispatch:
	switch (i->op) {
#endif

	CASE(decode) {
		budget++;
		size_t off = (size_t)(i - base) * 2;
		uint16_t lo = ld_le16(dp->host + off);
		if ((lo & 3) == 3 && off == 4094) {
			i->h = rv_handlers[RV_OP_straddle];
			i->flags = 2;
		} else {
			rv_decode(i, (lo & 3) == 3 ? ld_le32(dp->host + off) : lo);
			rv_localize(i, off);
		}
		DISPATCH();
	}
	CASE(beq_l)  { i += RS1 == RS2 ? i->imm : RV_INSN_LEN(i); DISPATCH(); }
	CASE(bne_l)  { i += RS1 != RS2 ? i->imm : RV_INSN_LEN(i); DISPATCH(); }
	CASE(blt_l)  { i += (int64_t)RS1 < (int64_t)RS2 ? i->imm : RV_INSN_LEN(i); DISPATCH(); }
	CASE(bge_l)  { i += (int64_t)RS1 >= (int64_t)RS2 ? i->imm : RV_INSN_LEN(i); DISPATCH(); }
	CASE(bltu_l) { i += RS1 < RS2 ? i->imm : RV_INSN_LEN(i); DISPATCH(); }
	CASE(bgeu_l) { i += RS1 >= RS2 ? i->imm : RV_INSN_LEN(i); DISPATCH(); }
	CASE(jal_l)  { RD = PC() + LEN(); i += i->imm; DISPATCH(); }
	CASE(page_end) {
		budget++;
		h->pc = PC();
		goto fetch;
	}
	CASE(straddle) {
		/* Fetch the upper half from the next page each time: the two pages
		 * may change independently. */
		uint64_t pc = PC();
		uint16_t lo = ld_le16(dp->host + 4094), hi;
		if (!rv_fetch16(h, pc + 2, &hi, &e))
			goto exception;
		budget++;
		rv_insn *s = h->scratch.slot;
		rv_decode(s, (uint32_t)hi << 16 | lo);
		s[2].h = rv_handlers[RV_OP_page_end];
		dp = &h->scratch;
		base = s;
		i = s;
		vbase = pc;
		vpn = ~0ull;
		DISPATCH();
	}
	CASE(illegal) goto illegal_insn;

	/* ---- RV64I ---- */
	CASE(lui)    { RD = (uint64_t)IMM; NEXT(); }
	CASE(auipc)  { RD = PC() + (uint64_t)IMM; NEXT(); }
	CASE(jal)    { uint64_t pc = PC(); RD = pc + LEN(); JUMP(pc + (uint64_t)IMM); }
	CASE(jalr)   { uint64_t t = (RS1 + (uint64_t)IMM) & ~1ull; RD = PC() + LEN(); JUMP(t); }
	CASE(beq)    { if (RS1 == RS2) JUMP(PC() + (uint64_t)IMM); NEXT(); }
	CASE(bne)    { if (RS1 != RS2) JUMP(PC() + (uint64_t)IMM); NEXT(); }
	CASE(blt)    { if ((int64_t)RS1 < (int64_t)RS2) JUMP(PC() + (uint64_t)IMM); NEXT(); }
	CASE(bge)    { if ((int64_t)RS1 >= (int64_t)RS2) JUMP(PC() + (uint64_t)IMM); NEXT(); }
	CASE(bltu)   { if (RS1 < RS2) JUMP(PC() + (uint64_t)IMM); NEXT(); }
	CASE(bgeu)   { if (RS1 >= RS2) JUMP(PC() + (uint64_t)IMM); NEXT(); }
	CASE(lb)     { LOAD(1, 8, S8, RD); NEXT(); }
	CASE(lh)     { LOAD(2, 16, S16, RD); NEXT(); }
	CASE(lw)     { LOAD(4, 32, S32, RD); NEXT(); }
	CASE(ld)     { LOAD(8, 64, ID, RD); NEXT(); }
	CASE(lbu)    { LOAD(1, 8, U8, RD); NEXT(); }
	CASE(lhu)    { LOAD(2, 16, U16, RD); NEXT(); }
	CASE(lwu)    { LOAD(4, 32, U32, RD); NEXT(); }
	CASE(sb)     { STORE(1, 8, RS2); NEXT(); }
	CASE(sh)     { STORE(2, 16, RS2); NEXT(); }
	CASE(sw)     { STORE(4, 32, RS2); NEXT(); }
	CASE(sd)     { STORE(8, 64, RS2); NEXT(); }
	CASE(addi)   { RD = RS1 + (uint64_t)IMM; NEXT(); }
	CASE(slti)   { RD = (int64_t)RS1 < IMM; NEXT(); }
	CASE(sltiu)  { RD = RS1 < (uint64_t)IMM; NEXT(); }
	CASE(xori)   { RD = RS1 ^ (uint64_t)IMM; NEXT(); }
	CASE(ori)    { RD = RS1 | (uint64_t)IMM; NEXT(); }
	CASE(andi)   { RD = RS1 & (uint64_t)IMM; NEXT(); }
	CASE(slli)   { RD = RS1 << i->imm; NEXT(); }
	CASE(srli)   { RD = RS1 >> i->imm; NEXT(); }
	CASE(srai)   { RD = (uint64_t)((int64_t)RS1 >> i->imm); NEXT(); }
	CASE(add)    { RD = RS1 + RS2; NEXT(); }
	CASE(sub)    { RD = RS1 - RS2; NEXT(); }
	CASE(sll)    { RD = RS1 << (RS2 & 63); NEXT(); }
	CASE(slt)    { RD = (int64_t)RS1 < (int64_t)RS2; NEXT(); }
	CASE(sltu)   { RD = RS1 < RS2; NEXT(); }
	CASE(xor)    { RD = RS1 ^ RS2; NEXT(); }
	CASE(srl)    { RD = RS1 >> (RS2 & 63); NEXT(); }
	CASE(sra)    { RD = (uint64_t)((int64_t)RS1 >> (RS2 & 63)); NEXT(); }
	CASE(or)     { RD = RS1 | RS2; NEXT(); }
	CASE(and)    { RD = RS1 & RS2; NEXT(); }
	CASE(addiw)  { RD = SEXT32(RS1 + (uint64_t)IMM); NEXT(); }
	CASE(slliw)  { RD = SEXT32((uint32_t)RS1 << i->imm); NEXT(); }
	CASE(srliw)  { RD = SEXT32((uint32_t)RS1 >> i->imm); NEXT(); }
	CASE(sraiw)  { RD = SEXT32((int32_t)RS1 >> i->imm); NEXT(); }
	CASE(addw)   { RD = SEXT32(RS1 + RS2); NEXT(); }
	CASE(subw)   { RD = SEXT32(RS1 - RS2); NEXT(); }
	CASE(sllw)   { RD = SEXT32((uint32_t)RS1 << (RS2 & 31)); NEXT(); }
	CASE(srlw)   { RD = SEXT32((uint32_t)RS1 >> (RS2 & 31)); NEXT(); }
	CASE(sraw)   { RD = SEXT32((int32_t)RS1 >> (RS2 & 31)); NEXT(); }
	CASE(fence)  { __atomic_thread_fence(__ATOMIC_SEQ_CST); NEXT(); }
	CASE(fence_i) {
		h->pc = PC() + LEN();
		rv_code_flush(h);
		goto fetch;
	}
	CASE(ecall)  {
		EXC(h->priv == RV_PRIV_M ? RV_EXC_ECALL_M : h->priv == RV_PRIV_S ? RV_EXC_ECALL_S : RV_EXC_ECALL_U, 0);
	}
	CASE(ebreak) { EXC(RV_EXC_BREAKPOINT, PC()); }
	CASE(sret) {
		if (h->priv < RV_PRIV_S || (h->priv == RV_PRIV_S && (h->mstatus & MSTATUS_TSR)))
			goto illegal_insn;
		SYNC();
		rv_sret(h);
		goto check_irq;
	}
	CASE(mret) {
		if (h->priv < RV_PRIV_M)
			goto illegal_insn;
		SYNC();
		rv_mret(h);
		goto check_irq;
	}
	CASE(wfi) {
		if (h->priv == RV_PRIV_U || (h->priv == RV_PRIV_S && (h->mstatus & MSTATUS_TW)))
			goto illegal_insn;
		h->pc = PC() + LEN();
		if (rv_wakeup_pending(h))
			goto check_irq;
		SYNC();
		h->wfi = true;
		return RV_EXIT_WFI;
	}
	CASE(sfence_vma) {
		if (h->priv < RV_PRIV_S || (h->priv == RV_PRIV_S && (h->mstatus & MSTATUS_TVM)))
			goto illegal_insn;
		rv_tlb_flush(h);
		h->pc = PC() + LEN();
		goto fetch;
	}
#define CSR_OP(op, src, wen) { uint64_t old_, src_ = (src); bool wen_ = (wen); \
		h->instret += (uint64_t)(start - budget - 1); start = budget + 1; \
		uint64_t n_ = h->instret; \
		if (!rv_csr(h, i->imm, op, src_, wen_, &old_)) goto illegal_insn; \
		if (h->instret != n_) start = budget; /* a written minstret excludes this insn */ \
		RD = old_; \
		if (!wen_) NEXT(); \
		h->pc = PC() + LEN(); \
		goto check_irq; }
	CASE(csrrw)  CSR_OP(0, RS1, true)
	CASE(csrrs)  CSR_OP(1, RS1, i->rs1 != 0)
	CASE(csrrc)  CSR_OP(2, RS1, i->rs1 != 0)
	CASE(csrrwi) CSR_OP(0, i->rs1, true)
	CASE(csrrsi) CSR_OP(1, i->rs1, i->rs1 != 0)
	CASE(csrrci) CSR_OP(2, i->rs1, i->rs1 != 0)

	/* ---- M ---- */
	CASE(mul)    { RD = RS1 * RS2; NEXT(); }
	CASE(mulh)   { RD = mulh64((int64_t)RS1, (int64_t)RS2); NEXT(); }
	CASE(mulhsu) { RD = mulhsu64((int64_t)RS1, RS2); NEXT(); }
	CASE(mulhu)  { RD = mulhu64(RS1, RS2); NEXT(); }
	CASE(div) {
		int64_t a = (int64_t)RS1, b = (int64_t)RS2;
		RD = b == 0 ? UINT64_MAX : (a == INT64_MIN && b == -1) ? (uint64_t)a : (uint64_t)(a / b);
		NEXT();
	}
	CASE(divu)   { RD = RS2 == 0 ? UINT64_MAX : RS1 / RS2; NEXT(); }
	CASE(rem) {
		int64_t a = (int64_t)RS1, b = (int64_t)RS2;
		RD = b == 0 ? (uint64_t)a : (a == INT64_MIN && b == -1) ? 0 : (uint64_t)(a % b);
		NEXT();
	}
	CASE(remu)   { RD = RS2 == 0 ? RS1 : RS1 % RS2; NEXT(); }
	CASE(mulw)   { RD = SEXT32((uint32_t)RS1 * (uint32_t)RS2); NEXT(); }
	CASE(divw) {
		int32_t a = (int32_t)RS1, b = (int32_t)RS2;
		RD = b == 0 ? UINT64_MAX : (a == INT32_MIN && b == -1) ? SEXT32(a) : SEXT32(a / b);
		NEXT();
	}
	CASE(divuw) {
		uint32_t a = (uint32_t)RS1, b = (uint32_t)RS2;
		RD = b == 0 ? UINT64_MAX : SEXT32(a / b);
		NEXT();
	}
	CASE(remw) {
		int32_t a = (int32_t)RS1, b = (int32_t)RS2;
		RD = b == 0 ? SEXT32(a) : (a == INT32_MIN && b == -1) ? 0 : SEXT32(a % b);
		NEXT();
	}
	CASE(remuw) {
		uint32_t a = (uint32_t)RS1, b = (uint32_t)RS2;
		RD = b == 0 ? SEXT32(a) : SEXT32(a % b);
		NEXT();
	}

	/* ---- A ---- */
	CASE(lr_w) {
		uint32_t *p = AMO_PTR(4, RV_ACC_R);
		uint32_t v = __atomic_load_n(p, __ATOMIC_SEQ_CST);
		h->lr_addr = RS1; h->lr_val = v; h->lr_valid = true;
		RD = SEXT32(v);
		NEXT();
	}
	CASE(lr_d) {
		uint64_t *p = AMO_PTR(8, RV_ACC_R);
		uint64_t v = __atomic_load_n(p, __ATOMIC_SEQ_CST);
		h->lr_addr = RS1; h->lr_val = v; h->lr_valid = true;
		RD = v;
		NEXT();
	}
	CASE(sc_w) {
		uint32_t *p = AMO_PTR(4, RV_ACC_W);
		uint32_t expect = (uint32_t)h->lr_val;
		bool ok = h->lr_valid && h->lr_addr == RS1 &&
			  __atomic_compare_exchange_n(p, &expect, (uint32_t)RS2, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		h->lr_valid = false;
		RD = !ok;
		NEXT();
	}
	CASE(sc_d) {
		uint64_t *p = AMO_PTR(8, RV_ACC_W);
		uint64_t expect = h->lr_val;
		bool ok = h->lr_valid && h->lr_addr == RS1 &&
			  __atomic_compare_exchange_n(p, &expect, RS2, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		h->lr_valid = false;
		RD = !ok;
		NEXT();
	}
	CASE(amoswap_w) { AMO(4, uint32_t, S32, __atomic_exchange_n(p_, v_, __ATOMIC_SEQ_CST)); NEXT(); }
	CASE(amoadd_w)  { AMO(4, uint32_t, S32, __atomic_fetch_add(p_, v_, __ATOMIC_SEQ_CST)); NEXT(); }
	CASE(amoxor_w)  { AMO(4, uint32_t, S32, __atomic_fetch_xor(p_, v_, __ATOMIC_SEQ_CST)); NEXT(); }
	CASE(amoand_w)  { AMO(4, uint32_t, S32, __atomic_fetch_and(p_, v_, __ATOMIC_SEQ_CST)); NEXT(); }
	CASE(amoor_w)   { AMO(4, uint32_t, S32, __atomic_fetch_or(p_, v_, __ATOMIC_SEQ_CST)); NEXT(); }
	CASE(amomin_w)  { AMO_CAS(4, uint32_t, S32, PMINS32); NEXT(); }
	CASE(amomax_w)  { AMO_CAS(4, uint32_t, S32, PMAXS32); NEXT(); }
	CASE(amominu_w) { AMO_CAS(4, uint32_t, S32, PMIN); NEXT(); }
	CASE(amomaxu_w) { AMO_CAS(4, uint32_t, S32, PMAX); NEXT(); }
	CASE(amoswap_d) { AMO(8, uint64_t, ID, __atomic_exchange_n(p_, v_, __ATOMIC_SEQ_CST)); NEXT(); }
	CASE(amoadd_d)  { AMO(8, uint64_t, ID, __atomic_fetch_add(p_, v_, __ATOMIC_SEQ_CST)); NEXT(); }
	CASE(amoxor_d)  { AMO(8, uint64_t, ID, __atomic_fetch_xor(p_, v_, __ATOMIC_SEQ_CST)); NEXT(); }
	CASE(amoand_d)  { AMO(8, uint64_t, ID, __atomic_fetch_and(p_, v_, __ATOMIC_SEQ_CST)); NEXT(); }
	CASE(amoor_d)   { AMO(8, uint64_t, ID, __atomic_fetch_or(p_, v_, __ATOMIC_SEQ_CST)); NEXT(); }
	CASE(amomin_d)  { AMO_CAS(8, uint64_t, ID, PMINS64); NEXT(); }
	CASE(amomax_d)  { AMO_CAS(8, uint64_t, ID, PMAXS64); NEXT(); }
	CASE(amominu_d) { AMO_CAS(8, uint64_t, ID, PMIN); NEXT(); }
	CASE(amomaxu_d) { AMO_CAS(8, uint64_t, ID, PMAX); NEXT(); }

	/* ---- F ---- */
	CASE(flw)    { FPCHECK(); uint64_t v; LOAD(4, 32, U32, v); h->f[i->rd] = BOX(v); rv_fs_dirty(h); NEXT(); }
	CASE(fsw)    { FPCHECK(); STORE(4, 32, (uint32_t)h->f[i->rs2]); NEXT(); }
	CASE(fld)    { FPCHECK(); LOAD(8, 64, ID, h->f[i->rd]); rv_fs_dirty(h); NEXT(); }
	CASE(fsd)    { FPCHECK(); STORE(8, 64, h->f[i->rs2]); NEXT(); }
#define F_FMA(fn, pick, NP, NA) { FPCHECK(); int rm = RM(); uint32_t ff = FFLAGS(); \
		pick(fn(F(i->rs1), F(i->rs2), F(i->imm), NP, NA, rm, &ff)); FDONE(); }
#define F FS
	CASE(fmadd_s)  F_FMA(fpu_fma_s, SETFS, 0, 0)
	CASE(fmsub_s)  F_FMA(fpu_fma_s, SETFS, 0, 1)
	CASE(fnmsub_s) F_FMA(fpu_fma_s, SETFS, 1, 0)
	CASE(fnmadd_s) F_FMA(fpu_fma_s, SETFS, 1, 1)
#undef F
#define F FD
	CASE(fmadd_d)  F_FMA(fpu_fma_d, SETFD, 0, 0)
	CASE(fmsub_d)  F_FMA(fpu_fma_d, SETFD, 0, 1)
	CASE(fnmsub_d) F_FMA(fpu_fma_d, SETFD, 1, 0)
	CASE(fnmadd_d) F_FMA(fpu_fma_d, SETFD, 1, 1)
#undef F
	CASE(fadd_s)   F_RR(fpu_add_s, SETFS, FS, FS)
	CASE(fsub_s)   F_RR(fpu_sub_s, SETFS, FS, FS)
	CASE(fmul_s)   F_RR(fpu_mul_s, SETFS, FS, FS)
	CASE(fdiv_s)   F_RR(fpu_div_s, SETFS, FS, FS)
	CASE(fsqrt_s)  F_R1(fpu_sqrt_s, SETFS, FS)
	CASE(fsgnj_s)  { FPCHECK(); SETFS(fsgnj32(FS(i->rs1), FS(i->rs2), 0)); rv_fs_dirty(h); NEXT(); }
	CASE(fsgnjn_s) { FPCHECK(); SETFS(fsgnj32(FS(i->rs1), FS(i->rs2), 1)); rv_fs_dirty(h); NEXT(); }
	CASE(fsgnjx_s) { FPCHECK(); SETFS(fsgnj32(FS(i->rs1), FS(i->rs2), 2)); rv_fs_dirty(h); NEXT(); }
	CASE(fmin_s)   F_NR(fpu_min_s, SETFS, FS, FS)
	CASE(fmax_s)   F_NR(fpu_max_s, SETFS, FS, FS)
	CASE(fcvt_w_s)  F_R1(fpu_cvt_w_s, SETX, FS)
	CASE(fcvt_wu_s) F_R1(fpu_cvt_wu_s, SETX, FS)
	CASE(fcvt_l_s)  F_R1(fpu_cvt_l_s, SETX, FS)
	CASE(fcvt_lu_s) F_R1(fpu_cvt_lu_s, SETX, FS)
	CASE(fmv_x_w)  { FPCHECK(); RD = SEXT32(h->f[i->rs1]); NEXT(); }
	CASE(fclass_s) { FPCHECK(); RD = fpu_class_s(FS(i->rs1)); NEXT(); }
	CASE(feq_s)    F_NR(fpu_eq_s, SETX, FS, FS)
	CASE(flt_s)    F_NR(fpu_lt_s, SETX, FS, FS)
	CASE(fle_s)    F_NR(fpu_le_s, SETX, FS, FS)
	CASE(fcvt_s_w)  F_R1(fpu_cvt_s_w, SETFS, XW)
	CASE(fcvt_s_wu) F_R1(fpu_cvt_s_wu, SETFS, XWU)
	CASE(fcvt_s_l)  F_R1(fpu_cvt_s_l, SETFS, XL)
	CASE(fcvt_s_lu) F_R1(fpu_cvt_s_lu, SETFS, XLU)
	CASE(fmv_w_x)  { FPCHECK(); SETFS((uint32_t)RS1); rv_fs_dirty(h); NEXT(); }

	/* ---- D ---- */
	CASE(fadd_d)   F_RR(fpu_add_d, SETFD, FD, FD)
	CASE(fsub_d)   F_RR(fpu_sub_d, SETFD, FD, FD)
	CASE(fmul_d)   F_RR(fpu_mul_d, SETFD, FD, FD)
	CASE(fdiv_d)   F_RR(fpu_div_d, SETFD, FD, FD)
	CASE(fsqrt_d)  F_R1(fpu_sqrt_d, SETFD, FD)
	CASE(fsgnj_d)  { FPCHECK(); SETFD(fsgnj64(FD(i->rs1), FD(i->rs2), 0)); rv_fs_dirty(h); NEXT(); }
	CASE(fsgnjn_d) { FPCHECK(); SETFD(fsgnj64(FD(i->rs1), FD(i->rs2), 1)); rv_fs_dirty(h); NEXT(); }
	CASE(fsgnjx_d) { FPCHECK(); SETFD(fsgnj64(FD(i->rs1), FD(i->rs2), 2)); rv_fs_dirty(h); NEXT(); }
	CASE(fmin_d)   F_NR(fpu_min_d, SETFD, FD, FD)
	CASE(fmax_d)   F_NR(fpu_max_d, SETFD, FD, FD)
	CASE(fcvt_s_d) F_R1(fpu_cvt_s_d, SETFS, FD)
	CASE(fcvt_d_s) { FPCHECK(); (void)RM(); uint32_t ff = FFLAGS(); SETFD(fpu_cvt_d_s(FS(i->rs1), &ff)); FDONE(); }
	CASE(fcvt_w_d)  F_R1(fpu_cvt_w_d, SETX, FD)
	CASE(fcvt_wu_d) F_R1(fpu_cvt_wu_d, SETX, FD)
	CASE(fcvt_l_d)  F_R1(fpu_cvt_l_d, SETX, FD)
	CASE(fcvt_lu_d) F_R1(fpu_cvt_lu_d, SETX, FD)
	CASE(fmv_x_d)  { FPCHECK(); RD = h->f[i->rs1]; NEXT(); }
	CASE(fclass_d) { FPCHECK(); RD = fpu_class_d(FD(i->rs1)); NEXT(); }
	CASE(feq_d)    F_NR(fpu_eq_d, SETX, FD, FD)
	CASE(flt_d)    F_NR(fpu_lt_d, SETX, FD, FD)
	CASE(fle_d)    F_NR(fpu_le_d, SETX, FD, FD)
	CASE(fcvt_d_w)  F_R1(fpu_cvt_d_w, SETFD, XW)
	CASE(fcvt_d_wu) F_R1(fpu_cvt_d_wu, SETFD, XWU)
	CASE(fcvt_d_l)  F_R1(fpu_cvt_d_l, SETFD, XL)
	CASE(fcvt_d_lu) F_R1(fpu_cvt_d_lu, SETFD, XLU)
	CASE(fmv_d_x)  { FPCHECK(); SETFD(RS1); rv_fs_dirty(h); NEXT(); }

	/* ---- Zba ---- */
	CASE(add_uw)    { RD = RS2 + (uint32_t)RS1; NEXT(); }
	CASE(sh1add)    { RD = RS2 + (RS1 << 1); NEXT(); }
	CASE(sh2add)    { RD = RS2 + (RS1 << 2); NEXT(); }
	CASE(sh3add)    { RD = RS2 + (RS1 << 3); NEXT(); }
	CASE(sh1add_uw) { RD = RS2 + ((uint64_t)(uint32_t)RS1 << 1); NEXT(); }
	CASE(sh2add_uw) { RD = RS2 + ((uint64_t)(uint32_t)RS1 << 2); NEXT(); }
	CASE(sh3add_uw) { RD = RS2 + ((uint64_t)(uint32_t)RS1 << 3); NEXT(); }
	CASE(slli_uw)   { RD = (uint64_t)(uint32_t)RS1 << i->imm; NEXT(); }
	/* ---- Zbb ---- */
	CASE(andn)   { RD = RS1 & ~RS2; NEXT(); }
	CASE(orn)    { RD = RS1 | ~RS2; NEXT(); }
	CASE(xnor)   { RD = ~(RS1 ^ RS2); NEXT(); }
	CASE(clz)    { RD = RS1 ? (uint64_t)__builtin_clzll(RS1) : 64; NEXT(); }
	CASE(clzw)   { RD = (uint32_t)RS1 ? (uint64_t)__builtin_clz((uint32_t)RS1) : 32; NEXT(); }
	CASE(ctz)    { RD = RS1 ? (uint64_t)__builtin_ctzll(RS1) : 64; NEXT(); }
	CASE(ctzw)   { RD = (uint32_t)RS1 ? (uint64_t)__builtin_ctz((uint32_t)RS1) : 32; NEXT(); }
	CASE(cpop)   { RD = (uint64_t)__builtin_popcountll(RS1); NEXT(); }
	CASE(cpopw)  { RD = (uint64_t)__builtin_popcount((uint32_t)RS1); NEXT(); }
	CASE(max)    { RD = (int64_t)RS1 > (int64_t)RS2 ? RS1 : RS2; NEXT(); }
	CASE(maxu)   { RD = RS1 > RS2 ? RS1 : RS2; NEXT(); }
	CASE(min)    { RD = (int64_t)RS1 < (int64_t)RS2 ? RS1 : RS2; NEXT(); }
	CASE(minu)   { RD = RS1 < RS2 ? RS1 : RS2; NEXT(); }
	CASE(sext_b) { RD = S8(RS1); NEXT(); }
	CASE(sext_h) { RD = S16(RS1); NEXT(); }
	CASE(zext_h) { RD = U16(RS1); NEXT(); }
	CASE(rol)    { RD = rol64(RS1, (unsigned)RS2); NEXT(); }
	CASE(rolw)   { RD = SEXT32(rol32((uint32_t)RS1, (unsigned)RS2)); NEXT(); }
	CASE(ror)    { RD = ror64(RS1, (unsigned)RS2); NEXT(); }
	CASE(rori)   { RD = ror64(RS1, (unsigned)i->imm); NEXT(); }
	CASE(roriw)  { RD = SEXT32(ror32((uint32_t)RS1, (unsigned)i->imm)); NEXT(); }
	CASE(rorw)   { RD = SEXT32(ror32((uint32_t)RS1, (unsigned)RS2)); NEXT(); }
	CASE(orc_b)  { RD = orc_b(RS1); NEXT(); }
	CASE(rev8)   { RD = __builtin_bswap64(RS1); NEXT(); }
	/* ---- Zbs ---- */
	CASE(bclr)   { RD = RS1 & ~(1ull << (RS2 & 63)); NEXT(); }
	CASE(bclri)  { RD = RS1 & ~(1ull << i->imm); NEXT(); }
	CASE(bext)   { RD = (RS1 >> (RS2 & 63)) & 1; NEXT(); }
	CASE(bexti)  { RD = (RS1 >> i->imm) & 1; NEXT(); }
	CASE(binv)   { RD = RS1 ^ (1ull << (RS2 & 63)); NEXT(); }
	CASE(binvi)  { RD = RS1 ^ (1ull << i->imm); NEXT(); }
	CASE(bset)   { RD = RS1 | (1ull << (RS2 & 63)); NEXT(); }
	CASE(bseti)  { RD = RS1 | (1ull << i->imm); NEXT(); }
#if !THREADED
	}
	goto illegal_insn;
#endif
}
