/* t_fd.S - F and D extensions: arithmetic, fused multiply-add, sign injection, min/max
 * with NaN/-0, compares, conversions (saturation, rounding modes), fclass, loads/stores,
 * NaN boxing, fcsr/frm/fflags, mstatus.FS=Off making FP illegal and FS becoming Dirty. */
#include "test.h"
#define D1 0x3ff0000000000000
#define D2 0x4000000000000000
#define D3 0x4008000000000000
#define DH 0x3fe0000000000000
#define DNAN 0x7ff8000000000000
#define DINF 0x7ff0000000000000
#define DMAX 0x7fefffffffffffff
#define DMIN 0x0010000000000000
#define S1 0x3f800000
#define S2 0x40000000
#define S3 0x40400000
#define SNAN 0x7fc00000
#define BOX 0xffffffff00000000
#define NV 0x10
#define DZ 0x08
#define OF 0x04
#define UF 0x02
#define NX 0x01

/* one-operand FP op on a double/float bit pattern: a0 <- bits(op(v)) and then fflags check */
#define TEST_FP1_D(n, op, exp, flags, v) \
	TEST_CASE(n, a0, exp, li a1, v; fmv.d.x fa1, a1; fsflags x0; op fa0, fa1; fmv.x.d a0, fa0); \
	frflags a0; li t6, flags; bne a0, t6, fail
/* float/double -> integer register (compare or convert) */
#define TEST_FX_D(n, op, exp, flags, v1, v2) \
	TEST_CASE(n, a0, exp, li a1, v1; li a2, v2; fmv.d.x fa1, a1; fmv.d.x fa2, a2; fsflags x0; op a0, fa1, fa2); \
	frflags a0; li t6, flags; bne a0, t6, fail
#define TEST_CVT_XD(n, op, exp, flags, v, rm) \
	TEST_CASE(n, a0, exp, li a1, v; fmv.d.x fa1, a1; fsflags x0; op a0, fa1, rm); \
	frflags a0; li t6, flags; bne a0, t6, fail
#define TEST_CVT_DX(n, op, exp, v) \
	TEST_CASE(n, a0, exp, li a1, v; op fa0, a1; fmv.x.d a0, fa0)
#define TEST_FMA_D(n, op, exp, v1, v2, v3) \
	TEST_CASE(n, a0, exp, li a1, v1; li a2, v2; li a3, v3; fmv.d.x fa1, a1; fmv.d.x fa2, a2; \
		fmv.d.x fa3, a3; op fa0, fa1, fa2, fa3; fmv.x.d a0, fa0)

	.text
	.globl main
