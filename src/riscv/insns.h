/* insns.h - the one table of the RISC-V instruction set cairn implements.
 * Each row: name, match, mask, operand format.  The decoder, disassembler and
 * the interpreter's handler labels are all generated from these lists. */
#ifndef CAIRN_RISCV_INSNS_H
#define CAIRN_RISCV_INSNS_H

/* 32-bit instructions: RV(name, match, mask, format).  Formats: R I S B U J
 * (base), SH6/SH5 (shift amounts), CSR/CSRI, R4 (fused multiply-add, rs3 in
 * imm), RM (FP with rounding mode), AMO, SYS (no operands), F2I/I2F etc are
 * plain R with rs2 as a sub-opcode.  First match wins within a bucket. */
#define RV_INSNS(RV) \
	/* RV64I */ \
	RV(lui,       0x00000037, 0x0000007f, U)   /* rd = imm << 12 */ \
	RV(auipc,     0x00000017, 0x0000007f, U)   /* rd = pc + (imm << 12) */ \
	RV(jal,       0x0000006f, 0x0000007f, J)   /* rd = pc + len; pc += imm */ \
	RV(jalr,      0x00000067, 0x0000707f, I)   /* rd = pc + len; pc = (rs1 + imm) & ~1 */ \
	RV(beq,       0x00000063, 0x0000707f, B) \
	RV(bne,       0x00001063, 0x0000707f, B) \
	RV(blt,       0x00004063, 0x0000707f, B) \
	RV(bge,       0x00005063, 0x0000707f, B) \
	RV(bltu,      0x00006063, 0x0000707f, B) \
	RV(bgeu,      0x00007063, 0x0000707f, B) \
	RV(lb,        0x00000003, 0x0000707f, I) \
	RV(lh,        0x00001003, 0x0000707f, I) \
	RV(lw,        0x00002003, 0x0000707f, I) \
	RV(ld,        0x00003003, 0x0000707f, I) \
	RV(lbu,       0x00004003, 0x0000707f, I) \
	RV(lhu,       0x00005003, 0x0000707f, I) \
	RV(lwu,       0x00006003, 0x0000707f, I) \
	RV(sb,        0x00000023, 0x0000707f, S) \
	RV(sh,        0x00001023, 0x0000707f, S) \
	RV(sw,        0x00002023, 0x0000707f, S) \
	RV(sd,        0x00003023, 0x0000707f, S) \
	RV(addi,      0x00000013, 0x0000707f, I) \
	RV(slti,      0x00002013, 0x0000707f, I) \
	RV(sltiu,     0x00003013, 0x0000707f, I) \
	RV(xori,      0x00004013, 0x0000707f, I) \
	RV(ori,       0x00006013, 0x0000707f, I) \
	RV(andi,      0x00007013, 0x0000707f, I) \
	RV(slli,      0x00001013, 0xfc00707f, SH6) \
	RV(srli,      0x00005013, 0xfc00707f, SH6) \
	RV(srai,      0x40005013, 0xfc00707f, SH6) \
	RV(add,       0x00000033, 0xfe00707f, R) \
	RV(sub,       0x40000033, 0xfe00707f, R) \
	RV(sll,       0x00001033, 0xfe00707f, R) \
	RV(slt,       0x00002033, 0xfe00707f, R) \
	RV(sltu,      0x00003033, 0xfe00707f, R) \
	RV(xor,       0x00004033, 0xfe00707f, R) \
	RV(srl,       0x00005033, 0xfe00707f, R) \
	RV(sra,       0x40005033, 0xfe00707f, R) \
	RV(or,        0x00006033, 0xfe00707f, R) \
	RV(and,       0x00007033, 0xfe00707f, R) \
	RV(addiw,     0x0000001b, 0x0000707f, I) \
	RV(slliw,     0x0000101b, 0xfe00707f, SH5) \
	RV(srliw,     0x0000501b, 0xfe00707f, SH5) \
	RV(sraiw,     0x4000501b, 0xfe00707f, SH5) \
	RV(addw,      0x0000003b, 0xfe00707f, R) \
	RV(subw,      0x4000003b, 0xfe00707f, R) \
	RV(sllw,      0x0000103b, 0xfe00707f, R) \
	RV(srlw,      0x0000503b, 0xfe00707f, R) \
	RV(sraw,      0x4000503b, 0xfe00707f, R) \
	RV(pause,     0x0100000f, 0xffffffff, SYS) /* Zihintpause: a spin-wait hint (yield) */ \
	RV(fence,     0x0000000f, 0x0000707f, SYS) /* memory order: host seq_cst fence */ \
	RV(fence_i,   0x0000100f, 0x0000707f, SYS) /* drop this hart's decoded code */ \
	RV(ecall,     0x00000073, 0xffffffff, SYS) \
	RV(ebreak,    0x00100073, 0xffffffff, SYS) \
	RV(sret,      0x10200073, 0xffffffff, SYS) \
	RV(mret,      0x30200073, 0xffffffff, SYS) \
	RV(wfi,       0x10500073, 0xffffffff, SYS) \
	RV(sfence_vma,0x12000073, 0xfe007fff, R) \
	RV(csrrw,     0x00001073, 0x0000707f, CSR) \
	RV(csrrs,     0x00002073, 0x0000707f, CSR) \
	RV(csrrc,     0x00003073, 0x0000707f, CSR) \
	RV(csrrwi,    0x00005073, 0x0000707f, CSRI) \
	RV(csrrsi,    0x00006073, 0x0000707f, CSRI) \
	RV(csrrci,    0x00007073, 0x0000707f, CSRI) \
	/* M */ \
	RV(mul,       0x02000033, 0xfe00707f, R) \
	RV(mulh,      0x02001033, 0xfe00707f, R) \
	RV(mulhsu,    0x02002033, 0xfe00707f, R) \
	RV(mulhu,     0x02003033, 0xfe00707f, R) \
	RV(div,       0x02004033, 0xfe00707f, R) \
	RV(divu,      0x02005033, 0xfe00707f, R) \
	RV(rem,       0x02006033, 0xfe00707f, R) \
	RV(remu,      0x02007033, 0xfe00707f, R) \
	RV(mulw,      0x0200003b, 0xfe00707f, R) \
	RV(divw,      0x0200403b, 0xfe00707f, R) \
	RV(divuw,     0x0200503b, 0xfe00707f, R) \
	RV(remw,      0x0200603b, 0xfe00707f, R) \
	RV(remuw,     0x0200703b, 0xfe00707f, R) \
	/* A: aq/rl bits ignored (every access is sequentially consistent) */ \
	RV(lr_w,      0x1000202f, 0xf9f0707f, AMO) \
	RV(sc_w,      0x1800202f, 0xf800707f, AMO) \
	RV(amoswap_w, 0x0800202f, 0xf800707f, AMO) \
	RV(amoadd_w,  0x0000202f, 0xf800707f, AMO) \
	RV(amoxor_w,  0x2000202f, 0xf800707f, AMO) \
	RV(amoand_w,  0x6000202f, 0xf800707f, AMO) \
	RV(amoor_w,   0x4000202f, 0xf800707f, AMO) \
	RV(amomin_w,  0x8000202f, 0xf800707f, AMO) \
	RV(amomax_w,  0xa000202f, 0xf800707f, AMO) \
	RV(amominu_w, 0xc000202f, 0xf800707f, AMO) \
	RV(amomaxu_w, 0xe000202f, 0xf800707f, AMO) \
	RV(lr_d,      0x1000302f, 0xf9f0707f, AMO) \
	RV(sc_d,      0x1800302f, 0xf800707f, AMO) \
	RV(amoswap_d, 0x0800302f, 0xf800707f, AMO) \
	RV(amoadd_d,  0x0000302f, 0xf800707f, AMO) \
	RV(amoxor_d,  0x2000302f, 0xf800707f, AMO) \
	RV(amoand_d,  0x6000302f, 0xf800707f, AMO) \
	RV(amoor_d,   0x4000302f, 0xf800707f, AMO) \
	RV(amomin_d,  0x8000302f, 0xf800707f, AMO) \
	RV(amomax_d,  0xa000302f, 0xf800707f, AMO) \
	RV(amominu_d, 0xc000302f, 0xf800707f, AMO) \
	RV(amomaxu_d, 0xe000302f, 0xf800707f, AMO) \
	/* F */ \
	RV(flw,       0x00002007, 0x0000707f, FL) \
	RV(fsw,       0x00002027, 0x0000707f, FS) \
	RV(fmadd_s,   0x00000043, 0x0600007f, R4) \
	RV(fmsub_s,   0x00000047, 0x0600007f, R4) \
	RV(fnmsub_s,  0x0000004b, 0x0600007f, R4) \
	RV(fnmadd_s,  0x0000004f, 0x0600007f, R4) \
	RV(fadd_s,    0x00000053, 0xfe00007f, RM) \
	RV(fsub_s,    0x08000053, 0xfe00007f, RM) \
	RV(fmul_s,    0x10000053, 0xfe00007f, RM) \
	RV(fdiv_s,    0x18000053, 0xfe00007f, RM) \
	RV(fsqrt_s,   0x58000053, 0xfff0007f, RM1) \
	RV(fsgnj_s,   0x20000053, 0xfe00707f, FR) \
	RV(fsgnjn_s,  0x20001053, 0xfe00707f, FR) \
	RV(fsgnjx_s,  0x20002053, 0xfe00707f, FR) \
	RV(fmin_s,    0x28000053, 0xfe00707f, FR) \
	RV(fmax_s,    0x28001053, 0xfe00707f, FR) \
	RV(fcvt_w_s,  0xc0000053, 0xfff0007f, F2I) \
	RV(fcvt_wu_s, 0xc0100053, 0xfff0007f, F2I) \
	RV(fcvt_l_s,  0xc0200053, 0xfff0007f, F2I) \
	RV(fcvt_lu_s, 0xc0300053, 0xfff0007f, F2I) \
	RV(fmv_x_w,   0xe0000053, 0xfff0707f, F2X) \
	RV(fclass_s,  0xe0001053, 0xfff0707f, F2X) \
	RV(feq_s,     0xa0002053, 0xfe00707f, FCMP) \
	RV(flt_s,     0xa0001053, 0xfe00707f, FCMP) \
	RV(fle_s,     0xa0000053, 0xfe00707f, FCMP) \
	RV(fcvt_s_w,  0xd0000053, 0xfff0007f, I2F) \
	RV(fcvt_s_wu, 0xd0100053, 0xfff0007f, I2F) \
	RV(fcvt_s_l,  0xd0200053, 0xfff0007f, I2F) \
	RV(fcvt_s_lu, 0xd0300053, 0xfff0007f, I2F) \
	RV(fmv_w_x,   0xf0000053, 0xfff0707f, X2F) \
	/* D */ \
	RV(fld,       0x00003007, 0x0000707f, FL) \
	RV(fsd,       0x00003027, 0x0000707f, FS) \
	RV(fmadd_d,   0x02000043, 0x0600007f, R4) \
	RV(fmsub_d,   0x02000047, 0x0600007f, R4) \
	RV(fnmsub_d,  0x0200004b, 0x0600007f, R4) \
	RV(fnmadd_d,  0x0200004f, 0x0600007f, R4) \
	RV(fadd_d,    0x02000053, 0xfe00007f, RM) \
	RV(fsub_d,    0x0a000053, 0xfe00007f, RM) \
	RV(fmul_d,    0x12000053, 0xfe00007f, RM) \
	RV(fdiv_d,    0x1a000053, 0xfe00007f, RM) \
	RV(fsqrt_d,   0x5a000053, 0xfff0007f, RM1) \
	RV(fsgnj_d,   0x22000053, 0xfe00707f, FR) \
	RV(fsgnjn_d,  0x22001053, 0xfe00707f, FR) \
	RV(fsgnjx_d,  0x22002053, 0xfe00707f, FR) \
	RV(fmin_d,    0x2a000053, 0xfe00707f, FR) \
	RV(fmax_d,    0x2a001053, 0xfe00707f, FR) \
	RV(fcvt_s_d,  0x40100053, 0xfff0007f, RM1) \
	RV(fcvt_d_s,  0x42000053, 0xfff0007f, RM1) \
	RV(fcvt_w_d,  0xc2000053, 0xfff0007f, F2I) \
	RV(fcvt_wu_d, 0xc2100053, 0xfff0007f, F2I) \
	RV(fcvt_l_d,  0xc2200053, 0xfff0007f, F2I) \
	RV(fcvt_lu_d, 0xc2300053, 0xfff0007f, F2I) \
	RV(fmv_x_d,   0xe2000053, 0xfff0707f, F2X) \
	RV(fclass_d,  0xe2001053, 0xfff0707f, F2X) \
	RV(feq_d,     0xa2002053, 0xfe00707f, FCMP) \
	RV(flt_d,     0xa2001053, 0xfe00707f, FCMP) \
	RV(fle_d,     0xa2000053, 0xfe00707f, FCMP) \
	RV(fcvt_d_w,  0xd2000053, 0xfff0007f, I2F) \
	RV(fcvt_d_wu, 0xd2100053, 0xfff0007f, I2F) \
	RV(fcvt_d_l,  0xd2200053, 0xfff0007f, I2F) \
	RV(fcvt_d_lu, 0xd2300053, 0xfff0007f, I2F) \
	RV(fmv_d_x,   0xf2000053, 0xfff0707f, X2F) \
	/* Zba */ \
	RV(add_uw,    0x0800003b, 0xfe00707f, R) \
	RV(sh1add,    0x20002033, 0xfe00707f, R) \
	RV(sh2add,    0x20004033, 0xfe00707f, R) \
	RV(sh3add,    0x20006033, 0xfe00707f, R) \
	RV(sh1add_uw, 0x2000203b, 0xfe00707f, R) \
	RV(sh2add_uw, 0x2000403b, 0xfe00707f, R) \
	RV(sh3add_uw, 0x2000603b, 0xfe00707f, R) \
	RV(slli_uw,   0x0800101b, 0xfc00707f, SH6) \
	/* Zbb */ \
	RV(andn,      0x40007033, 0xfe00707f, R) \
	RV(orn,       0x40006033, 0xfe00707f, R) \
	RV(xnor,      0x40004033, 0xfe00707f, R) \
	RV(clz,       0x60001013, 0xfff0707f, R1) \
	RV(clzw,      0x6000101b, 0xfff0707f, R1) \
	RV(ctz,       0x60101013, 0xfff0707f, R1) \
	RV(ctzw,      0x6010101b, 0xfff0707f, R1) \
	RV(cpop,      0x60201013, 0xfff0707f, R1) \
	RV(cpopw,     0x6020101b, 0xfff0707f, R1) \
	RV(max,       0x0a006033, 0xfe00707f, R) \
	RV(maxu,      0x0a007033, 0xfe00707f, R) \
	RV(min,       0x0a004033, 0xfe00707f, R) \
	RV(minu,      0x0a005033, 0xfe00707f, R) \
	RV(sext_b,    0x60401013, 0xfff0707f, R1) \
	RV(sext_h,    0x60501013, 0xfff0707f, R1) \
	RV(zext_h,    0x0800403b, 0xfff0707f, R1) \
	RV(rol,       0x60001033, 0xfe00707f, R) \
	RV(rolw,      0x6000103b, 0xfe00707f, R) \
	RV(ror,       0x60005033, 0xfe00707f, R) \
	RV(rori,      0x60005013, 0xfc00707f, SH6) \
	RV(roriw,     0x6000501b, 0xfe00707f, SH5) \
	RV(rorw,      0x6000503b, 0xfe00707f, R) \
	RV(orc_b,     0x28705013, 0xfff0707f, R1) \
	RV(rev8,      0x6b805013, 0xfff0707f, R1) \
	/* Zbs */ \
	RV(bclr,      0x48001033, 0xfe00707f, R) \
	RV(bclri,     0x48001013, 0xfc00707f, SH6) \
	RV(bext,      0x48005033, 0xfe00707f, R) \
	RV(bexti,     0x48005013, 0xfc00707f, SH6) \
	RV(binv,      0x68001033, 0xfe00707f, R) \
	RV(binvi,     0x68001013, 0xfc00707f, SH6) \
	RV(bset,      0x28001033, 0xfe00707f, R) \
	RV(bseti,     0x28001013, 0xfc00707f, SH6)

