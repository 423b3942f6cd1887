// SPDX-License-Identifier: GPL-2.0
/*
 * The boot timeline: the seed's stages, each from its TSC stamp to the
 * next one's, from the tree (loader, shim, handoff), the environment
 * (underhill_init, us) and underhill_vm's report.  One clock, the TSC,
 * whose rate is measured against CLOCK_MONOTONIC_RAW.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "openvmm_hcl.h"

/* one (CLOCK_MONOTONIC_RAW, TSC) sample; two of them give the TSC rate */
struct clock_sample {
	uint64_t ns, tsc;
};

static struct clock_sample clk0;
static uint64_t stamps[ST_NR];

const char *const stage_key[ST_NR] = {
	"host_loader", "openhcl_boot", "sidecar", "kernel", "underhill_init",
	"openvmm_hcl", "underhill_vm", "vtl0_guest", "guest_done",
};

static const char *const stage_label[ST_NR] = {
	"host loader", "openhcl_boot (shim)", "sidecar start",
	"Linux kernel", "underhill_init", "openvmm_hcl", "underhill_vm",
	"VTL0 guest", "guest done",
};

static struct clock_sample sample_clock(void)
{
	struct timespec ts;
	struct clock_sample s;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	s.tsc = hcl_rdtsc();
	s.ns = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	return s;
}

/* TSC ticks per ns, measured over at least 20 ms since clk0 */
static double tsc_per_ns(void)
{
	struct clock_sample b = sample_clock();

	if (b.ns - clk0.ns < 20000000ULL) {
		usleep(20000 - (b.ns - clk0.ns) / 1000);
		b = sample_clock();
	}
	return (double)(b.tsc - clk0.tsc) / (double)(b.ns - clk0.ns);
}

/*
 * The kernel's start: the shim's handoff stamp, or else estimated from
 * how long the kernel had been up when underhill_init started.
 */
static uint64_t kernel_start_tsc(uint64_t tsc_init, double per_ns)
{
	uint64_t up_ns = hcl_env_u64(HCL_ENV_BOOT_NS_INIT);

	if (have_dt && dt.handoff_tsc)
		return dt.handoff_tsc;
	if (!tsc_init || !up_ns || up_ns * per_ns > tsc_init)
		return 0;
	return tsc_init - (uint64_t)(up_ns * per_ns);
}

void timeline_init(void)
{
	char stamp[32];

	clk0 = sample_clock();
	stamps[ST_CONTROL] = clk0.tsc;
	snprintf(stamp, sizeof(stamp), "%" PRIu64, clk0.tsc);
	setenv(HCL_ENV_TSC_CONTROL, stamp, 1);
}

void timeline_set(unsigned int stage, uint64_t tsc)
{
	if (stage < ST_NR)
		stamps[stage] = tsc;
}

void timeline_stamps(uint64_t tsc[ST_NR], double *per_ns)
{
	*per_ns = tsc_per_ns();
	memcpy(tsc, stamps, sizeof(stamps));
	if (have_dt) {
		tsc[ST_LOADER] = dt.loader_tsc;
		tsc[ST_SHIM] = dt.shim_tsc;
		/* the shim starts the sidecar's CPUs just before the handoff */
		tsc[ST_SIDECAR] = dt.sidecar_start_tsc;
	}
	tsc[ST_INIT] = hcl_env_u64(HCL_ENV_TSC_INIT);
	tsc[ST_KERNEL] = kernel_start_tsc(tsc[ST_INIT], *per_ns);
}

/*
 * Prints the table and the JSON object (on the console, in a line starting
 * with "openvmm_hcl: timeline-json " for the host to pick up, and in
 * /run/hcl-timeline.json).  Times are ms since the host loader started
 * (or since the earliest stamp there is); "before" is the time from the
 * TSC's zero (the VM's start) to that point: the host VMM's own work.
 */
void timeline_print(void)
{
	char buf[1536];
	size_t len = 0;
	uint64_t t0 = 0, tsc[ST_NR];
	unsigned int i, j;
	double per_ns;
	FILE *f;

	timeline_stamps(tsc, &per_ns);
	for (i = 0; i < ST_NR && !t0; i++)
		t0 = tsc[i];
	printf("openvmm_hcl: boot timeline (TSC at %.0f MHz; ms since the first stage)\n",
	       per_ns * 1e3);
	printf("  %-22s %10s %10s\n", "stage", "start", "takes");
	len += snprintf(buf + len, sizeof(buf) - len,
			"{\"tsc_mhz\":%.1f,\"before_ms\":%.3f,\"stages\":[",
			per_ns * 1e3, t0 / per_ns / 1e6);
	for (i = 0; i < ST_NR; i++) {
		double start = tsc[i] ? (tsc[i] - t0) / per_ns / 1e6 : -1;
		double takes = -1;

		/* a stage lasts until the next stamp that exists */
		for (j = i + 1; tsc[i] && i != ST_DONE && j < ST_NR; j++)
			if (tsc[j]) {
				takes = (double)(int64_t)(tsc[j] - tsc[i]) /
					per_ns / 1e6;
				break;
			}
		if (tsc[i] && takes >= 0)
			printf("  %-22s %10.3f %10.3f\n", stage_label[i], start,
			       takes);
		else if (tsc[i])
			printf("  %-22s %10.3f %10s\n", stage_label[i], start,
			       "");
		else
			printf("  %-22s %10s %10s\n", stage_label[i], "-", "-");
		if (len >= sizeof(buf))
			continue;
		len += snprintf(buf + len, sizeof(buf) - len,
				"%s{\"name\":\"%s\",", i ? "," : "",
				stage_key[i]);
		if (len >= sizeof(buf))
			continue;
		if (tsc[i])
			len += snprintf(buf + len, sizeof(buf) - len,
					"\"start_ms\":%.3f,", start);
		else
			len += snprintf(buf + len, sizeof(buf) - len,
					"\"start_ms\":null,");
		if (len >= sizeof(buf))
			continue;
		if (takes >= 0)
			len += snprintf(buf + len, sizeof(buf) - len,
					"\"ms\":%.3f}", takes);
		else
			len += snprintf(buf + len, sizeof(buf) - len,
					"\"ms\":null}");
	}
	if (len < sizeof(buf))
		snprintf(buf + len, sizeof(buf) - len, "]}");
	printf("openvmm_hcl: timeline-json %s\n", buf);
	f = fopen("/run/hcl-timeline.json", "w");
	if (f) {
		fprintf(f, "%s\n", buf);
		fclose(f);
	}
}
