/* rvasm.h - a few RISC-V encodings for unit tests that run small guest
 * programs on a bare hart (no cross toolchain needed in host tests). */
#ifndef CAIRN_TESTS_RVASM_H
#define CAIRN_TESTS_RVASM_H

#include <stdint.h>

enum { R_ZERO = 0, R_RA = 1, R_T0 = 5, R_T1 = 6, R_T2 = 7, R_A0 = 10, R_A1 = 11, R_A2 = 12 };

static inline uint32_t rv_i(int op, int f3, int rd, int rs1, int32_t imm)
{
	return ((uint32_t)(imm & 0xfff) << 20) | (uint32_t)rs1 << 15 | (uint32_t)f3 << 12 | (uint32_t)rd << 7 | (uint32_t)op;
}
static inline uint32_t rv_addi(int rd, int rs1, int32_t imm) { return rv_i(0x13, 0, rd, rs1, imm); }
static inline uint32_t rv_slli(int rd, int rs1, int sh) { return rv_i(0x13, 1, rd, rs1, sh); }
static inline uint32_t rv_ld(int rd, int rs1, int32_t imm) { return rv_i(0x03, 3, rd, rs1, imm); }
static inline uint32_t rv_csrr(int rd, int csr) { return rv_i(0x73, 2, rd, 0, csr); }
static inline uint32_t rv_csrw(int csr, int rs1) { return rv_i(0x73, 1, 0, rs1, csr); }
static inline uint32_t rv_csrs(int csr, int rs1) { return rv_i(0x73, 2, 0, rs1, csr); }
static inline uint32_t rv_auipc(int rd, int32_t imm20) { return (uint32_t)imm20 << 12 | (uint32_t)rd << 7 | 0x17; }
static inline uint32_t rv_lui(int rd, int32_t imm20) { return (uint32_t)imm20 << 12 | (uint32_t)rd << 7 | 0x37; }
static inline uint32_t rv_add(int rd, int a, int b) { return (uint32_t)b << 20 | (uint32_t)a << 15 | (uint32_t)rd << 7 | 0x33; }
static inline uint32_t rv_sd(int rs2, int rs1, int32_t imm)
{
	return ((uint32_t)(imm >> 5) & 0x7f) << 25 | (uint32_t)rs2 << 20 | (uint32_t)rs1 << 15 | 3u << 12 |
	       ((uint32_t)imm & 0x1f) << 7 | 0x23;
}
static inline uint32_t rv_jal(int rd, int32_t off)
{
	uint32_t u = (uint32_t)off;
	return ((u >> 20) & 1) << 31 | ((u >> 1) & 0x3ff) << 21 | ((u >> 11) & 1) << 20 | ((u >> 12) & 0xff) << 12 |
	       (uint32_t)rd << 7 | 0x6f;
}
static inline uint32_t rv_bne(int a, int b, int32_t off)
{
	uint32_t u = (uint32_t)off;
	return ((u >> 12) & 1) << 31 | ((u >> 5) & 0x3f) << 25 | (uint32_t)b << 20 | (uint32_t)a << 15 | 1u << 12 |
	       ((u >> 1) & 0xf) << 8 | ((u >> 11) & 1) << 7 | 0x63;
}

#endif
