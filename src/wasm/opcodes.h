/* opcodes.h - the one table of every WebAssembly 2.0 instruction (incl. the
 * 0xFC and 0xFD SIMD prefixes): encoding, text name, immediates, type shape
 * and semantics.  Decoder, validator, compiler, interpreter and text parser
 * are all generated from it; never keep a second list of opcodes.
 *
 * X(NAME, PREFIX, CODE, "text", IMM, SHAPE, EXPR)
 *   PREFIX  0 for one-byte opcodes, 0xFC or 0xFD for prefixed ones (CODE is
 *           then the LEB128 sub-opcode).
 *   IMM     immediate kind (WA_IMM_*); M<n>/ML<n> are memargs whose natural
 *           alignment is 2^n bytes (ML also has a lane index); L<n> a lane
 *           index below n.
 *   SHAPE   operand/result types: letters i=i32 l=i64 f=f32 d=f64 v=v128,
 *           operands '_' results ("ii_i" = (i32 i32) -> i32).  L<t> loads a
 *           t through a memarg, S<t> stores one, LL/SL are the lane forms.
 *           SP marks instructions the validator and compiler treat by hand.
 *   EXPR    semantics over operands a, b, c, immediate lane and memory
 *           pointer m; TRAP(msg) leaves with a trap.  Unused for SP rows. */
