/* mem.h - guest RAM as page frames: the one owner of every host pointer into
 * a VM's RAM.  Harts, devices, loaders and HTIF ask mem for pointers (to
 * read, to write, pinned for DMA); per-frame state says what a write must do
 * first (re-decode code, call a watcher, break a share, log the page dirty),
 * and a shootdown makes every hart that caches translations drop them. */
#ifndef CAIRN_MEM_MEM_H
#define CAIRN_MEM_MEM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/base.h"

#define MEM_PAGE_SHIFT 12
#define MEM_PAGE_SIZE  4096ull

/* Per-frame state bits.  A frame with any of CODE, WATCHED, SHARED or TRACK
 * set never gets a hart's write-TLB entry, so every store to it takes the
 * slow path, which calls mem_store_effects. */
enum {
	MEM_CODE    = 1,  /* some hart decoded instructions from it */
	MEM_WATCHED = 2,  /* stores call the watcher (HTIF's tohost) */
	MEM_SHARED  = 4,  /* shared read-only: a write breaks the share first */
	MEM_TRACK   = 8,  /* dirty logging on and the frame clean: the next write logs it */
	MEM_NOWRITE_FAST = MEM_CODE | MEM_WATCHED | MEM_SHARED | MEM_TRACK,
};

struct mem;
/* The first member of struct mem: what the inline accessors below read (a
 * hart's slow path runs them on every TLB miss).  Not for use elsewhere. */
struct mem_hot {
	uint64_t base, size;
	uint8_t *host;
	uint8_t *state;         /* MEM_* bits per frame */
};
#define MEM_HOT(m) ((const struct mem_hot *)(const void *)(m))

/* Whoever caches translations to frames (a hart's TLBs and decoded pages)
 * registers one of these.  A shootdown raises req and calls kick; the owner
 * drops its cached translations at its next instruction boundary and acks.
 * A mapper that is idle (parked, caching nothing it will use before it next
 * checks) is not waited for: it must call mem_mapper_busy before it runs. */
struct mem_mapper {
	void (*kick)(struct mem_mapper *mp);
	uint64_t req, ack;      /* shootdown generations, atomics */
	int idle;               /* atomic: 1 while parked */
	struct mem_mapper *next;
};

/* Called for stores to MEM_WATCHED frames (any thread, after the bytes landed). */
typedef void mem_watch_fn(void *ctx, uint64_t gpa, int size);

int mem_create(struct mem **out, uint64_t base, uint64_t size) MUST_CHECK;
void mem_destroy(struct mem *m);
uint64_t mem_base(const struct mem *m);
uint64_t mem_size(const struct mem *m);
/* Whether [gpa, gpa+len) lies wholly in RAM. */
static inline bool mem_contains(const struct mem *m, uint64_t gpa, uint64_t len)
{
	const struct mem_hot *h = MEM_HOT(m);
	return gpa >= h->base && gpa - h->base <= h->size && len <= h->size - (gpa - h->base);
}
void mem_set_watcher(struct mem *m, mem_watch_fn *fn, void *ctx);

/* ---- host pointers ----
 * RAM is one host mapping, so a returned pointer covers the whole range;
 * NULL when the range is not wholly RAM (the caller must then fail the
 * access, never touch the host).  A pointer from map_read stays valid for
 * reading until the caller's next instruction boundary (harts) or until it
 * unpins (devices): long-lived pointers need a pin. */
const uint8_t *mem_map_read(struct mem *m, uint64_t gpa, uint64_t len);
/* Declares write intent before the bytes land: breaks shares, invalidates
 * decoded code over the range, logs the frames dirty. */
uint8_t *mem_map_write(struct mem *m, uint64_t gpa, uint64_t len);
/* Copies that cross pages; return false (and copy nothing) outside RAM. */
bool mem_read(struct mem *m, uint64_t gpa, void *buf, uint64_t len);
bool mem_write(struct mem *m, uint64_t gpa, const void *buf, uint64_t len);

/* A DMA buffer held across a request: its frames stay private and in place
 * (never merged or remapped) until unpinned. */
struct mem_pin {
	uint8_t *host;
	uint64_t gpa, len;
	bool write;
};
int mem_pin(struct mem *m, uint64_t gpa, uint64_t len, bool write, struct mem_pin *p) MUST_CHECK;
void mem_unpin(struct mem *m, struct mem_pin *p);
/* Pin count of the frame holding gpa (for tests and the merger). */
unsigned mem_pinned(struct mem *m, uint64_t gpa);

