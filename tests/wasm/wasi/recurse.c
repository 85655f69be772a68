/* recurse.c - recursion whose frames live on the wasm stack only: a depth of
 * argv[1] (default 50000) must work, unbounded depth must trap cleanly
 * ("call stack exhausted") after the output so far was flushed. */
#include "check.h"

static volatile int salt = 3;

__attribute__((noinline)) static int down(int n)
{
	if (n == 0)
		return salt;
	return down(n - 1) * salt + n % 7; /* not a tail call */
}

int main(int argc, char **argv)
{
	int depth = argc > 1 ? atoi(argv[1]) : 50000;
	printf("depth %d: %d\n", depth, down(depth) & 0xff);
	fflush(stdout);
	printf("unbounded: %d\n", down(0x7fffffff));
	return 0;
}
