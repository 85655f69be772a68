/* fpu.c - RISC-V F and D arithmetic, bit-exact with the unprivileged spec.
 * RNE/RTZ/RDN/RUP run on the host FPU (MXCSR on x86-64, fenv elsewhere) with
 * the flags read back per op; RMM rounds a round-to-odd wider result in C. */
#include "riscv/fpu.h"

#include <fenv.h>
#include <float.h>
#include <math.h>
#include <string.h>

#define S_SIGN  0x80000000u
#define S_INF   0x7f800000u
#define S_QUIET 0x00400000u
#define D_SIGN  0x8000000000000000ull
#define D_INF   0x7ff0000000000000ull
#define D_QUIET 0x0008000000000000ull
#define D_FRAC  0x000fffffffffffffull

#define unlikely(x) __builtin_expect(!!(x), 0)

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT, OP_FMA };

static inline float f32(uint32_t u) { float f; memcpy(&f, &u, sizeof f); return f; }
static inline double f64(uint64_t u) { double d; memcpy(&d, &u, sizeof d); return d; }
static inline uint32_t u32(float f) { uint32_t u; memcpy(&u, &f, sizeof u); return u; }
static inline uint64_t u64(double d) { uint64_t u; memcpy(&u, &d, sizeof u); return u; }

static inline int nan_s(uint32_t a) { return (a & ~S_SIGN) > S_INF; }
static inline int snan_s(uint32_t a) { return nan_s(a) && !(a & S_QUIET); }
static inline int nan_d(uint64_t a) { return (a & ~D_SIGN) > D_INF; }
static inline int snan_d(uint64_t a) { return nan_d(a) && !(a & D_QUIET); }
static inline uint32_t canon_s(uint32_t r) { return nan_s(r) ? RV_F32_CANON_NAN : r; }
static inline uint64_t canon_d(uint64_t r) { return nan_d(r) ? RV_F64_CANON_NAN : r; }

/* Fast path.  Once NX is in *ff (fflags accumulate), an op whose result lies
 * strictly between the smallest normal and the largest finite magnitude can
 * raise nothing new: NV/DZ give NaN/inf, OF gives inf or the largest finite,
 * UF a subnormal, zero or the smallest normal.  So its flags need no read. */
static inline int plain_s(uint32_t r) { return (r & ~S_SIGN) - 0x00800001u < 0x7f7fffffu - 0x00800001u; }
static inline int plain_d(uint64_t r)
{
	return (r & ~D_SIGN) - 0x0010000000000001ull < 0x7fefffffffffffffull - 0x0010000000000001ull;
}
#define FAST(ff, rm) ((*(ff) & RV_FF_NX) && (rm) != RV_RM_RMM)

static uint32_t fe_flags(int e)
{
	return (e & FE_INEXACT ? RV_FF_NX : 0) | (e & FE_UNDERFLOW ? RV_FF_UF : 0) |
	       (e & FE_OVERFLOW ? RV_FF_OF : 0) | (e & FE_DIVBYZERO ? RV_FF_DZ : 0) |
	       (e & FE_INVALID ? RV_FF_NV : 0);
}

/* ---- Host layer: one IEEE op in rm (RNE..RUP), flags ORed into *ff. ---- */

#if defined(__x86_64__)
/* Every exception masked, DAZ and FTZ off, flags clear; RC (bits 13-14) per
 * rm: RNE=00, RTZ=11, RDN=01, RUP=10.  SSE detects tininess after rounding,
 * as RISC-V does, so UF needs no fix-up. */
static const uint32_t mxcsr_of[4] = { 0x1f80, 0x7f80, 0x3f80, 0x5f80 };
/* Restored after each op.  C code runs with this default; reloading it is far
 * cheaper than saving the caller's (stmxcsr is the slow part). */
static const uint32_t mxcsr_host = 0x1f80;

/* MXCSR IE,DE,ZE,OE,UE,PE (bits 0-5) to NV,-,DZ,OF,UF,NX. */
static inline uint32_t mx_flags(uint32_t st)
{
	return ((st >> 5) & 1) | ((st >> 3) & 2) | ((st >> 1) & 4) | ((st << 1) & 8) | ((st << 4) & 16);
}

/* Mode switch, op, flag read and restore are one asm block, so the compiler
 * can neither fold the op nor move it out of the window.  Operands: %0
 * result, %1 flags out, %2 mode, %3 host MXCSR, %4 (and %5) sources. */
