// SPDX-License-Identifier: GPL-2.0
/*
 * The host-state check: the guest runs on the host's CPU, and every piece
 * of state VMRUN does not switch by itself is switched by hand around it
 * (svm_enter()).  With hcl.check_host_state=1 each entry reads that state
 * right before CLGI and again right before STGI, once everything is back,
 * and a difference is a bug in the switch: counted (host_state_bad), told
 * once with a warning and on every occurrence (rate-limited) with the
 * register and both values.  The check runs with interrupts off, so
 * nothing on this CPU can change the state in between.
 */
#define pr_fmt(fmt) "hcl: svm: " fmt

#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/special_insns.h>
#include <kunit/visibility.h>

#include "host_state.h"

bool hcl_check_host_state;
module_param_named(check_host_state, hcl_check_host_state, bool, 0644);
MODULE_PARM_DESC(check_host_state,
		 "compare the host's CPU state before each entry and after its exit");

/* in enum order from HCL_HOST_FS_BASE */
const struct hcl_passthrough_msr hcl_passthrough_msrs[HCL_NR_PASSTHROUGH_MSRS] = {
	{ MSR_FS_BASE, "FS_BASE" }, { MSR_GS_BASE, "GS_BASE" },
	{ MSR_KERNEL_GS_BASE, "KERNEL_GS_BASE" }, { MSR_STAR, "STAR" },
	{ MSR_LSTAR, "LSTAR" }, { MSR_CSTAR, "CSTAR" },
	{ MSR_SYSCALL_MASK, "SYSCALL_MASK" },
	{ MSR_IA32_SYSENTER_CS, "SYSENTER_CS" },
	{ MSR_IA32_SYSENTER_ESP, "SYSENTER_ESP" },
	{ MSR_IA32_SYSENTER_EIP, "SYSENTER_EIP" },
};

/* the rest; the MSRs' names are in hcl_passthrough_msrs */
static const char *const names[HCL_HOST_NR] = {
	[HCL_HOST_EFER] = "EFER", [HCL_HOST_CR0] = "CR0",
	[HCL_HOST_CR3] = "CR3", [HCL_HOST_CR4] = "CR4",
	[HCL_HOST_XCR0] = "XCR0", [HCL_HOST_PKRU] = "PKRU",
	[HCL_HOST_XSS] = "IA32_XSS", [HCL_HOST_DR6] = "DR6",
	[HCL_HOST_DR7] = "DR7", [HCL_HOST_TSC_AUX] = "TSC_AUX",
};

const char *hcl_host_reg_name(int reg)
{
	if (reg >= HCL_HOST_FS_BASE && reg <= HCL_HOST_SYSENTER_EIP)
		return hcl_passthrough_msrs[reg - HCL_HOST_FS_BASE].name;
	return reg >= 0 && reg < HCL_HOST_NR ? names[reg] : "?";
}
EXPORT_SYMBOL_IF_KUNIT(hcl_host_reg_name);

static void put(struct hcl_host_state *s, int reg, u64 val)
{
	s->val[reg] = val;
	s->valid |= BIT(reg);
}

/* @tsc_aux: the CPU has IA32_TSC_AUX (RDTSCP or RDPID) */
void hcl_host_state_read(struct hcl_host_state *s, bool tsc_aux)
{
	unsigned int i;
	u64 v;

	s->valid = 0;
	rdmsrl(MSR_EFER, v);
	put(s, HCL_HOST_EFER, v);
	put(s, HCL_HOST_CR0, read_cr0());
	put(s, HCL_HOST_CR3, __read_cr3());
	put(s, HCL_HOST_CR4, __read_cr4());
	if (boot_cpu_has(X86_FEATURE_OSXSAVE))
		put(s, HCL_HOST_XCR0, xgetbv(XCR_XFEATURE_ENABLED_MASK));
	if (cpu_feature_enabled(X86_FEATURE_OSPKE))
		put(s, HCL_HOST_PKRU, rdpkru());
	if (boot_cpu_has(X86_FEATURE_XSAVES)) {
		rdmsrl(MSR_IA32_XSS, v);
		put(s, HCL_HOST_XSS, v);
	}
	get_debugreg(v, 6);
	put(s, HCL_HOST_DR6, v);
	get_debugreg(v, 7);
	put(s, HCL_HOST_DR7, v);
	for (i = 0; i < HCL_NR_PASSTHROUGH_MSRS; i++) {
		rdmsrl(hcl_passthrough_msrs[i].msr, v);
		put(s, HCL_HOST_FS_BASE + i, v);
	}
	if (tsc_aux) {
		rdmsrl(MSR_TSC_AUX, v);
		put(s, HCL_HOST_TSC_AUX, v);
	}
}
EXPORT_SYMBOL_IF_KUNIT(hcl_host_state_read);

/*
 * The first register (enum hcl_host_reg) both snapshots have and that
 * differs, or -1 when the host got back all it had.  A register only one
 * of them has counts as a difference: the two reads must cover the same.
 */
int hcl_host_state_diff(const struct hcl_host_state *before,
			const struct hcl_host_state *after)
{
	int reg;

	for (reg = 0; reg < HCL_HOST_NR; reg++) {
		u32 bit = BIT(reg);

		if (!((before->valid | after->valid) & bit))
			continue;
		if ((before->valid ^ after->valid) & bit ||
		    before->val[reg] != after->val[reg])
			return reg;
	}
	return -1;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_host_state_diff);
