// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: the freestanding runtime (rt/) string, printf and
 * heap code, compiled with -DRT_HOST_TEST so its functions are rt_test_*.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"
#include "rt.h"

TEST(memcpy_memset_memcmp)
{
	char a[32], b[32];

	EXPECT_EQ((void *)a, rt_test_memset(a, 'x', sizeof(a)));
	for (size_t i = 0; i < sizeof(a); i++)
		ASSERT_EQ('x', a[i]);
	EXPECT_EQ((void *)b, rt_test_memcpy(b, "hello, world", 13));
	EXPECT_EQ(0, strcmp("hello, world", b));
	EXPECT_EQ(0, rt_test_memcmp("abc", "abc", 3));
	EXPECT_GT(0, rt_test_memcmp("abc", "abd", 3));
	EXPECT_LT(0, rt_test_memcmp("\xff", "\x01", 1));	/* unsigned */
	EXPECT_EQ(0, rt_test_memcmp("abc", "abd", 2));
	EXPECT_EQ(0, rt_test_memcmp("", "", 0));
	rt_test_memset(a, 0, 0);
	EXPECT_EQ('x', a[0]);
}

TEST(memmove_overlap)
{
	char buf[16];

	strcpy(buf, "0123456789");
	rt_test_memmove(buf + 2, buf, 8);	/* dst above src */
	EXPECT_STREQ("0101234567", buf);
	strcpy(buf, "0123456789");
	rt_test_memmove(buf, buf + 3, 7);	/* dst below src */
	EXPECT_STREQ("3456789789", buf);
	strcpy(buf, "0123456789");
	rt_test_memmove(buf + 1, buf, 0);
	EXPECT_STREQ("0123456789", buf);
}

TEST(memchr_strchr)
{
	const char *s = "a/b/c";

	EXPECT_EQ(s + 1, rt_test_memchr(s, '/', 5));
	EXPECT_EQ(NULL, rt_test_memchr(s, '/', 1));
	EXPECT_EQ(s + 5, rt_test_memchr(s, 0, 6));
	EXPECT_EQ(s + 1, rt_test_strchr(s, '/'));
	EXPECT_EQ(s + 3, rt_test_strrchr(s, '/'));
	EXPECT_EQ(s + 5, rt_test_strchr(s, '\0'));
	EXPECT_EQ(s + 5, rt_test_strrchr(s, '\0'));
	EXPECT_EQ(NULL, rt_test_strchr(s, 'z'));
	EXPECT_EQ(NULL, rt_test_strrchr(s, 'z'));
}

TEST(strlen_strcmp)
{
	EXPECT_EQ(0, rt_test_strlen(""));
	EXPECT_EQ(5, rt_test_strlen("hello"));
	EXPECT_EQ(3, rt_test_strnlen("hello", 3));
	EXPECT_EQ(5, rt_test_strnlen("hello", 99));
	EXPECT_EQ(0, rt_test_strnlen("hello", 0));
	EXPECT_EQ(0, rt_test_strcmp("abc", "abc"));
	EXPECT_GT(0, rt_test_strcmp("ab", "abc"));
	EXPECT_LT(0, rt_test_strcmp("abd", "abc"));
	EXPECT_LT(0, rt_test_strcmp("\xe0", "a"));		/* unsigned */
	EXPECT_EQ(0, rt_test_strncmp("abcx", "abcy", 3));
	EXPECT_GT(0, rt_test_strncmp("abcx", "abcy", 4));
	EXPECT_EQ(0, rt_test_strncmp("ab", "ab", 10));
	EXPECT_LT(0, rt_test_strncmp("abc", "ab", 10));
	EXPECT_EQ(0, rt_test_strncmp("x", "y", 0));
}

TEST(strtoul_bases)
{
	char *end;

	EXPECT_EQ(0xf4UL, rt_test_strtoul("0xf4", &end, 0));
	EXPECT_EQ('\0', *end);
	EXPECT_EQ(0xf4UL, rt_test_strtoul("0XF4 rest", &end, 16));
	EXPECT_STREQ(" rest", end);
	EXPECT_EQ(0xf4UL, rt_test_strtoul("f4", &end, 16));
	EXPECT_EQ(8UL, rt_test_strtoul("010", &end, 0));
	EXPECT_EQ(10UL, rt_test_strtoul("010", &end, 10));
	EXPECT_EQ(42UL, rt_test_strtoul("  +42,", &end, 0));
	EXPECT_EQ(',', *end);
	EXPECT_EQ(5UL, rt_test_strtoul("101", &end, 2));
	/* "0x" with no hex digit: the 0 is the number */
	EXPECT_EQ(0UL, rt_test_strtoul("0xg", &end, 0));
	EXPECT_STREQ("xg", end);
	const char *none = "zz";

	EXPECT_EQ(0UL, rt_test_strtoul(none, &end, 10));
	EXPECT_EQ(none, end);
	EXPECT_EQ(ULONG_MAX,
		  rt_test_strtoul("999999999999999999999999", &end, 10));
	EXPECT_EQ('\0', *end);
	EXPECT_EQ(ULONG_MAX, rt_test_strtoul("-1", &end, 10));
	EXPECT_EQ(0xffffffffffffffffULL,
		  rt_test_strtoull("0xffffffffffffffff", &end, 0));
	EXPECT_EQ(0UL, rt_test_strtoul("12", &end, 1));	/* bad base */
	EXPECT_EQ(35UL, rt_test_strtoul("z", NULL, 36));
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

TEST(qsort_ints)
{
	int v[257];
	unsigned int seed = 12345;

	for (int i = 0; i < 257; i++) {
		seed = seed * 1103515245 + 12345;
		v[i] = (int)(seed >> 16) % 100 - 50;
	}
	rt_test_qsort(v, 257, sizeof(v[0]), cmp_int);
	for (int i = 1; i < 257; i++)
		ASSERT_LE(v[i - 1], v[i]);
	rt_test_qsort(v, 0, sizeof(v[0]), cmp_int);
	rt_test_qsort(v, 1, sizeof(v[0]), cmp_int);
	int two[2] = { 2, 1 };

	rt_test_qsort(two, 2, sizeof(two[0]), cmp_int);
	EXPECT_EQ(1, two[0]);
	EXPECT_EQ(2, two[1]);
}

/* our snprintf and the host's agree on a string */
#define SAME(fmt, ...) do {						\
	char ours[128], theirs[128];					\
	int n1 = rt_test_snprintf(ours, sizeof(ours), fmt, __VA_ARGS__); \
	int n2 = snprintf(theirs, sizeof(theirs), fmt, __VA_ARGS__);	\
	const char *t = theirs, *o = ours;				\
	EXPECT_STREQ(t, o);						\
	EXPECT_EQ(n2, n1);						\
} while (0)