#define MX_WINDOW(op) "ldmxcsr %2\n\t" op "\n\tstmxcsr %1\n\tldmxcsr %3"
#define MX_BIN(name, T, insn)                                                           \
	static inline T name(T a, T b, int rm, uint32_t *ff)                            \
	{                                                                               \
		uint32_t st;                                                            \
		__asm__ volatile(MX_WINDOW(insn " %4, %0")                              \
				 : "+x"(a), "=m"(st)                                    \
				 : "m"(mxcsr_of[rm & 3]), "m"(mxcsr_host), "x"(b));     \
		*ff |= mx_flags(st);                                                    \
		return a;                                                               \
	}
MX_BIN(h_add_s, float, "addss")
MX_BIN(h_sub_s, float, "subss")
MX_BIN(h_mul_s, float, "mulss")
MX_BIN(h_div_s, float, "divss")
MX_BIN(h_add_d, double, "addsd")
MX_BIN(h_sub_d, double, "subsd")
MX_BIN(h_mul_d, double, "mulsd")
MX_BIN(h_div_d, double, "divsd")

#define MX_UN(name, R, T, insn)                                                         \
	static inline R name(T a, int rm, uint32_t *ff)                                 \
	{                                                                               \
		uint32_t st;                                                            \
		R r;                                                                    \
		__asm__ volatile(MX_WINDOW(insn " %4, %0")                              \
				 : "=x"(r), "=m"(st)                                    \
				 : "m"(mxcsr_of[rm & 3]), "m"(mxcsr_host), "x"(a));     \
		*ff |= mx_flags(st);                                                    \
		return r;                                                               \
	}
MX_UN(h_sqrt_s, float, float, "sqrtss")
MX_UN(h_sqrt_d, double, double, "sqrtsd")
MX_UN(h_cvt_s_d, float, double, "cvtsd2ss")

/* FMA3 when the CPU has it; otherwise libm's fma, which honours MXCSR's
 * rounding and flags (glibc's soft path included).  Barriers pin the call
 * inside the window. */
#define MX_FMA(name, T, insn, libm)                                                     \
	static inline T name(T a, T b, T c, int rm, uint32_t *ff)                       \
	{                                                                               \
		uint32_t st;                                                            \
		if (__builtin_cpu_supports("fma")) {                                    \
			__asm__ volatile(MX_WINDOW(insn " %5, %4, %0")                  \
					 : "+x"(c), "=m"(st)                            \
					 : "m"(mxcsr_of[rm & 3]), "m"(mxcsr_host), "x"(a), "x"(b)); \
		} else {                                                                \
			__asm__ volatile("ldmxcsr %0" : : "m"(mxcsr_of[rm & 3]));       \
			__asm__ volatile("" : "+x"(a), "+x"(b), "+x"(c));               \
			c = libm(a, b, c);                                              \
			__asm__ volatile("stmxcsr %0\n\tldmxcsr %2" : "=m"(st), "+x"(c) : "m"(mxcsr_host)); \
		}                                                                       \
		*ff |= mx_flags(st);                                                    \
		return c;                                                               \
	}
MX_FMA(h_fma_s, float, "vfmadd231ss", fmaf)
MX_FMA(h_fma_d, double, "vfmadd231sd", fma)

/* Quick ops for the fast path: the mode is set (ldmxcsr is cheap) but the
 * flags are not read back (stmxcsr is what costs).  Volatile asm statements
 * keep their order, so the op stays between these two. */
static inline void mx_mode(int rm)
{
	if (rm != RV_RM_RNE)
		__asm__ volatile("ldmxcsr %0" : : "m"(mxcsr_of[rm & 3]));
}

static inline void mx_host(int rm)
{
	if (rm != RV_RM_RNE)
		__asm__ volatile("ldmxcsr %0" : : "m"(mxcsr_host));
}

#define MX_QBIN(name, T, insn)                                                  \
	static inline T name(T a, T b, int rm)                                  \
	{                                                                       \
		mx_mode(rm);                                                    \
		__asm__ volatile(insn " %1, %0" : "+x"(a) : "x"(b));            \
		mx_host(rm);                                                    \
		return a;                                                       \
	}
MX_QBIN(q_add_s, float, "addss")
MX_QBIN(q_sub_s, float, "subss")
MX_QBIN(q_mul_s, float, "mulss")
MX_QBIN(q_div_s, float, "divss")
MX_QBIN(q_add_d, double, "addsd")
MX_QBIN(q_sub_d, double, "subsd")
MX_QBIN(q_mul_d, double, "mulsd")
MX_QBIN(q_div_d, double, "divsd")

