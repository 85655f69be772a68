/* fpu.h - RISC-V F and D arithmetic, bit-exact with the ISA spec.
 * Every operation takes raw IEEE bit patterns and a resolved rounding mode
 * (RV_RM_RNE..RV_RM_RMM, never DYN) and ORs the exception flags it raises
 * into *ff.  NaN results are always the canonical NaN.  NaN-boxing of
 * single values in 64-bit registers is the interpreter's job, not this one. */
#ifndef CAIRN_RISCV_FPU_H
#define CAIRN_RISCV_FPU_H

#include <stdint.h>

enum { RV_RM_RNE = 0, RV_RM_RTZ = 1, RV_RM_RDN = 2, RV_RM_RUP = 3, RV_RM_RMM = 4, RV_RM_DYN = 7 };
enum { RV_FF_NX = 1, RV_FF_UF = 2, RV_FF_OF = 4, RV_FF_DZ = 8, RV_FF_NV = 16 };

#define RV_F32_CANON_NAN 0x7fc00000u
#define RV_F64_CANON_NAN 0x7ff8000000000000ull

/* Single precision. */
uint32_t fpu_add_s(uint32_t a, uint32_t b, int rm, uint32_t *ff);
uint32_t fpu_sub_s(uint32_t a, uint32_t b, int rm, uint32_t *ff);
uint32_t fpu_mul_s(uint32_t a, uint32_t b, int rm, uint32_t *ff);
uint32_t fpu_div_s(uint32_t a, uint32_t b, int rm, uint32_t *ff);
uint32_t fpu_sqrt_s(uint32_t a, int rm, uint32_t *ff);
/* neg_prod negates a*b, neg_add negates c: fmadd (0,0), fmsub (0,1),
 * fnmsub (1,0), fnmadd (1,1).  One rounding. */
uint32_t fpu_fma_s(uint32_t a, uint32_t b, uint32_t c, int neg_prod, int neg_add, int rm, uint32_t *ff);
uint32_t fpu_min_s(uint32_t a, uint32_t b, uint32_t *ff);
uint32_t fpu_max_s(uint32_t a, uint32_t b, uint32_t *ff);
int fpu_eq_s(uint32_t a, uint32_t b, uint32_t *ff); /* quiet: NV only on sNaN */
int fpu_lt_s(uint32_t a, uint32_t b, uint32_t *ff); /* signaling: NV on any NaN */
int fpu_le_s(uint32_t a, uint32_t b, uint32_t *ff);
uint32_t fpu_class_s(uint32_t a);                   /* fclass.s 10-bit mask */
/* Float to integer: saturating as the spec's table says, NV on saturation/NaN,
 * NX when inexact.  32-bit results are returned sign-extended to 64 bits. */
int64_t fpu_cvt_w_s(uint32_t a, int rm, uint32_t *ff);
int64_t fpu_cvt_wu_s(uint32_t a, int rm, uint32_t *ff);
int64_t fpu_cvt_l_s(uint32_t a, int rm, uint32_t *ff);
uint64_t fpu_cvt_lu_s(uint32_t a, int rm, uint32_t *ff);
uint32_t fpu_cvt_s_w(int32_t v, int rm, uint32_t *ff);
uint32_t fpu_cvt_s_wu(uint32_t v, int rm, uint32_t *ff);
uint32_t fpu_cvt_s_l(int64_t v, int rm, uint32_t *ff);
uint32_t fpu_cvt_s_lu(uint64_t v, int rm, uint32_t *ff);

/* Double precision: the same set. */
uint64_t fpu_add_d(uint64_t a, uint64_t b, int rm, uint32_t *ff);
uint64_t fpu_sub_d(uint64_t a, uint64_t b, int rm, uint32_t *ff);
uint64_t fpu_mul_d(uint64_t a, uint64_t b, int rm, uint32_t *ff);
uint64_t fpu_div_d(uint64_t a, uint64_t b, int rm, uint32_t *ff);
uint64_t fpu_sqrt_d(uint64_t a, int rm, uint32_t *ff);
uint64_t fpu_fma_d(uint64_t a, uint64_t b, uint64_t c, int neg_prod, int neg_add, int rm, uint32_t *ff);
uint64_t fpu_min_d(uint64_t a, uint64_t b, uint32_t *ff);
uint64_t fpu_max_d(uint64_t a, uint64_t b, uint32_t *ff);
int fpu_eq_d(uint64_t a, uint64_t b, uint32_t *ff);
int fpu_lt_d(uint64_t a, uint64_t b, uint32_t *ff);
int fpu_le_d(uint64_t a, uint64_t b, uint32_t *ff);
uint32_t fpu_class_d(uint64_t a);
int64_t fpu_cvt_w_d(uint64_t a, int rm, uint32_t *ff);
int64_t fpu_cvt_wu_d(uint64_t a, int rm, uint32_t *ff);
int64_t fpu_cvt_l_d(uint64_t a, int rm, uint32_t *ff);
uint64_t fpu_cvt_lu_d(uint64_t a, int rm, uint32_t *ff);
uint64_t fpu_cvt_d_w(int32_t v, int rm, uint32_t *ff);
uint64_t fpu_cvt_d_wu(uint32_t v, int rm, uint32_t *ff);
uint64_t fpu_cvt_d_l(int64_t v, int rm, uint32_t *ff);
uint64_t fpu_cvt_d_lu(uint64_t v, int rm, uint32_t *ff);

/* Between precisions. */
uint32_t fpu_cvt_s_d(uint64_t a, int rm, uint32_t *ff);
uint64_t fpu_cvt_d_s(uint32_t a, uint32_t *ff); /* exact; NV on sNaN */

#endif
