// SPDX-License-Identifier: GPL-2.0
/*
 * A bump allocator over the one region rt_heap_init hands it.  Each block
 * carries a 16-byte header with its size so that realloc knows how much
 * to copy; blocks are 16-byte aligned.  Memory comes back only when the
 * last block is freed (or shrunk); freeing any other block is a no-op.
 * That suits the loader and the shim, which allocate a handful of
 * buffers once and keep them.
 */
#include "rt.h"

#define HDR		16u
#define ALIGN		16u

static uintptr_t heap_base, heap_end, heap_next;
static uintptr_t heap_last;	/* user pointer of the last block, or 0 */

static size_t block_size(const void *p)
{
	return *(const size_t *)((uintptr_t)p - HDR);
}

void rt_heap_init(void *base, size_t size)
{
	uintptr_t b = ((uintptr_t)base + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
	uintptr_t e = (uintptr_t)base + size;

	if (!base || e < (uintptr_t)base || e < b) {
		heap_base = heap_end = heap_next = 0;
	} else {
		heap_base = heap_next = b;
		heap_end = e;
	}
	heap_last = 0;
}

size_t rt_heap_used(void)
{
	return heap_next - heap_base;
}

/* true if a block of @size (with its header) fits at @at */
static bool fits(uintptr_t at, size_t size)
{
	if (size > SIZE_MAX - HDR - ALIGN)
		return false;
	return heap_end >= at && heap_end - at >= HDR + size;
}

static uintptr_t round_up(size_t v)
{
	return (v + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
}

void *RT_FN(malloc)(size_t size)
{
	uintptr_t p;

	if (!heap_base || !fits(heap_next, size))
		return NULL;
	*(size_t *)heap_next = size;
	p = heap_next + HDR;
	heap_next = p + round_up(size);
	if (heap_next > heap_end)
		heap_next = heap_end;
	heap_last = p;
	return (void *)p;
}

void *RT_FN(calloc)(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = RT_FN(malloc)(n * size);
	if (p)
		RT_FN(memset)(p, 0, n * size);
	return p;
}

void *RT_FN(realloc)(void *p, size_t size)
{
	void *q;
	size_t old;

	if (!p)
		return RT_FN(malloc)(size);
	old = block_size(p);
	if ((uintptr_t)p == heap_last) {
		/* the last block grows or shrinks where it is */
		if (!fits((uintptr_t)p - HDR, size))
			return NULL;
		*(size_t *)((uintptr_t)p - HDR) = size;
		heap_next = (uintptr_t)p + round_up(size);
		if (heap_next > heap_end)
			heap_next = heap_end;
		return p;
	}
	if (size <= old) {
		*(size_t *)((uintptr_t)p - HDR) = size;
		return p;
	}
	q = RT_FN(malloc)(size);
	if (q)
		RT_FN(memcpy)(q, p, old);
	return q;
}

void RT_FN(free)(void *p)
{
	if (p && (uintptr_t)p == heap_last) {
		heap_next = (uintptr_t)p - HDR;
		heap_last = 0;
	}
}
