/* SPDX-License-Identifier: GPL-2.0 */
/* Builds the hcl paravisor IGVM image (layout: include/hcl/igvm_layout.h) */
#ifndef HCL_IGVM_BUILD_H
#define HCL_IGVM_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "hcl/igvm_layout.h"

struct hcl_igvm_blob {
	const uint8_t *data;
	size_t size;
};

struct hcl_igvm_inputs {
	struct hcl_igvm_blob shim, kernel, initrd, vtl0;
	struct hcl_igvm_blob sidecar;	/* optional (size 0) */
	const char *cmdline;	/* static command line; NULL = empty */
	uint64_t vtl2_size;	/* 0: HCL_IGVM_VTL2_SIZE_DEFAULT */
	uint64_t shim_entry;	/* entry offset inside the shim */
};

/* the register list of the BSP, in file order */
#define HCL_IGVM_NREGS 17

/*
 * Lays the image out and serializes it.  Returns 0 with *out (malloc'd)
 * and *len, and *layout (the parameter block as written) when layout is
 * not NULL; otherwise -1 with a message in err.
 */
int hcl_igvm_build(const struct hcl_igvm_inputs *in, uint8_t **out,
		   size_t *len, struct hcl_igvm_params *layout, char *err,
		   size_t errlen);

#endif /* HCL_IGVM_BUILD_H */
