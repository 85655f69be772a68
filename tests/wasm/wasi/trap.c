/* trap.c - traps and their backtraces: argv[1] is unreachable (abort via
 * __builtin_trap three calls deep), oob (a store outside memory) or
 * divzero (integer division by zero). */
#include "check.h"

static volatile int zero;

__attribute__((noinline)) void level3(const char *how)
{
	printf("level3: %s\n", how);
	fflush(stdout);
	if (!strcmp(how, "oob"))
		*(volatile int *)(0xfffffff0u - (unsigned)zero) = 1;
	if (!strcmp(how, "divzero"))
		printf("%d\n", 10 / zero);
	__builtin_trap();
}

__attribute__((noinline)) void level2(const char *how)
{
	level3(how);
	printf("not reached\n");
}

__attribute__((noinline)) void level1(const char *how)
{
	level2(how);
	printf("not reached\n");
}

int main(int argc, char **argv)
{
	level1(argc > 1 ? argv[1] : "unreachable");
	return 0;
}
