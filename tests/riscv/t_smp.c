/* t_smp.c - four harts on four host threads hammer shared counters with
 * AMOs and LR/SC loops; the totals must be exact.  Run with -smp 4
 * (t_smp.args), it checks that atomics stay atomic across host threads. */
#include "test.h"

#define HARTS 4
#define ITERS 200000

extern void (*volatile secondary_entry)(long);
static volatile long amo_count, lrsc_count, wcount, done;

static void lrsc_inc(volatile long *p)
{
	long v, fail;
	__asm__ volatile("1: lr.d %0, (%2)\n"
			 "   addi %0, %0, 1\n"
			 "   sc.d %1, %0, (%2)\n"
			 "   bnez %1, 1b" : "=&r"(v), "=&r"(fail) : "r"(p) : "memory");
}

static void work(long id)
{
	for (long k = 0; k < ITERS; k++) {
		__atomic_fetch_add(&amo_count, 1, __ATOMIC_RELAXED);
		lrsc_inc(&lrsc_count);
		if ((k & 7) == (id & 7))
			__atomic_fetch_add((volatile int *)&wcount, 1, __ATOMIC_SEQ_CST);
	}
	__atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
}

static void secondary(long id)
{
	work(id);
	for (;;)
		__asm__ volatile("wfi");
}

int main(void)
{
	secondary_entry = secondary;
	work(0);
	while (__atomic_load_n(&done, __ATOMIC_SEQ_CST) != HARTS)
		;
	long want = (long)HARTS * ITERS;
	printf_("amo %d lrsc %d word %d\n", amo_count, lrsc_count, wcount);
	if (amo_count != want)
		test_fail(1);
	if (lrsc_count != want)
		test_fail(2);
	if (wcount != (long)HARTS * (ITERS / 8))
		test_fail(3);
	test_pass();
	return 0;
}
