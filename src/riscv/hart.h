/* hart.h - one RISC-V hart (RV64GC + Zba/Zbb/Zbs, M/S/U, Sv39/Sv48, PMP).
 * The hart sees the machine only through struct rv_bus: RAM regions it can
 * map straight into its soft TLB, and an MMIO callback for everything else. */
#ifndef CAIRN_RISCV_HART_H
#define CAIRN_RISCV_HART_H

#include <stdint.h>
#include <stdbool.h>

#include "base/base.h"
#include "mem/mem.h"

enum { RV_PRIV_U = 0, RV_PRIV_S = 1, RV_PRIV_M = 3 };

/* Exception causes (mcause without the interrupt bit). */
enum {
	RV_EXC_INSN_MISALIGNED = 0, RV_EXC_INSN_ACCESS = 1, RV_EXC_ILLEGAL = 2,
	RV_EXC_BREAKPOINT = 3, RV_EXC_LOAD_MISALIGNED = 4, RV_EXC_LOAD_ACCESS = 5,
	RV_EXC_STORE_MISALIGNED = 6, RV_EXC_STORE_ACCESS = 7, RV_EXC_ECALL_U = 8,
	RV_EXC_ECALL_S = 9, RV_EXC_ECALL_M = 11, RV_EXC_INSN_PAGE = 12,
	RV_EXC_LOAD_PAGE = 13, RV_EXC_STORE_PAGE = 15,
	/* Not architectural: a slow path could not finish now (a shared frame
	 * whose lock is held); the instruction runs again after the hart has
	 * answered its requests. */
	RV_EXC_RETRY = 0x7fff,
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

/* A read-only region of guest physical memory backed by host memory (the
 * boot ROM); RAM itself belongs to mem. */
typedef struct rv_rom {
	uint64_t base, size;
	const uint8_t *host;
} rv_rom;

struct rv_hart;
/* What the hart needs from the machine. */
struct rv_bus {
	struct mem *mem;        /* guest RAM: every host pointer into it comes from here */
	rv_rom rom[2];
	int nrom;
	/* Device access; return 0, or -1 for an access fault. */
	int (*mmio_read)(void *ctx, uint64_t pa, int size, uint64_t *val);
	int (*mmio_write)(void *ctx, uint64_t pa, int size, uint64_t val);
	uint64_t (*time)(void *ctx); /* mtime, 10 MHz */
	/* Optional: the hart's next timer deadline (mtime units) changed, from
	 * the hart's own thread or a device's; the scheduler re-arms its timer. */
	void (*timer_changed)(void *ctx, struct rv_hart *h);
	void *ctx;
};

typedef struct { uint64_t tag; uintptr_t addend; } rv_tlbe;
typedef struct { uint64_t tag; rv_dpage *dp; } rv_xtlbe;
#define RV_TLB_SIZE 256
/* Data TLB sets by effective mode: U, S (SUM=0), S (SUM=1), M. */
enum { RV_DM_U, RV_DM_S, RV_DM_SSUM, RV_DM_M, RV_DM_COUNT };

#define RV_PMP_COUNT 16

/* The architectural state of a hart: what a snapshot saves, a debugger
 * reads and writes, and a JIT is handed, by one pointer (&h->state).  The
 * same fields are reachable directly as h->x, h->pc ... (an anonymous
 * struct of the same layout), so the interpreter needs no indirection. */
#define RV_STATE_FIELDS \
	uint64_t x[33];         /* x[32] swallows writes to x0 */ \
	uint64_t f[32]; \
	uint64_t pc; \
	int priv; \
	uint64_t mstatus, misa, medeleg, mideleg, mie, mip, mtvec, mscratch, \
		 mepc, mcause, mtval, mcounteren, scounteren, menvcfg, senvcfg, \
		 stvec, sscratch, sepc, scause, stval, satp, stimecmp, \
		 mcountinhibit, mhartid, tselect; \
	uint32_t fcsr;          /* frm << 5 | fflags */ \
	uint64_t instret, cycle_off; \
	uint8_t pmpcfg[RV_PMP_COUNT]; \
	uint64_t pmpaddr[RV_PMP_COUNT]; \
	/* Wires and the CLINT's per-hart registers (written from other threads \
	 * through rv_set_*, never directly). */ \
	uint32_t mip_ext;       /* MEIP/SEIP lines from the interrupt controller */ \
	uint32_t msip;          /* CLINT software interrupt */ \
	uint64_t mtimecmp;      /* CLINT timer compare */ \
	/* LR/SC reservation. */ \
	uint64_t lr_addr, lr_val; \
	bool lr_valid; \
	bool wfi;               /* parked until an interrupt is pending */
typedef struct rv_state { RV_STATE_FIELDS } rv_state;

typedef struct rv_hart {
	union {
		rv_state state;
		struct { RV_STATE_FIELDS };
	};
	/* Caches and derived values below: rebuilt from the state at will. */
	int dmode;              /* RV_DM_* for loads/stores (MPRV, SUM applied) */
	rv_tlbe *rtlb, *wtlb;   /* the dmode's read/write TLBs */
	rv_xtlbe *xtlb;         /* the fetch TLB for priv */
	bool pmp_active;        /* any entry enabled: PMP checks needed */
	uint8_t pmp_n;          /* the enabled entries, in priority order: */
	uint8_t pmp_on[RV_PMP_COUNT]; /* checks skip the OFF ones (firmware leaves most OFF) */

	/* Requests from other threads, looked at by rv_run at instruction
	 * boundaries: on leaving a page, on taken backward branches in a page,
	 * on in-page indirect jumps and at the end of the budget. */
	volatile int kick;      /* something below (or an interrupt wire) changed */
	int stop_req;           /* rv_request_stop: return RV_EXIT_STOP */
	const int *yield_hint;  /* nonzero (relaxed atomic): `pause` returns RV_EXIT_YIELD */
	struct mem_mapper mapper; /* TLB shootdowns from mem */

	uint32_t code_epoch;    /* mem's code epoch last synced */
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
/* STOP: rv_request_stop was called (the request is consumed). */
/* YIELD: a `pause` (spin-wait hint) retired while *yield_hint was nonzero:
 * others wait for the host CPU this hart is spinning on. */
enum { RV_EXIT_BUDGET, RV_EXIT_WFI, RV_EXIT_STUCK, RV_EXIT_STOP, RV_EXIT_YIELD };

int rv_hart_init(rv_hart *h, struct rv_bus *bus, uint64_t hartid) MUST_CHECK;
void rv_hart_free(rv_hart *h);
void rv_hart_reset(rv_hart *h, uint64_t pc);
/* Run up to budget instructions; returns RV_EXIT_*. */
int rv_run(rv_hart *h, int64_t budget);
/* Whether an interrupt is pending that would wake WFI (mip & mie != 0). */
bool rv_wakeup_pending(rv_hart *h);
/* Ask the hart to look at its interrupt wires and requests soon (any thread). */
static inline void rv_kick(rv_hart *h) { __atomic_store_n(&h->kick, 1, __ATOMIC_RELEASE); }
/* Ask a running hart to return RV_EXIT_STOP from rv_run at its next
 * instruction boundary (any thread; see docs/ARCHITECTURE.md for bounds). */
void rv_request_stop(rv_hart *h);

/* The hart's wires and CLINT registers, for devices (any thread).  Each
 * kicks the hart and, for timers, tells the bus's timer_changed. */
void rv_set_ext_irq(rv_hart *h, uint32_t bit, bool level);
uint32_t rv_get_ext_irq(rv_hart *h);
void rv_set_msip(rv_hart *h, bool level);
bool rv_get_msip(rv_hart *h);
void rv_set_mtimecmp(rv_hart *h, uint64_t v);
uint64_t rv_get_mtimecmp(rv_hart *h);
/* The earliest mtime at which a timer interrupt may become pending:
 * min(mtimecmp, stimecmp when Sstc is on); UINT64_MAX when none. */
uint64_t rv_next_deadline(rv_hart *h);

/* pmpcfg/pmpaddr were written directly (a debugger, a restore, a fuzzer):
 * rebuild what is derived from them and drop cached translations. */
void rv_pmp_changed(rv_hart *h);

/* Disassemble one instruction word into buf. */
void rv_disasm(char *buf, size_t n, uint64_t pc, uint32_t word);

#endif
