// SPDX-License-Identifier: GPL-2.0
/*
 * hcl-bench-nl: the cost of reading every VP's counters over hcl.ko's
 * netlink family, run by hcl-bench (make bench) while hcl.ko is loaded.
 * It opens a partition with -v VPs, then times whole dumps
 * (HCL_CMD_VP_GET with NLM_F_DUMP: one message per VP, every counter)
 * and single-VP gets through the client library, each a round trip
 * to the kernel and back, and prints one JSON line:
 *
 *   {"netlink":{"vps":4,"stats":35,"n":200,"dump_us":...,"get_us":...}}
 *
 * (medians in microseconds, with min and max).  Exits 1 on a failure,
 * with {"netlink":{"error":"..."}}.
 *
 *   hcl-bench-nl -v VPS -n ITERATIONS [-t TSC_HZ -r REPS -R ROUND]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/hcl.h>

#include "hcl_nl.h"

#define MAX_N	2000

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int fail(const char *what, const char *why)
{
	printf("{\"netlink\":{\"error\":\"%s: %s\"}}\n", what, why);
	return 1;
}

static int count_stats(const struct hcl_nl_vp *vp, void *arg)
{
	*(unsigned int *)arg = vp->nr_stats;
	return 0;
}

int main(int argc, char **argv)
{
	static uint64_t dump_ns[MAX_N], get_ns[MAX_N];
	unsigned int vps = 4, n = 200, stats = 0, i;
	struct hcl_nl_vp *vp = malloc(sizeof(*vp));
	struct hcl_nl nl;
	int opt, fd;
	uint64_t t;

	while ((opt = getopt(argc, argv, "v:n:t:r:R:")) != -1) {
		if (opt == 'v')
			vps = strtoul(optarg, NULL, 0);
		else if (opt == 'n')
			n = strtoul(optarg, NULL, 0) / 10;
	}
	if (n < 50)
		n = 50;
	if (n > MAX_N)
		n = MAX_N;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!vp)
		return fail("malloc", strerror(errno));
	fd = open("/dev/hcl", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail("/dev/hcl", strerror(errno));
	for (i = 0; i < vps; i++) {
		struct hcl_create_vp cvp = { .vp_index = i };

		if (ioctl(fd, HCL_CREATE_VP, &cvp) < 0)
			return fail("HCL_CREATE_VP", strerror(errno));
	}
	if (hcl_nl_open(&nl))
		return fail("netlink", hcl_nl_error(&nl));
	/* warm up, and check that the dump has every VP */
	for (i = 0; i < 10; i++)
		if (hcl_nl_vp_dump(&nl, count_stats, &stats) != (int)vps)
			return fail("dump", hcl_nl_error(&nl));
	for (i = 0; i < n; i++) {
		t = now_ns();
		if (hcl_nl_vp_dump(&nl, NULL, NULL) != (int)vps)
			return fail("dump", hcl_nl_error(&nl));
		dump_ns[i] = now_ns() - t;
		t = now_ns();
		if (hcl_nl_vp_get(&nl, i % vps, vp))
			return fail("get", hcl_nl_error(&nl));
		get_ns[i] = now_ns() - t;
	}
	qsort(dump_ns, n, sizeof(dump_ns[0]), cmp_u64);
	qsort(get_ns, n, sizeof(get_ns[0]), cmp_u64);
	printf("{\"netlink\":{\"vps\":%u,\"stats\":%u,\"n\":%u,"
	       "\"dump_us\":%.1f,\"dump_us_min\":%.1f,\"dump_us_max\":%.1f,"
	       "\"get_us\":%.1f,\"get_us_min\":%.1f,\"get_us_max\":%.1f}}\n",
	       vps, stats, n, dump_ns[n / 2] / 1e3, dump_ns[0] / 1e3,
	       dump_ns[n - 1] / 1e3, get_ns[n / 2] / 1e3, get_ns[0] / 1e3,
	       get_ns[n - 1] / 1e3);
	hcl_nl_close(&nl);
	free(vp);
	return 0;
}
