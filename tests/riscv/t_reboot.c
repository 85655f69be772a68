/* t_reboot.c - a guest reboot through the SiFive test device (0x7777): the
 * machine restarts at the reset vector with the image reloaded and RAM kept
 * (as on QEMU), so a word outside the image counts the boots. */
#include "test.h"

#define BOOTS ((volatile uint64_t *)0x80100000)
#define MAGIC 0x5eb00700ull

int main(void)
{
	uint64_t b = *BOOTS;
	if ((b & ~0xffull) != MAGIC)
		b = MAGIC;
	b++;
	*BOOTS = b;
	printf_("boot %d\n", (long)(b & 0xff));
	if ((b & 0xff) < 3)
		*(volatile uint32_t *)0x100000 = 0x7777; /* reset */
	CHECK(1, (b & 0xff) == 3);
	test_pass();
	return 0;
}