#define MX_QUN(name, R, T, insn)                                                \
	static inline R name(T a, int rm)                                       \
	{                                                                       \
		R r;                                                            \
		mx_mode(rm);                                                    \
		__asm__ volatile(insn " %1, %0" : "=x"(r) : "x"(a));            \
		mx_host(rm);                                                    \
		return r;                                                       \
	}
MX_QUN(q_sqrt_s, float, float, "sqrtss")
MX_QUN(q_sqrt_d, double, double, "sqrtsd")
MX_QUN(q_cvt_s_d, float, double, "cvtsd2ss")

/* Without FMA3 the quick fma returns NaN, which sends it to the slow path. */
#define MX_QFMA(name, T, insn)                                                  \
	static inline T name(T a, T b, T c, int rm)                             \
	{                                                                       \
		if (!__builtin_cpu_supports("fma"))                             \
			return (T)NAN;                                          \
		mx_mode(rm);                                                    \
		__asm__ volatile(insn " %2, %1, %0" : "+x"(c) : "x"(a), "x"(b)); \
		mx_host(rm);                                                    \
		return c;                                                       \
	}
MX_QFMA(q_fma_s, float, "vfmadd231ss")
MX_QFMA(q_fma_d, double, "vfmadd231sd")

#else
/* Portable fallback: <fenv.h> around the op, volatile so that the op is
 * neither folded nor moved across the mode and flag calls.  Hosts that
 * detect tininess before rounding (Arm) may differ in UF at the normal
 * boundary; see docs/FPU.md. */
static const int fe_of[4] = { FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD };

#define FE_WINDOW(rm, ff, stmt)                                     \
	do {                                                        \
		fesetround(fe_of[(rm) & 3]);                        \
		feclearexcept(FE_ALL_EXCEPT);                       \
		stmt;                                               \
		*(ff) |= fe_flags(fetestexcept(FE_ALL_EXCEPT));     \
		fesetround(FE_TONEAREST);                           \
	} while (0)
#define FE_BIN(name, T, op)                                         \
	static inline T name(T a, T b, int rm, uint32_t *ff)        \
	{                                                           \
		volatile T x = a, y = b, r;                         \
		FE_WINDOW(rm, ff, r = x op y);                      \
		return r;                                           \
	}
FE_BIN(h_add_s, float, +)
FE_BIN(h_sub_s, float, -)
FE_BIN(h_mul_s, float, *)
FE_BIN(h_div_s, float, /)
FE_BIN(h_add_d, double, +)
FE_BIN(h_sub_d, double, -)
FE_BIN(h_mul_d, double, *)
FE_BIN(h_div_d, double, /)

#define FE_UN(name, R, T, expr)                                     \
	static inline R name(T a, int rm, uint32_t *ff)             \
	{                                                           \
		volatile T x = a;                                   \
		volatile R r;                                       \
		FE_WINDOW(rm, ff, r = expr);                        \
		return r;                                           \
	}
FE_UN(h_sqrt_s, float, float, sqrtf(x))
FE_UN(h_sqrt_d, double, double, sqrt(x))
FE_UN(h_cvt_s_d, float, double, (float)x)

#define FE_FMA(name, T, libm)                                         \
	static inline T name(T a, T b, T c, int rm, uint32_t *ff)     \
	{                                                             \
		volatile T x = a, y = b, z = c, r;                    \
		FE_WINDOW(rm, ff, r = libm(x, y, z));                 \
		return r;                                             \
	}
FE_FMA(h_fma_s, float, fmaf)
FE_FMA(h_fma_d, double, fma)

/* Quick ops: only RNE, the host's own mode; NaN sends others to the slow path. */
#define FE_Q(name, T, ARGS, expr) \
	static inline T name ARGS { return rm == RV_RM_RNE ? (T)(expr) : (T)NAN; }
FE_Q(q_add_s, float, (float a, float b, int rm), a + b)
FE_Q(q_sub_s, float, (float a, float b, int rm), a - b)
FE_Q(q_mul_s, float, (float a, float b, int rm), a * b)
FE_Q(q_div_s, float, (float a, float b, int rm), a / b)
FE_Q(q_add_d, double, (double a, double b, int rm), a + b)
FE_Q(q_sub_d, double, (double a, double b, int rm), a - b)
FE_Q(q_mul_d, double, (double a, double b, int rm), a * b)
FE_Q(q_div_d, double, (double a, double b, int rm), a / b)
FE_Q(q_sqrt_s, float, (float a, int rm), sqrtf(a))
FE_Q(q_sqrt_d, double, (double a, int rm), sqrt(a))
FE_Q(q_cvt_s_d, float, (double a, int rm), a)
FE_Q(q_fma_s, float, (float a, float b, float c, int rm), fmaf(a, b, c))
FE_Q(q_fma_d, double, (double a, double b, double c, int rm), fma(a, b, c))
#endif