#ifndef WA_OPCODES
#define WA_OPCODES(X) \
	/* control */ \
	X(UNREACHABLE, 0, 0x00, "unreachable", NONE, SP, 0) \
	X(NOP, 0, 0x01, "nop", NONE, SP, 0) \
	X(BLOCK, 0, 0x02, "block", BLOCK, SP, 0) \
	X(LOOP, 0, 0x03, "loop", BLOCK, SP, 0) \
	X(IF, 0, 0x04, "if", BLOCK, SP, 0) \
	X(ELSE, 0, 0x05, "else", NONE, SP, 0) \
	X(END, 0, 0x0b, "end", NONE, SP, 0) \
	X(BR, 0, 0x0c, "br", LABEL, SP, 0) \
	X(BR_IF, 0, 0x0d, "br_if", LABEL, SP, 0) \
	X(BR_TABLE, 0, 0x0e, "br_table", BRTABLE, SP, 0) \
	X(RETURN, 0, 0x0f, "return", NONE, SP, 0) \
	X(CALL, 0, 0x10, "call", FUNC, SP, 0) \
	X(CALL_INDIRECT, 0, 0x11, "call_indirect", CALLIND, SP, 0) \
	/* parametric */ \
	X(DROP, 0, 0x1a, "drop", NONE, SP, 0) \
	X(SELECT, 0, 0x1b, "select", NONE, SP, 0) \
	X(SELECT_T, 0, 0x1c, "select", SELT, SP, 0) \
	/* variables */ \
	X(LOCAL_GET, 0, 0x20, "local.get", LOCAL, SP, 0) \
	X(LOCAL_SET, 0, 0x21, "local.set", LOCAL, SP, 0) \
	X(LOCAL_TEE, 0, 0x22, "local.tee", LOCAL, SP, 0) \
	X(GLOBAL_GET, 0, 0x23, "global.get", GLOBAL, SP, 0) \
	X(GLOBAL_SET, 0, 0x24, "global.set", GLOBAL, SP, 0) \
	X(TABLE_GET, 0, 0x25, "table.get", TABLE, SP, 0) \
	X(TABLE_SET, 0, 0x26, "table.set", TABLE, SP, 0) \
	/* memory */ \
	X(I32_LOAD, 0, 0x28, "i32.load", M2, Li, ld_le32(m)) \
	X(I64_LOAD, 0, 0x29, "i64.load", M3, Ll, ld_le64(m)) \
	X(F32_LOAD, 0, 0x2a, "f32.load", M2, Lf, f32_from(ld_le32(m))) \
	X(F64_LOAD, 0, 0x2b, "f64.load", M3, Ld, f64_from(ld_le64(m))) \
	X(I32_LOAD8_S, 0, 0x2c, "i32.load8_s", M0, Li, (uint32_t)(int8_t)ld_le8(m)) \
	X(I32_LOAD8_U, 0, 0x2d, "i32.load8_u", M0, Li, ld_le8(m)) \
	X(I32_LOAD16_S, 0, 0x2e, "i32.load16_s", M1, Li, (uint32_t)(int16_t)ld_le16(m)) \
	X(I32_LOAD16_U, 0, 0x2f, "i32.load16_u", M1, Li, ld_le16(m)) \
	X(I64_LOAD8_S, 0, 0x30, "i64.load8_s", M0, Ll, (uint64_t)(int8_t)ld_le8(m)) \
	X(I64_LOAD8_U, 0, 0x31, "i64.load8_u", M0, Ll, ld_le8(m)) \
	X(I64_LOAD16_S, 0, 0x32, "i64.load16_s", M1, Ll, (uint64_t)(int16_t)ld_le16(m)) \
	X(I64_LOAD16_U, 0, 0x33, "i64.load16_u", M1, Ll, ld_le16(m)) \
	X(I64_LOAD32_S, 0, 0x34, "i64.load32_s", M2, Ll, (uint64_t)(int32_t)ld_le32(m)) \
	X(I64_LOAD32_U, 0, 0x35, "i64.load32_u", M2, Ll, ld_le32(m)) \
	X(I32_STORE, 0, 0x36, "i32.store", M2, Si, st_le32(m, b)) \
	X(I64_STORE, 0, 0x37, "i64.store", M3, Sl, st_le64(m, b)) \
	X(F32_STORE, 0, 0x38, "f32.store", M2, Sf, st_le32(m, f32_bits(b))) \
	X(F64_STORE, 0, 0x39, "f64.store", M3, Sd, st_le64(m, f64_bits(b))) \
	X(I32_STORE8, 0, 0x3a, "i32.store8", M0, Si, st_le8(m, (uint8_t)b)) \
	X(I32_STORE16, 0, 0x3b, "i32.store16", M1, Si, st_le16(m, (uint16_t)b)) \
	X(I64_STORE8, 0, 0x3c, "i64.store8", M0, Sl, st_le8(m, (uint8_t)b)) \
	X(I64_STORE16, 0, 0x3d, "i64.store16", M1, Sl, st_le16(m, (uint16_t)b)) \
	X(I64_STORE32, 0, 0x3e, "i64.store32", M2, Sl, st_le32(m, (uint32_t)b)) \
	X(MEMORY_SIZE, 0, 0x3f, "memory.size", MEM0, SP, 0) \
	X(MEMORY_GROW, 0, 0x40, "memory.grow", MEM0, SP, 0) \
	/* constants */ \
	X(I32_CONST, 0, 0x41, "i32.const", I32, SP, 0) \
	X(I64_CONST, 0, 0x42, "i64.const", I64, SP, 0) \
	X(F32_CONST, 0, 0x43, "f32.const", F32, SP, 0) \
	X(F64_CONST, 0, 0x44, "f64.const", F64, SP, 0) \
	/* i32 comparisons */ \
	X(I32_EQZ, 0, 0x45, "i32.eqz", NONE, i_i, a == 0) \
	X(I32_EQ, 0, 0x46, "i32.eq", NONE, ii_i, a == b) \
	X(I32_NE, 0, 0x47, "i32.ne", NONE, ii_i, a != b) \
	X(I32_LT_S, 0, 0x48, "i32.lt_s", NONE, ii_i, (int32_t)a < (int32_t)b) \
	X(I32_LT_U, 0, 0x49, "i32.lt_u", NONE, ii_i, a < b) \
	X(I32_GT_S, 0, 0x4a, "i32.gt_s", NONE, ii_i, (int32_t)a > (int32_t)b) \
	X(I32_GT_U, 0, 0x4b, "i32.gt_u", NONE, ii_i, a > b) \
	X(I32_LE_S, 0, 0x4c, "i32.le_s", NONE, ii_i, (int32_t)a <= (int32_t)b) \
	X(I32_LE_U, 0, 0x4d, "i32.le_u", NONE, ii_i, a <= b) \
	X(I32_GE_S, 0, 0x4e, "i32.ge_s", NONE, ii_i, (int32_t)a >= (int32_t)b) \
	X(I32_GE_U, 0, 0x4f, "i32.ge_u", NONE, ii_i, a >= b) \
	/* i64 comparisons */ \
	X(I64_EQZ, 0, 0x50, "i64.eqz", NONE, l_i, a == 0) \
	X(I64_EQ, 0, 0x51, "i64.eq", NONE, ll_i, a == b) \
	X(I64_NE, 0, 0x52, "i64.ne", NONE, ll_i, a != b) \
	X(I64_LT_S, 0, 0x53, "i64.lt_s", NONE, ll_i, (int64_t)a < (int64_t)b) \
	X(I64_LT_U, 0, 0x54, "i64.lt_u", NONE, ll_i, a < b) \
	X(I64_GT_S, 0, 0x55, "i64.gt_s", NONE, ll_i, (int64_t)a > (int64_t)b) \
	X(I64_GT_U, 0, 0x56, "i64.gt_u", NONE, ll_i, a > b) \
	X(I64_LE_S, 0, 0x57, "i64.le_s", NONE, ll_i, (int64_t)a <= (int64_t)b) \
	X(I64_LE_U, 0, 0x58, "i64.le_u", NONE, ll_i, a <= b) \
	X(I64_GE_S, 0, 0x59, "i64.ge_s", NONE, ll_i, (int64_t)a >= (int64_t)b) \
	X(I64_GE_U, 0, 0x5a, "i64.ge_u", NONE, ll_i, a >= b) \
	/* float comparisons */ \
	X(F32_EQ, 0, 0x5b, "f32.eq", NONE, ff_i, a == b) \
	X(F32_NE, 0, 0x5c, "f32.ne", NONE, ff_i, a != b) \
	X(F32_LT, 0, 0x5d, "f32.lt", NONE, ff_i, a < b) \
	X(F32_GT, 0, 0x5e, "f32.gt", NONE, ff_i, a > b) \
	X(F32_LE, 0, 0x5f, "f32.le", NONE, ff_i, a <= b) \
	X(F32_GE, 0, 0x60, "f32.ge", NONE, ff_i, a >= b) \
	X(F64_EQ, 0, 0x61, "f64.eq", NONE, dd_i, a == b) \
	X(F64_NE, 0, 0x62, "f64.ne", NONE, dd_i, a != b) \
	X(F64_LT, 0, 0x63, "f64.lt", NONE, dd_i, a < b) \
	X(F64_GT, 0, 0x64, "f64.gt", NONE, dd_i, a > b) \
	X(F64_LE, 0, 0x65, "f64.le", NONE, dd_i, a <= b) \
	X(F64_GE, 0, 0x66, "f64.ge", NONE, dd_i, a >= b) \
	/* i32 arithmetic */ \
	X(I32_CLZ, 0, 0x67, "i32.clz", NONE, i_i, wa_clz32(a)) \
	X(I32_CTZ, 0, 0x68, "i32.ctz", NONE, i_i, wa_ctz32(a)) \
	X(I32_POPCNT, 0, 0x69, "i32.popcnt", NONE, i_i, (uint32_t)__builtin_popcount(a)) \
	X(I32_ADD, 0, 0x6a, "i32.add", NONE, ii_i, a + b) \
	X(I32_SUB, 0, 0x6b, "i32.sub", NONE, ii_i, a - b) \
	X(I32_MUL, 0, 0x6c, "i32.mul", NONE, ii_i, a * b) \
	X(I32_DIV_S, 0, 0x6d, "i32.div_s", NONE, ii_i, ({ if (!b) TRAP(WA_TRAP_DIV0); \
		if (a == 0x80000000u && b == 0xffffffffu) TRAP(WA_TRAP_OVERFLOW); (uint32_t)((int32_t)a / (int32_t)b); })) \
	X(I32_DIV_U, 0, 0x6e, "i32.div_u", NONE, ii_i, ({ if (!b) TRAP(WA_TRAP_DIV0); a / b; })) \
	X(I32_REM_S, 0, 0x6f, "i32.rem_s", NONE, ii_i, ({ if (!b) TRAP(WA_TRAP_DIV0); \
		b == 0xffffffffu ? 0 : (uint32_t)((int32_t)a % (int32_t)b); })) \
	X(I32_REM_U, 0, 0x70, "i32.rem_u", NONE, ii_i, ({ if (!b) TRAP(WA_TRAP_DIV0); a % b; })) \
	X(I32_AND, 0, 0x71, "i32.and", NONE, ii_i, a & b) \
	X(I32_OR, 0, 0x72, "i32.or", NONE, ii_i, a | b) \
	X(I32_XOR, 0, 0x73, "i32.xor", NONE, ii_i, a ^ b) \
	X(I32_SHL, 0, 0x74, "i32.shl", NONE, ii_i, a << (b & 31)) \
	X(I32_SHR_S, 0, 0x75, "i32.shr_s", NONE, ii_i, wa_shrs32(a, b)) \
	X(I32_SHR_U, 0, 0x76, "i32.shr_u", NONE, ii_i, a >> (b & 31)) \
	X(I32_ROTL, 0, 0x77, "i32.rotl", NONE, ii_i, wa_rotl32(a, b)) \
	X(I32_ROTR, 0, 0x78, "i32.rotr", NONE, ii_i, wa_rotr32(a, b)) \
	/* i64 arithmetic */ \
	X(I64_CLZ, 0, 0x79, "i64.clz", NONE, l_l, wa_clz64(a)) \
	X(I64_CTZ, 0, 0x7a, "i64.ctz", NONE, l_l, wa_ctz64(a)) \
	X(I64_POPCNT, 0, 0x7b, "i64.popcnt", NONE, l_l, (uint64_t)__builtin_popcountll(a)) \
	X(I64_ADD, 0, 0x7c, "i64.add", NONE, ll_l, a + b) \
	X(I64_SUB, 0, 0x7d, "i64.sub", NONE, ll_l, a - b) \
	X(I64_MUL, 0, 0x7e, "i64.mul", NONE, ll_l, a * b) \
	X(I64_DIV_S, 0, 0x7f, "i64.div_s", NONE, ll_l, ({ if (!b) TRAP(WA_TRAP_DIV0); \
		if (a == 0x8000000000000000ull && b == ~0ull) TRAP(WA_TRAP_OVERFLOW); (uint64_t)((int64_t)a / (int64_t)b); })) \
	X(I64_DIV_U, 0, 0x80, "i64.div_u", NONE, ll_l, ({ if (!b) TRAP(WA_TRAP_DIV0); a / b; })) \
	X(I64_REM_S, 0, 0x81, "i64.rem_s", NONE, ll_l, ({ if (!b) TRAP(WA_TRAP_DIV0); \
		b == ~0ull ? 0 : (uint64_t)((int64_t)a % (int64_t)b); })) \
	X(I64_REM_U, 0, 0x82, "i64.rem_u", NONE, ll_l, ({ if (!b) TRAP(WA_TRAP_DIV0); a % b; })) \
	X(I64_AND, 0, 0x83, "i64.and", NONE, ll_l, a & b) \
	X(I64_OR, 0, 0x84, "i64.or", NONE, ll_l, a | b) \
	X(I64_XOR, 0, 0x85, "i64.xor", NONE, ll_l, a ^ b) \
	X(I64_SHL, 0, 0x86, "i64.shl", NONE, ll_l, a << (b & 63)) \
	X(I64_SHR_S, 0, 0x87, "i64.shr_s", NONE, ll_l, wa_shrs64(a, b)) \
	X(I64_SHR_U, 0, 0x88, "i64.shr_u", NONE, ll_l, a >> (b & 63)) \
	X(I64_ROTL, 0, 0x89, "i64.rotl", NONE, ll_l, wa_rotl64(a, b)) \
	X(I64_ROTR, 0, 0x8a, "i64.rotr", NONE, ll_l, wa_rotr64(a, b)) \
	/* f32 arithmetic */ \
	X(F32_ABS, 0, 0x8b, "f32.abs", NONE, f_f, wa_fabsf(a)) \
	X(F32_NEG, 0, 0x8c, "f32.neg", NONE, f_f, wa_fnegf(a)) \
	X(F32_CEIL, 0, 0x8d, "f32.ceil", NONE, f_f, wa_ceilf(a)) \
	X(F32_FLOOR, 0, 0x8e, "f32.floor", NONE, f_f, wa_floorf(a)) \
	X(F32_TRUNC, 0, 0x8f, "f32.trunc", NONE, f_f, wa_truncf(a)) \
	X(F32_NEAREST, 0, 0x90, "f32.nearest", NONE, f_f, wa_nearestf(a)) \
	X(F32_SQRT, 0, 0x91, "f32.sqrt", NONE, f_f, sqrtf(a)) \
	X(F32_ADD, 0, 0x92, "f32.add", NONE, ff_f, a + b) \
	X(F32_SUB, 0, 0x93, "f32.sub", NONE, ff_f, a - b) \
	X(F32_MUL, 0, 0x94, "f32.mul", NONE, ff_f, a * b) \
	X(F32_DIV, 0, 0x95, "f32.div", NONE, ff_f, a / b) \
	X(F32_MIN, 0, 0x96, "f32.min", NONE, ff_f, wa_fminf(a, b)) \
	X(F32_MAX, 0, 0x97, "f32.max", NONE, ff_f, wa_fmaxf(a, b)) \
	X(F32_COPYSIGN, 0, 0x98, "f32.copysign", NONE, ff_f, wa_fcopysignf(a, b)) \
	/* f64 arithmetic */ \
	X(F64_ABS, 0, 0x99, "f64.abs", NONE, d_d, wa_fabs(a)) \
	X(F64_NEG, 0, 0x9a, "f64.neg", NONE, d_d, wa_fneg(a)) \
	X(F64_CEIL, 0, 0x9b, "f64.ceil", NONE, d_d, wa_ceil(a)) \
	X(F64_FLOOR, 0, 0x9c, "f64.floor", NONE, d_d, wa_floor(a)) \
	X(F64_TRUNC, 0, 0x9d, "f64.trunc", NONE, d_d, wa_trunc(a)) \
	X(F64_NEAREST, 0, 0x9e, "f64.nearest", NONE, d_d, wa_nearest(a)) \
	X(F64_SQRT, 0, 0x9f, "f64.sqrt", NONE, d_d, sqrt(a)) \
	X(F64_ADD, 0, 0xa0, "f64.add", NONE, dd_d, a + b) \
	X(F64_SUB, 0, 0xa1, "f64.sub", NONE, dd_d, a - b) \
	X(F64_MUL, 0, 0xa2, "f64.mul", NONE, dd_d, a * b) \
	X(F64_DIV, 0, 0xa3, "f64.div", NONE, dd_d, a / b) \
	X(F64_MIN, 0, 0xa4, "f64.min", NONE, dd_d, wa_fmin(a, b)) \
	X(F64_MAX, 0, 0xa5, "f64.max", NONE, dd_d, wa_fmax(a, b)) \
	X(F64_COPYSIGN, 0, 0xa6, "f64.copysign", NONE, dd_d, wa_fcopysign(a, b)) \
	/* conversions */ \
	X(I32_WRAP_I64, 0, 0xa7, "i32.wrap_i64", NONE, l_i, (uint32_t)a) \
	X(I32_TRUNC_F32_S, 0, 0xa8, "i32.trunc_f32_s", NONE, f_i, TRUNC(i32, int32_t, a)) \
	X(I32_TRUNC_F32_U, 0, 0xa9, "i32.trunc_f32_u", NONE, f_i, TRUNC(u32, uint32_t, a)) \
	X(I32_TRUNC_F64_S, 0, 0xaa, "i32.trunc_f64_s", NONE, d_i, TRUNC(i32, int32_t, a)) \
	X(I32_TRUNC_F64_U, 0, 0xab, "i32.trunc_f64_u", NONE, d_i, TRUNC(u32, uint32_t, a)) \
	X(I64_EXTEND_I32_S, 0, 0xac, "i64.extend_i32_s", NONE, i_l, (uint64_t)(int32_t)a) \
	X(I64_EXTEND_I32_U, 0, 0xad, "i64.extend_i32_u", NONE, i_l, (uint64_t)a) \
	X(I64_TRUNC_F32_S, 0, 0xae, "i64.trunc_f32_s", NONE, f_l, TRUNC(i64, int64_t, a)) \
	X(I64_TRUNC_F32_U, 0, 0xaf, "i64.trunc_f32_u", NONE, f_l, TRUNC(u64, uint64_t, a)) \
	X(I64_TRUNC_F64_S, 0, 0xb0, "i64.trunc_f64_s", NONE, d_l, TRUNC(i64, int64_t, a)) \
	X(I64_TRUNC_F64_U, 0, 0xb1, "i64.trunc_f64_u", NONE, d_l, TRUNC(u64, uint64_t, a)) \
	X(F32_CONVERT_I32_S, 0, 0xb2, "f32.convert_i32_s", NONE, i_f, (float)(int32_t)a) \
	X(F32_CONVERT_I32_U, 0, 0xb3, "f32.convert_i32_u", NONE, i_f, (float)a) \
	X(F32_CONVERT_I64_S, 0, 0xb4, "f32.convert_i64_s", NONE, l_f, (float)(int64_t)a) \
	X(F32_CONVERT_I64_U, 0, 0xb5, "f32.convert_i64_u", NONE, l_f, (float)a) \
	X(F32_DEMOTE_F64, 0, 0xb6, "f32.demote_f64", NONE, d_f, (float)a) \
	X(F64_CONVERT_I32_S, 0, 0xb7, "f64.convert_i32_s", NONE, i_d, (double)(int32_t)a) \
	X(F64_CONVERT_I32_U, 0, 0xb8, "f64.convert_i32_u", NONE, i_d, (double)a) \
	X(F64_CONVERT_I64_S, 0, 0xb9, "f64.convert_i64_s", NONE, l_d, (double)(int64_t)a) \
	X(F64_CONVERT_I64_U, 0, 0xba, "f64.convert_i64_u", NONE, l_d, (double)a) \
	X(F64_PROMOTE_F32, 0, 0xbb, "f64.promote_f32", NONE, f_d, (double)a) \
	X(I32_REINTERPRET_F32, 0, 0xbc, "i32.reinterpret_f32", NONE, f_i, f32_bits(a)) \
	X(I64_REINTERPRET_F64, 0, 0xbd, "i64.reinterpret_f64", NONE, d_l, f64_bits(a)) \
	X(F32_REINTERPRET_I32, 0, 0xbe, "f32.reinterpret_i32", NONE, i_f, f32_from(a)) \
	X(F64_REINTERPRET_I64, 0, 0xbf, "f64.reinterpret_i64", NONE, l_d, f64_from(a)) \
	/* sign extension */ \
	X(I32_EXTEND8_S, 0, 0xc0, "i32.extend8_s", NONE, i_i, (uint32_t)(int8_t)a) \
	X(I32_EXTEND16_S, 0, 0xc1, "i32.extend16_s", NONE, i_i, (uint32_t)(int16_t)a) \
	X(I64_EXTEND8_S, 0, 0xc2, "i64.extend8_s", NONE, l_l, (uint64_t)(int8_t)a) \
	X(I64_EXTEND16_S, 0, 0xc3, "i64.extend16_s", NONE, l_l, (uint64_t)(int16_t)a) \
	X(I64_EXTEND32_S, 0, 0xc4, "i64.extend32_s", NONE, l_l, (uint64_t)(int32_t)a) \
	/* reference types */ \
	X(REF_NULL, 0, 0xd0, "ref.null", REFT, SP, 0) \
	X(REF_IS_NULL, 0, 0xd1, "ref.is_null", NONE, SP, 0) \
	X(REF_FUNC, 0, 0xd2, "ref.func", FUNC, SP, 0) \
	/* 0xFC: saturating truncation, bulk memory, tables */ \
	X(I32_TRUNC_SAT_F32_S, 0xfc, 0, "i32.trunc_sat_f32_s", NONE, f_i, wa_sat_i32(a)) \
	X(I32_TRUNC_SAT_F32_U, 0xfc, 1, "i32.trunc_sat_f32_u", NONE, f_i, wa_sat_u32(a)) \
	X(I32_TRUNC_SAT_F64_S, 0xfc, 2, "i32.trunc_sat_f64_s", NONE, d_i, wa_sat_i32(a)) \
	X(I32_TRUNC_SAT_F64_U, 0xfc, 3, "i32.trunc_sat_f64_u", NONE, d_i, wa_sat_u32(a)) \
	X(I64_TRUNC_SAT_F32_S, 0xfc, 4, "i64.trunc_sat_f32_s", NONE, f_l, wa_sat_i64(a)) \
	X(I64_TRUNC_SAT_F32_U, 0xfc, 5, "i64.trunc_sat_f32_u", NONE, f_l, wa_sat_u64(a)) \
	X(I64_TRUNC_SAT_F64_S, 0xfc, 6, "i64.trunc_sat_f64_s", NONE, d_l, wa_sat_i64(a)) \
	X(I64_TRUNC_SAT_F64_U, 0xfc, 7, "i64.trunc_sat_f64_u", NONE, d_l, wa_sat_u64(a)) \
	X(MEMORY_INIT, 0xfc, 8, "memory.init", MINIT, SP, 0) \
	X(DATA_DROP, 0xfc, 9, "data.drop", DATA, SP, 0) \
	X(MEMORY_COPY, 0xfc, 10, "memory.copy", MCOPY, SP, 0) \
	X(MEMORY_FILL, 0xfc, 11, "memory.fill", MEM0, SP, 0) \
	X(TABLE_INIT, 0xfc, 12, "table.init", TINIT, SP, 0) \
	X(ELEM_DROP, 0xfc, 13, "elem.drop", ELEM, SP, 0) \
	X(TABLE_COPY, 0xfc, 14, "table.copy", TCOPY, SP, 0) \
	X(TABLE_GROW, 0xfc, 15, "table.grow", TABLE, SP, 0) \
	X(TABLE_SIZE, 0xfc, 16, "table.size", TABLE, SP, 0) \
	X(TABLE_FILL, 0xfc, 17, "table.fill", TABLE, SP, 0) \
	WA_SIMD_OPCODES(X)

