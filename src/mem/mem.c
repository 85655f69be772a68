/* mem.c - guest RAM frames: host pointers, per-frame state, pins, dirty
 * logging, sharing and TLB shootdown.  RAM is one anonymous host mapping
 * (reserved, touched lazily); what varies per frame is a state byte, a code
 * generation and a pin count, all read and written with atomics because
 * harts, device threads and the control plane use them concurrently. */
#include "mem/mem.h"

#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>

struct mem {
	struct mem_hot hot;      /* base, size, host, state: first, for mem.h's inlines */
	uint64_t pages;
	uint32_t *gen;           /* code generation per frame */
	uint16_t *pins;          /* pin count per frame */
	uint64_t *dirty;         /* one bit per frame */
	bool logging;
	uint32_t code_epoch;
	uint64_t breaks;
	mem_watch_fn *watch;
	void *watch_ctx;
	pthread_mutex_t lock;    /* frame lock: sharing, pins */
	pthread_mutex_t mlock;   /* the mapper list */
	struct mem_mapper *mappers;
};

int mem_create(struct mem **out, uint64_t base, uint64_t size)
{
	if (!size || (size & (MEM_PAGE_SIZE - 1)) || (base & (MEM_PAGE_SIZE - 1)) || base + size < base)
		return -ERR_INVAL;
	struct mem *m = calloc(1, sizeof *m);
	if (!m)
		return -ERR_NOMEM;
	m->hot.base = base;
	m->hot.size = size;
	m->pages = size >> MEM_PAGE_SHIFT;
	pthread_mutex_init(&m->lock, NULL);
	pthread_mutex_init(&m->mlock, NULL);
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	m->hot.host = p == MAP_FAILED ? NULL : p;
	m->hot.state = calloc(m->pages, 1);
	m->gen = calloc(m->pages, sizeof *m->gen);
	m->pins = calloc(m->pages, sizeof *m->pins);
	m->dirty = calloc((m->pages + 63) / 64, sizeof *m->dirty);
	if (!m->hot.host || !m->hot.state || !m->gen || !m->pins || !m->dirty) {
		mem_destroy(m);
		return -ERR_NOMEM;
	}
	*out = m;
	return 0;
}

void mem_destroy(struct mem *m)
{
	if (!m)
		return;
	if (m->hot.host)
		munmap(m->hot.host, m->hot.size);
	free(m->hot.state);
	free(m->gen);
	free(m->pins);
	free(m->dirty);
	pthread_mutex_destroy(&m->lock);
	pthread_mutex_destroy(&m->mlock);
	free(m);
}

uint64_t mem_base(const struct mem *m) { return m->hot.base; }
uint64_t mem_size(const struct mem *m) { return m->hot.size; }

void mem_set_watcher(struct mem *m, mem_watch_fn *fn, void *ctx)
{
	m->watch = fn;
	m->watch_ctx = ctx;
}

static uint64_t pfn(const struct mem *m, uint64_t gpa)
{
	return (gpa - m->hot.base) >> MEM_PAGE_SHIFT;
}

/* ---- frame state ---- */

void mem_state_set(struct mem *m, uint64_t gpa, uint8_t bits)
{
	__atomic_fetch_or(&m->hot.state[pfn(m, gpa)], bits, __ATOMIC_ACQ_REL);
}

static void state_clear(struct mem *m, uint64_t k, uint8_t bits)
{
	__atomic_fetch_and(&m->hot.state[k], (uint8_t)~bits, __ATOMIC_ACQ_REL);
}

uint32_t mem_code_gen(struct mem *m, uint64_t gpa)
{
	return __atomic_load_n(&m->gen[pfn(m, gpa)], __ATOMIC_ACQUIRE);
}

