// SPDX-License-Identifier: GPL-2.0
/*
 * The dispatch loop: with interrupts off, look at the command page; if
 * hcl.ko posted a command (seq != ack) run it, else "sti; hlt" until an
 * IPI and look again.  The protocol and its ordering are in
 * hcl/sidecar.h: seq is read before the command and its arguments, and
 * status and result are written before ack; then the notify IPI.
 */
#include "sidecar.h"

static uint32_t load32(const volatile uint32_t *p)
{
	uint32_t v = *p;

	sc_barrier();	/* acquire (TSO): later loads stay later */
	return v;
}

static void store32(volatile uint32_t *p, uint32_t v)
{
	sc_barrier();	/* release (TSO): earlier stores stay earlier */
	*p = v;
}

/* hands the CPU to Linux; the caller has acknowledged nothing yet */
static SC_NORETURN void remove_cpu(struct hcl_sidecar_cpu *cpu,
				   struct hcl_sidecar_cmd_page *cmd,
				   uint32_t seq)
{
	sc_svm_disable();
	cmd->result = HCL_SIDECAR_RES_OK;
	store32(&cpu->status, HCL_SIDECAR_REMOVED);
	store32(&cmd->ack, seq);
	/* INIT (Linux's CPU bring-up) is the only way out */
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

/* tells hcl.ko a command is done, if it asked to be told */
static void notify(const struct hcl_sidecar_control *ctl)
{
	uint32_t vector = *(const volatile uint32_t *)&ctl->notify_vector;

	if (vector >= 32 && vector <= 255)
		sc_apic_send(*(const volatile uint32_t *)&ctl->notify_apic_id,
			     vector);
}

void sc_dispatch(struct hcl_sidecar_control *ctl, struct hcl_sidecar_cpu *cpu,
		 struct hcl_sidecar_cmd_page *cmd, uint64_t host_vmsave_pa)
{
	/* the VMCB of the last RUN_VP here: its cached state is trusted */
	uint64_t last_vmcb = 0;

	for (;;) {
		uint32_t seq = load32(&cmd->seq);
		uint32_t res;

		if (seq == cmd->ack) {
			/* the STI shadow: a pending IPI ends this HLT */
			__asm__ volatile("sti; hlt; cli" ::: "memory");
			continue;
		}
		store32(&cpu->status, HCL_SIDECAR_BUSY);
		switch (cmd->command) {
		case HCL_SIDECAR_CMD_PING:
			cpu->pings++;
			res = HCL_SIDECAR_RES_OK;
			break;
		case HCL_SIDECAR_CMD_STOP:
			res = HCL_SIDECAR_RES_OK;	/* nothing runs */
			break;
		case HCL_SIDECAR_CMD_RUN_VP:
			res = sc_run_vp(cmd, host_vmsave_pa, &last_vmcb);
			break;
		case HCL_SIDECAR_CMD_REMOVE:
			remove_cpu(cpu, cmd, seq);
		default:
			res = HCL_SIDECAR_RES_BAD_COMMAND;
			break;
		}
		cmd->result = res;
		store32(&cpu->status, HCL_SIDECAR_IDLE);
		store32(&cmd->ack, seq);
		notify(ctl);
	}
}
