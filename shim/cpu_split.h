/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CPU split between Linux and the sidecar, and the sidecar's memory
 * (the contract is include/hcl/sidecar.h).
 *
 * With openhcl_boot.sidecar=on (the default), more than one CPU and a
 * sidecar image in the IGVM file, the boot CPU goes to Linux and every
 * other CPU to the sidecar; otherwise (sidecar=off, one CPU, or no
 * image) every CPU goes to Linux.  Either way Linux's tree lists every
 * CPU in /cpus; with the sidecar the command line gets
 * "maxcpus=<Linux CPUs>", so the sidecar's CPUs are present but never
 * booted by Linux.
 *
 * The plan, checked here:
 *   - the image (parameter block's sidecar range) starts with a struct
 *     hcl_sidecar_image: magic, version, linked at the range's GPA, its
 *     memory (image_end) inside the range, entry64 inside it, cr3 page
 *     aligned inside it;
 *   - the region (control page, command pages, private pages:
 *     HCL_SIDECAR_REGION_SIZE(n)) at the top of VTL2's free memory,
 *     which must hold it;
 *   - the real-mode trampoline's page, HCL_SIDECAR_TRAMPOLINE, inside
 *     the low RAM lent to Linux (linux_boot.h): below Linux's first
 *     64 KiB, which it never uses, and needed only until the handoff.
 * Both the image's memory and the region are OPENHCL_MEM_SIDECAR extras.
 */
#ifndef HCL_SHIM_CPU_SPLIT_H
#define HCL_SHIM_CPU_SPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hcl/sidecar.h"
#include "host_config.h"
#include "shim_err.h"

#define HCL_SIDECAR_TRAMPOLINE	0x8000ull	/* SIPI vector 0x08 */

struct hcl_sidecar_plan {
	bool enabled;			/* false: every CPU to Linux */
	uint32_t nlinux, nsidecar;
	struct hcl_host_range image;	/* the image's memory, page aligned */
	struct hcl_host_range region;	/* control, command, private pages */
	uint64_t entry64, cr3;
};

/*
 * Plans the split for @host: @want is openhcl_boot.sidecar=, @image the
 * @image_size bytes at @image_gpa (size 0: the image has no sidecar),
 * [@free_gpa, +@free_size) VTL2's free memory, @low the low RAM lent to
 * Linux.  Returns 0, or a negative shim_err for a bad image or no room.
 */
int hcl_sidecar_plan(const struct hcl_host_config *host, bool want,
		     const void *image, uint64_t image_gpa,
		     uint64_t image_size, uint64_t free_gpa,
		     uint64_t free_size, const struct hcl_host_range *low,
		     struct hcl_sidecar_plan *plan, char *err, size_t errlen);

/*
 * Fills the region at @region (plan->region.size bytes, zeroed here):
 * the control page with every sidecar CPU's APIC id, in VP index order
 * without the boot CPU, all OFFLINE, and @test_fault.
 */
void hcl_sidecar_control_init(void *region,
			      const struct hcl_host_config *host,
			      const struct hcl_sidecar_plan *plan,
			      uint32_t test_fault);

#endif /* HCL_SHIM_CPU_SPLIT_H */
