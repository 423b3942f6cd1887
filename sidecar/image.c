// SPDX-License-Identifier: GPL-2.0
/*
 * The image header, the binary's first bytes (sidecar.lds puts .head
 * first): what the shim checks and uses to start a CPU here.
 */
#include "sidecar.h"

extern char __sidecar_start[], __sidecar_end[];
extern char sidecar_entry64[], sidecar_pml4[];

__attribute__((section(".head"), used))
const struct hcl_sidecar_image sidecar_image = {
	.magic = HCL_SIDECAR_IMAGE_MAGIC,
	.version = HCL_SIDECAR_VERSION,
	.base = (uint64_t)(uintptr_t)__sidecar_start,
	.image_end = (uint64_t)(uintptr_t)__sidecar_end,
	.entry64 = (uint64_t)(uintptr_t)sidecar_entry64,
	.cr3 = (uint64_t)(uintptr_t)sidecar_pml4,
};
