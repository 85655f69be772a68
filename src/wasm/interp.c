/* interp.c - the threaded interpreter of compiled WebAssembly code.  One
 * function, dispatch through vmdispatch/vmcase/vmbreak (computed goto where
 * the compiler has it, a plain switch elsewhere).  Traps are return values. */
#include "wasm/interp.h"
#include "wasm/numeric.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#if defined(__GNUC__) && !defined(WA_NO_THREADED)
#define WA_THREADED 1
#define vmdispatch(x) goto *(x).lbl;
#define vmcase(l) L_##l:
#define vmbreak goto *pc->lbl
#else
#define WA_THREADED 0
#define vmdispatch(x) switch ((x).u)
#define vmcase(l) case l:
#define vmbreak break
#endif

#if defined(__GNUC__)
#define BARRIER(x) __asm__("" : "+r"(x))
#else
#define BARRIER(x) (void)(x)
#endif
#define TRAP(msg) do { trapmsg = (msg); goto trap; } while (0)
#define TRUNC(k, T, x) ({ if ((x) != (x)) TRAP(WA_TRAP_CONV); if (!wa_fits_##k(x)) TRAP(WA_TRAP_OVERFLOW); (T)(x); })

static inline wa_v128 rd_v128(const uint64_t *p) { wa_v128 v; memcpy(&v, p, 16); return v; }
static inline void wr_v128(uint64_t *p, wa_v128 v) { memcpy(p, &v, 16); }

#define T_i uint32_t
#define T_l uint64_t
#define T_f float
#define T_d double
#define T_v wa_v128
#define RD_i(s) ((uint32_t)fp[s])
#define RD_l(s) (fp[s])
#define RD_f(s) f32_from((uint32_t)fp[s])
#define RD_d(s) f64_from(fp[s])
#define RD_v(s) rd_v128(fp + (s))
#define WR_i(s, x) (fp[s] = (uint32_t)(x))
#define WR_l(s, x) (fp[s] = (uint64_t)(x))
#define WR_f(s, x) (fp[s] = f32_bits(x))
#define WR_d(s, x) (fp[s] = f64_bits(x))
#define WR_v(s, x) wr_v128(fp + (s), (x))

#define SZ_M0 1
#define SZ_M1 2
#define SZ_M2 4
#define SZ_M3 8
#define SZ_M4 16
#define SZ_ML0 1
#define SZ_ML1 2
#define SZ_ML2 4
#define SZ_ML3 8

/* Handler bodies per operand shape; layout {d, a} {b or imm, imm}. */
#define H_UN(ta, tr, e) { T_##ta a = RD_##ta(pc[1].p.b); uint32_t lane = pc[2].p.a; (void)lane; \
	WR_##tr(pc[1].p.a, (e)); pc += 3; vmbreak; }
#define H_BIN(ta, tb, tr, e) { T_##ta a = RD_##ta(pc[1].p.b); T_##tb b = RD_##tb(pc[2].p.a); \
	uint32_t lane = pc[2].p.b; (void)lane; WR_##tr(pc[1].p.a, (e)); pc += 3; vmbreak; }
#define H_TERN(e) { wa_v128 a = RD_v(pc[1].p.b), b = RD_v(pc[2].p.a), c = RD_v(pc[2].p.b); \
	WR_v(pc[1].p.a, (e)); pc += 3; vmbreak; }
#define EA(chk, size) uint64_t ea = (uint64_t)RD_i(pc[1].p.b) + pc[2].p.b; \
	if (chk && unlikely(ea + size > memsize)) { TRAP(WA_TRAP_OOB); } uint8_t *m = mem + ea;
#define H_LOAD(tr, size, chk, e) { EA(chk, size) WR_##tr(pc[1].p.a, (e)); pc += 3; vmbreak; }
#define H_STORE(tb, size, chk, e) { T_##tb b = RD_##tb(pc[2].p.a); EA(chk, size) e; pc += 3; vmbreak; }
#define H_LOADLANE(size, chk, e) { wa_v128 a = RD_v(pc[2].p.a); uint32_t lane = pc[3].p.a; \
	EA(chk, size) WR_v(pc[1].p.a, (e)); pc += 4; vmbreak; }
#define H_STORELANE(size, chk, e) { wa_v128 b = RD_v(pc[2].p.a); uint32_t lane = pc[3].p.a; \
	EA(chk, size) e; pc += 4; vmbreak; }

