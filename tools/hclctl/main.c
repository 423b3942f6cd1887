// SPDX-License-Identifier: GPL-2.0
/*
 * hclctl: the host's CLI to a running paravisor (docs/hostchan.md).
 *
 *   hclctl [-s SOCK] [--json] COMMAND
 *     status                  stage, uptime, VPs, the channel's counters
 *     stats                   every VP's counters (hcl.ko's)
 *     timeline                the boot timeline so far
 *     log [-f]                the paravisor's logs (kernel, processes,
 *                             events); -f follows until the VM ends
 *     vtl0 poweroff|reset     power VTL0 off (a clean end) or reset it
 *     workers [restart NAME]  underhill_vm and its device workers
 *     shutdown                stop everything in order, power off
 *     host                    the daemon's own view of the channel
 *     wait STAGE [SECONDS]    until the paravisor reports STAGE
 *                             ("hello": until it has said HELLO)
 *     inject garbage N | truncated | flood N
 *                             hostile bytes on the channel (tests)
 *     serve ...               the daemon (serve.c)
 *
 * SOCK is the daemon's socket: -s, else $HCLCTL_SOCK, else
 * build/hclctl.sock.  Exit status 0, 1 on an error reply (its message on
 * stderr), 2 on bad usage, 3 when the daemon cannot be reached.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hclctl.h"

static const char *sock_path;
static bool json;
static int sfd = -1;
static struct hostchan_rx rx;
static uint32_t req_id;

static void usage(void)
{
	fprintf(stderr,
		"usage: hclctl [-s SOCK] [--json] status | stats | timeline | log [-f] |\n"
		"              vtl0 poweroff|reset | workers [restart NAME] | shutdown |\n"
		"              policy get | policy set WORDS |\n"
		"              host | wait STAGE [SECONDS] |\n"
		"              inject garbage N|truncated|flood N\n"
		"       hclctl serve --qemu QEMU.sock --listen CTL.sock --log FILE --store VMGS\n");
	exit(2);
}

static int dial(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	if (strlen(sock_path) >= sizeof(a.sun_path))
		return -1;
	strcpy(a.sun_path, sock_path);
	sfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sfd < 0 || connect(sfd, (struct sockaddr *)&a, sizeof(a))) {
		if (sfd >= 0)
			close(sfd);
		sfd = -1;
		return -1;
	}
	hostchan_rx_init(&rx, HOSTCHAN_MAX_PAYLOAD);
	return 0;
}

static void must_dial(void)
{
	if (dial()) {
		fprintf(stderr, "hclctl: %s: %s (is the VM running with the host channel? make run starts it)\n",
			sock_path, strerror(errno));
		exit(3);
	}
}

static void send_req(uint8_t type, const void *p, uint32_t len)
{
	uint8_t f[HOSTCHAN_MAX_FRAME];
	struct hostchan_hdr h = { HOSTCHAN_VERSION_MAX, type, 0, ++req_id, len };
	size_t n = hostchan_encode(f, sizeof(f), &h, p);

	if (!n || send(sfd, f, n, MSG_NOSIGNAL) != (ssize_t)n) {
		fprintf(stderr, "hclctl: sending to %s: %s\n", sock_path,
			strerror(errno));
		exit(3);
	}
}

/* the next frame from the daemon: 1, or 0 at its end */
static int next_frame(struct hostchan_hdr *h, const uint8_t **p)
{
	static uint8_t buf[4096];
	static size_t have, off;
	int ret;

	for (;;) {
		ssize_t n;

		/* as much as the parser takes, then what it makes of it */
		off += hostchan_rx_push(&rx, buf + off, have - off);
		while ((ret = hostchan_rx_next(&rx, h, p)) != 0)
			if (ret == 1)
				return 1;
		if (off < have)
			continue;
		n = recv(sfd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		have = (size_t)n;
		off = 0;
	}
}

/* error replies end the program with their message */
static void check_error(const struct hostchan_hdr *h, const uint8_t *p,
			bool quiet)
{
	struct hostchan_buf b;
	char msg[HOSTCHAN_TEXT_MAX + 1];
	uint32_t code;

	if (!(h->flags & HOSTCHAN_F_ERROR))
		return;
	hc_reader(&b, p, h->len);
	code = hc_get_u32(&b);
	hc_get_str(&b, msg, sizeof(msg));
	if (quiet)
		exit(1);
	if (json)
		printf("{\"error\":\"%s\",\"code\":%u,\"message\":\"%s\"}\n",
		       hostchan_err_name(code), code, msg);
	fprintf(stderr, "hclctl: %s: %s\n", hostchan_err_name(code), msg);
	exit(1);
}

/* one request and its reply (payload into *p, valid until the next) */
static struct hostchan_hdr call(uint8_t type, const void *req, uint32_t len,
				const uint8_t **p, bool quiet)
{
	struct hostchan_hdr h;

	send_req(type, req, len);
	while (next_frame(&h, p)) {
		if (h.id != req_id || !(h.flags & HOSTCHAN_F_REPLY))
			continue;
		check_error(&h, *p, quiet);
		return h;
	}
	fprintf(stderr, "hclctl: the daemon closed the connection\n");
	exit(3);
}

/* a str in JSON: quotes and backslashes escaped (strs are printable) */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

/* ---- commands ------------------------------------------------------------ */

static int cmd_status(void)
{
	struct hostchan_buf b;
	const uint8_t *p;
	struct hostchan_hdr h = call(HOSTCHAN_STATUS, NULL, 0, &p, false);
	char stage[HOSTCHAN_NAME_MAX + 1], state[HOSTCHAN_NAME_MAX + 1];
	uint64_t up, exits, skipped;
	uint32_t pid, frames, bad, dropped, rss;
	uint16_t nvps;

	hc_reader(&b, p, h.len);
	up = hc_get_u64(&b);
	hc_get_str(&b, stage, sizeof(stage));
	pid = hc_get_u32(&b);
	nvps = hc_get_u16(&b);
	if (json)
		printf("{\"uptime_ms\":%" PRIu64 ",\"stage\":", up);
	else
		printf("paravisor: %s, up %" PRIu64 ".%01" PRIu64 " s, underhill_vm pid %u\n",
		       stage, up / 1000, up % 1000 / 100, pid);
	if (json) {
		json_str(stage);
		printf(",\"vm_pid\":%u,\"vps\":[", pid);
	} else {
		printf("VPs: %u\n", nvps);
	}
	for (unsigned int i = 0; i < nvps; i++) {
		hc_get_str(&b, state, sizeof(state));
		exits = hc_get_u64(&b);
		if (json) {
			printf("%s{\"vp\":%u,\"state\":", i ? "," : "", i);
			json_str(state);
			printf(",\"exits\":%" PRIu64 "}", exits);
		} else {
			printf("  vp%-3u %-10s %" PRIu64 " exits\n", i, state,
			       exits);
		}
	}
	frames = hc_get_u32(&b);
	bad = hc_get_u32(&b);
	skipped = hc_get_u64(&b);
	dropped = hc_get_u32(&b);
	rss = hc_get_u32(&b);
	if (json)
		printf("],\"channel\":{\"frames_in\":%u,\"bad_frames\":%u,\"bytes_skipped\":%" PRIu64 ",\"tx_dropped\":%u},\"openvmm_hcl_rss_kb\":%u}\n",
		       frames, bad, skipped, dropped, rss);
	else
		printf("channel: %u frames in, %u refused, %" PRIu64 " bytes skipped, %u frames out dropped\nopenvmm_hcl: %u kB resident\n",
		       frames, bad, skipped, dropped, rss);
	return 0;
}

#define STATS_MAX_VPS	64
#define STATS_MAX_CTRS	64

static int cmd_stats(void)
{
	static char names[STATS_MAX_CTRS][HOSTCHAN_NAME_MAX + 1];
	static uint64_t val[STATS_MAX_VPS][STATS_MAX_CTRS];
	static unsigned int nctr[STATS_MAX_VPS];
	unsigned int nvp = 0, nnames = 0;
	uint16_t first = 0;

	do {
		uint8_t req[2] = { (uint8_t)first, (uint8_t)(first >> 8) };
		struct hostchan_buf b;
		const uint8_t *p;
		struct hostchan_hdr h = call(HOSTCHAN_STATS, req, 2, &p, false);
		uint16_t n;

		hc_reader(&b, p, h.len);
		first = hc_get_u16(&b);
		n = hc_get_u16(&b);
		for (unsigned int i = 0; i < n; i++) {
			uint16_t vp = hc_get_u16(&b), k = hc_get_u16(&b);

			(void)vp;
			for (unsigned int j = 0; j < k; j++) {
				char name[HOSTCHAN_NAME_MAX + 1];
				uint64_t v;

				hc_get_str(&b, name, sizeof(name));
				v = hc_get_u64(&b);
				if (nvp >= STATS_MAX_VPS || j >= STATS_MAX_CTRS)
					continue;
				if (j >= nnames) {
					snprintf(names[j], sizeof(names[j]),
						 "%s", name);
					nnames = j + 1;
				}
				val[nvp][j] = v;
				nctr[nvp] = j + 1;
			}
			if (nvp < STATS_MAX_VPS)
				nvp++;
		}
	} while (first != 0xffff);
	if (json) {
		printf("{\"vps\":[");
		for (unsigned int v = 0; v < nvp; v++) {
			printf("%s{\"vp\":%u,\"counters\":{", v ? "," : "", v);
			for (unsigned int j = 0; j < nctr[v]; j++) {
				printf("%s", j ? "," : "");
				json_str(names[j]);
				printf(":%" PRIu64, val[v][j]);
			}
			printf("}}");
		}
		printf("]}\n");
		return 0;
	}
	printf("%-16s", "counter");
	for (unsigned int v = 0; v < nvp; v++)
		printf(" %14s%u", "vp", v);
	printf("\n");
	for (unsigned int j = 0; j < nnames; j++) {
		printf("%-16s", names[j]);
		for (unsigned int v = 0; v < nvp; v++)
			if (j < nctr[v])
				printf(" %15" PRIu64, val[v][j]);
			else	/* a VP hcl.ko has not created */
				printf(" %15s", "-");
		printf("\n");
	}
	return 0;
}

static int cmd_timeline(void)
{
	struct hostchan_buf b;
	const uint8_t *p;
	struct hostchan_hdr h = call(HOSTCHAN_TIMELINE, NULL, 0, &p, false);
	uint32_t khz;
	uint16_t n;

	hc_reader(&b, p, h.len);
	khz = hc_get_u32(&b);
	n = hc_get_u16(&b);
	if (json)
		printf("{\"tsc_mhz\":%.1f,\"stages\":[", khz / 1e3);
	else
		printf("boot timeline (TSC at %.0f MHz; ms since the first stage)\n  %-16s %10s %10s\n",
		       khz / 1e3, "stage", "start", "takes");
	for (unsigned int i = 0; i < n; i++) {
		char name[HOSTCHAN_NAME_MAX + 1];
		int64_t start, dur;

		hc_get_str(&b, name, sizeof(name));
		start = (int64_t)hc_get_u64(&b);
		dur = (int64_t)hc_get_u64(&b);
		if (json) {
			printf("%s{\"name\":", i ? "," : "");
			json_str(name);
			if (start >= 0)
				printf(",\"start_ms\":%.3f", start / 1e3);
			else
				printf(",\"start_ms\":null");
			if (dur >= 0)
				printf(",\"ms\":%.3f}", dur / 1e3);
			else
				printf(",\"ms\":null}");
			continue;
		}
		printf("  %-16s", name);
		if (start >= 0)
			printf(" %10.3f", start / 1e3);
		else
			printf(" %10s", "-");
		if (dur >= 0)
			printf(" %10.3f\n", dur / 1e3);
		else
			printf(" %10s\n", start >= 0 ? "" : "-");
	}
	if (json)
		printf("]}\n");
	return 0;
}

static int cmd_log(bool follow)
{
	uint8_t f = follow;
	struct hostchan_hdr h;
	const uint8_t *p;

	send_req(HCLCTL_LOG, &f, 1);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (next_frame(&h, &p)) {
		if (h.type == HCLCTL_LINE) {
			fwrite(p, 1, h.len, stdout);
			putchar('\n');
		} else if (h.flags & HOSTCHAN_F_REPLY && h.id == req_id) {
			return 0;
		}
	}
	return follow ? 0 : 3;
}

static int cmd_vtl0(const char *what)
{
	uint8_t act;
	const uint8_t *p;

	if (!strcmp(what, "poweroff"))
		act = HOSTCHAN_VTL0_POWEROFF;
	else if (!strcmp(what, "reset"))
		act = HOSTCHAN_VTL0_RESET;
	else
		usage();
	call(HOSTCHAN_VTL0, &act, 1, &p, false);
	if (json)
		printf("{\"vtl0\":\"%s\"}\n", what);
	else
		printf("VTL0: %s requested\n", what);
	return 0;
}

/* the run loop's policy: get, or set (HCL_POLICY's words) and get */
static int cmd_policy(int argc, char **argv)
{
	uint8_t req[HOSTCHAN_TEXT_MAX + 8];
	char pol[HOSTCHAN_TEXT_MAX + 1];
	struct hostchan_buf b, r;
	const uint8_t *p;
	struct hostchan_hdr h;

	hc_writer(&b, req, sizeof(req));
	if (argc == 1 && !strcmp(argv[0], "get"))
		hc_put_str(&b, "");
	else if (argc == 2 && !strcmp(argv[0], "set") && argv[1][0])
		hc_put_str(&b, argv[1]);
	else
		usage();
	if (b.err) {
		fprintf(stderr, "hclctl: a policy is at most %u bytes\n",
			HOSTCHAN_TEXT_MAX);
		return 2;
	}
	h = call(HOSTCHAN_POLICY, req, (uint32_t)b.off, &p, false);
	hc_reader(&r, p, h.len);
	hc_get_str(&r, pol, sizeof(pol));
	if (json) {
		printf("{\"policy\":");
		json_str(pol);
		printf("}\n");
	} else {
		printf("run-loop policy: %s\n", pol);
	}
	return 0;
}

static int cmd_workers(int argc, char **argv)
{
	uint8_t req[HOSTCHAN_NAME_MAX + 8];
	struct hostchan_buf b, r;
	const uint8_t *p;
	struct hostchan_hdr h;
	uint16_t n;

	hc_writer(&b, req, sizeof(req));
	if (argc == 2 && !strcmp(argv[0], "restart")) {
		hc_put_u8(&b, 1);
		hc_put_str(&b, argv[1]);
	} else if (argc == 0) {
		hc_put_u8(&b, 0);
		hc_put_str(&b, "");
	} else {
		usage();
	}
	if (b.err)
		usage();
	h = call(HOSTCHAN_WORKERS, req, (uint32_t)b.off, &p, false);
	if (argc) {
		printf(json ? "{\"restarted\":\"%s\"}\n" :
		       "worker %s: killed, underhill_vm restarts it\n", argv[1]);
		return 0;
	}
	hc_reader(&r, p, h.len);
	n = hc_get_u16(&r);
	if (json)
		printf("{\"workers\":[");
	else
		printf("%-14s %7s %-9s %8s  %s\n", "worker", "pid", "state",
		       "restarts", "last exit");
	for (unsigned int i = 0; i < n; i++) {
		char name[HOSTCHAN_NAME_MAX + 1], state[HOSTCHAN_NAME_MAX + 1];
		char last[HOSTCHAN_NAME_MAX + 1];
		int32_t pid;
		uint32_t restarts;

		hc_get_str(&r, name, sizeof(name));
		pid = (int32_t)hc_get_u32(&r);
		hc_get_str(&r, state, sizeof(state));
		restarts = hc_get_u32(&r);
		hc_get_str(&r, last, sizeof(last));
		for (char *c = last; *c; c++)
			if (*c == '-' && c != last)
				*c = ' ';
		if (json) {
			printf("%s{\"name\":", i ? "," : "");
			json_str(name);
			printf(",\"pid\":%d,\"state\":", pid);
			json_str(state);
			printf(",\"restarts\":%u,\"last_exit\":", restarts);
			json_str(strcmp(last, "-") ? last : "");
			printf("}");
		} else {
			printf("%-14s %7d %-9s %8u  %s\n", name, pid, state,
			       restarts, last);
		}
	}
	if (json)
		printf("]}\n");
	return 0;
}

static int cmd_host(void)
{
	struct hostchan_buf b;
	const uint8_t *p;
	struct hostchan_hdr h = call(HCLCTL_HOST, NULL, 0, &p, false);
	char peer[HOSTCHAN_NAME_MAX + 1], store[HOSTCHAN_NAME_MAX + 1];
	uint8_t conn, hello;
	uint16_t ver;
	uint64_t frames, bad, skipped;
	uint32_t errs, logs, lost;

	hc_reader(&b, p, h.len);
	conn = hc_get_u8(&b);
	hello = hc_get_u8(&b);
	ver = hc_get_u16(&b);
	hc_get_str(&b, peer, sizeof(peer));
	frames = hc_get_u64(&b);
	bad = hc_get_u64(&b);
	skipped = hc_get_u64(&b);
	errs = hc_get_u32(&b);
	logs = hc_get_u32(&b);
	lost = hc_get_u32(&b);
	hc_get_str(&b, store, sizeof(store));
	if (json) {
		printf("{\"connected\":%s,\"hello\":%s,\"version\":%u,\"peer\":",
		       conn ? "true" : "false", hello ? "true" : "false", ver);
		json_str(peer);
		printf(",\"frames_in\":%" PRIu64 ",\"bad_frames\":%" PRIu64 ",\"bytes_skipped\":%" PRIu64 ",\"error_frames\":%u,\"log_records\":%u,\"log_dropped\":%u,\"store\":",
		       frames, bad, skipped, errs, logs, lost);
		json_str(store);
		printf("}\n");
		return 0;
	}
	printf("QEMU: %s; paravisor: %s%s%s (protocol %u)\n",
	       conn ? "connected" : "not connected",
	       hello ? "said HELLO" : "silent", hello ? " as " : "", peer,
	       ver);
	printf("from the paravisor: %" PRIu64 " frames, %" PRIu64 " refused, %" PRIu64 " bytes skipped, %u error replies, %u log records (%u lost)\n",
	       frames, bad, skipped, errs, logs, lost);
	printf("guest-state store: %s\n", store);
	return 0;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* polls status until the stage is @stage ("hello": any answer) */
static int cmd_wait(const char *stage, unsigned int secs)
{
	uint64_t end = mono_ms() + secs * 1000ull;

	do {
		if (sfd >= 0 || !dial()) {
			const uint8_t *p;
			struct hostchan_hdr h;
			struct hostchan_buf b;
			char got[HOSTCHAN_NAME_MAX + 1];

			send_req(HOSTCHAN_STATUS, NULL, 0);
			while (next_frame(&h, &p))
				if (h.id == req_id &&
				    (h.flags & HOSTCHAN_F_REPLY))
					break;
			if (h.id == req_id && !(h.flags & HOSTCHAN_F_ERROR)) {
				hc_reader(&b, p, h.len);
				hc_get_u64(&b);
				hc_get_str(&b, got, sizeof(got));
				if (!strcmp(stage, "hello") ||
				    !strcmp(stage, got))
					return 0;
			}
		}
		usleep(200000);
	} while (mono_ms() < end);
	fprintf(stderr, "hclctl: no '%s' within %u s\n", stage, secs);
	return 1;
}

static int cmd_inject(int argc, char **argv)
{
	static uint8_t buf[1 << 20];
	size_t len = 0;
	const uint8_t *p;
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 0;

	if (argc < 1)
		usage();
	srand(12345);
	if (!strcmp(argv[0], "garbage") && argc == 2 && n <= sizeof(buf)) {
		/* random bytes with stray magics and headers among them */
		for (len = 0; len < n; len++)
			buf[len] = (uint8_t)rand();
		for (size_t i = 0; i + 8 < len; i += 97)
			memcpy(buf + i, "HCLF\001\002", 6);
	} else if (!strcmp(argv[0], "truncated") && argc == 1) {
		struct hostchan_hdr h = { HOSTCHAN_VERSION_MAX, HOSTCHAN_STATUS,
					  0, 0x7ffffff0, 0 };

		len = hostchan_encode(buf, sizeof(buf), &h, NULL) - 7;
	} else if (!strcmp(argv[0], "flood") && argc == 2 &&
		   n * HOSTCHAN_HDR_SIZE <= sizeof(buf)) {
		for (unsigned long i = 0; i < n; i++) {
			struct hostchan_hdr h = { HOSTCHAN_VERSION_MAX,
						  HOSTCHAN_STATUS, 0,
						  0x7f000000 + (uint32_t)i, 0 };

			len += hostchan_encode(buf + len, sizeof(buf) - len,
					       &h, NULL);
		}
	} else {
		usage();
	}
	/* in frames the daemon passes on untouched */
	for (size_t off = 0; off < len;) {
		size_t k = len - off > HOSTCHAN_MAX_PAYLOAD ?
			   HOSTCHAN_MAX_PAYLOAD : len - off;

		call(HCLCTL_RAW, buf + off, (uint32_t)k, &p, false);
		off += k;
	}
	printf("%zu bytes injected\n", len);
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1;

	if (argc > 1 && !strcmp(argv[1], "serve"))
		return hclctl_serve(argc - 1, argv + 1);
	sock_path = getenv("HCLCTL_SOCK");
	if (!sock_path || !*sock_path)
		sock_path = "build/hclctl.sock";
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "-s") && i + 1 < argc)
			sock_path = argv[++i];
		else
			usage();
	}
	if (i < argc && !strcmp(argv[argc - 1], "--json")) {
		json = true;
		argc--;
	}
	if (i >= argc)
		usage();
	argv += i;
	argc -= i;
	if (!strcmp(argv[0], "wait") && (argc == 2 || argc == 3))
		return cmd_wait(argv[1], argc == 3 ?
				(unsigned int)strtoul(argv[2], NULL, 0) : 60);
	must_dial();
	if (!strcmp(argv[0], "status") && argc == 1)
		return cmd_status();
	if (!strcmp(argv[0], "stats") && argc == 1)
		return cmd_stats();
	if (!strcmp(argv[0], "timeline") && argc == 1)
		return cmd_timeline();
	if (!strcmp(argv[0], "log") && argc <= 2)
		return cmd_log(argc == 2 && !strcmp(argv[1], "-f"));
	if (!strcmp(argv[0], "vtl0") && argc == 2)
		return cmd_vtl0(argv[1]);
	if (!strcmp(argv[0], "workers"))
		return cmd_workers(argc - 1, argv + 1);
	if (!strcmp(argv[0], "policy"))
		return cmd_policy(argc - 1, argv + 1);
	if (!strcmp(argv[0], "shutdown") && argc == 1) {
		const uint8_t *p;

		call(HOSTCHAN_SHUTDOWN, NULL, 0, &p, false);
		printf(json ? "{\"shutdown\":true}\n" :
		       "shutdown requested: the paravisor stops VTL0 and powers off\n");
		return 0;
	}
	if (!strcmp(argv[0], "host") && argc == 1)
		return cmd_host();
	if (!strcmp(argv[0], "inject"))
		return cmd_inject(argc - 1, argv + 1);
	usage();
}
