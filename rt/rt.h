/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The freestanding runtime shared by the host loader (tools/loader/) and
 * the boot shim (shim/): string functions, a small printf, a heap, the
 * COM port console, the isa-debug-exit port and x86 helpers.
 *
 * Each consumer compiles the .c files here with its own flags (x86-64, no SSE,
 * -ffreestanding -fno-builtin, see rt/README.md); nothing from libc
 * is linked.  The string, printf and heap functions use the standard
 * names so that libfdt and the IGVM parser link against them unchanged.
 *
 * Host unit tests compile string.c, printf.c and heap.c with
 * -DRT_HOST_TEST: every standard name then gets the prefix rt_test_ so the
 * copies do not clash with the host's libc (see RT_FN below).
 */
#ifndef HCL_RT_H
#define HCL_RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pio.h"

#ifdef RT_HOST_TEST
#define RT_FN(name)	rt_test_##name
#else
#define RT_FN(name)	name
#endif

/* ---- string.c: what libfdt and the IGVM parser need */

void *RT_FN(memcpy)(void *dst, const void *src, size_t n);
void *RT_FN(memmove)(void *dst, const void *src, size_t n);
void *RT_FN(memset)(void *dst, int c, size_t n);
int RT_FN(memcmp)(const void *a, const void *b, size_t n);
void *RT_FN(memchr)(const void *s, int c, size_t n);
size_t RT_FN(strlen)(const char *s);
size_t RT_FN(strnlen)(const char *s, size_t max);
int RT_FN(strcmp)(const char *a, const char *b);
int RT_FN(strncmp)(const char *a, const char *b, size_t n);
char *RT_FN(strchr)(const char *s, int c);
char *RT_FN(strrchr)(const char *s, int c);
/* base 0 (0x / 0 prefixes), 2..36; saturates at ULONG_MAX on overflow */
unsigned long RT_FN(strtoul)(const char *s, char **end, int base);
unsigned long long RT_FN(strtoull)(const char *s, char **end, int base);
/* a heapsort (not stable; the IGVM parser sorts its import ranges) */
void RT_FN(qsort)(void *base, size_t n, size_t size,
		  int (*cmp)(const void *, const void *));

/* ---- printf.c
 *
 * Conversions %c %s %d %i %u %x %X %p %%; modifiers l, ll, z; flags '0'
 * and '-'; a width (digits or '*'); a precision on %s (digits or '*').
 * Anything else is copied to the output as written.  The return value is
 * the length the whole output would have had, as in C99.
 */
int RT_FN(vsnprintf)(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int RT_FN(snprintf)(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* the formatter behind both, writing each character through @out */
int rt_vformat(void (*out)(char c, void *arg), void *arg, const char *fmt,
	       va_list ap) __attribute__((format(printf, 3, 0)));

/* ---- heap.c
 *
 * A bump allocator over one region given to rt_heap_init.  Blocks are
 * 16-byte aligned.  free() only gives memory back when the block is the
 * last one allocated (otherwise it is a no-op); realloc() grows the last
 * block in place and otherwise allocates anew and copies.  malloc returns
 * NULL when the region is exhausted or before rt_heap_init.
 */
void rt_heap_init(void *base, size_t size);
size_t rt_heap_used(void);
void *RT_FN(malloc)(size_t size);
void *RT_FN(calloc)(size_t n, size_t size);
void *RT_FN(realloc)(void *p, size_t size);
void RT_FN(free)(void *p);

/* ---- serial.c: console on a 16550 and the isa-debug-exit port */

/* 115200 8N1, FIFOs on, no interrupts; port 0 makes the console silent */
void rt_serial_init(uint16_t port);
void rt_putc(char c);			/* '\n' goes out as "\r\n" */
void rt_puts(const char *s);		/* no newline added */
int rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int rt_vprintf(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));

/*
 * The isa-debug-exit port (0 = none).  rt_exit writes 0 when @ok and 1
 * otherwise, which makes QEMU exit with status 1 resp. 3.  Without a
 * port, or if the write does not stop the machine, success halts forever
 * and failure resets the machine (a triple fault, as OpenHCL's VTL2
 * reboots): the host VMM sees the failure instead of a silent hang.
 */
void rt_set_exit_port(uint16_t port);
__attribute__((noreturn)) void rt_exit(int ok);

/* ---- x86 helpers (port I/O in pio.h) */

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t subleaf, uint32_t *eax,
			 uint32_t *ebx, uint32_t *ecx, uint32_t *edx)
{
	__asm__ volatile("cpuid"
			 : "=a"(*eax), "=b"(*ebx), "=c"(*ecx), "=d"(*edx)
			 : "a"(leaf), "c"(subleaf));
}

static inline void cli(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline void hlt(void)
{
	__asm__ volatile("hlt" : : : "memory");
}

#endif /* HCL_RT_H */