#define CASE_i_i(n, imm, e) vmcase(WA_OP_##n) H_UN(i, i, e)
#define LBL_i_i(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_l_i(n, imm, e) vmcase(WA_OP_##n) H_UN(l, i, e)
#define LBL_l_i(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_f_i(n, imm, e) vmcase(WA_OP_##n) H_UN(f, i, e)
#define LBL_f_i(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_d_i(n, imm, e) vmcase(WA_OP_##n) H_UN(d, i, e)
#define LBL_d_i(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_v_i(n, imm, e) vmcase(WA_OP_##n) H_UN(v, i, e)
#define LBL_v_i(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_l_l(n, imm, e) vmcase(WA_OP_##n) H_UN(l, l, e)
#define LBL_l_l(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_i_l(n, imm, e) vmcase(WA_OP_##n) H_UN(i, l, e)
#define LBL_i_l(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_f_l(n, imm, e) vmcase(WA_OP_##n) H_UN(f, l, e)
#define LBL_f_l(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_d_l(n, imm, e) vmcase(WA_OP_##n) H_UN(d, l, e)
#define LBL_d_l(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_v_l(n, imm, e) vmcase(WA_OP_##n) H_UN(v, l, e)
#define LBL_v_l(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_f_f(n, imm, e) vmcase(WA_OP_##n) H_UN(f, f, e)
#define LBL_f_f(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_i_f(n, imm, e) vmcase(WA_OP_##n) H_UN(i, f, e)
#define LBL_i_f(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_l_f(n, imm, e) vmcase(WA_OP_##n) H_UN(l, f, e)
#define LBL_l_f(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_d_f(n, imm, e) vmcase(WA_OP_##n) H_UN(d, f, e)
#define LBL_d_f(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_v_f(n, imm, e) vmcase(WA_OP_##n) H_UN(v, f, e)
#define LBL_v_f(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_d_d(n, imm, e) vmcase(WA_OP_##n) H_UN(d, d, e)
#define LBL_d_d(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_i_d(n, imm, e) vmcase(WA_OP_##n) H_UN(i, d, e)
#define LBL_i_d(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_l_d(n, imm, e) vmcase(WA_OP_##n) H_UN(l, d, e)
#define LBL_l_d(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_f_d(n, imm, e) vmcase(WA_OP_##n) H_UN(f, d, e)
#define LBL_f_d(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_v_d(n, imm, e) vmcase(WA_OP_##n) H_UN(v, d, e)
#define LBL_v_d(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_v_v(n, imm, e) vmcase(WA_OP_##n) H_UN(v, v, e)
#define LBL_v_v(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_i_v(n, imm, e) vmcase(WA_OP_##n) H_UN(i, v, e)
#define LBL_i_v(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_l_v(n, imm, e) vmcase(WA_OP_##n) H_UN(l, v, e)
#define LBL_l_v(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_f_v(n, imm, e) vmcase(WA_OP_##n) H_UN(f, v, e)
#define LBL_f_v(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_d_v(n, imm, e) vmcase(WA_OP_##n) H_UN(d, v, e)
#define LBL_d_v(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_ii_i(n, imm, e) vmcase(WA_OP_##n) H_BIN(i, i, i, e)
#define LBL_ii_i(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_ll_i(n, imm, e) vmcase(WA_OP_##n) H_BIN(l, l, i, e)
#define LBL_ll_i(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_ff_i(n, imm, e) vmcase(WA_OP_##n) H_BIN(f, f, i, e)
#define LBL_ff_i(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_dd_i(n, imm, e) vmcase(WA_OP_##n) H_BIN(d, d, i, e)
#define LBL_dd_i(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_ll_l(n, imm, e) vmcase(WA_OP_##n) H_BIN(l, l, l, e)
#define LBL_ll_l(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_ff_f(n, imm, e) vmcase(WA_OP_##n) H_BIN(f, f, f, e)
#define LBL_ff_f(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_dd_d(n, imm, e) vmcase(WA_OP_##n) H_BIN(d, d, d, e)
#define LBL_dd_d(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_vv_v(n, imm, e) vmcase(WA_OP_##n) H_BIN(v, v, v, e)
#define LBL_vv_v(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_vi_v(n, imm, e) vmcase(WA_OP_##n) H_BIN(v, i, v, e)
#define LBL_vi_v(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_vl_v(n, imm, e) vmcase(WA_OP_##n) H_BIN(v, l, v, e)
#define LBL_vl_v(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_vf_v(n, imm, e) vmcase(WA_OP_##n) H_BIN(v, f, v, e)
#define LBL_vf_v(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_vd_v(n, imm, e) vmcase(WA_OP_##n) H_BIN(v, d, v, e)
#define LBL_vd_v(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_vvv_v(n, imm, e) vmcase(WA_OP_##n) H_TERN(e)
#define LBL_vvv_v(n) [WA_OP_##n] = &&L_WA_OP_##n,
#define CASE_Li(n, imm, e) vmcase(WA_OP_##n) H_LOAD(i, SZ_##imm, 0, e) vmcase(WA_CHK_##n) H_LOAD(i, SZ_##imm, 1, e)
#define CASE_Si(n, imm, e) vmcase(WA_OP_##n) H_STORE(i, SZ_##imm, 0, e) vmcase(WA_CHK_##n) H_STORE(i, SZ_##imm, 1, e)
#define CASE_Ll(n, imm, e) vmcase(WA_OP_##n) H_LOAD(l, SZ_##imm, 0, e) vmcase(WA_CHK_##n) H_LOAD(l, SZ_##imm, 1, e)
#define CASE_Sl(n, imm, e) vmcase(WA_OP_##n) H_STORE(l, SZ_##imm, 0, e) vmcase(WA_CHK_##n) H_STORE(l, SZ_##imm, 1, e)
#define CASE_Lf(n, imm, e) vmcase(WA_OP_##n) H_LOAD(f, SZ_##imm, 0, e) vmcase(WA_CHK_##n) H_LOAD(f, SZ_##imm, 1, e)
#define CASE_Sf(n, imm, e) vmcase(WA_OP_##n) H_STORE(f, SZ_##imm, 0, e) vmcase(WA_CHK_##n) H_STORE(f, SZ_##imm, 1, e)
#define CASE_Ld(n, imm, e) vmcase(WA_OP_##n) H_LOAD(d, SZ_##imm, 0, e) vmcase(WA_CHK_##n) H_LOAD(d, SZ_##imm, 1, e)
#define CASE_Sd(n, imm, e) vmcase(WA_OP_##n) H_STORE(d, SZ_##imm, 0, e) vmcase(WA_CHK_##n) H_STORE(d, SZ_##imm, 1, e)
#define CASE_Lv(n, imm, e) vmcase(WA_OP_##n) H_LOAD(v, SZ_##imm, 0, e) vmcase(WA_CHK_##n) H_LOAD(v, SZ_##imm, 1, e)
#define CASE_Sv(n, imm, e) vmcase(WA_OP_##n) H_STORE(v, SZ_##imm, 0, e) vmcase(WA_CHK_##n) H_STORE(v, SZ_##imm, 1, e)
#define CASE_LLv(n, imm, e) vmcase(WA_OP_##n) H_LOADLANE(SZ_##imm, 0, e) vmcase(WA_CHK_##n) H_LOADLANE(SZ_##imm, 1, e)
#define CASE_SLv(n, imm, e) vmcase(WA_OP_##n) H_STORELANE(SZ_##imm, 0, e) vmcase(WA_CHK_##n) H_STORELANE(SZ_##imm, 1, e)
#define LBL_Li(n) [WA_OP_##n] = &&L_WA_OP_##n, [WA_CHK_##n] = &&L_WA_CHK_##n,
#define LBL_Ll(n) [WA_OP_##n] = &&L_WA_OP_##n, [WA_CHK_##n] = &&L_WA_CHK_##n,
#define LBL_Lf(n) [WA_OP_##n] = &&L_WA_OP_##n, [WA_CHK_##n] = &&L_WA_CHK_##n,
#define LBL_Ld(n) [WA_OP_##n] = &&L_WA_OP_##n, [WA_CHK_##n] = &&L_WA_CHK_##n,
#define LBL_Lv(n) [WA_OP_##n] = &&L_WA_OP_##n, [WA_CHK_##n] = &&L_WA_CHK_##n,
#define LBL_Si(n) [WA_OP_##n] = &&L_WA_OP_##n, [WA_CHK_##n] = &&L_WA_CHK_##n,
#define LBL_Sl(n) [WA_OP_##n] = &&L_WA_OP_##n, [WA_CHK_##n] = &&L_WA_CHK_##n,
#define LBL_Sf(n) [WA_OP_##n] = &&L_WA_OP_##n, [WA_CHK_##n] = &&L_WA_CHK_##n,
#define LBL_Sd(n) [WA_OP_##n] = &&L_WA_OP_##n, [WA_CHK_##n] = &&L_WA_CHK_##n,
#define LBL_Sv(n) [WA_OP_##n] = &&L_WA_OP_##n, [WA_CHK_##n] = &&L_WA_CHK_##n,
#define LBL_LLv(n) [WA_OP_##n] = &&L_WA_OP_##n, [WA_CHK_##n] = &&L_WA_CHK_##n,
#define LBL_SLv(n) [WA_OP_##n] = &&L_WA_OP_##n, [WA_CHK_##n] = &&L_WA_CHK_##n,
/* Compare-and-branch {b, a} {off}; with a constant b {-, a} {imm64} {off}. */
#define H_BRC(ta, tb, e, t) { T_##ta a = RD_##ta(pc[1].p.b); T_##tb b = RD_##tb(pc[1].p.a); (void)b; \
	pc = ((e) != 0) == (t) ? pc + 2 + pc[2].s : pc + 3; vmbreak; }