/* ---- Software rounding: used for RMM and integer-to-float. ---- */

struct fmt { int w, p, emin, emax; };
static const struct fmt F32 = { 32, 24, -126, 127 };
static const struct fmt F64 = { 64, 53, -1022, 1023 };

/* sig >> sh, rounded per rm (sign picks the direction of RDN/RUP); *nx is
 * set when nonzero bits were dropped.  Any sh >= 1 is fine. */
static uint64_t rshift_round(uint64_t sig, int sh, int sign, int rm, int *nx)
{
	uint64_t q = 0, half = 1ull << 63;
	int cmp = -1; /* dropped bits vs. half an ulp */

	if (sh < 64) {
		uint64_t rest = sig & ((1ull << sh) - 1);
		q = sig >> sh;
		half = 1ull << (sh - 1);
		cmp = (rest > half) - (rest < half);
		*nx = rest != 0;
	} else {
		if (sh == 64)
			cmp = (sig > half) - (sig < half);
		*nx = sig != 0;
	}
	switch (rm) {
	case RV_RM_RNE: return q + (cmp > 0 || (cmp == 0 && (q & 1)));
	case RV_RM_RMM: return q + (cmp >= 0);
	case RV_RM_RDN: return q + (sign && *nx);
	case RV_RM_RUP: return q + (!sign && *nx);
	default: return q;
	}
}

static uint64_t overflow(struct fmt f, int sign, int rm, uint32_t *ff)
{
	uint64_t inf = (uint64_t)(f.emax - f.emin + 2) << (f.p - 1);
	int to_inf = rm == RV_RM_RNE || rm == RV_RM_RMM || (rm == RV_RM_RDN && sign) ||
		     (rm == RV_RM_RUP && !sign);

	*ff |= RV_FF_OF | RV_FF_NX;
	return to_inf ? inf : inf - 1;
}

/* Round (-1)^sign * sig * 2^(exp-63) (sig has bit 63 set, or is 0) to format
 * f; tininess is detected after rounding, as RISC-V specifies. */
static uint64_t round_pack(struct fmt f, int sign, int exp, uint64_t sig, int rm, uint32_t *ff)
{
	uint64_t s = (uint64_t)sign << (f.w - 1), r;
	int nx, tiny = 0;

	if (!sig)
		return s;
	if (exp < f.emin) {
		/* Tiny unless rounding to p bits, unbounded exponent, reaches 2^emin. */
		uint64_t u = rshift_round(sig, 64 - f.p, sign, rm, &nx);
		tiny = !(exp == f.emin - 1 && (u >> f.p));
		r = rshift_round(sig, 64 - f.p + f.emin - exp, sign, rm, &nx);
	} else {
		/* The hidden bit carries into the exponent field, as does rounding up. */
		r = rshift_round(sig, 64 - f.p, sign, rm, &nx) + ((uint64_t)(exp - f.emin) << (f.p - 1));
		if (r >= (uint64_t)(f.emax - f.emin + 2) << (f.p - 1))
			return s | overflow(f, sign, rm, ff);
	}
	if (nx)
		*ff |= RV_FF_NX | (tiny ? RV_FF_UF : 0);
	return s | r;
}

/* Finite nonzero double to sig (bit 63 set) and exponent. */
static void unpack_d(uint64_t u, int *exp, uint64_t *sig)
{
	int e = (int)((u >> 52) & 0x7ff);
	uint64_t m = u & D_FRAC;

	if (e) {
		*exp = e - 1023;
		*sig = (m | (1ull << 52)) << 11;
	} else {
		int lz = __builtin_clzll(m);
		*exp = -1011 - lz;
		*sig = m << lz;
	}
}

/* r was computed in RTZ in a format with >= p+2 bits and fl holds its flags:
 * ORing the inexact flag into the last bit makes it round-to-odd, and a
 * round-to-odd value rounds to p bits exactly as the exact result would. */
