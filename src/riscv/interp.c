/* interp.c - the hart's interpreter loop: pre-decoded slots, threaded dispatch.
 * The pc is never stored per instruction: it is derived from the slot pointer
 * (vbase + 2 * index), so straight-line code and in-page branches cost nothing. */
#include "riscv/internal.h"

#include "riscv/fpu.h"

#if defined(__GNUC__) && !defined(RV_SWITCH_DISPATCH)
#define THREADED 1
#define CASE__(n, s) L_##n##s:
#define DISPATCH()  do { if (unlikely(--budget < 0)) goto out_budget; goto *i->h; } while (0)
#else
#define THREADED 0
#define CASE__(n, s) case RV_OP_##n + OPB:
#define DISPATCH()  do { if (unlikely(--budget < 0)) goto out_budget; goto dispatch; } while (0)
#endif

#define CASE_(n, s) CASE__(n, s)
#define CASE(n)     CASE_(n, SFX)
#define PC()        (vbase + ((uint64_t)(i - base) << 1))
#define LEN()       ((uint64_t)LENC << 1)   /* bytes; LENC is fixed per handler copy */
#define NEXT()      do { i += LENC; DISPATCH(); } while (0)
#define RD          x[i->rd]
#define RS1         x[i->rs1]
#define RS2         x[i->rs2]
#define IMM         ((int64_t)i->imm)
/* An in-page jump still looks at the hart's requests: a loop through an
 * indirect jump must not run unstoppable within one page. */
#define JUMP(tgt)   do { uint64_t t_ = (tgt); \
		if (likely((t_ >> 12) == vpn) && !KICKED()) { i = base + ((t_ & 0xfff) >> 1); DISPATCH(); } \
		h->pc = t_; goto fetch; } while (0)
#define KICKED()    unlikely(__atomic_load_n(&h->kick, __ATOMIC_RELAXED))
/* Branches within a page (imm is a slot delta).  Backward ones close
 * loops, so they look at the hart's requests when taken. */
#define BR_L(cond)  { i += (cond) ? i->imm : RV_INSN_LEN(i); DISPATCH(); }
#define BR_LB(cond) { if (cond) { i += i->imm; if (KICKED()) { h->pc = PC(); goto kicked; } } \
		else { i += RV_INSN_LEN(i); } \
		DISPATCH(); }
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
	if (i->h == rv_handlers[RV_OP_illegal] || i->h == rv_handlers_c[RV_OP_illegal])
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
	static const void *const labels[2][RV_OP_COUNT] = { {
#define X(n) [RV_OP_##n] = &&L_##n##_w,
		RV_INTERNAL_OPS(X)
#undef X
#define RV(n, m, k, f) [RV_OP_##n] = &&L_##n##_w,
		RV_INSNS(RV)
#undef RV
	}, {
#define X(n) [RV_OP_##n] = &&L_##n##_c,
		RV_INTERNAL_OPS(X)
#undef X
#define RV(n, m, k, f) [RV_OP_##n] = &&L_##n##_c,
		RV_INSNS(RV)
#undef RV
	} };
	if (!h) {
		memcpy(rv_handlers, labels[0], sizeof labels[0]);
		memcpy(rv_handlers_c, labels[1], sizeof labels[1]);
		return 0;
	}
#else
	if (!h) {
		for (uintptr_t k = 0; k < RV_OP_COUNT; k++) {
			rv_handlers[k] = (const void *)k;
			rv_handlers_c[k] = (const void *)(k + RV_OP_COUNT);
		}
		return 0;
	}
#endif
	uint64_t *const x = h->x;
	rv_tlbe *rtlb, *wtlb;
	rv_insn *i = NULL, *base = NULL;
	rv_dpage *dp = NULL;
	uint64_t vbase = 0, vpn = 0;
	int64_t start = budget;
	bool whole = true;
	rv_exc e;

	{
		uint32_t ep = mem_code_epoch(h->bus->mem);
		if (ep != h->code_epoch) {
			h->code_epoch = ep;
			memset(h->tlb_w, 0xff, sizeof h->tlb_w);
		}
	}
	goto kicked;

check_irq: { /* h->pc is the next instruction */
		int irq = rv_irq_pending(h);
		if (irq >= 0)
			rv_take_trap(h, (uint64_t)irq, 0, true);
	}
fetch: { /* h->pc is the next instruction */
		if (KICKED())
			goto kicked;
		rtlb = h->rtlb;
		wtlb = h->wtlb;
		uint64_t pc = h->pc;
		rv_xtlbe *t = &h->xtlb[(pc >> 12) & (RV_TLB_SIZE - 1)];
		if (likely(t->tag == (pc & ~0xfffull))) {
			dp = t->dp;
			whole = true; /* only whole pages enter the fetch TLB */
		} else if (!(dp = rv_fetch_page(h, pc, &e, &whole))) {
fetch_fault:
			if (unlikely(e.cause == RV_EXC_RETRY)) {
				if (unlikely(--budget < 0)) {
					SYNC();
					return RV_EXIT_BUDGET;
				}
				start--;
				goto kicked;
			}
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
		if (unlikely(!whole))
			goto fetch_one;
		base = dp->slot;
		vbase = pc & ~0xfffull;
		vpn = pc >> 12;
		i = base + ((pc & 0xfff) >> 1);
		DISPATCH();
	}
fetch_one: { /* one instruction at h->pc, fetched (translation + PMP) parcel by
	      * parcel: it straddles pages, or PMP splits its page */
		uint64_t pc = h->pc;
		uint16_t lo, hi = 0;
		if (!rv_fetch16(h, pc, &lo, &e) || ((lo & 3) == 3 && !rv_fetch16(h, pc + 2, &hi, &e)))
			goto fetch_fault;
		rv_insn *s = h->scratch.slot;
		rv_decode(s, (uint32_t)hi << 16 | lo);
		s[1].h = s[2].h = rv_handlers[RV_OP_page_end];
		dp = &h->scratch;
		base = s;
		i = s;
		vbase = pc;
		vpn = ~0ull;
		DISPATCH();
	}

kicked: /* h->pc is the next instruction; look at what other threads asked */
	__atomic_store_n(&h->kick, 0, __ATOMIC_SEQ_CST);
	if (mem_mapper_pending(&h->mapper)) {
		/* A shootdown: nothing cached may outlive it.  Decoded pages
		 * go too (their frames may change identity). */
		rv_tlb_flush(h);
		rv_code_flush(h);
		mem_mapper_ack(&h->mapper);
	}
	if (__atomic_load_n(&h->stop_req, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&h->stop_req, 0, __ATOMIC_RELEASE);
		SYNC();
		return RV_EXIT_STOP;
	}
	goto check_irq;

exception: /* e is set; the instruction at i did not retire, but it used up
	 * budget: a guest trapping forever must still end its slice. */
	start--;
	h->pc = PC();
	SYNC();
	if (unlikely(e.cause == RV_EXC_RETRY))
		goto kicked; /* answer requests, then run the instruction again */
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
#define LENC 2
#define SFX _w
#define OPB 0
#include "riscv/interp_ops.inc"
#undef LENC
#undef SFX
#undef OPB
#define LENC 1
#define SFX _c
#define OPB RV_OP_COUNT
#include "riscv/interp_ops.inc"
#undef LENC
#undef SFX
#undef OPB

#if !THREADED
	}
	goto illegal_insn;
#endif
}
