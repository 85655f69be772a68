/* memgrow.c - grows linear memory to argv[1] MiB in 1 MiB blocks, touching
 * every page; stops early (and says where) when malloc fails, as it must
 * under cairn run --max-memory. */
#include "check.h"

int main(int argc, char **argv)
{
	int want = argc > 1 ? atoi(argv[1]) : 400, got = 0;
	static unsigned char *blocks[4096];
	for (; got < want && got < 4096; got++) {
		unsigned char *p = malloc(1 << 20);
		if (!p)
			break;
		for (int k = 0; k < (1 << 20); k += 4096)
			p[k] = (unsigned char)(got + k);
		blocks[got] = p;
	}
	for (int i = 0; i < got; i++)
		for (int k = 0; k < (1 << 20); k += 4096)
			CHECK(blocks[i][k] == (unsigned char)(i + k));
	unsigned long pages = __builtin_wasm_memory_size(0);
	printf("allocated %d MiB, memory %lu MiB\n", got, pages / 16);
	if (got < want)
		printf("malloc failed after %d MiB\n", got);
	return 0;
}
