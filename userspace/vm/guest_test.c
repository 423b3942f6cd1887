// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "guest.h"
#include "guest_test.h"
#include "vm.h"
#include "vtl0_setup.h"
#include "vtl0_test_abi.h"
#include "dev/testdev.h"
#include "dev/tpm.h"

struct test_guest {
	struct testdev dev;
	struct vtpm tpm;
	struct hcl_regs regs;
	struct hcl_sregs sregs;
	int corrupt;
};

unsigned int guest_test_cpuid(struct hcl_cpuid_entry *e, unsigned int max,
			      int corrupt)
{
	if (max < 2)
		return 0;
	memset(e, 0, 2 * sizeof(*e));
	e[0].function = HCL_CPUID_SIG_LEAF;
	e[0].eax = HCL_CPUID_TEST_LEAF;
	e[0].ebx = HCL_CPUID_SIG_EBX;
	e[0].ecx = HCL_CPUID_SIG_ECX;
	e[0].edx = HCL_CPUID_SIG_EDX;
	e[1].function = HCL_CPUID_TEST_LEAF;
	e[1].eax = HCL_CPUID_TEST_EAX ^ (corrupt ? 0x100 : 0);
	e[1].edx = HCL_CPUID_TEST_EDX;
	return 2;
}

static int test_setup(struct vm *vm, const void *img, size_t len)
{
	static struct test_guest tg;
	int ret;

	vm->guest_data = &tg;
	tg.corrupt = hcl_env_u64("HCL_GUEST_CPUID_BAD") != 0;
	if (vtl0_load_image(vm->mem, vm->mem_size, HCL_GUEST_LOAD_GPA, img,
			    len)) {
		fprintf(stderr, "underhill_vm: the VTL0 image (%zu bytes) does not fit in %"
			PRIu64 " bytes of VTL0 RAM\n", len, vm->mem_size);
		return -1;
	}
	/* the guest's first instruction stamps the TSC here (start.S) */
	memset((char *)vm->mem + HCL_GUEST_FIRST_TSC_GPA, 0, sizeof(uint64_t));
	if (vtl0_setup_long_mode(vm->mem, vm->mem_size, HCL_GUEST_LOAD_GPA,
				 HCL_GUEST_STACK_TOP, &tg.regs, &tg.sregs)) {
		perror("underhill_vm: VTL0 setup");
		return -1;
	}
	ret = testdev_add(&tg.dev, &vm->bus, HCL_TEST_PORT);
	if (ret) {
		fprintf(stderr, "underhill_vm: test device: %s\n",
			strerror(-ret));
		return -1;
	}
	/* the vTPM the guest drives from VP 0, with its kill switch */
	if (vtpm_add(&tg.tpm, vm, HCL_TPM_CTL_PORT, NULL, 0) ||
	    vtpm_report_sandbox(&tg.tpm))
		return -1;
	return 0;
}

static int test_setup_vp(struct vm *vm, struct vp *vp)
{
	struct test_guest *tg = vm->guest_data;
	struct hcl_cpuid_entry ent[8];
	struct hcl_cpuid cpuid = { 0 };
	struct hcl_regs regs = tg->regs;

	cpuid.nent = guest_test_cpuid(ent, 8, tg->corrupt);
	cpuid.entries = (uintptr_t)ent;
	regs.gprs[HCL_REG_RSP] = HCL_GUEST_VP_STACK(vp->index);
	if (ioctl(vp->fd, HCL_VP_SET_CPUID, &cpuid) ||
	    ioctl(vp->fd, HCL_VP_SET_SREGS, &tg->sregs) ||
	    ioctl(vp->fd, HCL_VP_SET_REGS, &regs)) {
		perror("underhill_vm: VP setup");
		return -1;
	}
	return 0;
}

static const char *test_note(struct vm *vm)
{
	struct test_guest *tg = vm->guest_data;

	return tg->corrupt ? ", CPUID table deliberately corrupted" : NULL;
}

/*
 * The guest's result: 0 when every VP reported 0; ~0 when a VP reported
 * nothing; else the first failure a VP reported.
 */
static void test_finish(struct vm *vm, struct hcl_vm_report *rep)
{
	struct test_guest *tg = vm->guest_data;
	unsigned int i;

	memcpy(&rep->tsc_vtl0_first,
	       (char *)vm->mem + HCL_GUEST_FIRST_TSC_GPA,
	       sizeof(rep->tsc_vtl0_first));
	rep->guest_result = 0;
	for (i = 0; i < vm->nr_vps; i++) {
		uint32_t r = testdev_result(&tg->dev, i);

		if (r == TESTDEV_NO_RESULT) {
			if (vm->vps[i].state == EXIT_HALT)
				printf("underhill_vm: VP %u halted without a result\n",
				       i);
			rep->guest_result = TESTDEV_NO_RESULT;
		} else if (r) {
			printf("underhill_vm: VP %u reported failure %u\n", i,
			       r);
			if (!rep->guest_result)
				rep->guest_result = r;
		}
	}
}

/* a flat binary has no header to probe: the catch-all profile */
static struct guest_profile guest_test = {
	.name = "test",
	.setup = test_setup,
	.setup_vp = test_setup_vp,
	.note = test_note,
	.finish = test_finish,
};
GUEST_PROFILE(guest_test)
