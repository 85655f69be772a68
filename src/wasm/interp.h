/* interp.h - the internal register-style code the compiler emits and the
 * threaded interpreter runs.  Every operand names a frame slot resolved at
 * compile time; branch targets are precomputed cell offsets. */
#ifndef CAIRN_WASM_INTERP_H
#define CAIRN_WASM_INTERP_H

#include "wasm/runtime.h"

/* One code cell: an opcode (label address when threaded), two 32-bit
 * operands, or a 64-bit immediate/offset. */
typedef union wa_cell {
	const void *lbl;
	uint64_t u;
	int64_t s;
	struct { uint32_t a, b; } p;
} wa_cell;

typedef struct wa_code {
	uint32_t nslots;        /* frame size: locals + deepest operand stack */
	uint32_t param_slots, local_slots;
	uint32_t ncells;
	uint32_t nmap, map_base; /* source map bytes after cells[]; body offset */
	wa_cell cells[];
} wa_code;

/* Internal instructions (beyond the opcode table's generated ones).
 * Layout after the opcode cell is given as {a,b} pairs per cell. */
#define WA_IOPS(X) \
	X(HALT)          /* leave the interpreter (entry frame's return) */ \
	X(UNREACHABLE)   /* trap */ \
	X(JMP)           /* {off}: pc = &cell1 + off */ \
	X(MOV_JMP)       /* {d, s} {off}: a branch carrying one value */ \
	X(BR_IF)         /* {cond, -} {off} */ \
	X(BR_UNLESS)     /* {cond, -} {off} */ \
	X(BR_TABLE)      /* {idx, n} then n+1 offsets, each relative to itself */ \
	X(MOV)           /* {d, s} */ \
	X(ADD_SHL)       /* {d, a} {b, s}: i32 d = a + (b << s) */ \
	X(SHL_ADDK)      /* {d, a} {k, s}: i32 d = (a << s) + k */ \
	X(MOV2)          /* {d, s} two slots (v128) */ \
	X(CONST)         /* {d, -} {imm64} */ \
	X(CONST2)        /* {d, -} {lo} {hi} */ \
	X(GLOBAL_GET)    /* {d, idx} */ \
	X(GLOBAL_GET2)   \
	X(GLOBAL_SET)    /* {s, idx} */ \
	X(GLOBAL_SET2)   \
	X(CALL)          /* {base, func} */ \
	X(CALL_INDIRECT) /* {base, type} {table, idxslot} */ \
	X(RETURN)        /* results already in fp[0..] */ \
	X(RETURN1)       /* {s}: fp[0] = fp[s], return */ \
	X(SELECT)        /* {d, a} {b, cond} */ \
	X(SELECT2)       \
	X(MEMORY_SIZE)   /* {d} */ \
	X(MEMORY_GROW)   /* {d, n} */ \
	X(MEMORY_FILL)   /* {base}: d, val, n */ \
	X(MEMORY_COPY)   /* {base}: d, s, n */ \
	X(MEMORY_INIT)   /* {base, seg} */ \
	X(DATA_DROP)     /* {seg} */ \
	X(TABLE_GET)     /* {d, idx} {table} */ \
	X(TABLE_SET)     /* {base, table}: idx, ref */ \
	X(TABLE_SIZE)    /* {d, table} */ \
	X(TABLE_GROW)    /* {base, table}: ref, n -> base */ \
	X(TABLE_FILL)    /* {base, table}: i, ref, n */ \
	X(TABLE_COPY)    /* {base, dst} {src} */ \
	X(TABLE_INIT)    /* {base, table} {seg} */ \
	X(ELEM_DROP)     /* {seg} */ \
	X(REF_IS_NULL)   /* {d, a} */ \
	X(REF_FUNC)      /* {d, func} */ \
	X(SHUFFLE)       /* {d, a} {b} {lanes 0-7} {lanes 8-15} */ \
	X(FUEL)          /* count down fuel at loop heads and calls */

enum {
	WA_IOP_BASE = WA_NOPS - 1,
#define X(n) WA_I_##n,
	WA_IOPS(X)
#undef X
	WA_IOP_END
};

/* Every shape of opcodes.h falls in one class, which says which generated
 * variants its rows have: BINI scalar binary ops giving an i32 (compares),
 * BIN other scalar binary ops, UNI scalar unary ops giving an i32 (eqz,
 * wrap), LD/ST scalar loads/stores, VMEM v128 ones, X the rest. */