/* 16-bit instructions: RVC(name, match, mask, format, op they expand to).
 * Order matters where encodings overlap (c.addi16sp before c.lui, c.jr
 * before c.mv, c.ebreak before c.jalr before c.add). */
#define RV_CINSNS(C) \
	C(c_addi4spn, 0x0000, 0xe003, CIW,     addi) \
	C(c_fld,      0x2000, 0xe003, CL_D,    fld) \
	C(c_lw,       0x4000, 0xe003, CL_W,    lw) \
	C(c_ld,       0x6000, 0xe003, CL_D,    ld) \
	C(c_fsd,      0xa000, 0xe003, CS_D,    fsd) \
	C(c_sw,       0xc000, 0xe003, CS_W,    sw) \
	C(c_sd,       0xe000, 0xe003, CS_D,    sd) \
	C(c_addi,     0x0001, 0xe003, CI,      addi) \
	C(c_addiw,    0x2001, 0xe003, CI_W,    addiw) \
	C(c_li,       0x4001, 0xe003, CI_LI,   addi) \
	C(c_addi16sp, 0x6101, 0xef83, CI_SP16, addi) \
	C(c_lui,      0x6001, 0xe003, CI_LUI,  lui) \
	C(c_srli,     0x8001, 0xec03, CB_SH,   srli) \
	C(c_srai,     0x8401, 0xec03, CB_SH,   srai) \
	C(c_andi,     0x8801, 0xec03, CB_ANDI, andi) \
	C(c_sub,      0x8c01, 0xfc63, CA,      sub) \
	C(c_xor,      0x8c21, 0xfc63, CA,      xor) \
	C(c_or,       0x8c41, 0xfc63, CA,      or) \
	C(c_and,      0x8c61, 0xfc63, CA,      and) \
	C(c_subw,     0x9c01, 0xfc63, CA,      subw) \
	C(c_addw,     0x9c21, 0xfc63, CA,      addw) \
	C(c_j,        0xa001, 0xe003, CJ,      jal) \
	C(c_beqz,     0xc001, 0xe003, CB,      beq) \
	C(c_bnez,     0xe001, 0xe003, CB,      bne) \
	C(c_slli,     0x0002, 0xe003, CI_SH,   slli) \
	C(c_fldsp,    0x2002, 0xe003, CI_LDSP, fld) \
	C(c_lwsp,     0x4002, 0xe003, CI_LWSP, lw) \
	C(c_ldsp,     0x6002, 0xe003, CI_LDSP, ld) \
	C(c_ebreak,   0x9002, 0xffff, CNONE,   ebreak) \
	C(c_jr,       0x8002, 0xf07f, CR_JR,   jalr) \
	C(c_mv,       0x8002, 0xf003, CR_MV,   add) \
	C(c_jalr,     0x9002, 0xf07f, CR_JALR, jalr) \
	C(c_add,      0x9002, 0xf003, CR,      add) \
	C(c_fsdsp,    0xa002, 0xe003, CSS_D,   fsd) \
	C(c_swsp,     0xc002, 0xe003, CSS_W,   sw) \
	C(c_sdsp,     0xe002, 0xe003, CSS_D,   sd)

/* Internal operations the decoder emits besides the table's. */
#define RV_INTERNAL_OPS(X) \
	X(decode)    /* slot not decoded yet: decode it, then run it */ \
	X(page_end)  /* sentinel after a page's last slot: continue on next page */ \
	X(illegal)   /* reserved or unknown encoding: illegal-instruction trap */ \
	X(straddle)  /* 32-bit instruction crossing a page: fetched each time */ \
	/* Branches whose target is in the same page: imm is a slot delta. */ \
	X(beq_l) X(bne_l) X(blt_l) X(bge_l) X(bltu_l) X(bgeu_l) X(jal_l) \
	/* The same backward (loops): they look at the hart's requests when taken. */ \
	X(beq_lb) X(bne_lb) X(blt_lb) X(bge_lb) X(bltu_lb) X(bgeu_lb) X(jal_lb)

enum rv_op {
#define X(n) RV_OP_##n,
	RV_INTERNAL_OPS(X)
#undef X
#define RV(n, m, k, f) RV_OP_##n,
	RV_INSNS(RV)
#undef RV
	RV_OP_COUNT
};

#endif
