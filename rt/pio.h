/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 port I/O for freestanding code: outb/inb, outw/inw and outl/inl.
 * The runtime's users get it through rt.h; the VTL0 test guest, which
 * has no runtime, includes it alone.
 */
#ifndef HCL_RT_PIO_H
#define HCL_RT_PIO_H

#include <stdint.h>

/* out<sfx>(port, v) and in<sfx>(port) for one operand width */
#define RT_PIO(sfx, type)						\
static inline void out##sfx(uint16_t port, type v)			\
{									\
	__asm__ volatile("out" #sfx " %0, %1" : : "a"(v), "Nd"(port));	\
}									\
									\
static inline type in##sfx(uint16_t port)				\
{									\
	type v;								\
									\
	__asm__ volatile("in" #sfx " %1, %0" : "=a"(v) : "Nd"(port));	\
	return v;							\
}

RT_PIO(b, uint8_t)
RT_PIO(w, uint16_t)
RT_PIO(l, uint32_t)

#undef RT_PIO

#endif /* HCL_RT_PIO_H */
