/* test_fpu.c - edge cases of riscv/fpu.c with exact bit patterns and flags:
 * signed zeros, subnormals, overflow per mode, tininess after rounding, NaNs,
 * min/max, compares, fclass, conversions, RMM ties, fma.  Prints failures. */
#include "riscv/fpu.h"

#include <inttypes.h>
#include <stdio.h>

enum { RNE = RV_RM_RNE, RTZ = RV_RM_RTZ, RDN = RV_RM_RDN, RUP = RV_RM_RUP, RMM = RV_RM_RMM };
enum { NX = RV_FF_NX, UF = RV_FF_UF, OF = RV_FF_OF, DZ = RV_FF_DZ, NV = RV_FF_NV };

/* Single-precision patterns. */
#define S_ONE   0x3f800000u
#define S_TWO   0x40000000u
#define S_THREE 0x40400000u
#define S_HALF  0x3f000000u
#define S_M1    0xbf800000u
#define S_PZ    0x00000000u
#define S_NZ    0x80000000u
#define S_PINF  0x7f800000u
#define S_NINF  0xff800000u
#define S_QNAN  0x7fc12345u /* quiet, with a payload that must not survive */
#define S_SNAN  0x7f800001u
#define S_MAX   0x7f7fffffu
#define S_MINN  0x00800000u
#define S_MINS  0x00000001u
#define S_CNAN  RV_F32_CANON_NAN

/* Double-precision patterns. */
#define D_ONE   0x3ff0000000000000ull
#define D_TWO   0x4000000000000000ull
#define D_HALF  0x3fe0000000000000ull
#define D_M1    0xbff0000000000000ull
#define D_PZ    0x0000000000000000ull
#define D_NZ    0x8000000000000000ull
#define D_PINF  0x7ff0000000000000ull
#define D_NINF  0xfff0000000000000ull
#define D_QNAN  0x7ff8000000001234ull
#define D_SNAN  0x7ff0000000000001ull
#define D_MAX   0x7fefffffffffffffull
#define D_MINN  0x0010000000000000ull
#define D_MINS  0x0000000000000001ull
#define D_CNAN  RV_F64_CANON_NAN

static int passed, failed;

static void check(int line, const char *call, uint64_t got, uint32_t gotf, uint64_t want, uint32_t wantf)
{
	if (got == want && gotf == wantf) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL line %d: %s = %#" PRIx64 " flags %#x, want %#" PRIx64 " flags %#x\n", line, call, got,
	       gotf, want, wantf);
}