#define FUSED(n, ta, tb, e) vmcase(WA_BRT_##n) H_BRC(ta, tb, e, 1) vmcase(WA_BRF_##n) H_BRC(ta, tb, e, 0)
#define BR_i_i(n, e) FUSED(n, i, i, e)
#define BR_ii_i(n, e) FUSED(n, i, i, e)
#define BR_l_i(n, e) FUSED(n, l, l, e)
#define BR_ll_i(n, e) FUSED(n, l, l, e)
#define BR_ff_i(n, e) FUSED(n, f, f, e)
#define BR_dd_i(n, e) FUSED(n, d, d, e)
#define FUSE_BINI(shape, n, e) BR_##shape(n, e)
#define FUSE_UNI(shape, n, e) BR_##shape(n, e)
#define FUSE_BIN(shape, n, e)
#define FUSE_LD(shape, n, e)
#define FUSE_ST(shape, n, e)
#define FUSE_VMEM(shape, n, e)
#define FUSE_X(shape, n, e)
#define FLBL_BINI(n) [WA_BRT_##n] = &&L_WA_BRT_##n, [WA_BRF_##n] = &&L_WA_BRF_##n,
#define FLBL_UNI(n) FLBL_BINI(n)
#define FLBL_BIN(n)
#define FLBL_LD(n)
#define FLBL_ST(n)
#define FLBL_VMEM(n)
#define FLBL_X(n)

/* Constant second operand: {d, a} {imm64}, the immediate in the low bits. */
#define RK_i(c) ((uint32_t)(c).u)
#define RK_l(c) ((c).u)
#define RK_f(c) f32_from((uint32_t)(c).u)
#define RK_d(c) f64_from((c).u)
#define H_BINK(ta, tr, e) { T_##ta a = RD_##ta(pc[1].p.b); T_##ta b = RK_##ta(pc[2]); \
	WR_##tr(pc[1].p.a, (e)); pc += 3; vmbreak; }
#define H_BRCK(ta, e, t) { T_##ta a = RD_##ta(pc[1].p.b); T_##ta b = RK_##ta(pc[2]); \
	pc = ((e) != 0) == (t) ? pc + 3 + pc[3].s : pc + 4; vmbreak; }
