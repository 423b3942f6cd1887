/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic exit emulation (emulate.c), like KVM's kvm_emulate_cpuid() or
 * kvm_fast_pio(): a backend's exit decoder finds out what the guest did
 * and calls one of these, which work on the register cache (vp->gprs,
 * vp->rip), the VP's tables and the run page, never on backend state.
 *
 * Each returns what the run loop does next (HCL_ACT_*), or
 * HCL_ACT_UNHANDLED for the decoder to report the raw exit.  Instruction
 * lengths come from the decoder: it knows them from the exit or from the
 * opcode it intercepted.
 */
#ifndef HCL_EMULATE_H
#define HCL_EMULATE_H

#include <linux/types.h>

#include "backend.h"
#include "gpt.h"
#include "insn.h"
#include "vp.h"

/* Where the instruction at the guest's RIP is (hcl_fetch_insn()). */
struct hcl_code {
	struct hcl_paging pg;	/* CR0, CR3, CR4, EFER */
	u64 cs_base;
	unsigned int mode;	/* code size: 16, 32 or 64 */
};

int hcl_fetch_insn(struct hcl_vp *vp, const struct hcl_code *code,
		   u8 bytes[HCL_INSN_MAX]);
int hcl_guest_data_gpa(struct hcl_vp *vp, const struct hcl_paging *pg,
		       u64 gva, bool write, u64 *gpa);

enum hcl_exit_action hcl_emulate_cpuid(struct hcl_vp *vp, unsigned int len);
enum hcl_exit_action hcl_emulate_monitor_mwait(struct hcl_vp *vp,
					       unsigned int len);
/* where a port access goes (hcl_io_route()) */
enum hcl_io_route {
	HCL_IO_FLOAT,		/* unclaimed: reads all ones, writes lost */
	HCL_IO_DOORBELL,	/* writes ring its eventfd, reads 0 */
	HCL_IO_USER,		/* an HCL_EXIT_IO */
};

enum hcl_io_route hcl_io_route(struct hcl_vp *vp, u16 port, u8 size, bool out);
void hcl_io_to_user(struct hcl_vp *vp, u16 port, u8 size, bool in, u64 data);
enum hcl_exit_action hcl_emulate_io(struct hcl_vp *vp, u16 port, u8 size,
				    bool in);
enum hcl_exit_action hcl_emulate_msr(struct hcl_vp *vp, bool write,
				     unsigned int len);
enum hcl_exit_action hcl_emulate_hlt(struct hcl_vp *vp, bool irq_enabled,
				     unsigned int len);
enum hcl_exit_action hcl_emulate_hypercall(struct hcl_vp *vp,
					   unsigned int cpl, unsigned int len);
enum hcl_exit_action hcl_emulate_mmio(struct hcl_vp *vp, u64 gpa,
				      u32 access, const struct hcl_code *code);
void hcl_complete_user_exit(struct hcl_vp *vp);
const char *hcl_user_exit_name(u32 reason);

/* Makes the next entry deliver exception @vector (a rare path). */
static inline void hcl_queue_exception(struct hcl_vp *vp, u8 vector,
				       bool has_err, u32 err)
{
	hcl_backend->queue_exception(vp, vector, has_err, err);
}

#endif /* HCL_EMULATE_H */
