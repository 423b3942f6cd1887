// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the shim's host device-tree parser
 * (shim/host_config.c) and, for every accepted tree, the Linux device
 * tree built from it (shim/dt_build.c), and the exit-port reader used
 * on the failure path (hcl_host_exit_port).
 *
 * An accepted configuration must keep the parser's promises: at least one
 * CPU, unique APIC ids, a listed boot CPU, sorted non-overlapping aligned
 * RAM ranges, VTL2 and VTL0 inside RAM and disjoint.  The tree built from
 * it must be a valid, packed FDT.  A rejected input must leave a message.
 *
 * fuzz-build: shim
 * fuzz-seed: dts host_dt_seed.dts
 * fuzz-run: max_len=65536 seconds=10
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "dt_build.h"
#include "host_config.h"

static struct hcl_host_config cfg;
static char out[256 * 1024];

static void check_accepted(void)
{
	struct hcl_dt_input in = {
		.host = &cfg, .bootargs = cfg.bootargs, .shim_tsc = 1,
	};
	char err[256];
	int n;

	if (!cfg.ncpus || cfg.ncpus > HCL_BOOT_MAX_VPS ||
	    cfg.boot_cpu >= cfg.ncpus || !cfg.nram ||
	    cfg.nram > HCL_HOST_MAX_RANGES)
		abort();
	for (uint32_t i = 0; i < cfg.ncpus; i++)
		for (uint32_t j = 0; j < i; j++)
			if (cfg.apic_id[i] == cfg.apic_id[j])
				abort();
	for (uint32_t i = 0; i < cfg.nram; i++) {
		const struct hcl_host_range *r = &cfg.ram[i];

		if (!r->size || ((r->base | r->size) & 0xfff) ||
		    r->base + r->size < r->base)
			abort();
		if (i && cfg.ram[i - 1].base + cfg.ram[i - 1].size > r->base)
			abort();
	}
	if (!hcl_range_covered(cfg.ram, cfg.nram, &cfg.vtl2) ||
	    !hcl_range_covered(cfg.ram, cfg.nram, &cfg.vtl0) ||
	    hcl_range_overlap(&cfg.vtl2, &cfg.vtl0))
		abort();
	if (cfg.has_serial &&
	    (!cfg.serial_size || cfg.serial_port + cfg.serial_size > 0x10000))
		abort();
	if (strlen(cfg.bootargs) >= HCL_BOOTARGS_MAX)
		abort();

	n = hcl_dt_build(&in, out, sizeof(out), err, sizeof(err));
	if (n < 0) {
		/* only the map can overflow: many pieces of RAM */
		if (n != SHIM_ETOOMANY || !err[0])
			abort();
		return;
	}
	if (fdt_check_header(out) || (int)fdt_totalsize(out) != n ||
	    fdt_path_offset(out, "/openhcl/timestamps") < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a private, exactly sized copy so ASan sees any over-read */
	uint8_t *buf = malloc(size ? size : 1);
	char err[128];
	uint16_t port;
	int rc;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	rc = hcl_host_config_parse(buf, size, &cfg, err, sizeof(err));
	/* the failure-path reader must agree with an accepted tree */
	port = hcl_host_exit_port(buf, size);
	if (rc == 0 && port != (cfg.has_exit_port ? cfg.exit_port : 0))
		abort();
	if (rc == 0)
		check_accepted();
	else if (rc > 0 || !err[0] || strlen(err) >= sizeof(err))
		abort();
	free(buf);
	return 0;
}
