/* hart.h - one RISC-V hart (RV64GC + Zba/Zbb/Zbs, M/S/U, Sv39/Sv48, PMP).
 * The hart sees the machine only through struct rv_bus: RAM regions it can
 * map straight into its soft TLB, and an MMIO callback for everything else. */
#ifndef CAIRN_RISCV_HART_H
#define CAIRN_RISCV_HART_H

#include <stdint.h>
#include <stdbool.h>

#include "base/base.h"

enum { RV_PRIV_U = 0, RV_PRIV_S = 1, RV_PRIV_M = 3 };

/* Exception causes (mcause without the interrupt bit). */
enum {
	RV_EXC_INSN_MISALIGNED = 0, RV_EXC_INSN_ACCESS = 1, RV_EXC_ILLEGAL = 2,
	RV_EXC_BREAKPOINT = 3, RV_EXC_LOAD_MISALIGNED = 4, RV_EXC_LOAD_ACCESS = 5,
	RV_EXC_STORE_MISALIGNED = 6, RV_EXC_STORE_ACCESS = 7, RV_EXC_ECALL_U = 8,
	RV_EXC_ECALL_S = 9, RV_EXC_ECALL_M = 11, RV_EXC_INSN_PAGE = 12,
	RV_EXC_LOAD_PAGE = 13, RV_EXC_STORE_PAGE = 15,
};
/* Interrupt numbers = bit positions in mip/mie. */
enum { RV_IRQ_SSI = 1, RV_IRQ_MSI = 3, RV_IRQ_STI = 5, RV_IRQ_MTI = 7, RV_IRQ_SEI = 9, RV_IRQ_MEI = 11 };
#define RV_MIP_SSIP (1u << RV_IRQ_SSI)
#define RV_MIP_MSIP (1u << RV_IRQ_MSI)
#define RV_MIP_STIP (1u << RV_IRQ_STI)
#define RV_MIP_MTIP (1u << RV_IRQ_MTI)
#define RV_MIP_SEIP (1u << RV_IRQ_SEI)
#define RV_MIP_MEIP (1u << RV_IRQ_MEI)

/* mstatus fields. */
#define MSTATUS_SIE  (1ull << 1)
#define MSTATUS_MIE  (1ull << 3)
#define MSTATUS_SPIE (1ull << 5)
#define MSTATUS_MPIE (1ull << 7)
#define MSTATUS_SPP  (1ull << 8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP  (3ull << 11)
#define MSTATUS_FS   (3ull << 13)
#define MSTATUS_MPRV (1ull << 17)
#define MSTATUS_SUM  (1ull << 18)
#define MSTATUS_MXR  (1ull << 19)
#define MSTATUS_TVM  (1ull << 20)
#define MSTATUS_TW   (1ull << 21)
#define MSTATUS_TSR  (1ull << 22)
#define MSTATUS_UXL  (3ull << 32)
#define MSTATUS_SXL  (3ull << 34)
#define MSTATUS_SD   (1ull << 63)

/* A decoded instruction: 16 bytes, one per 2-byte slot of a code page.
 * h is the handler (a label address with computed goto, an op number with
 * the switch build).  rd 0 is redirected to x[32], a sink, at decode time. */
typedef struct rv_insn {
	union { const void *h; uintptr_t op; };
	int32_t imm;            /* immediate, CSR number, or rs3 for R4 */
	uint8_t rd, rs1, rs2;
	uint8_t flags;          /* bits 0-1: length in slots, 2-4: rm */
} rv_insn;
#define RV_INSN_LEN(i) ((i)->flags & 3)
#define RV_INSN_RM(i)  (((i)->flags >> 2) & 7)

#define RV_PAGE_SLOTS 2048      /* 4 KiB / 2 bytes */

/* One physical code page's decoded slots, plus a sentinel. */
typedef struct rv_dpage {
	uint64_t ppn;
	uint32_t gen;           /* bus->page_gen[] at decode time */
	uint8_t *host;          /* the page's bytes */
	struct rv_dpage *hnext; /* hash chain */
	rv_insn slot[RV_PAGE_SLOTS + 1];
} rv_dpage;

/* A RAM-like region of guest physical memory backed by host memory. */
typedef struct rv_ram {
	uint64_t base, size;
	uint8_t *host;
	bool readonly;
} rv_ram;

/* What the hart needs from the machine. */
struct rv_bus {
	rv_ram ram[4];
	int nram;
	/* Per page of ram[0]: bit 0 = some hart decoded code from it, bit 1 =
	 * watched (stores call store_hook).  Stores to such pages never take
	 * the TLB fast path. */
	uint8_t *page_flags;
	uint32_t *page_gen;     /* bumped when a code page is written */
	uint32_t code_epoch;    /* bumped when a page newly becomes code */
	/* Device access; return 0, or -1 for an access fault. */
	int (*mmio_read)(void *ctx, uint64_t pa, int size, uint64_t *val);
	int (*mmio_write)(void *ctx, uint64_t pa, int size, uint64_t val);
	void (*store_hook)(void *ctx, uint64_t pa, int size);
	uint64_t (*time)(void *ctx); /* mtime, 10 MHz */
	void *ctx;
};
#define RV_PF_CODE    1
#define RV_PF_WATCHED 2