/* 0xFD: fixed-width SIMD. */
#define WA_SIMD_OPCODES(X) \
	X(V128_LOAD, 0xfd, 0, "v128.load", M4, Lv, v_load(m)) \
	X(V128_LOAD8X8_S, 0xfd, 1, "v128.load8x8_s", M3, Lv, v_load8x8_s(m)) \
	X(V128_LOAD8X8_U, 0xfd, 2, "v128.load8x8_u", M3, Lv, v_load8x8_u(m)) \
	X(V128_LOAD16X4_S, 0xfd, 3, "v128.load16x4_s", M3, Lv, v_load16x4_s(m)) \
	X(V128_LOAD16X4_U, 0xfd, 4, "v128.load16x4_u", M3, Lv, v_load16x4_u(m)) \
	X(V128_LOAD32X2_S, 0xfd, 5, "v128.load32x2_s", M3, Lv, v_load32x2_s(m)) \
	X(V128_LOAD32X2_U, 0xfd, 6, "v128.load32x2_u", M3, Lv, v_load32x2_u(m)) \
	X(V128_LOAD8_SPLAT, 0xfd, 7, "v128.load8_splat", M0, Lv, vi8_splat(ld_le8(m))) \
	X(V128_LOAD16_SPLAT, 0xfd, 8, "v128.load16_splat", M1, Lv, vi16_splat(ld_le16(m))) \
	X(V128_LOAD32_SPLAT, 0xfd, 9, "v128.load32_splat", M2, Lv, vi32_splat(ld_le32(m))) \
	X(V128_LOAD64_SPLAT, 0xfd, 10, "v128.load64_splat", M3, Lv, vi64_splat(ld_le64(m))) \
	X(V128_STORE, 0xfd, 11, "v128.store", M4, Sv, v_store(m, b)) \
	X(V128_CONST, 0xfd, 12, "v128.const", V128, SP, 0) \
	X(I8X16_SHUFFLE, 0xfd, 13, "i8x16.shuffle", SHUF, SP, 0) \
	X(I8X16_SWIZZLE, 0xfd, 14, "i8x16.swizzle", NONE, vv_v, vi8_swizzle(a, b)) \
	X(I8X16_SPLAT, 0xfd, 15, "i8x16.splat", NONE, i_v, vi8_splat((uint8_t)a)) \
	X(I16X8_SPLAT, 0xfd, 16, "i16x8.splat", NONE, i_v, vi16_splat((uint16_t)a)) \
	X(I32X4_SPLAT, 0xfd, 17, "i32x4.splat", NONE, i_v, vi32_splat(a)) \
	X(I64X2_SPLAT, 0xfd, 18, "i64x2.splat", NONE, l_v, vi64_splat(a)) \
	X(F32X4_SPLAT, 0xfd, 19, "f32x4.splat", NONE, f_v, vf32_splat(a)) \
	X(F64X2_SPLAT, 0xfd, 20, "f64x2.splat", NONE, d_v, vf64_splat(a)) \
	X(I8X16_EXTRACT_LANE_S, 0xfd, 21, "i8x16.extract_lane_s", L16, v_i, (uint32_t)a.i8[lane]) \
	X(I8X16_EXTRACT_LANE_U, 0xfd, 22, "i8x16.extract_lane_u", L16, v_i, a.u8[lane]) \
	X(I8X16_REPLACE_LANE, 0xfd, 23, "i8x16.replace_lane", L16, vi_v, V_REPLACE(u8, (uint8_t)b)) \
	X(I16X8_EXTRACT_LANE_S, 0xfd, 24, "i16x8.extract_lane_s", L8, v_i, (uint32_t)a.i16[lane]) \
	X(I16X8_EXTRACT_LANE_U, 0xfd, 25, "i16x8.extract_lane_u", L8, v_i, a.u16[lane]) \
	X(I16X8_REPLACE_LANE, 0xfd, 26, "i16x8.replace_lane", L8, vi_v, V_REPLACE(u16, (uint16_t)b)) \
	X(I32X4_EXTRACT_LANE, 0xfd, 27, "i32x4.extract_lane", L4, v_i, a.u32[lane]) \
	X(I32X4_REPLACE_LANE, 0xfd, 28, "i32x4.replace_lane", L4, vi_v, V_REPLACE(u32, b)) \
	X(I64X2_EXTRACT_LANE, 0xfd, 29, "i64x2.extract_lane", L2, v_l, a.u64[lane]) \
	X(I64X2_REPLACE_LANE, 0xfd, 30, "i64x2.replace_lane", L2, vl_v, V_REPLACE(u64, b)) \
	X(F32X4_EXTRACT_LANE, 0xfd, 31, "f32x4.extract_lane", L4, v_f, a.f32[lane]) \
	X(F32X4_REPLACE_LANE, 0xfd, 32, "f32x4.replace_lane", L4, vf_v, V_REPLACE(f32, b)) \
	X(F64X2_EXTRACT_LANE, 0xfd, 33, "f64x2.extract_lane", L2, v_d, a.f64[lane]) \
	X(F64X2_REPLACE_LANE, 0xfd, 34, "f64x2.replace_lane", L2, vd_v, V_REPLACE(f64, b)) \
	X(I8X16_EQ, 0xfd, 35, "i8x16.eq", NONE, vv_v, vi8_eq(a, b)) \
	X(I8X16_NE, 0xfd, 36, "i8x16.ne", NONE, vv_v, vi8_ne(a, b)) \
	X(I8X16_LT_S, 0xfd, 37, "i8x16.lt_s", NONE, vv_v, vi8_lt_s(a, b)) \
	X(I8X16_LT_U, 0xfd, 38, "i8x16.lt_u", NONE, vv_v, vi8_lt_u(a, b)) \
	X(I8X16_GT_S, 0xfd, 39, "i8x16.gt_s", NONE, vv_v, vi8_gt_s(a, b)) \
	X(I8X16_GT_U, 0xfd, 40, "i8x16.gt_u", NONE, vv_v, vi8_gt_u(a, b)) \
	X(I8X16_LE_S, 0xfd, 41, "i8x16.le_s", NONE, vv_v, vi8_le_s(a, b)) \
	X(I8X16_LE_U, 0xfd, 42, "i8x16.le_u", NONE, vv_v, vi8_le_u(a, b)) \
	X(I8X16_GE_S, 0xfd, 43, "i8x16.ge_s", NONE, vv_v, vi8_ge_s(a, b)) \
	X(I8X16_GE_U, 0xfd, 44, "i8x16.ge_u", NONE, vv_v, vi8_ge_u(a, b)) \
	X(I16X8_EQ, 0xfd, 45, "i16x8.eq", NONE, vv_v, vi16_eq(a, b)) \
	X(I16X8_NE, 0xfd, 46, "i16x8.ne", NONE, vv_v, vi16_ne(a, b)) \
	X(I16X8_LT_S, 0xfd, 47, "i16x8.lt_s", NONE, vv_v, vi16_lt_s(a, b)) \
	X(I16X8_LT_U, 0xfd, 48, "i16x8.lt_u", NONE, vv_v, vi16_lt_u(a, b)) \
	X(I16X8_GT_S, 0xfd, 49, "i16x8.gt_s", NONE, vv_v, vi16_gt_s(a, b)) \
	X(I16X8_GT_U, 0xfd, 50, "i16x8.gt_u", NONE, vv_v, vi16_gt_u(a, b)) \
	X(I16X8_LE_S, 0xfd, 51, "i16x8.le_s", NONE, vv_v, vi16_le_s(a, b)) \
	X(I16X8_LE_U, 0xfd, 52, "i16x8.le_u", NONE, vv_v, vi16_le_u(a, b)) \
	X(I16X8_GE_S, 0xfd, 53, "i16x8.ge_s", NONE, vv_v, vi16_ge_s(a, b)) \
	X(I16X8_GE_U, 0xfd, 54, "i16x8.ge_u", NONE, vv_v, vi16_ge_u(a, b)) \
	X(I32X4_EQ, 0xfd, 55, "i32x4.eq", NONE, vv_v, vi32_eq(a, b)) \
	X(I32X4_NE, 0xfd, 56, "i32x4.ne", NONE, vv_v, vi32_ne(a, b)) \
	X(I32X4_LT_S, 0xfd, 57, "i32x4.lt_s", NONE, vv_v, vi32_lt_s(a, b)) \
	X(I32X4_LT_U, 0xfd, 58, "i32x4.lt_u", NONE, vv_v, vi32_lt_u(a, b)) \
	X(I32X4_GT_S, 0xfd, 59, "i32x4.gt_s", NONE, vv_v, vi32_gt_s(a, b)) \
	X(I32X4_GT_U, 0xfd, 60, "i32x4.gt_u", NONE, vv_v, vi32_gt_u(a, b)) \
	X(I32X4_LE_S, 0xfd, 61, "i32x4.le_s", NONE, vv_v, vi32_le_s(a, b)) \
	X(I32X4_LE_U, 0xfd, 62, "i32x4.le_u", NONE, vv_v, vi32_le_u(a, b)) \
	X(I32X4_GE_S, 0xfd, 63, "i32x4.ge_s", NONE, vv_v, vi32_ge_s(a, b)) \
	X(I32X4_GE_U, 0xfd, 64, "i32x4.ge_u", NONE, vv_v, vi32_ge_u(a, b)) \
	X(F32X4_EQ, 0xfd, 65, "f32x4.eq", NONE, vv_v, vf32_eq(a, b)) \
	X(F32X4_NE, 0xfd, 66, "f32x4.ne", NONE, vv_v, vf32_ne(a, b)) \
	X(F32X4_LT, 0xfd, 67, "f32x4.lt", NONE, vv_v, vf32_lt(a, b)) \
	X(F32X4_GT, 0xfd, 68, "f32x4.gt", NONE, vv_v, vf32_gt(a, b)) \
	X(F32X4_LE, 0xfd, 69, "f32x4.le", NONE, vv_v, vf32_le(a, b)) \
	X(F32X4_GE, 0xfd, 70, "f32x4.ge", NONE, vv_v, vf32_ge(a, b)) \
	X(F64X2_EQ, 0xfd, 71, "f64x2.eq", NONE, vv_v, vf64_eq(a, b)) \
	X(F64X2_NE, 0xfd, 72, "f64x2.ne", NONE, vv_v, vf64_ne(a, b)) \
	X(F64X2_LT, 0xfd, 73, "f64x2.lt", NONE, vv_v, vf64_lt(a, b)) \
	X(F64X2_GT, 0xfd, 74, "f64x2.gt", NONE, vv_v, vf64_gt(a, b)) \
	X(F64X2_LE, 0xfd, 75, "f64x2.le", NONE, vv_v, vf64_le(a, b)) \
	X(F64X2_GE, 0xfd, 76, "f64x2.ge", NONE, vv_v, vf64_ge(a, b)) \
	X(V128_NOT, 0xfd, 77, "v128.not", NONE, v_v, v128_not(a)) \
	X(V128_AND, 0xfd, 78, "v128.and", NONE, vv_v, v128_and(a, b)) \
	X(V128_ANDNOT, 0xfd, 79, "v128.andnot", NONE, vv_v, v128_andnot(a, b)) \
	X(V128_OR, 0xfd, 80, "v128.or", NONE, vv_v, v128_or(a, b)) \
	X(V128_XOR, 0xfd, 81, "v128.xor", NONE, vv_v, v128_xor(a, b)) \
	X(V128_BITSELECT, 0xfd, 82, "v128.bitselect", NONE, vvv_v, v128_bitselect(a, b, c)) \
	X(V128_ANY_TRUE, 0xfd, 83, "v128.any_true", NONE, v_i, v128_any_true(a)) \
	X(V128_LOAD8_LANE, 0xfd, 84, "v128.load8_lane", ML0, LLv, V_REPLACE(u8, ld_le8(m))) \
	X(V128_LOAD16_LANE, 0xfd, 85, "v128.load16_lane", ML1, LLv, V_REPLACE(u16, ld_le16(m))) \
	X(V128_LOAD32_LANE, 0xfd, 86, "v128.load32_lane", ML2, LLv, V_REPLACE(u32, ld_le32(m))) \
	X(V128_LOAD64_LANE, 0xfd, 87, "v128.load64_lane", ML3, LLv, V_REPLACE(u64, ld_le64(m))) \
	X(V128_STORE8_LANE, 0xfd, 88, "v128.store8_lane", ML0, SLv, st_le8(m, b.u8[lane])) \
	X(V128_STORE16_LANE, 0xfd, 89, "v128.store16_lane", ML1, SLv, st_le16(m, b.u16[lane])) \
	X(V128_STORE32_LANE, 0xfd, 90, "v128.store32_lane", ML2, SLv, st_le32(m, b.u32[lane])) \
	X(V128_STORE64_LANE, 0xfd, 91, "v128.store64_lane", ML3, SLv, st_le64(m, b.u64[lane])) \
	X(V128_LOAD32_ZERO, 0xfd, 92, "v128.load32_zero", M2, Lv, v_load_zero32(m)) \
	X(V128_LOAD64_ZERO, 0xfd, 93, "v128.load64_zero", M3, Lv, v_load_zero64(m)) \
	X(F32X4_DEMOTE_F64X2_ZERO, 0xfd, 94, "f32x4.demote_f64x2_zero", NONE, v_v, vf32_demote_zero(a)) \
	X(F64X2_PROMOTE_LOW_F32X4, 0xfd, 95, "f64x2.promote_low_f32x4", NONE, v_v, vf64_promote_low(a)) \
	X(I8X16_ABS, 0xfd, 96, "i8x16.abs", NONE, v_v, vi8_abs(a)) \
	X(I8X16_NEG, 0xfd, 97, "i8x16.neg", NONE, v_v, vi8_neg(a)) \
	X(I8X16_POPCNT, 0xfd, 98, "i8x16.popcnt", NONE, v_v, vi8_popcnt(a)) \
	X(I8X16_ALL_TRUE, 0xfd, 99, "i8x16.all_true", NONE, v_i, vi8_all_true(a)) \
	X(I8X16_BITMASK, 0xfd, 100, "i8x16.bitmask", NONE, v_i, vi8_bitmask(a)) \
	X(I8X16_NARROW_I16X8_S, 0xfd, 101, "i8x16.narrow_i16x8_s", NONE, vv_v, vi8_narrow_s(a, b)) \
	X(I8X16_NARROW_I16X8_U, 0xfd, 102, "i8x16.narrow_i16x8_u", NONE, vv_v, vi8_narrow_u(a, b)) \
	X(F32X4_CEIL, 0xfd, 103, "f32x4.ceil", NONE, v_v, vf32_ceil(a)) \
	X(F32X4_FLOOR, 0xfd, 104, "f32x4.floor", NONE, v_v, vf32_floor(a)) \
	X(F32X4_TRUNC, 0xfd, 105, "f32x4.trunc", NONE, v_v, vf32_trunc(a)) \
	X(F32X4_NEAREST, 0xfd, 106, "f32x4.nearest", NONE, v_v, vf32_nearest(a)) \
	X(I8X16_SHL, 0xfd, 107, "i8x16.shl", NONE, vi_v, vi8_shl(a, b)) \
	X(I8X16_SHR_S, 0xfd, 108, "i8x16.shr_s", NONE, vi_v, vi8_shr_s(a, b)) \
	X(I8X16_SHR_U, 0xfd, 109, "i8x16.shr_u", NONE, vi_v, vi8_shr_u(a, b)) \
	X(I8X16_ADD, 0xfd, 110, "i8x16.add", NONE, vv_v, vi8_add(a, b)) \
	X(I8X16_ADD_SAT_S, 0xfd, 111, "i8x16.add_sat_s", NONE, vv_v, vi8_add_sat_s(a, b)) \
	X(I8X16_ADD_SAT_U, 0xfd, 112, "i8x16.add_sat_u", NONE, vv_v, vi8_add_sat_u(a, b)) \
	X(I8X16_SUB, 0xfd, 113, "i8x16.sub", NONE, vv_v, vi8_sub(a, b)) \
	X(I8X16_SUB_SAT_S, 0xfd, 114, "i8x16.sub_sat_s", NONE, vv_v, vi8_sub_sat_s(a, b)) \
	X(I8X16_SUB_SAT_U, 0xfd, 115, "i8x16.sub_sat_u", NONE, vv_v, vi8_sub_sat_u(a, b)) \
	X(F64X2_CEIL, 0xfd, 116, "f64x2.ceil", NONE, v_v, vf64_ceil(a)) \
	X(F64X2_FLOOR, 0xfd, 117, "f64x2.floor", NONE, v_v, vf64_floor(a)) \
	X(I8X16_MIN_S, 0xfd, 118, "i8x16.min_s", NONE, vv_v, vi8_min_s(a, b)) \
	X(I8X16_MIN_U, 0xfd, 119, "i8x16.min_u", NONE, vv_v, vi8_min_u(a, b)) \
	X(I8X16_MAX_S, 0xfd, 120, "i8x16.max_s", NONE, vv_v, vi8_max_s(a, b)) \
	X(I8X16_MAX_U, 0xfd, 121, "i8x16.max_u", NONE, vv_v, vi8_max_u(a, b)) \
	X(F64X2_TRUNC, 0xfd, 122, "f64x2.trunc", NONE, v_v, vf64_trunc(a)) \
	X(I8X16_AVGR_U, 0xfd, 123, "i8x16.avgr_u", NONE, vv_v, vi8_avgr_u(a, b)) \
	X(I16X8_EXTADD_PAIRWISE_I8X16_S, 0xfd, 124, "i16x8.extadd_pairwise_i8x16_s", NONE, v_v, vi16_extadd_s(a)) \
	X(I16X8_EXTADD_PAIRWISE_I8X16_U, 0xfd, 125, "i16x8.extadd_pairwise_i8x16_u", NONE, v_v, vi16_extadd_u(a)) \
	X(I32X4_EXTADD_PAIRWISE_I16X8_S, 0xfd, 126, "i32x4.extadd_pairwise_i16x8_s", NONE, v_v, vi32_extadd_s(a)) \
	X(I32X4_EXTADD_PAIRWISE_I16X8_U, 0xfd, 127, "i32x4.extadd_pairwise_i16x8_u", NONE, v_v, vi32_extadd_u(a)) \
	X(I16X8_ABS, 0xfd, 128, "i16x8.abs", NONE, v_v, vi16_abs(a)) \
	X(I16X8_NEG, 0xfd, 129, "i16x8.neg", NONE, v_v, vi16_neg(a)) \
	X(I16X8_Q15MULR_SAT_S, 0xfd, 130, "i16x8.q15mulr_sat_s", NONE, vv_v, vi16_q15mulr_sat_s(a, b)) \
	X(I16X8_ALL_TRUE, 0xfd, 131, "i16x8.all_true", NONE, v_i, vi16_all_true(a)) \
	X(I16X8_BITMASK, 0xfd, 132, "i16x8.bitmask", NONE, v_i, vi16_bitmask(a)) \
	X(I16X8_NARROW_I32X4_S, 0xfd, 133, "i16x8.narrow_i32x4_s", NONE, vv_v, vi16_narrow_s(a, b)) \
	X(I16X8_NARROW_I32X4_U, 0xfd, 134, "i16x8.narrow_i32x4_u", NONE, vv_v, vi16_narrow_u(a, b)) \
	X(I16X8_EXTEND_LOW_I8X16_S, 0xfd, 135, "i16x8.extend_low_i8x16_s", NONE, v_v, vi16_extend_low_s(a)) \
	X(I16X8_EXTEND_HIGH_I8X16_S, 0xfd, 136, "i16x8.extend_high_i8x16_s", NONE, v_v, vi16_extend_high_s(a)) \
	X(I16X8_EXTEND_LOW_I8X16_U, 0xfd, 137, "i16x8.extend_low_i8x16_u", NONE, v_v, vi16_extend_low_u(a)) \
	X(I16X8_EXTEND_HIGH_I8X16_U, 0xfd, 138, "i16x8.extend_high_i8x16_u", NONE, v_v, vi16_extend_high_u(a)) \
	X(I16X8_SHL, 0xfd, 139, "i16x8.shl", NONE, vi_v, vi16_shl(a, b)) \
	X(I16X8_SHR_S, 0xfd, 140, "i16x8.shr_s", NONE, vi_v, vi16_shr_s(a, b)) \
	X(I16X8_SHR_U, 0xfd, 141, "i16x8.shr_u", NONE, vi_v, vi16_shr_u(a, b)) \
	X(I16X8_ADD, 0xfd, 142, "i16x8.add", NONE, vv_v, vi16_add(a, b)) \
	X(I16X8_ADD_SAT_S, 0xfd, 143, "i16x8.add_sat_s", NONE, vv_v, vi16_add_sat_s(a, b)) \
	X(I16X8_ADD_SAT_U, 0xfd, 144, "i16x8.add_sat_u", NONE, vv_v, vi16_add_sat_u(a, b)) \
	X(I16X8_SUB, 0xfd, 145, "i16x8.sub", NONE, vv_v, vi16_sub(a, b)) \
	X(I16X8_SUB_SAT_S, 0xfd, 146, "i16x8.sub_sat_s", NONE, vv_v, vi16_sub_sat_s(a, b)) \
	X(I16X8_SUB_SAT_U, 0xfd, 147, "i16x8.sub_sat_u", NONE, vv_v, vi16_sub_sat_u(a, b)) \
	X(F64X2_NEAREST, 0xfd, 148, "f64x2.nearest", NONE, v_v, vf64_nearest(a)) \
	X(I16X8_MUL, 0xfd, 149, "i16x8.mul", NONE, vv_v, vi16_mul(a, b)) \
	X(I16X8_MIN_S, 0xfd, 150, "i16x8.min_s", NONE, vv_v, vi16_min_s(a, b)) \
	X(I16X8_MIN_U, 0xfd, 151, "i16x8.min_u", NONE, vv_v, vi16_min_u(a, b)) \
	X(I16X8_MAX_S, 0xfd, 152, "i16x8.max_s", NONE, vv_v, vi16_max_s(a, b)) \
	X(I16X8_MAX_U, 0xfd, 153, "i16x8.max_u", NONE, vv_v, vi16_max_u(a, b)) \
	X(I16X8_AVGR_U, 0xfd, 155, "i16x8.avgr_u", NONE, vv_v, vi16_avgr_u(a, b)) \
	X(I16X8_EXTMUL_LOW_I8X16_S, 0xfd, 156, "i16x8.extmul_low_i8x16_s", NONE, vv_v, vi16_extmul_low_s(a, b)) \
	X(I16X8_EXTMUL_HIGH_I8X16_S, 0xfd, 157, "i16x8.extmul_high_i8x16_s", NONE, vv_v, vi16_extmul_high_s(a, b)) \
	X(I16X8_EXTMUL_LOW_I8X16_U, 0xfd, 158, "i16x8.extmul_low_i8x16_u", NONE, vv_v, vi16_extmul_low_u(a, b)) \
	X(I16X8_EXTMUL_HIGH_I8X16_U, 0xfd, 159, "i16x8.extmul_high_i8x16_u", NONE, vv_v, vi16_extmul_high_u(a, b)) \
	X(I32X4_ABS, 0xfd, 160, "i32x4.abs", NONE, v_v, vi32_abs(a)) \
	X(I32X4_NEG, 0xfd, 161, "i32x4.neg", NONE, v_v, vi32_neg(a)) \
	X(I32X4_ALL_TRUE, 0xfd, 163, "i32x4.all_true", NONE, v_i, vi32_all_true(a)) \
	X(I32X4_BITMASK, 0xfd, 164, "i32x4.bitmask", NONE, v_i, vi32_bitmask(a)) \
	X(I32X4_EXTEND_LOW_I16X8_S, 0xfd, 167, "i32x4.extend_low_i16x8_s", NONE, v_v, vi32_extend_low_s(a)) \
	X(I32X4_EXTEND_HIGH_I16X8_S, 0xfd, 168, "i32x4.extend_high_i16x8_s", NONE, v_v, vi32_extend_high_s(a)) \
	X(I32X4_EXTEND_LOW_I16X8_U, 0xfd, 169, "i32x4.extend_low_i16x8_u", NONE, v_v, vi32_extend_low_u(a)) \
	X(I32X4_EXTEND_HIGH_I16X8_U, 0xfd, 170, "i32x4.extend_high_i16x8_u", NONE, v_v, vi32_extend_high_u(a)) \
	X(I32X4_SHL, 0xfd, 171, "i32x4.shl", NONE, vi_v, vi32_shl(a, b)) \
	X(I32X4_SHR_S, 0xfd, 172, "i32x4.shr_s", NONE, vi_v, vi32_shr_s(a, b)) \
	X(I32X4_SHR_U, 0xfd, 173, "i32x4.shr_u", NONE, vi_v, vi32_shr_u(a, b)) \
	X(I32X4_ADD, 0xfd, 174, "i32x4.add", NONE, vv_v, vi32_add(a, b)) \
	X(I32X4_SUB, 0xfd, 177, "i32x4.sub", NONE, vv_v, vi32_sub(a, b)) \
	X(I32X4_MUL, 0xfd, 181, "i32x4.mul", NONE, vv_v, vi32_mul(a, b)) \
	X(I32X4_MIN_S, 0xfd, 182, "i32x4.min_s", NONE, vv_v, vi32_min_s(a, b)) \
	X(I32X4_MIN_U, 0xfd, 183, "i32x4.min_u", NONE, vv_v, vi32_min_u(a, b)) \
	X(I32X4_MAX_S, 0xfd, 184, "i32x4.max_s", NONE, vv_v, vi32_max_s(a, b)) \
	X(I32X4_MAX_U, 0xfd, 185, "i32x4.max_u", NONE, vv_v, vi32_max_u(a, b)) \
	X(I32X4_DOT_I16X8_S, 0xfd, 186, "i32x4.dot_i16x8_s", NONE, vv_v, vi32_dot_s(a, b)) \
	X(I32X4_EXTMUL_LOW_I16X8_S, 0xfd, 188, "i32x4.extmul_low_i16x8_s", NONE, vv_v, vi32_extmul_low_s(a, b)) \
	X(I32X4_EXTMUL_HIGH_I16X8_S, 0xfd, 189, "i32x4.extmul_high_i16x8_s", NONE, vv_v, vi32_extmul_high_s(a, b)) \
	X(I32X4_EXTMUL_LOW_I16X8_U, 0xfd, 190, "i32x4.extmul_low_i16x8_u", NONE, vv_v, vi32_extmul_low_u(a, b)) \
	X(I32X4_EXTMUL_HIGH_I16X8_U, 0xfd, 191, "i32x4.extmul_high_i16x8_u", NONE, vv_v, vi32_extmul_high_u(a, b)) \
	X(I64X2_ABS, 0xfd, 192, "i64x2.abs", NONE, v_v, vi64_abs(a)) \
	X(I64X2_NEG, 0xfd, 193, "i64x2.neg", NONE, v_v, vi64_neg(a)) \
	X(I64X2_ALL_TRUE, 0xfd, 195, "i64x2.all_true", NONE, v_i, vi64_all_true(a)) \
	X(I64X2_BITMASK, 0xfd, 196, "i64x2.bitmask", NONE, v_i, vi64_bitmask(a)) \
	X(I64X2_EXTEND_LOW_I32X4_S, 0xfd, 199, "i64x2.extend_low_i32x4_s", NONE, v_v, vi64_extend_low_s(a)) \
	X(I64X2_EXTEND_HIGH_I32X4_S, 0xfd, 200, "i64x2.extend_high_i32x4_s", NONE, v_v, vi64_extend_high_s(a)) \
	X(I64X2_EXTEND_LOW_I32X4_U, 0xfd, 201, "i64x2.extend_low_i32x4_u", NONE, v_v, vi64_extend_low_u(a)) \
	X(I64X2_EXTEND_HIGH_I32X4_U, 0xfd, 202, "i64x2.extend_high_i32x4_u", NONE, v_v, vi64_extend_high_u(a)) \
	X(I64X2_SHL, 0xfd, 203, "i64x2.shl", NONE, vi_v, vi64_shl(a, b)) \
	X(I64X2_SHR_S, 0xfd, 204, "i64x2.shr_s", NONE, vi_v, vi64_shr_s(a, b)) \
	X(I64X2_SHR_U, 0xfd, 205, "i64x2.shr_u", NONE, vi_v, vi64_shr_u(a, b)) \
	X(I64X2_ADD, 0xfd, 206, "i64x2.add", NONE, vv_v, vi64_add(a, b)) \
	X(I64X2_SUB, 0xfd, 209, "i64x2.sub", NONE, vv_v, vi64_sub(a, b)) \
	X(I64X2_MUL, 0xfd, 213, "i64x2.mul", NONE, vv_v, vi64_mul(a, b)) \
	X(I64X2_EQ, 0xfd, 214, "i64x2.eq", NONE, vv_v, vi64_eq(a, b)) \
	X(I64X2_NE, 0xfd, 215, "i64x2.ne", NONE, vv_v, vi64_ne(a, b)) \
	X(I64X2_LT_S, 0xfd, 216, "i64x2.lt_s", NONE, vv_v, vi64_lt_s(a, b)) \
	X(I64X2_GT_S, 0xfd, 217, "i64x2.gt_s", NONE, vv_v, vi64_gt_s(a, b)) \
	X(I64X2_LE_S, 0xfd, 218, "i64x2.le_s", NONE, vv_v, vi64_le_s(a, b)) \
	X(I64X2_GE_S, 0xfd, 219, "i64x2.ge_s", NONE, vv_v, vi64_ge_s(a, b)) \
	X(I64X2_EXTMUL_LOW_I32X4_S, 0xfd, 220, "i64x2.extmul_low_i32x4_s", NONE, vv_v, vi64_extmul_low_s(a, b)) \
	X(I64X2_EXTMUL_HIGH_I32X4_S, 0xfd, 221, "i64x2.extmul_high_i32x4_s", NONE, vv_v, vi64_extmul_high_s(a, b)) \
	X(I64X2_EXTMUL_LOW_I32X4_U, 0xfd, 222, "i64x2.extmul_low_i32x4_u", NONE, vv_v, vi64_extmul_low_u(a, b)) \
	X(I64X2_EXTMUL_HIGH_I32X4_U, 0xfd, 223, "i64x2.extmul_high_i32x4_u", NONE, vv_v, vi64_extmul_high_u(a, b)) \
	X(F32X4_ABS, 0xfd, 224, "f32x4.abs", NONE, v_v, vf32_abs(a)) \
	X(F32X4_NEG, 0xfd, 225, "f32x4.neg", NONE, v_v, vf32_neg(a)) \
	X(F32X4_SQRT, 0xfd, 227, "f32x4.sqrt", NONE, v_v, vf32_sqrt(a)) \
	X(F32X4_ADD, 0xfd, 228, "f32x4.add", NONE, vv_v, vf32_add(a, b)) \
	X(F32X4_SUB, 0xfd, 229, "f32x4.sub", NONE, vv_v, vf32_sub(a, b)) \
	X(F32X4_MUL, 0xfd, 230, "f32x4.mul", NONE, vv_v, vf32_mul(a, b)) \
	X(F32X4_DIV, 0xfd, 231, "f32x4.div", NONE, vv_v, vf32_div(a, b)) \
	X(F32X4_MIN, 0xfd, 232, "f32x4.min", NONE, vv_v, vf32_min(a, b)) \
	X(F32X4_MAX, 0xfd, 233, "f32x4.max", NONE, vv_v, vf32_max(a, b)) \
	X(F32X4_PMIN, 0xfd, 234, "f32x4.pmin", NONE, vv_v, vf32_pmin(a, b)) \
	X(F32X4_PMAX, 0xfd, 235, "f32x4.pmax", NONE, vv_v, vf32_pmax(a, b)) \
	X(F64X2_ABS, 0xfd, 236, "f64x2.abs", NONE, v_v, vf64_abs(a)) \
	X(F64X2_NEG, 0xfd, 237, "f64x2.neg", NONE, v_v, vf64_neg(a)) \
	X(F64X2_SQRT, 0xfd, 239, "f64x2.sqrt", NONE, v_v, vf64_sqrt(a)) \
	X(F64X2_ADD, 0xfd, 240, "f64x2.add", NONE, vv_v, vf64_add(a, b)) \
	X(F64X2_SUB, 0xfd, 241, "f64x2.sub", NONE, vv_v, vf64_sub(a, b)) \
	X(F64X2_MUL, 0xfd, 242, "f64x2.mul", NONE, vv_v, vf64_mul(a, b)) \
	X(F64X2_DIV, 0xfd, 243, "f64x2.div", NONE, vv_v, vf64_div(a, b)) \
	X(F64X2_MIN, 0xfd, 244, "f64x2.min", NONE, vv_v, vf64_min(a, b)) \
	X(F64X2_MAX, 0xfd, 245, "f64x2.max", NONE, vv_v, vf64_max(a, b)) \
	X(F64X2_PMIN, 0xfd, 246, "f64x2.pmin", NONE, vv_v, vf64_pmin(a, b)) \
	X(F64X2_PMAX, 0xfd, 247, "f64x2.pmax", NONE, vv_v, vf64_pmax(a, b)) \
	X(I32X4_TRUNC_SAT_F32X4_S, 0xfd, 248, "i32x4.trunc_sat_f32x4_s", NONE, v_v, vi32_trunc_sat_f32_s(a)) \
	X(I32X4_TRUNC_SAT_F32X4_U, 0xfd, 249, "i32x4.trunc_sat_f32x4_u", NONE, v_v, vi32_trunc_sat_f32_u(a)) \
	X(F32X4_CONVERT_I32X4_S, 0xfd, 250, "f32x4.convert_i32x4_s", NONE, v_v, vf32_convert_s(a)) \
	X(F32X4_CONVERT_I32X4_U, 0xfd, 251, "f32x4.convert_i32x4_u", NONE, v_v, vf32_convert_u(a)) \
	X(I32X4_TRUNC_SAT_F64X2_S_ZERO, 0xfd, 252, "i32x4.trunc_sat_f64x2_s_zero", NONE, v_v, vi32_trunc_sat_f64_s(a)) \
	X(I32X4_TRUNC_SAT_F64X2_U_ZERO, 0xfd, 253, "i32x4.trunc_sat_f64x2_u_zero", NONE, v_v, vi32_trunc_sat_f64_u(a)) \
	X(F64X2_CONVERT_LOW_I32X4_S, 0xfd, 254, "f64x2.convert_low_i32x4_s", NONE, v_v, vf64_convert_low_s(a)) \
	X(F64X2_CONVERT_LOW_I32X4_U, 0xfd, 255, "f64x2.convert_low_i32x4_u", NONE, v_v, vf64_convert_low_u(a))
#endif