uint32_t mem_mark_code(struct mem *m, uint64_t gpa)
{
	uint64_t k = pfn(m, gpa);
	if (__atomic_load_n(&m->hot.state[k], __ATOMIC_ACQUIRE) & MEM_CODE)
		return 0;
	__atomic_fetch_or(&m->hot.state[k], MEM_CODE, __ATOMIC_ACQ_REL);
	return __atomic_add_fetch(&m->code_epoch, 1, __ATOMIC_ACQ_REL);
}

uint32_t mem_code_epoch(struct mem *m)
{
	return __atomic_load_n(&m->code_epoch, __ATOMIC_ACQUIRE);
}

void mem_reset_code(struct mem *m)
{
	for (uint64_t k = 0; k < m->pages; k++) {
		state_clear(m, k, MEM_CODE | MEM_WATCHED);
		__atomic_store_n(&m->gen[k], 0, __ATOMIC_RELEASE);
	}
}

static void log_dirty(struct mem *m, uint64_t k)
{
	uint64_t bit = 1ull << (k & 63);
	if (!(__atomic_load_n(&m->dirty[k / 64], __ATOMIC_RELAXED) & bit))
		__atomic_fetch_or(&m->dirty[k / 64], bit, __ATOMIC_ACQ_REL);
}

/* The bytes of frame k are about to change (or just did). */
static bool frame_written(struct mem *m, uint64_t k)
{
	uint8_t st = __atomic_load_n(&m->hot.state[k], __ATOMIC_ACQUIRE);
	bool code = st & MEM_CODE;
	if (code) {
		__atomic_fetch_add(&m->gen[k], 1, __ATOMIC_RELEASE);
		state_clear(m, k, MEM_CODE);
	}
	if (st & MEM_TRACK)
		state_clear(m, k, MEM_TRACK);
	if (m->logging)
		log_dirty(m, k);
	return code;
}

/* Makes frame k private.  wait=false (harts): when the frame lock is held
 * elsewhere, return false instead of blocking, so the hart can answer a
 * shootdown that the lock holder may be waiting for, and retry. */
