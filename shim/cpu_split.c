// SPDX-License-Identifier: GPL-2.0
/* The CPU split and the sidecar's memory (cpu_split.h). */
#include <string.h>

#include "cpu_split.h"

#define PFX	"sidecar: "
#define PAGE	HCL_PAGE_SIZE

static bool in(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v >= lo && v < hi;
}

static int check_image(const void *image, uint64_t gpa, uint64_t size,
		       struct hcl_sidecar_plan *plan, char *err,
		       size_t errlen)
{
	struct hcl_sidecar_image h;
	uint64_t end = gpa + size;

	if (size < sizeof(h))
		return shim_errf(err, errlen, SHIM_EINVAL,
				 PFX "image of %u bytes has no header",
				 (unsigned long long)size);
	memcpy(&h, image, sizeof(h));
	if (h.magic != HCL_SIDECAR_IMAGE_MAGIC ||
	    h.version != HCL_SIDECAR_VERSION)
		return shim_errf(err, errlen, SHIM_EINVAL,
				 PFX "image magic %x version %u, expected %x version %u",
				 (unsigned long long)h.magic,
				 (unsigned long long)h.version,
				 (unsigned long long)HCL_SIDECAR_IMAGE_MAGIC,
				 (unsigned long long)HCL_SIDECAR_VERSION);
	if (h.base != gpa || h.image_end <= gpa || h.image_end > end)
		return shim_errf(err, errlen, SHIM_EOUTSIDE,
				 PFX "image linked at %x ending at %x, but loaded at %x+%x",
				 (unsigned long long)h.base,
				 (unsigned long long)h.image_end,
				 (unsigned long long)gpa,
				 (unsigned long long)size);
	if (!in(h.entry64, gpa, h.image_end) || !in(h.cr3, gpa, h.image_end) ||
	    (h.cr3 & (PAGE - 1)) || h.cr3 >= 0x100000000ull)
		return shim_errf(err, errlen, SHIM_EOUTSIDE,
				 PFX "entry %x or page tables %x outside the image %x..%x",
				 (unsigned long long)h.entry64,
				 (unsigned long long)h.cr3,
				 (unsigned long long)gpa,
				 (unsigned long long)h.image_end);
	plan->image.base = gpa;
	plan->image.size = (h.image_end - gpa + PAGE - 1) & ~(PAGE - 1);
	plan->entry64 = h.entry64;
	plan->cr3 = h.cr3;
	return 0;
}

int hcl_sidecar_plan(const struct hcl_host_config *host, bool want,
		     const void *image, uint64_t image_gpa,
		     uint64_t image_size, uint64_t free_gpa,
		     uint64_t free_size, const struct hcl_host_range *low,
		     struct hcl_sidecar_plan *plan, char *err, size_t errlen)
{
	struct hcl_host_range tramp = { HCL_SIDECAR_TRAMPOLINE, PAGE };
	uint64_t need, top;
	int rc;

	memset(plan, 0, sizeof(*plan));
	if (errlen)
		err[0] = 0;
	plan->nlinux = host->ncpus;
	if (!want || host->ncpus < 2 || !image_size)
		return 0;
	if (host->ncpus - 1 > HCL_SIDECAR_MAX_CPUS)
		return shim_errf(err, errlen, SHIM_ETOOMANY,
				 PFX "%u CPUs, at most %u",
				 (unsigned long long)(host->ncpus - 1),
				 (unsigned long long)HCL_SIDECAR_MAX_CPUS);
	rc = check_image(image, image_gpa, image_size, plan, err, errlen);
	if (rc)
		return rc;
	if (!hcl_range_covered(low, 1, &tramp))
		return shim_errf(err, errlen, SHIM_EOUTSIDE,
				 PFX "the AP trampoline page %x is not in the low RAM %x+%x",
				 (unsigned long long)tramp.base,
				 (unsigned long long)low->base,
				 (unsigned long long)low->size);
	need = HCL_SIDECAR_REGION_SIZE(host->ncpus - 1);
	top = (free_gpa + free_size) & ~(PAGE - 1);
	if (top < free_gpa || top - free_gpa < need)
		return shim_errf(err, errlen, SHIM_ENOSPC,
				 PFX "needs %x bytes for %u CPUs, VTL2 has %x free",
				 (unsigned long long)need,
				 (unsigned long long)(host->ncpus - 1),
				 (unsigned long long)free_size);
	plan->region.base = top - need;
	plan->region.size = need;
	plan->enabled = true;
	plan->nlinux = 1;
	plan->nsidecar = host->ncpus - 1;
	return 0;
}

void hcl_sidecar_control_init(void *region,
			      const struct hcl_host_config *host,
			      const struct hcl_sidecar_plan *plan,
			      uint32_t test_fault)
{
	struct hcl_sidecar_control *ctl = region;
	uint32_t k = 0;

	memset(region, 0, plan->region.size);
	ctl->magic = HCL_SIDECAR_MAGIC;
	ctl->version = HCL_SIDECAR_VERSION;
	ctl->cpu_count = plan->nsidecar;
	ctl->test_fault = test_fault;
	ctl->region_size = plan->region.size;
	for (uint32_t i = 0; i < host->ncpus && k < plan->nsidecar; i++) {
		if (i == host->boot_cpu)
			continue;
		ctl->cpu[k].apic_id = host->apic_id[i];
		ctl->cpu[k].status = HCL_SIDECAR_OFFLINE;
		k++;
	}
}
