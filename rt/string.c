// SPDX-License-Identifier: GPL-2.0
/*
 * String and memory functions for freestanding code.  The copy and fill
 * loops are "rep movsb"/"rep stosb" so that the compiler can never turn
 * them back into calls to themselves.
 */
#include <limits.h>

#include "rt.h"

void *RT_FN(memcpy)(void *dst, const void *src, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep movsb"
			 : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

void *RT_FN(memmove)(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return RT_FN(memcpy)(dst, src, n);
	if (!n)
		return dst;
	/* overlapping with dst above src: copy from the last byte down */
	d += n - 1;
	s += n - 1;
	__asm__ volatile("std\n\trep movsb\n\tcld"
			 : "+D"(d), "+S"(s), "+c"(n) : : "memory", "cc");
	return dst;
}

void *RT_FN(memset)(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep stosb"
			 : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

int RT_FN(memcmp)(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p < *q ? -1 : 1;
	return 0;
}

void *RT_FN(memchr)(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t RT_FN(strlen)(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t RT_FN(strnlen)(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int RT_FN(strcmp)(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	while (*p && *p == *q) {
		p++;
		q++;
	}
	return *p == *q ? 0 : (*p < *q ? -1 : 1);
}

int RT_FN(strncmp)(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	for (; n; n--, p++, q++) {
		if (*p != *q)
			return *p < *q ? -1 : 1;
		if (!*p)
			break;
	}
	return 0;
}

char *RT_FN(strchr)(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *RT_FN(strrchr)(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 36;
}

/*
 * The conversion behind strtoul and strtoull: optional space and sign,
 * a 0x prefix for base 16 or 0, a leading 0 meaning octal for base 0.
 * Overflow saturates at @max; a minus sign negates the result in the
 * type's width, as C does.  Without digits *end is @s.
 */
static unsigned long long parse_unsigned(const char *s, char **end, int base,
					 unsigned long long max)
{
	const char *p = s, *digits;
	unsigned long long v = 0;
	bool neg = false, over = false;
	int d;

	if (base < 0 || base == 1 || base > 36) {
		if (end)
			*end = (char *)s;
		return 0;
	}
	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' &&
	    (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	digits = p;
	for (; (d = digit_value(*p)) < base; p++) {
		if (v > (max - (unsigned long long)d) / (unsigned long long)base)
			over = true;
		else
			v = v * (unsigned long long)base + (unsigned long long)d;
	}
	if (end)
		*end = (char *)(p == digits ? s : p);
	if (over)
		return max;
	return neg ? (0 - v) & max : v;
}

unsigned long RT_FN(strtoul)(const char *s, char **end, int base)
{
	return (unsigned long)parse_unsigned(s, end, base, ULONG_MAX);
}

unsigned long long RT_FN(strtoull)(const char *s, char **end, int base)
{
	return parse_unsigned(s, end, base, ULLONG_MAX);
}

static void swap_bytes(unsigned char *a, unsigned char *b, size_t n)
{
	while (n--) {
		unsigned char t = *a;

		*a++ = *b;
		*b++ = t;
	}
}

/* moves element @root down the max-heap of @n elements at @base */
static void sift_down(unsigned char *base, size_t root, size_t n, size_t size,
		      int (*cmp)(const void *, const void *))
{
	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n &&
		    cmp(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (cmp(base + root * size, base + child * size) >= 0)
			return;
		swap_bytes(base + root * size, base + child * size, size);
		root = child;
	}
}

/* heapsort: O(n log n), no recursion, no allocation; not stable */
void RT_FN(qsort)(void *base, size_t n, size_t size,
		  int (*cmp)(const void *, const void *))
{
	unsigned char *b = base;

	if (n < 2 || !size)
		return;
	for (size_t i = n / 2; i-- > 0;)
		sift_down(b, i, n, size, cmp);
	for (size_t end = n - 1; end > 0; end--) {
		swap_bytes(b, b + end * size, size);
		sift_down(b, 0, end, size, cmp);
	}
}