static uint32_t odd_to_s(double r, uint32_t fl, int rm, uint32_t *ff)
{
	uint64_t u = u64(r), sig;
	uint32_t s = (uint32_t)(u >> 32) & S_SIGN;
	int e;

	*ff |= fl & (RV_FF_NV | RV_FF_DZ);
	if (nan_d(u))
		return RV_F32_CANON_NAN;
	if ((u & ~D_SIGN) == D_INF)
		return s | S_INF;
	if (!(u << 1))
		return s;
	unpack_d(u, &e, &sig);
	return (uint32_t)round_pack(F32, (int)(u >> 63), e, sig | (fl & RV_FF_NX), rm, ff);
}

static uint64_t odd_to_d(long double r, uint32_t fl, uint32_t *ff)
{
	uint64_t s = signbit(r) ? D_SIGN : 0, sig;
	long double m;
	int e;

	*ff |= fl & (RV_FF_NV | RV_FF_DZ);
	if (isnan(r))
		return RV_F64_CANON_NAN;
	if (isinf(r))
		return s | D_INF;
	if (r == 0)
		return s;
	/* Scaling by powers of two is exact; a 113-bit long double also folds
	 * its low bits into the sticky bit. */
	m = ldexpl(frexpl(fabsl(r), &e), 64);
	sig = (uint64_t)m;
	sig |= (m != (long double)sig) | (fl & RV_FF_NX);
	return round_pack(F64, s != 0, e - 1, sig, RV_RM_RMM, ff);
}

/* RMM single: the op in double with RTZ (exact for mul, 53 >= 24+2 bits
 * otherwise; no double over/underflow is possible from single operands). */
static uint32_t rmm_s(int op, uint32_t a, uint32_t b, uint32_t c, uint32_t *ff)
{
	double x = f32(a), y = f32(b), z = f32(c), r;
	uint32_t fl = 0;

	if (nan_s(a) || nan_s(b) || nan_s(c)) {
		if (snan_s(a) || snan_s(b) || snan_s(c))
			*ff |= RV_FF_NV;
		return RV_F32_CANON_NAN;
	}
	switch (op) {
	case OP_ADD: r = h_add_d(x, y, RV_RM_RTZ, &fl); break;
	case OP_SUB: r = h_sub_d(x, y, RV_RM_RTZ, &fl); break;
	case OP_MUL: r = h_mul_d(x, y, RV_RM_RTZ, &fl); break;
	case OP_DIV: r = h_div_d(x, y, RV_RM_RTZ, &fl); break;
	case OP_SQRT: r = h_sqrt_d(x, RV_RM_RTZ, &fl); break;
	default: r = h_add_d(h_mul_d(x, y, RV_RM_RTZ, &fl), z, RV_RM_RTZ, &fl); break;
	}
	return odd_to_s(r, fl, RV_RM_RMM, ff);
}

#if LDBL_MANT_DIG >= 55 && LDBL_MAX_EXP > 2 * DBL_MAX_EXP
/* RMM double: the same with long double (x87's 64 bits, or binary128), whose
 * range holds every product and quotient of doubles. */
static uint64_t rmm_d(int op, uint64_t a, uint64_t b, uint64_t c, uint32_t *ff)
{
	volatile long double x = f64(a), y = f64(b), z = f64(c), r = 0;
	int old = fegetround();
	uint32_t fl;

	if (nan_d(a) || nan_d(b) || nan_d(c)) {
		if (snan_d(a) || snan_d(b) || snan_d(c))
			*ff |= RV_FF_NV;
		return RV_F64_CANON_NAN;
	}
	fesetround(FE_TOWARDZERO);
	feclearexcept(FE_ALL_EXCEPT);
	switch (op) {
	case OP_ADD: r = x + y; break;
	case OP_SUB: r = x - y; break;
	case OP_MUL: r = x * y; break;
	case OP_DIV: r = x / y; break;
	case OP_SQRT: r = sqrtl(x); break;
	default: r = fmal(x, y, z); break;
	}
	fl = fe_flags(fetestexcept(FE_ALL_EXCEPT));
	fesetround(old);
	return odd_to_d(r, fl, ff);
}
#else
#error "fpu.c: RMM for doubles needs a long double wider than double"
#endif

/* ---- Arithmetic ---- */