typedef struct { uint64_t tag; uintptr_t addend; } rv_tlbe;
typedef struct { uint64_t tag; rv_dpage *dp; } rv_xtlbe;
#define RV_TLB_SIZE 256
/* Data TLB sets by effective mode: U, S (SUM=0), S (SUM=1), M. */
enum { RV_DM_U, RV_DM_S, RV_DM_SSUM, RV_DM_M, RV_DM_COUNT };

#define RV_PMP_COUNT 16

typedef struct rv_hart {
	uint64_t x[33];         /* x[32] swallows writes to x0 */
	uint64_t f[32];
	uint64_t pc;
	int priv;
	int dmode;              /* RV_DM_* for loads/stores (MPRV, SUM applied) */
	rv_tlbe *rtlb, *wtlb;   /* the dmode's read/write TLBs */
	rv_xtlbe *xtlb;         /* the fetch TLB for priv */

	/* CSRs */
	uint64_t mstatus, misa, medeleg, mideleg, mie, mip, mtvec, mscratch,
		 mepc, mcause, mtval, mcounteren, scounteren, menvcfg, senvcfg,
		 stvec, sscratch, sepc, scause, stval, satp, stimecmp,
		 mcountinhibit, mhartid, tselect;
	uint32_t fcsr;          /* frm << 5 | fflags */
	uint64_t instret, cycle_off;
	uint8_t pmpcfg[RV_PMP_COUNT];
	uint64_t pmpaddr[RV_PMP_COUNT];
	bool pmp_active;        /* any entry enabled: PMP checks needed */

	/* Wires from the machine (set from other threads). */
	uint32_t mip_ext;       /* MEIP/SEIP lines from the interrupt controller */
	uint32_t msip;          /* CLINT software interrupt */
	uint64_t mtimecmp;      /* CLINT timer compare */
	volatile int kick;      /* something changed: re-check interrupts */

	/* LR/SC reservation. */
	uint64_t lr_addr, lr_val;
	bool lr_valid;

	bool wfi;               /* parked until an interrupt is pending */
	uint32_t code_epoch;    /* bus->code_epoch last synced */
	int64_t budget_left;    /* for instret while inside rv_run */

	struct rv_bus *bus;

	rv_tlbe tlb_r[RV_DM_COUNT][RV_TLB_SIZE];
	rv_tlbe tlb_w[RV_DM_COUNT][RV_TLB_SIZE];
	rv_xtlbe tlb_x[4][RV_TLB_SIZE];
	/* TLB entries filled from superpages, for targeted SFENCE.VMA. */
#define RV_SUPER_TRACK 128
	uint64_t *super_tags[RV_SUPER_TRACK];
	int nsuper;
	bool super_overflow;

	/* Decoded pages: hash by ppn, allocated from a pool that is recycled
	 * whole on FENCE.I or when full. */
	rv_dpage **dhash;
	rv_dpage *dpool;
	unsigned dhash_size, dpool_used, dpool_cap;
	rv_dpage scratch;       /* one straddling instruction + exit slot */

	/* Tracing (-d in_asm): print each instruction as it executes. */
	bool trace;
	void *trace_file;
} rv_hart;

/* Why rv_run returned. */
/* STUCK: the trap vector itself cannot be fetched, so every trap traps
 * again at the same pc and no instruction can ever retire. */
enum { RV_EXIT_BUDGET, RV_EXIT_WFI, RV_EXIT_STUCK };

int rv_hart_init(rv_hart *h, struct rv_bus *bus, uint64_t hartid) MUST_CHECK;
void rv_hart_free(rv_hart *h);
void rv_hart_reset(rv_hart *h, uint64_t pc);
/* Run up to budget instructions; returns RV_EXIT_*. */
int rv_run(rv_hart *h, int64_t budget);
/* Whether an interrupt is pending that would wake WFI (mip & mie != 0). */
bool rv_wakeup_pending(rv_hart *h);
/* Ask the hart to look at its interrupt wires soon (any thread). */
static inline void rv_kick(rv_hart *h) { __atomic_store_n(&h->kick, 1, __ATOMIC_RELEASE); }
void rv_set_ext_irq(rv_hart *h, uint32_t bit, bool level);

/* Disassemble one instruction word into buf. */
void rv_disasm(char *buf, size_t n, uint64_t pc, uint32_t word);

#endif
