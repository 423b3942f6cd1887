// SPDX-License-Identifier: GPL-2.0
/*
 * RUN_VP: one VTL0 VP on this CPU until an exit hcl.ko must handle
 * (hcl/sidecar.h).  The VMCB and the save area are hcl.ko's, reached
 * through the identity map.  Each VMRUN runs with GIF clear and IF set
 * (so, with the VMCB's V_INTR_MASKING, a physical interrupt exits the
 * guest); after an INTR exit the interrupt is taken with GIF and IF set
 * again, so a wake-up IPI always ends a run that has its stop word set.
 * A stop word set before the run starts is honoured the same way: a
 * self-IPI, pending from before the first VMRUN, makes the guest exit as
 * soon as it is in (after an injected event is delivered).
 */
#include "sidecar.h"

#define VMCB_TLB_CTL	0x05cu		/* control area, 8 bits */
#define VMCB_CLEAN	0x0c0u		/* control area, 32 bits */
#define TLB_FLUSH_ALL	1u
#define VMCB_EXITCODE	0x070u
#define EXIT_INTR	0x060ull

void sc_vmrun(uint64_t vmcb_pa, uint64_t *gpr, uint64_t host_vmsave_pa);

static bool usable(uint64_t pa)
{
	return pa && !(pa & (HCL_SIDECAR_PAGE_SIZE - 1)) &&
	       pa < HCL_SIDECAR_MAP_END;
}

static bool stopped(struct hcl_sidecar_cmd_page *cmd)
{
	bool stop = *(volatile uint32_t *)&cmd->stop;

	sc_barrier();
	return stop;
}

uint32_t sc_run_vp(struct hcl_sidecar_cmd_page *cmd, uint64_t host_vmsave_pa,
		   uint64_t *last_vmcb)
{
	uint64_t vmcb = cmd->vmcb_pa, save_pa = cmd->vp_save_pa;
	struct hcl_sidecar_vp_save *save;
	uint32_t res = HCL_SIDECAR_RES_OK;
	uint64_t t0, code;
	volatile uint64_t *v;

	if (!usable(vmcb) || !usable(save_pa))
		return HCL_SIDECAR_RES_BAD_ARG;
	save = (struct hcl_sidecar_vp_save *)(uintptr_t)save_pa;
	if (!sc_guest_state_usable(save))
		return HCL_SIDECAR_RES_UNSUPPORTED;
	v = (volatile uint64_t *)(uintptr_t)vmcb;
	/*
	 * Another VMCB ran here last (another VP, hcl.ko's self-test): its
	 * state may be in the CPU's VMCB cache and its translations in the
	 * TLB under the ASID this one uses, so reload all, flush all.
	 */
	if (vmcb != *last_vmcb) {
		*(volatile uint32_t *)(uintptr_t)(vmcb + VMCB_CLEAN) = 0;
		*(volatile uint8_t *)(uintptr_t)(vmcb + VMCB_TLB_CTL) =
			TLB_FLUSH_ALL;
		*last_vmcb = vmcb;
	}
	sc_guest_state_load(save);
	if (stopped(cmd))
		sc_apic_send_self(SC_SELF_VECTOR);
	t0 = rdtsc_now();
	for (;;) {
		/* IF set, GIF clear: a physical interrupt exits the guest */
		__asm__ volatile("clgi; sti" ::: "memory");
		/* VMRUN switches CR2 through the VMCB; the GPRs here */
		sc_vmrun(vmcb, save->gpr, host_vmsave_pa);
		__asm__ volatile("cli; stgi" ::: "memory");
		code = v[VMCB_EXITCODE / 8];
		if (code != EXIT_INTR)
			break;
		/* take the pending interrupt; a stop request ends the run */
		__asm__ volatile("sti; nop; cli" ::: "memory");
		if (stopped(cmd)) {
			res = HCL_SIDECAR_RES_STOPPED;
			break;
		}
	}
	cmd->run_tsc = rdtsc_now() - t0;
	sc_guest_state_save(save);
	cmd->exit_code = code;
	return res;
}