#define ARITH2(op, OP)                                                                   \
	uint32_t fpu_##op##_s(uint32_t a, uint32_t b, int rm, uint32_t *ff)              \
	{                                                                                \
		uint32_t r;                                                              \
		if (FAST(ff, rm) && plain_s(r = u32(q_##op##_s(f32(a), f32(b), rm))))   \
			return r;                                                        \
		if (unlikely(rm == RV_RM_RMM))                                           \
			return rmm_s(OP, a, b, 0, ff);                                   \
		return canon_s(u32(h_##op##_s(f32(a), f32(b), rm, ff)));                 \
	}                                                                                \
	uint64_t fpu_##op##_d(uint64_t a, uint64_t b, int rm, uint32_t *ff)              \
	{                                                                                \
		uint64_t r;                                                              \
		if (FAST(ff, rm) && plain_d(r = u64(q_##op##_d(f64(a), f64(b), rm))))   \
			return r;                                                        \
		if (unlikely(rm == RV_RM_RMM))                                           \
			return rmm_d(OP, a, b, 0, ff);                                   \
		return canon_d(u64(h_##op##_d(f64(a), f64(b), rm, ff)));                 \
	}
ARITH2(add, OP_ADD)
ARITH2(sub, OP_SUB)
ARITH2(mul, OP_MUL)
ARITH2(div, OP_DIV)

uint32_t fpu_sqrt_s(uint32_t a, int rm, uint32_t *ff)
{
	uint32_t r;

	if (FAST(ff, rm) && plain_s(r = u32(q_sqrt_s(f32(a), rm))))
		return r;
	if (unlikely(rm == RV_RM_RMM))
		return rmm_s(OP_SQRT, a, 0, 0, ff);
	return canon_s(u32(h_sqrt_s(f32(a), rm, ff)));
}

uint64_t fpu_sqrt_d(uint64_t a, int rm, uint32_t *ff)
{
	uint64_t r;

	if (FAST(ff, rm) && plain_d(r = u64(q_sqrt_d(f64(a), rm))))
		return r;
	if (unlikely(rm == RV_RM_RMM))
		return rmm_d(OP_SQRT, a, 0, 0, ff);
	return canon_d(u64(h_sqrt_d(f64(a), rm, ff)));
}

/* RISC-V raises NV for inf*0 even when the addend is a quiet NaN; x86 and
 * IEEE leave that open, so NaN operands never reach the host. */
static void fma_nan(int inf_a, int zero_a, int inf_b, int zero_b, int snan, uint32_t *ff)
{
	if (snan || (inf_a && zero_b) || (zero_a && inf_b))
		*ff |= RV_FF_NV;
}

uint32_t fpu_fma_s(uint32_t a, uint32_t b, uint32_t c, int neg_prod, int neg_add, int rm, uint32_t *ff)
{
	uint32_t r;

	a ^= neg_prod ? S_SIGN : 0;
	c ^= neg_add ? S_SIGN : 0;
	if (FAST(ff, rm) && plain_s(r = u32(q_fma_s(f32(a), f32(b), f32(c), rm))))
		return r;
	if (unlikely(nan_s(a) || nan_s(b) || nan_s(c))) {
		fma_nan((a << 1) == S_INF << 1, !(a << 1), (b << 1) == S_INF << 1, !(b << 1),
			snan_s(a) || snan_s(b) || snan_s(c), ff);
		return RV_F32_CANON_NAN;
	}
	if (unlikely(rm == RV_RM_RMM))
		return rmm_s(OP_FMA, a, b, c, ff);
	return canon_s(u32(h_fma_s(f32(a), f32(b), f32(c), rm, ff)));
}

uint64_t fpu_fma_d(uint64_t a, uint64_t b, uint64_t c, int neg_prod, int neg_add, int rm, uint32_t *ff)
{
	uint64_t r;

	a ^= neg_prod ? D_SIGN : 0;
	c ^= neg_add ? D_SIGN : 0;
	if (FAST(ff, rm) && plain_d(r = u64(q_fma_d(f64(a), f64(b), f64(c), rm))))
		return r;
	if (unlikely(nan_d(a) || nan_d(b) || nan_d(c))) {
		fma_nan((a << 1) == D_INF << 1, !(a << 1), (b << 1) == D_INF << 1, !(b << 1),
			snan_d(a) || snan_d(b) || snan_d(c), ff);
		return RV_F64_CANON_NAN;
	}
	if (unlikely(rm == RV_RM_RMM))
		return rmm_d(OP_FMA, a, b, c, ff);
	return canon_d(u64(h_fma_d(f64(a), f64(b), f64(c), rm, ff)));
}

/* ---- Min/max, compare, classify: pure bit logic. ---- */

/* Order key with -0 < +0: flip negatives wholly, set the sign of positives. */
static inline uint64_t key(uint64_t a, int w)
{
	uint64_t sign = 1ull << (w - 1);
	return a & sign ? ~a & (sign | (sign - 1)) : a | sign;
}

static uint64_t minmax(uint64_t a, uint64_t b, int w, int max, int na, int nb, int sn,
		       uint64_t canon, uint32_t *ff)
{
	if (sn)
		*ff |= RV_FF_NV;
	if (na && nb)
		return canon;
	if (na || nb)
		return na ? b : a;
	return (key(a, w) < key(b, w)) ^ max ? a : b;
}

uint32_t fpu_min_s(uint32_t a, uint32_t b, uint32_t *ff)
{
	return (uint32_t)minmax(a, b, 32, 0, nan_s(a), nan_s(b), snan_s(a) || snan_s(b), RV_F32_CANON_NAN, ff);
}

uint32_t fpu_max_s(uint32_t a, uint32_t b, uint32_t *ff)
{
	return (uint32_t)minmax(a, b, 32, 1, nan_s(a), nan_s(b), snan_s(a) || snan_s(b), RV_F32_CANON_NAN, ff);
}

uint64_t fpu_min_d(uint64_t a, uint64_t b, uint32_t *ff)
{
	return minmax(a, b, 64, 0, nan_d(a), nan_d(b), snan_d(a) || snan_d(b), RV_F64_CANON_NAN, ff);
}

uint64_t fpu_max_d(uint64_t a, uint64_t b, uint32_t *ff)
{
	return minmax(a, b, 64, 1, nan_d(a), nan_d(b), snan_d(a) || snan_d(b), RV_F64_CANON_NAN, ff);
}

/* cmp: 0 eq, 1 lt, 2 le.  Zeros compare equal whatever their signs. */
static int compare(uint64_t a, uint64_t b, int w, int cmp, int anynan, int sn, uint32_t *ff)
{
	uint64_t mag = (1ull << (w - 1)) - 1;
	int zeros = !(a & mag) && !(b & mag);

	if (anynan) {
		if (sn || cmp)
			*ff |= RV_FF_NV;
		return 0;
	}
	if (cmp == 0)
		return a == b || zeros;
	if (zeros)
		return cmp == 2;
	return cmp == 1 ? key(a, w) < key(b, w) : key(a, w) <= key(b, w);
}

#define CMP(name, T, w, nan, snan, c)                                                  \
	int fpu_##name(T a, T b, uint32_t *ff)                                         \
	{                                                                              \
		return compare(a, b, w, c, nan(a) || nan(b), snan(a) || snan(b), ff); \
	}
CMP(eq_s, uint32_t, 32, nan_s, snan_s, 0)
CMP(lt_s, uint32_t, 32, nan_s, snan_s, 1)
CMP(le_s, uint32_t, 32, nan_s, snan_s, 2)
CMP(eq_d, uint64_t, 64, nan_d, snan_d, 0)
CMP(lt_d, uint64_t, 64, nan_d, snan_d, 1)
CMP(le_d, uint64_t, 64, nan_d, snan_d, 2)

/* Bits: 0 -inf, 1 -normal, 2 -subnormal, 3 -0, then mirrored for +, 8 sNaN,
 * 9 qNaN. */
static uint32_t classify(int sign, int exp_max, int exp_zero, int frac_zero, int quiet)
{
	int k;

	if (exp_max)
		return frac_zero ? (sign ? 1u << 0 : 1u << 7) : (quiet ? 1u << 9 : 1u << 8);
	k = exp_zero ? (frac_zero ? 3 : 2) : 1;
	return 1u << (sign ? k : 7 - k);
}

uint32_t fpu_class_s(uint32_t a)
{
	uint32_t e = a & S_INF;
	return classify(a >> 31, e == S_INF, e == 0, !(a & 0x007fffffu), !!(a & S_QUIET));
}

uint32_t fpu_class_d(uint64_t a)
{
	uint64_t e = a & D_INF;
	return classify((int)(a >> 63), e == D_INF, e == 0, !(a & D_FRAC), !!(a & D_QUIET));
}

/* ---- Conversions ---- */

/* Float to integer, from the exact double: saturate to [-neg_max, pos_max]
 * with NV (NaN gives pos_max), else NX when inexact. */
static uint64_t to_int(uint64_t a, int rm, uint64_t pos_max, uint64_t neg_max, uint32_t *ff)
{
	int sign = (int)(a >> 63), e = (int)((a >> 52) & 0x7ff), nx = 0;
	int E = (e ? e : 1) - 1075; /* value = sig * 2^E */
	uint64_t sig = (a & D_FRAC) | (e ? 1ull << 52 : 0), m;

	if (nan_d(a)) {
		*ff |= RV_FF_NV;
		return pos_max;
	}
	if (E > 11) /* >= 2^64, or infinite */
		goto invalid;
	m = E >= 0 ? sig << E : rshift_round(sig, -E, sign, rm, &nx);
	if (m > (sign ? neg_max : pos_max))
		goto invalid;
	if (nx)
		*ff |= RV_FF_NX;
	return sign ? 0 - m : m;
invalid:
	*ff |= RV_FF_NV;
	return sign ? 0 - neg_max : pos_max;
}

static inline uint64_t widen_s(uint32_t a)
{
	/* NaNs only need to stay NaNs here. */
	return nan_s(a) ? RV_F64_CANON_NAN : u64((double)f32(a));
}

int64_t fpu_cvt_w_d(uint64_t a, int rm, uint32_t *ff)
{
	return (int64_t)to_int(a, rm, INT32_MAX, 1ull << 31, ff);
}

int64_t fpu_cvt_wu_d(uint64_t a, int rm, uint32_t *ff)
{
	return (int32_t)(uint32_t)to_int(a, rm, UINT32_MAX, 0, ff);
}

int64_t fpu_cvt_l_d(uint64_t a, int rm, uint32_t *ff)
{
	return (int64_t)to_int(a, rm, INT64_MAX, 1ull << 63, ff);
}

uint64_t fpu_cvt_lu_d(uint64_t a, int rm, uint32_t *ff)
{
	return to_int(a, rm, UINT64_MAX, 0, ff);
}

int64_t fpu_cvt_w_s(uint32_t a, int rm, uint32_t *ff) { return fpu_cvt_w_d(widen_s(a), rm, ff); }
int64_t fpu_cvt_wu_s(uint32_t a, int rm, uint32_t *ff) { return fpu_cvt_wu_d(widen_s(a), rm, ff); }
int64_t fpu_cvt_l_s(uint32_t a, int rm, uint32_t *ff) { return fpu_cvt_l_d(widen_s(a), rm, ff); }
uint64_t fpu_cvt_lu_s(uint32_t a, int rm, uint32_t *ff) { return fpu_cvt_lu_d(widen_s(a), rm, ff); }

/* Integer magnitude m to format f, in software: exact for every rm. */
static uint64_t from_int(struct fmt f, int neg, uint64_t m, int rm, uint32_t *ff)
{
	int lz;

	if (!m)
		return 0;
	lz = __builtin_clzll(m);
	return round_pack(f, neg, 63 - lz, m << lz, rm, ff);
}

uint32_t fpu_cvt_s_w(int32_t v, int rm, uint32_t *ff)
{
	return (uint32_t)from_int(F32, v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, rm, ff);
}

uint32_t fpu_cvt_s_wu(uint32_t v, int rm, uint32_t *ff) { return (uint32_t)from_int(F32, 0, v, rm, ff); }

uint32_t fpu_cvt_s_l(int64_t v, int rm, uint32_t *ff)
{
	return (uint32_t)from_int(F32, v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, rm, ff);
}

uint32_t fpu_cvt_s_lu(uint64_t v, int rm, uint32_t *ff) { return (uint32_t)from_int(F32, 0, v, rm, ff); }

uint64_t fpu_cvt_d_w(int32_t v, int rm, uint32_t *ff) { return u64((double)v); }
uint64_t fpu_cvt_d_wu(uint32_t v, int rm, uint32_t *ff) { return u64((double)v); }

uint64_t fpu_cvt_d_l(int64_t v, int rm, uint32_t *ff)
{
	return from_int(F64, v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, rm, ff);
}

uint64_t fpu_cvt_d_lu(uint64_t v, int rm, uint32_t *ff) { return from_int(F64, 0, v, rm, ff); }

uint32_t fpu_cvt_s_d(uint64_t a, int rm, uint32_t *ff)
{
	uint32_t r;

	if (FAST(ff, rm) && plain_s(r = u32(q_cvt_s_d(f64(a), rm))))
		return r;
	if (nan_d(a)) {
		if (snan_d(a))
			*ff |= RV_FF_NV;
		return RV_F32_CANON_NAN;
	}
	if (unlikely(rm == RV_RM_RMM))
		return odd_to_s(f64(a), 0, RV_RM_RMM, ff);
	return u32(h_cvt_s_d(f64(a), rm, ff));
}

uint64_t fpu_cvt_d_s(uint32_t a, uint32_t *ff)
{
	if (nan_s(a)) {
		if (snan_s(a))
			*ff |= RV_FF_NV;
		return RV_F64_CANON_NAN;
	}
	return u64((double)f32(a));
}
