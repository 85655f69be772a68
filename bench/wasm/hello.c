/* hello.c - the startup benchmark: the smallest WASI program that prints. */
#include <stdio.h>

int main(void)
{
	puts("hello");
	return 0;
}