TEST(printf_conversions)
{
	SAME("%c|%s|%d|%i|%u", 'x', "str", -42, 17, 4000000000u);
	SAME("%x|%X|%%|%d", 0xbeefu, 0xbeefu, 0);
	SAME("%ld|%lu|%lx", -1L, ULONG_MAX, 0x123456789abcdefUL);
	SAME("%lld|%llu|%llx", LLONG_MIN, ULLONG_MAX, 0xfedcba9876543210ULL);
	SAME("%zu|%zx|%zd", (size_t)12345, (size_t)0xabc, (size_t)7);
	SAME("%d|%d", INT_MIN, INT_MAX);
	SAME("%p", (void *)0x1000);
	SAME("[%5d][%-5d][%05d][%-3d]", 42, 42, 42, 42);
	SAME("[%05d][%5d][%08x][%-8X]", -42, -42, 0xabcu, 0xabcu);
	SAME("[%3s][%-6s][%.2s][%6.3s][%-6.3s]", "a", "ab", "abcdef", "abcdef",
	     "abcdef");
	SAME("[%*d][%-*d][%.*s]", 6, 7, 6, 7, 3, "abcdef");
	SAME("[%3c][%-3c]", 'a', 'b');
	SAME("[%1d][%s]", 12345, "");
	SAME("%s", "igvm: header 3 (PAGE_DATA) at offset 0x140: gpa");
}

TEST(printf_truncates)
{
	char buf[8];

	memset(buf, 'z', sizeof(buf));
	EXPECT_EQ(11, rt_test_snprintf(buf, sizeof(buf), "hello %s", "world"));
	EXPECT_STREQ("hello w", buf);
	EXPECT_EQ(3, rt_test_snprintf(buf, 0, "%d", 123));
	EXPECT_EQ('h', buf[0]);
	EXPECT_EQ(3, rt_test_snprintf(buf, 1, "%d", 123));
	EXPECT_STREQ("", buf);
	const char *volatile null_str = NULL;

	EXPECT_EQ(6, rt_test_snprintf(buf, sizeof(buf), "%s", null_str));
	EXPECT_STREQ("(null)", buf);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
TEST(printf_unknown_conversion)
{
	char buf[32];

	/* unknown conversions are copied as written, arguments unused */
	EXPECT_EQ(5, rt_test_snprintf(buf, sizeof(buf), "a%qb%", 1));
	EXPECT_STREQ("a%qb%", buf);
}
#pragma GCC diagnostic pop

TEST(heap)
{
	static char arena_buf[4096] __attribute__((aligned(16)));
	char *arena = arena_buf, *a, *b, *c;
	size_t used;

	rt_heap_init(NULL, 0);
	EXPECT_EQ(NULL, rt_test_malloc(1));
	rt_heap_init(arena + 1, sizeof(arena_buf) - 1);
	a = rt_test_malloc(10);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(0, (uintptr_t)a % 16);
	memset(a, 'a', 10);
	b = rt_test_calloc(4, 8);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(0, (uintptr_t)b % 16);
	for (int i = 0; i < 32; i++)
		ASSERT_EQ(0, b[i]);
	EXPECT_LE(a + 10, b);
	/* the last block grows in place */
	EXPECT_EQ(b, rt_test_realloc(b, 200));
	/* any other block moves, keeping its bytes */
	c = rt_test_realloc(a, 100);
	ASSERT_NE(NULL, c);
	EXPECT_NE(a, c);
	EXPECT_EQ(0, memcmp(c, "aaaaaaaaaa", 10));
	EXPECT_GE(c, b + 200);
	/* freeing the last block gives it back; others are kept */
	used = rt_heap_used();
	rt_test_free(c);
	EXPECT_GT(used, rt_heap_used());
	used = rt_heap_used();
	rt_test_free(a);
	EXPECT_EQ(used, rt_heap_used());
	rt_test_free(NULL);
	/* exhaustion and overflow give NULL, never a wrapped block */
	EXPECT_EQ(NULL, rt_test_malloc(sizeof(arena_buf)));
	EXPECT_EQ(NULL, rt_test_malloc(SIZE_MAX));
	EXPECT_EQ(NULL, rt_test_calloc(SIZE_MAX / 2, 4));
	EXPECT_EQ(NULL, rt_test_realloc(b, SIZE_MAX - 8));
	EXPECT_NE(NULL, rt_test_malloc(64));
	EXPECT_EQ(NULL, rt_test_realloc(NULL, sizeof(arena_buf)));
	a = rt_test_realloc(NULL, 16);
	EXPECT_NE(NULL, a);
}

TEST_HARNESS_MAIN
