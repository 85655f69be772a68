/* irq.h - an interrupt line as an object (TinyEMU's IRQSignal): a device
 * holds one and raises or lowers it from any thread; whoever made the line
 * decides where the level goes (a PLIC source today; a test's recorder; an
 * MSI controller later).  Devices never name the controller or a hart. */
#ifndef CAIRN_MACHINE_IRQ_H
#define CAIRN_MACHINE_IRQ_H

#include <stdbool.h>

struct irq_line {
	void (*set)(void *opaque, int n, bool level);
	void *opaque;
	int n;          /* the line's number at its controller (the device tree's "interrupts") */
};

static inline void irq_set(const struct irq_line *l, bool level)
{
	if (l->set)
		l->set(l->opaque, l->n, level);
}

#endif