static bool break_share(struct mem *m, uint64_t k, bool wait)
{
	if (wait)
		pthread_mutex_lock(&m->lock);
	else if (pthread_mutex_trylock(&m->lock))
		return false;
	if (__atomic_load_n(&m->hot.state[k], __ATOMIC_ACQUIRE) & MEM_SHARED) {
		/* One host page per frame today: the frame becomes private in
		 * place.  The merger's copy goes here. */
		state_clear(m, k, MEM_SHARED);
		__atomic_fetch_add(&m->breaks, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&m->lock);
	return true;
}

bool mem_prepare_store(struct mem *m, uint64_t gpa)
{
	uint64_t k = pfn(m, gpa);
	if (__atomic_load_n(&m->hot.state[k], __ATOMIC_ACQUIRE) & MEM_SHARED)
		return break_share(m, k, false);
	return true;
}

bool mem_store_effects(struct mem *m, uint64_t gpa, int size)
{
	uint64_t k = pfn(m, gpa);
	uint8_t st = __atomic_load_n(&m->hot.state[k], __ATOMIC_ACQUIRE);
	bool code = frame_written(m, k);
	if ((st & MEM_WATCHED) && m->watch)
		m->watch(m->watch_ctx, gpa, size);
	return code;
}

/* ---- device access ---- */

const uint8_t *mem_map_read(struct mem *m, uint64_t gpa, uint64_t len)
{
	if (!mem_contains(m, gpa, len))
		return NULL;
	return m->hot.host + (gpa - m->hot.base);
}

uint8_t *mem_map_write(struct mem *m, uint64_t gpa, uint64_t len)
{
	if (!mem_contains(m, gpa, len))
		return NULL;
	if (len) {
		for (uint64_t k = pfn(m, gpa); k <= pfn(m, gpa + len - 1); k++) {
			if (__atomic_load_n(&m->hot.state[k], __ATOMIC_ACQUIRE) & MEM_SHARED)
				break_share(m, k, true);
			if (__atomic_load_n(&m->hot.state[k], __ATOMIC_ACQUIRE) || m->logging)
				frame_written(m, k);
		}
	}
	return m->hot.host + (gpa - m->hot.base);
}

bool mem_read(struct mem *m, uint64_t gpa, void *buf, uint64_t len)
{
	const uint8_t *p = mem_map_read(m, gpa, len);
	if (!p)
		return false;
	memcpy(buf, p, len);
	return true;
}

bool mem_write(struct mem *m, uint64_t gpa, const void *buf, uint64_t len)
{
	uint8_t *p = mem_map_write(m, gpa, len);
	if (!p)
		return false;
	memcpy(p, buf, len);
	return true;
}

int mem_pin(struct mem *m, uint64_t gpa, uint64_t len, bool write, struct mem_pin *p)
{
	if (!mem_contains(m, gpa, len) || !len)
		return -ERR_RANGE;
	pthread_mutex_lock(&m->lock);
	uint64_t k0 = pfn(m, gpa), k1 = pfn(m, gpa + len - 1), k;
	for (k = k0; k <= k1 && m->pins[k] < UINT16_MAX; k++)
		m->pins[k]++;
	if (k <= k1) { /* a frame pinned 65535 times: refuse rather than wrap */
		while (k-- > k0)
			m->pins[k]--;
		pthread_mutex_unlock(&m->lock);
		return -ERR_NOMEM;
	}
	pthread_mutex_unlock(&m->lock);
	*p = (struct mem_pin){ write ? mem_map_write(m, gpa, len) : m->hot.host + (gpa - m->hot.base), gpa, len, write };
	return 0;
}

void mem_unpin(struct mem *m, struct mem_pin *p)
{
	if (!p->host)
		return;
	pthread_mutex_lock(&m->lock);
	for (uint64_t k = pfn(m, p->gpa); k <= pfn(m, p->gpa + p->len - 1); k++)
		m->pins[k]--;
	pthread_mutex_unlock(&m->lock);
	p->host = NULL;
}

unsigned mem_pinned(struct mem *m, uint64_t gpa)
{
	pthread_mutex_lock(&m->lock);
	unsigned n = m->pins[pfn(m, gpa)];
	pthread_mutex_unlock(&m->lock);
	return n;
}

/* ---- sharing ---- */

bool mem_share_locked(struct mem *m, uint64_t gpa)
{
	uint64_t k = pfn(m, gpa);
	if (m->pins[k]) /* pinned frames stay private */
		return false;
	__atomic_fetch_or(&m->hot.state[k], MEM_SHARED, __ATOMIC_SEQ_CST);
	mem_shootdown(m);
	return true;
}

bool mem_share(struct mem *m, uint64_t gpa)
{
	pthread_mutex_lock(&m->lock);
	bool ok = mem_share_locked(m, gpa);
	pthread_mutex_unlock(&m->lock);
	return ok;
}

uint64_t mem_share_breaks(struct mem *m)
{
	return __atomic_load_n(&m->breaks, __ATOMIC_ACQUIRE);
}

void mem_with_frame_lock(struct mem *m, void (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&m->lock);
	fn(arg);
	pthread_mutex_unlock(&m->lock);
}

/* ---- dirty logging ---- */

static void arm_tracking(struct mem *m)
{
	for (uint64_t k = 0; k < m->pages; k++)
		__atomic_fetch_or(&m->hot.state[k], MEM_TRACK, __ATOMIC_SEQ_CST);
}

void mem_dirty_log(struct mem *m, bool on)
{
	__atomic_store_n(&m->logging, on, __ATOMIC_SEQ_CST);
	if (on) {
		memset(m->dirty, 0, (m->pages + 63) / 64 * sizeof *m->dirty);
		arm_tracking(m);
	} else {
		for (uint64_t k = 0; k < m->pages; k++)
			state_clear(m, k, MEM_TRACK);
	}
	mem_shootdown(m); /* write-TLB entries of clean frames must go */
}

/* The order is KVM's: take a word of bits, re-arm tracking on exactly those
 * frames, and after all words shoot down write-TLB entries.  A store racing
 * with this lands either in a frame reported now (the caller copies it after
 * we return, so the store is in the copy) or, after the shootdown, through
 * the slow path that logs it for the next collection. */
void mem_dirty_collect(struct mem *m, uint64_t *out)
{
	for (uint64_t w = 0; w < (m->pages + 63) / 64; w++) {
		uint64_t bits = __atomic_exchange_n(&m->dirty[w], 0, __ATOMIC_SEQ_CST);
		for (uint64_t b = bits; b; b &= b - 1)
			__atomic_fetch_or(&m->hot.state[w * 64 + (uint64_t)__builtin_ctzll(b)], MEM_TRACK, __ATOMIC_SEQ_CST);
		out[w] = bits;
	}
	mem_shootdown(m);
}

/* ---- shootdown ---- */

int mem_mapper_add(struct mem *m, struct mem_mapper *mp)
{
	pthread_mutex_lock(&m->mlock);
	int n = 0;
	for (struct mem_mapper *q = m->mappers; q; q = q->next)
		n++;
	if (n < MEM_MAX_MAPPERS) {
		mp->next = m->mappers;
		m->mappers = mp;
	}
	pthread_mutex_unlock(&m->mlock);
	return n < MEM_MAX_MAPPERS ? 0 : -ERR_NOMEM;
}

void mem_mapper_remove(struct mem *m, struct mem_mapper *mp)
{
	pthread_mutex_lock(&m->mlock);
	for (struct mem_mapper **pp = &m->mappers; *pp; pp = &(*pp)->next)
		if (*pp == mp) {
			*pp = mp->next;
			break;
		}
	pthread_mutex_unlock(&m->mlock);
}

void mem_mapper_ack(struct mem_mapper *mp)
{
	__atomic_store_n(&mp->ack, __atomic_load_n(&mp->req, __ATOMIC_ACQUIRE), __ATOMIC_RELEASE);
}

void mem_mapper_idle(struct mem_mapper *mp)
{
	__atomic_store_n(&mp->idle, 1, __ATOMIC_SEQ_CST);
}

void mem_mapper_busy(struct mem_mapper *mp)
{
	/* seq_cst pairs with mem_shootdown: either it sees us busy and waits,
	 * or we see its request (mem_mapper_pending) before running. */
	__atomic_store_n(&mp->idle, 0, __ATOMIC_SEQ_CST);
}

/* Raise every mapper's request, then wait for each busy one to ack.  The
 * caller may hold the frame lock: harts never block on it mid-instruction
 * (a store to a shared frame whose lock is taken retries the instruction
 * after answering requests). */
void mem_shootdown(struct mem *m)
{
	struct mem_mapper *list[MEM_MAX_MAPPERS];
	uint64_t want[MEM_MAX_MAPPERS];
	int n = 0;
	pthread_mutex_lock(&m->mlock);
	for (struct mem_mapper *mp = m->mappers; mp; mp = mp->next) {
		want[n] = __atomic_add_fetch(&mp->req, 1, __ATOMIC_SEQ_CST);
		list[n++] = mp;
		mp->kick(mp);
	}
	pthread_mutex_unlock(&m->mlock);
	for (int k = 0; k < n; k++) {
		struct mem_mapper *mp = list[k];
		for (unsigned spins = 0;; spins++) {
			if (__atomic_load_n(&mp->idle, __ATOMIC_SEQ_CST) ||
			    (int64_t)(__atomic_load_n(&mp->ack, __ATOMIC_ACQUIRE) - want[k]) >= 0)
				break;
			if (spins > 64)
				sched_yield();
		}
	}
}
