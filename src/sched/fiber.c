/* fiber.c - fibers on ucontext (getcontext/makecontext/swapcontext).
 *
 * Why ucontext: it is POSIX-shaped, in glibc on every host cairn builds on,
 * and the sanitizers know it; its one cost, a sigprocmask call in each
 * switch, is about a microsecond against a wasm slice of up to half a
 * millisecond.  A fiber may be resumed by a different worker thread each
 * time: the code inside sees that thread's thread-locals (see interp.c's
 * trap_slot for the one that matters).
 *
 * AddressSanitizer keeps shadow state per stack and "fake stacks" for
 * use-after-return: every switch is bracketed by
 * __sanitizer_start_switch_fiber (where we go, saving our fake stack) and
 * __sanitizer_finish_switch_fiber (we arrived: where we came from), or it
 * reports false stack overflows and use-after-scope errors.  A finished
 * fiber passes NULL so that ASan frees its fake stack.  Under ASan a switch
 * is getcontext + setcontext, not swapcontext, whose interceptor only warns
 * on stderr that it cannot follow fibers (it is told here) and wipes the
 * shadow of the target's stack.  ThreadSanitizer gets its own fiber object
 * per fiber. */
#include "sched/fiber.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define FIBER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FIBER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define FIBER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FIBER_TSAN 1
#endif
#endif

#ifdef FIBER_ASAN
#include <sanitizer/common_interface_defs.h>
#define DEFAULT_STACK ((size_t)4 << 20) /* ASan's frames carry redzones */
#else
#define DEFAULT_STACK ((size_t)1 << 20)
#endif
#ifdef FIBER_TSAN
#include <sanitizer/tsan_interface.h>
#endif

struct sched_fiber {
	ucontext_t ctx;                 /* the fiber, while it is not running */
	ucontext_t host;                /* the worker that runs it, while it runs */
	void *map;                      /* guard page + stack */
	size_t map_len;
	void *stack;
	size_t size;
	void (*fn)(void *arg);
	void *arg;
	bool done;
#ifdef FIBER_ASAN
	const void *host_bottom;        /* the running worker's stack */
	size_t host_size;
#endif
#ifdef FIBER_TSAN
	void *tsan_fiber, *tsan_host;
#endif
};

/* ---- telling the sanitizers (no-ops without them) ---- */

static void to_fiber(struct sched_fiber *f, void **fake)
{
#ifdef FIBER_ASAN
	__sanitizer_start_switch_fiber(fake, f->stack, f->size);
#else
	(void)fake;
#endif
#ifdef FIBER_TSAN
	f->tsan_host = __tsan_get_current_fiber();
	__tsan_switch_to_fiber(f->tsan_fiber, 0);
#endif
}

/* fake NULL: the fiber is finishing (ASan frees its fake stack). */
static void to_host(struct sched_fiber *f, void **fake)
{
#ifdef FIBER_ASAN
	__sanitizer_start_switch_fiber(fake, f->host_bottom, f->host_size);
#else
	(void)fake;
#endif
#ifdef FIBER_TSAN
	__tsan_switch_to_fiber(f->tsan_host, 0);
#endif
}

/* Arrived in the fiber: note the worker's stack we came from. */
static void in_fiber(struct sched_fiber *f, void *fake)
{
#ifdef FIBER_ASAN
	__sanitizer_finish_switch_fiber(fake, &f->host_bottom, &f->host_size);
#else
	(void)f;
	(void)fake;
#endif
}

static void in_host(void *fake)
{
#ifdef FIBER_ASAN
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
#else
	(void)fake;
#endif
}

/* swapcontext(save, to). */
static void switch_ctx(ucontext_t *save, const ucontext_t *to)
{
#ifdef FIBER_ASAN
	volatile bool back = false;
	getcontext(save); /* returns again, with back set, when save is resumed */
	if (!back) {
		back = true;
		setcontext(to);
	}
#else
	swapcontext(save, to);
#endif
}

/* ---- fibers ---- */

/* makecontext passes ints: the fiber's address in two halves. */
static void entry(unsigned lo, unsigned hi)
{
	struct sched_fiber *f = (struct sched_fiber *)(((uintptr_t)hi << 32) | lo);
	in_fiber(f, NULL);
	f->fn(f->arg);
	f->done = true;
	to_host(f, NULL);
	setcontext(&f->host);
	abort(); /* setcontext does not return */
}

int sched_fiber_create(struct sched_fiber **out, size_t stack, void (*fn)(void *arg), void *arg)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct sched_fiber *f = calloc(1, sizeof *f);
	*out = NULL;
	if (!f)
		return -ERR_NOMEM;
	f->size = ((stack ? stack : DEFAULT_STACK) + page - 1) / page * page;
	f->map_len = f->size + page;
	f->map = mmap(NULL, f->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK,
		      -1, 0);
	if (f->map == MAP_FAILED || mprotect(f->map, page, PROT_NONE) || getcontext(&f->ctx)) {
		if (f->map != MAP_FAILED)
			munmap(f->map, f->map_len);
		free(f);
		return -ERR_NOMEM;
	}
	f->stack = (char *)f->map + page;
	f->fn = fn;
	f->arg = arg;
	f->ctx.uc_stack.ss_sp = f->stack;
	f->ctx.uc_stack.ss_size = f->size;
	f->ctx.uc_link = NULL;
	uintptr_t p = (uintptr_t)f;
	makecontext(&f->ctx, (void (*)(void))entry, 2, (unsigned)p, (unsigned)(p >> 32));
#ifdef FIBER_TSAN
	f->tsan_fiber = __tsan_create_fiber(0);
#endif
	*out = f;
	return 0;
}

void sched_fiber_free(struct sched_fiber *f)
{
	if (!f)
		return;
#ifdef FIBER_TSAN
	__tsan_destroy_fiber(f->tsan_fiber);
#endif
	munmap(f->map, f->map_len);
	free(f);
}

bool sched_fiber_run(struct sched_fiber *f)
{
	void *fake = NULL;
	if (f->done)
		return false;
	to_fiber(f, &fake);
	switch_ctx(&f->host, &f->ctx);
	in_host(fake);
	return !f->done;
}

void sched_fiber_yield(struct sched_fiber *f)
{
	void *fake = NULL;
	to_host(f, &fake);
	switch_ctx(&f->ctx, &f->host);
	in_fiber(f, fake);
}