main:
	TEST_FP_D(1, fadd.d, D3, 0, D1, D2)
	TEST_FP_D(2, fsub.d, 0xbff0000000000000, 0, D1, D2)
	TEST_FP_D(3, fmul.d, 0x4018000000000000, 0, D2, D3)
	TEST_FP_D(4, fdiv.d, 0x3fd5555555555555, NX, D1, D3)
	TEST_FP_D(5, fdiv.d, DINF, DZ, D1, 0)
	TEST_FP_D(6, fadd.d, DINF, OF|NX, DMAX, DMAX)
	TEST_FP_D(7, fmul.d, 0x0008000000000000, UF|NX, DMIN, 0x3fe0000000000001) /* tiny, inexact */
	TEST_FP_D(8, fsub.d, DNAN, NV, DINF, DINF)			/* inf - inf */
	TEST_FP_D(9, fadd.d, DNAN, NV, 0x7ff0000000000001, D1)		/* sNaN in -> canonical NaN */
	TEST_FP_D(10, fadd.d, DNAN, 0, 0x7ff8000000000123, D1)		/* qNaN: no flag, canonical */
	TEST_FP1_D(11, fsqrt.d, D2, 0, 0x4010000000000000)
	TEST_FP1_D(12, fsqrt.d, DNAN, NV, 0xbff0000000000000)
	TEST_FP1_D(13, fsqrt.d, 0x8000000000000000, 0, 0x8000000000000000)	/* sqrt(-0) = -0 */
	TEST_FP_S(14, fadd.s, BOX|S3, 0, BOX|S1, BOX|S2)
	TEST_FP_S(15, fdiv.s, BOX|0x3eaaaaab, NX, BOX|S1, BOX|S3)
	TEST_FP_S(16, fmul.s, BOX|0x7f800000, OF|NX, BOX|0x7f7fffff, BOX|S2)
	TEST_CASE(17, a0, BOX|S2, li a1, BOX|0x40800000; fmv.d.x fa1, a1; fsqrt.s fa0, fa1; fmv.x.d a0, fa0)
	/* min/max: -0 < +0, NaN operands ignored, two NaNs -> canonical */
	TEST_FP_D(20, fmin.d, 0x8000000000000000, 0, 0, 0x8000000000000000)
	TEST_FP_D(21, fmax.d, 0, 0, 0x8000000000000000, 0)
	TEST_FP_D(22, fmin.d, D1, 0, DNAN, D1)
	TEST_FP_D(23, fmax.d, D1, NV, 0x7ff0000000000001, D1)		/* sNaN sets NV */
	TEST_FP_D(24, fmin.d, DNAN, 0, DNAN, 0x7ff8000000000001)
	TEST_FP_S(25, fmin.s, BOX|S1, 0, BOX|SNAN, BOX|S1)
	TEST_FP_S(26, fmax.s, BOX|SNAN, 0, BOX|SNAN, BOX|0x7fc00001)
	/* sign injection */
	TEST_FP_D(30, fsgnj.d, 0xbff0000000000000, 0, D1, 0x8000000000000000)
	TEST_FP_D(31, fsgnjn.d, 0xbff0000000000000, 0, D1, 0)
	TEST_FP_D(32, fsgnjx.d, D1, 0, 0xbff0000000000000, 0xbff0000000000000)
	TEST_FP_S(33, fsgnjn.s, BOX|0xbf800000, 0, BOX|S1, BOX|S1)
	TEST_FP_S(34, fsgnjx.s, BOX|0xbf800000, 0, BOX|S1, BOX|0x80000000)
	/* fused multiply-add: single rounding */
	TEST_FMA_D(40, fmadd.d, 0x401c000000000000, D2, D3, D1)		/*  2*3+1 = 7 */
	TEST_FMA_D(41, fmsub.d, 0x4014000000000000, D2, D3, D1)		/*  2*3-1 = 5 */
	TEST_FMA_D(42, fnmadd.d, 0xc01c000000000000, D2, D3, D1)	/* -(2*3)-1 */
	TEST_FMA_D(43, fnmsub.d, 0xc014000000000000, D2, D3, D1)	/* -(2*3)+1 */
	TEST_FMA_D(44, fmadd.d, 0x3cd0000000000000, 0x3ff0000008000000, 0x3ff0000008000000, 0xbff0000010000000) /* (1+2^-25)^2-(1+2^-24) = 2^-50 exactly */
	TEST_FMA_D(45, fmadd.d, DNAN, DINF, 0, D1)			/* inf*0 + c: NV */
	TEST_CASE(46, a0, BOX|0x40e00000, li a1, BOX|S2; li a2, BOX|S3; li a3, BOX|S1; fmv.d.x fa1, a1; \
		fmv.d.x fa2, a2; fmv.d.x fa3, a3; fmadd.s fa0, fa1, fa2, fa3; fmv.x.d a0, fa0)
	/* compares: feq quiet, flt/fle signalling on any NaN */
	TEST_FX_D(50, feq.d, 1, 0, D1, D1)
	TEST_FX_D(51, feq.d, 1, 0, 0, 0x8000000000000000)
	TEST_FX_D(52, feq.d, 0, 0, DNAN, DNAN)
	TEST_FX_D(53, feq.d, 0, NV, 0x7ff0000000000001, D1)
	TEST_FX_D(54, flt.d, 0, NV, DNAN, D1)
	TEST_FX_D(55, fle.d, 1, 0, 0x8000000000000000, 0)
	TEST_FX_D(56, flt.d, 1, 0, 0xbff0000000000000, D1)
	/* conversions to integer: rounding modes and saturation with NV */
	TEST_CVT_XD(60, fcvt.w.d, 2, NX, 0x4004000000000000, rne)	/* 2.5 -> 2 */
	TEST_CVT_XD(61, fcvt.w.d, 3, NX, 0x4004000000000000, rmm)
	TEST_CVT_XD(62, fcvt.w.d, 3, NX, 0x4004000000000000, rup)
	TEST_CVT_XD(63, fcvt.w.d, -3, NX, 0xc004000000000000, rdn)
	TEST_CVT_XD(64, fcvt.w.d, -2, NX, 0xc004000000000000, rtz)
	TEST_CVT_XD(65, fcvt.w.d, 0x7fffffff, NV, 0x41e0000000000000, rtz)	/* 2^31 */
	TEST_CVT_XD(66, fcvt.w.d, 0xffffffff80000000, NV, DINF|0x8000000000000000, rtz)
	TEST_CVT_XD(67, fcvt.w.d, 0x7fffffff, NV, DNAN, rtz)		/* NaN -> max */
	TEST_CVT_XD(68, fcvt.wu.d, 0, NV, 0xbff0000000000000, rtz)	/* -1 -> 0 */
	TEST_CVT_XD(69, fcvt.wu.d, 0, NX, 0xbfe0000000000000, rtz)	/* -0.5 -> 0, inexact only */
	TEST_CVT_XD(70, fcvt.wu.d, 0xffffffffffffffff, NV, DINF, rtz)	/* sign-extended 32-bit max */
	TEST_CVT_XD(71, fcvt.l.d, 0x8000000000000000, NV, 0xc3e0000000000001, rtz)
	TEST_CVT_XD(72, fcvt.lu.d, 0xffffffffffffffff, NV, DNAN, rtz)
	TEST_CVT_XD(73, fcvt.l.d, 0x20000000000000, 0, 0x4340000000000000, rtz)
	TEST_CVT_DX(74, fcvt.d.w, 0xc000000000000000, 0x00000000fffffffe)	/* low 32 bits, signed */
	TEST_CVT_DX(75, fcvt.d.wu, 0x41efffffffc00000, 0xfffffffffffffffe)
	TEST_CVT_DX(76, fcvt.d.l, 0xc3e0000000000000, 0x8000000000000000)
	TEST_CVT_DX(77, fcvt.d.lu, 0x43f0000000000000, 0xffffffffffffffff)
	TEST_CVT_DX(78, fcvt.s.l, BOX|0xbf800000, -1)
	TEST_CASE(79, a0, D1, li a1, BOX|S1; fmv.d.x fa1, a1; fcvt.d.s fa0, fa1; fmv.x.d a0, fa0)
	TEST_CASE(80, a0, BOX|0x3eaaaaab, li a1, 0x3fd5555555555555; fmv.d.x fa1, a1; fcvt.s.d fa0, fa1; fmv.x.d a0, fa0)
	TEST_CASE(81, a0, BOX|SNAN, li a1, 0x7ff0000000000001; fmv.d.x fa1, a1; fcvt.s.d fa0, fa1; fmv.x.d a0, fa0)
	TEST_CASE(82, a0, -1, li a1, BOX|0xbf800000; fmv.d.x fa1, a1; fcvt.l.s a0, fa1, rtz)
	/* moves: fmv.x.w sign-extends; fmv.w.x NaN-boxes */
	TEST_CASE(85, a0, 0xffffffff80000000, li a1, 0x80000000; fmv.w.x fa1, a1; fmv.x.w a0, fa1)
	TEST_CASE(86, a0, BOX|0x12345678, li a1, 0x12345678; fmv.w.x fa1, a1; fmv.x.d a0, fa1)
	/* fclass */
	TEST_CASE(90, a0, 1 << 0, li a1, DINF|0x8000000000000000; fmv.d.x fa1, a1; fclass.d a0, fa1)
	TEST_CASE(91, a0, 1 << 3, li a1, 0x8000000000000000; fmv.d.x fa1, a1; fclass.d a0, fa1)
	TEST_CASE(92, a0, 1 << 5, li a1, 1; fmv.d.x fa1, a1; fclass.d a0, fa1)			/* +subnormal */
	TEST_CASE(93, a0, 1 << 8, li a1, 0x7ff0000000000001; fmv.d.x fa1, a1; fclass.d a0, fa1)	/* sNaN */
	TEST_CASE(94, a0, 1 << 9, li a1, DNAN; fmv.d.x fa1, a1; fclass.d a0, fa1)
	TEST_CASE(95, a0, 1 << 6, li a1, BOX|S1; fmv.d.x fa1, a1; fclass.s a0, fa1)
	TEST_CASE(96, a0, 1 << 9, li a1, S1; fmv.d.x fa1, a1; fclass.s a0, fa1)	/* not boxed: NaN */
	/* NaN boxing: a single read of a non-boxed register is the canonical NaN */
	TEST_FP_S(100, fadd.s, BOX|SNAN, 0, 0x000000003f800000, BOX|S1)
	TEST_FP_S(101, fadd.s, BOX|SNAN, 0, 0xfffffffe3f800000, BOX|S1)
	TEST_CASE(102, a0, BOX|SNAN, li a1, S1; fmv.d.x fa1, a1; fsgnj.s fa0, fa1, fa1; fmv.x.d a0, fa0)
	TEST_CASE(103, a0, S1, la a2, fpmem; li a1, 0x123456783f800000; fmv.d.x fa1, a1; fsw fa1, 0(a2); lwu a0, 0(a2)) /* fsw: raw bits */
	TEST_CASE(104, a0, 0x3f800000, fmv.x.w a0, fa1)		/* fmv.x.w: raw low bits */
	/* loads and stores */
	TEST_CASE(105, a0, BOX|0xdeadbeef, la a2, fpmem; li a1, 0xdeadbeef; sw a1, 4(a2); flw fa0, 4(a2); fmv.x.d a0, fa0)
	TEST_CASE(106, a0, 0x0123456789abcdef, li a1, 0x0123456789abcdef; sd a1, 8(a2); fld fa0, 8(a2); fsd fa0, 16(a2); ld a0, 16(a2))
	/* fcsr, frm, fflags */
	TEST_CASE(110, a0, 0xff, li a1, 0xfff; csrw fcsr, a1; csrr a0, fcsr)
	TEST_CASE(111, a0, 7, csrr a0, frm)
	TEST_CASE(112, a0, 0x1f, csrr a0, fflags)
	TEST_CASE(113, a0, 0x1f, fsflagsi a0, 1)			/* swap returns old */
	TEST_CASE(114, a0, 0xe1, csrr a0, fcsr)
	TEST_CASE(115, a0, 1, fsrmi a0, 2; csrr a1, fcsr; li t6, 0x41; bne a1, t6, fail; frrm a0; addi a0, a0, -1)
	/* dynamic rounding from frm: RUP */
	TEST_CASE(116, a0, 3, li a1, 0x4004000000000000; fmv.d.x fa1, a1; fsrmi 3; fcvt.w.d a0, fa1)
	/* frm = 5/6/7 reserved: an instruction using the dynamic mode is illegal */
	fsrmi	5
	TEST_TRAP(117, CAUSE_ILLEGAL, fadd.d fa0, fa1, fa1)
	fsrmi	0
	TEST_CASE(118, a0, 0, fadd.d fa0, fa1, fa1, rne; li a0, 0)	/* static rm is fine */
	/* fmv / fsgnj don't touch fflags */
	TEST_CASE(119, a0, 0, csrwi fflags, 0; fmv.d.x fa1, zero; fsgnj.d fa0, fa1, fa1; fmin.d fa0, fa1, fa1; frflags a0)

	/* mstatus.FS: Off makes FP instructions and FP CSRs illegal; writes make FS Dirty */
	li	s1, MSTATUS_FS
	csrc	mstatus, s1
	TEST_TRAP(120, CAUSE_ILLEGAL, fadd.d fa0, fa1, fa1)
	TEST_TRAP(121, CAUSE_ILLEGAL, fmv.x.d a0, fa1)
	TEST_TRAP(122, CAUSE_ILLEGAL, csrr a0, fcsr)
	TEST_TRAP(123, CAUSE_ILLEGAL, fld fa0, 0(sp))
	TEST_TRAP(124, CAUSE_ILLEGAL, csrwi frm, 0)
	li	t0, MSTATUS_FS_CLEAN
	csrs	mstatus, t0
	TEST_CASE(125, a0, MSTATUS_FS_CLEAN, fmv.x.d a1, fa1; csrr a0, mstatus; and a0, a0, s1)	/* read: stays Clean */
	TEST_CASE(126, a0, 0, csrr a0, mstatus; srli a0, a0, 63)					/* SD = 0 */
	TEST_CASE(127, a0, MSTATUS_FS_DIRTY, fmv.d.x fa1, zero; csrr a0, mstatus; and a0, a0, s1)
	TEST_CASE(128, a0, 1, csrr a0, mstatus; srli a0, a0, 63)					/* SD = 1 */
	csrc	mstatus, s1
	csrs	mstatus, t0
	TEST_CASE(129, a0, MSTATUS_FS_DIRTY, csrwi fflags, 1; csrr a0, mstatus; and a0, a0, s1)	/* fcsr write too */
	csrc	mstatus, s1
	csrs	mstatus, t0
	TEST_CASE(130, a0, MSTATUS_FS_DIRTY, la a2, fpmem; fld fa0, 0(a2); csrr a0, mstatus; and a0, a0, s1)
	TEST_PASS

	.data
	.balign 8
fpmem:	.dword 0, 0, 0, 0
