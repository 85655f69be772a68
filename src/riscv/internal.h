/* internal.h - what the hart's own files (interp, decode, csr, mmu) share.
 * Not an interface for other subsystems: they use hart.h.
 * Guest faults are values: slow paths record cause/tval and return false. */
#ifndef CAIRN_RISCV_INTERNAL_H
#define CAIRN_RISCV_INTERNAL_H

#include "riscv/hart.h"
#include "riscv/insns.h"

enum { RV_ACC_R = 0, RV_ACC_W = 1, RV_ACC_X = 2 };

/* A pending synchronous exception, filled by slow paths. */
typedef struct { uint64_t cause, tval; } rv_exc;

/* decode.c */
/* Handlers for 4-byte and for compressed encodings, filled by rv_run(NULL). */
extern const void *rv_handlers[RV_OP_COUNT], *rv_handlers_c[RV_OP_COUNT];
/* Decode one instruction word; returns its length in bytes (2 or 4). */
int rv_decode(rv_insn *out, uint32_t word);
const char *rv_op_name(int op);
/* Turn a branch at page offset off whose target is in the same page into
 * its _l form (imm becomes a slot delta): no pc arithmetic when taken. */
void rv_localize(rv_insn *i, size_t off);

/* mmu.c */
bool rv_load_slow(rv_hart *h, uint64_t va, int size, uint64_t *val, rv_exc *e);
/* Returns false on a fault; *reload set when the store hit decoded code. */
bool rv_store_slow(rv_hart *h, uint64_t va, int size, uint64_t val, rv_exc *e, bool *reload);
/* Host pointer for an aligned atomic access (LR: acc R, others W). */
void *rv_amo_ptr(rv_hart *h, uint64_t va, int size, int acc, rv_exc *e, bool *reload);
/* The decoded page holding pc, entered in the fetch TLB.  *cacheable is
 * false when PMP splits the page: then fetch one instruction at a time. */
rv_dpage *rv_fetch_page(rv_hart *h, uint64_t pc, rv_exc *e, bool *cacheable);
/* Read instruction bytes slowly (for straddling instructions). */
bool rv_fetch16(rv_hart *h, uint64_t va, uint16_t *out, rv_exc *e);
void rv_tlb_flush(rv_hart *h);
void rv_tlb_flush_va(rv_hart *h, uint64_t va);
void rv_code_flush(rv_hart *h);
void rv_update_mode(rv_hart *h);
void rv_dpage_reset(rv_dpage *dp);

/* csr.c */
/* op: 0 write, 1 set, 2 clear; write_en false for csrrs/c with rs1 = x0. */
bool rv_csr(rv_hart *h, int csr, int op, uint64_t src, bool write_en, uint64_t *old);
/* The CSR's name from the table, or NULL. */
const char *rv_csr_name(int csr);
void rv_take_trap(rv_hart *h, uint64_t cause, uint64_t tval, bool irq);
/* Highest-priority interrupt that should be taken now, or -1. */
int rv_irq_pending(rv_hart *h);
void rv_mret(rv_hart *h);
void rv_sret(rv_hart *h);
static inline void rv_fs_dirty(rv_hart *h) { h->mstatus |= MSTATUS_FS | MSTATUS_SD; }
uint64_t rv_time(rv_hart *h);

#endif
