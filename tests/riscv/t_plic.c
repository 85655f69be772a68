/* t_plic.c - the PLIC with a real source: the UART's THR-empty interrupt
 * (IRQ 10) raises SEIP/MEIP per context enables, priorities and thresholds;
 * claim/complete follow the gateway rules; and csrrs on mip must not latch
 * the controller's SEIP into the software bit (priv spec 3.1.9). */
#include "test.h"

#define PLIC        0x0c000000ul
#define PRIO(n)     ((volatile uint32_t *)(PLIC + 4 * (n)))
#define PENDING     ((volatile uint32_t *)(PLIC + 0x1000))
#define ENABLE(c)   ((volatile uint32_t *)(PLIC + 0x2000 + 0x80 * (c)))
#define THRESH(c)   ((volatile uint32_t *)(PLIC + 0x200000 + 0x1000 * (c)))
#define CLAIM(c)    ((volatile uint32_t *)(PLIC + 0x200004 + 0x1000 * (c)))
#define UART_IER    ((volatile uint8_t *)0x10000001)
#define UART_IIR    ((volatile uint8_t *)0x10000002)
#define IRQ_UART    10
#define MIP_SEIP    (1ul << 9)
#define MIP_MEIP    (1ul << 11)
#define MIP_SSIP    (1ul << 1)

int main(void)
{
	/* Context 0 = hart 0 M-mode, context 1 = hart 0 S-mode. */
	*PRIO(IRQ_UART) = 3;
	*ENABLE(1) = 1u << IRQ_UART;
	*THRESH(1) = 0;
	*UART_IER = 2;			/* THR-empty interrupt: pending at once */
	CHECK(1, (*PENDING >> IRQ_UART) & 1);
	CHECK(2, csr_read(mip) & MIP_SEIP);
	CHECK(3, !(csr_read(mip) & MIP_MEIP));	/* context 0 has nothing enabled */
	*THRESH(1) = 3;				/* priority must exceed the threshold */
	CHECK(4, !(csr_read(mip) & MIP_SEIP));
	*THRESH(1) = 2;
	CHECK(5, csr_read(mip) & MIP_SEIP);

	/* csrrs/csrrc on mip: only the software SEIP bit takes part. */
	csr_set(mip, MIP_SSIP);
	csr_clear(mip, MIP_SSIP);
	*UART_IER = 0;				/* the line drops, the request stays */
	CHECK(6, (*PENDING >> IRQ_UART) & 1);
	CHECK(7, *CLAIM(1) == IRQ_UART);
	*CLAIM(1) = IRQ_UART;			/* complete with the line low: done */
	CHECK(8, !((*PENDING >> IRQ_UART) & 1));
	CHECK(9, !(csr_read(mip) & MIP_SEIP));	/* SEIP was not latched */

	/* Claim returns the source and clears pending; complete re-arms it
	 * while the line is still high. */
	*UART_IER = 2;
	CHECK(18, *CLAIM(1) == IRQ_UART);
	CHECK(19, !((*PENDING >> IRQ_UART) & 1));
	CHECK(10, !(csr_read(mip) & MIP_SEIP));
	CHECK(11, *CLAIM(1) == 0);		/* nothing else */
	*CLAIM(1) = IRQ_UART;			/* complete: line still high */
	CHECK(12, (*PENDING >> IRQ_UART) & 1);
	(void)*UART_IIR;			/* reading IIR acknowledges THRE... */
	CHECK(13, *CLAIM(1) == IRQ_UART);	/* ...the request was already made */
	*CLAIM(1) = IRQ_UART;
	CHECK(16, !((*PENDING >> IRQ_UART) & 1));
	/* The M-mode context sees it only when enabled there. */
	*UART_IER = 0;
	*UART_IER = 2;
	*ENABLE(0) = 1u << IRQ_UART;
	*PRIO(IRQ_UART) = 1;
	*THRESH(0) = 0;
	CHECK(14, csr_read(mip) & MIP_MEIP);
	*UART_IER = 0;
	*ENABLE(0) = 0;
	*ENABLE(1) = 0;
	CHECK(15, !(csr_read(mip) & (MIP_MEIP | MIP_SEIP)));
	test_pass();
	return 0;
}
