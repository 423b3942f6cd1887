// SPDX-License-Identifier: GPL-2.0
/*
 * hcl-nl: hcl.ko's netlink family from a shell in VTL2.
 *
 *   hcl-nl info                 the partition and the module
 *   hcl-nl stats [VP]           every VP's state and counters (a dump),
 *                               or one VP's
 *   hcl-nl policy               the run loop's policy
 *   hcl-nl policy set WORD...   change it (CAP_NET_ADMIN), words as in
 *                               HCL_POLICY: events=shutdown+vtl_violation
 *                               rate=N burst=N forward_io=0|1
 *                               log=err|warning|notice|info|debug
 *   hcl-nl watch [-n N] [-t S]  print events as they come, until N were
 *                               seen or S seconds passed (default: forever)
 *
 * Exits 0, 1 on an error (with the kernel's reason), 2 on bad usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hcl_nl.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: hcl-nl info | stats [VP] | policy [set WORD...] | watch [-n N] [-t SECONDS]\n");
	return 2;
}

static int fail(struct hcl_nl *nl, const char *what)
{
	fprintf(stderr, "hcl-nl: %s: %s\n", what, hcl_nl_error(nl));
	return 1;
}

static int cmd_info(struct hcl_nl *nl)
{
	struct hcl_nl_part p;

	if (hcl_nl_part_get(nl, &p))
		return fail(nl, "info");
	printf("partition: %s, %u of %u VPs\n", p.open ? "open" : "closed",
	       p.vps, p.vp_count);
	printf("VTL0 RAM: %#" PRIx64 " + %#" PRIx64 " (%" PRIu64 " MiB)\n",
	       p.vtl0_base, p.vtl0_size, p.vtl0_size >> 20);
	printf("backend: %s, features %#" PRIx64 ", API %u\n", p.backend,
	       p.features, p.api_version);
	return 0;
}

static int print_vp(const struct hcl_nl_vp *vp, void *arg)
{
	const char *exit = hcl_nl_exit_name(vp->last_exit);
	unsigned int i;

	(void)arg;
	printf("vp %u: %s, last exit %s\n", vp->id,
	       hcl_nl_vp_state_name(vp->state), exit ? exit : "none");
	for (i = 0; i < vp->nr_stats; i++)
		printf("  %-16s %" PRIu64 "\n", vp->stats[i].name,
		       vp->stats[i].value);
	return 0;
}

static int cmd_stats(struct hcl_nl *nl, int argc, char **argv)
{
	struct hcl_nl_vp vp;
	char *end;
	unsigned long id;
	int n;

	if (argc > 1)
		return usage();
	if (argc == 1) {
		id = strtoul(argv[0], &end, 0);
		if (*end || !*argv[0] || id > UINT32_MAX)
			return usage();
		if (hcl_nl_vp_get(nl, id, &vp))
			return fail(nl, "stats");
		return print_vp(&vp, NULL);
	}
	n = hcl_nl_vp_dump(nl, print_vp, NULL);
	if (n < 0)
		return fail(nl, "stats");
	if (!n)
		printf("no VPs\n");
	return 0;
}

static int cmd_policy(struct hcl_nl *nl, int argc, char **argv)
{
	struct hcl_nl_policy p;
	char buf[512], err[160];
	size_t n = 0;
	int i;

	if (argc >= 1 && !strcmp(argv[0], "set")) {
		if (argc < 2)
			return usage();
		for (i = 1; i < argc && n < sizeof(buf); i++)
			n += snprintf(buf + n, sizeof(buf) - n, "%s ", argv[i]);
		if (n >= sizeof(buf) ||
		    hcl_nl_policy_parse(buf, &p, err, sizeof(err))) {
			fprintf(stderr, "hcl-nl: policy: %s\n",
				n >= sizeof(buf) ? "too long" : err);
			return 2;
		}
		if (hcl_nl_policy_set(nl, &p))
			return fail(nl, "policy set");
	} else if (argc) {
		return usage();
	}
	if (hcl_nl_policy_get(nl, &p))
		return fail(nl, "policy");
	hcl_nl_policy_format(&p, buf, sizeof(buf));
	printf("%s\nevents sent %" PRIu64 ", dropped by the rate limit %" PRIu64 "\n",
	       buf, p.events_sent, p.events_dropped);
	return 0;
}

static void print_event(const struct hcl_nl_event *ev, void *arg)
{
	char buf[256];

	(*(long *)arg)++;
	hcl_nl_event_format(ev, buf, sizeof(buf));
	printf("event: %s\n", buf);
	fflush(stdout);
}

static int cmd_watch(struct hcl_nl *nl, int argc, char **argv)
{
	long want = -1, seen = 0, secs = -1;
	struct timespec start, now;
	struct pollfd pfd;
	int i, ret, timeout;

	for (i = 0; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "-n"))
			want = atol(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "-t"))
			secs = atol(argv[++i]);
		else
			return usage();
	}
	pfd.fd = hcl_nl_subscribe(nl);
	if (pfd.fd < 0)
		return fail(nl, "watch");
	pfd.events = POLLIN;
	clock_gettime(CLOCK_MONOTONIC, &start);
	printf("watching events\n");
	fflush(stdout);
	while (want < 0 || seen < want) {
		timeout = -1;
		if (secs >= 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			timeout = secs * 1000 -
				  ((now.tv_sec - start.tv_sec) * 1000 +
				   (now.tv_nsec - start.tv_nsec) / 1000000);
			if (timeout <= 0)
				break;
		}
		ret = poll(&pfd, 1, timeout);
		if (ret < 0 && errno != EINTR)
			return fail(nl, "poll");
		if (ret > 0 && hcl_nl_events_read(nl, print_event, &seen) < 0)
			fprintf(stderr, "hcl-nl: %s\n", hcl_nl_error(nl));
	}
	printf("%ld events\n", seen);
	return want >= 0 && seen < want;
}

int main(int argc, char **argv)
{
	struct hcl_nl nl;
	int ret;

	if (argc < 2)
		return usage();
	if (hcl_nl_open(&nl))
		return fail(&nl, "open");
	if (!strcmp(argv[1], "info") && argc == 2)
		ret = cmd_info(&nl);
	else if (!strcmp(argv[1], "stats"))
		ret = cmd_stats(&nl, argc - 2, argv + 2);
	else if (!strcmp(argv[1], "policy"))
		ret = cmd_policy(&nl, argc - 2, argv + 2);
	else if (!strcmp(argv[1], "watch"))
		ret = cmd_watch(&nl, argc - 2, argv + 2);
	else
		ret = usage();
	hcl_nl_close(&nl);
	return ret;
}