#define KBR(n, ta, e) vmcase(WA_K_##n) H_BINK(ta, i, e) \
	vmcase(WA_BRTK_##n) H_BRCK(ta, e, 1) vmcase(WA_BRFK_##n) H_BRCK(ta, e, 0)
#define K_ii_i(n, e) KBR(n, i, e)
#define K_ll_i(n, e) KBR(n, l, e)
#define K_ff_i(n, e) KBR(n, f, e)
#define K_dd_i(n, e) KBR(n, d, e)
#define K_ll_l(n, e) vmcase(WA_K_##n) H_BINK(l, l, e)
#define K_ff_f(n, e) vmcase(WA_K_##n) H_BINK(f, f, e)
#define K_dd_d(n, e) vmcase(WA_K_##n) H_BINK(d, d, e)
#define KCASE_BINI(shape, n, e) K_##shape(n, e)
#define KCASE_BIN(shape, n, e) K_##shape(n, e)
#define KCASE_UNI(shape, n, e)
#define KCASE_LD(shape, n, e)
#define KCASE_ST(shape, n, e)
#define KCASE_VMEM(shape, n, e)
#define KCASE_X(shape, n, e)
#define KLBL_BINI(n) [WA_K_##n] = &&L_WA_K_##n, [WA_BRTK_##n] = &&L_WA_BRTK_##n, [WA_BRFK_##n] = &&L_WA_BRFK_##n,
#define KLBL_BIN(n) [WA_K_##n] = &&L_WA_K_##n,
#define KLBL_UNI(n)
#define KLBL_LD(n)
#define KLBL_ST(n)
#define KLBL_VMEM(n)
#define KLBL_X(n)
/* Loads and stores with the address add fused in: the wrapping i32.add of
 * slot a and x (a slot or a constant), then the offset; guard regions only. */
#define SCALED(v) (RD_i((v) & ((1u << WA_ADDR_SHIFT) - 1)) << ((v) >> WA_ADDR_SHIFT))
#define EA2(base, x) uint64_t ea = (uint64_t)(uint32_t)((base) + (x)) + pc[2].p.b; uint8_t *m = mem + ea;
#define H_LOAD2(tr, base, x, e) { EA2(base, x) WR_##tr(pc[1].p.a, (e)); pc += 3; vmbreak; }
#define H_STORE2(tb, base, x, e) { T_##tb b = RD_##tb(pc[2].p.a); EA2(base, x) e; pc += 3; vmbreak; }
#define AL(n, tr, e) \
	vmcase(WA_A_##n) H_LOAD2(tr, RD_i(pc[1].p.b), RD_i(pc[2].p.a), e) \
	vmcase(WA_AK_##n) H_LOAD2(tr, RD_i(pc[1].p.b), pc[2].p.a, e) \
	vmcase(WA_AS_##n) H_LOAD2(tr, RD_i(pc[1].p.b), SCALED(pc[2].p.a), e) \
	vmcase(WA_ASK_##n) H_LOAD2(tr, SCALED(pc[1].p.b), pc[2].p.a, e) \
	vmcase(WA_AA_##n) { uint8_t *m = mem + pc[2].u; WR_##tr(pc[1].p.a, (e)); pc += 3; vmbreak; }
#define AS(n, tb, e) \
	vmcase(WA_A_##n) H_STORE2(tb, RD_i(pc[1].p.b), RD_i(pc[1].p.a), e) \
	vmcase(WA_AK_##n) H_STORE2(tb, RD_i(pc[1].p.b), pc[1].p.a, e) \
	vmcase(WA_AS_##n) H_STORE2(tb, RD_i(pc[1].p.b), SCALED(pc[1].p.a), e) \
	vmcase(WA_ASK_##n) H_STORE2(tb, SCALED(pc[1].p.b), pc[1].p.a, e) \
	vmcase(WA_AA_##n) { T_##tb b = RD_##tb(pc[1].p.a); uint8_t *m = mem + pc[2].u; e; pc += 3; vmbreak; }
#define AX_Li(n, e) AL(n, i, e)
#define AX_Ll(n, e) AL(n, l, e)
#define AX_Lf(n, e) AL(n, f, e)
#define AX_Ld(n, e) AL(n, d, e)
#define AX_Si(n, e) AS(n, i, e)
#define AX_Sl(n, e) AS(n, l, e)
#define AX_Sf(n, e) AS(n, f, e)
#define AX_Sd(n, e) AS(n, d, e)
#define ACASE_LD(shape, n, e) AX_##shape(n, e)
#define ACASE_ST(shape, n, e) AX_##shape(n, e)
#define ACASE_VMEM(shape, n, e)
#define ACASE_BINI(shape, n, e)
#define ACASE_BIN(shape, n, e)
#define ACASE_UNI(shape, n, e)
#define ACASE_X(shape, n, e)
#define ALBL_LD(n) [WA_A_##n] = &&L_WA_A_##n, [WA_AK_##n] = &&L_WA_AK_##n, \
	[WA_AS_##n] = &&L_WA_AS_##n, [WA_ASK_##n] = &&L_WA_ASK_##n, [WA_AA_##n] = &&L_WA_AA_##n,
#define ALBL_ST(n) ALBL_LD(n)
#define ALBL_VMEM(n)
#define ALBL_BINI(n)
#define ALBL_BIN(n)
#define ALBL_UNI(n)
#define ALBL_X(n)
#define CASE_SP(n, imm, e)
#define LBL_SP(n)
/* Fused pairs {d, a} {b, c}: t = first(a, b), then second(t, c) or second(c, t). */
#define PAIR(name, ty, e1, e2) \
	vmcase(WA_PA_##name) { T_##ty t1_, r_; { T_##ty x = RD_##ty(pc[1].p.b), y = RD_##ty(pc[2].p.a); t1_ = (e1); } \
		{ T_##ty x = t1_, y = RD_##ty(pc[2].p.b); r_ = (e2); } WR_##ty(pc[1].p.a, r_); pc += 3; vmbreak; } \
	vmcase(WA_PB_##name) { T_##ty t1_, r_; { T_##ty x = RD_##ty(pc[1].p.b), y = RD_##ty(pc[2].p.a); t1_ = (e1); } \
		{ T_##ty x = RD_##ty(pc[2].p.b), y = t1_; r_ = (e2); } WR_##ty(pc[1].p.a, r_); pc += 3; vmbreak; }
#define IOP_LBL(n) [WA_I_##n] = &&L_WA_I_##n,

#if WA_THREADED
static const void *const *_Atomic g_labels;
#endif

/* Where a fault in a guarded memory jumps: set while wasm code runs. */
static __thread sigjmp_buf *trap_jmp;
/* The calling thread's trap_jmp, found afresh: after a call that may have
 * switched this stack to another host thread (a coroutine's yield), an
 * address of a thread-local computed before the call is the old thread's,
 * and compilers keep such addresses across calls.  A call through a
 * volatile pointer cannot be inlined or merged with an earlier one. */
static sigjmp_buf **trap_jmp_here(void)
{
	return &trap_jmp;
}
static sigjmp_buf **(*volatile trap_slot)(void) = trap_jmp_here;

/* The running instance's memory 0 (m0, NULL if none); its base and size
 * are reloaded after anything that may grow it: calls, memory.grow. */
#define INST_MEM() (m0 = inst && inst->mod->nmems ? inst->mems[0] : &no_mem)
#define LOAD_MEM() do { \
		mem = m0->base; \
		memsize = m0->size; \
	} while (0)

static const char *mem_init(wa_instance *inst, uint32_t seg, uint64_t *a);
/* Fuel ran out, or wa_thread_interrupt zeroed it. */
static inline const char *fuel_trap(wa_thread *t)
{
	return __atomic_load_n(&t->interrupted, __ATOMIC_RELAXED) ? WA_TRAP_INTERRUPT : WA_TRAP_FUEL;
}
/* Fuel ran out: the thread's refuel hook decides whether that is the end.
 * No wasm fault can be ours while the hook runs (it may leave this host
 * thread and come back on another one, whose trap_jmp this is not). */
static __attribute__((noinline, cold)) const char *out_of_fuel(wa_thread *t)
{
	if (!t->refuel)
		return fuel_trap(t);
	sigjmp_buf *jb = trap_jmp;
	trap_jmp = NULL;
	const char *r = t->refuel(t, t->refuel_ctx);
	*trap_slot() = jb;
	return r;
}
static const char *mem_fill_copy(wa_memory *mm, int copy, uint64_t *a);
static const char *table_op(wa_instance *inst, int op, uint32_t x, uint32_t y, uint64_t *a);

/* frames[d].func is the function running at depth d (a call stores the
 * callee in the next slot, the same value its own call frame will hold), so
 * the trace needs no bookkeeping on the fast path beyond one store. */
static void record_trace(wa_thread *t, uint32_t base_depth)
{
	t->ntrace = 0;
	for (uint32_t d = t->depth + 1; d-- > base_depth + 1 && t->ntrace < ARRAY_SIZE(t->trace);) {
		const wa_cell *pc = t->frames[d].pc;
		/* callers' pcs are return addresses: step back into the call */
		t->trace_pc[t->ntrace] = pc && d != t->depth ? pc - 1 : pc;
		t->trace[t->ntrace++] = t->frames[d].func;
	}
}

static int run(wa_thread *t, wa_func *f, uint64_t *sp, int init)
{
#if WA_THREADED
	static const void *const labels[WA_ALL_OPS] = {
#define X(name, pfx, code, text, imm, shape, expr) LBL_##shape(name)
		WA_OPCODES(X)
#undef X
#define X(name, pfx, code, text, imm, shape, expr) WA_BY_CLASS(FLBL_, shape)(name)
		WA_OPCODES(X)
#undef X
#define X(name, pfx, code, text, imm, shape, expr) WA_BY_CLASS(KLBL_, shape)(name)
		WA_OPCODES(X)
#undef X
#define X(name, pfx, code, text, imm, shape, expr) WA_BY_CLASS(ALBL_, shape)(name)
		WA_OPCODES(X)
#undef X
#define X(name, first, second, t, e1, e2) [WA_PA_##name] = &&L_WA_PA_##name, [WA_PB_##name] = &&L_WA_PB_##name,
		WA_PAIRS(X)
#undef X
		WA_IOPS(IOP_LBL)
	};
	if (init) {
		atomic_store_explicit(&g_labels, labels, memory_order_release);
		return 0;
	}
#endif
	static const wa_cell halt = { .u = 0 };
	const uint32_t base_depth = t->depth;
	const char *trapmsg = NULL;
	const wa_cell *pc = NULL;
	uint64_t *fp = sp;
	wa_func *cur = f, *callee;
	wa_instance *inst = f->inst;
	static wa_memory no_mem;
	wa_memory *m0;
	uint8_t *mem;
	uint64_t memsize;
	wa_code *code;
	(void)halt;
	(void)init;

	if (f->host) {
		trapmsg = f->host(t, f->env, sp);
		if (trapmsg)
			goto trap;
		return 0;
	}
	code = f->code;
	if (t->depth >= t->max_depth || sp + code->nslots > t->stack_end)
		TRAP(WA_TRAP_EXHAUSTED);
	memset(fp + code->param_slots, 0, (code->local_slots - code->param_slots) * sizeof *fp);
	t->depth++; /* frames[base_depth] stays the caller's (a host function's caller) */
	t->frames[t->depth].func = f;
	pc = code->cells;
	INST_MEM();
	LOAD_MEM();

	for (;;) {
		vmdispatch(*pc) {
#define X(name, pfx, code, text, imm, shape, expr) CASE_##shape(name, imm, expr)
		WA_OPCODES(X)
#undef X
#define X(name, pfx, code, text, imm, shape, expr) WA_BY_CLASS(FUSE_, shape)(shape, name, expr)
		WA_OPCODES(X)
#undef X
#define X(name, pfx, code, text, imm, shape, expr) WA_BY_CLASS(KCASE_, shape)(shape, name, expr)
		WA_OPCODES(X)
#undef X
#define X(name, pfx, code, text, imm, shape, expr) WA_BY_CLASS(ACASE_, shape)(shape, name, expr)
		WA_OPCODES(X)
#undef X
#define X(name, first, second, t, e1, e2) PAIR(name, t, e1, e2)
		WA_PAIRS(X)
#undef X
		vmcase(WA_I_HALT) {
			return 0;
		}
		vmcase(WA_I_UNREACHABLE) {
			TRAP(WA_TRAP_UNREACHABLE);
		}
		vmcase(WA_I_JMP) {
			pc = pc + 1 + pc[1].s;
			vmbreak;
		}
		vmcase(WA_I_MOV_JMP) {
			fp[pc[1].p.a] = fp[pc[1].p.b];
			pc = pc + 2 + pc[2].s;
			vmbreak;
		}
		vmcase(WA_I_BR_IF) {
			pc = RD_i(pc[1].p.a) ? pc + 2 + pc[2].s : pc + 3;
			vmbreak;
		}
		vmcase(WA_I_BR_UNLESS) {
			pc = RD_i(pc[1].p.a) ? pc + 3 : pc + 2 + pc[2].s;
			vmbreak;
		}
		vmcase(WA_I_BR_TABLE) {
			uint32_t i = RD_i(pc[1].p.a), n = pc[1].p.b;
			const wa_cell *e = pc + 2 + (i < n ? i : n);
			pc = e + e->s;
			vmbreak;
		}
		vmcase(WA_I_ADD_SHL) {
			WR_i(pc[1].p.a, RD_i(pc[1].p.b) + (RD_i(pc[2].p.a) << pc[2].p.b));
			pc += 3;
			vmbreak;
		}
		vmcase(WA_I_SHL_ADDK) {
			WR_i(pc[1].p.a, (RD_i(pc[1].p.b) << pc[2].p.b) + pc[2].p.a);
			pc += 3;
			vmbreak;
		}
		vmcase(WA_I_MOV) {
			fp[pc[1].p.a] = fp[pc[1].p.b];
			pc += 2;
			vmbreak;
		}
		vmcase(WA_I_MOV2) {
			memmove(fp + pc[1].p.a, fp + pc[1].p.b, 16);
			pc += 2;
			vmbreak;
		}
		vmcase(WA_I_CONST) {
			fp[pc[1].p.a] = pc[2].u;
			pc += 3;
			vmbreak;
		}
		vmcase(WA_I_CONST2) {
			fp[pc[1].p.a] = pc[2].u;
			fp[pc[1].p.a + 1] = pc[3].u;
			pc += 4;
			vmbreak;
		}
		vmcase(WA_I_GLOBAL_GET) {
			fp[pc[1].p.a] = inst->globals[pc[1].p.b]->v[0];
			pc += 2;
			vmbreak;
		}
		vmcase(WA_I_GLOBAL_GET2) {
			memcpy(fp + pc[1].p.a, inst->globals[pc[1].p.b]->v, 16);
			pc += 2;
			vmbreak;
		}
		vmcase(WA_I_GLOBAL_SET) {
			inst->globals[pc[1].p.b]->v[0] = fp[pc[1].p.a];
			pc += 2;
			vmbreak;
		}
		vmcase(WA_I_GLOBAL_SET2) {
			memcpy(inst->globals[pc[1].p.b]->v, fp + pc[1].p.a, 16);
			pc += 2;
			vmbreak;
		}
		vmcase(WA_I_CALL) {
			callee = inst->funcs[pc[1].p.b];
			sp = fp + pc[1].p.a;
			pc += 2;
			goto do_call;
		}
		vmcase(WA_I_CALL_INDIRECT) {
			wa_table *tb = inst->tables[pc[2].p.a];
			uint32_t i = RD_i(pc[2].p.b);
			if (i >= tb->size)
				TRAP(WA_TRAP_UNDEF_ELEM);
			callee = (wa_func *)(uintptr_t)tb->elems[i];
			if (!callee)
				TRAP(WA_TRAP_UNINIT);
			const wa_functype *want = &inst->mod->types[pc[1].p.b];
			if (callee->type != want && !wa_functype_eq(callee->type, want))
				TRAP(WA_TRAP_INDIRECT);
			sp = fp + pc[1].p.a;
			pc += 3;
			goto do_call;
		}
		vmcase(WA_I_RETURN1) {
			fp[0] = fp[pc[1].p.a];
			goto do_return;
		}
		vmcase(WA_I_RETURN) {
		do_return:;
			wa_frame *fr = &t->frames[--t->depth];
			if (t->depth == base_depth)
				return 0;
			pc = fr->pc;
			fp = fr->fp;
			cur = fr->func;
			if (cur->inst != inst) {
				inst = cur->inst;
				INST_MEM();
			}
			LOAD_MEM();
			vmbreak;
		}
		vmcase(WA_I_SELECT) {
			fp[pc[1].p.a] = RD_i(pc[2].p.b) ? fp[pc[1].p.b] : fp[pc[2].p.a];
			pc += 3;
			vmbreak;
		}
		vmcase(WA_I_SELECT2) {
			memmove(fp + pc[1].p.a, fp + (RD_i(pc[2].p.b) ? pc[1].p.b : pc[2].p.a), 16);
			pc += 3;
			vmbreak;
		}
		vmcase(WA_I_MEMORY_SIZE) {
			WR_i(pc[1].p.a, inst->mems[0]->pages);
			pc += 2;
			vmbreak;
		}
		vmcase(WA_I_MEMORY_GROW) {
			WR_i(pc[1].p.a, (uint32_t)wa_memory_grow(inst->mems[0], RD_i(pc[1].p.b)));
			LOAD_MEM();
			pc += 2;
			vmbreak;
		}
		vmcase(WA_I_MEMORY_FILL) {
			if ((trapmsg = mem_fill_copy(inst->mems[0], 0, fp + pc[1].p.a)))
				goto trap;
			pc += 2;
			vmbreak;
		}
		vmcase(WA_I_MEMORY_COPY) {
			if ((trapmsg = mem_fill_copy(inst->mems[0], 1, fp + pc[1].p.a)))
				goto trap;
			pc += 2;
			vmbreak;
		}
		vmcase(WA_I_MEMORY_INIT) {
			if ((trapmsg = mem_init(inst, pc[1].p.b, fp + pc[1].p.a)))
				goto trap;
			pc += 2;
			vmbreak;
		}
		vmcase(WA_I_DATA_DROP) {
			inst->data_lens[pc[1].p.a] = 0;
			pc += 2;
			vmbreak;
		}
		vmcase(WA_I_TABLE_GET) {
			wa_table *tb = inst->tables[pc[2].p.a];
			uint32_t i = RD_i(pc[1].p.b);
			if (i >= tb->size)
				TRAP(WA_TRAP_TABLE_OOB);
			fp[pc[1].p.a] = tb->elems[i];
			pc += 3;
			vmbreak;
		}
		vmcase(WA_I_TABLE_SET) {
			if ((trapmsg = table_op(inst, WA_I_TABLE_SET, pc[1].p.b, 0, fp + pc[1].p.a)))
				goto trap;
			pc += 2;
			vmbreak;
		}
		vmcase(WA_I_TABLE_SIZE) {
			WR_i(pc[1].p.a, inst->tables[pc[1].p.b]->size);
			pc += 2;
			vmbreak;
		}
		vmcase(WA_I_TABLE_GROW) {
			uint64_t *a = fp + pc[1].p.a;
			WR_i(pc[1].p.a, (uint32_t)wa_table_grow(inst->tables[pc[1].p.b], (uint32_t)a[1], a[0]));
			pc += 2;
			vmbreak;
		}
		vmcase(WA_I_TABLE_FILL) {
			if ((trapmsg = table_op(inst, WA_I_TABLE_FILL, pc[1].p.b, 0, fp + pc[1].p.a)))
				goto trap;
			pc += 2;
			vmbreak;
		}
		vmcase(WA_I_TABLE_COPY) {
			if ((trapmsg = table_op(inst, WA_I_TABLE_COPY, pc[1].p.b, pc[2].p.a, fp + pc[1].p.a)))
				goto trap;
			pc += 3;
			vmbreak;
		}
		vmcase(WA_I_TABLE_INIT) {
			if ((trapmsg = table_op(inst, WA_I_TABLE_INIT, pc[1].p.b, pc[2].p.a, fp + pc[1].p.a)))
				goto trap;
			pc += 3;
			vmbreak;
		}
		vmcase(WA_I_ELEM_DROP) {
			inst->elem_lens[pc[1].p.a] = 0;
			pc += 2;
			vmbreak;
		}
		vmcase(WA_I_REF_IS_NULL) {
			WR_i(pc[1].p.a, fp[pc[1].p.b] == 0);
			pc += 2;
			vmbreak;
		}
		vmcase(WA_I_REF_FUNC) {
			fp[pc[1].p.a] = (uintptr_t)inst->funcs[pc[1].p.b];
			pc += 2;
			vmbreak;
		}
		vmcase(WA_I_SHUFFLE) {
			WR_v(pc[1].p.a, vi8_shuffle(RD_v(pc[1].p.b), RD_v(pc[2].p.a), (const uint8_t *)&pc[3]));
			pc += 5;
			vmbreak;
		}
		vmcase(WA_I_FUEL) {
			if (t->fuel >= 0 && --t->fuel < 0 && (trapmsg = out_of_fuel(t)))
				goto trap;
			pc += 1;
			vmbreak;
		}
#if !WA_THREADED
		default:
			TRAP("illegal internal opcode");
#endif
		}
		continue;
	do_call:
		if (callee->host) {
			sigjmp_buf *jb = trap_jmp;
			/* a host function may call back in: its frames go above */
			t->host_top = sp + callee->type->param_slots + callee->type->result_slots;
			trap_jmp = NULL; /* a fault in host code is no wasm trap */
			trapmsg = callee->host(t, callee->env, sp);
			*trap_slot() = jb; /* WASI may have yielded the stack */
			if (trapmsg) {
				pc--; /* the trace points into the call */
				goto trap;
			}
			LOAD_MEM();
			continue;
		}
		code = callee->code;
		if (unlikely(t->depth >= t->max_depth || sp + code->nslots > t->stack_end)) {
			pc--;
			TRAP(WA_TRAP_EXHAUSTED);
		}
		if (t->fuel >= 0 && --t->fuel < 0 && (trapmsg = out_of_fuel(t))) {
			pc--;
			goto trap;
		}
		t->frames[t->depth++] = (wa_frame){ pc, fp, cur };
		t->frames[t->depth].func = callee;
		for (uint64_t *z = sp + code->param_slots; z < sp + code->local_slots; z++) {
			*z = 0;
			BARRIER(z); /* a few stores: keep the compiler from calling memset */
		}
		fp = sp;
		cur = callee;
		if (callee->inst != inst) {
			inst = callee->inst;
			INST_MEM();
			LOAD_MEM();
		}
		pc = code->cells;
	}
trap:
	t->trap = trapmsg;
	t->ntrace = 0;
	if (t->depth > base_depth) {
		t->frames[t->depth].pc = pc; /* the innermost frame's trap site */
		record_trace(t, base_depth);
	}
	t->depth = base_depth;
	return -1;
}

/* ---- out-of-line instruction bodies ---- */

static const char *mem_fill_copy(wa_memory *mm, int copy, uint64_t *a)
{
	uint64_t d = (uint32_t)a[0], s = (uint32_t)a[1], n = (uint32_t)a[2];
	if (d + n > mm->size || (copy && s + n > mm->size))
		return WA_TRAP_OOB;
	if (copy)
		memmove(mm->base + d, mm->base + s, n);
	else
		memset(mm->base + d, (int)(uint8_t)s, n);
	return NULL;
}

static const char *mem_init(wa_instance *inst, uint32_t seg, uint64_t *a)
{
	wa_memory *mm = inst->mems[0];
	uint64_t d = (uint32_t)a[0], s = (uint32_t)a[1], n = (uint32_t)a[2];
	if (s + n > inst->data_lens[seg] || d + n > mm->size)
		return WA_TRAP_OOB;
	memcpy(mm->base + d, inst->mod->datas[seg].bytes + s, n);
	return NULL;
}

static const char *table_op(wa_instance *inst, int op, uint32_t x, uint32_t y, uint64_t *a)
{
	wa_table *tb = inst->tables[x];
	uint64_t i = (uint32_t)a[0], v = a[1], n = (uint32_t)a[2];
	switch (op) {
	case WA_I_TABLE_SET:
		if (i >= tb->size)
			return WA_TRAP_TABLE_OOB;
		tb->elems[i] = v;
		return NULL;
	case WA_I_TABLE_FILL:
		if (i + n > tb->size)
			return WA_TRAP_TABLE_OOB;
		for (uint64_t k = 0; k < n; k++)
			tb->elems[i + k] = v;
		return NULL;
	case WA_I_TABLE_COPY: {
		wa_table *src = inst->tables[y];
		uint64_t s = (uint32_t)a[1];
		if (i + n > tb->size || s + n > src->size)
			return WA_TRAP_TABLE_OOB;
		memmove(tb->elems + i, src->elems + s, n * sizeof *tb->elems);
		return NULL;
	}
	default: { /* init from element segment y */
		uint64_t s = (uint32_t)a[1];
		if (s + n > inst->elem_lens[y] || i + n > tb->size)
			return WA_TRAP_TABLE_OOB;
		memcpy(tb->elems + i, inst->elem_vals[y] + s, n * sizeof *tb->elems);
		return NULL;
	}
	}
}

/* ---- guard regions: a fault inside a reserved memory is a trap ---- */

#define MAX_RESERVED 4096
static struct { _Atomic(uintptr_t) lo, hi; } reserved[MAX_RESERVED];

/* A slot is claimed with a compare-and-swap (stores on several threads may
 * create memories at once) and filled so that the handler never sees a
 * range larger than the real one: hi is set last and cleared first.  Fails
 * (-1) when every slot is taken: compiled code has no bounds checks, so an
 * unregistered reservation must not exist. */
int wa_guard_register(void *base, size_t len, bool on);
int wa_guard_register(void *base, size_t len, bool on)
{
	for (int i = 0; i < MAX_RESERVED; i++) {
		uintptr_t want = 0;
		if (on && atomic_compare_exchange_strong(&reserved[i].lo, &want, 1)) {
			reserved[i].lo = (uintptr_t)base;
			reserved[i].hi = (uintptr_t)base + len;
			return 0;
		}
		if (!on && reserved[i].lo == (uintptr_t)base) {
			reserved[i].hi = 0;
			reserved[i].lo = 0;
			return 0;
		}
	}
	return -1;
}

static struct sigaction old_segv, old_bus;

/* Faults outside a wasm memory go to whoever handled the signal before. */
static void on_segv(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	struct sigaction *old = sig == SIGBUS ? &old_bus : &old_segv;
	if (trap_jmp)
		for (int i = 0; i < MAX_RESERVED; i++) {
			uintptr_t lo = reserved[i].lo;
			if (lo && a >= lo && a < reserved[i].hi)
				siglongjmp(*trap_jmp, 1);
		}
	if (old->sa_flags & SA_SIGINFO) {
		old->sa_sigaction(sig, si, uc);
		return;
	}
	if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
		old->sa_handler(sig);
		return;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static bool guard_ok;

/* Once per process, whichever thread comes first (an embedder may create
 * stores on several threads). */
static void guard_init(void)
{
	struct sigaction sa;
	void *p = mmap(NULL, (size_t)8 << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return;
	munmap(p, (size_t)8 << 30);
	if (getenv("CAIRN_WASM_NO_GUARD"))
		return;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (!sigaction(SIGSEGV, &sa, &old_segv) && !sigaction(SIGBUS, &sa, &old_bus))
		guard_ok = true;
}

bool wa_guard_pages(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, guard_init);
	return guard_ok;
}

void wa_trap_trace(const wa_thread *t, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	for (uint32_t i = 0; i < t->ntrace && n + 1 < len; i++) {
		const wa_func *f = t->trace[i];
		const char *name = f && f->inst ? wa_func_name(f->inst->mod, f->idx) : NULL;
		int w = snprintf(buf + n, len - n, "%s%s%s(func %u)", i ? " <- " : "", name ? name : "",
				 name ? " " : "", f ? f->idx : 0);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

#if WA_THREADED
static void labels_init(void)
{
	(void)run(NULL, NULL, NULL, 1);
}
#endif

wa_cell wa_op_cell(int op)
{
#if WA_THREADED
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	const void *const *l = atomic_load_explicit(&g_labels, memory_order_acquire);
	if (unlikely(!l)) {
		pthread_once(&once, labels_init);
		l = atomic_load_explicit(&g_labels, memory_order_acquire);
	}
	return (wa_cell){ .lbl = l[op] };
#else
	return (wa_cell){ .u = (uint64_t)op };
#endif
}

int wa_exec(wa_thread *t, wa_func *f, uint64_t *sp)
{
	sigjmp_buf jb, *volatile prev = trap_jmp;
	volatile uint32_t depth = t->depth;
	int r;
	if (sigsetjmp(jb, 0)) {
		*trap_slot() = prev;
		if (t->depth > depth)
			t->frames[t->depth].pc = NULL; /* the faulting access: not known */
		record_trace(t, depth);
		t->depth = depth;
		t->trap = WA_TRAP_OOB;
		return -1;
	}
	trap_jmp = &jb;
	r = run(t, f, sp, 0);
	*trap_slot() = prev;
	return r;
}
