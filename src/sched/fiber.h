/* fiber.h - a C stack of its own for a unit whose work cannot return in the
 * middle (a wasm program deep in the interpreter or in a WASI call): the
 * unit's run() switches into the fiber, the fiber switches back when its
 * slice is over, and the next run() -- on any worker -- continues it where
 * it was.  Sanitizer-aware (ASan and TSan are told about every switch). */
#ifndef CAIRN_SCHED_FIBER_H
#define CAIRN_SCHED_FIBER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/base.h"

struct sched_fiber;

/* A fiber that will call fn(arg) on its first run, on a stack of `stack`
 * bytes (0: a default that the wasm engine's host calls fit in, sanitizer
 * frames included) with a guard page below it. */
int sched_fiber_create(struct sched_fiber **out, size_t stack, void (*fn)(void *arg), void *arg) MUST_CHECK;
/* Free a fiber that has not started or has finished (fn returned): a
 * fiber suspended in the middle still has frames that own things. */
void sched_fiber_free(struct sched_fiber *f);
/* From a worker: run the fiber until it yields or fn returns; returns
 * true while it has more to do, false once fn has returned. */
bool sched_fiber_run(struct sched_fiber *f);
/* From inside the fiber: back to the sched_fiber_run that ran it. */
void sched_fiber_yield(struct sched_fiber *f);

#endif
