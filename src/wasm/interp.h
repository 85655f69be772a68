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
	X(BR_IF)         /* {cond, -} {off} */ \
	X(BR_UNLESS)     /* {cond, -} {off} */ \
	X(BR_TABLE)      /* {idx, n} then n+1 offsets, each relative to itself */ \
	X(MOV)           /* {d, s} */ \
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

/* Memory-access rows also have a bounds-checked variant, used when the
 * memory could not be reserved with guard regions. */
#define WA_CHK_IF_SP(n)
#define WA_CHK_IF_i_i(n)
#define WA_CHK_IF_ii_i(n)
#define WA_CHK_IF_l_i(n)
#define WA_CHK_IF_ll_i(n)
#define WA_CHK_IF_ff_i(n)
#define WA_CHK_IF_dd_i(n)
#define WA_CHK_IF_l_l(n)
#define WA_CHK_IF_ll_l(n)
#define WA_CHK_IF_f_f(n)
#define WA_CHK_IF_ff_f(n)
#define WA_CHK_IF_d_d(n)
#define WA_CHK_IF_dd_d(n)
#define WA_CHK_IF_f_i(n)
#define WA_CHK_IF_d_i(n)
#define WA_CHK_IF_i_l(n)
#define WA_CHK_IF_f_l(n)
#define WA_CHK_IF_d_l(n)
#define WA_CHK_IF_i_f(n)
#define WA_CHK_IF_l_f(n)
#define WA_CHK_IF_d_f(n)
#define WA_CHK_IF_i_d(n)
#define WA_CHK_IF_l_d(n)
#define WA_CHK_IF_f_d(n)
#define WA_CHK_IF_v_v(n)
#define WA_CHK_IF_vv_v(n)
#define WA_CHK_IF_vvv_v(n)
#define WA_CHK_IF_v_i(n)
#define WA_CHK_IF_v_l(n)
#define WA_CHK_IF_v_f(n)
#define WA_CHK_IF_v_d(n)
#define WA_CHK_IF_i_v(n)
#define WA_CHK_IF_l_v(n)
#define WA_CHK_IF_f_v(n)
#define WA_CHK_IF_d_v(n)
#define WA_CHK_IF_vi_v(n)
#define WA_CHK_IF_vl_v(n)
#define WA_CHK_IF_vf_v(n)
#define WA_CHK_IF_vd_v(n)
#define WA_CHK_IF_Li(n) WA_CHK_##n,
#define WA_CHK_IF_Ll(n) WA_CHK_##n,
#define WA_CHK_IF_Lf(n) WA_CHK_##n,
#define WA_CHK_IF_Ld(n) WA_CHK_##n,
#define WA_CHK_IF_Lv(n) WA_CHK_##n,
#define WA_CHK_IF_LLv(n) WA_CHK_##n,
#define WA_CHK_IF_Si(n) WA_CHK_##n,
#define WA_CHK_IF_Sl(n) WA_CHK_##n,
#define WA_CHK_IF_Sf(n) WA_CHK_##n,
#define WA_CHK_IF_Sd(n) WA_CHK_##n,
#define WA_CHK_IF_Sv(n) WA_CHK_##n,
#define WA_CHK_IF_SLv(n) WA_CHK_##n,
enum {
	WA_CHK_BASE = WA_IOP_END - 1,
#define X(name, pfx, code, text, imm, shape, expr) WA_CHK_IF_##shape(name)
	WA_OPCODES(X)
#undef X
	WA_CHK_END
};

/* Rows computing an i32 from i32/i64/f32/f64 operands also exist fused with
 * a following br_if/if: BRT branches when the result is non-zero, BRF when
 * it is zero.  Layout {b, a} {off}. */
#define WA_FUSE_IF_i_i(n) WA_BRT_##n, WA_BRF_##n,
#define WA_FUSE_IF_ii_i(n) WA_BRT_##n, WA_BRF_##n,
#define WA_FUSE_IF_l_i(n) WA_BRT_##n, WA_BRF_##n,
#define WA_FUSE_IF_ll_i(n) WA_BRT_##n, WA_BRF_##n,
#define WA_FUSE_IF_ff_i(n) WA_BRT_##n, WA_BRF_##n,
#define WA_FUSE_IF_dd_i(n) WA_BRT_##n, WA_BRF_##n,
#define WA_FUSE_IF_SP(n)
#define WA_FUSE_IF_l_l(n)
#define WA_FUSE_IF_ll_l(n)
#define WA_FUSE_IF_f_f(n)
#define WA_FUSE_IF_ff_f(n)
#define WA_FUSE_IF_d_d(n)
#define WA_FUSE_IF_dd_d(n)
#define WA_FUSE_IF_f_i(n)
#define WA_FUSE_IF_d_i(n)
#define WA_FUSE_IF_i_l(n)
#define WA_FUSE_IF_f_l(n)
#define WA_FUSE_IF_d_l(n)
#define WA_FUSE_IF_i_f(n)
#define WA_FUSE_IF_l_f(n)
#define WA_FUSE_IF_d_f(n)
#define WA_FUSE_IF_i_d(n)
#define WA_FUSE_IF_l_d(n)
#define WA_FUSE_IF_f_d(n)
#define WA_FUSE_IF_v_v(n)
#define WA_FUSE_IF_vv_v(n)
#define WA_FUSE_IF_vvv_v(n)
#define WA_FUSE_IF_v_i(n)
#define WA_FUSE_IF_v_l(n)
#define WA_FUSE_IF_v_f(n)
#define WA_FUSE_IF_v_d(n)
#define WA_FUSE_IF_i_v(n)
#define WA_FUSE_IF_l_v(n)
#define WA_FUSE_IF_f_v(n)
#define WA_FUSE_IF_d_v(n)
#define WA_FUSE_IF_vi_v(n)
#define WA_FUSE_IF_vl_v(n)
#define WA_FUSE_IF_vf_v(n)
#define WA_FUSE_IF_vd_v(n)
#define WA_FUSE_IF_Li(n)
#define WA_FUSE_IF_Ll(n)
#define WA_FUSE_IF_Lf(n)
#define WA_FUSE_IF_Ld(n)
#define WA_FUSE_IF_Lv(n)
#define WA_FUSE_IF_LLv(n)
#define WA_FUSE_IF_Si(n)
#define WA_FUSE_IF_Sl(n)
#define WA_FUSE_IF_Sf(n)
#define WA_FUSE_IF_Sd(n)
#define WA_FUSE_IF_Sv(n)
#define WA_FUSE_IF_SLv(n)
enum {
	WA_FUSE_BASE = WA_CHK_END - 1,
#define X(name, pfx, code, text, imm, shape, expr) WA_FUSE_IF_##shape(name)
	WA_OPCODES(X)
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
