/* idle.S - a guest that does nothing until it is killed: it keeps a cairn
 * (or QEMU) process and its disk images open while a test tries another. */
	.globl _start
_start:
1:	wfi
	j	1b