#define WA_CLASS_ii_i BINI
#define WA_CLASS_ll_i BINI
#define WA_CLASS_ff_i BINI
#define WA_CLASS_dd_i BINI
#define WA_CLASS_ll_l BIN
#define WA_CLASS_ff_f BIN
#define WA_CLASS_dd_d BIN
#define WA_CLASS_i_i UNI
#define WA_CLASS_l_i UNI
#define WA_CLASS_Li LD
#define WA_CLASS_Ll LD
#define WA_CLASS_Lf LD
#define WA_CLASS_Ld LD
#define WA_CLASS_Lv VMEM
#define WA_CLASS_LLv VMEM
#define WA_CLASS_Si ST
#define WA_CLASS_Sl ST
#define WA_CLASS_Sf ST
#define WA_CLASS_Sd ST
#define WA_CLASS_Sv VMEM
#define WA_CLASS_SLv VMEM
#define WA_CLASS_SP X
#define WA_CLASS_l_l X
#define WA_CLASS_f_f X
#define WA_CLASS_d_d X
#define WA_CLASS_f_i X
#define WA_CLASS_d_i X
#define WA_CLASS_i_l X
#define WA_CLASS_f_l X
#define WA_CLASS_d_l X
#define WA_CLASS_i_f X
#define WA_CLASS_l_f X
#define WA_CLASS_d_f X
#define WA_CLASS_i_d X
#define WA_CLASS_l_d X
#define WA_CLASS_f_d X
#define WA_CLASS_v_v X
#define WA_CLASS_vv_v X
#define WA_CLASS_vvv_v X
#define WA_CLASS_v_i X
#define WA_CLASS_v_l X
#define WA_CLASS_v_f X
#define WA_CLASS_v_d X
#define WA_CLASS_i_v X
#define WA_CLASS_l_v X
#define WA_CLASS_f_v X
#define WA_CLASS_d_v X
#define WA_CLASS_vi_v X
#define WA_CLASS_vl_v X
#define WA_CLASS_vf_v X
#define WA_CLASS_vd_v X
#define WA_CAT_(a, b) a##b
#define WA_CAT(a, b) WA_CAT_(a, b)
/* FAMILY_<class>(args) for a row of this shape: one macro per class, not per shape */
#define WA_BY_CLASS(family, shape) WA_CAT(family, WA_CLASS_##shape)

/* Memory-access rows also have a bounds-checked variant, used when the
 * memory could not be reserved with guard regions. */
#define WA_CHK_ENUM_LD(n) WA_CHK_##n,
#define WA_CHK_ENUM_ST(n) WA_CHK_##n,
#define WA_CHK_ENUM_VMEM(n) WA_CHK_##n,
#define WA_CHK_ENUM_BINI(n)
#define WA_CHK_ENUM_BIN(n)
#define WA_CHK_ENUM_UNI(n)
#define WA_CHK_ENUM_X(n)
enum {
	WA_CHK_BASE = WA_IOP_END - 1,
#define X(name, pfx, code, text, imm, shape, expr) WA_BY_CLASS(WA_CHK_ENUM_, shape)(name)
	WA_OPCODES(X)
#undef X
	WA_CHK_END
};

/* Rows computing an i32 from scalars also exist fused with a following
 * br_if/if: BRT branches when the result is non-zero, BRF when it is zero.
 * Layout {b, a} {off}. */
#define WA_FUSE_ENUM_BINI(n) WA_BRT_##n, WA_BRF_##n,
#define WA_FUSE_ENUM_UNI(n) WA_BRT_##n, WA_BRF_##n,
#define WA_FUSE_ENUM_BIN(n)
#define WA_FUSE_ENUM_LD(n)
#define WA_FUSE_ENUM_ST(n)
#define WA_FUSE_ENUM_VMEM(n)
#define WA_FUSE_ENUM_X(n)
enum {
	WA_FUSE_BASE = WA_CHK_END - 1,
#define X(name, pfx, code, text, imm, shape, expr) WA_BY_CLASS(WA_FUSE_ENUM_, shape)(name)
	WA_OPCODES(X)
#undef X
	WA_FUSE_END
};

/* Scalar binary rows also exist with a constant second operand (K), the
 * compares also as constant compare-and-branch (BRTK/BRFK).  Layouts
 * {d, a} {imm64} and {-, a} {imm64} {off}. */