/* ---- frame state, for harts ---- */
static inline uint8_t mem_state(struct mem *m, uint64_t gpa)
{
	const struct mem_hot *h = MEM_HOT(m);
	return __atomic_load_n(&h->state[(gpa - h->base) >> MEM_PAGE_SHIFT], __ATOMIC_ACQUIRE);
}
void mem_state_set(struct mem *m, uint64_t gpa, uint8_t bits);
/* The host page of a frame for a hart's TLB or decoded page: NULL outside
 * RAM.  write: the caller will write through it (only allowed when
 * mem_state shows none of MEM_NOWRITE_FAST). */
static inline uint8_t *mem_page(struct mem *m, uint64_t gpa)
{
	const struct mem_hot *h = MEM_HOT(m);
	uint64_t pg = gpa & ~(MEM_PAGE_SIZE - 1);
	if (!mem_contains(m, pg, MEM_PAGE_SIZE))
		return NULL;
	return h->host + (pg - h->base);
}
/* A store landed in a frame with state bits (the hart's slow path): keeps
 * decoded code coherent, calls the watcher, logs dirty.  Returns true when
 * the frame held decoded code (the hart must re-fetch).  SHARED frames are
 * broken before the store: call mem_prepare_store first. */
bool mem_store_effects(struct mem *m, uint64_t gpa, int size);
/* Before a store to a frame whose state has MEM_SHARED: make it private.
 * Returns false when the frame lock is held elsewhere: the hart must not
 * store, answer its requests (a shootdown may be waiting) and retry. */
bool mem_prepare_store(struct mem *m, uint64_t gpa) MUST_CHECK;
/* Code generation of a frame: bumped whenever the frame's bytes change
 * under decoded code.  mem_mark_code returns the new code epoch when the
 * frame newly became code (harts then drop write-TLB entries), else 0. */
uint32_t mem_code_gen(struct mem *m, uint64_t gpa);
uint32_t mem_mark_code(struct mem *m, uint64_t gpa);
uint32_t mem_code_epoch(struct mem *m);
/* Forget decoded-code marks and generations (warm reboot). */
void mem_reset_code(struct mem *m);

/* ---- sharing (the merger's primitive; a test uses it today) ----
 * Marks the frame shared read-only and shoots down every mapper: when it
 * returns no store can land in the frame until a writer breaks the share
 * (which takes the frame lock).  False for a pinned frame (left private).
 * _locked: the caller holds the frame lock (mem_with_frame_lock), so the
 * share stays unbroken until it lets go - the merger compares and merges
 * pages in that window. */
bool mem_share(struct mem *m, uint64_t gpa);
bool mem_share_locked(struct mem *m, uint64_t gpa);
/* Shares broken so far (a counter for tests and statistics). */
uint64_t mem_share_breaks(struct mem *m);
/* Runs fn with the frame lock held. */
void mem_with_frame_lock(struct mem *m, void (*fn)(void *), void *arg);

/* ---- dirty logging (snapshots, migration) ---- */
void mem_dirty_log(struct mem *m, bool on);
/* Moves the dirty bitmap (one bit per frame, bit k of word k/64) into out
 * (mem_size >> 18 words, rounded up), re-arming logging.  Every store is
 * either in a frame reported (copy the frames after this returns) or logged
 * for the next collection. */
void mem_dirty_collect(struct mem *m, uint64_t *out);

/* ---- shootdown ---- */
#define MEM_MAX_MAPPERS 64
int mem_mapper_add(struct mem *m, struct mem_mapper *mp) MUST_CHECK;
void mem_mapper_remove(struct mem *m, struct mem_mapper *mp);
/* Every mapper drops its translations; returns when all busy ones acked. */
void mem_shootdown(struct mem *m);
static inline bool mem_mapper_pending(struct mem_mapper *mp)
{
	return __atomic_load_n(&mp->req, __ATOMIC_ACQUIRE) != __atomic_load_n(&mp->ack, __ATOMIC_RELAXED);
}
/* The owner dropped everything it cached up to the current request. */
void mem_mapper_ack(struct mem_mapper *mp);
/* Parking and resuming: a busy mapper must check mem_mapper_pending after
 * mem_mapper_busy and before it uses any cached translation. */
void mem_mapper_idle(struct mem_mapper *mp);
void mem_mapper_busy(struct mem_mapper *mp);

#endif