/* call uses &ff; results are compared as 64-bit patterns (ints sign-extended). */
#define CHECK(call, want, wantf)                                                 \
	do {                                                                     \
		uint32_t ff = 0;                                                 \
		uint64_t got_ = (uint64_t)(call);                                \
		check(__LINE__, #call, got_, ff, (uint64_t)(want), (wantf));     \
	} while (0)

/* The same with NX already accumulated, which enables the fast path. */
#define CHECK_ACC(call, want, wantf)                                             \
	do {                                                                     \
		uint32_t ff = NX;                                                \
		uint64_t got_ = (uint64_t)(call);                                \
		check(__LINE__, #call, got_, ff, (uint64_t)(want), (wantf) | NX); \
	} while (0)

static void test_add(void)
{
	CHECK(fpu_add_s(S_ONE, S_ONE, RNE, &ff), S_TWO, 0);
	CHECK(fpu_add_s(S_PZ, S_NZ, RNE, &ff), S_PZ, 0);
	CHECK(fpu_add_s(S_PZ, S_NZ, RDN, &ff), S_NZ, 0);
	CHECK(fpu_add_s(S_NZ, S_NZ, RNE, &ff), S_NZ, 0);
	CHECK(fpu_add_s(S_ONE, S_M1, RNE, &ff), S_PZ, 0);
	CHECK(fpu_add_s(S_ONE, S_M1, RDN, &ff), S_NZ, 0);
	CHECK(fpu_add_s(S_ONE, S_M1, RMM, &ff), S_PZ, 0);
	CHECK(fpu_sub_s(S_ONE, S_ONE, RUP, &ff), S_PZ, 0);
	CHECK(fpu_sub_s(S_ONE, S_ONE, RDN, &ff), S_NZ, 0);
	/* Overflow: each mode's choice between inf and the largest finite. */
	CHECK(fpu_add_s(S_MAX, S_MAX, RNE, &ff), S_PINF, OF | NX);
	CHECK(fpu_add_s(S_MAX, S_MAX, RTZ, &ff), S_MAX, OF | NX);
	CHECK(fpu_add_s(S_MAX, S_MAX, RDN, &ff), S_MAX, OF | NX);
	CHECK(fpu_add_s(S_MAX, S_MAX, RUP, &ff), S_PINF, OF | NX);
	CHECK(fpu_add_s(S_MAX, S_MAX, RMM, &ff), S_PINF, OF | NX);
	CHECK(fpu_add_s(S_MAX | S_NZ, S_MAX | S_NZ, RDN, &ff), S_NINF, OF | NX);
	CHECK(fpu_add_s(S_MAX | S_NZ, S_MAX | S_NZ, RUP, &ff), S_MAX | S_NZ, OF | NX);
	CHECK(fpu_add_s(S_MAX | S_NZ, S_MAX | S_NZ, RMM, &ff), S_NINF, OF | NX);
	CHECK(fpu_add_d(D_MAX, D_MAX, RTZ, &ff), D_MAX, OF | NX);
	CHECK(fpu_add_d(D_MAX, D_MAX, RMM, &ff), D_PINF, OF | NX);
	CHECK(fpu_add_d(D_MAX | D_NZ, D_MAX | D_NZ, RUP, &ff), D_MAX | D_NZ, OF | NX);
	/* Ties: 1 + 2^-24 is halfway between 1 and 1 + 2^-23. */
	CHECK(fpu_add_s(S_ONE, 0x33800000, RNE, &ff), S_ONE, NX);
	CHECK(fpu_add_s(S_ONE, 0x33800000, RMM, &ff), 0x3f800001, NX);
	CHECK(fpu_add_s(S_ONE, 0x33800000, RUP, &ff), 0x3f800001, NX);
	CHECK(fpu_add_s(S_ONE, 0x33800000, RTZ, &ff), S_ONE, NX);
	CHECK(fpu_add_s(S_M1, 0xb3800000, RMM, &ff), 0xbf800001, NX);
	CHECK(fpu_add_s(S_M1, 0xb3800000, RDN, &ff), 0xbf800001, NX);
	CHECK(fpu_add_s(S_M1, 0xb3800000, RUP, &ff), S_M1, NX);
	CHECK(fpu_add_s(0x3f800001, 0x33800000, RNE, &ff), 0x3f800002, NX);
	CHECK(fpu_add_d(D_ONE, 0x3ca0000000000000, RNE, &ff), D_ONE, NX);
	CHECK(fpu_add_d(D_ONE, 0x3ca0000000000000, RMM, &ff), 0x3ff0000000000001, NX);
	CHECK(fpu_sub_d(D_M1, 0x3ca0000000000000, RMM, &ff), 0xbff0000000000001, NX);
	/* Subnormal sums are exact: no UF without NX. */
	CHECK(fpu_add_s(S_MINS, S_MINS, RNE, &ff), 0x00000002, 0);
	CHECK(fpu_add_s(0x007fffff, S_MINS, RMM, &ff), S_MINN, 0);
	CHECK(fpu_sub_d(D_MINN, D_MINS, RNE, &ff), 0x000fffffffffffff, 0);
	/* NaNs: canonical result, NV only for signaling or invalid. */
	CHECK(fpu_add_s(S_PINF, S_NINF, RNE, &ff), S_CNAN, NV);
	CHECK(fpu_sub_s(S_PINF, S_PINF, RMM, &ff), S_CNAN, NV);
	CHECK(fpu_add_s(S_QNAN, S_ONE, RNE, &ff), S_CNAN, 0);
	CHECK(fpu_add_s(S_ONE, S_SNAN, RNE, &ff), S_CNAN, NV);
	CHECK(fpu_add_s(S_SNAN, S_QNAN, RMM, &ff), S_CNAN, NV);
	CHECK(fpu_add_d(D_QNAN, D_ONE, RNE, &ff), D_CNAN, 0);
	CHECK(fpu_add_d(D_SNAN, D_ONE, RMM, &ff), D_CNAN, NV);
	CHECK(fpu_add_d(D_PINF, D_NINF, RUP, &ff), D_CNAN, NV);
	CHECK(fpu_add_d(D_PINF, D_MAX, RNE, &ff), D_PINF, 0);
}

static void test_mul(void)
{
	CHECK(fpu_mul_s(S_NZ, S_THREE, RNE, &ff), S_NZ, 0);
	CHECK(fpu_mul_s(S_PZ, S_PINF, RNE, &ff), S_CNAN, NV);
	CHECK(fpu_mul_d(D_NINF, D_NZ, RMM, &ff), D_CNAN, NV);
	CHECK(fpu_mul_s(S_MAX, S_TWO, RTZ, &ff), S_MAX, OF | NX);
	CHECK(fpu_mul_d(D_MAX, D_TWO, RUP, &ff), D_PINF, OF | NX);
	/* Exact subnormal result: no flags. */
	CHECK(fpu_mul_s(S_MINN, S_HALF, RNE, &ff), 0x00400000, 0);
	CHECK(fpu_mul_d(D_MINN, D_HALF, RMM, &ff), 0x0008000000000000, 0);
	/* Half the smallest subnormal: a tie between 0 and it. */
	CHECK(fpu_mul_s(S_MINS, S_HALF, RNE, &ff), S_PZ, UF | NX);
	CHECK(fpu_mul_s(S_MINS, S_HALF, RMM, &ff), S_MINS, UF | NX);
	CHECK(fpu_mul_s(S_MINS, S_HALF, RUP, &ff), S_MINS, UF | NX);
	CHECK(fpu_mul_s(S_MINS, S_HALF, RTZ, &ff), S_PZ, UF | NX);
	CHECK(fpu_mul_s(S_MINS | S_NZ, S_HALF, RNE, &ff), S_NZ, UF | NX);
	CHECK(fpu_mul_s(S_MINS | S_NZ, S_HALF, RDN, &ff), 0x80000001, UF | NX);
	CHECK(fpu_mul_s(S_MINS | S_NZ, S_HALF, RMM, &ff), 0x80000001, UF | NX);
	CHECK(fpu_mul_d(D_MINS, D_HALF, RNE, &ff), D_PZ, UF | NX);
	CHECK(fpu_mul_d(D_MINS, D_HALF, RMM, &ff), D_MINS, UF | NX);
	/* 3 * 2^-150: tie between 1 and 2 ulps, both ways pick 2. */
	CHECK(fpu_mul_s(0x00000003, S_HALF, RNE, &ff), 0x00000002, UF | NX);
	CHECK(fpu_mul_s(0x00000003, S_HALF, RMM, &ff), 0x00000002, UF | NX);
	/* Tininess after rounding: (2^25-1)*2^-151 = 2^-126 - 2^-151 is tiny
	 * before rounding but rounds to 2^-126 at 24 bits in RNE/RUP/RMM. */
	CHECK(fpu_mul_s(0x20918e00, 0x1f612000, RNE, &ff), S_MINN, NX);
	CHECK(fpu_mul_s(0x20918e00, 0x1f612000, RUP, &ff), S_MINN, NX);
	CHECK(fpu_mul_s(0x20918e00, 0x1f612000, RMM, &ff), S_MINN, NX);
	CHECK(fpu_mul_s(0x20918e00, 0x1f612000, RTZ, &ff), 0x007fffff, UF | NX);
	CHECK(fpu_mul_s(0x20918e00, 0x1f612000, RDN, &ff), 0x007fffff, UF | NX);
	CHECK(fpu_mul_s(0x20918e00 | S_NZ, 0x1f612000, RDN, &ff), S_MINN | S_NZ, NX);
	/* The same in double: (2^27-1)(2^27+1) * 2^-1076. */
	CHECK(fpu_mul_d(0x1ffffffffc000000, 0x2000000002000000, RNE, &ff), D_MINN, NX);
	CHECK(fpu_mul_d(0x1ffffffffc000000, 0x2000000002000000, RMM, &ff), D_MINN, NX);
	CHECK(fpu_mul_d(0x1ffffffffc000000, 0x2000000002000000, RTZ, &ff), 0x000fffffffffffff, UF | NX);
	CHECK(fpu_mul_d(0x1ffffffffc000000, 0x2000000002000000, RDN, &ff), 0x000fffffffffffff, UF | NX);
	CHECK(fpu_mul_s(S_QNAN, S_PZ, RNE, &ff), S_CNAN, 0);
	CHECK(fpu_mul_d(D_SNAN, D_PZ, RNE, &ff), D_CNAN, NV);
}

static void test_div_sqrt(void)
{
	CHECK(fpu_div_s(S_ONE, S_PZ, RNE, &ff), S_PINF, DZ);
	CHECK(fpu_div_s(S_M1, S_PZ, RNE, &ff), S_NINF, DZ);
	CHECK(fpu_div_s(S_ONE, S_NZ, RMM, &ff), S_NINF, DZ);
	CHECK(fpu_div_s(S_PZ, S_PZ, RNE, &ff), S_CNAN, NV);
	CHECK(fpu_div_s(S_PINF, S_NINF, RNE, &ff), S_CNAN, NV);
	CHECK(fpu_div_s(S_PINF, S_PZ, RNE, &ff), S_PINF, 0);
	CHECK(fpu_div_s(S_ONE, S_PINF, RNE, &ff), S_PZ, 0);
	CHECK(fpu_div_d(D_ONE, D_PZ, RTZ, &ff), D_PINF, DZ);
	CHECK(fpu_div_d(D_PZ, D_NZ, RMM, &ff), D_CNAN, NV);
	/* 1/3 in every mode. */
	CHECK(fpu_div_s(S_ONE, S_THREE, RNE, &ff), 0x3eaaaaab, NX);
	CHECK(fpu_div_s(S_ONE, S_THREE, RTZ, &ff), 0x3eaaaaaa, NX);
	CHECK(fpu_div_s(S_ONE, S_THREE, RDN, &ff), 0x3eaaaaaa, NX);
	CHECK(fpu_div_s(S_ONE, S_THREE, RUP, &ff), 0x3eaaaaab, NX);
	CHECK(fpu_div_s(S_ONE, S_THREE, RMM, &ff), 0x3eaaaaab, NX);
	CHECK(fpu_div_s(S_M1, S_THREE, RDN, &ff), 0xbeaaaaab, NX);
	CHECK(fpu_div_d(D_ONE, 0x4008000000000000, RNE, &ff), 0x3fd5555555555555, NX);
	CHECK(fpu_div_d(D_ONE, 0x4008000000000000, RUP, &ff), 0x3fd5555555555556, NX);
	/* 5 * 2^-150: a subnormal tie, RNE picks 2, RMM 3. */
	CHECK(fpu_div_s(0x00000005, S_TWO, RNE, &ff), 0x00000002, UF | NX);
	CHECK(fpu_div_s(0x00000005, S_TWO, RMM, &ff), 0x00000003, UF | NX);
	CHECK(fpu_div_d(0x0000000000000005, D_TWO, RNE, &ff), 0x0000000000000002, UF | NX);
	CHECK(fpu_div_d(0x0000000000000005, D_TWO, RMM, &ff), 0x0000000000000003, UF | NX);
	CHECK(fpu_div_d(0x8000000000000005, D_TWO, RMM, &ff), 0x8000000000000003, UF | NX);
	/* sqrt */
	CHECK(fpu_sqrt_s(S_NZ, RNE, &ff), S_NZ, 0);
	CHECK(fpu_sqrt_s(S_NZ, RMM, &ff), S_NZ, 0);
	CHECK(fpu_sqrt_s(S_M1, RNE, &ff), S_CNAN, NV);
	CHECK(fpu_sqrt_s(S_NINF, RMM, &ff), S_CNAN, NV);
	CHECK(fpu_sqrt_s(S_PINF, RNE, &ff), S_PINF, 0);
	CHECK(fpu_sqrt_s(0x40800000, RNE, &ff), S_TWO, 0);
	CHECK(fpu_sqrt_s(S_TWO, RNE, &ff), 0x3fb504f3, NX);
	CHECK(fpu_sqrt_s(S_TWO, RUP, &ff), 0x3fb504f4, NX);
	CHECK(fpu_sqrt_s(S_TWO, RMM, &ff), 0x3fb504f3, NX);
	CHECK(fpu_sqrt_s(S_QNAN, RNE, &ff), S_CNAN, 0);
	CHECK(fpu_sqrt_s(S_SNAN, RNE, &ff), S_CNAN, NV);
	CHECK(fpu_sqrt_d(D_NZ, RNE, &ff), D_NZ, 0);
	CHECK(fpu_sqrt_d(0x8000000000000001, RNE, &ff), D_CNAN, NV);
	CHECK(fpu_sqrt_d(D_M1, RMM, &ff), D_CNAN, NV);
	CHECK(fpu_sqrt_d(D_TWO, RNE, &ff), 0x3ff6a09e667f3bcd, NX);
	CHECK(fpu_sqrt_d(D_TWO, RTZ, &ff), 0x3ff6a09e667f3bcc, NX);
	CHECK(fpu_sqrt_d(D_MINS, RNE, &ff), 0x1e60000000000000, 0);
	CHECK(fpu_sqrt_d(D_SNAN, RMM, &ff), D_CNAN, NV);
}

static void test_fma(void)
{
	CHECK(fpu_fma_s(S_TWO, S_THREE, S_ONE, 0, 0, RNE, &ff), 0x40e00000, 0); /* 7 */
	CHECK(fpu_fma_s(S_TWO, S_THREE, S_ONE, 0, 1, RNE, &ff), 0x40a00000, 0); /* fmsub 5 */
	CHECK(fpu_fma_s(S_TWO, S_THREE, S_ONE, 1, 0, RNE, &ff), 0xc0a00000, 0); /* fnmsub -5 */
	CHECK(fpu_fma_s(S_TWO, S_THREE, S_ONE, 1, 1, RNE, &ff), 0xc0e00000, 0); /* fnmadd -7 */
	CHECK(fpu_fma_d(D_TWO, D_TWO, D_ONE, 1, 1, RMM, &ff), 0xc014000000000000, 0);
	/* Exact zeros: +0 unless both addends are -0, or the mode is RDN. */
	CHECK(fpu_fma_s(S_ONE, S_ONE, S_M1, 0, 0, RNE, &ff), S_PZ, 0);
	CHECK(fpu_fma_s(S_ONE, S_ONE, S_M1, 0, 0, RDN, &ff), S_NZ, 0);
	CHECK(fpu_fma_s(S_ONE, S_ONE, S_M1, 0, 0, RMM, &ff), S_PZ, 0);
	CHECK(fpu_fma_s(S_NZ, S_ONE, S_NZ, 0, 0, RNE, &ff), S_NZ, 0);
	CHECK(fpu_fma_s(S_PZ, S_ONE, S_NZ, 0, 0, RNE, &ff), S_PZ, 0);
	CHECK(fpu_fma_s(S_PZ, S_ONE, S_NZ, 0, 0, RDN, &ff), S_NZ, 0);
	CHECK(fpu_fma_s(S_PZ, S_ONE, S_PZ, 1, 1, RNE, &ff), S_NZ, 0);  /* -(0*1) - 0 */
	CHECK(fpu_fma_s(S_ONE, S_ONE, S_ONE, 1, 0, RNE, &ff), S_PZ, 0); /* -(1*1) + 1 */
	CHECK(fpu_fma_s(S_ONE, S_ONE, S_ONE, 1, 0, RDN, &ff), S_NZ, 0);
	CHECK(fpu_fma_d(D_NZ, D_ONE, D_NZ, 0, 0, RMM, &ff), D_NZ, 0);
	CHECK(fpu_fma_d(D_ONE, D_M1, D_ONE, 0, 0, RDN, &ff), D_NZ, 0);
	/* One rounding: (1+2^-23)^2 - (1+2^-22) = 2^-46 exactly. */
	CHECK(fpu_fma_s(0x3f800001, 0x3f800001, 0xbf800002, 0, 0, RNE, &ff), 0x28800000, 0);
	CHECK(fpu_fma_s(0x3f800001, 0x3f800001, 0xbf800002, 0, 0, RMM, &ff), 0x28800000, 0);
	CHECK(fpu_fma_d(0x3ff0000000000001, 0x3ff0000000000001, 0xbff0000000000002, 0, 0, RNE, &ff),
	      0x3970000000000000, 0);
	/* RMM tie only visible with a single rounding: 1 + 2^-24 from a product. */
	CHECK(fpu_fma_s(0x33800000, S_ONE, S_ONE, 0, 0, RMM, &ff), 0x3f800001, NX);
	CHECK(fpu_fma_s(0x33800000, S_ONE, S_ONE, 0, 0, RNE, &ff), S_ONE, NX);
	CHECK(fpu_fma_d(0x3ca0000000000000, D_ONE, D_ONE, 0, 0, RMM, &ff), 0x3ff0000000000001, NX);
	/* Tininess after rounding, through fma with a zero addend. */
	CHECK(fpu_fma_s(0x20918e00, 0x1f612000, S_PZ, 0, 0, RNE, &ff), S_MINN, NX);
	CHECK(fpu_fma_s(0x20918e00, 0x1f612000, S_PZ, 0, 0, RTZ, &ff), 0x007fffff, UF | NX);
	CHECK(fpu_fma_d(0x1ffffffffc000000, 0x2000000002000000, D_NZ, 0, 0, RMM, &ff), D_MINN, NX);
	CHECK(fpu_fma_d(0x1ffffffffc000000, 0x2000000002000000, D_PZ, 0, 0, RDN, &ff), 0x000fffffffffffff,
	      UF | NX);
	CHECK(fpu_fma_s(S_MINS, S_HALF, S_PZ, 0, 0, RMM, &ff), S_MINS, UF | NX);
	CHECK(fpu_fma_s(S_MAX, S_TWO, S_NINF, 0, 0, RNE, &ff), S_NINF, 0);
	CHECK(fpu_fma_s(S_MAX, S_TWO, S_MAX, 0, 1, RTZ, &ff), S_MAX, 0); /* no overflow inside */
	CHECK(fpu_fma_s(S_MAX, S_TWO, S_MAX, 0, 0, RTZ, &ff), S_MAX, OF | NX);
	CHECK(fpu_fma_d(D_MAX, D_TWO, D_MAX, 0, 0, RMM, &ff), D_PINF, OF | NX);
	CHECK(fpu_fma_d(D_MAX, D_TWO, D_MAX, 1, 1, RUP, &ff), D_MAX | D_NZ, OF | NX);
	/* NaNs and invalid: inf*0 raises NV even with a quiet NaN addend. */
	CHECK(fpu_fma_s(S_PINF, S_PZ, S_QNAN, 0, 0, RNE, &ff), S_CNAN, NV);
	CHECK(fpu_fma_s(S_NZ, S_NINF, S_QNAN, 1, 1, RNE, &ff), S_CNAN, NV);
	CHECK(fpu_fma_s(S_PINF, S_PZ, S_ONE, 0, 0, RNE, &ff), S_CNAN, NV);
	CHECK(fpu_fma_s(S_PINF, S_ONE, S_PINF, 0, 1, RNE, &ff), S_CNAN, NV);
	CHECK(fpu_fma_s(S_QNAN, S_ONE, S_ONE, 0, 0, RNE, &ff), S_CNAN, 0);
	CHECK(fpu_fma_s(S_ONE, S_ONE, S_SNAN, 0, 0, RNE, &ff), S_CNAN, NV);
	CHECK(fpu_fma_s(S_QNAN, S_PZ, S_ONE, 0, 0, RNE, &ff), S_CNAN, 0);
	CHECK(fpu_fma_d(D_PZ, D_PINF, D_QNAN, 0, 0, RMM, &ff), D_CNAN, NV);
	CHECK(fpu_fma_d(D_PINF, D_PINF, D_NINF, 0, 0, RNE, &ff), D_CNAN, NV);
	CHECK(fpu_fma_d(D_QNAN, D_PINF, D_ONE, 0, 0, RNE, &ff), D_CNAN, 0);
	CHECK(fpu_fma_d(D_SNAN, D_ONE, D_ONE, 0, 0, RNE, &ff), D_CNAN, NV);
}

static void test_minmax_cmp(void)
{
	CHECK(fpu_min_s(S_NZ, S_PZ, &ff), S_NZ, 0);
	CHECK(fpu_min_s(S_PZ, S_NZ, &ff), S_NZ, 0);
	CHECK(fpu_max_s(S_NZ, S_PZ, &ff), S_PZ, 0);
	CHECK(fpu_max_s(S_PZ, S_NZ, &ff), S_PZ, 0);
	CHECK(fpu_min_s(S_QNAN, S_ONE, &ff), S_ONE, 0);
	CHECK(fpu_max_s(S_ONE, S_QNAN, &ff), S_ONE, 0);
	CHECK(fpu_min_s(S_SNAN, S_ONE, &ff), S_ONE, NV);
	CHECK(fpu_max_s(S_M1, S_SNAN, &ff), S_M1, NV);
	CHECK(fpu_min_s(S_QNAN, 0x7fc00001, &ff), S_CNAN, 0);
	CHECK(fpu_max_s(S_SNAN, S_QNAN, &ff), S_CNAN, NV);
	CHECK(fpu_min_s(S_NINF, S_ONE, &ff), S_NINF, 0);
	CHECK(fpu_max_s(S_M1, 0xc0000000, &ff), S_M1, 0);
	CHECK(fpu_min_s(S_M1, 0xc0000000, &ff), 0xc0000000, 0);
	CHECK(fpu_min_s(S_MINS, S_PZ, &ff), S_PZ, 0);
	CHECK(fpu_max_s(S_MINS | S_NZ, S_NZ, &ff), S_NZ, 0);
	CHECK(fpu_min_d(D_PZ, D_NZ, &ff), D_NZ, 0);
	CHECK(fpu_max_d(D_NZ, D_PZ, &ff), D_PZ, 0);
	CHECK(fpu_min_d(D_QNAN, D_M1, &ff), D_M1, 0);
	CHECK(fpu_max_d(D_SNAN, D_SNAN, &ff), D_CNAN, NV);
	CHECK(fpu_max_d(D_PINF, D_MAX, &ff), D_PINF, 0);
	CHECK(fpu_min_d(D_MAX | D_NZ, D_M1, &ff), D_MAX | D_NZ, 0);

	CHECK(fpu_eq_s(S_NZ, S_PZ, &ff), 1, 0);
	CHECK(fpu_eq_s(S_QNAN, S_QNAN, &ff), 0, 0);
	CHECK(fpu_eq_s(S_SNAN, S_ONE, &ff), 0, NV);
	CHECK(fpu_eq_s(S_ONE, S_ONE, &ff), 1, 0);
	CHECK(fpu_lt_s(S_QNAN, S_ONE, &ff), 0, NV);
	CHECK(fpu_le_s(S_ONE, S_QNAN, &ff), 0, NV);
	CHECK(fpu_lt_s(S_NZ, S_PZ, &ff), 0, 0);
	CHECK(fpu_le_s(S_NZ, S_PZ, &ff), 1, 0);
	CHECK(fpu_le_s(S_PZ, S_NZ, &ff), 1, 0);
	CHECK(fpu_lt_s(S_M1, S_ONE, &ff), 1, 0);
	CHECK(fpu_lt_s(0xc0000000, S_M1, &ff), 1, 0);
	CHECK(fpu_lt_s(S_M1, 0xc0000000, &ff), 0, 0);
	CHECK(fpu_lt_s(S_ONE, S_ONE, &ff), 0, 0);
	CHECK(fpu_le_s(S_PINF, S_PINF, &ff), 1, 0);
	CHECK(fpu_lt_s(S_NINF, S_MINS | S_NZ, &ff), 1, 0);
	CHECK(fpu_eq_d(D_NZ, D_PZ, &ff), 1, 0);
	CHECK(fpu_eq_d(D_QNAN, D_ONE, &ff), 0, 0);
	CHECK(fpu_eq_d(D_ONE, D_SNAN, &ff), 0, NV);
	CHECK(fpu_lt_d(D_QNAN, D_ONE, &ff), 0, NV);
	CHECK(fpu_le_d(D_M1, D_NZ, &ff), 1, 0);
	CHECK(fpu_lt_d(D_MINS, D_MINN, &ff), 1, 0);
	CHECK(fpu_le_d(D_ONE, D_HALF, &ff), 0, 0);
}

static void test_class(void)
{
	CHECK(fpu_class_s(S_NINF), 1u << 0, 0);
	CHECK(fpu_class_s(S_M1), 1u << 1, 0);
	CHECK(fpu_class_s(0x80000001), 1u << 2, 0);
	CHECK(fpu_class_s(S_NZ), 1u << 3, 0);
	CHECK(fpu_class_s(S_PZ), 1u << 4, 0);
	CHECK(fpu_class_s(0x007fffff), 1u << 5, 0);
	CHECK(fpu_class_s(S_MINN), 1u << 6, 0);
	CHECK(fpu_class_s(S_PINF), 1u << 7, 0);
	CHECK(fpu_class_s(S_SNAN), 1u << 8, 0);
	CHECK(fpu_class_s(0xffbfffff), 1u << 8, 0);
	CHECK(fpu_class_s(S_CNAN), 1u << 9, 0);
	CHECK(fpu_class_s(0xffc00000), 1u << 9, 0);
	CHECK(fpu_class_d(D_NINF), 1u << 0, 0);
	CHECK(fpu_class_d(D_MAX | D_NZ), 1u << 1, 0);
	CHECK(fpu_class_d(0x800fffffffffffff), 1u << 2, 0);
	CHECK(fpu_class_d(D_NZ), 1u << 3, 0);
	CHECK(fpu_class_d(D_PZ), 1u << 4, 0);
	CHECK(fpu_class_d(D_MINS), 1u << 5, 0);
	CHECK(fpu_class_d(D_ONE), 1u << 6, 0);
	CHECK(fpu_class_d(D_PINF), 1u << 7, 0);
	CHECK(fpu_class_d(D_SNAN), 1u << 8, 0);
	CHECK(fpu_class_d(D_QNAN | D_NZ), 1u << 9, 0);
}

static void test_to_int(void)
{
	const uint32_t s2_5 = 0x40200000, sm2_5 = 0xc0200000;

	CHECK(fpu_cvt_w_s(0x3fc00000, RNE, &ff), 2, NX);
	CHECK(fpu_cvt_w_s(s2_5, RNE, &ff), 2, NX);
	CHECK(fpu_cvt_w_s(s2_5, RMM, &ff), 3, NX);
	CHECK(fpu_cvt_w_s(s2_5, RTZ, &ff), 2, NX);
	CHECK(fpu_cvt_w_s(s2_5, RUP, &ff), 3, NX);
	CHECK(fpu_cvt_w_s(sm2_5, RNE, &ff), -2, NX);
	CHECK(fpu_cvt_w_s(sm2_5, RMM, &ff), -3, NX);
	CHECK(fpu_cvt_w_s(sm2_5, RDN, &ff), -3, NX);
	CHECK(fpu_cvt_w_s(sm2_5, RUP, &ff), -2, NX);
	CHECK(fpu_cvt_w_s(S_NZ, RNE, &ff), 0, 0);
	CHECK(fpu_cvt_w_s(S_MINS, RUP, &ff), 1, NX);
	CHECK(fpu_cvt_w_s(S_MINS | S_NZ, RDN, &ff), -1, NX);
	/* Saturation: NaN gives the largest positive, NV and no NX. */
	CHECK(fpu_cvt_w_s(S_QNAN, RNE, &ff), INT32_MAX, NV);
	CHECK(fpu_cvt_w_s(0xffc00000, RNE, &ff), INT32_MAX, NV);
	CHECK(fpu_cvt_w_s(S_PINF, RNE, &ff), INT32_MAX, NV);
	CHECK(fpu_cvt_w_s(S_NINF, RNE, &ff), INT32_MIN, NV);
	CHECK(fpu_cvt_w_s(0x4f32d05e, RNE, &ff), INT32_MAX, NV); /* 3e9 */
	CHECK(fpu_cvt_w_s(0xcf000000, RNE, &ff), INT32_MIN, 0);   /* -2^31 */
	CHECK(fpu_cvt_w_s(0x4f000000, RNE, &ff), INT32_MAX, NV);  /* 2^31 */
	/* 2147483647.5 and -2147483648.5: in range or not depending on rm. */
	CHECK(fpu_cvt_w_d(0x41dfffffffe00000, RNE, &ff), INT32_MAX, NV);
	CHECK(fpu_cvt_w_d(0x41dfffffffe00000, RTZ, &ff), INT32_MAX, NX);
	CHECK(fpu_cvt_w_d(0x41dfffffffe00000, RDN, &ff), INT32_MAX, NX);
	CHECK(fpu_cvt_w_d(0x41dfffffffe00000, RMM, &ff), INT32_MAX, NV);
	CHECK(fpu_cvt_w_d(0xc1e0000000100000, RNE, &ff), INT32_MIN, NX);
	CHECK(fpu_cvt_w_d(0xc1e0000000100000, RUP, &ff), INT32_MIN, NX);
	CHECK(fpu_cvt_w_d(0xc1e0000000100000, RMM, &ff), INT32_MIN, NV);
	CHECK(fpu_cvt_w_d(0xc1e0000000100000, RDN, &ff), INT32_MIN, NV);
	CHECK(fpu_cvt_w_d(D_SNAN, RNE, &ff), INT32_MAX, NV);
	/* Unsigned: negatives that round to 0 are fine (NX), others saturate to 0. */
	CHECK(fpu_cvt_wu_s(0xbe99999a, RTZ, &ff), 0, NX);  /* -0.3 */
	CHECK(fpu_cvt_wu_s(0xbe99999a, RNE, &ff), 0, NX);
	CHECK(fpu_cvt_wu_s(0xbf333333, RNE, &ff), 0, NV);  /* -0.7 */
	CHECK(fpu_cvt_wu_s(0xbf333333, RTZ, &ff), 0, NX);
	CHECK(fpu_cvt_wu_s(S_M1, RNE, &ff), 0, NV);
	CHECK(fpu_cvt_wu_s(S_NZ, RNE, &ff), 0, 0);
	CHECK(fpu_cvt_wu_s(S_NINF, RNE, &ff), 0, NV);
	/* 32-bit results are sign-extended, fcvt.wu included. */
	CHECK(fpu_cvt_wu_s(0x4f32d05e, RNE, &ff), 0xffffffffb2d05e00, 0);
	CHECK(fpu_cvt_wu_s(S_QNAN, RNE, &ff), -1, NV);
	CHECK(fpu_cvt_wu_s(0x4f800000, RNE, &ff), -1, NV); /* 2^32 */
	CHECK(fpu_cvt_wu_d(0x41efffffffe00000, RNE, &ff), -1, 0); /* 2^32-1 */
	CHECK(fpu_cvt_wu_d(0x41efffffffefffff, RMM, &ff), -1, NX);
	CHECK(fpu_cvt_wu_d(0x41efffffffefffff, RUP, &ff), -1, NV);
	/* 64-bit */
	CHECK(fpu_cvt_l_d(0x43e0000000000000, RNE, &ff), INT64_MAX, NV);
	CHECK(fpu_cvt_l_d(0xc3e0000000000000, RNE, &ff), INT64_MIN, 0);
	CHECK(fpu_cvt_l_d(0x43dfffffffffffff, RNE, &ff), 0x7ffffffffffffc00, 0);
	CHECK(fpu_cvt_l_d(D_NINF, RTZ, &ff), INT64_MIN, NV);
	CHECK(fpu_cvt_l_d(D_QNAN, RTZ, &ff), INT64_MAX, NV);
	CHECK(fpu_cvt_l_d(0xc004000000000000, RMM, &ff), -3, NX); /* -2.5 */
	CHECK(fpu_cvt_l_d(0x8000000000000001, RDN, &ff), -1, NX);
	CHECK(fpu_cvt_l_s(0x3fc00000, RMM, &ff), 2, NX);
	CHECK(fpu_cvt_l_s(0xdf000000, RNE, &ff), INT64_MIN, 0);
	CHECK(fpu_cvt_l_s(0x5f000000, RNE, &ff), INT64_MAX, NV);
	CHECK(fpu_cvt_lu_d(D_M1, RNE, &ff), 0, NV);
	CHECK(fpu_cvt_lu_d(0x43f0000000000000, RNE, &ff), UINT64_MAX, NV);
	CHECK(fpu_cvt_lu_d(0x43efffffffffffff, RNE, &ff), 0xfffffffffffff800, 0);
	CHECK(fpu_cvt_lu_d(D_SNAN, RNE, &ff), UINT64_MAX, NV);
	CHECK(fpu_cvt_lu_d(D_NINF, RNE, &ff), 0, NV);
	CHECK(fpu_cvt_lu_d(0xbfe0000000000000, RNE, &ff), 0, NX); /* -0.5 ties to 0 */
	CHECK(fpu_cvt_lu_d(0xbfe0000000000000, RMM, &ff), 0, NV); /* ...or away, to -1 */
	CHECK(fpu_cvt_lu_d(0x8000000000000001, RDN, &ff), 0, NV);
	CHECK(fpu_cvt_lu_d(D_MINS, RUP, &ff), 1, NX);
	CHECK(fpu_cvt_lu_s(0x5f800000, RNE, &ff), UINT64_MAX, NV);
	CHECK(fpu_cvt_lu_s(0x5f7fffff, RNE, &ff), 0xffffff0000000000, 0);
	CHECK(fpu_cvt_lu_s(S_PINF, RNE, &ff), UINT64_MAX, NV);
}

static void test_from_int(void)
{
	CHECK(fpu_cvt_s_w(16777217, RNE, &ff), 0x4b800000, NX);
	CHECK(fpu_cvt_s_w(16777217, RMM, &ff), 0x4b800001, NX);
	CHECK(fpu_cvt_s_w(16777217, RUP, &ff), 0x4b800001, NX);
	CHECK(fpu_cvt_s_w(16777217, RTZ, &ff), 0x4b800000, NX);
	CHECK(fpu_cvt_s_w(-16777217, RDN, &ff), 0xcb800001, NX);
	CHECK(fpu_cvt_s_w(-16777217, RUP, &ff), 0xcb800000, NX);
	CHECK(fpu_cvt_s_w(-16777217, RMM, &ff), 0xcb800001, NX);
	CHECK(fpu_cvt_s_w(16777219, RNE, &ff), 0x4b800002, NX); /* tie to even, upward */
	CHECK(fpu_cvt_s_w(INT32_MIN, RNE, &ff), 0xcf000000, 0);
	CHECK(fpu_cvt_s_w(0, RDN, &ff), S_PZ, 0);
	CHECK(fpu_cvt_s_w(-1, RNE, &ff), S_M1, 0);
	CHECK(fpu_cvt_s_wu(0xffffffff, RNE, &ff), 0x4f800000, NX);
	CHECK(fpu_cvt_s_wu(0xffffffff, RTZ, &ff), 0x4f7fffff, NX);
	CHECK(fpu_cvt_s_l(INT64_MIN, RNE, &ff), 0xdf000000, 0);
	CHECK(fpu_cvt_s_l(INT64_MAX, RTZ, &ff), 0x5effffff, NX);
	CHECK(fpu_cvt_s_lu(UINT64_MAX, RNE, &ff), 0x5f800000, NX);
	CHECK(fpu_cvt_s_lu(UINT64_MAX, RTZ, &ff), 0x5f7fffff, NX);
	CHECK(fpu_cvt_d_w(INT32_MIN, RNE, &ff), 0xc1e0000000000000, 0);
	CHECK(fpu_cvt_d_wu(0xffffffff, RTZ, &ff), 0x41efffffffe00000, 0);
	CHECK(fpu_cvt_d_l((1ll << 53) + 1, RNE, &ff), 0x4340000000000000, NX);
	CHECK(fpu_cvt_d_l((1ll << 53) + 1, RMM, &ff), 0x4340000000000001, NX);
	CHECK(fpu_cvt_d_l(-(1ll << 53) - 1, RDN, &ff), 0xc340000000000001, NX);
	CHECK(fpu_cvt_d_l(INT64_MIN, RUP, &ff), 0xc3e0000000000000, 0);
	CHECK(fpu_cvt_d_lu(UINT64_MAX, RNE, &ff), 0x43f0000000000000, NX);
	CHECK(fpu_cvt_d_lu(UINT64_MAX, RTZ, &ff), 0x43efffffffffffff, NX);
	CHECK(fpu_cvt_d_lu(0, RNE, &ff), D_PZ, 0);
}

static void test_s_d(void)
{
	CHECK(fpu_cvt_s_d(D_ONE, RNE, &ff), S_ONE, 0);
	CHECK(fpu_cvt_s_d(D_NZ, RNE, &ff), S_NZ, 0);
	CHECK(fpu_cvt_s_d(D_NINF, RMM, &ff), S_NINF, 0);
	CHECK(fpu_cvt_s_d(D_MAX, RNE, &ff), S_PINF, OF | NX);
	CHECK(fpu_cvt_s_d(D_MAX, RTZ, &ff), S_MAX, OF | NX);
	CHECK(fpu_cvt_s_d(D_MAX | D_NZ, RUP, &ff), S_MAX | S_NZ, OF | NX);
	CHECK(fpu_cvt_s_d(D_MAX, RMM, &ff), S_PINF, OF | NX);
	CHECK(fpu_cvt_s_d(D_SNAN, RNE, &ff), S_CNAN, NV);
	CHECK(fpu_cvt_s_d(D_QNAN, RNE, &ff), S_CNAN, 0);
	CHECK(fpu_cvt_s_d(0x358dee7a4ad4b81f, RNE, &ff), S_PZ, UF | NX); /* 1e-50 */
	CHECK(fpu_cvt_s_d(0x358dee7a4ad4b81f, RUP, &ff), S_MINS, UF | NX);
	CHECK(fpu_cvt_s_d(0x358dee7a4ad4b81f, RMM, &ff), S_PZ, UF | NX);
	CHECK(fpu_cvt_s_d(0x3ff0000010000000, RNE, &ff), S_ONE, NX); /* 1 + 2^-24 */
	CHECK(fpu_cvt_s_d(0x3ff0000010000000, RMM, &ff), 0x3f800001, NX);
	CHECK(fpu_cvt_s_d(0x3690000000000000, RNE, &ff), S_PZ, UF | NX); /* 2^-150 */
	CHECK(fpu_cvt_s_d(0x3690000000000000, RMM, &ff), S_MINS, UF | NX);
	CHECK(fpu_cvt_s_d(0x380ffffff0000000, RNE, &ff), S_MINN, NX); /* 2^-126 - 2^-151 */
	CHECK(fpu_cvt_s_d(0x380ffffff0000000, RMM, &ff), S_MINN, NX);
	CHECK(fpu_cvt_s_d(0x380ffffff0000000, RTZ, &ff), 0x007fffff, UF | NX);
	CHECK(fpu_cvt_s_d(0x3810000000000000, RNE, &ff), S_MINN, 0);
	CHECK(fpu_cvt_s_d(0x36a0000000000000, RNE, &ff), S_MINS, 0);
	CHECK(fpu_cvt_s_d(D_MINS, RUP, &ff), S_MINS, UF | NX);

	CHECK(fpu_cvt_d_s(S_SNAN, &ff), D_CNAN, NV);
	CHECK(fpu_cvt_d_s(S_QNAN, &ff), D_CNAN, 0);
	CHECK(fpu_cvt_d_s(S_MINS, &ff), 0x36a0000000000000, 0);
	CHECK(fpu_cvt_d_s(S_NZ, &ff), D_NZ, 0);
	CHECK(fpu_cvt_d_s(S_NINF, &ff), D_NINF, 0);
	CHECK(fpu_cvt_d_s(S_MAX, &ff), 0x47efffffe0000000, 0);
}

/* Results at the fast path's edges must still report their flags. */
static void test_fast_path(void)
{
	CHECK_ACC(fpu_div_s(S_ONE, S_THREE, RNE, &ff), 0x3eaaaaab, 0);
	CHECK_ACC(fpu_div_s(S_ONE, S_THREE, RTZ, &ff), 0x3eaaaaaa, 0);
	CHECK_ACC(fpu_div_d(D_ONE, 0x4008000000000000, RUP, &ff), 0x3fd5555555555556, 0);
	CHECK_ACC(fpu_add_s(S_MAX, S_MAX, RTZ, &ff), S_MAX, OF);
	CHECK_ACC(fpu_add_s(S_MAX | S_NZ, S_MAX | S_NZ, RUP, &ff), S_MAX | S_NZ, OF);
	CHECK_ACC(fpu_add_d(D_MAX, D_MAX, RDN, &ff), D_MAX, OF);
	CHECK_ACC(fpu_mul_d(D_MAX, D_TWO, RNE, &ff), D_PINF, OF);
	CHECK_ACC(fpu_add_s(S_MAX, S_ONE, RNE, &ff), S_MAX, 0);
	/* (2^24-1) * 2^-150 is tiny at 24 bits but rounds to 2^-126: UF. */
	CHECK(fpu_mul_s(0x3f7fffff, S_MINN, RNE, &ff), S_MINN, UF | NX);
	CHECK_ACC(fpu_mul_s(0x3f7fffff, S_MINN, RNE, &ff), S_MINN, UF);
	CHECK_ACC(fpu_mul_s(0x20918e00, 0x1f612000, RNE, &ff), S_MINN, 0);
	CHECK_ACC(fpu_mul_s(0x20918e00, 0x1f612000, RTZ, &ff), 0x007fffff, UF);
	CHECK_ACC(fpu_mul_d(0x1ffffffffc000000, 0x2000000002000000, RDN, &ff), 0x000fffffffffffff, UF);
	CHECK_ACC(fpu_mul_d(D_MINS, D_HALF, RUP, &ff), D_MINS, UF);
	CHECK_ACC(fpu_div_s(S_ONE, S_PZ, RNE, &ff), S_PINF, DZ);
	CHECK_ACC(fpu_sub_d(D_PINF, D_PINF, RNE, &ff), D_CNAN, NV);
	CHECK_ACC(fpu_add_s(S_SNAN, S_ONE, RTZ, &ff), S_CNAN, NV);
	CHECK_ACC(fpu_sqrt_s(S_M1, RNE, &ff), S_CNAN, NV);
	CHECK_ACC(fpu_sqrt_d(D_TWO, RTZ, &ff), 0x3ff6a09e667f3bcc, 0);
	CHECK_ACC(fpu_fma_s(S_MAX, S_TWO, S_MAX, 0, 0, RTZ, &ff), S_MAX, OF);
	CHECK_ACC(fpu_fma_d(0x1ffffffffc000000, 0x2000000002000000, D_PZ, 0, 0, RTZ, &ff),
		  0x000fffffffffffff, UF);
	CHECK_ACC(fpu_fma_s(S_PINF, S_PZ, S_QNAN, 0, 0, RNE, &ff), S_CNAN, NV);
	CHECK_ACC(fpu_fma_d(0x3ca0000000000000, D_ONE, D_ONE, 0, 0, RMM, &ff), 0x3ff0000000000001, 0);
	CHECK_ACC(fpu_cvt_s_d(D_MAX, RTZ, &ff), S_MAX, OF);
	CHECK_ACC(fpu_cvt_s_d(0x380ffffff0000000, RTZ, &ff), 0x007fffff, UF);
	CHECK_ACC(fpu_cvt_s_d(0x3fd5555555555555, RNE, &ff), 0x3eaaaaab, 0);
}

int main(void)
{
	test_add();
	test_mul();
	test_div_sqrt();
	test_fma();
	test_minmax_cmp();
	test_class();
	test_to_int();
	test_from_int();
	test_s_d();
	test_fast_path();
	printf("fpu: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