#define WA_K_ENUM_BINI(n) WA_K_##n, WA_BRTK_##n, WA_BRFK_##n,
#define WA_K_ENUM_BIN(n) WA_K_##n,
#define WA_K_ENUM_UNI(n)
#define WA_K_ENUM_LD(n)
#define WA_K_ENUM_ST(n)
#define WA_K_ENUM_VMEM(n)
#define WA_K_ENUM_X(n)
enum {
	WA_K_BASE = WA_FUSE_END - 1,
#define X(name, pfx, code, text, imm, shape, expr) WA_BY_CLASS(WA_K_ENUM_, shape)(name)
	WA_OPCODES(X)
#undef X
	WA_K_END
};

/* Scalar loads and stores also take their address as an i32.add, fused in
 * (guard-region memories only): of two slots (A: a + b), a slot and a
 * constant (AK: a + k), a slot and a scaled slot (AS: a + (b << s)) or a
 * scaled slot and a constant (ASK: (a << s) + k).  Loads {d, a} {x, offset},
 * stores {x, a} {value, offset}; x is b, k or b | s << 27; in ASK a is
 * a | s << 27.  A constant address is absolute (AA): loads {d, -} {ea},
 * stores {value, -} {ea}, ea = address + offset (64 bits). */
#define WA_ADDR_SHIFT 27
#define WA_ADDR_ENUM_LD(n) WA_A_##n, WA_AK_##n, WA_AS_##n, WA_ASK_##n, WA_AA_##n,
#define WA_ADDR_ENUM_ST(n) WA_A_##n, WA_AK_##n, WA_AS_##n, WA_ASK_##n, WA_AA_##n,
#define WA_ADDR_ENUM_VMEM(n)
#define WA_ADDR_ENUM_BINI(n)
#define WA_ADDR_ENUM_BIN(n)
#define WA_ADDR_ENUM_UNI(n)
#define WA_ADDR_ENUM_X(n)
enum {
	WA_ADDR_BASE = WA_K_END - 1,
#define X(name, pfx, code, text, imm, shape, expr) WA_BY_CLASS(WA_ADDR_ENUM_, shape)(name)
	WA_OPCODES(X)
#undef X
	WA_ADDR_END
};

/* Pairs of binary ops fused when the first one's result is an operand of
 * the second, read nowhere else (the frequent chains of compiled C):
 * X(NAME, FIRST, SECOND, type letter, first(x, y), second(x, y)).  PA_NAME
 * computes second(first(a, b), c), PB_NAME second(c, first(a, b)); layout
 * {d, a} {b, c}.  Floats are never contracted (the build has
 * -ffp-contract=off): two roundings, as two instructions would give. */
#define WA_PAIRS(X) \
	X(F64_MUL_ADD, F64_MUL, F64_ADD, d, x * y, x + y) \
	X(F64_MUL_SUB, F64_MUL, F64_SUB, d, x * y, x - y) \
	X(F64_MUL_MUL, F64_MUL, F64_MUL, d, x * y, x * y) \
	X(F64_SUB_MUL, F64_SUB, F64_MUL, d, x - y, x * y) \
	X(F64_ADD_MUL, F64_ADD, F64_MUL, d, x + y, x * y) \
	X(F64_ADD_ADD, F64_ADD, F64_ADD, d, x + y, x + y) \
	X(F64_SUB_SUB, F64_SUB, F64_SUB, d, x - y, x - y) \
	X(F32_MUL_ADD, F32_MUL, F32_ADD, f, x * y, x + y) \
	X(I32_MUL_ADD, I32_MUL, I32_ADD, i, x * y, x + y) \
	X(I32_XOR_MUL, I32_XOR, I32_MUL, i, x ^ y, x * y) \
	X(I32_ADD_ADD, I32_ADD, I32_ADD, i, x + y, x + y) \
	X(I64_MUL_ADD, I64_MUL, I64_ADD, l, x * y, x + y) \
	X(I64_XOR_MUL, I64_XOR, I64_MUL, l, x ^ y, x * y)
enum {
	WA_PAIR_BASE = WA_ADDR_END - 1,
#define X(name, first, second, t, e1, e2) WA_PA_##name, WA_PB_##name,
	WA_PAIRS(X)
#undef X
	WA_ALL_OPS
};

/* The opcode cell for op (label address when threaded). */
wa_cell wa_op_cell(int op);
/* Run f with its arguments at sp (t->stack region); results land at sp. */
int wa_exec(wa_thread *t, wa_func *f, uint64_t *sp) MUST_CHECK;
/* Whether compiled code may drop bounds checks (guard regions work). */
bool wa_guard_pages(void);

#endif
